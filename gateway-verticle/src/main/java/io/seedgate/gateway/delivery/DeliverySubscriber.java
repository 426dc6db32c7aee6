package io.seedgate.gateway.delivery;

import io.seedgate.common.redis.ChannelSubscriptions;
import io.seedgate.common.redis.PubSubLink;
import io.seedgate.common.redis.ShardedPubSubLink;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The Redis Pub/Sub subscriptions of one gateway instance, on a dedicated connection, reference-counted per
 * channel: a channel is subscribed while at least one local session needs it ({@code token:<T>},
 * {@code player:<ID>}, {@code map:<M>}), so Redis sends each node only what its own players should get.
 * After a reconnect every channel is subscribed again; when Redis refuses a SUBSCRIBE the link is dropped and
 * the reconnect subscribes every counted channel afresh (see {@link PubSubLink}).
 */
public final class DeliverySubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(DeliverySubscriber.class);
  private static final int RESUBSCRIBE_CHUNK = 1000;

  private final ChannelSubscriptions link;
  private BiConsumer<String, Buffer> onMessage = (channel, payload) -> { };
  private final Map<String, Integer> refs = new HashMap<>();
  private final Map<String, Future<?>> inFlight = new HashMap<>();
  private volatile long received;
  private volatile int channelCount;
  private long reconnects;

  /** Classic subscriptions on one connection. */
  public DeliverySubscriber(RedisLink link) {
    this(new PubSubLink(link));
  }

  /** On the given subscriptions: classic ({@link PubSubLink}) or sharded ({@link ShardedPubSubLink}). */
  public DeliverySubscriber(ChannelSubscriptions subscriptions) {
    this.link = subscriptions.onMessage(this::onMessage).onReconnect(this::resubscribeAll);
  }

  /** Where messages go: channel and payload, on this instance's event loop. */
  public DeliverySubscriber onMessage(BiConsumer<String, Buffer> handler) {
    this.onMessage = handler;
    return this;
  }

  /** Adds one reference to each channel; succeeds once Redis confirmed every channel that was not subscribed yet. */
  public Future<Void> subscribe(List<String> channels) {
    List<String> fresh = new ArrayList<>(channels.size());
    List<Future<?>> waits = new ArrayList<>(1);
    for (String c : channels) {
      if (refs.merge(c, 1, Integer::sum) == 1) {
        fresh.add(c);
      } else {
        Future<?> pending = inFlight.get(c);
        if (pending != null) {
          waits.add(pending);
        }
      }
    }
    channelCount = refs.size();
    if (!fresh.isEmpty()) {
      Future<Void> confirmed = link.subscribe(fresh);
      fresh.forEach(c -> inFlight.put(c, confirmed));
      confirmed.onComplete(ar -> fresh.forEach(c -> inFlight.remove(c, confirmed)));
      waits.add(confirmed);
    }
    return waits.isEmpty() ? Future.succeededFuture() : Future.all(waits).mapEmpty();
  }

  /** Drops one reference from each channel; channels left without any are unsubscribed. */
  public void unsubscribe(List<String> channels) {
    List<String> gone = new ArrayList<>(channels.size());
    for (String c : channels) {
      Integer left = refs.computeIfPresent(c, (k, n) -> n == 1 ? null : n - 1);
      if (left == null) {
        gone.add(c);
      }
    }
    channelCount = refs.size();
    if (!gone.isEmpty() && link.connected()) {
      link.unsubscribe(gone).onFailure(e -> LOG.debug("unsubscribe not confirmed (a reconnect skips it): {}",
        e.getMessage()));
    }
  }

  /** Channels subscribed now (or to subscribe again after a reconnect); readable from any thread. */
  public int channelCount() {
    return channelCount;
  }

  /**
   * How many times the connection was re-established: a delivery published while it was down is lost, so a
   * hand-over seeing this change refuses. On this instance's event loop.
   */
  public long reconnects() {
    return reconnects;
  }

  /** Messages received since start; readable from any thread (one writer: this instance's event loop). */
  public long received() {
    return received;
  }

  private void onMessage(String channel, Buffer payload) {
    received++;
    onMessage.accept(channel, payload);
  }

  private Future<?> resubscribeAll() {
    reconnects++;
    List<String> all = new ArrayList<>(refs.keySet());
    List<Future<?>> confirmed = new ArrayList<>(all.size() / RESUBSCRIBE_CHUNK + 1);
    for (int i = 0; i < all.size(); i += RESUBSCRIBE_CHUNK) {
      confirmed.add(link.subscribe(new ArrayList<>(all.subList(i, Math.min(all.size(), i + RESUBSCRIBE_CHUNK)))));
    }
    return Future.all(confirmed).onSuccess(v -> LOG.info("[redis: deliveries] re-subscribed {} delivery channels after reconnect", all.size()));
  }
}
