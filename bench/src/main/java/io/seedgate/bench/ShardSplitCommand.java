package io.seedgate.bench;

import io.seedgate.bench.CapacityModel.Costs;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.common.redis.RedisTopology;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code shard-split}: one real run of the gateway's Redis traffic against Redis Clusters of 1, 2 and 3 masters this
 * command starts, each master's own CPU measured and set against what the capacity model predicts from the measured
 * per-operation costs ({@link CapacityModel#masterSeconds}).
 *
 * <p>The traffic, through the gateway's own Redis code ({@link RedisTopology} in cluster mode, {@link RedisLink},
 * whose batches {@code SlotBatches} splits by hash slot): actions, each an {@code HSET} of a player's hash (one of
 * {@code --players}, at random) and a {@code PUBLISH} of a 230-byte envelope on {@code action:move}, in batches of
 * {@code --batch} actions over {@code --links} connections; for each action the service's reply, a 120-byte
 * {@code PUBLISH} on {@code token:<T>}, over a connection of its own; and every {@code --broadcast-every} actions a
 * map broadcast on {@code map:<id>}. Subscribers: the service on the action channel, and {@code --gateways} gateway
 * connections, each for its share of the players' tokens and for every map (a broadcast reaches every gateway). With
 * classic Pub/Sub every subscriber is on the first master, as {@code RedisLink.subscriber} connects to the first seed;
 * with {@code --pubsub sharded} they use {@code SSUBSCRIBE} on each channel's master and the messages go out as
 * {@code SPUBLISH} (the action channel split into {@code action:move:<n>}, 64 of them). Sharded Pub/Sub is not
 * what the gateway does today: it is here to show what it would change.
 */
@picocli.CommandLine.Command(name = "shard-split", mixinStandardHelpOptions = true, sortOptions = false,
  description = "The gateway's Redis traffic (actions HSET + PUBLISH, replies, map broadcasts) against 1-, 2- and "
    + "3-master Redis Clusters of its own: each master's CPU, measured against the capacity model's prediction.")
final class ShardSplitCommand implements Callable<Integer> {

  @Option(names = "--masters", split = ",", description = "Cluster sizes, one run each (default: ${DEFAULT-VALUE}).")
  List<Integer> masters = List.of(1, 2, 3);

  @Option(names = "--pubsub", description = "classic, sharded or both (default: ${DEFAULT-VALUE}).")
  String pubsub = "classic";

  @Option(names = "--actions", description = "Actions per run (default: ${DEFAULT-VALUE}).")
  int actions = 200_000;

  @Option(names = "--players", description = "Player hashes the actions write (default: ${DEFAULT-VALUE}).")
  int players = 20_000;

  @Option(names = "--maps", description = "Maps (default: ${DEFAULT-VALUE}).")
  int maps = 200;

  @Option(names = "--broadcast-every", description = "One map broadcast every this many actions (default: "
    + "${DEFAULT-VALUE}).")
  int broadcastEvery = 10;

  @Option(names = "--gateways", description = "Gateway subscriber connections (default: ${DEFAULT-VALUE}).")
  int gateways = 2;

  @Option(names = "--batch", description = "Actions per batch (default: ${DEFAULT-VALUE}).")
  int batch = 32;

  @Option(names = "--links", description = "Action connections, each with 2 batches in flight (default: "
    + "${DEFAULT-VALUE}).")
  int links = 2;

  @Option(names = "--rounds", description = "Times to run the whole list of cluster sizes, one after the other "
    + "(default: ${DEFAULT-VALUE}).")
  int rounds = 1;

  @Mixin
  CostOptions costOptions = new CostOptions();

  @Option(names = "--json", description = "Write the results as JSON to this file.")
  Path json;

  private static final int ACTION_CHANNELS = 64;
  private static final int ACTION_BYTES = 230;
  private static final int DELIVERY_BYTES = 120;

  /** The per-operation costs the prediction uses (defaults: the measured ones of {@code capacity}). */
  static final class CostOptions {
    @Option(names = "--cost-publish", description = "Redis µs per PUBLISH (default: ${DEFAULT-VALUE}).")
    double publish = CapacityCommand.Defaults.PUBLISH;
    @Option(names = "--cost-delivery", description = "Redis µs per subscribed delivery (default: ${DEFAULT-VALUE}).")
    double delivery = CapacityCommand.Defaults.DELIVERY;
    @Option(names = "--cost-hset", description = "Redis µs per HSET (default: ${DEFAULT-VALUE}).")
    double hset = CapacityCommand.Defaults.HSET;
    @Option(names = "--cost-read", description = "Redis µs per read event (default: ${DEFAULT-VALUE}).")
    double read = CapacityCommand.Defaults.READ;
    @Option(names = "--cost-write", description = "Redis µs per write event to a subscriber (default: "
      + "${DEFAULT-VALUE}).")
    double write = CapacityCommand.Defaults.WRITE;
    @Option(names = "--cost-bus-send", description = "Redis µs per other master a PUBLISH is sent to (default: "
      + "${DEFAULT-VALUE}).")
    double busSend = CapacityCommand.Defaults.BUS_SEND;
    @Option(names = "--cost-bus-receive", description = "Redis µs per PUBLISH received over the bus (default: "
      + "${DEFAULT-VALUE}).")
    double busReceive = CapacityCommand.Defaults.BUS_RECEIVE;

    Costs costs() {
      return new Costs(0, 0, 0, 0, publish, delivery, hset, 0, 0, read, write, 1, 1, busSend, busReceive, 0, 0, 0);
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Boolean> modes = switch (pubsub.toLowerCase(Locale.ROOT)) {
      case "classic" -> List.of(false);
      case "sharded" -> List.of(true);
      case "both" -> List.of(false, true);
      default -> throw new IllegalArgumentException("--pubsub classic, sharded or both, not " + pubsub);
    };
    Costs costs = costOptions.costs();
    System.out.printf(Locale.ROOT, "seed-bench shard-split at %s: %d cores, load average %s; %,d actions (HSET + "
        + "PUBLISH, batches of %d on %d links), %,d replies, %,d map broadcasts to %d gateways; %,d players, %d maps%n",
      Instant.now(), Runtime.getRuntime().availableProcessors(), RunInfo.loadAverage(), actions, batch, links, actions,
      actions / broadcastEvery, gateways, players, maps);
    System.out.println("costs (µs): publish " + costs.publish() + ", delivery " + costs.delivery() + ", hset "
      + costs.hset() + ", read event " + costs.read() + ", write event " + costs.write() + ", bus send "
      + costs.busSend() + ", bus receive " + costs.busReceive());
    JsonArray runs = new JsonArray();
    Vertx vertx = Vertx.vertx();
    try {
      for (int round = 1; round <= rounds; round++) {
        for (boolean sharded : modes) {
          for (int m : masters) {
            runs.add(run(vertx, m, sharded, costs).put("round", round));
          }
        }
      }
    } finally {
      BenchMain.await(vertx.close(), 10_000);
    }
    if (json != null) {
      Files.writeString(json, new JsonObject().put("runs", runs).encodePrettily(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  private JsonObject run(Vertx vertx, int masterCount, boolean sharded, Costs costs) throws Exception {
    try (LocalRedis redis = LocalRedis.cluster(masterCount, 0)) {
      List<LocalRedis.Server> ms = redis.masters();
      int[] ports = ms.stream().mapToInt(LocalRedis.Server::port).toArray();
      List<String> seeds = Arrays.stream(ports).mapToObj(p -> "redis://127.0.0.1:" + p).toList();
      RedisTopology topology = RedisTopology.of("cluster", null, seeds, null);
      List<String> tokens = new ArrayList<>(players);
      for (int i = 0; i < players; i++) {
        tokens.add(UUID.nameUUIDFromBytes(("split-" + i).getBytes(StandardCharsets.UTF_8)).toString().toUpperCase());
      }
      Context ctx = vertx.getOrCreateContext();
      List<RedisLink> actionLinks = new ArrayList<>();
      for (int i = 0; i < links; i++) {
        actionLinks.add(onContext(ctx, () -> RedisLink.connect(vertx, topology, "actions")));
      }
      RedisLink service = onContext(ctx, () -> RedisLink.connect(vertx, topology, "service"));
      // the players' hashes exist, as after their logins
      List<Request> fill = new ArrayList<>();
      for (int i = 0; i < players; i++) {
        String t = tokens.get(i);
        fill.add(Request.cmd(Command.HSET).arg(t).arg("id").arg(800_000 + i).arg("map_id").arg(i % maps)
          .arg("token").arg(t).arg("datetime").arg("2026-12-03 14:00:00").arg("action").arg("api/load"));
        if (fill.size() == 500 || i == players - 1) {
          List<Request> part = fill;
          onContext(ctx, () -> actionLinks.get(0).batch(part));
          fill = new ArrayList<>();
        }
      }

      // subscribers, and the deliveries each master will make
      long[] deliveriesPerMaster = new long[masterCount];
      List<RedisLoad.Subscriber> subs = new ArrayList<>();
      List<Long> expected = new ArrayList<>();
      Random random = new Random(18);
      int[] playerOf = new int[actions];
      for (int i = 0; i < actions; i++) {
        playerOf[i] = random.nextInt(players);
      }
      long broadcasts = actions / broadcastEvery;
      try {
        // warm-up before anyone subscribes: the JIT of this JVM, the connections
        drive(ctx, actionLinks, service, tokens, Arrays.copyOf(playerOf, Math.max(batch, actions / 4)), sharded);
        subscribe(redis, sharded, tokens, playerOf, broadcasts, subs, expected, deliveriesPerMaster);
        double[] idle = idle(ports);
        Map<Integer, Map<String, Long>> statsBefore = commandStats(ports);
        long[] busBefore = busPublishes(ports);
        long[] ioBefore = io(ports);
        double[] before = cpu(ports);
        long t0 = System.nanoTime();
        drive(ctx, actionLinks, service, tokens, playerOf, sharded);
        for (int i = 0; i < subs.size(); i++) {
          subs.get(i).await(expected.get(i), 300_000);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] after = cpu(ports);
        long[] busAfter = busPublishes(ports);
        long[] ioAfter = io(ports);
        Map<Integer, Map<String, Long>> statsAfter = commandStats(ports);

        long allPublishes = 0;
        long[] hsets = new long[masterCount];
        long[] publishes = new long[masterCount];
        long[] spublishes = new long[masterCount];
        for (int i = 0; i < masterCount; i++) {
          hsets[i] = delta(statsBefore, statsAfter, ports[i], "hset");
          publishes[i] = delta(statsBefore, statsAfter, ports[i], "publish");
          spublishes[i] = delta(statsBefore, statsAfter, ports[i], "spublish");
          allPublishes += publishes[i];
        }
        double measuredTotal = 0;
        double predictedTotal = 0;
        JsonArray perMaster = new JsonArray();
        System.out.printf(Locale.ROOT, "%n%d master%s, %s Pub/Sub: %.1f s, load average %s%n", masterCount,
          masterCount == 1 ? "" : "s", sharded ? "sharded" : "classic", seconds, RunInfo.loadAverage());
        System.out.printf(Locale.ROOT, "  %-7s %9s %9s %9s %10s %11s %13s %13s %9s %9s%n", "master", "HSET", "PUBLISH",
          "SPUBLISH", "delivered", "bus in/out", "measured s", "predicted s", "meas/pred", "cmds/read");
        for (int i = 0; i < masterCount; i++) {
          double measured = Math.max(0, after[i] - before[i] - idle[i] * seconds);
          long reads = ioAfter[2 * i] - ioBefore[2 * i];
          long writes = ioAfter[2 * i + 1] - ioBefore[2 * i + 1];
          // a read event's replies are written in the same event; the other writes are to subscribers
          long subscriberWrites = Math.max(0, writes - reads);
          double predicted = CapacityModel.masterSeconds(costs, hsets[i], publishes[i], allPublishes, spublishes[i],
            deliveriesPerMaster[i], masterCount, reads, subscriberWrites);
          measuredTotal += measured;
          predictedTotal += predicted;
          long busIn = busAfter[2 * i] - busBefore[2 * i];
          long busOut = busAfter[2 * i + 1] - busBefore[2 * i + 1];
          double perRead = reads == 0 ? 0 : (double) (hsets[i] + publishes[i] + spublishes[i]) / reads;
          System.out.printf(Locale.ROOT, "  %-7d %,9d %,9d %,9d %,10d %5d/%-5d %13.3f %13.3f %9.2f %9.1f%n", i,
            hsets[i], publishes[i], spublishes[i], deliveriesPerMaster[i], busIn / 1000, busOut / 1000, measured,
            predicted, measured / predicted, perRead);
          perMaster.add(new JsonObject().put("port", ports[i]).put("hset", hsets[i]).put("publish", publishes[i])
            .put("spublish", spublishes[i]).put("deliveries", deliveriesPerMaster[i]).put("bus_publish_in", busIn)
            .put("bus_publish_out", busOut).put("reads", reads).put("writes", writes).put("measured_s", measured)
            .put("predicted_s", predicted));
        }
        System.out.printf(Locale.ROOT, "  %-7s %9s %9s %9s %10s %11s %13.3f %13.3f %9.2f   (bus in/out: thousands of "
          + "PUBLISH messages)%n", "all", "", "", "", "", "", measuredTotal, predictedTotal,
          measuredTotal / predictedTotal);
        return new JsonObject().put("masters", masterCount).put("pubsub", sharded ? "sharded" : "classic")
          .put("seconds", seconds).put("load_average", RunInfo.loadAverage()).put("per_master", perMaster)
          .put("measured_s", measuredTotal).put("predicted_s", predictedTotal);
      } finally {
        for (RedisLoad.Subscriber s : subs) {
          s.close();
        }
        for (RedisLink l : actionLinks) {
          onContext(ctx, l::close);
        }
        onContext(ctx, service::close);
      }
    }
  }

  /**
   * Opens the subscribers and notes how many bytes each is to receive and how many deliveries each master makes.
   * Classic: all on the first master. Sharded: on each channel's master.
   */
  private void subscribe(LocalRedis redis, boolean sharded, List<String> tokens, int[] playerOf, long broadcasts,
                         List<RedisLoad.Subscriber> subs, List<Long> expected, long[] deliveriesPerMaster)
    throws IOException {
    List<LocalRedis.Server> ms = redis.masters();
    int first = ms.get(0).port();
    long[] repliesToPlayer = new long[players];
    for (int p : playerOf) {
      repliesToPlayer[p]++;
    }
    if (!sharded) {
      RedisLoad.Subscriber svc = new RedisLoad.Subscriber(first, "SUBSCRIBE", "action:move");
      subs.add(svc);
      expected.add((long) Resp.messageFrameBytes("message", "action:move", ACTION_BYTES) * actions);
      deliveriesPerMaster[0] += actions;
      for (int g = 0; g < gateways; g++) {
        List<String> channels = new ArrayList<>();
        long bytes = 0;
        for (int p = g; p < players; p += gateways) {
          channels.add("token:" + tokens.get(p));
          bytes += repliesToPlayer[p] * Resp.messageFrameBytes("message", "token:" + tokens.get(p), DELIVERY_BYTES);
          deliveriesPerMaster[0] += repliesToPlayer[p];
        }
        for (int m = 0; m < maps; m++) {
          channels.add("map:" + m);
        }
        bytes += mapBytes(broadcasts, "message");
        deliveriesPerMaster[0] += broadcasts;
        subs.add(subscriber(first, "SUBSCRIBE", channels));
        expected.add(bytes);
      }
      return;
    }
    // sharded: one connection per (subscriber, master), each for the channels that master serves
    // actions spread over the channels by player: player p on action:move:<p mod 64>
    long[] actionsOnChannel = new long[ACTION_CHANNELS];
    for (int p : playerOf) {
      actionsOnChannel[p % ACTION_CHANNELS]++;
    }
    for (int mi = 0; mi < ms.size(); mi++) {
      int port = ms.get(mi).port();
      List<String> svcChannels = new ArrayList<>();
      long svcBytes = 0;
      for (int n = 0; n < ACTION_CHANNELS; n++) {
        String c = "action:move:" + n;
        if (masterIndex(redis, c) == mi) {
          svcChannels.add(c);
          svcBytes += actionsOnChannel[n] * Resp.messageFrameBytes("smessage", c, ACTION_BYTES);
          deliveriesPerMaster[mi] += actionsOnChannel[n];
        }
      }
      if (!svcChannels.isEmpty()) {
        subs.add(subscriber(port, "SSUBSCRIBE", svcChannels));
        expected.add(svcBytes);
      }
      for (int g = 0; g < gateways; g++) {
        List<String> channels = new ArrayList<>();
        long bytes = 0;
        for (int p = g; p < players; p += gateways) {
          String c = "token:" + tokens.get(p);
          if (masterIndex(redis, c) == mi) {
            channels.add(c);
            bytes += repliesToPlayer[p] * Resp.messageFrameBytes("smessage", c, DELIVERY_BYTES);
            deliveriesPerMaster[mi] += repliesToPlayer[p];
          }
        }
        for (int m = 0; m < maps; m++) {
          String c = "map:" + m;
          if (masterIndex(redis, c) == mi) {
            channels.add(c);
            long n = broadcastsOn(m, broadcasts);
            bytes += n * Resp.messageFrameBytes("smessage", c, DELIVERY_BYTES);
            deliveriesPerMaster[mi] += n;
          }
        }
        if (!channels.isEmpty()) {
          subs.add(subscriber(port, "SSUBSCRIBE", channels));
          expected.add(bytes);
        }
      }
    }
  }

  private static int masterIndex(LocalRedis redis, String channel) {
    return redis.masters().indexOf(redis.masterOfSlot(LocalRedis.slotOf(channel)));
  }

  /** Broadcast i goes to map i mod maps. */
  private long broadcastsOn(int map, long broadcasts) {
    return broadcasts / maps + (map < broadcasts % maps ? 1 : 0);
  }

  private long mapBytes(long broadcasts, String kind) {
    long bytes = 0;
    for (int m = 0; m < maps; m++) {
      bytes += broadcastsOn(m, broadcasts) * Resp.messageFrameBytes(kind, "map:" + m, DELIVERY_BYTES);
    }
    return bytes;
  }

  /** A subscriber of many channels: subscribed in chunks, every confirmation read before the reader starts. */
  private static RedisLoad.Subscriber subscriber(int port, String command, List<String> channels) throws IOException {
    return new RedisLoad.Subscriber(port, command, channels);
  }

  /** Sends every action (HSET + PUBLISH), reply and broadcast; returns when Redis answered them all. */
  private void drive(Context ctx, List<RedisLink> actionLinks, RedisLink service, List<String> tokens, int[] playerOf,
                     boolean sharded) {
    byte[] envelope = payload(ACTION_BYTES);
    byte[] delivery = payload(DELIVERY_BYTES);
    Command pub = sharded ? Command.SPUBLISH : Command.PUBLISH;
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] next = {0};
    int[] inFlight = {0};
    long[] broadcast = {0};
    ctx.runOnContext(v -> {
      Runnable[] step = new Runnable[1];
      step[0] = () -> {
        if (done.isDone()) {
          return;
        }
        if (next[0] >= playerOf.length) {
          if (inFlight[0] == 0) {
            done.complete(null);
          }
          return;
        }
        int from = next[0];
        int to = Math.min(playerOf.length, from + batch);
        next[0] = to;
        List<Request> acts = new ArrayList<>(2 * (to - from));
        List<Request> replies = new ArrayList<>(to - from + 4);
        for (int i = from; i < to; i++) {
          int p = playerOf[i];
          String t = tokens.get(p);
          acts.add(Request.cmd(Command.HSET).arg(t).arg("id").arg(800_000 + p).arg("token").arg(t)
            .arg("datetime").arg("2026-12-03 14:00:01").arg("action").arg("move/up").arg("ping").arg("0.23"));
          acts.add(Request.cmd(pub).arg(sharded ? "action:move:" + (p % ACTION_CHANNELS) : "action:move")
            .arg(envelope));
          replies.add(Request.cmd(pub).arg("token:" + t).arg(delivery));
          if ((i + 1) % broadcastEvery == 0) {
            replies.add(Request.cmd(pub).arg("map:" + (broadcast[0]++ % maps)).arg(delivery));
          }
        }
        RedisLink link = actionLinks.get((from / batch) % actionLinks.size());
        inFlight[0]++;
        Future.all(link.batch(acts), service.batch(replies)).onComplete(ar -> {
          inFlight[0]--;
          if (ar.failed()) {
            done.completeExceptionally(ar.cause());
            return;
          }
          step[0].run();
        });
      };
      for (int w = 0; w < 2 * actionLinks.size(); w++) {
        step[0].run();
      }
    });
    try {
      done.get(600, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the load did not complete: " + e, e);
    }
  }

  private static <T> T onContext(Context ctx, java.util.function.Supplier<Future<T>> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        f.complete(ar.result());
      } else {
        f.completeExceptionally(ar.cause());
      }
    }));
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] payload(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  private static double[] idle(int[] ports) {
    double[] before = cpu(ports);
    long t0 = System.nanoTime();
    try {
      Thread.sleep(3_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** cluster_stats_messages_publish_received and _sent of each master, in pairs. */
  private static long[] busPublishes(int[] ports) throws IOException {
    long[] v = new long[2 * ports.length];
    for (int i = 0; i < ports.length; i++) {
      Map<String, String> info = LocalRedis.info(ports[i], "CLUSTER", "INFO");
      v[2 * i] = Long.parseLong(info.getOrDefault("cluster_stats_messages_publish_received", "0"));
      v[2 * i + 1] = Long.parseLong(info.getOrDefault("cluster_stats_messages_publish_sent", "0"));
    }
    return v;
  }

  /** total_reads_processed and total_writes_processed of each master (read and write events), in pairs. */
  private static long[] io(int[] ports) throws IOException {
    long[] v = new long[2 * ports.length];
    for (int i = 0; i < ports.length; i++) {
      Map<String, String> info = LocalRedis.info(ports[i], "INFO", "stats");
      v[2 * i] = Long.parseLong(info.get("total_reads_processed"));
      v[2 * i + 1] = Long.parseLong(info.get("total_writes_processed"));
    }
    return v;
  }

  /** calls of each command per master, from INFO commandstats. */
  private static Map<Integer, Map<String, Long>> commandStats(int[] ports) throws IOException {
    Map<Integer, Map<String, Long>> all = new java.util.HashMap<>();
    for (int port : ports) {
      Map<String, Long> calls = new java.util.HashMap<>();
      for (Map.Entry<String, String> e : LocalRedis.info(port, "INFO", "commandstats").entrySet()) {
        if (e.getKey().startsWith("cmdstat_")) {
          String v = e.getValue();
          int at = v.indexOf("calls=");
          int end = v.indexOf(',', at);
          calls.put(e.getKey().substring(8), Long.parseLong(v.substring(at + 6, end)));
        }
      }
      all.put(port, calls);
    }
    return all;
  }

  private static long delta(Map<Integer, Map<String, Long>> before, Map<Integer, Map<String, Long>> after, int port,
                            String command) {
    return after.get(port).getOrDefault(command, 0L) - before.get(port).getOrDefault(command, 0L);
  }
}
