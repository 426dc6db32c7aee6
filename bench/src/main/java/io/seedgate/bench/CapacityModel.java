package io.seedgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The capacity model of docs/capacity.md: from a load (players, their action rate, map size, map broadcasts) and the
 * measured cost of each operation, the gateway nodes and Redis shards needed, each one's load, and what limits
 * first. Pure arithmetic, no I/O; {@code capacity} prints it and {@code shard-split} checks its per-shard part
 * against a real cluster.
 *
 * <p>Per second, with P players, a actions per player, maps of m players, b broadcasts per map:
 * <ul>
 *   <li>actions A = P·a, each a round trip: the gateway's {@code HSET} and {@code PUBLISH action:<model>} (to the
 *   service's subscribers), the service's reply {@code PUBLISH token:<T>} (to the one node holding the player);</li>
 *   <li>map broadcasts B = (P/m)·b, each {@code PUBLISH map:<id>} received by every node holding one of the map's
 *   players (k(N) of N nodes, players placed at random: N·(1 − (1 − 1/N)^m)) and written to m sockets;</li>
 *   <li>node CPU = A·action + P·b·delivery + B·k(N)·message (a broadcast received once per node, then fanned out);</li>
 *   <li>Redis: publishes Q = 2A + B; subscribed deliveries D = A·(service subscribers) + A + B·k(N); keyed work
 *   A·hset + A·(service's keyed commands) + P/interval·hgetall (the flush's reads);</li>
 *   <li>classic Pub/Sub on S masters: keyed work and each PUBLISH's own cost split 1/S (a PUBLISH goes with its
 *   HSET, or to any master), deliveries split 1/S (subscribers spread over the masters), but every master also
 *   receives every other master's PUBLISH over the cluster bus, and the one it came to sends it to every other
 *   node (replicas included): per master Q·(S−1)/S·busReceive + Q/S·(S(1+R) − 1)·busSend. That part does not fall
 *   with S; it tends to Q·(busReceive + (1+R)·busSend);</li>
 *   <li>sharded Pub/Sub ({@code SPUBLISH}/{@code SSUBSCRIBE}): a message stays on its channel's shard (and its R
 *   replicas): everything splits 1/S, given channels spread over the slots.</li>
 * </ul>
 * A Redis master's budget is one core (commands run on one thread) times the utilisation; a node's its cores times
 * the utilisation.
 */
final class CapacityModel {

  private CapacityModel() {
  }

  enum PubSub { CLASSIC, SHARDED }

  /**
   * What the players do.
   *
   * @param players            online players
   * @param actionsPerPlayer   actions per player per second (each answered to its sender)
   * @param mapSize            players per map
   * @param broadcastsPerMap   map broadcasts per map per second (each to every player of the map)
   * @param serviceSubscribers subscribers of an action channel (service instances that each receive every action)
   * @param serviceKeyedOps    keyed Redis commands a service runs per action (e.g. the example's GEOPOS + GEOADD: 2)
   */
  record Load(double players, double actionsPerPlayer, double mapSize, double broadcastsPerMap,
              double serviceSubscribers, double serviceKeyedOps) {

    double actions() {
      return players * actionsPerPlayer;
    }

    double maps() {
      return players / mapSize;
    }

    double mapBroadcasts() {
      return maps() * broadcastsPerMap;
    }

    /** Writes to client sockets of map broadcasts per second (the replies are in the round trips). */
    double socketDeliveries() {
      return players * broadcastsPerMap;
    }
  }

  /**
   * CPU microseconds per operation and bytes per player.
   *
   * @param nodeAction      a gateway node per action round trip (frame in, HSET + PUBLISH out, the reply in and
   *                        written to its socket)
   * @param nodeDelivery    a gateway node per socket write of a broadcast
   * @param nodeMessage     a gateway node per broadcast received from Redis (before writing it to each socket)
   * @param nodeHeapPerConnection heap bytes per connection on a node
   * @param publish         Redis per PUBLISH/SPUBLISH, no subscriber, its share of a read event apart
   * @param delivery        Redis per subscribed delivery (one message to one subscriber connection), its share of
   *                        a write event apart
   * @param hset            Redis per HSET of an action, its share of a read event apart
   * @param hgetall         Redis per HGETALL of a player hash (a flush's read), its share of a read event apart
   * @param keyedOp         Redis per keyed command of a service, its share of a read event apart
   * @param read            Redis per read event: one read of a client's socket, however many commands it brings,
   *                        and the write of their replies (PING, one per read)
   * @param write           Redis per write event to a subscriber, however many messages it carries
   * @param commandsPerRead commands a master finds per read of a client's socket (the clients' pipelining)
   * @param deliveriesPerWrite messages per write to a subscriber connection
   * @param busSend         Redis, the master a classic PUBLISH came to, per other node it sends it to
   * @param busReceive      Redis, every other master, per classic PUBLISH received over the cluster bus
   * @param redisMemoryPerPlayer Redis bytes per online player (hash, session, online entry, map member)
   * @param flushLoop       the flushing node's busiest event loop per player per flush
   * @param flushPostgres   PostgreSQL per player per flush
   */
  record Costs(double nodeAction, double nodeDelivery, double nodeMessage, double nodeHeapPerConnection,
               double publish, double delivery, double hset, double hgetall, double keyedOp, double read,
               double write, double commandsPerRead, double deliveriesPerWrite, double busSend,
               double busReceive, double redisMemoryPerPlayer, double flushLoop, double flushPostgres) {
  }

  /**
   * What a node and a shard may use.
   *
   * @param nodeCores             cores per gateway node
   * @param utilisation           fraction of a CPU (and of memory) to plan up to, e.g. 0.7
   * @param nodeHeapBytes         heap per node
   * @param maxConnectionsPerNode {@code gateway.limits.maxConnections}
   * @param shardMemoryBytes      memory per Redis master
   * @param replicas              replicas per master
   * @param flushIntervalSeconds  {@code persistence.flushIntervalSeconds}
   * @param maxShards             the most masters to consider
   */
  record Budget(double nodeCores, double utilisation, double nodeHeapBytes, double maxConnectionsPerNode,
                double shardMemoryBytes, int replicas, double flushIntervalSeconds, int maxShards) {
  }

  /** One resource: how many units it needs on its own, and its use per unit at the deployment chosen. */
  record Need(String resource, int units, double usePerUnit, String unit) {
  }

  /**
   * The answer.
   *
   * @param nodes        gateway nodes (the most any node resource needs)
   * @param nodeNeeds    node CPU, heap, connections
   * @param nodeCores    CPU cores used per node at {@code nodes}
   * @param shards       Redis masters, or -1 when no count up to maxShards carries the load
   * @param shardNeeds   shard CPU, memory
   * @param shardCores   CPU (cores of its one thread) used per master at {@code shards} (at maxShards when -1)
   * @param shardFloor   classic: what each master carries however many there are (the cluster bus), cores; 0 sharded
   * @param replicaCores classic: what each replica spends receiving the bus's PUBLISHes; sharded its share
   * @param flushLoopUse the flushing node's busiest loop, fraction of its interval
   * @param postgresCores PostgreSQL cores the flush needs on average
   * @param first        what limits first, in words
   */
  record Result(int nodes, List<Need> nodeNeeds, double nodeCores, int shards, List<Need> shardNeeds,
                double shardCores, double shardFloor, double replicaCores, double flushLoopUse, double postgresCores,
                String first) {
  }

  /** Expected number of the N nodes that hold at least one of a map's m players, placed at random. */
  static double nodesPerMap(int nodes, double mapSize) {
    if (nodes <= 1) {
      return 1;
    }
    return nodes * (1 - Math.pow(1 - 1.0 / nodes, mapSize));
  }

  /** CPU seconds per second of all the gateway nodes together, with {@code nodes} of them. */
  static double nodeCpu(Load l, Costs c, int nodes) {
    return 1e-6 * (l.actions() * c.nodeAction() + l.socketDeliveries() * c.nodeDelivery()
      + l.mapBroadcasts() * nodesPerMap(nodes, l.mapSize()) * c.nodeMessage());
  }

  /** PUBLISHes per second: the action, its reply, the map broadcasts. */
  static double publishes(Load l) {
    return 2 * l.actions() + l.mapBroadcasts();
  }

  /** Subscribed deliveries per second: actions to the service, replies to a node, broadcasts to k(N) nodes. */
  static double subscribedDeliveries(Load l, int nodes) {
    return l.actions() * l.serviceSubscribers() + l.actions() + l.mapBroadcasts() * nodesPerMap(nodes, l.mapSize());
  }

  /** Keyed Redis CPU seconds per second: the actions' HSETs, the service's commands, the flush's reads. */
  static double keyedCpu(Load l, Costs c, Budget b) {
    return 1e-6 * (l.actions() * c.hset() + l.actions() * l.serviceKeyedOps() * c.keyedOp()
      + l.players() / b.flushIntervalSeconds() * c.hgetall());
  }

  /** Commands per second Redis reads: the keyed ones and the PUBLISHes. */
  static double commands(Load l, Budget b) {
    return l.actions() * (1 + l.serviceKeyedOps()) + l.players() / b.flushIntervalSeconds() + publishes(l);
  }

  /** CPU seconds per second of Redis's read and write events, all masters together. */
  static double ioCpu(Load l, Costs c, Budget b, int nodes) {
    return 1e-6 * (commands(l, b) / c.commandsPerRead() * c.read()
      + subscribedDeliveries(l, nodes) / c.deliveriesPerWrite() * c.write());
  }

  /** CPU seconds per second of each of {@code shards} masters (load spread evenly). */
  static double shardCpu(Load l, Costs c, Budget b, PubSub mode, int shards, int nodes) {
    double q = publishes(l);
    double d = subscribedDeliveries(l, nodes);
    double even = (keyedCpu(l, c, b) + 1e-6 * (q * c.publish() + d * c.delivery()) + ioCpu(l, c, b, nodes))
      / shards;
    if (mode == PubSub.SHARDED) {
      return even + 1e-6 * q * b.replicas() * c.busSend() / shards;
    }
    return even + 1e-6 * q * (c.busReceive() * (shards - 1) / shards
      + c.busSend() * (shards * (1.0 + b.replicas()) - 1) / shards);
  }

  /** Classic: what each master carries however many there are (S → ∞), CPU seconds per second. */
  static double classicFloor(Load l, Costs c, Budget b) {
    return 1e-6 * publishes(l) * (c.busReceive() + (1 + b.replicas()) * c.busSend());
  }

  /** Sizes the deployment. */
  static Result size(Load l, Costs c, Budget b, PubSub mode) {
    double nodeBudget = b.nodeCores() * b.utilisation();
    int byCpu = 1;
    for (int i = 0; i < 1000; i++) {
      int next = Math.max(byCpu, (int) Math.ceil(nodeCpu(l, c, byCpu) / nodeBudget - 1e-9));
      if (next == byCpu) {
        break;
      }
      byCpu = next;
    }
    int byHeap = units(l.players() * c.nodeHeapPerConnection() / (b.nodeHeapBytes() * b.utilisation()));
    int byConnections = units(l.players() / b.maxConnectionsPerNode());
    int nodes = Math.max(byCpu, Math.max(byHeap, byConnections));
    List<Need> nodeNeeds = List.of(
      new Need("node CPU", byCpu, nodeCpu(l, c, nodes) / nodes / b.nodeCores(), "of its cores"),
      new Need("node heap", byHeap, l.players() / nodes * c.nodeHeapPerConnection() / b.nodeHeapBytes(),
        "of its heap"),
      new Need("node connections", byConnections, l.players() / nodes / b.maxConnectionsPerNode(),
        "of maxConnections"));

    double shardBudget = b.utilisation();
    int shardsByCpu = -1;
    for (int s = 1; s <= b.maxShards(); s++) {
      if (shardCpu(l, c, b, mode, s, nodes) <= shardBudget) {
        shardsByCpu = s;
        break;
      }
    }
    int shardsByMemory = units(l.players() * c.redisMemoryPerPlayer() / (b.shardMemoryBytes() * b.utilisation()));
    int shards = shardsByCpu < 0 ? -1 : Math.max(shardsByCpu, shardsByMemory);
    int at = shards < 0 ? b.maxShards() : shards;
    double perShard = shardCpu(l, c, b, mode, at, nodes);
    List<Need> shardNeeds = List.of(
      new Need("shard CPU", shardsByCpu, perShard, "of its one core"),
      new Need("shard memory", shardsByMemory, l.players() * c.redisMemoryPerPlayer() / at / b.shardMemoryBytes(),
        "of its memory"));
    double floor = mode == PubSub.CLASSIC ? classicFloor(l, c, b) : 0;
    double q = publishes(l);
    double replica = mode == PubSub.CLASSIC ? 1e-6 * q * c.busReceive()
      : 1e-6 * q * c.busReceive() / at;
    double flushLoop = l.players() * c.flushLoop() * 1e-6 / b.flushIntervalSeconds();
    double postgres = l.players() * c.flushPostgres() * 1e-6 / b.flushIntervalSeconds();

    String first;
    Need nodeFirst = nodeNeeds.stream().max((x, y) -> Integer.compare(x.units(), y.units())).orElseThrow();
    if (shards < 0 && mode == PubSub.CLASSIC && floor > shardBudget) {
      first = String.format(Locale.ROOT, "Redis: classic Pub/Sub on a cluster cannot carry it: every master carries "
        + "every PUBLISH over the cluster bus, at least %.2f cores each however many masters (budget %.2f)", floor,
        shardBudget);
    } else if (shards < 0) {
      first = String.format(Locale.ROOT, "Redis: more than %d masters (at %d: %.2f cores each, budget %.2f)",
        b.maxShards(), b.maxShards(), perShard, shardBudget);
    } else {
      Need shardFirst = shardsByMemory > shardsByCpu ? shardNeeds.get(1) : shardNeeds.get(0);
      first = String.format(Locale.ROOT, "nodes: %s (%d nodes); Redis: %s (%d masters)", nodeFirst.resource(),
        nodeFirst.units(), shardFirst.resource(), shardFirst.units());
    }
    if (flushLoop > b.utilisation()) {
      first += String.format(Locale.ROOT, "; the flush: one node's event loop needs %.0f%% of each interval",
        100 * flushLoop);
    }
    return new Result(nodes, nodeNeeds, nodeCpu(l, c, nodes) / nodes, shards, shardNeeds, perShard, floor, replica,
      flushLoop, postgres, first);
  }

  /**
   * The most players the Redis side can carry at this load per player, on up to {@code maxShards} masters (within
   * 0.1%): for classic Pub/Sub, where the cluster bus stops more masters from helping. 0 when not even 1 player.
   */
  static double maxPlayers(Load perPlayer, Costs c, Budget b, PubSub mode) {
    double lo = 0;
    double hi = 1;
    while (hi < 1e10 && feasible(perPlayer, hi, c, b, mode)) {
      lo = hi;
      hi *= 2;
    }
    if (hi >= 1e10) {
      return Double.POSITIVE_INFINITY;
    }
    while (hi - lo > Math.max(1, lo * 1e-3)) {
      double mid = (lo + hi) / 2;
      if (feasible(perPlayer, mid, c, b, mode)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static boolean feasible(Load l, double players, Costs c, Budget b, PubSub mode) {
    Load at = new Load(players, l.actionsPerPlayer(), l.mapSize(), l.broadcastsPerMap(), l.serviceSubscribers(),
      l.serviceKeyedOps());
    return size(at, c, b, mode).shards() >= 0;
  }

  private static int units(double x) {
    return Math.max(1, (int) Math.ceil(x - 1e-9));
  }

  /**
   * What a master of a real cluster should have spent, from where the commands landed: its HSETs, PUBLISHes and
   * SPUBLISHes (each PUBLISH it took sent on to every other master), every other master's PUBLISH received over the
   * bus, and the deliveries to its subscribers. CPU seconds.
   *
   * @param hsets       HSETs this master ran
   * @param publishes   classic PUBLISHes sent to this master
   * @param allPublishes classic PUBLISHes sent to any master
   * @param spublishes  SPUBLISHes this master ran
   * @param deliveries  messages this master wrote to its subscribers
   * @param masters     masters in the cluster
   * @param reads       read events of its clients' sockets
   * @param subscriberWrites write events to its subscribers
   */
  static double masterSeconds(Costs c, long hsets, long publishes, long allPublishes, long spublishes,
                              long deliveries, int masters, long reads, long subscriberWrites) {
    return 1e-6 * (hsets * c.hset() + publishes * (c.publish() + (masters - 1) * c.busSend())
      + (allPublishes - publishes) * c.busReceive() + spublishes * c.publish() + deliveries * c.delivery()
      + reads * c.read() + subscriberWrites * c.write());
  }

  /** The rows of a table of results, for {@code capacity}. */
  static List<String> describe(Load l, Costs c, Budget b, PubSub mode, Result r) {
    List<String> out = new ArrayList<>();
    out.add(String.format(Locale.ROOT, "%,.0f players, %s actions/s each (%,.0f/s), maps of %s, %s broadcasts/s per "
        + "map (%,.0f/s, %,.0f socket writes/s), %s Pub/Sub", l.players(), fmt(l.actionsPerPlayer()), l.actions(),
      fmt(l.mapSize()), fmt(l.broadcastsPerMap()), l.mapBroadcasts(), l.socketDeliveries(),
      mode.name().toLowerCase(Locale.ROOT)));
    out.add(String.format(Locale.ROOT, "  gateway nodes: %d (%.2f of %s cores each, %.0f%%)", r.nodes(), r.nodeCores(),
      fmt(b.nodeCores()), 100 * r.nodeCores() / b.nodeCores()));
    for (Need n : r.nodeNeeds()) {
      out.add(String.format(Locale.ROOT, "    %-17s needs %6d nodes; at %d: %5.1f%% %s", n.resource(), n.units(),
        r.nodes(), 100 * n.usePerUnit(), n.unit()));
    }
    out.add(String.format(Locale.ROOT, "  Redis publishes %,.0f/s, subscribed deliveries %,.0f/s (a map's broadcast "
      + "reaches %.1f nodes)", publishes(l), subscribedDeliveries(l, r.nodes()), nodesPerMap(r.nodes(), l.mapSize())));
    out.add(r.shards() < 0
      ? String.format(Locale.ROOT, "  Redis masters: none suffices up to %d (at %d: %.2f cores each; floor %.2f)",
        b.maxShards(), b.maxShards(), r.shardCores(), r.shardFloor())
      : String.format(Locale.ROOT, "  Redis masters: %d (%.2f of a core each, %.0f%%)%s", r.shards(), r.shardCores(),
        100 * r.shardCores(), r.shardFloor() > 0 ? String.format(Locale.ROOT,
          "; the cluster bus alone: %.2f cores each", r.shardFloor()) : ""));
    for (Need n : r.shardNeeds()) {
      out.add(String.format(Locale.ROOT, "    %-17s needs %6s masters; %5.1f%% %s", n.resource(),
        n.units() < 0 ? "none" : Integer.toString(n.units()), 100 * n.usePerUnit(), n.unit()));
    }
    if (b.replicas() > 0) {
      out.add(String.format(Locale.ROOT, "    each replica: %.2f cores receiving PUBLISHes", r.replicaCores()));
    }
    out.add(String.format(Locale.ROOT, "  flush every %s s: one node's event loop %.0f%% busy, PostgreSQL %.2f cores",
      fmt(b.flushIntervalSeconds()), 100 * r.flushLoopUse(), r.postgresCores()));
    out.add("  first: " + r.first());
    return out;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
  }
}
