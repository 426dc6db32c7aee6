package io.seedgate.common.config;

import io.vertx.config.spi.ConfigStore;
import io.vertx.config.spi.ConfigStoreFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * A vertx-config store (type {@value #TYPE}) of the {@code SEED_*} environment variables: each is parsed as its
 * setting's type and checked, and the store delivers them as a config object shaped like the file (nested), so that
 * merged over the file they win. An unknown {@code SEED_*} variable or a bad value fails the store, with a
 * {@link ConfigException} naming every one ({@link NodeConfig#environment(Map)}).
 *
 * <p>Store config: {@code {"variables":{"SEED_...":"..."}}}, the environment to read (tests); without it, the
 * process environment. The environment of a process does not change: it is read once.
 */
public final class EnvironmentStore implements ConfigStoreFactory {

  /** The store's type in {@link io.vertx.config.ConfigStoreOptions#setType}. */
  public static final String TYPE = "seed-env";

  @Override
  public String name() {
    return TYPE;
  }

  @Override
  public ConfigStore create(Vertx vertx, JsonObject configuration) {
    JsonObject given = configuration.getJsonObject("variables");
    Map<String, String> env = new HashMap<>();
    if (given == null) {
      env.putAll(System.getenv());
    } else {
      given.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
    }
    Future<Buffer> read;
    try {
      read = Future.succeededFuture(NodeConfig.environment(env).toBuffer());
    } catch (ConfigException e) {
      read = Future.failedFuture(e);
    }
    Future<Buffer> once = read;
    return new ConfigStore() {
      @Override
      public Future<Buffer> get() {
        return once;
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }
}
