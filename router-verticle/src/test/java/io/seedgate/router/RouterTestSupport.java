package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.RedisDatabase;
import io.seedgate.common.embedded.BackingServices;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Router tests against the real Redis ({@link BackingServices#resolve}: the configured one, or an embedded one) in
 * a database of their own ({@link RedisDatabase#lease}), emptied before and after each test, and the event bus of a
 * real Vert.x.
 *
 * <p>Persistence is a small consumer on the event bus ({@link Persistence}) that records every
 * {@link Addresses#SAVE_PLAYER} and {@link Addresses#LOAD_PLAYER} request and answers it the way the test says
 * (saved, failed, held until released; a saved state or none): the role the router talks to, not a mock of Redis.
 */
abstract class RouterTestSupport {

  static final long TIMEOUT_S = 20;

  static String redisUrl;

  protected Vertx vertx;
  /** The context every router object of a test is created and used on (RedisLink wants one). */
  protected Context context;
  /** The test's own connection, for setting up and checking Redis. */
  protected Redis redis;
  /** The router's connection under test. */
  protected RedisLink link;
  protected Persistence persistence;

  /** A Redis database of the router tests' own for the test JVM, leased like every other test's. */
  @BeforeAll
  static void resolveRedis() {
    if (redisUrl == null) {
      String base = BackingServices.resolve(NodeConfig.defaults()).get(Settings.REDIS_URL);
      redisUrl = RedisDatabase.lease(base, "router-tests").url();
    }
  }

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    redis = Redis.createClient(vertx, redisUrl);
    cmd(Request.cmd(Command.FLUSHDB));
    link = onContext(() -> RedisLink.connect(vertx, redisUrl, "router-test"));
    persistence = new Persistence(vertx, redis);
    await(persistence.register());
  }

  @AfterEach
  void emptyDatabase() {
    try {
      if (redis != null) {
        cmd(Request.cmd(Command.FLUSHDB));
      }
    } finally {
      await(vertx.close());
    }
  }

  /** Runs the step on {@link #context} and waits for its outcome. */
  <T> T onContext(Supplier<Future<T>> step) {
    return await(start(step));
  }

  /** Starts the step on {@link #context}; its future completes there. */
  <T> Future<T> start(Supplier<Future<T>> step) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        step.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  SessionDirectory directory() {
    return onContext(() -> Future.succeededFuture(
      new SessionDirectory(vertx, link, "1", new DeliveryOptions().setSendTimeout(10_000))));
  }

  Response cmd(Request request) {
    return await(redis.send(request));
  }

  String get(String key) {
    Response r = cmd(Request.cmd(Command.GET).arg(key));
    return r == null ? null : r.toString();
  }

  String hget(String key, String field) {
    Response r = cmd(Request.cmd(Command.HGET).arg(key).arg(field));
    return r == null ? null : r.toString();
  }

  boolean exists(String key) {
    return cmd(Request.cmd(Command.EXISTS).arg(key)).toInteger() == 1;
  }

  boolean onMap(String map, String token) {
    return cmd(Request.cmd(Command.ZSCORE).arg(RedisKeys.mapGeoSet(map)).arg(token)) != null;
  }

  /** A 2021 token hash, as the sign-in app writes it. */
  void signIn(String token, String player, String map) {
    cmd(Request.cmd(Command.HSET).arg(token).arg(RedisKeys.F_ID).arg(player).arg(RedisKeys.F_MAP_ID).arg(map));
  }

  /** An {@link Addresses#AUTHENTICATE} request body. */
  static JsonObject login(String node, String incarnation, String session) {
    return new JsonObject().put("ip", "10.0.0.1").put("node", node).put("incarnation", incarnation)
      .put("session", session).put("transport", "websocket");
  }

  /** An {@link Addresses#SESSION_ENDED} request body. */
  static JsonObject ended(String player, String map, String token, String node, String incarnation, String session) {
    return new JsonObject().put("player", player).put("map", map).put("token", token).put("node", node)
      .put("incarnation", incarnation).put("session", session).put("reason", "closed");
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("expected a failure, got a success");
  }

  /**
   * The persistence role as the router sees it: a consumer of {@link Addresses#SAVE_PLAYER} and
   * {@link Addresses#LOAD_PLAYER} that records each request (and, for a save, the player's hash as it was when
   * the save was asked for) and answers as told.
   */
  static final class Persistence {

    enum Save { OK, FAIL, HOLD }

    final List<JsonObject> saves = new CopyOnWriteArrayList<>();
    /** The player's hash as the save found it, one per save. */
    final List<Map<String, String>> savedHashes = new CopyOnWriteArrayList<>();
    final List<JsonObject> loads = new CopyOnWriteArrayList<>();
    final Map<String, JsonObject> savedStates = new HashMap<>();
    volatile Save save = Save.OK;
    private final List<Message<JsonObject>> held = new ArrayList<>();
    /** Save requests no {@link #nextSave} took yet, and the callers of it still waiting for one. */
    private final java.util.ArrayDeque<JsonObject> untaken = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Promise<JsonObject>> takers = new java.util.ArrayDeque<>();
    private final Vertx vertx;
    private final Redis redis;

    Persistence(Vertx vertx, Redis redis) {
      this.vertx = vertx;
      this.redis = redis;
    }

    Future<Void> register() {
      return Future.all(
        vertx.eventBus().<JsonObject>consumer(Addresses.SAVE_PLAYER, this::onSave).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.LOAD_PLAYER, this::onLoad).completion()).mapEmpty();
    }

    /**
     * Completes with the body of the oldest save request no earlier call took, once it arrived: one that arrived
     * before this call counts (the test thread may be slower than the event loop).
     */
    synchronized Future<JsonObject> nextSave() {
      JsonObject arrived = untaken.poll();
      if (arrived != null) {
        return Future.succeededFuture(arrived);
      }
      Promise<JsonObject> taker = Promise.promise();
      takers.add(taker);
      return taker.future();
    }

    /** Answers the saves held so far (with success). */
    void releaseHeld() {
      vertx.runOnContext(v -> {
        List<Message<JsonObject>> answer;
        synchronized (this) {
          answer = new ArrayList<>(held);
          held.clear();
        }
        answer.forEach(m -> m.reply(new JsonObject().put("saved", true)));
      });
    }

    private void onSave(Message<JsonObject> msg) {
      JsonObject body = msg.body();
      redis.send(Request.cmd(Command.HGETALL).arg(body.getString("token"))).onComplete(ar -> {
        Map<String, String> hash = new HashMap<>();
        if (ar.succeeded() && ar.result() != null) {
          for (String k : ar.result().getKeys()) {
            hash.put(k, ar.result().get(k).toString());
          }
        }
        savedHashes.add(hash);
        saves.add(body);
        Promise<JsonObject> taker;
        synchronized (this) {
          taker = takers.poll();
          if (taker == null) {
            untaken.add(body);
          }
          if (save == Save.HOLD) {
            held.add(msg);
          }
        }
        switch (save) {
          case OK -> msg.reply(new JsonObject().put("saved", true));
          case FAIL -> msg.fail(1, "PostgreSQL away (test)");
          case HOLD -> { }
        }
        if (taker != null) {
          taker.complete(body);
        }
      });
    }

    private void onLoad(Message<JsonObject> msg) {
      loads.add(msg.body());
      JsonObject saved;
      synchronized (this) {
        saved = savedStates.get(msg.body().getString("player"));
      }
      msg.reply(saved == null ? new JsonObject().put("found", false) : saved.copy().put("found", true));
    }

    /** The state {@link Addresses#LOAD_PLAYER} answers for the player from now on. */
    synchronized void saved(String player, String map, JsonObject fields) {
      savedStates.put(player, new JsonObject().put("map", map).put("fields", fields));
    }
  }
}
