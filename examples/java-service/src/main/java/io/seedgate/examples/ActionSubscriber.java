package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Subscribes to a fixed set of channels on one dedicated Redis connection and hands every message to a
 * consumer. When the connection is lost it reconnects and subscribes again, waiting 100 ms, 200 ms, ... up
 * to 5 s between attempts. Messages published while it is down are lost (that is Pub/Sub).
 *
 * <p>Create and use it from one context (a verticle's); the consumer runs there. Works with RESP3 (messages
 * are PUSH values {@code ["message", channel, payload]}) and RESP2 (the same as arrays). {@link #sharded} ones
 * subscribe with {@code SSUBSCRIBE} (their messages are {@code smessage}s), and a channel Redis moves away (its
 * slot migrated: {@code sunsubscribe}) or a lost connection is told to {@link #onLost}, for a caller that must make
 * a new plan of which server holds which channel.
 */
final class ActionSubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(ActionSubscriber.class);
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;
  static final long SUBSCRIBE_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final List<Redis> clients;
  /** A client for the master the Sentinels announced last ({@link #followNewMaster}), tried first; else null. */
  private Redis announced;
  private int current;
  private final List<String> channels;
  private final BiConsumer<String, Buffer> consumer;
  private RedisConnection connection;
  private Set<String> unconfirmed = Set.of();
  private Promise<Void> subscribed;
  private long clientId = -1;
  private volatile long subscribedClientId = -1;
  private long backoffMs;
  private boolean closed;
  private boolean sharded;
  private Runnable onLost = () -> { };

  /**
   * @param endpoints where to connect, tried in turn when one cannot be reached (the nodes of a cluster: any one
   *                  receives what is published on every node)
   */
  ActionSubscriber(Vertx vertx, List<RedisOptions> endpoints, List<String> channels,
                   BiConsumer<String, Buffer> consumer) {
    this.vertx = vertx;
    this.clients = endpoints.stream().map(o -> Redis.createClient(vertx, o)).toList();
    this.channels = List.copyOf(channels);
    this.consumer = consumer;
  }

  /** Subscribes with SSUBSCRIBE (sharded Pub/Sub, Redis 7) instead of SUBSCRIBE; before {@link #start}. */
  ActionSubscriber sharded() {
    this.sharded = true;
    return this;
  }

  /** Runs when the connection is lost or Redis drops a sharded channel (its slot moved); before {@link #start}. */
  ActionSubscriber onLost(Runnable onLost) {
    this.onLost = onLost;
    return this;
  }

  /** Connects and subscribes; completes once Redis confirmed every channel, fails when it cannot now. */
  Future<Void> start() {
    return startWith(clients.size());
  }

  private Future<Void> startWith(int endpointsLeft) {
    return connectAndSubscribe().recover(e -> endpointsLeft > 1 && !closed ? startWith(endpointsLeft - 1)
      : Future.failedFuture(e));
  }

  /** The Redis client id (CLIENT ID) of the connection now subscribed, or -1; safe from any thread. */
  long clientId() {
    return subscribedClientId;
  }

  /**
   * The Sentinels announced a new master: the connection now (to the old master, which may stay up as a master for
   * a while, hearing no more of what the gateway publishes) is dropped, and the next one goes straight to the new
   * master.
   */
  void followNewMaster(RedisOptions master) {
    if (closed) {
      return;
    }
    Redis previous = announced;
    announced = Redis.createClient(vertx, master);
    RedisConnection c = connection;
    if (c != null) {
      LOG.warn("[redis: subscriber {}] the master moved: subscribing there", clientId);
      c.close(); // its end handler reconnects
    }
    if (previous != null) {
      previous.close();
    }
  }

  /** Stops reconnecting and closes the connection. */
  Future<Void> close() {
    closed = true;
    subscribedClientId = -1;
    RedisConnection c = connection;
    connection = null;
    Redis toAnnounced = announced;
    announced = null;
    Future<Void> closing = c == null ? Future.succeededFuture() : c.close();
    return closing.eventually(() -> Future.join(clients.stream().map(Redis::close).toList()))
      .eventually(() -> toAnnounced == null ? Future.succeededFuture() : toAnnounced.close());
  }

  /**
   * Connects with the master the Sentinels announced last, if any, else with the current endpoint; when that
   * cannot be reached, the next one is tried at the next attempt.
   */
  private Future<RedisConnection> connect() {
    Redis toAnnounced = announced;
    if (toAnnounced != null) {
      return toAnnounced.connect().recover(e -> connectToCurrent());
    }
    return connectToCurrent();
  }

  private Future<RedisConnection> connectToCurrent() {
    Redis client = clients.get(current);
    return client.connect().onFailure(e -> current = (current + 1) % clients.size());
  }

  private Future<Void> connectAndSubscribe() {
    return connect().compose(c -> {
      if (closed) {
        return c.close().compose(v -> Future.failedFuture("subscriber closed"));
      }
      attach(c);
      return c.send(Request.cmd(Command.CLIENT).arg("ID")).compose(id -> {
        clientId = id.toLong();
        unconfirmed = new HashSet<>(channels);
        subscribed = Promise.promise();
        return subscribe(c)
          .compose(v -> subscribed.future().timeout(SUBSCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS));
      }).onSuccess(v -> {
        backoffMs = 0;
        subscribedClientId = clientId;
        LOG.info("[redis: subscriber {}] subscribed to {}", clientId, channels);
      }).onFailure(e -> {
        if (connection == c) {
          connection = null;
        }
        c.close();
      });
    });
  }

  /**
   * One SUBSCRIBE of every channel; sharded, one SSUBSCRIBE per channel (Redis refuses one whose channels are in
   * different hash slots), pipelined. The confirmations come to {@link #onPush}.
   */
  private Future<?> subscribe(RedisConnection c) {
    if (!sharded) {
      Request subscribe = Request.cmd(Command.SUBSCRIBE);
      channels.forEach(subscribe::arg);
      return c.send(subscribe);
    }
    return Future.all(channels.stream().map(ch -> c.send(Request.cmd(Command.SSUBSCRIBE).arg(ch))).toList());
  }

  private void attach(RedisConnection c) {
    connection = c;
    c.handler(this::onPush);
    c.exceptionHandler(e -> {
      LOG.warn("[redis: subscriber {}] connection error: {}", clientId, e.getMessage());
      c.close();
    });
    c.endHandler(v -> lost(c));
  }

  private void onPush(Response r) {
    if (r != null && r.type() == ResponseType.ERROR && subscribed != null) {
      subscribed.tryFail("Redis refused the subscription: " + r);
      return;
    }
    if (r == null || (r.type() != ResponseType.PUSH && r.type() != ResponseType.MULTI) || r.size() < 3) {
      return;
    }
    String kind = r.get(0).toString();
    if ("message".equals(kind) || "smessage".equals(kind)) {
      consumer.accept(r.get(1).toString(), r.get(2).toBuffer());
    } else if ("sunsubscribe".equals(kind) && !closed) {
      LOG.warn("[redis: subscriber {}] Redis dropped channel {} (its slot moved)", clientId, r.get(1));
      onLost.run();
    } else if ("subscribe".equals(kind) || "ssubscribe".equals(kind)) {
      unconfirmed.remove(r.get(1).toString());
      if (unconfirmed.isEmpty() && subscribed != null) {
        subscribed.tryComplete();
      }
    }
  }

  private void lost(RedisConnection c) {
    subscribedClientId = -1;
    if (subscribed != null) {
      subscribed.tryFail("connection closed before the subscription was confirmed");
    }
    if (connection != c) {
      return;
    }
    connection = null;
    if (!closed) {
      LOG.warn("[redis: subscriber {}] connection lost, reconnecting", clientId);
      scheduleReconnect();
      onLost.run();
    }
  }

  private void scheduleReconnect() {
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
    vertx.setTimer(backoffMs, t -> {
      if (closed) {
        return;
      }
      connectAndSubscribe().onFailure(e -> {
        LOG.debug("[redis: subscriber {}] resubscribe failed, retrying: {}", clientId, e.getMessage());
        if (!closed) {
          scheduleReconnect();
        }
      });
    });
  }
}
