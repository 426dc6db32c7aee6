package io.seedgate.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by the load generator, the node and Redis during a phase, from {@code /proc/<pid>/stat} (user +
 * system, clock ticks of 10 ms) and Redis' {@code INFO cpu}. Divided by the round trips of the phase it tells where
 * the CPU of a 2-core machine goes: with the node in this JVM the bench and node figures are one process.
 */
final class CpuMeter {

  private static final double TICK_SECONDS = 0.01;

  private final Redis redis;
  private final long nodePid;

  /**
   * CPU seconds used so far; -1 when unknown.
   *
   * @param bench this JVM
   * @param node the node's process (-1 when it is this JVM or unknown)
   * @param redis the Redis server
   */
  record Sample(double bench, double node, double redis) {
  }

  /**
   * CPU microseconds per operation of one phase (a round trip, a delivery); -1 when unknown.
   *
   * @param bench this JVM
   * @param node the node's process
   * @param redis the Redis server
   */
  record PerOperation(double bench, double node, double redis) {

    JsonObject toJson() {
      return new JsonObject().put("bench_us", Math.round(bench * 10) / 10.0).put("node_us", Math.round(node * 10) / 10.0)
        .put("redis_us", Math.round(redis * 10) / 10.0);
    }
  }

  CpuMeter(Redis redis, long nodePid) {
    this.redis = redis;
    this.nodePid = nodePid;
  }

  Sample sample() {
    return new Sample(processSeconds(ProcessHandle.current().pid()), nodePid > 0 ? processSeconds(nodePid) : -1,
      redisSeconds());
  }

  static PerOperation perOperation(Sample before, Sample after, long operations) {
    return new PerOperation(per(before.bench(), after.bench(), operations), per(before.node(), after.node(), operations),
      per(before.redis(), after.redis(), operations));
  }

  private static double per(double before, double after, long n) {
    return before < 0 || after < 0 || n <= 0 ? -1 : (after - before) * 1e6 / n;
  }

  /** User + system CPU seconds of a process, -1 when unreadable. */
  static double processSeconds(long pid) {
    try {
      return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line, in seconds. */
  static double parseStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_SECONDS;
  }

  private double redisSeconds() {
    try {
      String info = BenchMain.await(redis.send(Request.cmd(Command.INFO).arg("cpu")), 5_000).toString();
      double total = 0;
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return total;
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
