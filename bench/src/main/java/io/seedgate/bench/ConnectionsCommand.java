package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
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
 * of them give the memory per connection. With {@code --resume} they are resumable sessions; {@code --deliveries K}
 * sends every session K broadcasts before the memory is sampled (what a resumable session keeps of them).
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

  @Option(names = "--resume", description = "Log the clients in as resumable sessions (\"resume\":true): each "
    + "keeps its deliveries (the login's answers among them) in its replay buffer.")
  boolean resume;

  @Option(names = "--deliveries", description = "Broadcasts published on the node's broadcast channel once every "
    + "client is logged in, before the memory is sampled: every session gets each (default: ${DEFAULT-VALUE}).")
  int deliveries = 0;

  @Option(names = "--payload-bytes", description = "Size of one of those broadcasts (default: ${DEFAULT-VALUE}).")
  int payloadBytes = 120;

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
      System.out.printf(Locale.ROOT, "  load: %d idle %s clients%s from %d source address(es), login %s, %d load "
        + "thread(s), %d logins in flight, %d broadcast(s) of %d bytes after the logins%n%n", clients, load.transport,
        resume ? " (resumable sessions)" : "", gen.sourceAddresses(), loginAction, load.threads,
        load.loginConcurrency, deliveries, payloadBytes);
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
        c = gen.connectGateway(players, node, loginAction, "api/save", resume);
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
      long expected = (long) deliveries * c.authenticated();
      PhaseResult received = deliveries > 0 ? broadcast(gen, node, expected) : null;
      LoadGenerator.sleepMs((long) (hold * 1000));
      MemoryProbe.Sample held = node.memory == null ? MemoryProbe.Sample.UNKNOWN : node.memory.sample();
      PhaseResult idle = gen.collect("idle", hold);
      long skipped = gen.skipped();
      System.out.printf("after %.0f s held: %d connections lost or error messages%n", hold, idle.errors());
      if (received != null) {
        System.out.printf("deliveries: %d broadcasts on %s, expected %d, received %d, missed %d%n", deliveries,
          node.broadcastChannel, expected, received.completed(), Math.max(0, expected - received.completed()));
      }
      double buffered = EventLoopDelaySampler.gauge(node, "seed_resume_buffered_bytes");
      if (resume) {
        System.out.printf(Locale.ROOT, "resumable sessions: %d deliveries skipped by number; the node's replay "
            + "buffers hold %s of payload (%.0f bytes per session)%n", skipped,
          buffered < 0 ? "unknown" : ReportFormat.bytes((long) buffered), buffered / Math.max(1, c.authenticated()));
      }
      JsonObject memory = RoundTripCommand.memoryReport(node, before, held, c.authenticated());
      if (node.memory != null) {
        System.out.printf("  right after the logins: heap %s, RSS %s%n", ReportFormat.bytes(loaded.heapUsed()),
          ReportFormat.bytes(loaded.rss()));
      }
      System.out.printf("load average after: %s%n", RunInfo.loadAverage());
      if (load.json != null) {
        Files.writeString(Path.of(load.json), new JsonObject().put("scenario", "connections").put("run", info)
          .put("clients", clients).put("resume", resume).put("authenticated", c.authenticated()).put("failed", c.failed())
          .put("deliveries", deliveries).put("deliveries_expected", expected)
          .put("deliveries_received", received == null ? 0 : received.completed()).put("skipped", skipped)
          .put("resume_buffered_bytes", buffered)
          .put("login_seconds", loginSeconds).put("login", c.login().toJson()).put("connect", c.handshake().toJson())
          .put("failures", new JsonObject(new java.util.HashMap<>(c.failures())))
          .put("eventloop_delay_max_ms", delayMs)
          .put("node_auth_failures", authFailures).put("node_login_latency", nodeLogins)
          .put("cpu_per_login", cpuPerLogin.toJson()).put("lost", idle.errors()).put("memory", memory).encodePrettily());
      }
      if (resume) {
        // a resumable session whose client closes stays detached for gateway.resume.windowSeconds: stop the node
        // first, so that the sessions' ends are recorded before the players' keys are cleaned up
        node.close();
      }
      return c.authenticated() == clients ? 0 : 1;
    }
  }

  /**
   * Publishes {@code --deliveries} fan-out payloads on the node's broadcast channel, one after the other, and waits
   * (up to 30 s) until the clients have received {@code expected} deliveries.
   */
  private PhaseResult broadcast(LoadGenerator gen, NodeTarget node, long expected) {
    gen.workers.forEach(w -> BenchMain.await(w.call(() -> w.begin(0, Long.MIN_VALUE, Long.MAX_VALUE, -1, 60_000)),
      10_000));
    for (int i = 0; i < deliveries; i++) {
      BenchMain.await(gen.redis.send(Request.cmd(io.vertx.redis.client.Command.PUBLISH).arg(node.broadcastChannel)
        .arg(Messages.fanout(i, System.nanoTime(), payloadBytes))), 10_000);
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    PhaseResult received = gen.collect("deliveries", 1);
    while (received.completed() < expected && System.nanoTime() < deadline) {
      LoadGenerator.sleepMs(100);
      received = gen.collect("deliveries", 1);
    }
    return received;
  }
}
