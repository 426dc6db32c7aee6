package io.seedgate.common.embedded;

import io.seedgate.common.FreePorts;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Setting;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.redis.RedisEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.IntPredicate;

/**
 * Finds the Redis and PostgreSQL a node uses. In the dev profile, when the configured one is empty or does not
 * answer (nothing listens there, or something that is not a Redis or a PostgreSQL), it starts an embedded one (once
 * per JVM) and says so in the log; in the prod profile it refuses.
 *
 * <p>The embedded servers come from an {@link EmbeddedServers} found with {@link ServiceLoader}: the
 * {@code dev-services} module, on the test class path and in the dev jar
 * ({@code node-dev/target/seed-gateway-dev.jar}), never in the production jar ({@code node/target/seed-gateway.jar}).
 * Without it the dev profile, too, refuses to start when a server does not answer, saying what to run instead.
 *
 * <p>Blocking: call it before Vert.x starts or from {@code executeBlocking}. At exit the embedded servers stop
 * only after the node's roles have (so that sessions ended by the shutdown are still saved).
 */
public final class BackingServices {

  private static final Logger LOG = LoggerFactory.getLogger(BackingServices.class);
  private static final int PROBE_TIMEOUT_MS = 1_000;
  /** The code of PostgreSQL's {@code SSLRequest}, the first message of a connection. */
  private static final int POSTGRES_SSL_REQUEST = 80877103;
  /** The command that builds and runs the dev jar, which adds the embedded servers. */
  public static final String DEV_JAR_COMMAND =
    "mvn -B -q package -DskipTests && java -jar node-dev/target/seed-gateway-dev.jar -conf conf/dev.json";

  private static String embeddedRedisUrl;
  private static String embeddedPostgresUrl;

  private BackingServices() {
  }

  /**
   * The config with {@code redis.url} and {@code postgres.url} pointing at servers that answer.
   *
   * @throws ConfigException in the prod profile, naming the server that could not be reached
   */
  public static NodeConfig resolve(NodeConfig config) {
    boolean dev = Settings.PROFILE_DEV.equals(config.get(Settings.PROFILE));
    Map<String, Object> resolved = new HashMap<>();
    String redis = config.get(Settings.REDIS_URL);
    // a cluster's or Sentinel's Redis is the operator's: no embedded stand-in for it
    boolean standalone = Settings.REDIS_STANDALONE.equals(config.get(Settings.REDIS_MODE));
    if (standalone && !answersRedis(redis)) {
      refuseUnlessDev(dev, "Redis", Settings.REDIS_URL.path(), redis);
      refuseWithoutEmbedded("Redis", Settings.REDIS_URL, redis);
      resolved.put(Settings.REDIS_URL.path(), embeddedRedis(redisPortOf(redis)));
      LOG.warn("[redis: {}] no Redis answers: using embedded Redis at {} (dev profile)", withoutPassword(redis),
        embeddedRedisUrl);
    }
    String pg = config.get(Settings.POSTGRES_URL);
    if (!answersPostgres(pg)) {
      refuseUnlessDev(dev, "PostgreSQL", Settings.POSTGRES_URL.path(), pg);
      refuseWithoutEmbedded("PostgreSQL", Settings.POSTGRES_URL, pg);
      resolved.put(Settings.POSTGRES_URL.path(), embeddedPostgres(portOf(pg, 5432)));
      LOG.warn("[postgres: {}] no PostgreSQL answers: using embedded PostgreSQL at {} (dev profile)",
        withoutPassword(pg),
        embeddedPostgresUrl);
    }
    return resolved.isEmpty() ? config : config.with(resolved);
  }

  /** Starts (once) an embedded Redis on a free loopback port and returns its URL. */
  public static synchronized String embeddedRedis() {
    return embeddedRedis(-1);
  }

  /**
   * Starts (once) an embedded Redis on the loopback port given when it is free (so that services using the
   * default URL find it), else on any free port, and returns its URL.
   *
   * @throws ConfigException when this class path has no {@link EmbeddedServers} (the production jar)
   */
  public static synchronized String embeddedRedis(int preferredPort) {
    if (embeddedRedisUrl == null) {
      embeddedRedisUrl = start("Redis", preferredPort, EmbeddedServers::startRedis);
    }
    return embeddedRedisUrl;
  }

  /** Starts (once) an embedded PostgreSQL on a free loopback port and returns its URL. */
  public static synchronized String embeddedPostgres() {
    return embeddedPostgres(-1);
  }

  /** Like {@link #embeddedRedis(int)}, for PostgreSQL. */
  public static synchronized String embeddedPostgres(int preferredPort) {
    if (embeddedPostgresUrl == null) {
      embeddedPostgresUrl = start("PostgreSQL", preferredPort, EmbeddedServers::startPostgres);
    }
    return embeddedPostgresUrl;
  }

  /** Whether this class path has embedded servers (the dev-services module: tests, the dev jar). */
  public static boolean embeddedAvailable() {
    return embeddedServers() != null;
  }

  private interface Starter {
    String start(EmbeddedServers servers, int port) throws Exception;
  }

  private static String start(String what, int preferredPort, Starter starter) {
    EmbeddedServers servers = embeddedServers();
    if (servers == null) {
      throw new ConfigException("no embedded " + what + " in this jar (the dev-services module is not on the class "
        + "path)");
    }
    try {
      return starter.start(servers, portToUse(preferredPort));
    } catch (Exception e) {
      throw new IllegalStateException("could not start embedded " + what + ": " + e, e);
    }
  }

  private static EmbeddedServers embeddedServers() {
    return ServiceLoader.load(EmbeddedServers.class, BackingServices.class.getClassLoader()).findFirst()
      .orElse(null);
  }

  /** Whether something accepts TCP connections at the URL's host and port; an empty URL is not reachable. */
  public static boolean reachable(String url, int defaultPort) {
    return probe(url, defaultPort, null, null);
  }

  /**
   * Whether a Redis answers at a {@code redis://} URL: it replies to {@code PING} (with {@code +PONG}, or an error
   * such as {@code -NOAUTH}: a Redis all the same). For {@code rediss://}, whether the port accepts connections.
   *
   * @throws IllegalArgumentException when the URL is not a Redis URL ({@link RedisEndpoint#parse})
   */
  public static boolean answersRedis(String url) {
    if (url == null || url.isEmpty()) {
      return false;
    }
    RedisEndpoint at = RedisEndpoint.parse(url);
    if (at.tls()) {
      return probe(at.host(), at.port(), null, null, at.toString());
    }
    byte[] ping = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    return probe(at.host(), at.port(), ping, first -> first == '+' || first == '-', at.toString());
  }

  /**
   * Whether a PostgreSQL answers at a {@code postgresql://} URL: it replies to the request that opens every
   * connection (whether it speaks TLS) with {@code S} or {@code N}. A port where something else listens (a Redis,
   * say) is not one: a connection pool would wait there for ever.
   */
  public static boolean answersPostgres(String url) {
    byte[] sslRequest = ByteBuffer.allocate(8).putInt(8).putInt(POSTGRES_SSL_REQUEST).array();
    return probe(url, 5432, sslRequest, first -> first == 'S' || first == 'N');
  }

  /**
   * Connects to the URL's host and port; when {@code hello} is given, sends it and tests the first byte of the
   * answer, all within {@link #PROBE_TIMEOUT_MS} each. An empty URL is not reachable.
   */
  private static boolean probe(String url, int defaultPort, byte[] hello, IntPredicate answer) {
    if (url == null || url.isEmpty()) {
      return false;
    }
    URI uri = URI.create(url);
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    return probe(host, uri.getPort() < 0 ? defaultPort : uri.getPort(), hello, answer, url);
  }

  /** Like {@link #probe(String, int, byte[], IntPredicate)}, at a host and port; {@code what} names them in logs. */
  private static boolean probe(String host, int port, byte[] hello, IntPredicate answer, String what) {
    try (Socket s = new Socket()) {
      try {
        s.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MS);
      } catch (IOException nothingThere) {
        return false;
      }
      if (hello == null) {
        return true;
      }
      int first;
      try {
        s.setSoTimeout(PROBE_TIMEOUT_MS);
        s.getOutputStream().write(hello);
        s.getOutputStream().flush();
        first = s.getInputStream().read();
      } catch (IOException noAnswer) {
        first = -1;
      }
      if (first < 0 || !answer.test(first)) {
        LOG.warn("[url: {}] {}:{} accepts connections but does not answer as the URL says it should",
          withoutPassword(what), host, port);
        return false;
      }
      return true;
    } catch (IOException closing) {
      return false;
    }
  }

  private static void refuseUnlessDev(boolean dev, String what, String setting, String url) {
    if (!dev) {
      throw new ConfigException("cannot reach " + what + " at '" + withoutPassword(url) + "' (setting '"
        + setting + "'): nothing answers there as " + what + "; the prod profile never falls back to an embedded one");
    }
  }

  private static void refuseWithoutEmbedded(String what, Setting setting, String url) {
    if (!embeddedAvailable()) {
      throw new ConfigException("cannot reach " + what + " at '" + withoutPassword(url) + "' (setting '"
        + setting.path() + "'): nothing answers there as " + what + ", and this jar has no embedded " + what + " for the dev profile "
        + "to fall back to (the production jar never carries embedded servers). Start " + what + " there, set "
        + setting.envName() + " to one that runs, or run the dev jar, which has embedded Redis and PostgreSQL: "
        + DEV_JAR_COMMAND);
    }
  }

  private static int portOf(String url, int defaultPort) {
    if (url == null || url.isEmpty()) {
      return defaultPort;
    }
    URI uri = URI.create(url);
    return loopbackPort(uri.getHost() == null ? "127.0.0.1" : uri.getHost(), uri.getPort() < 0 ? defaultPort
      : uri.getPort());
  }

  /** The port an embedded Redis should take for the URL: Redis's for an empty one, -1 when not on loopback. */
  private static int redisPortOf(String url) {
    if (url.isEmpty()) {
      return RedisEndpoint.DEFAULT_PORT;
    }
    RedisEndpoint at = RedisEndpoint.parse(url);
    return loopbackPort(at.host(), at.port());
  }

  /** The port, when the host is this machine's loopback (where an embedded server can take it), else -1. */
  private static int loopbackPort(String host, int port) {
    return host.equals("127.0.0.1") || host.equals("localhost") ? port : -1;
  }

  private static int portToUse(int preferred) throws IOException {
    if (preferred > 0) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", preferred));
        return preferred;
      } catch (IOException taken) {
        // fall through to any free port
      }
    }
    return FreePorts.tcp();
  }

  /**
   * The URL with the password of its user info masked ({@code postgresql://app:***@db/game}); a user without a
   * password is shown (both URLs are checked at config load: a Redis URL's user info always has its {@code :}).
   */
  static String withoutPassword(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    if (start < 0 || at <= start) {
      return url;
    }
    int colon = url.indexOf(':', start + 2);
    return colon < 0 || colon > at ? url : url.substring(0, colon + 1) + "***" + url.substring(at);
  }
}
