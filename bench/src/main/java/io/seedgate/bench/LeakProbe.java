package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.seedgate.common.RedisKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a node and Redis hold that a leak would grow: the node's heap after a full GC, RSS, open files and threads,
 * its sessions, players and Pub/Sub channels (from its metrics), and the Redis keys and subscribed channels a
 * run's players leave behind. Called from the main thread between phases.
 */
final class LeakProbe {

  /**
   * One reading.
   *
   * @param heapAfterGc node heap in use after a full GC, bytes (-1 unknown)
   * @param rss node resident set, bytes (-1 unknown)
   * @param files open file descriptors of the node (-1 unknown)
   * @param threads threads of the node (-1 unknown)
   * @param connections open client connections (all transports; -1 unknown)
   * @param players authenticated sessions (-1 unknown)
   * @param channels Pub/Sub channels the node's gateways subscribe (-1 unknown)
   * @param keys Redis keys of this run's players still present: hashes, session owners, map GEO sets, and
   *     entries in seed:online and seed:unsaved
   * @param subscribed channels of this run's players (token:, player:, map:) with a subscriber in Redis
   * @param nodeSessions entries of the node's seed:node:<incarnation>:sessions hashes
   */
  record Reading(long heapAfterGc, long rss, long files, long threads, long connections, long players, long channels,
                 long keys, long subscribed, long nodeSessions) {

    JsonObject toJson() {
      return new JsonObject().put("heap_after_gc", heapAfterGc).put("rss", rss).put("files", files)
        .put("threads", threads).put("connections", connections).put("players", players).put("channels", channels)
        .put("redis_keys", keys).put("redis_subscribed", subscribed).put("node_sessions", nodeSessions);
    }
  }

  private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*})? ([0-9.eE+-]+)$");

  private final NodeTarget node;
  private final Redis redis;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  LeakProbe(NodeTarget node, Redis redis) {
    this.node = node;
    this.redis = redis;
  }

  /** Reads everything; {@code withGc} runs a full GC in the node first (a stop-the-world pause: never mid-phase). */
  Reading read(List<Player> players, boolean withGc) {
    MemoryProbe.Sample memory = withGc && node.memory != null ? node.memory.sample()
      : new MemoryProbe.Sample(-1, node.pid > 0 ? MemoryProbe.rss(node.pid) : -1);
    JsonObject metrics = metrics();
    return new Reading(memory.heapUsed(), memory.rss(), count(node.pid, "fd"), count(node.pid, "task"),
      metrics.getLong("seed_connections", -1L), metrics.getLong("seed_players", -1L),
      metrics.getLong("seed_delivery_channels", -1L), redisKeys(players), subscribed(players), nodeSessions());
  }

  /** Waits up to {@code timeoutMs} for the node to report no authenticated session. */
  boolean awaitNoPlayers(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      if (metrics().getLong("seed_players", -1L) == 0) {
        return true;
      }
      LoadGenerator.sleepMs(200);
    }
    return false;
  }

  /** The node's seed_* metrics, summed over labels; empty when the node has no known operations port. */
  JsonObject metrics() {
    JsonObject sums = new JsonObject();
    if (node.opsPort <= 0) {
      return sums;
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.opsPort
        + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = SAMPLE.matcher(r.body());
      while (m.find()) {
        if (m.group(1).startsWith("seed_")) {
          sums.put(m.group(1), sums.getLong(m.group(1), 0L) + (long) Double.parseDouble(m.group(3)));
        }
      }
    } catch (IOException e) {
      return sums;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return sums;
  }

  private long redisKeys(List<Player> players) {
    List<Request> checks = new ArrayList<>(players.size() * 4);
    Set<String> maps = new HashSet<>();
    for (Player p : players) {
      checks.add(Request.cmd(Command.EXISTS).arg(RedisKeys.playerHash(p.token())).arg(RedisKeys.sessionOwner(p.id())));
      checks.add(Request.cmd(Command.HEXISTS).arg(RedisKeys.onlineShard(p.token())).arg(p.token()));
      checks.add(Request.cmd(Command.SISMEMBER).arg(RedisKeys.UNSAVED).arg(p.token()));
      if (maps.add(p.map())) {
        checks.add(Request.cmd(Command.EXISTS).arg(RedisKeys.mapGeoSet(p.map())));
      }
    }
    return sum(checks);
  }

  private long subscribed(List<Player> players) {
    List<Request> checks = new ArrayList<>();
    Set<String> maps = new HashSet<>();
    for (Player p : players) {
      Request numsub = Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(RedisKeys.tokenChannel(p.token()))
        .arg(RedisKeys.playerChannel(p.id()));
      if (maps.add(p.map())) {
        numsub.arg(RedisKeys.mapChannel(p.map()));
      }
      checks.add(numsub);
    }
    long channels = 0;
    for (Response r : batch(checks)) {
      // NUMSUB answers channel, count, channel, count, ...
      for (int i = 1; i < r.size(); i += 2) {
        channels += r.get(i).toLong() > 0 ? 1 : 0;
      }
    }
    return channels;
  }

  /** Entries left in the session indexes of the node's incarnations (every run of it listed in Redis). */
  private long nodeSessions() {
    Response all = BenchMain.await(redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.INCARNATIONS)), 10_000);
    List<Request> lengths = new ArrayList<>();
    for (String incarnation : all.getKeys()) {
      if (all.get(incarnation).toString().startsWith(node.nodeId + "|")) {
        lengths.add(Request.cmd(Command.HLEN).arg(RedisKeys.nodeSessions(incarnation)));
      }
    }
    return lengths.isEmpty() ? 0 : sum(lengths);
  }

  private long sum(List<Request> requests) {
    long total = 0;
    for (Response r : batch(requests)) {
      total += r.toLong();
    }
    return total;
  }

  private List<Response> batch(List<Request> requests) {
    List<Response> all = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i += 1_000) {
      all.addAll(BenchMain.await(redis.batch(requests.subList(i, Math.min(requests.size(), i + 1_000))), 30_000));
    }
    return all;
  }

  /** Entries of /proc/PID/fd or /proc/PID/task: open files or threads; -1 when unreadable. */
  static long count(long pid, String dir) {
    if (pid <= 0) {
      return -1;
    }
    try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), dir))) {
      return entries.count();
    } catch (IOException | SecurityException e) {
      return -1;
    }
  }
}
