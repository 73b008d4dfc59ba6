package org.relais.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every size and duration of a run, with the quick and the full defaults; any can be set with --set key=value. */
final class Sizes {
  final Map<String, String> values = new LinkedHashMap<>();

  static Sizes of(boolean quick) {
    Sizes s = new Sizes();
    // quick: issue 9's "short mode under 5 minutes" (every scenario, every target, provisioning included);
    // full: issue 9's sizes, about 42 minutes for one repetition with both peer adapters, 8.5 of them provisioning (docs/BENCHMARKS.md)
    s.put("big.members", quick ? "500" : "2000");
    // 40 × 500 and 10 × 2000 are the 20,000 deliveries/s of issue 9's latency target
    s.put("big.rates", quick ? "40,150" : "10,50,100,150,200,300");
    s.put("big2.rates", quick ? "150" : "10,50,100,150,200,300");
    s.put("rooms.count", quick ? "50" : "1000");
    s.put("rooms.size", "10");
    s.put("rooms.rates", quick ? "1000,4000" : "1000,2000,4000,6000,8000");
    s.put("rooms2.rates", quick ? "1000" : "1000,2000,4000,6000,8000");
    s.put("history.rooms", quick ? "10" : "100");
    s.put("history.messages", "200");
    s.put("history.readers", "20,200");
    s.put("idle.connections", quick ? "2000" : "15000");
    s.put("idle.hold.s", quick ? "3" : "5");
    s.put("presence.rooms", quick ? "5" : "10");
    s.put("presence.watchers", quick ? "4" : "10");
    s.put("presence.churners", quick ? "16" : "90");
    s.put("presence.hold.ms", "500");
    s.put("presence.period.s", "8");
    s.put("presence.measure.s", quick ? "8" : "30");
    // churn before the measured window: one period, so that each churner has connected once (steady state)
    s.put("presence.warm.s", "8");
    // the scenarios the ceiling runs: in quick mode only the two whose ceiling figure is one of issue 9's targets
    // (sustained rate against the bare ceiling); the full mode runs it everywhere (it has no two-node path)
    s.put("ceiling.scenarios", quick ? "bigroom,rooms" : "idle,bigroom,rooms,history,storm,presence");
    // the scenarios the peer runs: in quick mode not the two-node ones, which no target row compares with the peer
    // (issue 9's two-node row is Relais on two nodes against Relais on one); the full mode runs them all
    s.put("peer.scenarios", quick ? "idle,bigroom,rooms,history,storm,presence"
        : "idle,bigroom,rooms,history,storm,presence,bigroom2,rooms2");
    // quick mode: the large-room and small-rooms ladders run on the same nodes and connections (one start, one
    // ramp) when their members are the same users (Scenarios.laddersShareNodes); the full mode's differ anyway
    s.put("ladders.shared", quick ? "true" : "false");
    s.put("settle.s", quick ? "1" : "2");
    // the ladders' unreported warm-up at the first rate (and history's, presence's and the storm's settle): at least
    // this long, then until no node's JIT used more than warmup.jit.share of a core over the last second, at most
    // warmup.max.s (Scenarios.warmUntilJitQuiet)
    s.put("warmup.step.s", quick ? "2" : "4");
    s.put("warmup.jit.share", "0.05");
    s.put("warmup.max.s", quick ? "8" : "60");
    s.put("step.warm.s", quick ? "1" : "2");
    s.put("step.measure.s", quick ? "3" : "10");
    s.put("history.warm.s", quick ? "1" : "2");
    s.put("history.measure.s", quick ? "3" : "10");
    s.put("drain.s", "10");
    // the drain may give up earlier when nothing moved for this long (what is missing then is taken as lost); by
    // default as long as drain.s, i.e. off: under a load average of 10-20 a starved Relais went more than 5 s without
    // delivering anything (its Redis pipelines timing out) and then delivered the rest in the next step
    s.put("drain.idle.s", "10");
    s.put("storm.timeout.s", "60");
    s.put("connect.concurrency", "50");
    s.put("p99.limit.ms", "250");
    s.put("local.addresses", "32");
    return s;
  }

  void put(String k, String v) {
    values.put(k, v);
  }

  String s(String k) {
    String v = values.get(k);
    if (v == null) {
      throw new IllegalArgumentException("unknown size " + k);
    }
    return v;
  }

  int i(String k) {
    return Integer.parseInt(s(k).trim());
  }

  int[] ints(String k) {
    return Arrays.stream(s(k).split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt)
        .toArray();
  }
}
