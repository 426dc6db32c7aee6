package io.seedgate.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code redis-costs}: Redis's own CPU per operation of the gateway's traffic, on redis-server processes this command
 * starts (never the machine's Redis): {@code PUBLISH} with 0, 1, 10 and 100 subscribers, an action's {@code HSET},
 * a flush's {@code HGETALL}; then on Redis Clusters of 1, 2 and 3 masters, what a classic {@code PUBLISH} costs each
 * master (the cluster bus carries it to every node) against a sharded {@code SPUBLISH} (stays on its shard). CPU is
 * redis-server's own ({@code INFO cpu}, user + system, every thread), over a known number of commands, less what the
 * server spends idle over the same time. The costs the {@code capacity} model starts from.
 */
@Command(name = "redis-costs", mixinStandardHelpOptions = true,
  description = "Redis CPU per PUBLISH (0/1/N subscribers), per subscribed delivery, per HSET and HGETALL, and a "
    + "classic PUBLISH against an SPUBLISH on 1-, 2- and 3-master clusters, on redis-servers of its own.")
final class RedisCostsCommand implements Callable<Integer> {

  @Option(names = "--ops", description = "Commands per measurement (default: ${DEFAULT-VALUE}; a tenth of it with "
    + "100 subscribers).")
  long ops = 300_000;

  @Option(names = "--depth", description = "Commands per pipelined batch (default: ${DEFAULT-VALUE}).")
  int depth = 32;

  @Option(names = "--connections", description = "Publishing connections at once (default: ${DEFAULT-VALUE}).")
  int connections = 2;

  @Option(names = "--repeats", description = "Measurements of each case; the median is reported (default: "
    + "${DEFAULT-VALUE}).")
  int repeats = 3;

  @Option(names = "--action-bytes", description = "Size of an action envelope (default: ${DEFAULT-VALUE}).")
  int actionBytes = 230;

  @Option(names = "--delivery-bytes", description = "Size of a delivery (default: ${DEFAULT-VALUE}).")
  int deliveryBytes = 120;

  @Option(names = "--players", description = "Player hashes for HSET and HGETALL (default: ${DEFAULT-VALUE}).")
  int players = 100_000;

  @Option(names = "--skip-cluster", description = "Standalone measurements only.")
  boolean skipCluster;

  @Option(names = "--json", description = "Write the results as JSON to this file.")
  Path json;

  private final JsonObject out = new JsonObject();
  private final Map<String, double[]> results = new LinkedHashMap<>();
  private final Map<String, Double> readsPerOpOf = new LinkedHashMap<>();
  private final Map<String, Double> writesPerOpOf = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    out.put("time", Instant.now().toString()).put("cores", Runtime.getRuntime().availableProcessors())
      .put("ops", ops).put("depth", depth).put("connections", connections).put("repeats", repeats)
      .put("load_average_start", RunInfo.loadAverage());
    System.out.printf(Locale.ROOT, "seed-bench redis-costs at %s: %d cores, load average %s; %d commands per "
        + "measurement, batches of %d on %d connections, median of %d%n", out.getString("time"),
      out.getInteger("cores"), RunInfo.loadAverage(), ops, depth, connections, repeats);
    standalone();
    if (!skipCluster) {
      for (int masters = 1; masters <= 3; masters++) {
        cluster(masters);
      }
    }
    derived();
    out.put("load_average_end", RunInfo.loadAverage());
    if (json != null) {
      Files.writeString(json, out.encodePrettily(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  private void standalone() throws IOException {
    try (LocalRedis redis = LocalRedis.standalone()) {
      int port = redis.masters().get(0).port();
      out.put("redis", LocalRedis.info(port, "INFO", "server").get("redis_version"));
      System.out.println("standalone redis-server " + out.getString("redis") + " on " + port);
      int[] ports = {port};
      double[] idle = idle(ports);
      measure("PING, one per read (the cost of a read event)", ports, idle, List.of(Resp.encode("PING")), ops / 3,
        port, null, null, 0, 0, 1, 4);
      byte[] action = payload(actionBytes);
      byte[] delivery = payload(deliveryBytes);
      measure("PUBLISH action, 0 subscribers", ports, idle, List.of(publish("PUBLISH", "action:move", action)), ops,
        port, "SUBSCRIBE", "action:move", 0, actionBytes);
      measure("PUBLISH action, 1 subscriber", ports, idle, List.of(publish("PUBLISH", "action:move", action)), ops,
        port, "SUBSCRIBE", "action:move", 1, actionBytes);
      measure("PUBLISH delivery, 0 subscribers", ports, idle, List.of(publish("PUBLISH", "map:1", delivery)), ops,
        port, "SUBSCRIBE", "map:1", 0, deliveryBytes);
      measure("PUBLISH delivery, 1 subscriber", ports, idle, List.of(publish("PUBLISH", "map:1", delivery)), ops,
        port, "SUBSCRIBE", "map:1", 1, deliveryBytes);
      measure("PUBLISH delivery, 10 subscribers", ports, idle, List.of(publish("PUBLISH", "map:1", delivery)), ops,
        port, "SUBSCRIBE", "map:1", 10, deliveryBytes);
      measure("PUBLISH delivery, 100 subscribers", ports, idle, List.of(publish("PUBLISH", "map:1", delivery)),
        ops / 10, port, "SUBSCRIBE", "map:1", 100, deliveryBytes);
      measure("PUBLISH delivery, 0 subscribers, one per read", ports, idle,
        List.of(publish("PUBLISH", "map:1", delivery)), ops / 3, port, "SUBSCRIBE", "map:1", 0, deliveryBytes, 1, 4);
      measure("PUBLISH delivery, 1 subscriber, one per read", ports, idle,
        List.of(publish("PUBLISH", "map:1", delivery)), ops / 3, port, "SUBSCRIBE", "map:1", 1, deliveryBytes, 1, 4);
      List<String> tokens = new ArrayList<>(players);
      for (int i = 0; i < players; i++) {
        tokens.add(UUID.nameUUIDFromBytes(("player-" + i).getBytes(StandardCharsets.UTF_8)).toString().toUpperCase());
      }
      List<byte[]> fill = new ArrayList<>(players);
      for (int i = 0; i < players; i++) {
        String t = tokens.get(i);
        fill.add(Resp.encode("HSET", t, "id", Integer.toString(800_000 + i), "map_id", Integer.toString(i % 1000),
          "token", t, "datetime", "2026-12-03 14:00:00", "action", "move/up", "ping", "0.05", "x", "12.5",
          "y", "40.25"));
      }
      long memBefore = Long.parseLong(LocalRedis.info(port, "INFO", "memory").get("used_memory"));
      RedisLoad.send(port, fill, players, 256, 1);
      // and what else an online player keeps in Redis: its session entry, its online entry, its node's session
      // index entry, its place on its map
      List<byte[]> rest = new ArrayList<>(4 * players);
      for (int i = 0; i < players; i++) {
        String t = tokens.get(i);
        String id = Integer.toString(800_000 + i);
        rest.add(Resp.encode("SET", "seed:session:" + id, "gw-1.1f3a9c|gw-1.1f3a9c-" + i + "|" + t));
        rest.add(Resp.encode("HSET", "seed:online:" + (i % 1024), t, id));
        rest.add(Resp.encode("HSET", "seed:node:gw-1.1f3a9c:sessions", id, "gw-1.1f3a9c-" + i + "|" + t + "|"
          + (i % 1000)));
        rest.add(Resp.encode("GEOADD", "map:" + (i % 1000), "12.5", "40.25", t));
      }
      RedisLoad.send(port, rest, rest.size(), 256, 1);
      long memAfter = Long.parseLong(LocalRedis.info(port, "INFO", "memory").get("used_memory"));
      out.put("redis_bytes_per_player", (memAfter - memBefore) / (double) players);
      System.out.printf(Locale.ROOT, "  Redis memory per online player (hash of 10 fields, session, online and node "
        + "entries, map member): %.0f bytes%n", (memAfter - memBefore) / (double) players);
      List<byte[]> hsets = new ArrayList<>(players);
      List<byte[]> reads = new ArrayList<>(players);
      for (int i = 0; i < players; i++) {
        String t = tokens.get(i);
        hsets.add(Resp.encode("HSET", t, "id", Integer.toString(800_000 + i), "token", t, "datetime",
          "2026-12-03 14:00:01", "action", "move/up", "ping", "0.23"));
        reads.add(Resp.encode("HGETALL", t));
      }
      java.util.Collections.shuffle(hsets, new java.util.Random(1));
      java.util.Collections.shuffle(reads, new java.util.Random(2));
      measure("HSET of an action (5 fields, existing hash of 10)", ports, idle, hsets, ops, port, null, null, 0, 0);
      measure("HGETALL of a player hash (10 fields)", ports, idle, reads, ops, port, null, null, 0, 0);
    }
  }

  /** A classic PUBLISH and a sharded SPUBLISH from the first master; subscribers on the first or second. */
  private void cluster(int masters) throws IOException {
    try (LocalRedis redis = LocalRedis.cluster(masters, 0)) {
      List<LocalRedis.Server> ms = redis.masters();
      int[] ports = ms.stream().mapToInt(LocalRedis.Server::port).toArray();
      System.out.println("cluster of " + masters + " masters on " + Arrays.toString(ports)
        + " (columns: each master's CPU, the first receives the commands)");
      double[] idle = idle(ports);
      int a = ports[0];
      byte[] delivery = payload(deliveryBytes);
      String onA = channelOn(redis, ms.get(0));
      String p = masters + " masters: ";
      measure(p + "PUBLISH, 0 subscribers", ports, idle, List.of(publish("PUBLISH", onA, delivery)), ops, a,
        "SUBSCRIBE", onA, 0, deliveryBytes);
      int subPort = ports[ports.length - 1];
      measure(p + "PUBLISH, 1 subscriber on the last master", ports, idle,
        List.of(publish("PUBLISH", onA, delivery)), ops, subPort, "SUBSCRIBE", onA, 1, deliveryBytes);
      measure(p + "SPUBLISH, 0 subscribers", ports, idle, List.of(publish("SPUBLISH", onA, delivery)), ops, a,
        "SSUBSCRIBE", onA, 0, deliveryBytes);
      measure(p + "SPUBLISH, 1 subscriber", ports, idle, List.of(publish("SPUBLISH", onA, delivery)), ops, a,
        "SSUBSCRIBE", onA, 1, deliveryBytes);
    }
  }

  /** A channel name whose slot the given master serves. */
  private static String channelOn(LocalRedis redis, LocalRedis.Server master) {
    for (int i = 0; ; i++) {
      String c = "map:" + i;
      if (redis.masterOfSlot(LocalRedis.slotOf(c)).port() == master.port()) {
        return c;
      }
    }
  }

  private static byte[] publish(String command, String channel, byte[] payload) {
    return Resp.encode(command.getBytes(StandardCharsets.US_ASCII), channel.getBytes(StandardCharsets.UTF_8),
      payload);
  }

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** Each server's idle CPU seconds per second, over 3 s. */
  private static double[] idle(int[] ports) {
    double[] before = cpu(ports);
    long t0 = System.nanoTime();
    sleep(3_000);
    double[] after = cpu(ports);
    double s = (System.nanoTime() - t0) / 1e9;
    double[] rate = new double[ports.length];
    for (int i = 0; i < ports.length; i++) {
      rate[i] = (after[i] - before[i]) / s;
    }
    return rate;
  }

  private static double[] cpu(int[] ports) {
    double[] c = new double[ports.length];
    for (int i = 0; i < ports.length; i++) {
      c[i] = LocalRedis.cpuSeconds(ports[i]);
    }
    return c;
  }

  /**
   * Measures one case {@link #repeats} times after a warm-up of a tenth: per server, µs of CPU per command (median).
   * With {@code subscribers} > 0 that many connections subscribe {@code channel} on {@code subPort}, and a run ends
   * once each has read every message.
   */
  private void measure(String name, int[] ports, double[] idle, List<byte[]> pool, long n, int subPort,
                       String subscribe, String channel, int subscribers, int payloadBytes) throws IOException {
    measure(name, ports, idle, pool, n, subPort, subscribe, channel, subscribers, payloadBytes, depth, connections);
  }

  private void measure(String name, int[] ports, double[] idle, List<byte[]> pool, long n, int subPort,
                       String subscribe, String channel, int subscribers, int payloadBytes, int caseDepth,
                       int caseConnections) throws IOException {
    int target = ports[0];
    List<RedisLoad.Subscriber> subs = new ArrayList<>();
    try {
      for (int i = 0; i < subscribers; i++) {
        subs.add(new RedisLoad.Subscriber(subPort, subscribe, channel));
      }
      long frame = subscribers > 0 ? Resp.messageFrameBytes(subscribe.equals("SSUBSCRIBE") ? "smessage" : "message",
        channel, payloadBytes) : 0;
      run(target, pool, Math.max(1, n / 10), subs, frame, caseDepth, caseConnections);
      double[] readsPerOp = new double[repeats];
      double[] writesPerOp = new double[repeats];
      double[][] perRun = new double[repeats][];
      String[] loads = new String[repeats];
      for (int r = 0; r < repeats; r++) {
        loads[r] = RunInfo.loadAverage();
        long readsBefore = reads(target);
        long writesBefore = writes(subPort);
        double[] before = cpu(ports);
        long t0 = System.nanoTime();
        run(target, pool, n, subs, frame, caseDepth, caseConnections);
        double s = (System.nanoTime() - t0) / 1e9;
        double[] after = cpu(ports);
        readsPerOp[r] = (double) (reads(target) - readsBefore - 2) / n;
        writesPerOp[r] = (double) (writes(subPort) - writesBefore - 2) / n;
        perRun[r] = new double[ports.length];
        for (int i = 0; i < ports.length; i++) {
          perRun[r][i] = Math.max(0, after[i] - before[i] - idle[i] * s) * 1e6 / n;
        }
      }
      double[] median = new double[ports.length];
      JsonArray runs = new JsonArray();
      for (int i = 0; i < ports.length; i++) {
        double[] column = new double[repeats];
        for (int r = 0; r < repeats; r++) {
          column[r] = perRun[r][i];
        }
        double[] sorted = column.clone();
        Arrays.sort(sorted);
        median[i] = sorted[repeats / 2];
      }
      for (int r = 0; r < repeats; r++) {
        runs.add(new JsonObject().put("us_per_op", toJson(perRun[r])).put("load_average", loads[r]));
      }
      double[] sortedReads = readsPerOp.clone();
      Arrays.sort(sortedReads);
      double reads = sortedReads[repeats / 2];
      double[] sortedWrites = writesPerOp.clone();
      Arrays.sort(sortedWrites);
      double writes = sortedWrites[repeats / 2];
      results.put(name, median);
      readsPerOpOf.put(name, reads);
      writesPerOpOf.put(name, writes);
      out.put(name, new JsonObject().put("us_per_op_median", toJson(median)).put("reads_per_op", r(reads)).put("writes_per_op", r(writes))
        .put("depth", caseDepth).put("connections", caseConnections).put("runs", runs));
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-58s", name));
      for (double m : median) {
        line.append(String.format(Locale.ROOT, " %7.2f", m));
      }
      line.append(" µs  (runs:");
      for (double[] run : perRun) {
        line.append(String.format(Locale.ROOT, " %.2f", Arrays.stream(run).sum()));
      }
      line.append("; ").append(String.format(Locale.ROOT, "%.3f reads, %.3f writes", reads, writes))
        .append(" per op; load ")
        .append(loads[0]).append(")");
      System.out.println(line);
    } finally {
      for (RedisLoad.Subscriber s : subs) {
        s.close();
      }
    }
  }

  /** Read events of a server so far (INFO stats total_reads_processed): one per read of a client's socket. */
  private static long reads(int port) {
    try {
      return Long.parseLong(LocalRedis.info(port, "INFO", "stats").get("total_reads_processed"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Write events of a server so far (INFO stats total_writes_processed). */
  private static long writes(int port) {
    try {
      return Long.parseLong(LocalRedis.info(port, "INFO", "stats").get("total_writes_processed"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void run(int port, List<byte[]> pool, long n, List<RedisLoad.Subscriber> subs, long frame, int caseDepth,
                   int caseConnections) {
    long[] start = subs.stream().mapToLong(RedisLoad.Subscriber::bytes).toArray();
    RedisLoad.send(port, pool, n, caseDepth, caseConnections);
    for (int i = 0; i < subs.size(); i++) {
      subs.get(i).await(start[i] + frame * n, 120_000);
    }
  }

  private static JsonArray toJson(double[] v) {
    JsonArray a = new JsonArray();
    for (double d : v) {
      a.add(Math.round(d * 1000) / 1000.0);
    }
    return a;
  }

  private double sum(String name) {
    double[] v = results.get(name);
    return v == null ? Double.NaN : Arrays.stream(v).sum();
  }

  private double at(String name, int i) {
    double[] v = results.get(name);
    return v == null || i >= v.length ? Double.NaN : v[i];
  }

  /** The figures the capacity model takes, from the cases above. */
  private void derived() {
    double pub0 = at("PUBLISH delivery, 0 subscribers", 0);
    double perDelivery1 = at("PUBLISH delivery, 1 subscriber", 0) - pub0;
    double perDelivery10 = (at("PUBLISH delivery, 10 subscribers", 0) - pub0) / 10;
    double perDelivery100 = (at("PUBLISH delivery, 100 subscribers", 0) - pub0) / 100;
    JsonObject d = new JsonObject()
      .put("publish_us", r(pub0))
      .put("publish_action_us", r(at("PUBLISH action, 0 subscribers", 0)))
      .put("delivery_us_1_subscriber", r(perDelivery1))
      .put("delivery_us_10_subscribers", r(perDelivery10))
      .put("delivery_us_100_subscribers", r(perDelivery100))
      .put("hset_action_us", r(at("HSET of an action (5 fields, existing hash of 10)", 0)))
      .put("hgetall_player_us", r(at("HGETALL of a player hash (10 fields)", 0)));
    if (!skipCluster) {
      double c1 = at("1 masters: PUBLISH, 0 subscribers", 0);
      double c2a = at("2 masters: PUBLISH, 0 subscribers", 0);
      double c2b = at("2 masters: PUBLISH, 0 subscribers", 1);
      double c3a = at("3 masters: PUBLISH, 0 subscribers", 0);
      double c3b = (at("3 masters: PUBLISH, 0 subscribers", 1) + at("3 masters: PUBLISH, 0 subscribers", 2)) / 2;
      d.put("cluster_publish_us_1_master", r(c1))
        .put("cluster_bus_send_us_per_peer_2_masters", r(c2a - c1))
        .put("cluster_bus_send_us_per_peer_3_masters", r((c3a - c1) / 2))
        .put("cluster_bus_receive_us_2_masters", r(c2b))
        .put("cluster_bus_receive_us_3_masters", r(c3b))
        .put("cluster_spublish_us_3_masters_own_shard", r(at("3 masters: SPUBLISH, 0 subscribers", 0)))
        .put("cluster_spublish_us_3_masters_other_shards",
          r((at("3 masters: SPUBLISH, 0 subscribers", 1) + at("3 masters: SPUBLISH, 0 subscribers", 2)) / 2))
        .put("cluster_publish_us_3_masters_total", r(sum("3 masters: PUBLISH, 0 subscribers")))
        .put("cluster_spublish_us_3_masters_total", r(sum("3 masters: SPUBLISH, 0 subscribers")));
    }
    double read = at("PING, one per read (the cost of a read event)", 0)
      / readsPerOpOf.getOrDefault("PING, one per read (the cost of a read event)", 1.0);
    d.put("read_event_us", r(read));
    // a delivery = its own work + its share of a write event to the subscriber: from one per write (publishes one
    // per read) and from many per write (100 subscribers of batched publishes)
    String one0 = "PUBLISH delivery, 0 subscribers, one per read";
    String one1 = "PUBLISH delivery, 1 subscriber, one per read";
    String many = "PUBLISH delivery, 100 subscribers";
    String none = "PUBLISH delivery, 0 subscribers";
    if (results.containsKey(one1) && results.containsKey(many)) {
      double x1 = at(one1, 0) - at(one0, 0);
      double w1 = writesPerOpOf.get(one1) - writesPerOpOf.get(one0);
      double x2 = (at(many, 0) - at(none, 0)) / 100;
      double w2 = (writesPerOpOf.get(many) - writesPerOpOf.get(none)) / 100;
      double write = (x1 - x2) / (w1 - w2);
      d.put("write_event_us", r(write)).put("delivery_us_without_its_share_of_the_write", r(x2 - write * w2))
        .put("writes_per_delivery_one_per_read", r(w1)).put("writes_per_delivery_100_subscribers", r(w2));
    }
    for (String name : List.of("PUBLISH delivery, 0 subscribers", "PUBLISH action, 0 subscribers",
      "HSET of an action (5 fields, existing hash of 10)", "HGETALL of a player hash (10 fields)")) {
      if (results.containsKey(name)) {
        d.put(name + ", without its share of the read", r(at(name, 0) - read * readsPerOpOf.get(name)));
      }
    }
    out.put("derived", d);
    System.out.println("derived (µs of Redis CPU):");
    d.forEach(e -> System.out.printf(Locale.ROOT, "  %-48s %s%n", e.getKey(), e.getValue()));
  }

  private static double r(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
