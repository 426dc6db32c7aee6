package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The sharded action channels ({@code <prefix><model>:<n>}, the gateway's {@code routing.actionChannels}) on a
 * Redis Cluster: a channel of sharded Pub/Sub lives on the master of its hash slot, so this asks the cluster which
 * master serves which slots ({@code CLUSTER SLOTS}), groups the channels by master, and subscribes each group with
 * {@code SSUBSCRIBE} on a connection to its master ({@link ActionSubscriber#sharded()}). When one of those
 * connections is lost or Redis drops a channel (a failover, a slot migrated), the whole plan is made again from a
 * fresh {@code CLUSTER SLOTS}, after 100 ms, 200 ms, ... up to 5 s. Messages published meanwhile are lost, as with
 * any Pub/Sub. Create and use it from one context; the consumer runs there.
 */
final class ShardedActionSubscribers {

  private static final Logger LOG = LoggerFactory.getLogger(ShardedActionSubscribers.class);

  private final Vertx vertx;
  private final Redis cluster;
  private final String seedUrl;
  private final List<String> channels;
  private final BiConsumer<String, Buffer> consumer;
  private List<ActionSubscriber> subscribers = List.of();
  private boolean replanning;
  private long backoffMs;
  private boolean closed;

  /**
   * @param cluster a cluster client (for {@code CLUSTER SLOTS})
   * @param seedUrl one of the cluster's URLs, whose credentials the connections to the masters use
   */
  ShardedActionSubscribers(Vertx vertx, Redis cluster, String seedUrl, List<String> channels,
                           BiConsumer<String, Buffer> consumer) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.seedUrl = seedUrl;
    this.channels = List.copyOf(channels);
    this.consumer = consumer;
  }

  /** Subscribes every channel on its master; fails when that cannot be done now. */
  Future<Void> start() {
    return plan();
  }

  Future<Void> close() {
    closed = true;
    List<ActionSubscriber> all = subscribers;
    subscribers = List.of();
    return Future.join(all.stream().map(ActionSubscriber::close).toList()).mapEmpty();
  }

  private Future<Void> plan() {
    return cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(slots -> {
      Map<String, List<String>> byMaster = new LinkedHashMap<>();
      for (String channel : channels) {
        byMaster.computeIfAbsent(masterOf(slots, slot(channel)), m -> new ArrayList<>()).add(channel);
      }
      List<ActionSubscriber> planned = new ArrayList<>();
      for (Map.Entry<String, List<String>> e : byMaster.entrySet()) {
        String[] hostPort = e.getKey().split(" ");
        planned.add(new ActionSubscriber(vertx,
          List.of(GameServiceOptions.optionsLike(seedUrl, hostPort[0], Integer.parseInt(hostPort[1]))),
          e.getValue(), consumer).sharded().onLost(this::replan));
      }
      subscribers = planned;
      return Future.all(planned.stream().map(ActionSubscriber::start).toList())
        .onSuccess(v -> LOG.info("[redis: sharded actions] {} channels subscribed on {} masters", channels.size(),
          planned.size()))
        .<Void>mapEmpty()
        .recover(e -> Future.join(planned.stream().map(ActionSubscriber::close).toList())
          .transform(v -> Future.failedFuture(e)));
    });
  }

  /** Drops every subscriber and plans again, once at a time, with backoff while it fails. */
  private void replan() {
    if (closed || replanning) {
      return;
    }
    replanning = true;
    List<ActionSubscriber> old = subscribers;
    subscribers = List.of();
    Future.join(old.stream().map(ActionSubscriber::close).toList()).onComplete(v -> retry());
  }

  private void retry() {
    backoffMs = Math.min(5_000, Math.max(100, backoffMs * 2));
    vertx.setTimer(backoffMs, t -> {
      if (closed) {
        replanning = false;
        return;
      }
      plan().onComplete(ar -> {
        if (ar.succeeded()) {
          replanning = false;
          backoffMs = 0;
        } else {
          LOG.debug("[redis: sharded actions] no plan yet, retrying: {}", ar.cause().getMessage());
          retry();
        }
      });
    });
  }

  /** {@code "host port"} of the master serving the slot, from a CLUSTER SLOTS reply. */
  private static String masterOf(Response slots, int slot) {
    for (Response range : slots) {
      if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
        Response master = range.get(2);
        return master.get(0).toString() + " " + master.get(1).toInteger();
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** The Redis Cluster hash slot of a key or channel: CRC16 (XMODEM) of it, or of its {...} hash tag, mod 16384. */
  static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int from = 0;
    int to = bytes.length;
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        from = key.substring(0, open + 1).getBytes(StandardCharsets.UTF_8).length;
        to = key.substring(0, close).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc ^= (bytes[i] & 0xff) << 8;
      for (int b = 0; b < 8; b++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return (crc & 0xffff) % 16_384;
  }
}
