package org.relais.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started: pinned to a CPU with taskset, its output in a log file, its CPU time and RSS
 * read from /proc. Only processes started here are ever stopped here, by their own pid.
 */
final class Proc {
  static final long TICKS_PER_SECOND = clockTicks();

  final String name;
  final Process process;
  final Path log;

  private Proc(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Proc start(String name, String cpu, List<String> command, Map<String, String> env, Path dir, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (cpu != null && Bench.hasTaskset()) {
      cmd.add("taskset");
      cmd.add("-c");
      cmd.add(cpu);
    }
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    return new Proc(name, p, log);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** utime + stime of the process, in seconds. */
  double cpuSeconds() {
    return cpuSeconds(pid());
  }

  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state is field 3, utime field 14, stime field 15 → indexes 11 and 12 here
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / (double) TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Resident set size in KiB. */
  long rssKb() {
    return rssKb(pid());
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** SIGTERM, then SIGKILL after the grace; only this process (and its descendants started by it). */
  void stop(long graceMillis) {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle c : children) {
      if (c.isAlive()) {
        c.destroyForcibly();
      }
    }
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void waitForPort(Proc proc, int port, long timeoutMillis) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      if (!proc.alive()) {
        throw new IOException(proc.name + " exited: " + proc.tail());
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    throw new IOException(proc.name + " did not listen on " + port + " within " + timeoutMillis + " ms: " + proc.tail());
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String run(List<String> cmd, long timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static long clockTicks() {
    String out = run(List.of("getconf", "CLK_TCK"), 5).trim();
    try {
      return Long.parseLong(out);
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  static String which(String exe) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        Path candidate = Path.of(entry, exe);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }
}
