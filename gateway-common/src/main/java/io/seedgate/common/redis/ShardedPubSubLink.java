package io.seedgate.common.redis;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.common.GatewayException;
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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Sharded Pub/Sub ({@code SSUBSCRIBE}, Redis 7): a connection to every master of a Redis Cluster, each channel
 * subscribed on the master that owns its hash slot, so that a service's {@code SPUBLISH} is carried by that shard
 * alone instead of by every node of the cluster. On one server (or Sentinel's master) it is one connection.
 *
 * <p>Which master owns which slot is read with {@code CLUSTER SLOTS} from the seeds when the connections are made.
 * The connections live and die together: when any of them is lost, refused a command, or told by Redis that a
 * channel moved (an {@code sunsubscribe} it did not ask for: a failover or a resharding), all are closed, the slots
 * read again, the connections made again after a capped exponential backoff, and the {@link #onReconnect} step
 * subscribes everything afresh; a delivery published meanwhile is lost, as on a classic connection that reconnects.
 * Futures complete when Redis confirmed every channel; a refused or lost command fails. Use it from one context.
 */
public final class ShardedPubSubLink implements ChannelSubscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(ShardedPubSubLink.class);

  private final Vertx vertx;
  private final RedisTopology topology;
  private final String name;
  private final LongAdder errors;
  private BiConsumer<String, Buffer> onMessage = (channel, payload) -> { };
  private Supplier<Future<?>> restore = Future::succeededFuture;
  /** The masters' shards, and which one serves each slot; empty while down. */
  private final List<Shard> shards = new ArrayList<>();
  private int[] shardOfSlot;
  private boolean up;
  private boolean closed;
  private long backoffMs;

  private ShardedPubSubLink(Vertx vertx, RedisTopology topology, String name) {
    this.vertx = vertx;
    this.topology = topology;
    this.name = name;
    this.errors = RedisErrors.of(vertx);
  }

  /** Connects to every master once; fails when the cluster cannot be reached now. Later losses repair themselves. */
  public static Future<ShardedPubSubLink> connect(Vertx vertx, RedisTopology topology, String name) {
    ShardedPubSubLink link = new ShardedPubSubLink(vertx, topology, name);
    return link.open().map(link);
  }

  @Override
  public ShardedPubSubLink onMessage(BiConsumer<String, Buffer> handler) {
    this.onMessage = handler;
    return this;
  }

  @Override
  public ShardedPubSubLink onReconnect(Supplier<Future<?>> restore) {
    this.restore = restore;
    return this;
  }

  @Override
  public boolean connected() {
    return up;
  }

  /** How many masters the channels are spread over now (0 while down). */
  public int shardCount() {
    return up ? shards.size() : 0;
  }

  @Override
  public Future<Void> subscribe(Collection<String> channels) {
    return send(Command.SSUBSCRIBE, "ssubscribe", channels);
  }

  @Override
  public Future<Void> unsubscribe(Collection<String> channels) {
    return send(Command.SUNSUBSCRIBE, "sunsubscribe", channels);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return closeShards();
  }

  /**
   * One command per channel: {@code SSUBSCRIBE} takes channels of one slot only, and channels seldom share one.
   * Pipelined on each master's connection.
   */
  private Future<Void> send(Command command, String confirmation, Collection<String> channels) {
    if (channels.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!up) {
      errors.increment();
      return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis link '" + name + "' is down"));
    }
    List<Future<Void>> confirmed = new ArrayList<>(channels.size());
    for (String channel : channels) {
      Shard shard = shards.get(shardOfSlot == null ? 0 : shardOfSlot[HashSlots.of(channel)]);
      confirmed.add(shard.send(Request.cmd(command).arg(channel), confirmation, channel));
    }
    return Future.all(confirmed).mapEmpty();
  }

  private Future<Void> open() {
    return slots().compose(this::connectShards).onSuccess(v -> {
      up = true;
      LOG.debug("[redis: {}] sharded subscriptions on {} master(s)", name, shards.size());
    });
  }

  /**
   * The masters to connect to and the slots each serves: from {@code CLUSTER SLOTS} on the first seed that answers
   * (cluster), or the one server (standalone, Sentinel's master).
   */
  private Future<Map<RedisOptions, List<int[]>>> slots() {
    if (topology.mode() != RedisTopology.Mode.CLUSTER) {
      Map<RedisOptions, List<int[]>> one = new LinkedHashMap<>();
      one.put(topology.subscriberOptions().get(0), List.of());
      return Future.succeededFuture(one);
    }
    return slotsFrom(0, null);
  }

  private Future<Map<RedisOptions, List<int[]>>> slotsFrom(int seed, Throwable last) {
    List<RedisOptions> seeds = topology.subscriberOptions();
    if (seed >= seeds.size()) {
      return Future.failedFuture(last);
    }
    Redis client = Redis.createClient(vertx, seeds.get(seed));
    return client.send(Request.cmd(Command.CLUSTER).arg("SLOTS"))
      .eventually(client::close)
      .map(this::masters)
      .recover(e -> slotsFrom(seed + 1, e));
  }

  /** The masters of a {@code CLUSTER SLOTS} reply, each with its slot ranges, reached with the seeds' credentials. */
  private Map<RedisOptions, List<int[]>> masters(Response reply) {
    RedisEndpoint credentials = topology.endpoints().get(0);
    Map<String, List<int[]>> byAddress = new LinkedHashMap<>();
    for (Response range : reply) {
      Response master = range.get(2);
      String address = master.get(0).toString() + ":" + master.get(1).toInteger();
      byAddress.computeIfAbsent(address, a -> new ArrayList<>())
        .add(new int[] {range.get(0).toInteger(), range.get(1).toInteger()});
    }
    Map<RedisOptions, List<int[]>> masters = new LinkedHashMap<>();
    byAddress.forEach((address, ranges) -> {
      int colon = address.lastIndexOf(':');
      RedisEndpoint e = new RedisEndpoint(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)),
        credentials.user(), credentials.password(), 0, credentials.tls());
      masters.put(e.toRedisOptions(), ranges);
    });
    return masters;
  }

  private Future<Void> connectShards(Map<RedisOptions, List<int[]>> masters) {
    int[] map = masters.size() == 1 && masters.values().iterator().next().isEmpty() ? null : new int[HashSlots.COUNT];
    List<Shard> fresh = new ArrayList<>();
    List<Future<Void>> connected = new ArrayList<>();
    for (Map.Entry<RedisOptions, List<int[]>> m : masters.entrySet()) {
      Shard shard = new Shard(Redis.createClient(vertx, new RedisOptions(m.getKey()).setMaxWaitingHandlers(1 << 16)),
        m.getKey().getEndpoint());
      int index = fresh.size();
      fresh.add(shard);
      if (map != null) {
        for (int[] range : m.getValue()) {
          for (int s = range[0]; s <= range[1]; s++) {
            map[s] = index;
          }
        }
      }
      connected.add(shard.connect());
    }
    shards.clear();
    shards.addAll(fresh);
    shardOfSlot = map;
    return Future.all(connected).<Void>mapEmpty().recover(e -> closeShards().transform(v -> Future.failedFuture(e)));
  }

  /** Something went wrong on one shard: all are dropped and made again. */
  private void lost(Shard shard, String why) {
    if (!up || !shards.contains(shard)) {
      return;
    }
    up = false;
    errors.increment();
    LOG.warn("[redis: {}] {} on {}: reconnecting every shard", name, why, shard.address);
    closeShards().onComplete(v -> scheduleReconnect());
  }

  private Future<Void> closeShards() {
    up = false;
    List<Future<Void>> closing = new ArrayList<>();
    for (Shard s : shards) {
      closing.add(s.close());
    }
    shards.clear();
    return Future.join(closing).mapEmpty();
  }

  private void scheduleReconnect() {
    backoffMs = Math.min(RedisLink.MAX_BACKOFF_MS, Math.max(RedisLink.MIN_BACKOFF_MS, backoffMs * 2));
    vertx.setTimer(backoffMs, t -> {
      if (closed) {
        return;
      }
      open().compose(v -> {
        Future<?> restored;
        try {
          restored = restore.get();
        } catch (RuntimeException e) {
          restored = Future.failedFuture(e);
        }
        return restored;
      }).onComplete(ar -> {
        if (closed) {
          closeShards();
        } else if (ar.succeeded()) {
          backoffMs = 0;
          LOG.info("[redis: {}] reconnected to {} shard(s)", name, shards.size());
        } else {
          errors.increment();
          Failures.warn(LOG, "[redis: {}] reconnect failed, retrying: {}", name, ar.cause());
          closeShards().onComplete(v -> scheduleReconnect());
        }
      });
    });
  }

  /** One master's connection and the commands sent on it not yet confirmed. */
  private final class Shard {
    final Redis client;
    final String address;
    final ArrayDeque<Sent> unconfirmed = new ArrayDeque<>();
    RedisConnection connection;

    Shard(Redis client, String address) {
      this.client = client;
      this.address = address;
    }

    Future<Void> connect() {
      return client.connect().map(c -> {
        connection = c;
        c.handler(this::onPush);
        c.exceptionHandler(e -> {
          failUnconfirmed();
          lost(this, "connection error (" + e.getMessage() + ")");
        });
        c.endHandler(v -> {
          failUnconfirmed();
          lost(this, "connection lost");
        });
        return null;
      });
    }

    Future<Void> send(Request request, String confirmation, String channel) {
      RedisConnection c = connection;
      if (c == null) {
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "redis link '" + name
          + "' has no connection to " + address));
      }
      Sent sent = new Sent(confirmation, channel);
      unconfirmed.add(sent);
      // a write that fails fails its command and drops every shard (the end handler may not come for it)
      c.send(request).onFailure(e -> {
        if (unconfirmed.remove(sent)) {
          sent.promise.tryFail(e);
        }
        lost(this, "a write failed (" + e.getMessage() + ")");
      });
      return sent.promise.future();
    }

    void onPush(Response push) {
      if (push.type() == ResponseType.ERROR) {
        Sent head = unconfirmed.poll();
        if (head != null) {
          head.promise.tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "redis refused " + head.confirmation
            + " " + head.channel + ": " + push));
        }
        lost(this, "redis refused a sharded pub/sub command (" + push + ")");
        return;
      }
      if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI || push.size() < 3) {
        return;
      }
      String kind = push.get(0).toString();
      if ("smessage".equals(kind)) {
        onMessage.accept(push.get(1).toString(), push.get(2).toBuffer());
        return;
      }
      if ("ssubscribe".equals(kind) || "sunsubscribe".equals(kind)) {
        Sent head = unconfirmed.peek();
        if (head != null && head.confirmation.equals(kind) && head.channel.equals(push.get(1).toString())) {
          unconfirmed.poll();
          head.promise.tryComplete();
        } else if ("sunsubscribe".equals(kind)) {
          // not asked for: the channel's slot moved to another master (a failover, a resharding)
          lost(this, "channel " + push.get(1) + " moved");
        }
      }
    }

    void failUnconfirmed() {
      Sent s;
      while ((s = unconfirmed.poll()) != null) {
        s.promise.tryFail(new GatewayException(ErrorCode.UNAVAILABLE, "redis connection lost before "
          + s.confirmation + " " + s.channel + " was confirmed"));
      }
    }

    Future<Void> close() {
      failUnconfirmed();
      RedisConnection c = connection;
      connection = null;
      return (c == null ? Future.<Void>succeededFuture() : c.close()).eventually(client::close);
    }
  }

  private static final class Sent {
    final String confirmation;
    final String channel;
    final Promise<Void> promise = Promise.promise();

    Sent(String confirmation, String channel) {
      this.confirmation = confirmation;
      this.channel = channel;
    }
  }
}
