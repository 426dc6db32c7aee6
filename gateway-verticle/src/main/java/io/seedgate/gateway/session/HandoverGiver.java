package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The holding side of a resume on another incarnation (another gateway instance of this node, or another node): this
 * instance gives one of its resumable sessions to the incarnation a client resumed it on, without a delivery lost or
 * sent twice. The hand-over splits the session's deliveries at a marker both incarnations see in the same place of
 * the Redis stream ({@link io.seedgate.common.RedisKeys#HANDOVER_CHANNEL}; with sharded subscriptions a marker per
 * channel, each splitting its own channel, see {@link HandoverMarkers}):
 * <ol>
 *   <li>{@code prepare}: the taker presents the token; if a resume may take the session
 *   ({@link SessionResumption#refusal}), a connection it still has is closed and it keeps buffering here;</li>
 *   <li>the taker subscribes the session's channels and publishes the marker; every delivery Redis took before the
 *   marker reached this instance before it, and stays in the session's buffer; the session leaves this instance's
 *   index when the marker arrives ({@link #marker}), so it gets nothing after it (the taker keeps those);</li>
 *   <li>{@code take}: the state (buffer included) goes to the taker, which answers once the router's directory names
 *   its session. Only then does this instance drop its subscriptions. Without that answer the session ends here
 *   for good: the router ignores that end if the taker's session owns the player, and otherwise nobody is left
 *   online with no session (a ghost).</li>
 * </ol>
 * A prepared hand-over whose marker (or take) does not come within the hand-over timeout
 * ({@link io.seedgate.gateway.resume.ResumeSettings#handoverTimeoutMs}, 10 s) is called off: the session stays here,
 * detached, nothing lost; the taker's answer to the state is waited for as long. When this instance's delivery
 * connection reconnects between the prepare and the marker, deliveries may be missing from the session's buffer:
 * the take is refused and the session ends here for good, as when the taker's does
 * ({@link DeliverySubscriber#reconnects()}). Used on the instance's event loop.
 */
final class HandoverGiver {

  private static final Logger LOG = LoggerFactory.getLogger(HandoverGiver.class);

  private final Vertx vertx;
  private final Incarnation incarnation;
  private final SessionIndex index;
  private final SessionRegistry registry;
  private final DeliverySubscriber subscriber;
  private final SessionResumption resumption;
  /** How long a prepared hand-over waits for its marker and its {@code take}; then the taker's answer to the state. */
  private final long timeoutMs;
  private final HandoverMarkers markers;
  private final String broadcastChannel;
  private final Map<String, Giving> byMarker = new HashMap<>();
  /** Sessions being given whose deliveries are split per channel, by session: the channels already split. */
  private final Map<Session, Set<String>> split = new IdentityHashMap<>();
  private MessageConsumer<JsonObject> consumer;

  /** One session being given: prepared, then exported at its marker, then taken. */
  private static final class Giving {
    final String marker;
    final Session session;
    /** {@link DeliverySubscriber#reconnects()} at the prepare. */
    final long reconnects;
    /** The channels whose marker has not come yet ({@link HandoverMarkers#perChannel()}), else empty. */
    final Set<String> unsplit = new HashSet<>();
    /** The marker channels subscribed for this hand-over. */
    List<String> markerChannels = List.of();
    long timer;
    ResumableState<OutboundMessage> state;
    Message<JsonObject> take;

    Giving(String marker, Session session, long reconnects) {
      this.marker = marker;
      this.session = session;
      this.reconnects = reconnects;
    }
  }

  HandoverGiver(Vertx vertx, Incarnation incarnation, SessionIndex index, SessionRegistry registry,
                DeliverySubscriber subscriber, SessionResumption resumption, HandoverMarkers markers,
                String broadcastChannel) {
    this.vertx = vertx;
    this.markers = markers;
    this.broadcastChannel = broadcastChannel;
    this.incarnation = incarnation;
    this.index = index;
    this.registry = registry;
    this.subscriber = subscriber;
    this.resumption = resumption;
    this.timeoutMs = resumption.settings().handoverTimeoutMs();
  }

  /** Answers the hand-over requests of {@link Addresses#resumeHandover} for this incarnation. */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.resumeHandover(incarnation.id()), this::request);
    return consumer.completion();
  }

  /** Stops answering; hand-overs under way are left to their timeouts. */
  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Hand-overs under way. */
  int underway() {
    return byMarker.size();
  }

  /**
   * Whether a delivery on the channel is no longer the session's here: its hand-over's marker for that channel came
   * (per-channel markers; with one marker the session leaves the index at once instead).
   */
  boolean splitOff(Session s, String channel) {
    if (split.isEmpty()) {
      return false;
    }
    Set<String> done = split.get(s);
    return done != null && done.contains(channel);
  }

  /**
   * A marker reached this instance on its delivery connection, on the marker channel given: the session it names
   * receives nothing more here on the channel it splits; once every channel is split, it stops receiving here.
   */
  void marker(String marker, String markerChannel) {
    Giving g = byMarker.get(marker);
    if (g == null || g.state != null) {
      return;
    }
    String channel = markers.splits(markerChannel);
    if (channel != null) {
      if (!g.unsplit.remove(channel)) {
        return;
      }
      split.computeIfAbsent(g.session, k -> new HashSet<>()).add(channel);
      if (!g.unsplit.isEmpty()) {
        return;
      }
    }
    split.remove(g.session);
    if (!stillHeld(g)) {
      // it ended meanwhile (its window passed, it overflowed): the take is refused
      callOff(g, ResumeReason.EXPIRED);
      return;
    }
    if (subscriber.reconnects() != g.reconnects) {
      endWithGap(g);
      return;
    }
    g.state = g.session.export();
    registry.retire(g.session);
    if (g.take != null) {
      give(g);
    }
  }

  private void request(Message<JsonObject> m) {
    JsonObject body = m.body();
    switch (body.getString("type", "")) {
      case "prepare" -> prepare(m, body);
      case "take" -> take(m, body);
      default -> m.fail(ErrorCode.MALFORMED.code(), "unknown hand-over request");
    }
  }

  private void prepare(Message<JsonObject> m, JsonObject body) {
    ResumeToken token = ResumeToken.parse(body.getString("resume"));
    String marker = body.getString("marker");
    if (token == null || marker == null || !token.incarnationId().equals(incarnation.id())) {
      m.reply(refused(ResumeReason.UNKNOWN));
      return;
    }
    ResumeReason refusal = resumption.refusal(token, body.getLong("seq", 0L));
    Session held = index.byId(token.sessionId());
    if (refusal == null && byMarker.values().stream().anyMatch(g -> g.session == held)) {
      refusal = ResumeReason.REPLACED;
    }
    if (refusal != null) {
      m.reply(refused(refusal));
      return;
    }
    held.letConnectionGo();
    Giving g = new Giving(marker, held, subscriber.reconnects());
    g.timer = vertx.setTimer(timeoutMs, t -> expired(g));
    byMarker.put(marker, g);
    JsonObject prepared = new JsonObject().put("node", incarnation.nodeId()).put("incarnation", incarnation.id())
      .put("session", held.id()).put("player", held.playerId()).put("token", held.token()).put("map", held.mapId());
    if (!markers.perChannel()) {
      m.reply(prepared);
      return;
    }
    // a marker per channel: this side hears them only once its marker channels are subscribed
    List<String> channels = handoverChannels(held);
    g.unsplit.addAll(channels);
    g.markerChannels = markers.channelsFor(channels);
    subscriber.subscribe(g.markerChannels).onComplete(ar -> {
      if (ar.succeeded() && byMarker.get(marker) == g) {
        m.reply(prepared);
      } else {
        if (byMarker.get(marker) == g) {
          callOff(g, ResumeReason.ELSEWHERE);
        }
        m.reply(refused(ResumeReason.ELSEWHERE));
      }
    });
  }

  /** The channels a session's deliveries come on, as a hand-over splits them: its own, its map's, the broadcast. */
  private List<String> handoverChannels(Session s) {
    return List.of(RedisKeys.tokenChannel(s.token()), RedisKeys.playerChannel(s.playerId()),
      RedisKeys.mapChannel(s.mapId()), broadcastChannel);
  }

  /** The hand-over is over (given, called off or ended): its marker channels are no longer needed. */
  private void forget(Giving g) {
    byMarker.remove(g.marker);
    split.remove(g.session);
    if (!g.markerChannels.isEmpty()) {
      subscriber.unsubscribe(g.markerChannels);
      g.markerChannels = List.of();
    }
  }

  private void take(Message<JsonObject> m, JsonObject body) {
    Giving g = byMarker.get(body.getString("marker", ""));
    if (g == null) {
      m.reply(refused(ResumeReason.ELSEWHERE));
      return;
    }
    g.take = m;
    if (g.state != null) {
      give(g);
    }
  }

  private void give(Giving g) {
    vertx.cancelTimer(g.timer);
    ResumableState<OutboundMessage> state = g.state;
    g.take.<JsonObject>replyAndRequest(state.toJson(OutboundMessage::bytes),
        new DeliveryOptions().setSendTimeout(timeoutMs))
      .onComplete(ar -> {
        forget(g);
        boolean adopted = ar.succeeded() && ar.result().body().getBoolean("adopted", false);
        if (adopted) {
          subscriber.unsubscribe(state.channels());
          resumption.ended(g.session, ResumeReason.REPLACED);
          g.session.handedOver();
          try (LogContext ignored = LogContext.player(state.player(), state.sessionId())) {
            LOG.debug("[session: {}, player: {}] handed over, {} buffered deliveries", state.sessionId(),
              state.player(), state.replay().size());
          }
        } else {
          try (LogContext ignored = LogContext.player(state.player(), state.sessionId())) {
            LOG.info("[session: {}, player: {}] hand-over not confirmed ({}), ending the session here",
              state.sessionId(), state.player(), ar.failed() ? ar.cause().getMessage() : "not adopted");
          }
          endForGood(g);
        }
      });
  }

  /** The marker or the take did not come in time. */
  private void expired(Giving g) {
    if (byMarker.get(g.marker) != g) {
      return;
    }
    if (g.state == null) {
      if (stillHeld(g) && subscriber.reconnects() != g.reconnects) {
        endWithGap(g);
      } else {
        callOff(g, ResumeReason.ELSEWHERE);
      }
      return;
    }
    // exported at its marker, but nobody took it: what came after the marker is gone with the taker
    forget(g);
    endForGood(g);
  }

  /** The hand-over is off before the marker: the session stays here as it is. */
  private void callOff(Giving g, ResumeReason why) {
    forget(g);
    vertx.cancelTimer(g.timer);
    if (g.take != null) {
      g.take.reply(refused(why));
    }
  }

  /** Whether the session is still here, to be given: not ended meanwhile, nor taken by a resume on this instance. */
  private boolean stillHeld(Giving g) {
    return g.session.resumable() && index.byId(g.session.id()) == g.session;
  }

  /**
   * The delivery connection reconnected while the hand-over stood, before the marker: what Redis published
   * meanwhile is missing from the session's buffer (and the taker keeps only what comes after the marker), so
   * neither side may carry the session on. The take is refused ({@code elsewhere}) and the session ends here for
   * good.
   */
  private void endWithGap(Giving g) {
    forget(g);
    vertx.cancelTimer(g.timer);
    g.state = g.session.export();
    registry.retire(g.session);
    if (g.take != null) {
      g.take.reply(refused(ResumeReason.ELSEWHERE));
    }
    try (LogContext ignored = LogContext.player(g.session.playerId(), g.session.id())) {
      LOG.info("[session: {}, player: {}] the delivery connection reconnected during the hand-over, ending the "
        + "session here", g.session.id(), g.session.playerId());
    }
    endForGood(g);
  }

  private void endForGood(Giving g) {
    resumption.ended(g.session, ResumeReason.ELSEWHERE);
    registry.ended(g.session, ErrorCode.UNAVAILABLE).onComplete(ar -> g.session.handedOver());
  }

  private static JsonObject refused(ResumeReason reason) {
    return new JsonObject().put("refused", reason.wire());
  }
}
