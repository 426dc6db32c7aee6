package io.seedgate.gateway.delivery;

import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
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
 * After a reconnect every channel is subscribed again.
 */
public final class DeliverySubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(DeliverySubscriber.class);
  private static final int RESUBSCRIBE_CHUNK = 1000;

  private final RedisLink link;
  private BiConsumer<String, Buffer> onMessage = (channel, payload) -> { };
  private final Map<String, Integer> refs = new HashMap<>();
  private final Map<String, Future<?>> inFlight = new HashMap<>();
  private volatile long received;

  public DeliverySubscriber(RedisLink link) {
    this.link = link;
    link.messageHandler(this::onPush).onReconnect(v -> resubscribeAll());
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
    if (!fresh.isEmpty()) {
      Request sub = Request.cmd(Command.SUBSCRIBE);
      fresh.forEach(sub::arg);
      Future<Response> sent = link.send(sub);
      fresh.forEach(c -> inFlight.put(c, sent));
      sent.onComplete(ar -> fresh.forEach(c -> inFlight.remove(c, sent)));
      waits.add(sent);
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
    if (!gone.isEmpty() && link.connected()) {
      Request unsub = Request.cmd(Command.UNSUBSCRIBE);
      gone.forEach(unsub::arg);
      link.send(unsub).onFailure(e -> LOG.debug("unsubscribe failed (resubscribe after reconnect skips it): {}",
        e.getMessage()));
    }
  }

  /** Channels subscribed now. */
  public int channelCount() {
    return refs.size();
  }

  /** Messages received since start; readable from any thread (one writer: this instance's event loop). */
  public long received() {
    return received;
  }

  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      return;
    }
    int n = push.size();
    if (n == 3 && "message".equals(push.get(0).toString())) {
      received++;
      onMessage.accept(push.get(1).toString(), push.get(2).toBuffer());
    } else if (n == 4 && "pmessage".equals(push.get(0).toString())) {
      received++;
      onMessage.accept(push.get(2).toString(), push.get(3).toBuffer());
    }
  }

  private void resubscribeAll() {
    List<String> all = new ArrayList<>(refs.keySet());
    for (int i = 0; i < all.size(); i += RESUBSCRIBE_CHUNK) {
      Request sub = Request.cmd(Command.SUBSCRIBE);
      all.subList(i, Math.min(all.size(), i + RESUBSCRIBE_CHUNK)).forEach(sub::arg);
      link.send(sub).onFailure(e -> LOG.error("re-subscribe after reconnect failed: {}", e.getMessage()));
    }
    LOG.info("re-subscribed {} delivery channels after reconnect", all.size());
  }
}
