package io.seedgate.bench;

import io.seedgate.bench.CapacityModel.Budget;
import io.seedgate.bench.CapacityModel.Costs;
import io.seedgate.bench.CapacityModel.Load;
import io.seedgate.bench.CapacityModel.PubSub;
import io.seedgate.bench.CapacityModel.Result;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code capacity}: the capacity model ({@link CapacityModel}, docs/capacity.md) for 100k, 1M and 10M players (or
 * {@code --players}): gateway nodes and Redis masters needed, each one's load, what limits first. The per-operation
 * costs default to the ones measured on the 2-core machine of BENCHMARKS.md (node: roundtrip and fanout; Redis:
 * {@code redis-costs}); every one can be overridden.
 */
@Command(name = "capacity", mixinStandardHelpOptions = true, sortOptions = false,
  description = "Capacity model: gateway nodes and Redis masters for a number of players at an action rate, map "
    + "size and broadcast rate, from the measured per-operation costs (docs/capacity.md). No load is run.")
final class CapacityCommand implements Callable<Integer> {

  @Option(names = "--players", split = ",", description = "Online players, one sizing each (default: "
    + "${DEFAULT-VALUE}).")
  List<Double> players = List.of(100_000d, 1_000_000d, 10_000_000d);

  @Option(names = "--action-rate", description = "Actions per player per second, each answered to its sender "
    + "(default: ${DEFAULT-VALUE}).")
  double actionRate = 2;

  @Option(names = "--map-size", description = "Players per map (default: ${DEFAULT-VALUE}).")
  double mapSize = 100;

  @Option(names = "--broadcast-rate", description = "Broadcasts per map per second, each to all its players "
    + "(default: ${DEFAULT-VALUE}).")
  double broadcastRate = 10;

  @Option(names = "--pubsub", description = "classic, sharded or both (default: ${DEFAULT-VALUE}).")
  String pubsub = "both";

  @Option(names = "--service-subscribers", description = "Subscribers of an action channel (default: "
    + "${DEFAULT-VALUE}).")
  double serviceSubscribers = 1;

  @Option(names = "--service-keyed-ops", description = "Keyed Redis commands a service runs per action, its own "
    + "game state (default: ${DEFAULT-VALUE}; the example service's move: 2).")
  double serviceKeyedOps = 0;

  // ---- budgets
  @Option(names = "--node-cores", description = "Cores per gateway node (default: ${DEFAULT-VALUE}).")
  double nodeCores = 8;

  @Option(names = "--utilisation", description = "Fraction of CPU and memory to plan up to (default: "
    + "${DEFAULT-VALUE}).")
  double utilisation = 0.7;

  @Option(names = "--node-heap-gib", description = "Heap per node (default: ${DEFAULT-VALUE}).")
  double nodeHeapGib = 4;

  @Option(names = "--max-connections", description = "gateway.limits.maxConnections per node (default: "
    + "${DEFAULT-VALUE}).")
  double maxConnections = 100_000;

  @Option(names = "--shard-memory-gib", description = "Memory per Redis master (default: ${DEFAULT-VALUE}).")
  double shardMemoryGib = 16;

  @Option(names = "--replicas", description = "Replicas per Redis master (default: ${DEFAULT-VALUE}).")
  int replicas = 0;

  @Option(names = "--flush-interval", description = "persistence.flushIntervalSeconds (default: ${DEFAULT-VALUE}).")
  double flushInterval = 60;

  @Option(names = "--max-shards", description = "The most Redis masters to consider (default: ${DEFAULT-VALUE}, the "
    + "size Redis Cluster is designed to scale to).")
  int maxShards = 1000;

  // ---- costs (µs of CPU per operation unless stated); defaults: docs/capacity.md, "Measured costs"
  @Option(names = "--cost-node-action", description = "Node CPU per action round trip, µs (default: "
    + "${DEFAULT-VALUE}).")
  double nodeAction = Defaults.NODE_ACTION;

  @Option(names = "--cost-node-delivery", description = "Node CPU per broadcast socket write, µs (default: "
    + "${DEFAULT-VALUE}).")
  double nodeDelivery = Defaults.NODE_DELIVERY;

  @Option(names = "--cost-node-message", description = "Node CPU per broadcast received from Redis, µs (default: "
    + "${DEFAULT-VALUE}).")
  double nodeMessage = Defaults.NODE_MESSAGE;

  @Option(names = "--cost-node-heap-per-connection", description = "Node heap bytes per connection (default: "
    + "${DEFAULT-VALUE}).")
  double nodeHeap = Defaults.NODE_HEAP_PER_CONNECTION;

  @Option(names = "--cost-publish", description = "Redis CPU per PUBLISH, no subscriber, µs (default: "
    + "${DEFAULT-VALUE}).")
  double publish = Defaults.PUBLISH;

  @Option(names = "--cost-delivery", description = "Redis CPU per subscribed delivery, µs (default: "
    + "${DEFAULT-VALUE}).")
  double delivery = Defaults.DELIVERY;

  @Option(names = "--cost-hset", description = "Redis CPU per HSET of an action, µs (default: ${DEFAULT-VALUE}).")
  double hset = Defaults.HSET;

  @Option(names = "--cost-hgetall", description = "Redis CPU per HGETALL of a player hash, µs (default: "
    + "${DEFAULT-VALUE}).")
  double hgetall = Defaults.HGETALL;

  @Option(names = "--cost-keyed-op", description = "Redis CPU per keyed command of a service, µs (default: "
    + "${DEFAULT-VALUE}).")
  double keyedOp = Defaults.KEYED_OP;

  @Option(names = "--cost-read", description = "Redis CPU per read event (one read of a client's socket and the "
    + "write of its replies), µs (default: ${DEFAULT-VALUE}).")
  double read = Defaults.READ;

  @Option(names = "--cost-write", description = "Redis CPU per write event to a subscriber, µs (default: "
    + "${DEFAULT-VALUE}).")
  double write = Defaults.WRITE;

  @Option(names = "--commands-per-read", description = "Commands a master finds per read of a client's socket "
    + "(default: ${DEFAULT-VALUE}: none batched, as when each master hears from hundreds of connections).")
  double commandsPerRead = 1;

  @Option(names = "--deliveries-per-write", description = "Messages per write to a subscriber connection (default: "
    + "${DEFAULT-VALUE}).")
  double deliveriesPerWrite = 1;

  @Option(names = "--cost-bus-send", description = "Redis CPU, per other node, to send a classic PUBLISH over the "
    + "cluster bus, µs (default: ${DEFAULT-VALUE}).")
  double busSend = Defaults.BUS_SEND;

  @Option(names = "--cost-bus-receive", description = "Redis CPU per classic PUBLISH received over the cluster bus, "
    + "µs (default: ${DEFAULT-VALUE}).")
  double busReceive = Defaults.BUS_RECEIVE;

  @Option(names = "--cost-redis-memory-per-player", description = "Redis bytes per online player (default: "
    + "${DEFAULT-VALUE}).")
  double redisMemory = Defaults.REDIS_MEMORY_PER_PLAYER;

  @Option(names = "--cost-flush-loop", description = "The flushing node's event loop per player per flush, µs "
    + "(default: ${DEFAULT-VALUE}).")
  double flushLoop = Defaults.FLUSH_LOOP;

  @Option(names = "--cost-flush-postgres", description = "PostgreSQL CPU per player per flush, µs (default: "
    + "${DEFAULT-VALUE}).")
  double flushPostgres = Defaults.FLUSH_POSTGRES;

  @Option(names = "--json", description = "Write the results as JSON to this file.")
  Path json;

  /** The measured costs (docs/capacity.md, "Measured costs"). */
  static final class Defaults {
    /** Gateway share of a round trip: node CPU in the gateway phase less the floor phase (BENCHMARKS.md run E). */
    static final double NODE_ACTION = 15;
    /** fanout, 1,000 players on a map: node CPU per delivery (BENCHMARKS.md point 5). */
    static final double NODE_DELIVERY = 6.9;
    /**
     * Not measured on its own: a round trip (15 µs) less a socket write (6.9 µs) bounds what receiving one message
     * from Redis costs a loaded node (docs/capacity.md).
     */
    static final double NODE_MESSAGE = 8;
    /** connections: 3.5 KiB per idle authenticated WebSocket. */
    static final double NODE_HEAP_PER_CONNECTION = 3.5 * 1024;
    /**
     * redis-costs (docs/capacity.md): each command's own work, its share of a read event apart; a read event (PING,
     * one per read); a write event to a subscriber; the cluster bus per PUBLISH sent on and received.
     */
    static final double PUBLISH = 0.75;
    static final double DELIVERY = 0.3;
    static final double HSET = 4.2;
    static final double HGETALL = 4.3;
    /** Not measured: an HSET's. */
    static final double KEYED_OP = 4.2;
    static final double READ = 15;
    static final double WRITE = 9;
    static final double BUS_SEND = 2.1;
    static final double BUS_RECEIVE = 3.4;
    static final double REDIS_MEMORY_PER_PLAYER = 657;
    /** FlushBenchmark: busiest event loop 0.26–0.33 s and PostgreSQL 0.51–0.54 s per 100,000 moved players. */
    static final double FLUSH_LOOP = 3.0;
    static final double FLUSH_POSTGRES = 5.2;

    private Defaults() {
    }
  }

  Costs costs() {
    return new Costs(nodeAction, nodeDelivery, nodeMessage, nodeHeap, publish, delivery, hset, hgetall, keyedOp, read,
      write, commandsPerRead, deliveriesPerWrite, busSend, busReceive, redisMemory, flushLoop, flushPostgres);
  }

  Budget budget() {
    return new Budget(nodeCores, utilisation, nodeHeapGib * (1L << 30), maxConnections, shardMemoryGib * (1L << 30),
      replicas, flushInterval, maxShards);
  }

  @Override
  public Integer call() throws Exception {
    Costs c = costs();
    Budget b = budget();
    List<PubSub> modes = switch (pubsub.toLowerCase(Locale.ROOT)) {
      case "classic" -> List.of(PubSub.CLASSIC);
      case "sharded" -> List.of(PubSub.SHARDED);
      case "both" -> List.of(PubSub.CLASSIC, PubSub.SHARDED);
      default -> throw new IllegalArgumentException("--pubsub classic, sharded or both, not " + pubsub);
    };
    System.out.println(String.format(Locale.ROOT, "seed-bench capacity: nodes of %s cores, %s GiB heap, at most %,.0f "
        + "connections; Redis masters of one core (one thread), %s GiB, %d replicas; planned up to %.0f%%",
      fmt(nodeCores), fmt(nodeHeapGib), maxConnections, fmt(shardMemoryGib), replicas, 100 * utilisation));
    System.out.println("costs: " + c);
    JsonArray rows = new JsonArray();
    for (PubSub mode : modes) {
      for (double p : players) {
        Load l = new Load(p, actionRate, mapSize, broadcastRate, serviceSubscribers, serviceKeyedOps);
        Result r = CapacityModel.size(l, c, b, mode);
        System.out.println();
        CapacityModel.describe(l, c, b, mode, r).forEach(System.out::println);
        rows.add(new JsonObject().put("players", p).put("pubsub", mode.name().toLowerCase(Locale.ROOT))
          .put("nodes", r.nodes()).put("node_cores_used", r.nodeCores()).put("shards", r.shards())
          .put("shard_cores_used", r.shardCores()).put("shard_floor_cores", r.shardFloor())
          .put("flush_loop_use", r.flushLoopUse()).put("postgres_cores", r.postgresCores()).put("first", r.first()));
      }
    }
    if (modes.contains(PubSub.CLASSIC)) {
      Load perPlayer = new Load(1, actionRate, mapSize, broadcastRate, serviceSubscribers, serviceKeyedOps);
      double max = CapacityModel.maxPlayers(perPlayer, c, b, PubSub.CLASSIC);
      System.out.printf(Locale.ROOT, "%nclassic Pub/Sub carries at most %,.0f players at this load (on up to %d "
        + "masters)%n", max, maxShards);
    }
    if (json != null) {
      Files.writeString(json, new JsonObject().put("results", rows).encodePrettily(), StandardCharsets.UTF_8);
    }
    return 0;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Double.toString(v);
  }
}
