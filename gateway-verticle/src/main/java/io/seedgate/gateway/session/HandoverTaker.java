package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeFailure;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The taking side of a resume on another incarnation ({@link HandoverGiver} tells the whole exchange): this instance
 * asks the holder to prepare, subscribes the session's channels, publishes the marker, asks for the state, keeps
 * every delivery for the session that reaches it after its own copy of the marker, and once both the state and the
 * marker are here, gives the fresh session the state with those deliveries appended, in one event-loop turn. Once
 * the session is {@link #adopted} the router's directory is moved to it and the holder is told. Used on the
 * instance's event loop.
 */
final class HandoverTaker {

  private static final Logger LOG = LoggerFactory.getLogger(HandoverTaker.class);
  static final long PREPARE_TIMEOUT_MS = 5_000;
  /** How much longer than the holder waits for the marker the take waits, so that its refusal arrives first. */
  static final long TAKE_MARGIN_MS = 5_000;

  private final Vertx vertx;
  private final Incarnation incarnation;
  private final DeliverySubscriber subscriber;
  private final HandoverMarkers markers;
  private final String broadcastChannel;
  private final SessionRouter router;
  /** How long the take waits for the state and then for the marker. */
  private final long takeTimeoutMs;
  private final Map<String, Taking> byMarker = new HashMap<>();
  private final Map<String, List<Taking>> byChannel = new HashMap<>();
  private final Map<Session, Taking> adopting = new IdentityHashMap<>();

  /** One session being taken. */
  private static final class Taking {
    final String marker = UUID.randomUUID().toString();
    final Session fresh;
    final Promise<Void> markerSeen = Promise.promise();
    final List<OutboundMessage> collected = new ArrayList<>();
    /** Per-channel markers: the channels whose marker has not come here yet. */
    final java.util.Set<String> unsplit = new java.util.HashSet<>();
    JsonObject holder;
    List<String> channels = List.of();
    /** The channels the hand-over subscribes here: the session's own and its map's, and per-channel markers'. */
    List<String> subscribed = List.of();
    long reconnectsAtSubscribe;
    Message<JsonObject> state;

    Taking(Session fresh) {
      this.fresh = fresh;
    }
  }

  /**
   * @param publishMarker     publishes a marker on {@link RedisKeys#HANDOVER_CHANNEL} (on a connection that is not
   *                          the delivery connection); {@code null}: no hand-over is possible, a resume of another
   *                          incarnation's session is refused with reason {@code elsewhere}
   * @param handoverTimeoutMs how long a holder waits for the marker
   *                          ({@link io.seedgate.gateway.resume.ResumeSettings#handoverTimeoutMs}); the take waits
   *                          {@value #TAKE_MARGIN_MS} ms longer
   */
  HandoverTaker(Vertx vertx, Incarnation incarnation, DeliverySubscriber subscriber, HandoverMarkers markers,
                String broadcastChannel, SessionRouter router, long handoverTimeoutMs) {
    this.vertx = vertx;
    this.incarnation = incarnation;
    this.subscriber = subscriber;
    this.markers = markers;
    this.broadcastChannel = broadcastChannel;
    this.router = router;
    this.takeTimeoutMs = handoverTimeoutMs + TAKE_MARGIN_MS;
  }


  /**
   * Takes the session the token names from the incarnation holding it, for the fresh session to import: its state
   * under the fresh session's id, every delivery up to the marker from the holder and those after it from here.
   * Fails with a {@link ResumeFailure} to answer.
   */
  Future<ResumableState<OutboundMessage>> take(Session fresh, ResumeToken token, long seq) {
    Taking t = new Taking(fresh);
    String address = Addresses.resumeHandover(token.incarnationId());
    DeliveryOptions prepareIn = new DeliveryOptions().setSendTimeout(PREPARE_TIMEOUT_MS);
    return vertx.eventBus().<JsonObject>request(address, new JsonObject().put("type", "prepare")
        .put("resume", token.encode()).put("seq", seq).put("marker", t.marker), prepareIn)
      .compose(prepared -> {
        JsonObject holder = prepared.body();
        if (holder.containsKey("refused")) {
          return Future.failedFuture(new ResumeFailure(ResumeReason.fromWire(holder.getString("refused"))));
        }
        t.holder = holder;
        t.channels = List.of(RedisKeys.tokenChannel(holder.getString("token")),
          RedisKeys.playerChannel(holder.getString("player")), RedisKeys.mapChannel(holder.getString("map")));
        List<String> split = splitChannels(t);
        if (markers.perChannel()) {
          t.unsplit.addAll(split);
        }
        List<String> subscribe = new ArrayList<>(t.channels);
        subscribe.addAll(markers.channelsFor(split));
        register(t);
        t.reconnectsAtSubscribe = subscriber.reconnects();
        t.subscribed = subscribe;
        return subscriber.subscribe(subscribe);
      })
      .compose(v -> markers.publish(t.marker, splitChannels(t)))
      .compose(v -> vertx.eventBus().<JsonObject>request(address, new JsonObject().put("type", "take")
          .put("marker", t.marker).put("to", new JsonObject().put("node", incarnation.nodeId())
            .put("incarnation", incarnation.id()).put("session", fresh.id())),
        new DeliveryOptions().setSendTimeout(takeTimeoutMs)))
      .compose(reply -> {
        if (reply.body().containsKey("refused")) {
          return Future.failedFuture(new ResumeFailure(ResumeReason.fromWire(reply.body().getString("refused"))));
        }
        t.state = reply;
        return t.markerSeen.future().timeout(takeTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
      })
      .compose(v -> {
        if (subscriber.reconnects() != t.reconnectsAtSubscribe) {
          return Future.failedFuture("the delivery connection reconnected during the hand-over");
        }
        ResumableState<OutboundMessage> held = ResumableState.fromJson(t.state.body(),
          bytes -> OutboundMessage.of(Buffer.buffer(bytes.getBytes())));
        for (OutboundMessage m : t.collected) {
          held.replay().append(m, m.length());
        }
        unregister(t);
        // the session's own channels stay subscribed (the fresh session's now); the markers' are done with
        List<String> markerChannels = t.subscribed.subList(t.channels.size(), t.subscribed.size());
        if (!markerChannels.isEmpty()) {
          subscriber.unsubscribe(List.copyOf(markerChannels));
        }
        t.subscribed = List.of();
        adopting.put(fresh, t);
        return Future.succeededFuture(new ResumableState<>(fresh.id(), held.resume(), held.token(), held.player(),
          held.map(), held.ip(), held.replay()));
      })
      .recover(e -> {
        abandon(t);
        return Future.failedFuture(e);
      });
  }

  /** A delivery on a channel of this instance: kept for each session being taken on it, after its marker. */
  void delivered(String channel, boolean broadcast, OutboundMessage message) {
    if (byMarker.isEmpty()) {
      return;
    }
    if (broadcast) {
      for (Taking t : byMarker.values()) {
        keep(t, channel, message);
      }
      return;
    }
    List<Taking> on = byChannel.get(channel);
    if (on != null) {
      for (Taking t : on) {
        keep(t, channel, message);
      }
    }
  }

  /**
   * A marker reached this instance on its delivery connection, on the marker channel given: deliveries after it on
   * the channel it splits (every channel, with one marker) are kept; once every channel is split, the take may end.
   */
  void marker(String marker, String markerChannel) {
    Taking t = byMarker.get(marker);
    if (t == null) {
      return;
    }
    String channel = markers.splits(markerChannel);
    if (channel == null || t.unsplit.remove(channel) && t.unsplit.isEmpty()) {
      t.markerSeen.tryComplete();
    }
  }

  /** The channels a hand-over splits for the session: its own, its map's, the broadcast channel. */
  private List<String> splitChannels(Taking t) {
    List<String> all = new ArrayList<>(t.channels);
    all.add(broadcastChannel);
    return all;
  }

  /**
   * The fresh session imported the state: the router's directory is moved to it, and the holder told whether it
   * was. A session the router no longer lets own the player is closed ({@code logged in elsewhere}).
   */
  void adopted(Session s) {
    Taking t = adopting.remove(s);
    if (t == null) {
      return;
    }
    JsonObject from = new JsonObject().put("node", t.holder.getString("node"))
      .put("incarnation", t.holder.getString("incarnation")).put("session", t.holder.getString("session"));
    JsonObject to = new JsonObject().put("node", incarnation.nodeId()).put("incarnation", incarnation.id())
      .put("session", s.id());
    router.move(new JsonObject().put("player", s.playerId()).put("token", s.token()).put("map", s.mapId())
        .put("ip", s.remoteIp()).put("from", from).put("to", to))
      .onComplete(ar -> {
        boolean moved = ar.succeeded() && ar.result();
        t.state.reply(new JsonObject().put("adopted", moved));
        if (!moved) {
          try (LogContext ignored = LogContext.player(s.playerId(), s.id())) {
            LOG.info("[session: {}, player: {}] resumed session not moved in the directory ({}), closing it",
              s.id(), s.playerId(), ar.failed() ? ar.cause().getMessage() : "the player is elsewhere now");
          }
          s.fail(ar.failed() ? ErrorCode.UNAVAILABLE : ErrorCode.REPLACED);
        }
      });
  }

  /** The fresh session ended before it was adopted (its connection went meanwhile): the holder is told. */
  void notAdopted(Session s) {
    Taking t = adopting.remove(s);
    if (t != null) {
      t.state.reply(new JsonObject().put("adopted", false));
    }
  }

  /** Keeps a delivery for the session being taken when it came after the marker (of its channel). */
  private void keep(Taking t, String channel, OutboundMessage message) {
    boolean after = markers.perChannel() ? !t.unsplit.contains(channel) : t.markerSeen.future().isComplete();
    if (after) {
      t.collected.add(message);
    }
  }

  private void register(Taking t) {
    byMarker.put(t.marker, t);
    for (String c : t.channels) {
      byChannel.computeIfAbsent(c, k -> new ArrayList<>(1)).add(t);
    }
  }

  private void unregister(Taking t) {
    if (byMarker.remove(t.marker) == null) {
      return;
    }
    for (String c : t.channels) {
      List<Taking> on = byChannel.get(c);
      if (on != null && on.remove(t) && on.isEmpty()) {
        byChannel.remove(c);
      }
    }
  }

  private void abandon(Taking t) {
    unregister(t);
    if (!t.subscribed.isEmpty()) {
      subscriber.unsubscribe(t.subscribed);
      t.subscribed = List.of();
    }
    if (t.state != null) {
      t.state.reply(new JsonObject().put("adopted", false));
    }
  }
}
