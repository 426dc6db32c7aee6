package io.seedgate.common.config;

import io.seedgate.common.config.Setting.Type;
import io.seedgate.common.redis.RedisEndpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Every setting a node understands, in one place. The config loader rejects anything not listed here, and the
 * README's configuration table is checked against this list by a test.
 */
public final class Settings {

  public static final String PROFILE_DEV = "dev";
  public static final String PROFILE_PROD = "prod";
  public static final String ROLE_GATEWAY = "gateway";
  public static final String ROLE_ROUTER = "router";
  public static final String ROLE_PERSISTENCE = "persistence";
  public static final String AUTH_REDIS = "redis";
  public static final String AUTH_JWT = "jwt";

  private static final Map<String, Setting<?>> ALL = new LinkedHashMap<>();

  public static final Setting<String> PROFILE = add("profile", Type.STRING, PROFILE_DEV, "dev or prod",
    oneOf(PROFILE_DEV, PROFILE_PROD),
    "dev falls back to embedded Redis and PostgreSQL when none is reachable; prod refuses to start instead");
  public static final Setting<String> NODE_ID = add("node.id", Type.STRING, "", "letters, digits, '-', '_' or empty",
    v -> v.matches("[A-Za-z0-9_-]{0,64}"),
    "this node's name in the cluster and in service envelopes; empty picks <host>-<random>");
  public static final Setting<Integer> LEASE_SECONDS = add("node.leaseSeconds", Type.INT, 10, "2 to 300",
    range(2, 300),
    "each gateway instance renews a liveness lease in Redis every quarter of this; when it lapses (a crash, "
      + "kill -9) any router ends that instance's sessions within about this plus 2 s, with or without a "
      + "surviving cluster member");
  public static final Setting<Integer> CONFIG_SCAN_SECONDS = add("node.configScanSeconds", Type.INT, 5, "0 to 3600",
    range(0, 3600), "how often the node reads its -conf file again; the settings marked 'applies live' take effect "
      + "when it changed, a file with an unknown setting or a bad value is refused and logged; 0 never reads it again");
  public static final Setting<List<String>> ROLES = add("roles", Type.STRING_LIST,
    List.of(ROLE_GATEWAY, ROLE_ROUTER, ROLE_PERSISTENCE), "a non-empty subset of gateway, router, persistence",
    v -> !v.isEmpty() && allOf(v, Set.of(ROLE_GATEWAY, ROLE_ROUTER, ROLE_PERSISTENCE)),
    "which roles this node runs");
  public static final Setting<String> NODE_TRANSPORT = add("node.transport", Type.STRING, "epoll",
    "epoll, io_uring or nio", oneOf("epoll", "io_uring", "nio"),
    "Netty's transport under every socket of the node: epoll (Linux), io_uring (Linux; a container's seccomp "
      + "profile may forbid it) or nio (Java's, anywhere); one that cannot load here falls back to epoll, then nio, "
      + "with a warning; -options '{\"preferNativeTransport\":false}' still means nio");

  public static final Setting<String> REDIS_URL = add("redis.url", Type.STRING, "redis://127.0.0.1:6379",
    "a redis:// URL, or empty", v -> v.isEmpty() || RedisEndpoint.parse(v) != null,
    "Redis for sessions, actions and deliveries; empty means embedded (dev profile only)");
  public static final String REDIS_STANDALONE = "standalone";
  public static final String REDIS_CLUSTER = "cluster";
  public static final String REDIS_SENTINEL = "sentinel";
  public static final Setting<String> REDIS_MODE = add("redis.mode", Type.STRING, REDIS_STANDALONE,
    "standalone, cluster or sentinel", oneOf(REDIS_STANDALONE, REDIS_CLUSTER, REDIS_SENTINEL),
    "standalone: the one Redis of redis.url; cluster: a Redis Cluster reached through the seed nodes of "
      + "redis.endpoints; sentinel: the master that the Sentinels of redis.endpoints name redis.masterName (followed "
      + "through failovers); embedded Redis only in standalone");
  public static final Setting<List<String>> REDIS_ENDPOINTS = add("redis.endpoints", Type.STRING_LIST, List.of(),
    "redis:// URLs", v -> v.stream().allMatch(u -> RedisEndpoint.parse(u) != null),
    "cluster: some of the cluster's nodes (any; the rest are found from them); sentinel: the Sentinels; each URL with "
      + "the user and password of the nodes (Sentinel: the same for the Sentinels and the master); not read in "
      + "standalone");
  public static final Setting<String> REDIS_MASTER_NAME = add("redis.masterName", Type.STRING, "mymaster",
    "a name", v -> !v.isBlank(), "sentinel: the name under which the Sentinels monitor the master");
  public static final Setting<String> POSTGRES_URL = add("postgres.url", Type.STRING,
    "postgresql://postgres@127.0.0.1:5432/postgres", "a postgresql:// URL, or empty",
    v -> v.isEmpty() || v.startsWith("postgresql://") || v.startsWith("postgres://"),
    "PostgreSQL for saved player state; empty means embedded (dev profile only)");

  public static final Setting<String> GATEWAY_HOST = add("gateway.host", Type.STRING, "0.0.0.0", "an interface address",
    v -> !v.isBlank(), "address the client ports bind to");
  public static final Setting<Integer> GATEWAY_INSTANCES = add("gateway.instances", Type.INT, 0, "0 to 256",
    range(0, 256), "gateway verticle instances, each on its own event loop; 0 means one per CPU core");
  public static final Setting<Boolean> WS_ENABLED = add("gateway.websocket.enabled", Type.BOOL, true, "true or false",
    v -> true, "serve WebSocket clients");
  public static final Setting<Integer> WS_PORT = add("gateway.websocket.port", Type.INT, 8081, "0 to 65535",
    range(0, 65535), "WebSocket port (any path); 0 picks a free port");
  public static final Setting<Integer> WS_MAX_FRAME_BYTES = add("gateway.websocket.maxFrameBytes", Type.INT, 65536,
    "256 to 16777216", range(256, 16 * 1024 * 1024),
    "largest client message; a bigger one gets an error and a close");
  public static final Setting<Boolean> TCP_ENABLED = add("gateway.tcp.enabled", Type.BOOL, true, "true or false",
    v -> true, "serve 2021 TCP clients (JSON messages followed by ||, both ways)");
  public static final Setting<Integer> TCP_PORT = add("gateway.tcp.port", Type.INT, 8082, "0 to 65535",
    range(0, 65535), "TCP port; 0 picks a free port");
  public static final Setting<Integer> TCP_MAX_FRAME_BYTES = add("gateway.tcp.maxFrameBytes", Type.INT, 65536,
    "256 to 16777216", range(256, 16 * 1024 * 1024),
    "largest TCP client message (without the ||); a bigger one gets an error and a close, never buffered whole");
  public static final Setting<Boolean> TCP_TLS_ENABLED = add(
    "gateway.tcp.tls.enabled", Type.BOOL, false, "true or false",
    v -> true, "TLS on the TCP port (needs gateway.tcp.tls.certFile and gateway.tcp.tls.keyFile)");
  public static final Setting<String> TCP_TLS_CERT_FILE = add("gateway.tcp.tls.certFile", Type.STRING, "",
    "a PEM file path, or empty", v -> true, "TCP TLS certificate chain (PEM)");
  public static final Setting<String> TCP_TLS_KEY_FILE = add("gateway.tcp.tls.keyFile", Type.STRING, "",
    "a PEM file path, or empty", v -> true, "TCP TLS private key (PEM)");
  public static final Setting<Boolean> UDP_ENABLED = add("gateway.udp.enabled", Type.BOOL, true, "true or false",
    v -> true, "serve 2021 UDP clients (one gateway instance per node listens)");
  public static final Setting<Integer> UDP_PORT = add("gateway.udp.port", Type.INT, 8083, "0 to 65535",
    range(0, 65535), "UDP port; 0 picks a free port");
  public static final Setting<Integer> UDP_MAX_DATAGRAM_BYTES = add("gateway.udp.maxDatagramBytes", Type.INT, 8192,
    "256 to 65507", range(256, 65507), "largest client datagram; bigger ones are dropped unanswered and counted");
  public static final Setting<Integer> UDP_MAX_OUTBOUND_DATAGRAM_BYTES = add(
    "gateway.udp.maxOutboundDatagramBytes", Type.INT,
    8192, "512 to 65507", range(512, 65507),
    "largest server datagram; a bigger message is replaced by {\"error\":\"message too large for udp\",\"limit\":N}"
      + " and counted (over about 1472 bytes a datagram is IP-fragmented)");
  public static final Setting<Integer> IDLE_TIMEOUT = add("gateway.idleTimeoutSeconds", Type.INT, 300, "1 to 86400",
    range(1, 86400), "a session with no client message for this long gets {\"error\":\"timeout\"} and is closed");
  public static final Setting<Integer> AUTH_TIMEOUT = add("gateway.authTimeoutSeconds", Type.INT, 10, "1 to 600",
    range(1, 600), "a connection that has not presented a token by then is closed, as is one whose token was refused; "
      + "one whose token came in time is not cut while the token is checked or waits its turn "
      + "(gateway.limits.loginQueue)");
  public static final Setting<Integer> ACCEPT_BACKLOG = add("gateway.acceptBacklog", Type.INT, 8192, "1 to 1048576",
    range(1, 1 << 20), "connections the kernel holds for the WebSocket and TCP ports until they are accepted (listen "
      + "backlog): room for a node's players reconnecting at once; Linux caps it at net.core.somaxconn, raise that too");
  public static final Setting<Integer> MAX_QUEUED_BYTES = add("gateway.maxQueuedBytes", Type.INT, 1024 * 1024,
    "4096 to 268435456", range(4096, 256 * 1024 * 1024),
    "outbound bytes queued for one slow client before it is disconnected");
  public static final Setting<Boolean> RESUME_ENABLED = add("gateway.resume.enabled", Type.BOOL, true,
    "true or false", v -> true, "a client may ask for a resumable session (\"resume\":true at login): its deliveries "
      + "are numbered and replayed after a reconnect within gateway.resume.windowSeconds; clients that do not ask see "
      + "no change");
  public static final Setting<Integer> RESUME_WINDOW_SECONDS = add("gateway.resume.windowSeconds", Type.INT, 30,
    "1 to 3600", range(1, 3600), "how long a resumable session whose connection dropped stays online, on its map and "
      + "buffering, waiting for its client to resume it; then it ends as usual");
  public static final Setting<Integer> RESUME_BUFFER_BYTES = add("gateway.resume.bufferBytes", Type.INT, 262_144,
    "1024 to 67108864", range(1024, 64 * 1024 * 1024), "payload bytes of recent deliveries a resumable session keeps "
      + "for a replay: the oldest are dropped while its client is connected; a detached session past it ends at once "
      + "(a resume then answers reason overflowed)");

  public static final Setting<Integer> MESSAGES_PER_SECOND = live(add("gateway.limits.messagesPerSecond", Type.INT, 20,
    "1 to 100000", range(1, 100_000),
    "messages per second one connection may send on average (token bucket); excess ones get an error and are dropped"));
  public static final Setting<Integer> MESSAGE_BURST = live(add(
    "gateway.limits.messageBurst", Type.INT, 40, "1 to 100000",
    range(1, 100_000), "messages one connection may send at once above the rate; after this many more dropped in a "
      + "row the connection is closed"));
  public static final Setting<Integer> MAX_CONNECTIONS = live(add("gateway.limits.maxConnections", Type.INT, 100_000,
    "1 to 10000000", range(1, 10_000_000), "client connections one node accepts (all transports); more get "
      + "{\"error\":\"too many connections\"} and a close"));
  public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = live(add(
    "gateway.limits.maxConnectionsPerIp", Type.INT, 256,
    "1 to 10000000", range(1, 10_000_000), "unauthenticated client connections (waiting for their token or its "
      + "check) one node holds from one IP address; more get {\"error\":\"too many connections\"} and a close. "
      + "Authenticated players do not count, so any number may share an address (carrier-grade NAT, campus). One "
      + "lives at most gateway.authTimeoutSeconds, and a login takes milliseconds on a node that is not overloaded: "
      + "256 then let one address log in thousands of players a second"));
  public static final Setting<Integer> LOGINS_IN_FLIGHT = live(add(
    "gateway.limits.loginsInFlight", Type.INT, 64, "1 to 100000",
    range(1, 100_000), "token checks one gateway instance has at the router at once; further logins wait their turn "
      + "in its queue (first come, first served) rather than flood the router when many players reconnect at once"));
  public static final Setting<Integer> LOGIN_QUEUE = live(add(
    "gateway.limits.loginQueue", Type.INT, 16384, "0 to 10000000",
    range(0, 10_000_000), "logins one gateway instance keeps waiting for a token check; when it is full a login gets "
      + "{\"error\":\"service unavailable\"} and a close, as does one that waited 20 s. A login waiting here is not "
      + "cut by gateway.authTimeoutSeconds (its token came in time)"));

  public static final Setting<String> ACTION_CHANNEL_PREFIX = add("routing.actionChannelPrefix", Type.STRING, "action:",
    "a non-empty string", v -> !v.isEmpty(),
    "actions of model <m> are published on channel <prefix><m>");
  public static final Setting<Integer> ACTION_CHANNELS = add("routing.actionChannels", Type.INT, 0, "0 to 16384",
    range(0, 16_384), "0: an action of model <m> is PUBLISHed on <prefix><m> (2021, what every service subscribes); "
      + "N: it is SPUBLISHed (Redis 7 sharded Pub/Sub) on one of N channels <prefix><m>:<n>, n from the player's "
      + "token, so that one player's actions keep their order, and services SSUBSCRIBE all N of each model. On a "
      + "Redis Cluster the N channels spread over the shards and the actions with them, where a PUBLISH goes to "
      + "every shard; the action's HSET is then acknowledged before its SPUBLISH is sent");
  public static final Setting<List<String>> ALLOWED_MODELS = add("routing.allowedModels", Type.STRING_LIST, List.of(),
    "model names; empty allows all", v -> true,
    "when non-empty, actions of other models get an error and the connection stays open");
  public static final Setting<String> BROADCAST_CHANNEL = add("routing.broadcastChannel", Type.STRING, "broadcast",
    "a non-empty string", v -> !v.isEmpty(), "a message published here reaches every online player");
  public static final String PUBSUB_CLASSIC = "classic";
  public static final String PUBSUB_SHARDED = "sharded";
  public static final Setting<String> PUBSUB = add("routing.pubsub", Type.STRING, PUBSUB_CLASSIC, "classic or sharded",
    oneOf(PUBSUB_CLASSIC, PUBSUB_SHARDED), "how the gateway subscribes to the delivery channels (token:, player:, map:, "
      + "the broadcast channel): classic SUBSCRIBE, which a service's PUBLISH reaches (on a Redis Cluster every shard "
      + "carries every message); or sharded SSUBSCRIBE on the master owning each channel, which only SPUBLISH "
      + "reaches (Redis 7; the delivery load splits across shards); the control channel stays classic, actions follow "
      + "routing.actionChannels");
  public static final Setting<String> CONTROL_CHANNEL = add("routing.controlChannel", Type.STRING, "gateway:control",
    "a non-empty string", v -> !v.isEmpty(),
    "services publish session commands here (move a player to another map, kick a player)");

  public static final Setting<Boolean> OPS_ENABLED = add("ops.enabled", Type.BOOL, true, "true or false", v -> true,
    "serve the operations HTTP port: /health, /ready, /metrics, /admin and the /status page");
  public static final Setting<String> OPS_HOST = add("ops.host", Type.STRING, "0.0.0.0", "an interface address",
    v -> !v.isBlank(), "address the operations port binds to");
  public static final Setting<Integer> OPS_PORT = add("ops.port", Type.INT, 8090, "0 to 65535", range(0, 65535),
    "operations HTTP port; 0 picks a free port");
  public static final Setting<String> OPS_ADMIN_TOKEN = add("ops.adminToken", Type.STRING, "",
    "empty, or at least 16 characters", v -> v.isEmpty() || v.length() >= 16,
    "bearer token of the admin API and of the status page's data; empty refuses them all");
  public static final Setting<Integer> OPS_SHUTDOWN_TIMEOUT = add(
    "ops.shutdownTimeoutSeconds", Type.INT, 30, "1 to 3600",
    range(1, 3600), "on SIGTERM or a drain, the process exits within this many seconds even if stopping hangs");
  public static final Setting<Boolean> LOGGING_JSON = add("logging.json", Type.BOOL, false, "true or false", v -> true,
    "log JSON lines (logback's JsonEncoder) instead of human-readable text");

  public static final Setting<List<String>> AUTH_MODES = add(
    "auth.modes", Type.STRING_LIST, List.of(AUTH_REDIS, AUTH_JWT),
    "a non-empty subset of redis, jwt", v -> !v.isEmpty() && allOf(v, Set.of(AUTH_REDIS, AUTH_JWT)),
    "accepted token kinds: redis = 2021 token hash, jwt = signed JSON Web Token");
  public static final Setting<String> JWT_ALGORITHM = add(
    "auth.jwt.algorithm", Type.STRING, "HS256", "HS256, RS256 or ES256",
    oneOf("HS256", "RS256", "ES256"), "JWT signature algorithm");
  public static final Setting<String> JWT_SECRET = add("auth.jwt.secret", Type.STRING, "",
    "empty, or at least 32 characters", v -> v.isEmpty() || v.length() >= 32,
    "HS256 shared secret (required when jwt is on with HS256)");
  public static final Setting<String> JWT_PUBLIC_KEY_FILE = add(
    "auth.jwt.publicKeyFile", Type.STRING, "", "a PEM file path",
    v -> true, "RS256/ES256 public key (PEM, 'BEGIN PUBLIC KEY')");
  public static final Setting<String> JWT_MAP_CLAIM = add("auth.jwt.mapClaim", Type.STRING, "map", "a claim name",
    v -> !v.isEmpty(), "JWT claim holding the player's map id (sub holds the player id)");
  public static final Setting<String> JWT_ISSUER = add("auth.jwt.issuer", Type.STRING, "", "empty or an issuer",
    v -> true, "when set, the iss claim must equal it");
  public static final Setting<String> JWT_AUDIENCE = add("auth.jwt.audience", Type.STRING, "", "empty or an audience",
    v -> true, "when set, the aud claim must contain it");
  public static final Setting<Integer> JWT_LEEWAY = add(
    "auth.jwt.leewaySeconds", Type.INT, 0, "0 to 300", range(0, 300),
    "clock skew tolerated on exp and nbf");

  public static final Setting<String> DEFAULT_MAP = add("auth.defaultMap", Type.STRING, "1", "a map id",
    v -> !v.isEmpty(), "map of a player whose token names none (no map_id field, no map claim, no saved map)");

  public static final Setting<Integer> FLUSH_INTERVAL = add(
    "persistence.flushIntervalSeconds", Type.INT, 60, "1 to 3600",
    range(1, 3600), "how often changed player state is written from Redis to PostgreSQL");
  public static final Setting<Integer> FLUSH_BATCH_SIZE = add("persistence.batchSize", Type.INT, 1000, "1 to 100000",
    range(1, 100_000), "players written per PostgreSQL statement during a flush");
  public static final Setting<Integer> PG_POOL_SIZE = add("persistence.poolSize", Type.INT, 4, "1 to 64", range(1, 64),
    "PostgreSQL connections per node");

  public static final Setting<Boolean> EXAMPLE_SERVICE = add("examples.javaService", Type.BOOL, false, "true or false",
    v -> true, "also run the example game service (examples/java-service) inside this node, for trying it out");

  public static final Setting<Boolean> DEMO_ENABLED = add("demo.enabled", Type.BOOL, false, "true or false", v -> true,
    "serve the browser demo and its guest sign-in (POST /dev/guest, a JWT signed with auth.jwt.secret) on demo.port;"
      + " dev profile only: with prod, start-up fails");
  public static final Setting<Integer> DEMO_PORT = add("demo.port", Type.INT, 8080, "0 to 65535", range(0, 65535),
    "HTTP port of the browser demo (bound on gateway.host); 0 picks a free port");

  private Settings() {
  }

  /** All settings in declaration order. */
  public static Map<String, Setting<?>> all() {
    return Collections.unmodifiableMap(ALL);
  }

  private static <T> Setting<T> add(String path, Type<T> type, T def, String rule, Predicate<? super T> check,
                                    String doc) {
    return put(new Setting<>(path, type, def, rule, check, doc, false));
  }

  /** Marks a setting as one a changed config file applies to a running node. */
  private static <T> Setting<T> live(Setting<T> s) {
    return put(new Setting<>(s.path(), s.type(), s.defaultValue(), s.rule(), s.check(), s.description(), true));
  }

  private static <T> Setting<T> put(Setting<T> s) {
    ALL.put(s.path(), s);
    return s;
  }

  private static Predicate<Integer> range(int min, int max) {
    return v -> v >= min && v <= max;
  }

  private static Predicate<String> oneOf(String... values) {
    Set<String> allowed = Set.of(values);
    return allowed::contains;
  }

  private static boolean allOf(List<String> list, Set<String> allowed) {
    return list.stream().allMatch(allowed::contains);
  }
}
