package io.seedgate.common.redis;

import io.seedgate.common.Failures;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One dedicated Redis connection that reconnects by itself, with capped exponential backoff.
 *
 * <p>Commands sent on it are pipelined. While it is down, {@link #send} fails at once with
 * {@link ErrorCode#UNAVAILABLE} rather than queueing without bound. After every reconnect the
 * {@link #onReconnect} step runs, so a subscriber can subscribe again; when that step fails, the fresh
 * connection is dropped and the cycle repeats with backoff, so a link never stays up in a half-restored state.
 * Create and use it from one context (a verticle's): its callbacks run there.
 */
public final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  static final long MIN_BACKOFF_MS = 50;
  static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final Redis client;
  private final String name;
  private final LongAdder errors;
  private RedisConnection connection;
  private Handler<Response> messageHandler = r -> { };
  private Supplier<Future<?>> restore = Future::succeededFuture;
  private Handler<Void> lostHandler = v -> { };
  private long backoffMs;
  private boolean closed;

  private RedisLink(Vertx vertx, RedisEndpoint endpoint, String name) {
    this.vertx = vertx;
    this.name = name;
    this.errors = RedisErrors.of(vertx);
    this.client = Redis.createClient(vertx, endpoint.toRedisOptions().setMaxWaitingHandlers(1 << 16));
  }

  /**
   * Connects once to the Redis a URL names ({@link RedisEndpoint#parse}); the future fails when the URL is not one
   * or Redis cannot be reached now. Later losses are repaired by itself.
   */
  public static Future<RedisLink> connect(Vertx vertx, String url, String name) {
    RedisEndpoint endpoint;
    try {
      endpoint = RedisEndpoint.parse(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return connect(vertx, endpoint, name);
  }

  /** Connects once; the future fails when Redis cannot be reached now. Later losses are repaired by itself. */
  public static Future<RedisLink> connect(Vertx vertx, RedisEndpoint endpoint, String name) {
    RedisLink link = new RedisLink(vertx, endpoint, name);
    return link.client.connect().map(c -> {
      link.attach(c);
      return link;
    });
  }

  /** Handles values Redis pushes without a request: Pub/Sub messages on a subscribed connection. */
  public RedisLink messageHandler(Handler<Response> handler) {
    this.messageHandler = handler;
    return this;
  }

  /**
   * Restores connection state (subscriptions) after each reconnect, not after the first connect. Until its
   * future completes the link counts as reconnecting; if it fails, the connection is dropped and the
   * reconnect is tried again after the next backoff step.
   */
  public RedisLink onReconnect(Supplier<Future<?>> restore) {
    this.restore = restore;
    return this;
  }

  /** Runs when the connection is lost (before reconnecting), so a caller can fail what waits for a reply on it. */
  public RedisLink onLost(Handler<Void> handler) {
    this.lostHandler = handler;
    return this;
  }

  /**
   * Drops the current connection and reconnects with backoff, running the {@link #onReconnect} step again:
   * for a caller that no longer knows the connection's state, such as a SUBSCRIBE that Redis refused.
   */
  public void reconnect(String reason) {
    RedisConnection c = connection;
    if (c != null && !closed) {
      LOG.warn("[redis: {}] dropping the connection to start afresh: {}", name, reason);
      lost(c);
      c.close();
    }
  }

  public boolean connected() {
    return connection != null;
  }

  /** Sends one command; fails with {@link ErrorCode#UNAVAILABLE} when not connected. */
  public Future<Response> send(Request request) {
    RedisConnection c = connection;
    if (c == null) {
      errors.increment();
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis link '" + name + "' is down"));
    }
    return c.send(request);
  }

  /** Sends commands in one write, without MULTI; fails with {@link ErrorCode#UNAVAILABLE} when not connected. */
  public Future<List<Response>> batch(List<Request> requests) {
    RedisConnection c = connection;
    if (c == null) {
      errors.increment();
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis link '" + name + "' is down"));
    }
    return c.batch(requests);
  }

  public Future<Void> close() {
    closed = true;
    RedisConnection c = connection;
    connection = null;
    Future<Void> closing = c == null ? Future.succeededFuture() : c.close();
    return closing.eventually(client::close);
  }

  private void attach(RedisConnection c) {
    connection = c;
    c.handler(r -> messageHandler.handle(r));
    c.exceptionHandler(e -> {
      errors.increment();
      Failures.warn(LOG, "[redis: {}] connection error: {}", name, e);
      // treated as lost here, not only in the end handler, which the client may not reach after an error
      lost(c);
      c.close();
    });
    c.endHandler(v -> lost(c));
  }

  private void lost(RedisConnection c) {
    if (connection != c) {
      return;
    }
    connection = null;
    lostHandler.handle(null);
    if (!closed) {
      errors.increment();
      LOG.warn("[redis: {}] connection lost, reconnecting", name);
      scheduleReconnect();
    }
  }

  private void scheduleReconnect() {
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
    vertx.setTimer(backoffMs, t -> {
      if (closed) {
        return;
      }
      client.connect().onComplete(ar -> {
        if (ar.failed()) {
          errors.increment();
          LOG.debug("[redis: {}] reconnect failed: {}", name, ar.cause().getMessage());
          scheduleReconnect();
        } else if (closed) {
          ar.result().close();
        } else {
          RedisConnection c = ar.result();
          attach(c);
          restoreAfterReconnect(c);
        }
      });
    });
  }

  private void restoreAfterReconnect(RedisConnection c) {
    Future<?> restored;
    try {
      restored = restore.get();
    } catch (RuntimeException e) {
      restored = Future.failedFuture(e);
    }
    restored.onComplete(ar -> {
      if (connection != c) {
        return; // lost again meanwhile: that loss already scheduled the next attempt
      }
      if (ar.succeeded()) {
        backoffMs = 0;
        LOG.info("[redis: {}] reconnected", name);
      } else {
        // counted as an error by lost(), which also schedules the next attempt
        Failures.warn(LOG, "[redis: {}] reconnected but could not restore its state, retrying: {}", name,
          ar.cause());
        lost(c);
        c.close();
      }
    });
  }
}
