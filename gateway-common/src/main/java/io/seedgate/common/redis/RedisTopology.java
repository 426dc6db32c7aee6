package io.seedgate.common.redis;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the node's Redis is made of ({@code redis.mode}): one server, a Redis Cluster, or a master watched by
 * Sentinels; and how each kind of connection the node has reaches it. The one place that reads the Redis settings:
 * every Redis connection of the node (the gateway's actions and deliveries, the router's, persistence's, the admin
 * API's) is made from here.
 *
 * <ul>
 *   <li>{@link #commandOptions()}: for commands. Standalone: the server; cluster: the Vert.x client's cluster
 *   connection, which sends each command to the master of its key's hash slot and follows {@code MOVED}/{@code ASK}
 *   (a batch must then keep to one slot: {@link RedisLink#batch} splits it); Sentinel: the master the Sentinels
 *   name, asked again on every reconnect, which is how a failover is followed.</li>
 *   <li>{@link #subscriberOptions()}: for a classic Pub/Sub subscriber, one connection to one node. On a cluster a
 *   {@code PUBLISH} on any node reaches the subscribers of every node, so one node serves them all; the list holds
 *   one choice per seed endpoint, tried in turn when one is unreachable. Sentinel: the master.</li>
 * </ul>
 *
 * @param mode       how Redis is laid out
 * @param standalone the server of {@code redis.url} (standalone only, else {@code null})
 * @param endpoints  the cluster's seed nodes or the Sentinels (empty in standalone)
 * @param masterName the master's name at the Sentinels (Sentinel only)
 */
public record RedisTopology(Mode mode, RedisEndpoint standalone, List<RedisEndpoint> endpoints, String masterName) {

  /** The values of {@code redis.mode}. */
  public enum Mode {
    STANDALONE, CLUSTER, SENTINEL;

    static Mode of(String setting) {
      return valueOf(setting.toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RedisTopology {
    endpoints = List.copyOf(endpoints);
    if (mode == Mode.STANDALONE && standalone == null) {
      throw new IllegalArgumentException("standalone Redis needs its endpoint");
    }
    if (mode != Mode.STANDALONE && endpoints.isEmpty()) {
      throw new IllegalArgumentException("redis.mode " + mode + " needs redis.endpoints");
    }
  }

  /** One server. */
  public static RedisTopology standalone(RedisEndpoint endpoint) {
    return new RedisTopology(Mode.STANDALONE, endpoint, List.of(), null);
  }

  /** One server, from a URL ({@link RedisEndpoint#parse}). */
  public static RedisTopology standalone(String url) {
    return standalone(RedisEndpoint.parse(url));
  }

  /**
   * From the values of {@code redis.mode}, {@code redis.url}, {@code redis.endpoints} and {@code redis.masterName}
   * (see {@link io.seedgate.common.config.NodeConfig#redis()}).
   *
   * @throws IllegalArgumentException when the mode needs endpoints and none are given, or a URL is not one
   */
  public static RedisTopology of(String mode, String url, List<String> endpointUrls, String masterName) {
    Mode m = Mode.of(mode);
    if (m == Mode.STANDALONE) {
      return standalone(url);
    }
    if (endpointUrls.isEmpty()) {
      throw new IllegalArgumentException("redis.mode is " + m + " but redis.endpoints is empty: list "
        + (m == Mode.CLUSTER ? "some of the cluster's nodes" : "the Sentinels") + " as redis:// URLs");
    }
    List<RedisEndpoint> endpoints = endpointUrls.stream().map(RedisEndpoint::parse).toList();
    if (m == Mode.CLUSTER && endpoints.stream().anyMatch(e -> e.db() != 0)) {
      throw new IllegalArgumentException("a Redis Cluster has database 0 only: redis.endpoints must not name another");
    }
    return new RedisTopology(m, null, endpoints, m == Mode.SENTINEL ? masterName : null);
  }

  /** Options of a client for commands; callers add their own pool and queue limits. */
  public RedisOptions commandOptions() {
    return switch (mode) {
      case STANDALONE -> standalone.toRedisOptions();
      case CLUSTER -> many(RedisClientType.CLUSTER);
      case SENTINEL -> many(RedisClientType.SENTINEL).setMasterName(masterName).setRole(RedisRole.MASTER)
        // a failover is followed by our own reconnect, which asks the Sentinels again: the client's own swap of a
        // connection under its user would keep neither its handlers nor its subscriptions
        .setAutoFailover(false);
    };
  }

  /**
   * Options of a classic Pub/Sub subscriber's connection, in the order to try them: each reaches one node (a
   * cluster's seed, in turn) or, with Sentinel, the master.
   */
  public List<RedisOptions> subscriberOptions() {
    return switch (mode) {
      case STANDALONE, SENTINEL -> List.of(commandOptions());
      case CLUSTER -> endpoints.stream().map(RedisEndpoint::toRedisOptions).toList();
    };
  }

  /** Sentinel: one client's options per Sentinel, for watching their announcements ({@link SentinelWatch}). */
  public List<RedisOptions> sentinelOptions() {
    if (mode != Mode.SENTINEL) {
      throw new IllegalStateException("no Sentinels in " + mode + " mode");
    }
    return endpoints.stream()
      .map(e -> new RedisEndpoint(e.host(), e.port(), e.user(), e.password(), 0, e.tls()).toRedisOptions()).toList();
  }

  /**
   * Sentinel: options of a client to the master the Sentinels announced at {@code host}:{@code port}, with the
   * credentials, database and TLS of the first Sentinel's URL (as the Sentinel client uses for the master).
   */
  public RedisOptions announcedMasterOptions(String host, int port) {
    if (mode != Mode.SENTINEL) {
      throw new IllegalStateException("no Sentinels in " + mode + " mode");
    }
    RedisEndpoint first = endpoints.get(0);
    return new RedisEndpoint(host, port, first.user(), first.password(), first.db(), first.tls()).toRedisOptions();
  }

  /** Whether commands go to several masters by hash slot (then a batch must keep to one slot). */
  public boolean sharded() {
    return mode == Mode.CLUSTER;
  }

  /** The endpoints for logs and messages, passwords masked. */
  @Override
  public String toString() {
    return mode == Mode.STANDALONE ? standalone.toString()
      : mode + " " + endpoints.stream().map(RedisEndpoint::toString).collect(Collectors.joining(","))
        + (masterName == null ? "" : " master " + masterName);
  }

  private RedisOptions many(RedisClientType type) {
    RedisOptions options = new RedisOptions().setType(type);
    RedisEndpoint first = endpoints.get(0);
    for (RedisEndpoint e : endpoints) {
      options.addConnectionString(e.connectionString());
    }
    if (first.password() != null) {
      options.setPassword(first.password());
    }
    if (first.user() != null) {
      options.setUser(first.user());
    }
    first.configure(options.getNetClientOptions());
    return options;
  }
}
