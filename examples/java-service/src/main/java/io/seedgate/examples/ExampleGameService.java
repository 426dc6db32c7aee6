package io.seedgate.examples;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The 2021 game's logic as an independent service: it reads client actions from Redis channels
 * {@code <actionChannelPrefix>api} and {@code <actionChannelPrefix>move} and answers only by publishing on
 * Redis ({@code token:<TOKEN>}, {@code map:<MAP>}), which the gateway delivers. See {@link GameChannels}.
 *
 * <p>Config: {@link GameServiceOptions}. {@link #start()} completes once the subscription is confirmed.
 * Subscriptions use a dedicated connection that re-subscribes after a loss; commands and publications use a
 * separate pooled client. Actions of one player are played in arrival order; different players' in parallel.
 *
 * <p>Run standalone: {@code java -cp example-java-service-all.jar io.seedgate.examples.ExampleGameService
 * [redis://host:port]}.
 */
public class ExampleGameService extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ExampleGameService.class);
  static final int POOL_SIZE = 8;
  /**
   * Requests that may wait for one of the {@value #POOL_SIZE} connections: a node's players reconnecting to another
   * node send their {@code api/load} within a second or two (a reconnect storm overflowed a smaller queue, and those
   * logins went unanswered: BENCHMARKS.md, reconnect storm).
   */
  static final int POOL_WAITING = 65_536;
  /**
   * At most one WARN line per this many milliseconds for actions Redis failed on: while Redis is away every action
   * fails (a line each buried the rest of the log: BENCHMARKS.md, Faults); the rest go to DEBUG, counted.
   */
  static final long FAILURE_WARN_EVERY_MS = 60_000;

  /**
   * How many action messages the service has handled.
   *
   * @param processed actions played (including unknown ones, which are answered with an error)
   * @param failed messages that could not be played: malformed ones and those Redis failed on
   * @param malformed messages that were not a valid {@link Envelope} (also counted in {@code failed})
   */
  public record Counters(long processed, long failed, long malformed) {
  }

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final Map<String, Future<Void>> tails = new HashMap<>();
  /** Failed actions since the last success (on the verticle's context, as every field below). */
  private long failedInARow;
  private long failuresNotLogged;
  private long lastFailureWarnMs;
  private GameServiceOptions options;
  private Redis redis;
  /** Where classic replies are published on a cluster ({@code null} otherwise: through {@link #redis}). */
  private OneNodePublisher publisher;
  private GameActions actions;
  /** The action channels' subscriber: on one connection (null on a cluster with sharded action channels). */
  private ActionSubscriber subscriber;
  /** On a cluster with sharded action channels, their subscribers, one per master; null otherwise. */
  private ShardedActionSubscribers shardedSubscribers;
  /** Behind Sentinel, what moves the subscriber to a new master; {@code null} otherwise. */
  private MasterSwitches masterSwitches;

  @Override
  public Future<?> start() {
    try {
      options = new GameServiceOptions(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    boolean cluster = !options.getRedisCluster().isEmpty();
    redis = Redis.createClient(vertx, options.commandOptions()
      .setMaxPoolSize(POOL_SIZE)
      .setMaxPoolWaiting(POOL_WAITING));
    if (cluster) {
      // a cluster client's send takes a connection of every master's pool: no more sends in flight than a pool holds
      redis = new BoundedRedis(redis, POOL_SIZE);
    }
    // a cluster client sends a PUBLISH (it has no key) to any node, and two messages that went through different
    // nodes may reach a subscriber in either order: classic replies go over one node's connections instead
    // (an SPUBLISH has its channel as key, so a cluster client always sends it to the channel's shard)
    publisher = cluster && !options.isShardedPubSub()
      ? new OneNodePublisher(vertx, options.subscriberOptions().stream()
        .map(o -> o.setMaxPoolSize(POOL_SIZE).setMaxPoolWaiting(POOL_WAITING)).toList())
      : null;
    actions = new GameActions(redis, publisher, options.getStep(), cluster, options.isShardedPubSub());
    List<String> channels = actionChannels(options);
    if (options.getActionChannels() > 0 && cluster) {
      // each sharded channel lives on the master of its slot: one SSUBSCRIBE connection per master
      shardedSubscribers = new ShardedActionSubscribers(vertx, redis, options.getRedisCluster().get(0), channels,
        this::onAction);
    } else {
      subscriber = new ActionSubscriber(vertx, options.subscriberOptions(), channels, this::onAction);
      if (options.getActionChannels() > 0) {
        subscriber.sharded();
      }
    }
    masterSwitches = options.getRedisSentinels().isEmpty() ? null : new MasterSwitches(vertx, options,
      this::followNewMaster);
    return startSubscribers()
      .compose(v -> masterSwitches == null ? Future.succeededFuture() : masterSwitches.start())
      .onSuccess(v -> LOG.info("[redis: {}, channels: {}, step: {}] example game service started",
        options.getRedisUrl(), channels, options.getStep()))
      .recover(e -> Future.all(closeSubscribers(), redis.close(), closePublisher(), closeMasterSwitches())
        .transform(v -> Future.failedFuture(e)));
  }

  /**
   * The channels actions arrive on: {@code <prefix><model>} (classic, SUBSCRIBE), or with the gateway's
   * {@code routing.actionChannels} N, {@code <prefix><model>:<0..N-1>} (sharded, SSUBSCRIBE).
   */
  static List<String> actionChannels(GameServiceOptions options) {
    List<String> channels = new ArrayList<>();
    for (String model : GameActions.MODELS) {
      if (options.getActionChannels() == 0) {
        channels.add(GameChannels.actionChannel(options.getActionChannelPrefix(), model));
      }
      for (int n = 0; n < options.getActionChannels(); n++) {
        channels.add(GameChannels.shardedActionChannel(options.getActionChannelPrefix(), model, n));
      }
    }
    return channels;
  }

  private Future<Void> startSubscribers() {
    return subscriber != null ? subscriber.start() : shardedSubscribers.start();
  }

  private Future<Void> closeSubscribers() {
    return subscriber != null ? subscriber.close() : shardedSubscribers.close();
  }

  @Override
  public Future<?> stop() {
    return Future.all(closeSubscribers(), redis.close(), closePublisher(), closeMasterSwitches())
      .onComplete(ar -> LOG.info("[processed: {}, failed: {}] example game service stopped",
        processed.get(), failed.get()));
  }

  /**
   * The Sentinels switched the master: the subscriber moves there, and so do the commands, through a client to the
   * announced master (the pooled Sentinel client would keep its connections to the old one, which may still take
   * writes, to be lost, until the Sentinels demote it, and asks a Sentinel that may not know of the switch yet).
   */
  private void followNewMaster(String host, int port) {
    subscriber.followNewMaster(options.announcedMasterOptions(host, port));
    Redis previous = redis;
    redis = Redis.createClient(vertx, options.announcedMasterOptions(host, port)
      .setMaxPoolSize(POOL_SIZE)
      .setMaxPoolWaiting(POOL_WAITING));
    actions = new GameActions(redis, publisher, options.getStep(), false, options.isShardedPubSub());
    previous.close();
  }

  private Future<Void> closeMasterSwitches() {
    return masterSwitches == null ? Future.succeededFuture() : masterSwitches.close();
  }

  private Future<Void> closePublisher() {
    return publisher == null ? Future.succeededFuture() : publisher.close();
  }

  /** A snapshot of the counters; safe to call from any thread. */
  public Counters counters() {
    return new Counters(processed.get(), failed.get(), malformed.get());
  }

  /** The Redis client id of the subscribed connection, or -1 while it is down; safe from any thread (for tests). */
  long subscriberClientId() {
    return subscriber == null ? -1 : subscriber.clientId();
  }

  private void onAction(String channel, Buffer payload) {
    Envelope envelope;
    try {
      envelope = Envelope.parse(payload);
    } catch (MalformedEnvelopeException e) {
      malformed.incrementAndGet();
      failed.incrementAndGet();
      LOG.warn("[channel: {}] malformed envelope dropped: {}", channel, e.getMessage());
      return;
    }
    LOG.debug("[token: {}, action: {}] received", envelope.token(), envelope.action());
    inOrder(envelope.token(), () -> actions.handle(envelope)).onComplete(ar -> {
      if (ar.succeeded()) {
        processed.incrementAndGet();
        if (failedInARow > 0) {
          LOG.info("actions played again, after {} failed", failedInARow);
          failedInARow = 0;
          failuresNotLogged = 0;
        }
      } else {
        failed.incrementAndGet();
        long now = System.currentTimeMillis();
        if (failedInARow++ == 0 || now - lastFailureWarnMs >= FAILURE_WARN_EVERY_MS) {
          LOG.warn("[token: {}, action: {}] failed: {}{}", envelope.token(), envelope.action(),
            ar.cause().getMessage(), failuresNotLogged == 0 ? ""
              : " (" + failuresNotLogged + " more failed since the last such line, not logged)");
          lastFailureWarnMs = now;
          failuresNotLogged = 0;
        } else {
          failuresNotLogged++;
          LOG.debug("[token: {}, action: {}] failed: {}", envelope.token(), envelope.action(),
            ar.cause().getMessage());
        }
      }
    });
  }

  /** Runs {@code work} after the previous work of the same token finished, so one player's moves do not race. */
  private Future<Void> inOrder(String token, Supplier<Future<Void>> work) {
    Future<Void> previous = tails.getOrDefault(token, Future.succeededFuture());
    Future<Void> next = previous.transform(ignored -> work.get());
    tails.put(token, next);
    next.onComplete(ar -> tails.remove(token, next));
    return next;
  }

  /**
   * Runs the service until the JVM stops.
   *
   * @param args optional: the Redis URL (default {@value GameServiceOptions#DEFAULT_REDIS_URL})
   */
  public static void main(String[] args) {
    GameServiceOptions options = new GameServiceOptions();
    if (args.length > 0) {
      options.setRedisUrl(args[0]);
    }
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new ExampleGameService(), new DeploymentOptions().setConfig(options.toJson()))
      .onSuccess(id -> {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "example-game-service-stop"));
        LOG.info("running; stop with Ctrl-C");
      })
      .onFailure(e -> {
        LOG.error("[redis: {}] could not start: {}", options.getRedisUrl(), e.getMessage());
        vertx.close().onComplete(v -> System.exit(1));
      });
  }
}
