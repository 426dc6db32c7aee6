package io.seedgate.gateway.session;

import io.seedgate.common.LogContext;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.gateway.routing.Action;
import io.seedgate.gateway.routing.Envelope;
import io.seedgate.gateway.routing.Sender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * One client's session, the same on every transport: the first message (or the handshake) brings the token,
 * later messages bring actions, deliveries go out through the {@link ClientChannel}. Runs on the event loop of
 * the gateway instance that accepted the connection; not thread-safe, and needs not be.
 *
 * <p>States: waiting for a token, authenticating (messages are queued, a few at most), active, closed.
 *
 * <p>What it works with besides its channel comes in {@link SessionCollaborators}, each a small interface or value:
 * the token check ({@link Authenticator}), where actions go ({@link io.seedgate.gateway.routing.ActionSink}), what
 * it tells its instance as it authenticates and ends ({@link SessionLifecycle}), latencies, counters, the error
 * messages, its limits and the clock. It knows nothing of the other sessions.
 */
public final class Session implements Sender {

  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final int MAX_QUEUED_WHILE_AUTHENTICATING = 8;

  enum State { AWAITING_TOKEN, AUTHENTICATING, ACTIVE, CLOSED }

  private final String id;
  private final ClientChannel channel;
  private final SessionCollaborators with;
  private final int transportSlot;
  private final long openedAt;
  private final ArrayDeque<ClientMessage> queued = new ArrayDeque<>(2);
  private final Promise<Void> ended = Promise.promise();
  private State state = State.AWAITING_TOKEN;
  private long lastActivity;
  private String token;
  private String playerId;
  private String mapId;
  private ErrorCode closeReason;
  private final RateLimiter rate;
  private boolean counted;
  private boolean countedAsPending;
  private Envelope.Parts envelopeParts;

  /**
   * A new session, waiting for its token.
   *
   * @param id      the session's id
   * @param channel the connection to the client
   * @param with    what the session works with: authentication, actions, its instance, limits, the clock
   */
  Session(String id, ClientChannel channel, SessionCollaborators with) {
    long now = with.clock().getAsLong();
    this.id = id;
    this.rate = new RateLimiter(with.limits().messageRate(), now);
    this.channel = channel;
    this.with = with;
    this.transportSlot = HubCounters.transportIndex(channel.transport());
    this.openedAt = now;
    this.lastActivity = now;
  }

  /**
   * Handles one complete client message: a {@link io.vertx.core.buffer.Buffer} of its UTF-8 bytes (the WebSocket
   * port passes text frames this way too), or a String. {@code raw} is read during the call only and never kept (the
   * WebSocket port passes a view of a frame it releases afterwards).
   */
  public void onMessage(Object raw, int byteLength) {
    if (state == State.CLOSED) {
      return;
    }
    with.counters().messageIn();
    if (byteLength > with.limits().maxMessageBytes()) {
      fail(ErrorCode.TOO_LARGE);
      return;
    }
    switch (rate.take(with.clock().getAsLong())) {
      case DROP -> {
        return;
      }
      case DROP_AND_WARN -> {
        send(ErrorCode.FLOOD);
        return;
      }
      case CLOSE -> {
        fail(ErrorCode.FLOODING);
        return;
      }
      default -> { }
    }
    ClientMessage message;
    try {
      message = ClientMessage.parse(raw);
    } catch (IllegalArgumentException e) {
      fail(ErrorCode.MALFORMED);
      return;
    }
    lastActivity = with.clock().getAsLong();
    switch (state) {
      case AWAITING_TOKEN -> {
        if (message.token() == null || message.token().isEmpty()) {
          authFailed(ErrorCode.INVALID_TOKEN);
        } else {
          authenticate(message.token(), message);
        }
      }
      case AUTHENTICATING -> {
        if (queued.size() >= MAX_QUEUED_WHILE_AUTHENTICATING) {
          fail(ErrorCode.FLOOD);
        } else {
          queued.add(message);
        }
      }
      case ACTIVE -> act(message, System.nanoTime());
      default -> { }
    }
  }

  /**
   * Starts authentication with a token that came outside a message (a JWT in the WebSocket handshake); the
   * session then needs no first message.
   */
  public void authenticateWith(String handshakeToken) {
    if (state == State.AWAITING_TOKEN) {
      authenticate(handshakeToken, null);
    }
  }

  private void authenticate(String presented, ClientMessage first) {
    state = State.AUTHENTICATING;
    long presentedAt = System.nanoTime();
    if (first != null) {
      queued.add(first);
    }
    with.authenticator().authenticate(this, presented).onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject identity = ar.result();
        token = identity.getString("token");
        playerId = identity.getString("player");
        mapId = identity.getString("map");
      }
      if (state == State.CLOSED) {
        if (ar.succeeded()) {
          with.lifecycle().ended(this, ErrorCode.UNAVAILABLE);
        }
        return;
      }
      if (ar.failed()) {
        authFailed(GatewayException.codeOf(ar.cause()));
        return;
      }
      with.lifecycle().activate(this).onComplete(sub -> {
        if (state == State.CLOSED) {
          return;
        }
        if (sub.failed()) {
          authFailed(ErrorCode.UNAVAILABLE);
          return;
        }
        state = State.ACTIVE;
        with.latencies().loggedIn(System.nanoTime() - presentedAt);
        channel.onAuthenticated();
        LOG.debug("[session: {}] player {} on map {} via {}", id, playerId, mapId, channel.transport());
        while (!queued.isEmpty() && state == State.ACTIVE) {
          act(queued.poll(), System.nanoTime());
        }
      });
    });
  }

  /** A failed authentication: counted by reason, then the error and the close. */
  void authFailed(ErrorCode reason) {
    with.counters().authFailed(reason);
    fail(reason);
  }

  /**
   * Hands an action to the services.
   *
   * @param parsedAt {@link System#nanoTime()} when the message was parsed (or taken from the queue it waited in
   *                 during authentication): the routing latency runs from there to Redis accepting the PUBLISH
   */
  private void act(ClientMessage message, long parsedAt) {
    String raw = message.action();
    if (raw == null) {
      fail(ErrorCode.NO_ACTION);
      return;
    }
    Action action = Action.parse(raw);
    if (action == null || !with.actions().allowed(action.model())) {
      send(ErrorCode.MODEL_NOT_ALLOWED);
      return;
    }
    with.actions().publish(this, action, message).onComplete(ar -> {
      if (ar.succeeded()) {
        with.latencies().routed(System.nanoTime() - parsedAt);
      } else {
        with.counters().actionFailed();
        if (state == State.ACTIVE) {
          send(ErrorCode.ACTION_NOT_DELIVERED);
        }
      }
    });
  }

  /** Sends a message from a game service; a client that cannot keep up is disconnected. */
  public void deliver(OutboundMessage message) {
    if (state != State.ACTIVE) {
      return;
    }
    if (channel.writeQueueFull()) {
      try (LogContext ignored = LogContext.player(playerId, id)) {
        LOG.info("[session: {}, player: {}] client too slow, disconnecting", id, playerId);
      }
      with.counters().slowClient();
      fail(ErrorCode.SLOW_CONSUMER);
      return;
    }
    with.counters().messageOut();
    channel.send(message);
  }

  /** Sends {@code {"error":"<text>"}}; when the error is fatal, closes the connection after it. */
  public void fail(ErrorCode code) {
    fail(code, with.errors().of(code));
  }

  /** Sends the message standing for the error; when the error is fatal, closes the connection after it. */
  void fail(ErrorCode code, OutboundMessage message) {
    if (state == State.CLOSED) {
      return;
    }
    with.counters().messageOut();
    channel.send(message);
    if (code.fatal()) {
      closeReason = code;
      channel.close(code);
    }
  }

  private void send(ErrorCode code) {
    with.counters().messageOut();
    channel.send(with.errors().of(code));
  }

  /** Called by the transport once, when the connection is gone (whoever closed it). */
  public void onClosed() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    if (token != null) {
      with.lifecycle().ended(this, closeReason == null ? ErrorCode.UNAVAILABLE : closeReason)
        .onComplete(ar -> ended.tryComplete());
    } else {
      with.lifecycle().forget(this);
      ended.tryComplete();
    }
  }

  /** Completes once the session is closed and, when it was authenticated, its end was recorded. */
  public Future<Void> ended() {
    return ended.future();
  }

  /** Moves the session to another map (the router already moved it in Redis). */
  void changeMap(String newMap) {
    this.mapId = newMap;
  }

  /** What an operator sees of the session (admin API); on the session's event loop. */
  JsonObject describe(long now) {
    return new JsonObject().put("found", true).put("session", id).put("transport", transport())
      .put("player", playerId).put("map", mapId).put("ip", remoteIp()).put("state", state.name().toLowerCase())
      .put("idleMs", Math.max(0, now - lastActivity));
  }

  int transportSlot() {
    return transportSlot;
  }

  boolean idleSince(long deadline) {
    return lastActivity < deadline;
  }

  /**
   * Whether the session opened before the deadline and has still not presented a token. One whose token is being
   * checked (or waits its turn for that) is not: the router's answer and the login queue have bounds of their own.
   */
  boolean unauthenticatedSince(long deadline) {
    return state == State.AWAITING_TOKEN && openedAt < deadline;
  }

  /** Whether the session opened before the deadline and its token is still being checked (or waits for that). */
  boolean authenticatingSince(long deadline) {
    return state == State.AUTHENTICATING && openedAt < deadline;
  }

  boolean closed() {
    return state == State.CLOSED;
  }

  boolean active() {
    return state == State.ACTIVE;
  }

  /** Whether the node's connection limits count this session (so its end must release it). */
  boolean counted() {
    return counted;
  }

  void counted(boolean counted) {
    this.counted = counted;
  }

  /** Whether the node's limits count this session against its address, as not authenticated yet. */
  boolean countedAsPending() {
    return countedAsPending;
  }

  void countedAsPending(boolean pending) {
    this.countedAsPending = pending;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String token() {
    return token;
  }

  @Override
  public String playerId() {
    return playerId;
  }

  @Override
  public String mapId() {
    return mapId;
  }

  /** What the {@link io.seedgate.gateway.routing.ActionSink} keeps of this session's envelope, or null. */
  @Override
  public Envelope.Parts envelopeParts() {
    return envelopeParts;
  }

  @Override
  public void envelopeParts(Envelope.Parts parts) {
    this.envelopeParts = parts;
  }

  @Override
  public String remoteIp() {
    return channel.remoteIp();
  }

  public String transport() {
    return channel.transport();
  }
}
