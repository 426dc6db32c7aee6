package io.seedgate.examples;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * Settings of {@link ExampleGameService}, read from its deployment config:
 * <pre>{"redisUrl":"redis://127.0.0.1:6379","actionChannelPrefix":"action:","step":0.5}</pre>
 * Keys not named here are ignored, so the service can share a config with others.
 */
public class GameServiceOptions {

  public static final String REDIS_URL = "redisUrl";
  public static final String ACTION_CHANNEL_PREFIX = "actionChannelPrefix";
  public static final String STEP = "step";

  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_ACTION_CHANNEL_PREFIX = GameChannels.DEFAULT_ACTION_CHANNEL_PREFIX;
  public static final double DEFAULT_STEP = Moves.DEFAULT_STEP;

  private String redisUrl = DEFAULT_REDIS_URL;
  private String actionChannelPrefix = DEFAULT_ACTION_CHANNEL_PREFIX;
  private double step = DEFAULT_STEP;

  public GameServiceOptions() {
  }

  public GameServiceOptions(GameServiceOptions other) {
    this.redisUrl = other.redisUrl;
    this.actionChannelPrefix = other.actionChannelPrefix;
    this.step = other.step;
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
    return new JsonObject().put(REDIS_URL, redisUrl).put(ACTION_CHANNEL_PREFIX, actionChannelPrefix).put(STEP, step);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GameServiceOptions other && redisUrl.equals(other.redisUrl)
      && actionChannelPrefix.equals(other.actionChannelPrefix) && Double.compare(step, other.step) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(redisUrl, actionChannelPrefix, step);
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
