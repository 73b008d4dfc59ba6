package org.relais.tests.server.faults;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.relais.redis.RedisDb;
import org.relais.redis.Responses;
import org.relais.tests.server.TestServer;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the invariants of docs/RELIABILITY.md over the clients' logs and what Redis holds after a fault run:
 * <ul>
 *   <li>I1 every acknowledged message is in history (same id, author and clientMsgId at the acknowledged seq);</li>
 *   <li>I2 no duplicate per (sender, clientMsgId): in history, and every ack of one clientMsgId names one seq;</li>
 *   <li>I3 per channel, seq and offsets gap-free and ordered in Redis (messages 1..seq, log offsets contiguous,
 *       message seqs increasing along the log), and each client's receive log strictly increasing per channel;</li>
 *   <li>I4 each client received, per channel, every event after its start exactly once, each identical to the
 *       event stored at that offset, or an explicit resync covers the jump;</li>
 *   <li>I5 no event of a channel reached a client whose user is not a member;</li>
 *   <li>I6 heap after GC under a bound (and, where measured, slow sockets cut within a bound);</li>
 *   <li>I7 all clients converged (connected, nothing unacknowledged, every channel processed up to its last
 *       offset) within a bound after the fault cleared.</li>
 * </ul>
 * Redis is read directly (the keys of docs and MessagingKeys), independently of the server's code paths.
 */
public final class InvariantChecker {
  public enum Invariant { I1, I2, I3, I4, I5, I6, I7 }

  public enum Status { HELD, FAILED, ANNOUNCED, NA }

  public record Outcome(Status status, String detail) {
  }

  /** What one run showed. */
  public static final class Result {
    public final String fault;
    public final Map<Invariant, Outcome> outcomes = new EnumMap<>(Invariant.class);
    public final Map<String, Object> figures = new LinkedHashMap<>();

    Result(String fault) {
      this.fault = fault;
    }

    public boolean allHeld() {
      return outcomes.values().stream().noneMatch(o -> o.status() == Status.FAILED);
    }

    public String failures() {
      StringBuilder sb = new StringBuilder();
      outcomes.forEach((i, o) -> {
        if (o.status() == Status.FAILED) {
          sb.append(i).append(": ").append(o.detail()).append('\n');
        }
      });
      return sb.toString();
    }

    void set(Invariant i, List<String> problems, String heldDetail) {
      outcomes.put(i, problems.isEmpty() ? new Outcome(Status.HELD, heldDetail)
          : new Outcome(Status.FAILED, problems.size() + " problem(s): " + String.join("; ", problems.subList(0, Math.min(5, problems.size())))));
    }
  }

  /** Options of one check. */
  public static final class Options {
    long convergeMs = -1;
    long convergeBoundMs = 20_000;
    long heapBoundMb = 384;
    /** Per slow-consumer fault (repeated in the long suite): ms from the stall to the cut (4009), -1 if none. */
    final List<Long> slowCutMs = new ArrayList<>();
    /** Per slow-consumer fault: ms from the stall until the server had dropped the socket itself, -1 if never. */
    final List<Long> slowReleasedMs = new ArrayList<>();
    long slowCutBoundMs = 15_000;
    /** Redis lost its data on purpose: I1 is expected to be broken, and announced to every client. */
    boolean dataLost;
    String dataLossDetail;
    String lagging = "";

    public Options converged(long ms, long boundMs) {
      this.convergeMs = ms;
      this.convergeBoundMs = boundMs;
      return this;
    }

    public Options heapBound(long mb) {
      this.heapBoundMb = mb;
      return this;
    }

    /** One slow-consumer fault: cut (4009) {@code cutMs} after the stall, TCP connection gone {@code releasedMs} after. */
    public synchronized Options slowCut(long cutMs, long releasedMs, long boundMs) {
      this.slowCutMs.add(cutMs);
      this.slowReleasedMs.add(releasedMs);
      this.slowCutBoundMs = boundMs;
      return this;
    }

    public Options dataLost(String detail) {
      this.dataLost = true;
      this.dataLossDetail = detail;
      return this;
    }
  }

  private record Stored(Map<Long, Map<String, String>> messages, long seq, TreeMap<Long, String> log, long offset) {
  }

  private InvariantChecker() {
  }

  public static Result check(String fault, World world, String redisUrl, Options options) {
    Result result = new Result(fault);
    Map<String, Stored> stored = read(world, redisUrl);
    List<FaultClient.Ack> acks = new ArrayList<>();
    world.clients.forEach(c -> acks.addAll(c.acks()));

    // I1
    List<String> i1 = new ArrayList<>();
    for (FaultClient.Ack a : acks) {
      Stored s = stored.get(a.channelId());
      Map<String, String> m = s == null ? null : s.messages().get(a.seq());
      if (m == null) {
        i1.add("ack " + a.clientMsgId() + " seq " + a.seq() + " missing from history");
      } else if (!a.messageId().equals(m.get("id")) || !a.clientMsgId().equals(m.get("clientMsgId"))
          || !a.sender().equals(m.get("authorId"))) {
        i1.add("ack " + a.clientMsgId() + " seq " + a.seq() + " is another message in history: " + m.get("clientMsgId"));
      }
    }
    if (options.dataLost) {
      result.outcomes.put(Invariant.I1, new Outcome(Status.ANNOUNCED, options.dataLossDetail));
    } else {
      result.set(Invariant.I1, i1, acks.size() + " acks, all in history");
    }

    // I2
    List<String> i2 = new ArrayList<>();
    for (Map.Entry<String, Stored> e : stored.entrySet()) {
      Map<String, Long> seen = new HashMap<>();
      for (Map.Entry<Long, Map<String, String>> m : e.getValue().messages().entrySet()) {
        Long before = seen.put(m.getValue().get("authorId") + "/" + m.getValue().get("clientMsgId"), m.getKey());
        if (before != null) {
          i2.add("channel " + e.getKey() + ": " + m.getValue().get("clientMsgId") + " stored at seq " + before + " and " + m.getKey());
        }
      }
    }
    Map<String, Set<Long>> ackSeqs = new HashMap<>();
    for (FaultClient.Ack a : acks) {
      ackSeqs.computeIfAbsent(a.sender() + "/" + a.clientMsgId(), k -> new HashSet<>()).add(a.seq());
    }
    ackSeqs.forEach((k, seqs) -> {
      if (seqs.size() > 1) {
        i2.add(k + " acknowledged with seqs " + seqs);
      }
    });
    long duplicateAcks = acks.stream().filter(FaultClient.Ack::duplicate).count();
    result.set(Invariant.I2, i2, ackSeqs.size() + " clientMsgIds, " + duplicateAcks + " retries answered as duplicates");

    // I3 (Redis side, then each client's order)
    List<String> i3 = new ArrayList<>();
    for (Map.Entry<String, Stored> e : stored.entrySet()) {
      Stored s = e.getValue();
      for (long q = 1; q <= s.seq(); q++) {
        Map<String, String> m = s.messages().get(q);
        if (m == null || !String.valueOf(q).equals(m.get("seq"))) {
          i3.add("channel " + e.getKey() + ": message seq " + q + " missing in 1.." + s.seq());
        }
      }
      if (!s.log().isEmpty()) {
        long expected = s.log().firstKey();
        long lastSeq = 0;
        for (Map.Entry<Long, String> entry : s.log().entrySet()) {
          if (entry.getKey() != expected) {
            i3.add("channel " + e.getKey() + ": log jumps from " + (expected - 1) + " to " + entry.getKey());
          }
          expected = entry.getKey() + 1;
          JsonObject ev = new JsonObject(entry.getValue());
          if ("message.new".equals(ev.getString("ev"))) {
            long q = ev.getJsonObject("data").getJsonObject("message").getLong("seq");
            if (q <= lastSeq) {
              i3.add("channel " + e.getKey() + ": message seq " + q + " logged after seq " + lastSeq);
            }
            lastSeq = q;
          }
        }
        if (s.log().lastKey() != s.offset()) {
          i3.add("channel " + e.getKey() + ": log ends at " + s.log().lastKey() + " but the channel is at " + s.offset());
        }
      }
    }
    // I4 and I5 and the client half of I3: replay each client's log.
    List<String> i4 = new ArrayList<>();
    List<String> i5 = new ArrayList<>();
    int delivered = 0;
    Map<String, Integer> resyncs = new TreeMap<>();
    for (FaultClient c : world.clients) {
      Map<String, Long> last = new HashMap<>();
      List<FaultClient.Rec> recs = c.recs();
      int lastEpochResync = -1;
      for (int i = 0; i < recs.size(); i++) {
        if (recs.get(i).kind() == FaultClient.Kind.RESYNC && recs.get(i).channelId() == null) {
          lastEpochResync = i;
        }
      }
      for (int index = 0; index < recs.size(); index++) {
        FaultClient.Rec r = recs.get(index);
        // Events from before the last epoch change belong to a database that is gone: not compared with it.
        boolean oldEpoch = index < lastEpochResync;
        switch (r.kind()) {
          case START -> last.putAll(r.start());
          case RESYNC -> {
            resyncs.merge(r.reason(), 1, Integer::sum);
            if (r.channelId() == null) {
              last.clear();
              last.putAll(r.start());
            } else {
              if (world.members.containsKey(r.channelId()) && !world.members.get(r.channelId()).contains(c.userId)) {
                i5.add(c.name + " got a resync of " + r.channelId());
              }
              if (r.offset() >= 0) {
                last.put(r.channelId(), r.offset());
              }
            }
          }
          case EVENT -> {
            delivered++;
            String ch = r.channelId();
            if (world.members.containsKey(ch) && !world.members.get(ch).contains(c.userId)) {
              i5.add(c.name + " (not a member) received offset " + r.offset() + " of " + ch);
            }
            Long prev = last.get(ch);
            if (prev == null) {
              i4.add(c.name + " received " + ch + "@" + r.offset() + " of a channel it never started");
            } else if (r.offset() <= prev) {
              i3.add(c.name + " received " + ch + "@" + r.offset() + " after " + prev + " (duplicate or out of order)");
            } else if (r.offset() > prev + 1) {
              i4.add(c.name + " missed " + ch + "@" + (prev + 1) + ".." + (r.offset() - 1) + " without a resync");
            }
            last.put(ch, Math.max(prev == null ? 0 : prev, r.offset()));
            Stored s = stored.get(ch);
            String inLog = s == null ? null : s.log().get(r.offset());
            if (inLog != null && !oldEpoch && !inLog.equals(r.text())) {
              i4.add(c.name + " received at " + ch + "@" + r.offset() + " something other than the stored event");
            }
          }
          default -> { }
        }
      }
      // Caught up: the client's last offset of each of its channels is the channel's last offset.
      for (String ch : c.memberOf) {
        Stored s = stored.get(ch);
        if (s != null && !options.dataLost && !Long.valueOf(s.offset()).equals(last.get(ch))) {
          i4.add(c.name + " ended at " + ch + "@" + last.get(ch) + " but the channel is at " + s.offset());
        }
      }
    }
    result.set(Invariant.I3, i3, "messages 1..seq and log offsets contiguous; every client's offsets increasing");
    result.set(Invariant.I4, i4, delivered + " events delivered, each once, identical to the log"
        + (resyncs.isEmpty() ? "" : "; resyncs " + resyncs));
    result.set(Invariant.I5, i5, world.clients.size() - world.members().size() + " non-member observers received nothing");

    // I6
    List<String> i6 = new ArrayList<>();
    long heapMb = heapAfterGcMb();
    if (heapMb > options.heapBoundMb) {
      i6.add("heap after GC " + heapMb + " MB > " + options.heapBoundMb + " MB");
    }
    String i6detail = "heap after GC " + heapMb + " MB ≤ " + options.heapBoundMb + " MB";
    if (!options.slowCutMs.isEmpty()) {
      for (int i = 0; i < options.slowCutMs.size(); i++) {
        long cut = options.slowCutMs.get(i);
        long released = options.slowReleasedMs.get(i);
        if (cut < 0 || cut > options.slowCutBoundMs) {
          i6.add("slow socket " + (i + 1) + " cut after " + cut + " ms (bound " + options.slowCutBoundMs + " ms)");
        }
        if (released < 0 || released > options.slowCutBoundMs + 5_000) {
          i6.add("slow socket " + (i + 1) + " still open " + released + " ms after the stall (bound "
              + (options.slowCutBoundMs + 5_000) + " ms)");
        }
      }
      i6detail += "; slow socket cut (4009) in " + options.slowCutMs + " ms ≤ " + options.slowCutBoundMs
          + " ms, its TCP connection gone in " + options.slowReleasedMs + " ms ≤ " + (options.slowCutBoundMs + 5_000) + " ms";
    }
    result.set(Invariant.I6, i6, i6detail);

    // I7
    List<String> i7 = new ArrayList<>();
    if (options.convergeMs < 0) {
      i7.add("not converged within " + options.convergeBoundMs + " ms: " + options.lagging);
    }
    result.set(Invariant.I7, i7, options.dataLost
        ? "nothing to converge to (the data is gone); every client told in " + options.convergeMs + " ms ≤ " + options.convergeBoundMs + " ms"
        : "converged in " + options.convergeMs + " ms ≤ " + options.convergeBoundMs + " ms");

    long messages = stored.values().stream().mapToLong(s -> s.messages().size()).sum();
    Map<Integer, Integer> closes = new TreeMap<>();
    world.clients.forEach(c -> c.closes().forEach(code -> closes.merge(code, 1, Integer::sum)));
    result.figures.put("acks", acks.size());
    result.figures.put("messages", messages);
    result.figures.put("delivered", delivered);
    result.figures.put("resyncs", resyncs);
    result.figures.put("closes", closes);
    result.figures.put("sendErrors", world.clients.stream().mapToInt(FaultClient::sendErrors).sum());
    result.figures.put("convergeMs", options.convergeMs);
    result.figures.put("heapMb", heapMb);
    if (!options.slowCutMs.isEmpty()) {
      result.figures.put("slowCutMs", options.slowCutMs.toString());
      result.figures.put("slowReleasedMs", options.slowReleasedMs.toString());
    }
    return result;
  }

  private static Map<String, Stored> read(World world, String redisUrl) {
    RedisDb db = RedisDb.create(world.t.clients, World.settings(redisUrl), new SimpleMeterRegistry());
    try {
      Map<String, Stored> out = new LinkedHashMap<>();
      for (String ch : world.channels) {
        String key = "relais:ch:{c:" + ch + "}";
        Map<String, String> head = Responses.toMap(TestServer.await(db.send(Command.HGETALL, key)));
        long seq = Long.parseLong(head.getOrDefault("seq", "0"));
        long offset = Long.parseLong(head.getOrDefault("offset", "0"));
        Map<Long, Map<String, String>> messages = new TreeMap<>();
        List<Request> reads = new ArrayList<>();
        // Read a little past seq: a message stored beyond the channel's seq would be a bug too.
        for (long q = 1; q <= seq + 5; q++) {
          reads.add(Request.cmd(Command.HGETALL).arg(key + ":m:" + q));
        }
        if (!reads.isEmpty()) {
          List<Response> replies = TestServer.await(db.batch(reads));
          for (int i = 0; i < replies.size(); i++) {
            Map<String, String> m = Responses.toMap(replies.get(i));
            if (!m.isEmpty()) {
              messages.put(i + 1L, m);
            }
          }
        }
        TreeMap<Long, String> log = new TreeMap<>();
        Response entries = TestServer.await(db.send(Command.XRANGE, key + ":log", "-", "+"));
        if (entries != null) {
          for (Response entry : entries) {
            long off = Long.parseLong(entry.get(0).toString().split("-")[0]);
            Response fields = entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
              if ("e".equals(fields.get(i).toString())) {
                log.put(off, fields.get(i + 1).toString());
              }
            }
          }
        }
        out.put(ch, new Stored(messages, seq, log, offset));
      }
      return out;
    } finally {
      TestServer.await(db.close());
    }
  }

  /** The heap in use after a full collection, in MB (the server runs in this JVM). */
  public static long heapAfterGcMb() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      World.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }
}
