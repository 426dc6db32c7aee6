package io.seedgate.common.redis;

import io.seedgate.common.Failures;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
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
 *
 * <p>What it connects to comes from a {@link RedisTopology}: a link for commands ({@link #connect(Vertx,
 * RedisTopology, String)}) reaches a standalone server, a cluster (each command to its key's master, a batch split
 * by hash slot: {@link SlotBatches}) or the Sentinels' master; a link for a subscriber ({@link #subscriber}) reaches
 * one node, the next seed of a cluster tried when one cannot be reached.
 */
public final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  static final long MIN_BACKOFF_MS = 50;
  static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  /** The clients to connect with, tried in turn from {@link #current} when a connect fails. */
  private final List<Redis> clients;
  private final boolean sharded;
  /**
   * Whether a fresh connection must be to a master (Sentinel): the Sentinels may still name the old master for a
   * moment after a failover, and one that came back is a replica that refuses writes.
   */
  private final boolean masterOnly;
  private final String name;
  /** Sentinel: the topology whose announcements of a new master the link follows ({@link SentinelWatch}); else null. */
  private final RedisTopology sentinels;
  private SentinelWatch watch;
  /** A client for the master the Sentinels announced last, tried first by the next connect; else null. */
  private Redis announced;
  /** The master the Sentinels announced last ({@code host:port}), for logs. */
  private String announcedAddress;
  private int current;
  private final LongAdder errors;
  private RedisConnection connection;
  /** Which master serves each slot (a cluster), read at each connect; {@code null} until then: batches by slot. */
  private SlotMap slots;
  private Handler<Response> messageHandler = r -> { };
  private Supplier<Future<?>> restore = Future::succeededFuture;
  private Handler<Void> lostHandler = v -> { };
  private long backoffMs;
  private boolean closed;

  private RedisLink(Vertx vertx, List<RedisOptions> options, boolean sharded, RedisTopology sentinels, String name) {
    this.vertx = vertx;
    this.name = name;
    this.sharded = sharded;
    this.sentinels = sentinels;
    this.masterOnly = sentinels != null;
    this.errors = RedisErrors.of(vertx);
    this.clients = options.stream().map(o -> Redis.createClient(vertx, new RedisOptions(o)
      .setMaxWaitingHandlers(1 << 16))).toList();
  }

  /**
   * Connects once to the Redis a URL names ({@link RedisEndpoint#parse}); the future fails when the URL is not one
   * or Redis cannot be reached now. Later losses are repaired by itself.
   */
  public static Future<RedisLink> connect(Vertx vertx, String url, String name) {
    RedisTopology topology;
    try {
      topology = RedisTopology.standalone(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return connect(vertx, topology, name);
  }

  /** Connects once; the future fails when Redis cannot be reached now. Later losses are repaired by itself. */
  public static Future<RedisLink> connect(Vertx vertx, RedisEndpoint endpoint, String name) {
    return connect(vertx, RedisTopology.standalone(endpoint), name);
  }

  /**
   * A link for commands to the topology's Redis, connected once; the future fails when it cannot be reached now.
   * Later losses are repaired by itself.
   */
  public static Future<RedisLink> connect(Vertx vertx, RedisTopology topology, String name) {
    return open(new RedisLink(vertx, List.of(topology.commandOptions()), topology.sharded(), sentinelsOf(topology),
      name));
  }

  /**
   * A link for a classic Pub/Sub subscriber ({@link PubSubLink}): one connection to one node of the topology
   * ({@link RedisTopology#subscriberOptions()}), connected once; later losses are repaired by itself, on the next
   * node when one cannot be reached.
   */
  public static Future<RedisLink> subscriber(Vertx vertx, RedisTopology topology, String name) {
    return open(new RedisLink(vertx, topology.subscriberOptions(), false, sentinelsOf(topology), name));
  }

  /** A subscriber's link to any of these servers, in turn, with no role check: for the Sentinels themselves. */
  static Future<RedisLink> subscriber(Vertx vertx, List<RedisOptions> servers, String name) {
    return open(new RedisLink(vertx, servers, false, null, name));
  }

  private static RedisTopology sentinelsOf(RedisTopology topology) {
    return topology.mode() == RedisTopology.Mode.SENTINEL ? topology : null;
  }

  private static Future<RedisLink> open(RedisLink link) {
    return link.connectAny(link.clients.size()).map(c -> {
      link.attach(c);
      if (link.sentinels != null) {
        link.watchSentinels();
      }
      return link;
    });
  }

  /** Follows the Sentinels' announcements of a new master for as long as the link is open. */
  private void watchSentinels() {
    SentinelWatch.start(vertx, sentinels, name, this::followSwitch).onComplete(ar -> {
      if (ar.succeeded() && !closed) {
        watch = ar.result();
      } else if (ar.succeeded()) {
        ar.result().close();
      } else if (!closed) {
        Failures.warn(LOG, "[redis: {}] cannot watch the Sentinels now, trying again in {} ms: {}", name,
          MAX_BACKOFF_MS, ar.cause());
        vertx.setTimer(MAX_BACKOFF_MS, t -> {
          if (!closed) {
            watchSentinels();
          }
        });
      }
    });
  }

  /**
   * The Sentinels promoted another master: the next connection goes straight to it, and the current one, very likely
   * to the old master (which may still take writes until the Sentinels demote it, writes it will then lose), is
   * dropped now.
   */
  private void followSwitch(SentinelWatch.Switch announcement) {
    if (closed) {
      return;
    }
    Redis previous = announced;
    announcedAddress = announcement.newHost() + ":" + announcement.newPort();
    announced = Redis.createClient(vertx, new RedisOptions(sentinels.announcedMasterOptions(announcement.newHost(),
      announcement.newPort())).setMaxWaitingHandlers(1 << 16));
    reconnect("the Sentinels switched the master " + announcement);
    if (previous != null) {
      previous.close();
    }
  }

  /**
   * Connects with the master the Sentinels announced last when there is one, else with the current client, then
   * each next one, up to {@code attempts} in all.
   */
  private Future<RedisConnection> connectAny(int attempts) {
    Redis toAnnounced = announced;
    if (toAnnounced != null) {
      return toAnnounced.connect().compose(this::checkRole)
        .onSuccess(c -> LOG.info("[redis: {}] connected to the announced master {}", name, announcedAddress))
        .recover(e -> {
        LOG.debug("[redis: {}] the announced master cannot be used ({}), asking the Sentinels", name, e.getMessage());
        return connectAnyOf(attempts);
      });
    }
    return connectAnyOf(attempts);
  }

  private Future<RedisConnection> connectAnyOf(int attempts) {
    Redis client = clients.get(current);
    return client.connect().compose(this::checkRole).recover(e -> {
      if (attempts <= 1) {
        return Future.failedFuture(e);
      }
      current = (current + 1) % clients.size();
      LOG.debug("[redis: {}] no connection ({}), trying the next endpoint", name, e.getMessage());
      return connectAnyOf(attempts - 1);
    });
  }

  /** The connection when it may be used: when {@link #masterOnly}, only if it is to a master; else closed. */
  private Future<RedisConnection> checkRole(RedisConnection c) {
    if (!masterOnly) {
      return Future.succeededFuture(c);
    }
    return c.send(Request.cmd(Command.ROLE)).compose(role -> {
      String kind = role == null || role.size() == 0 ? "" : role.get(0).toString();
      if ("master".equals(kind)) {
        return Future.succeededFuture(c);
      }
      return c.close().transform(v -> Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE,
        "redis link '" + name + "' reached a " + kind + ", not the master (a failover under way)")));
    }, e -> c.close().transform(v -> Future.failedFuture(e)));
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

  /** Whether the link reaches a Redis Cluster, where a batch's commands may go to several masters. */
  public boolean cluster() {
    return sharded;
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

  /**
   * Sends commands pipelined, without MULTI; fails with {@link ErrorCode#UNAVAILABLE} when not connected. On one
   * server they go in one write. On a cluster they are split by master, by the slot map read at the connect (by hash
   * slot until it is read, or for a part the client's own map says is out of date: {@link SlotBatches}): those of
   * one master go together, in their order, a command without a key (a {@code PUBLISH}) with the keyed one before it, so that an
   * action's {@code PUBLISH} still follows its {@code HSET}; the replies come back in the order of the requests.
   */
  public Future<List<Response>> batch(List<Request> requests) {
    RedisConnection c = connection;
    if (c == null) {
      errors.increment();
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis link '" + name + "' is down"));
    }
    return sharded ? SlotBatches.send(c, requests, slots) : c.batch(requests);
  }

  public Future<Void> close() {
    closed = true;
    RedisConnection c = connection;
    connection = null;
    Future<Void> closing = c == null ? Future.succeededFuture() : c.close();
    SentinelWatch w = watch;
    watch = null;
    Redis toAnnounced = announced;
    announced = null;
    return closing.eventually(() -> Future.join(clients.stream().map(Redis::close).toList()).mapEmpty())
      .eventually(() -> w == null ? Future.succeededFuture() : w.close())
      .eventually(() -> toAnnounced == null ? Future.succeededFuture() : toAnnounced.close());
  }

  private void attach(RedisConnection c) {
    connection = c;
    if (sharded) {
      slots = null;
      SlotMap.read(c).onComplete(ar -> {
        if (ar.succeeded() && connection == c) {
          slots = ar.result();
        } else if (ar.failed()) {
          LOG.debug("[redis: {}] no slot map ({}): batches go by slot", name, ar.cause().getMessage());
        }
      });
    }
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
      connectAny(clients.size()).onComplete(ar -> {
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
