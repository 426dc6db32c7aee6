package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code roundtrip}: N clients, each on a map of its own, send an action whose answer goes to that client only
 * ({@code api/save}, answered on {@code token:<T>}) in a closed or an open loop; the same is measured without the
 * gateway (the floor) in the same run, at the same concurrency.
 */
@Command(name = "roundtrip", mixinStandardHelpOptions = true,
  description = "Round-trip latency and throughput through the gateway, against the floor (the same two Redis "
    + "hops through the same example service, no gateway).")
final class RoundTripCommand implements Callable<Integer> {

  @Mixin
  TargetOptions target = new TargetOptions();
  @Mixin
  LoadOptions load = new LoadOptions();

  @Option(names = "--clients", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients = 50;

  @Option(names = "--rate", description = "Open loop: total actions per second over all clients. 0: closed loop, "
    + "each client sends its next action when the previous one was answered (default: ${DEFAULT-VALUE}).")
  double rate = 0;

  @Option(names = "--warmup", description = "Seconds of warm-up before each measured window (default: ${DEFAULT-VALUE}).")
  double warmup = 3;

  @Option(names = "--duration", description = "Seconds measured per phase (default: ${DEFAULT-VALUE}).")
  double duration = 10;

  @Option(names = "--rounds", description = "Floor and gateway phases this many times, the floor first in odd rounds "
    + "and second in even ones; with several rounds the medians are reported too (default: ${DEFAULT-VALUE}).")
  int rounds = 1;

  @Option(names = "--action", description = "The action timed; its answer must go to the sender only "
    + "(default: ${DEFAULT-VALUE}).")
  String action = "api/save";

  @Option(names = "--login-action", description = "Action of the first (token) message (default: ${DEFAULT-VALUE}).")
  String loginAction = "api/load";

  @Option(names = "--drain", description = "Milliseconds to wait for late answers after a window (default: "
    + "${DEFAULT-VALUE}).")
  long drainMs = 3_000;

  @Option(names = "--no-floor", description = "Measure the gateway only.")
  boolean noFloor;

  @Option(names = "--node-warmup", description = "Seconds of unmeasured load, half without and half through the "
    + "gateway, before the first round, so that a freshly started node (and the service in it) is compiled by the "
    + "JIT before anything is measured (default: ${DEFAULT-VALUE}).")
  double nodeWarmup = 20;

  @Override
  public Integer call() throws Exception {
    try (NodeTarget node = NodeTarget.start(target);
         LoadGenerator gen = new LoadGenerator(load, target.redis, clients)) {
      JsonObject info = RunInfo.describe(gen.redis, node);
      String mode = rate > 0 ? String.format(Locale.ROOT, "open loop at %,.0f actions/s", rate) : "closed loop";
      System.out.print(RunInfo.header("roundtrip", info));
      System.out.printf(Locale.ROOT, "  load: %d clients (%s, %s frames), %s, action %s, %d load thread(s), "
          + "%.0f s warm-up + %.0f s measured per phase, %d round(s)%n%n", clients, load.transport, load.frames, mode,
        action, load.threads, warmup, duration, rounds);
      List<Player> players = BenchMain.await(gen.players.create(clients, null), 120_000);
      CpuMeter cpu = new CpuMeter(gen.redis, node.pid);
      JsonArray roundsJson = new JsonArray();
      MemoryProbe.Sample idle0 = MemoryProbe.Sample.UNKNOWN;
      MemoryProbe.Sample idleN = MemoryProbe.Sample.UNKNOWN;
      LoadGenerator.Connections connections = null;
      int exit = 0;
      List<PhaseResult> floors = new ArrayList<>();
      List<PhaseResult> gateways = new ArrayList<>();
      if (nodeWarmup > 0) {
        if (!noFloor) {
          gen.connectFloor(players, node.actionPrefix, node.nodeId, action);
          gen.runPhase("warm-up", 0, nodeWarmup / 2, rate, drainMs, cpu);
          gen.disconnectAll();
        }
        BenchMain.await(gen.players.rewrite(players), 120_000);
        gen.connectGateway(players, node, loginAction, action);
        gen.runPhase("warm-up", 0, nodeWarmup / 2, rate, drainMs, cpu);
        gen.disconnectAll();
        LoadGenerator.sleepMs(1_000);
      }
      for (int round = 1; round <= rounds; round++) {
        List<PhaseResult> phases = new ArrayList<>();
        PhaseResult floor = null;
        // odd rounds measure the floor first, even rounds the gateway first: whatever drifts during a run (the JIT,
        // other processes on a shared machine) does not always favour the same side
        boolean floorFirst = round % 2 == 1;
        if (!noFloor && floorFirst) {
          floor = measureFloor(gen, node, players, cpu);
        }
        BenchMain.await(gen.players.rewrite(players), 120_000);
        if (round == 1 && node.memory != null) {
          idle0 = node.memory.sample();
        }
        connections = gen.connectGateway(players, node, loginAction, action);
        if (round == 1 && node.memory != null) {
          idleN = node.memory.sample();
        }
        PhaseResult gateway = gen.runPhase("gateway", warmup, duration, rate, drainMs, cpu);
        gen.disconnectAll();
        if (!noFloor && !floorFirst) {
          LoadGenerator.sleepMs(1_000);
          floor = measureFloor(gen, node, players, cpu);
        }
        if (floor != null) {
          phases.add(floor);
        }
        phases.add(gateway);
        Ratios ratios = floor == null ? null : Ratios.of(gateway, floor);
        gateways.add(gateway);
        if (floor != null) {
          floors.add(floor);
        }
        if (rounds > 1) {
          System.out.printf("round %d%n", round);
        }
        System.out.print(ReportFormat.table(phases, ratios));
        System.out.printf("connections: %d attempted, %d opened, %d authenticated, %d failed%s%n%n",
          connections.attempted(), connections.connected(), connections.authenticated(), connections.failed(),
          connections.firstError() == null ? "" : " (first: " + connections.firstError() + ")");
        JsonObject r = new JsonObject().put("round", round).put("gateway", gateway.toJson())
          .put("connections", new JsonObject().put("attempted", connections.attempted())
            .put("opened", connections.connected()).put("authenticated", connections.authenticated())
            .put("failed", connections.failed()));
        if (floor != null) {
          r.put("floor", floor.toJson()).put("ratios", ratios.toJson());
        }
        roundsJson.add(r);
        if (connections.authenticated() == 0) {
          exit = 1;
          break;
        }
        LoadGenerator.sleepMs(1_000);
      }
      if (gateways.size() > 1) {
        System.out.print(ReportFormat.medians(floors, gateways));
        System.out.println();
      }
      JsonObject memory = memoryReport(node, idle0, idleN, connections == null ? 0 : connections.authenticated());
      System.out.printf("load average after: %s%n", RunInfo.loadAverage());
      if (load.json != null) {
        Files.writeString(Path.of(load.json), new JsonObject().put("scenario", "roundtrip").put("run", info)
          .put("clients", clients).put("rate", rate).put("action", action).put("rounds", roundsJson)
          .put("memory", memory).encodePrettily());
      }
      return exit;
    }
  }

  private PhaseResult measureFloor(LoadGenerator gen, NodeTarget node, List<Player> players, CpuMeter cpu) {
    gen.connectFloor(players, node.actionPrefix, node.nodeId, action);
    PhaseResult floor = gen.runPhase("floor", warmup, duration, rate, drainMs, cpu);
    gen.disconnectAll();
    return floor;
  }

  static JsonObject memoryReport(NodeTarget node, MemoryProbe.Sample before, MemoryProbe.Sample after, long n) {
    JsonObject json = new JsonObject();
    if (node.memory == null) {
      System.out.println("node memory: not measured (external node without --node-pid)");
      return json;
    }
    long heapPer = ReportFormat.perConnection(before.heapUsed(), after.heapUsed(), n);
    long rssPer = ReportFormat.perConnection(before.rss(), after.rss(), n);
    System.out.printf("node memory (%s): heap after GC %s with 0 clients, %s with %d idle authenticated clients "
        + "= %s per connection; RSS %s -> %s = %s per connection%n", node.memory.describe(),
      ReportFormat.bytes(before.heapUsed()), ReportFormat.bytes(after.heapUsed()), n, ReportFormat.bytes(heapPer),
      ReportFormat.bytes(before.rss()), ReportFormat.bytes(after.rss()), ReportFormat.bytes(rssPer));
    long directPer = ReportFormat.perConnection(before.direct(), after.direct(), n);
    long liveRssPer = ReportFormat.perConnection(before.rssBeforeGc(), after.rssBeforeGc(), n);
    System.out.printf("  direct (off-heap buffers) %s -> %s = %s per connection; RSS before the probe's GC %s -> %s = %s "
        + "per connection%n", ReportFormat.bytes(before.direct()), ReportFormat.bytes(after.direct()),
      ReportFormat.bytes(directPer), ReportFormat.bytes(before.rssBeforeGc()), ReportFormat.bytes(after.rssBeforeGc()),
      ReportFormat.bytes(liveRssPer));
    if (node.description.contains("this JVM")) {
      System.out.println("  (node in this JVM: heap and RSS include the load generator's client objects)");
    }
    return json.put("probe", node.memory.describe()).put("clients", n)
      .put("heap_before", before.heapUsed()).put("heap_after", after.heapUsed()).put("heap_per_connection", heapPer)
      .put("rss_before", before.rss()).put("rss_after", after.rss()).put("rss_per_connection", rssPer)
      .put("direct_before", before.direct()).put("direct_after", after.direct()).put("direct_per_connection", directPer)
      .put("rss_live_before", before.rssBeforeGc()).put("rss_live_after", after.rssBeforeGc())
      .put("rss_live_per_connection", liveRssPer);
  }
}
