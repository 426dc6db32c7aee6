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
 * {@code soak}: a long run at a steady open-loop rate, in cycles. Each cycle the clients log in, send actions for the
 * cycle's length and all disconnect; then, with no client connected, the node's heap after a full GC, its files,
 * threads, sessions and Pub/Sub channels, and the Redis keys and subscriptions of the run's players are read. A node
 * that leaks grows them cycle after cycle; one that does not comes back to the same figures every time.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
  description = "Long run in cycles of log in, steady load, log out; reads what a leak would grow after each cycle.")
final class SoakCommand implements Callable<Integer> {

  private static final long MIB = 1024 * 1024;

  @Mixin
  TargetOptions target = new TargetOptions();
  @Mixin
  LoadOptions load = new LoadOptions();

  @Option(names = "--clients", description = "Clients logged in during each cycle (default: ${DEFAULT-VALUE}).")
  int clients = 250;

  @Option(names = "--rate", description = "Total actions per second over all clients (default: ${DEFAULT-VALUE}).")
  double rate = 9_500;

  @Option(names = "--minutes", description = "Length of the run (default: ${DEFAULT-VALUE}).")
  double minutes = 30;

  @Option(names = "--cycle", description = "Seconds of load per cycle (default: ${DEFAULT-VALUE}).")
  double cycleSeconds = 60;

  @Option(names = "--action", description = "The action sent; its answer goes to the sender (default: ${DEFAULT-VALUE}).")
  String action = "api/save";

  @Option(names = "--login-action", description = "Action of the first (token) message (default: ${DEFAULT-VALUE}).")
  String loginAction = "api/load";

  @Option(names = "--warmup", description = "Seconds of unmeasured load before the first reading, so that a freshly "
    + "started node is compiled by the JIT first (default: ${DEFAULT-VALUE}).")
  double warmupSeconds = 30;

  @Option(names = "--heap-growth", description = "Largest growth of the idle heap after GC, from the end of the "
    + "first cycle to the end of the last, that still counts as stable, in MiB (default: ${DEFAULT-VALUE}).")
  long heapGrowthMib = 16;

  @Override
  public Integer call() throws Exception {
    try (NodeTarget node = NodeTarget.start(target);
         LoadGenerator gen = new LoadGenerator(load, target.redis, clients)) {
      JsonObject info = RunInfo.describe(gen.redis, node);
      int cycles = Math.max(1, (int) Math.round(minutes * 60 / cycleSeconds));
      System.out.print(RunInfo.header("soak", info));
      System.out.printf(Locale.ROOT, "  load: %d clients (%s), open loop at %,.0f actions/s, action %s, %.0f s warm-up, "
          + "%d cycles of %.0f s (log in, load, log out, read with no client connected)%n%n", clients, load.transport,
        rate, action, warmupSeconds, cycles, cycleSeconds);
      List<Player> players = BenchMain.await(gen.players.create(clients, null), 120_000);
      CpuMeter cpu = new CpuMeter(gen.redis, node.pid);
      LeakProbe probe = new LeakProbe(node, gen.redis);
      if (warmupSeconds > 0) {
        gen.connectGateway(players, node, loginAction, action);
        gen.runPhase("warm-up", 0, warmupSeconds, rate, 2_000, cpu);
        gen.disconnectAll();
        probe.awaitNoPlayers(30_000);
        BenchMain.await(gen.players.rewrite(players), 120_000);
      }
      LeakProbe.Reading before = probe.read(players, true);
      System.out.println(header());
      System.out.println(row("start", null, null, before));
      JsonArray rows = new JsonArray();
      List<LeakProbe.Reading> idle = new ArrayList<>();
      long failedLogins = 0;
      long errors = 0;
      long unanswered = 0;
      for (int cycle = 1; cycle <= cycles; cycle++) {
        BenchMain.await(gen.players.rewrite(players), 120_000);
        LoadGenerator.Connections c = gen.connectGateway(players, node, loginAction, action);
        failedLogins += c.attempted() - c.authenticated();
        PhaseResult phase = gen.runPhase("cycle " + cycle, 0, cycleSeconds, rate, 2_000, cpu);
        errors += phase.errors();
        unanswered += phase.unanswered();
        LeakProbe.Reading loaded = probe.read(players, false);
        gen.disconnectAll();
        if (!probe.awaitNoPlayers(30_000)) {
          System.out.println("  sessions still open 30 s after every client left");
        }
        LeakProbe.Reading after = probe.read(players, true);
        idle.add(after);
        System.out.println(row(Integer.toString(cycle), phase, loaded, after));
        rows.add(new JsonObject().put("cycle", cycle).put("phase", phase.toJson()).put("logins_failed",
            c.attempted() - c.authenticated()).put("loaded", loaded.toJson()).put("idle", after.toJson()));
      }
      List<String> leaks = verdict(before, idle, failedLogins, errors, unanswered);
      System.out.println();
      System.out.println(leaks.isEmpty() ? "verdict: no leak, no failure" : "verdict: " + String.join("; ", leaks));
      System.out.printf("load average after: %s%n", RunInfo.loadAverage());
      if (load.json != null) {
        Files.writeString(Path.of(load.json), new JsonObject().put("scenario", "soak").put("run", info)
          .put("clients", clients).put("rate", rate).put("cycle_seconds", cycleSeconds).put("start", before.toJson())
          .put("cycles", rows).put("verdict", new JsonArray(leaks)).encodePrettily());
      }
      return leaks.isEmpty() ? 0 : 1;
    }
  }

  /** What grew or failed; empty when the run was clean. */
  List<String> verdict(LeakProbe.Reading start, List<LeakProbe.Reading> idle, long failedLogins, long errors,
                       long unanswered) {
    List<String> found = new ArrayList<>();
    LeakProbe.Reading first = idle.get(0);
    LeakProbe.Reading last = idle.get(idle.size() - 1);
    if (first.heapAfterGc() >= 0 && last.heapAfterGc() - first.heapAfterGc() > heapGrowthMib * MIB) {
      found.add(String.format(Locale.ROOT, "idle heap after GC grew %.1f MiB from cycle 1 to the last",
        (last.heapAfterGc() - first.heapAfterGc()) / (double) MIB));
    }
    if (last.players() < 0) {
      found.add("the node's metrics could not be read (no operations port known): sessions and channels unchecked");
    } else if (last.players() != 0) {
      found.add(last.players() + " sessions left open");
    }
    if (last.channels() != start.channels()) {
      found.add("node subscribes " + last.channels() + " channels, " + start.channels() + " before the run");
    }
    if (last.keys() != 0 || last.subscribed() != 0 || last.nodeSessions() != 0) {
      found.add(last.keys() + " Redis keys, " + last.subscribed() + " subscribed channels and " + last.nodeSessions()
        + " node session entries left by the run's players");
    }
    if (start.files() >= 0 && last.files() > first.files() + 16) {
      found.add("open files grew from " + first.files() + " to " + last.files());
    }
    if (failedLogins + errors + unanswered > 0) {
      found.add(failedLogins + " failed logins, " + errors + " errors, " + unanswered + " unanswered actions");
    }
    return found;
  }

  private static String header() {
    return String.format(Locale.ROOT, "%-6s %9s %8s %8s %7s %7s | %8s %8s | %9s %8s %6s %7s %7s %8s %6s %6s %6s",
      "cycle", "answers/s", "p50 ms", "p99 ms", "errors", "unansw", "players", "channels", "heapGC MiB", "RSS MiB",
      "files", "threads", "players", "channels", "keys", "subs", "nodeS");
  }

  private static String row(String cycle, PhaseResult phase, LeakProbe.Reading loaded, LeakProbe.Reading idle) {
    String load = phase == null ? String.format(Locale.ROOT, "%9s %8s %8s %7s %7s", "", "", "", "", "")
      : String.format(Locale.ROOT, "%,9.0f %8.2f %8.2f %7d %7d", phase.throughput(), phase.latency().p50() / 1000.0,
      phase.latency().p99() / 1000.0, phase.errors(), phase.unanswered());
    String during = loaded == null ? String.format(Locale.ROOT, "%8s %8s", "", "")
      : String.format(Locale.ROOT, "%8d %8d", loaded.players(), loaded.channels());
    return String.format(Locale.ROOT, "%-6s %s | %s | %10.1f %8.1f %6d %7d %7d %8d %6d %6d %6d", cycle, load, during,
      idle.heapAfterGc() / (double) MIB, idle.rss() / (double) MIB, idle.files(), idle.threads(), idle.players(),
      idle.channels(), idle.keys(), idle.subscribed(), idle.nodeSessions());
  }
}
