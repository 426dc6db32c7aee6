package io.seedgate.node;

import io.seedgate.common.Failures;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar's main class: the Vert.x launcher ({@code java -jar seed-gateway.jar [-cluster ...] -conf
 * <file>.json}, main verticle {@link NodeVerticle} from the manifest) with what a node needs around it:
 * <ul>
 *   <li>Vert.x prefers the native (epoll) transport, unless {@code -options} sets {@code preferNativeTransport};
 *   {@code node.transport} may choose io_uring instead (or NIO).</li>
 *   <li>Vert.x is created with Micrometer metrics in a Prometheus registry (plus JVM metrics), unless
 *   {@code -options} names {@code metricsOptions} itself; the node's {@code /metrics} serves them with its own.
 *   Vert.x's Redis client meters are left out (they time every command on the per-message path) unless
 *   {@code -Dseed.metrics.redisClient=true}.</li>
 *   <li>{@code logging.json} takes effect as soon as the config is read.</li>
 *   <li>Shutdown is bounded: when the JVM begins to exit (SIGTERM, or a drain ending), a watchdog gives Vert.x
 *   {@code ops.shutdownTimeoutSeconds} to stop the node (clients told, sessions saved, cluster left); if it has
 *   not by then, the process is halted with exit code 1. A stop within the bound ends the process normally: code
 *   143 (128 + SIGTERM) after a SIGTERM, 0 after a drain.</li>
 * </ul>
 */
public class SeedGatewayLauncher extends VertxApplication implements VertxApplicationHooks {

  private static final Logger LOG = LoggerFactory.getLogger(SeedGatewayLauncher.class);
  /** A system property: true keeps Vert.x's Redis client meters ({@code vertx_redis_*}), off by default. */
  static final String REDIS_CLIENT_METRICS = "seed.metrics.redisClient";
  private static volatile boolean running;
  private static volatile Path confFile;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile long shutdownTimeoutMs = Settings.OPS_SHUTDOWN_TIMEOUT.defaultValue() * 1000L;
  private volatile String transportSetting = Settings.NODE_TRANSPORT.defaultValue();

  public SeedGatewayLauncher(String[] args) {
    super(args);
  }

  public static void main(String[] args) {
    String problem = confProblem(args);
    if (problem != null) {
      System.err.println("seed-gateway: " + problem);
      System.exit(2);
    }
    String conf = confArgument(args);
    if (conf != null && !conf.trim().startsWith("{")) {
      confFile = Path.of(conf).toAbsolutePath();
    }
    new SeedGatewayLauncher(args).launch();
  }

  /**
   * What is wrong with the {@code -conf} argument, or {@code null}. The Vert.x launcher only warns when {@code -conf}
   * names no readable JSON and goes on with an empty config (the dev defaults): a mistyped path or a missing mount
   * would start a node nobody configured. Here it stops the process instead.
   */
  static String confProblem(String[] args) {
    String conf = confArgument(args);
    if (conf == null) {
      return null;
    }
    String text = conf.trim();
    if (!text.startsWith("{")) {
      Path file = Path.of(conf);
      if (!Files.isReadable(file)) {
        return "-conf " + conf + ": no such readable file";
      }
      try {
        text = Files.readString(file);
      } catch (java.io.IOException | RuntimeException e) {
        return "-conf " + conf + ": cannot be read: " + e.getMessage();
      }
    }
    try {
      new JsonObject(text);
      return null;
    } catch (RuntimeException e) {
      return "-conf " + conf + ": not a JSON object: " + e.getMessage();
    }
  }

  /** The value of the {@code -conf} argument (a file path or inline JSON), or {@code null}. */
  static String confArgument(String[] args) {
    String conf = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("-conf") || a.equals("--conf")) && i + 1 < args.length) {
        conf = args[i + 1];
      } else if (a.startsWith("-conf=") || a.startsWith("--conf=")) {
        conf = a.substring(a.indexOf('=') + 1);
      }
    }
    return conf;
  }

  /**
   * The {@code -conf} file this process was launched with, absolute; {@code null} when it was started otherwise
   * (in a test), or with inline JSON. The node reads it through vertx-config, again while it runs.
   */
  static Path confFile() {
    return confFile;
  }

  /** Whether this process was started by the launcher: then a node that stops ends the process. */
  static boolean running() {
    return running;
  }

  /** Ends the process, from a thread of its own (the shutdown hooks close Vert.x, which needs its threads). */
  static void exit() {
    Thread exit = new Thread(() -> System.exit(0), "seed-exit");
    exit.setDaemon(false);
    exit.start();
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    JsonObject options = vertxOptions == null ? new JsonObject() : vertxOptions;
    if (!options.containsKey("preferNativeTransport")) {
      // epoll on Linux (bundled): fewer copies and system calls per socket operation than NIO; elsewhere NIO
      options.put("preferNativeTransport", true);
    }
    if (!options.containsKey("metricsOptions")) {
      MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true);
      if (!Boolean.getBoolean(REDIS_CLIENT_METRICS)) {
        // Vert.x's Redis client would time every command (HSET and PUBLISH of every action) in Micrometer: CPU on the
        // per-message path for meters no dashboard or alert reads (the node's own seed_* meters count actions and
        // Redis errors)
        metrics.addDisabledMetricsCategory("redis");
      }
      options.put("metricsOptions", metrics
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .toJson());
    }
    return options;
  }

  /**
   * Vert.x with the transport of {@code node.transport} (read with the config, before Vert.x starts): epoll, which
   * Vert.x picks for {@code preferNativeTransport}, io_uring or NIO. One that cannot load here (io_uring forbidden by
   * a seccomp profile, an old kernel) falls back to Vert.x's choice, with a warning naming why.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = Vertx.builder().with(options);
    Transport chosen = transport(transportSetting, options.getPreferNativeTransport());
    if (chosen != null) {
      builder.withTransport(chosen);
    }
    LOG.info("[transport: {}] network transport", chosen != null ? chosen.name()
      : options.getPreferNativeTransport() && Transport.nativeTransport() != null ? Transport.nativeTransport().name()
      : Transport.NIO.name());
    return builder;
  }

  /** The transport to give Vert.x for the setting, or null for its own choice (epoll, else NIO). */
  static Transport transport(String setting, boolean preferNative) {
    if (!preferNative || setting.equals("nio")) {
      return Transport.NIO;
    }
    if (setting.equals("io_uring")) {
      Transport uring = Transport.IO_URING;
      if (uring != null && uring.available()) {
        return uring;
      }
      LOG.warn("[transport: io_uring] not available here, using {} instead: {}", Transport.nativeTransport() != null
        && Transport.nativeTransport().available() ? "epoll" : "nio", uring == null ? "not on the class path"
        : String.valueOf(uring.unavailabilityCause()));
    }
    return null;
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    try {
      NodeConfig node = NodeConfig.load(config, System.getenv());
      shutdownTimeoutMs = node.get(Settings.OPS_SHUTDOWN_TIMEOUT) * 1000L;
      transportSetting = node.get(Settings.NODE_TRANSPORT);
      if (node.get(Settings.LOGGING_JSON)) {
        JsonLogging.enable();
      }
    } catch (RuntimeException invalid) {
      // the node reports an invalid config itself, naming the setting, and the process exits
    }
    return config;
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    running = true;
    Runtime.getRuntime().addShutdownHook(new Thread(this::watchdog, "seed-shutdown-watchdog"));
  }

  @Override
  public void afterVertxStopped(HookContext context) {
    stopped.countDown();
  }

  @Override
  public void afterFailureToStopVertx(HookContext context, Throwable t) {
    Failures.error(LOG, "node did not stop cleanly: {}", t == null ? "timed out" : t);
    stopped.countDown();
  }

  /** A shutdown hook: returns once Vert.x has stopped, or halts the process after the bound. */
  private void watchdog() {
    try {
      if (!stopped.await(shutdownTimeoutMs, TimeUnit.MILLISECONDS)) {
        LOG.error("node still stopping after {} s (ops.shutdownTimeoutSeconds): halting", shutdownTimeoutMs / 1000);
        Runtime.getRuntime().halt(ExitCodes.SOFTWARE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
