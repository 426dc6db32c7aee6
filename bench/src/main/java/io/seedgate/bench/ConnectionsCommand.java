package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code connections}: N idle authenticated connections, held; the node's heap after GC and RSS with 0 and with N
 * of them give the memory per connection.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
  description = "Open N idle authenticated connections, hold them, report the node's memory per connection.")
final class ConnectionsCommand implements Callable<Integer> {

  /** Open files one process may hold here (a hard limit); a client and a server socket each take one. */
  static final int FD_LIMIT = 20_000;

  @Mixin
  TargetOptions target = new TargetOptions();
  @Mixin
  LoadOptions load = new LoadOptions();

  @Option(names = "--clients", description = "Connections to open (default: ${DEFAULT-VALUE}).")
  int clients = 1_000;

  @Option(names = "--hold", description = "Seconds to hold them before the last sample (default: ${DEFAULT-VALUE}).")
  double hold = 10;

  @Option(names = "--login-action", description = "Action of the first (token) message (default: ${DEFAULT-VALUE}).")
  String loginAction = "api/load";

  @Override
  public Integer call() throws Exception {
    boolean sameJvm = target.url == null && !target.spawnNode && !target.nodejs;
    if (sameJvm && clients * 2 > FD_LIMIT - 500) {
      System.err.printf("%d connections need %d open files in one JVM (limit %d): use --spawn-node or --url%n",
        clients, clients * 2, FD_LIMIT);
      return 2;
    }
    try (NodeTarget node = NodeTarget.start(target);
         LoadGenerator gen = new LoadGenerator(load, target.redis, clients)) {
      JsonObject info = RunInfo.describe(gen.redis, node);
      System.out.print(RunInfo.header("connections", info));
      System.out.printf(Locale.ROOT, "  load: %d idle %s clients from %d source address(es), login %s, %d load "
        + "thread(s), %d logins in flight%n%n", clients, load.transport, gen.sourceAddresses(), loginAction,
        load.threads, load.loginConcurrency);
      List<Player> players = BenchMain.await(gen.players.create(clients, null), 300_000);
      MemoryProbe.Sample before = node.memory == null ? MemoryProbe.Sample.UNKNOWN : node.memory.sample();
      CpuMeter cpu = new CpuMeter(gen.redis, node.pid);
      CpuMeter.Sample cpuBefore = cpu.sample();
      long t0 = System.nanoTime();
      LoadGenerator.Connections c;
      double delayMs;
      String authFailures;
      String nodeLogins;
      try (EventLoopDelaySampler delay = new EventLoopDelaySampler(node)) {
        c = gen.connectGateway(players, node, loginAction, "api/save");
        // the gauge is the worst of the last 5 s: one more reading covers the end of the logins
        LoadGenerator.sleepMs(1_000);
        delayMs = delay.maxMillis();
        authFailures = delay.authFailures();
        nodeLogins = delay.loginLatency();
      }
      double loginSeconds = (System.nanoTime() - t0) / 1e9;
      CpuMeter.PerOperation cpuPerLogin = CpuMeter.perOperation(cpuBefore, cpu.sample(), c.authenticated());
      System.out.printf(Locale.ROOT, "connections: %d attempted, %d opened, %d authenticated, %d failed in %.1f s "
          + "(%,.0f logins/s)%s%n", c.attempted(), c.connected(), c.authenticated(), c.failed(), loginSeconds,
        c.authenticated() / loginSeconds, c.firstError() == null ? "" : " (first: " + c.firstError() + ")");
      System.out.printf(Locale.ROOT, "  login (connect to answer): p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
          + "worst event-loop delay of the node %s%n", c.login().p50() / 1000.0, c.login().p99() / 1000.0,
        c.login().max() / 1000.0, delayMs < 0 ? "unknown" : String.format(Locale.ROOT, "%.0f ms", delayMs));
      System.out.printf(Locale.ROOT, "  of which connected (TCP and WebSocket handshake): p50 %.1f ms, p99 %.1f ms, "
        + "max %.1f ms%n", c.handshake().p50() / 1000.0, c.handshake().p99() / 1000.0, c.handshake().max() / 1000.0);
      c.failures().forEach((kind, n) -> System.out.printf("  failed: %d x %s%n", n, kind));
      System.out.printf("  the node's authentication failures: %s%n", authFailures);
      System.out.printf("  the node's login latency (token to active session): %s%n", nodeLogins);
      System.out.printf(Locale.ROOT, "  CPU per login: node %.0f us, load generator %.0f us, Redis %.0f us%n",
        cpuPerLogin.node(), cpuPerLogin.bench(), cpuPerLogin.redis());
      MemoryProbe.Sample loaded = node.memory == null ? MemoryProbe.Sample.UNKNOWN : node.memory.sample();
      LoadGenerator.sleepMs((long) (hold * 1000));
      MemoryProbe.Sample held = node.memory == null ? MemoryProbe.Sample.UNKNOWN : node.memory.sample();
      PhaseResult idle = gen.collect("idle", hold);
      System.out.printf("after %.0f s held: %d connections lost or error messages%n", hold, idle.errors());
      JsonObject memory = RoundTripCommand.memoryReport(node, before, held, c.authenticated());
      if (node.memory != null) {
        System.out.printf("  right after the logins: heap %s, RSS %s%n", ReportFormat.bytes(loaded.heapUsed()),
          ReportFormat.bytes(loaded.rss()));
      }
      System.out.printf("load average after: %s%n", RunInfo.loadAverage());
      if (load.json != null) {
        Files.writeString(Path.of(load.json), new JsonObject().put("scenario", "connections").put("run", info)
          .put("clients", clients).put("authenticated", c.authenticated()).put("failed", c.failed())
          .put("login_seconds", loginSeconds).put("login", c.login().toJson()).put("connect", c.handshake().toJson())
          .put("failures", new JsonObject(new java.util.HashMap<>(c.failures())))
          .put("eventloop_delay_max_ms", delayMs)
          .put("node_auth_failures", authFailures).put("node_login_latency", nodeLogins)
          .put("cpu_per_login", cpuPerLogin.toJson()).put("lost", idle.errors()).put("memory", memory).encodePrettily());
      }
      return c.authenticated() == clients ? 0 : 1;
    }
  }
}
