package io.seedgate.examples;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * Settings of {@link ExampleGameService}, read from its deployment config:
 * <pre>{"redisUrl":"redis://127.0.0.1:6379","actionChannelPrefix":"action:","step":0.5}</pre>
 * or, on a Redis Cluster, {@code "redisCluster":["redis://10.0.0.1:7000","redis://10.0.0.2:7000"]} (some of its
 * nodes; {@code redisUrl} is then not read), or behind Sentinel {@code "redisSentinels":["redis://10.0.0.1:26379"],
 * "redisMasterName":"mymaster"} (the master found through them, again after a failover).
 * Keys not named here are ignored, so the service can share a config with others.
 */
public class GameServiceOptions {

  public static final String REDIS_URL = "redisUrl";
  public static final String ACTION_CHANNEL_PREFIX = "actionChannelPrefix";
  public static final String STEP = "step";
  public static final String REDIS_CLUSTER = "redisCluster";
  public static final String SHARDED_PUBSUB = "shardedPubSub";
  public static final String ACTION_CHANNELS = "actionChannels";
  public static final String REDIS_SENTINELS = "redisSentinels";
  public static final String REDIS_MASTER_NAME = "redisMasterName";
  public static final String DEFAULT_REDIS_MASTER_NAME = "mymaster";

  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_ACTION_CHANNEL_PREFIX = GameChannels.DEFAULT_ACTION_CHANNEL_PREFIX;
  public static final double DEFAULT_STEP = Moves.DEFAULT_STEP;

  private String redisUrl = DEFAULT_REDIS_URL;
  private String actionChannelPrefix = DEFAULT_ACTION_CHANNEL_PREFIX;
  private double step = DEFAULT_STEP;
  private List<String> redisCluster = List.of();
  private boolean shardedPubSub;
  private int actionChannels;
  private List<String> redisSentinels = List.of();
  private String redisMasterName = DEFAULT_REDIS_MASTER_NAME;

  public GameServiceOptions() {
  }

  public GameServiceOptions(GameServiceOptions other) {
    this.redisUrl = other.redisUrl;
    this.actionChannelPrefix = other.actionChannelPrefix;
    this.step = other.step;
    this.redisCluster = other.redisCluster;
    this.shardedPubSub = other.shardedPubSub;
    this.actionChannels = other.actionChannels;
    this.redisSentinels = other.redisSentinels;
    this.redisMasterName = other.redisMasterName;
  }

  /**
   * Reads the settings present in {@code json}; absent ones keep their defaults.
   *
   * @throws IllegalArgumentException naming the setting whose value has the wrong type or is out of range
   */
  public GameServiceOptions(JsonObject json) {
    Object url = json.getValue(REDIS_URL);
    if (url != null) {
      setRedisUrl(string(REDIS_URL, url));
    }
    Object prefix = json.getValue(ACTION_CHANNEL_PREFIX);
    if (prefix != null) {
      setActionChannelPrefix(string(ACTION_CHANNEL_PREFIX, prefix));
    }
    Object cluster = json.getValue(REDIS_CLUSTER);
    if (cluster != null) {
      if (!(cluster instanceof JsonArray seeds) || !seeds.stream().allMatch(String.class::isInstance)) {
        throw new IllegalArgumentException("setting '" + REDIS_CLUSTER + "' must be a list of redis:// URLs, got: "
          + cluster);
      }
      setRedisCluster(seeds.stream().map(String.class::cast).toList());
    }
    Object sharded = json.getValue(SHARDED_PUBSUB);
    if (sharded != null) {
      if (!(sharded instanceof Boolean b)) {
        throw new IllegalArgumentException("setting '" + SHARDED_PUBSUB + "' must be true or false, got: " + sharded);
      }
      setShardedPubSub(b);
    }
    Object channels = json.getValue(ACTION_CHANNELS);
    if (channels != null) {
      if (!(channels instanceof Integer n)) {
        throw new IllegalArgumentException("setting '" + ACTION_CHANNELS + "' must be a whole number, got: " + channels);
      }
      setActionChannels(n);
    }
    Object sentinels = json.getValue(REDIS_SENTINELS);
    if (sentinels != null) {
      if (!(sentinels instanceof JsonArray list) || !list.stream().allMatch(String.class::isInstance)) {
        throw new IllegalArgumentException("setting '" + REDIS_SENTINELS + "' must be a list of redis:// URLs, got: "
          + sentinels);
      }
      setRedisSentinels(list.stream().map(String.class::cast).toList());
    }
    Object masterName = json.getValue(REDIS_MASTER_NAME);
    if (masterName != null) {
      setRedisMasterName(string(REDIS_MASTER_NAME, masterName));
    }
    Object step = json.getValue(STEP);
    if (step != null) {
      if (!(step instanceof Number n)) {
        throw new IllegalArgumentException("setting '" + STEP + "' must be a number, got: " + step);
      }
      setStep(n.doubleValue());
    }
  }

  public String getRedisUrl() {
    return redisUrl;
  }

  /** The Redis to talk to, e.g. {@code redis://127.0.0.1:6379}; not blank. */
  public GameServiceOptions setRedisUrl(String redisUrl) {
    if (redisUrl == null || redisUrl.isBlank()) {
      throw new IllegalArgumentException("setting '" + REDIS_URL + "' must not be blank");
    }
    this.redisUrl = redisUrl;
    return this;
  }

  public List<String> getRedisCluster() {
    return redisCluster;
  }

  /** Some nodes of the Redis Cluster to talk to (empty: the one Redis of {@link #getRedisUrl()}). */
  public GameServiceOptions setRedisCluster(List<String> seeds) {
    this.redisCluster = List.copyOf(seeds);
    return this;
  }

  public boolean isShardedPubSub() {
    return shardedPubSub;
  }

  /**
   * Whether replies go out with {@code SPUBLISH} (sharded Pub/Sub, for gateways with {@code routing.pubsub} sharded)
   * rather than {@code PUBLISH}; actions still arrive on classic channels.
   */
  public GameServiceOptions setShardedPubSub(boolean sharded) {
    this.shardedPubSub = sharded;
    return this;
  }

  public List<String> getRedisSentinels() {
    return redisSentinels;
  }

  /** The Sentinels watching the master to talk to (empty: no Sentinel). */
  public GameServiceOptions setRedisSentinels(List<String> sentinels) {
    this.redisSentinels = List.copyOf(sentinels);
    return this;
  }

  public String getRedisMasterName() {
    return redisMasterName;
  }

  /** The name under which the Sentinels know the master; not blank. */
  public GameServiceOptions setRedisMasterName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("setting '" + REDIS_MASTER_NAME + "' must not be blank");
    }
    this.redisMasterName = name;
    return this;
  }

  /**
   * Options of a client for commands: the cluster's (each command to its key's master), the master the Sentinels
   * name (asked again when a connection to it is lost, which is how a failover is followed), or the one server's.
   */
  public RedisOptions commandOptions() {
    if (!redisSentinels.isEmpty()) {
      RedisOptions options = new RedisOptions().setType(RedisClientType.SENTINEL).setMasterName(redisMasterName)
        .setRole(RedisRole.MASTER).setAutoFailover(false);
      redisSentinels.forEach(options::addConnectionString);
      return options;
    }
    if (redisCluster.isEmpty()) {
      return new RedisOptions().setConnectionString(redisUrl);
    }
    RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
    redisCluster.forEach(options::addConnectionString);
    return options;
  }

  /** One client's options per Sentinel, to hear them announce a new master ({@link MasterSwitches}); empty without. */
  public List<RedisOptions> sentinelOptions() {
    return redisSentinels.stream().map(url -> new RedisOptions().setConnectionString(url)).toList();
  }

  /**
   * Options of a client to the master the Sentinels announced at host:port: the first Sentinel's URL (its
   * credentials, database and scheme) with that host and port.
   */
  public RedisOptions announcedMasterOptions(String host, int port) {
    return optionsLike(redisSentinels.get(0), host, port);
  }


  /**
   * Where a subscriber may connect, in the order to try: a {@code PUBLISH} on any node of a cluster reaches the
   * subscribers of every node, so any one node will do.
   */
  public List<RedisOptions> subscriberOptions() {
    if (!redisSentinels.isEmpty()) {
      return List.of(commandOptions());
    }
    return (redisCluster.isEmpty() ? List.of(redisUrl) : redisCluster).stream()
      .map(url -> new RedisOptions().setConnectionString(url)).toList();
  }

  /** The gateway's {@code routing.actionChannels}: 0, classic action channels; N, N sharded ones per model. */
  public int getActionChannels() {
    return actionChannels;
  }

  /** 0 to 16384, as the gateway's {@code routing.actionChannels}. */
  public GameServiceOptions setActionChannels(int channels) {
    if (channels < 0 || channels > 16_384) {
      throw new IllegalArgumentException("setting '" + ACTION_CHANNELS + "' must be 0 to 16384, got: " + channels);
    }
    this.actionChannels = channels;
    return this;
  }

  /**
   * Options of a client to a server at host:port, with the credentials, database and scheme of a URL of the
   * same set-up (a cluster's seed, a Sentinel).
   */
  static RedisOptions optionsLike(String url, String host, int port) {
    URI like = URI.create(url);
    try {
      return new RedisOptions().setConnectionString(new URI(like.getScheme(), like.getUserInfo(), host, port,
        like.getPath(), null, null).toString());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("no URL for the server at " + host + ":" + port, e);
    }
  }

  public String getActionChannelPrefix() {
    return actionChannelPrefix;
  }

  /** Prefix of the channels the gateway publishes actions on ({@code <prefix><model>}); not empty. */
  public GameServiceOptions setActionChannelPrefix(String actionChannelPrefix) {
    if (actionChannelPrefix == null || actionChannelPrefix.isEmpty()) {
      throw new IllegalArgumentException("setting '" + ACTION_CHANNEL_PREFIX + "' must not be empty");
    }
    this.actionChannelPrefix = actionChannelPrefix;
    return this;
  }

  public double getStep() {
    return step;
  }

  /** How far one {@code move/*} action goes, in degrees; greater than 0 and at most 360. */
  public GameServiceOptions setStep(double step) {
    if (!(step > 0 && step <= 360)) {
      throw new IllegalArgumentException("setting '" + STEP + "' must be > 0 and <= 360, got: " + step);
    }
    this.step = step;
    return this;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put(REDIS_URL, redisUrl).put(ACTION_CHANNEL_PREFIX, actionChannelPrefix)
      .put(STEP, step);
    if (!redisCluster.isEmpty()) {
      json.put(REDIS_CLUSTER, new JsonArray(redisCluster));
    }
    if (shardedPubSub) {
      json.put(SHARDED_PUBSUB, true);
    }
    if (actionChannels > 0) {
      json.put(ACTION_CHANNELS, actionChannels);
    }
    if (!redisSentinels.isEmpty()) {
      json.put(REDIS_SENTINELS, new JsonArray(redisSentinels)).put(REDIS_MASTER_NAME, redisMasterName);
    }
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GameServiceOptions other && redisUrl.equals(other.redisUrl)
      && redisCluster.equals(other.redisCluster) && shardedPubSub == other.shardedPubSub
      && actionChannels == other.actionChannels && redisSentinels.equals(other.redisSentinels)
      && redisMasterName.equals(other.redisMasterName)
      && actionChannelPrefix.equals(other.actionChannelPrefix) && Double.compare(step, other.step) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(redisUrl, redisCluster, shardedPubSub, actionChannels, redisSentinels, redisMasterName, actionChannelPrefix, step);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }

  private static String string(String setting, Object value) {
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException("setting '" + setting + "' must be a string, got: " + value);
    }
    return s;
  }
}
