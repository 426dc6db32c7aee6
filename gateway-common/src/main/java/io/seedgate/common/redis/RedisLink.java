package io.seedgate.common.redis;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One dedicated Redis connection that reconnects by itself, with capped exponential backoff.
 *
 * <p>Commands sent on it are pipelined. While it is down, {@link #send} fails at once with
 * {@link ErrorCode#UNAVAILABLE} rather than queueing without bound. After every reconnect the
 * {@link #onReconnect} handler runs, so a subscriber can subscribe again. Create and use it from one
 * context (a verticle's): its callbacks run there.
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
  private Handler<Void> reconnectHandler = v -> { };
  private long backoffMs;
  private boolean closed;

  private RedisLink(Vertx vertx, String url, String name) {
    this.vertx = vertx;
    this.name = name;
    this.errors = RedisErrors.of(vertx);
    this.client = Redis.createClient(vertx, new RedisOptions()
      .setConnectionString(url)
      .setMaxWaitingHandlers(1 << 16));
  }

  /** Connects once; the future fails when Redis cannot be reached now. Later losses are repaired by itself. */
  public static Future<RedisLink> connect(Vertx vertx, String url, String name) {
    RedisLink link = new RedisLink(vertx, url, name);
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

  /** Runs after each successful reconnect (not after the first connect). */
  public RedisLink onReconnect(Handler<Void> handler) {
    this.reconnectHandler = handler;
    return this;
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
    backoffMs = 0;
    c.handler(r -> messageHandler.handle(r));
    c.exceptionHandler(e -> {
      errors.increment();
      LOG.warn("[redis: {}] connection error: {}", name, e.getMessage());
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
          LOG.info("[redis: {}] reconnected", name);
          attach(ar.result());
          reconnectHandler.handle(null);
        }
      });
    });
  }
}
