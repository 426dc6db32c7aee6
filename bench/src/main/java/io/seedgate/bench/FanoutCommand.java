package io.seedgate.bench;

import io.seedgate.bench.Players.Player;
import io.seedgate.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisConnection;
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
 * {@code fanout}: M clients on one map; a publisher (in this JVM, so that its send time and the clients' receive
 * times share one clock) publishes a move broadcast on {@code map:<id>} R times a second, carrying its send
 * time; every delivery's latency is recorded and deliveries that never came are counted as missed. With
 * {@code --resume} the players log in as resumable sessions: every delivery comes numbered, and the clients count
 * the numbers they never got.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
  description = "M players on one map, R map broadcasts a second: per-delivery latency and missed deliveries.")
final class FanoutCommand implements Callable<Integer> {

  @Mixin
  TargetOptions target = new TargetOptions();
  @Mixin
  LoadOptions load = new LoadOptions();

  @Option(names = "--clients", description = "Players on the map (default: ${DEFAULT-VALUE}).")
  int clients = 1_000;

  @Option(names = "--broadcast-rate", description = "Broadcasts per second on the map (default: ${DEFAULT-VALUE}).")
  double broadcastRate = 20;

  @Option(names = "--payload-bytes", description = "Size of one broadcast (default: ${DEFAULT-VALUE}, about one "
    + "player's move).")
  int payloadBytes = 120;

  @Option(names = "--warmup", description = "Seconds of broadcasts before the measured window (default: "
    + "${DEFAULT-VALUE}).")
  double warmup = 3;

  @Option(names = "--duration", description = "Seconds measured (default: ${DEFAULT-VALUE}).")
  double duration = 10;

  @Option(names = "--login-action", description = "Action of the first (token) message. api/save, because each "
    + "api/load would announce its player to the whole map (M x M join messages) (default: ${DEFAULT-VALUE}).")
  String loginAction = "api/save";

  @Option(names = "--resume", description = "Log the players in as resumable sessions (\"resume\":true): the node "
    + "numbers every delivery and keeps it in the session's replay buffer; the clients check that the numbers follow "
    + "each other.")
  boolean resume;

  @Override
  public Integer call() throws Exception {
    try (NodeTarget node = NodeTarget.start(target);
         LoadGenerator gen = new LoadGenerator(load, target.redis, clients)) {
      JsonObject info = RunInfo.describe(gen.redis, node);
      System.out.print(RunInfo.header("fanout", info));
      System.out.printf(Locale.ROOT, "  load: %d %s clients%s on one map, %.0f broadcasts/s of %d bytes, %d load "
          + "thread(s), %.0f s warm-up + %.0f s measured%n%n", clients, load.transport,
        resume ? " (resumable sessions)" : "", broadcastRate, payloadBytes, load.threads, warmup, duration);
      String map = gen.players.mapId(9_999_999);
      List<Player> players = BenchMain.await(gen.players.create(clients, map), 120_000);
      LoadGenerator.Connections c = gen.connectGateway(players, node, loginAction, "api/save", resume);
      System.out.printf("connections: %d attempted, %d opened, %d authenticated, %d failed%s%n", c.attempted(),
        c.connected(), c.authenticated(), c.failed(), c.firstError() == null ? "" : " (first: " + c.firstError() + ")");
      if (c.authenticated() == 0) {
        return 1;
      }
      Worker publisherLoop = gen.workers.get(gen.workers.size() - 1);
      RedisConnection publisher = BenchMain.await(publisherLoop.call(() -> gen.redis.connect()), 10_000);
      String channel = RedisKeys.mapChannel(map);
      long start = System.nanoTime() + 100_000_000L;
      long windowStart = start + (long) (warmup * 1e9);
      long windowEnd = windowStart + (long) (duration * 1e9);
      long[] inWindow = {0, 0};
      long periodMs = Math.max(1, Math.round(1000 / broadcastRate));
      gen.workers.forEach(w -> BenchMain.await(w.call(() -> w.begin(start, windowStart, windowEnd, -1, 60_000)),
        10_000));
      long timer = BenchMain.await(publisherLoop.call(() -> Future.succeededFuture(
        gen.vertx.setPeriodic(Math.max(1, (start - System.nanoTime()) / 1_000_000), periodMs, id -> {
          long now = System.nanoTime();
          long seq = inWindow[1]++;
          if (now >= windowStart && now < windowEnd) {
            inWindow[0]++;
          }
          publisher.send(Request.cmd(io.vertx.redis.client.Command.PUBLISH).arg(channel).arg(Messages.fanout(seq, now, payloadBytes)));
        }))), 10_000);
      // CPU of each process over the measured window: per delivery, where a broadcast's time goes
      CpuMeter cpu = new CpuMeter(gen.redis, node.pid);
      LoadGenerator.sleepUntil(windowStart);
      CpuMeter.Sample cpuBefore = cpu.sample();
      LoadGenerator.sleepUntil(windowEnd);
      CpuMeter.Sample cpuAfter = cpu.sample();
      BenchMain.await(publisherLoop.call(() -> Future.succeededFuture(gen.vertx.cancelTimer(timer))), 10_000);
      LoadGenerator.sleepMs(2_000);
      long broadcasts = BenchMain.await(publisherLoop.call(() -> Future.succeededFuture(inWindow[0])), 10_000);
      PhaseResult deliveries = gen.collect("fanout", duration);
      long skipped = gen.skipped();
      double buffered = resume ? EventLoopDelaySampler.gauge(node, "seed_resume_buffered_bytes") : 0;
      long expected = broadcasts * c.authenticated();
      PhaseResult result = new PhaseResult("fanout", deliveries.latency(), deliveries.completed(), duration,
        deliveries.errors(), Math.max(0, expected - deliveries.completed()));
      publisherLoop.call(publisher::close);
      List<PhaseResult> perBroadcast = gen.firstAndLast("per bcast", duration);
      System.out.print(ReportFormat.table(List.of(result, perBroadcast.get(0), perBroadcast.get(1)), null));
      System.out.println("(fanout: every delivery; per bcast first/last: one value per broadcast, its first and its "
        + "last delivery; 'per s' is deliveries, or broadcasts, per second)");
      System.out.printf("broadcasts in the window: %d (%.1f/s), deliveries expected %d, received %d, missed %d%n",
        broadcasts, broadcasts / duration, expected, deliveries.completed(), result.unanswered());
      if (resume) {
        System.out.printf(Locale.ROOT, "resumable sessions: %d deliveries skipped by number (sent by the node, never "
            + "received); the node's replay buffers hold %s of payload (%.0f bytes per session)%n", skipped,
          buffered < 0 ? "unknown" : ReportFormat.bytes((long) buffered), buffered / Math.max(1, c.authenticated()));
      }
      CpuMeter.PerOperation perDelivery = CpuMeter.perOperation(cpuBefore, cpuAfter, deliveries.completed());
      System.out.println(ReportFormat.cpuPerDelivery(perDelivery));
      System.out.printf("load average after: %s%n", RunInfo.loadAverage());
      if (load.json != null) {
        Files.writeString(Path.of(load.json), new JsonObject().put("scenario", "fanout").put("run", info)
          .put("clients", clients).put("resume", resume).put("skipped", skipped)
          .put("resume_buffered_bytes", buffered)
          .put("broadcast_rate", broadcastRate).put("broadcasts", broadcasts)
          .put("expected", expected).put("result", result.toJson())
          .put("cpu_per_delivery", perDelivery.toJson())
          .put("first_delivery", perBroadcast.get(0).toJson()).put("last_delivery", perBroadcast.get(1).toJson()).encodePrettily());
      }
      if (resume) {
        // a resumable session whose client closes stays detached for gateway.resume.windowSeconds: stop the node
        // first, so that the sessions' ends are recorded before the players' keys are cleaned up
        node.close();
      }
      return 0;
    }
  }
}
