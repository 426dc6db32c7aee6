package io.seedgate.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** What a report says about the machine and the moment: cores, Java, Redis, load average. */
final class RunInfo {

  private RunInfo() {
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  static String redisVersion(Redis redis) {
    try {
      String info = BenchMain.await(redis.send(Request.cmd(Command.INFO).arg("server")), 5_000).toString();
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("redis_version:")) {
          return line.substring("redis_version:".length()).trim();
        }
      }
    } catch (RuntimeException e) {
      return "n/a (" + e.getMessage() + ")";
    }
    return "n/a";
  }

  static JsonObject describe(Redis redis, NodeTarget target) {
    return new JsonObject()
      .put("time", Instant.now().toString())
      .put("cores", Runtime.getRuntime().availableProcessors())
      .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
      .put("redis", redisVersion(redis))
      .put("load_average", loadAverage())
      .put("node", target.description);
  }

  static String header(String scenario, JsonObject info) {
    return "seed-bench " + scenario + " at " + info.getString("time") + "\n"
      + "  machine: " + info.getInteger("cores") + " cores, " + info.getString("java") + ", Redis "
      + info.getString("redis") + ", load average " + info.getString("load_average") + "\n"
      + "  node: " + info.getString("node") + "\n";
  }
}
