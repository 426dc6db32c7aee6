package io.seedgate.gateway.session;

import io.seedgate.common.LogContext;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.gateway.resume.ReplayBuffer;
import io.seedgate.gateway.resume.ResumableState;
import io.seedgate.gateway.resume.ResumeFailure;
import io.seedgate.gateway.resume.ResumeMessages;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.resume.ResumeToken;
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
 * <p>States: waiting for a token, authenticating or resuming (messages are queued, a few at most), active, detached
 * (a resumable session whose connection is gone), closed.
 *
 * <p>A resumable session (the client asked with {@code "resume":true}) numbers its deliveries
 * ({@code {"seq":<n>,"msg":<payload>}}) and keeps the recent ones in its {@link ReplayBuffer}. When its connection
 * drops (the client left, a socket error), or the server closes it as idle, too slow, or at a drain, it is detached:
 * still online, on its map and subscribed, it buffers for {@code gateway.resume.windowSeconds} and then ends as usual.
 * Any other fatal error ends it as today. A new connection that presents its resume token {@linkplain #export takes}
 * it: the new connection's session {@linkplain #importState imports} its state and carries on under its id.
 *
 * <p>What it works with besides its channel comes in {@link SessionCollaborators}, each a small interface or value:
 * the token check ({@link Authenticator}), where actions go ({@link io.seedgate.gateway.routing.ActionSink}), what
 * it tells its instance as it authenticates and ends ({@link SessionLifecycle}), latencies, counters, the error
 * messages, its limits and the clock. It knows nothing of the other sessions.
 */
public final class Session implements Sender {

  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final int MAX_QUEUED_WHILE_AUTHENTICATING = 8;

  enum State { AWAITING_TOKEN, AUTHENTICATING, ACTIVE, DETACHED, CLOSED }

  private String id;
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
  /** Whether the client asked for a resumable session at login. */
  private boolean wantsResume;
  /** The sequence counter and recent deliveries of a resumable session; null for a plain one. */
  private ReplayBuffer<OutboundMessage> replay;
  private ResumeToken resumeToken;
  /** Whether the close the server started detaches the session (idle, too slow, drain) rather than ending it. */
  private boolean detachOnClose;
  private long detachedAt;

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
      case AWAITING_TOKEN -> first(message);
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

  /** The first message: a resume, or a login with a token. */
  private void first(ClientMessage message) {
    if (message.resumeToken() != null && message.token() == null) {
      resume(message.resumeToken(), message.seq());
    } else if (message.token() == null || message.token().isEmpty()) {
      authFailed(ErrorCode.INVALID_TOKEN);
    } else {
      wantsResume = message.resumeAsked();
      authenticate(message.token(), message);
    }
  }

  /**
   * Starts authentication with a token that came outside a message (a JWT in the WebSocket handshake); the
   * session then needs no first message.
   */
  public void authenticateWith(String handshakeToken) {
    authenticateWith(handshakeToken, false);
  }

  /** Like {@link #authenticateWith(String)}; {@code resume}: the handshake asked for a resumable session. */
  public void authenticateWith(String handshakeToken, boolean resume) {
    if (state == State.AWAITING_TOKEN) {
      wantsResume = resume;
      authenticate(handshakeToken, null);
    }
  }

  /**
   * {@code {"resume":"<token>","seq":<n>}}: takes the session the token names and carries it on here, or answers
   * {@code {"error":"resume failed","reason":...}} and waits for a first message again (not a fatal error).
   */
  private void resume(String presented, long seq) {
    state = State.AUTHENTICATING;
    with.counters().resumeAttempted();
    with.resumes().take(this, presented, seq).onComplete(ar -> {
      if (ar.failed()) {
        ResumeReason reason = ResumeFailure.reasonOf(ar.cause());
        if (!(ar.cause() instanceof ResumeFailure)) {
          LOG.info("[session: {}] resume not handed over: {}", id, ar.cause().toString());
        }
        with.counters().resumeFailed(reason);
        if (state == State.AUTHENTICATING) {
          state = State.AWAITING_TOKEN;
          with.counters().messageOut();
          channel.send(OutboundMessage.ofText(ResumeMessages.failed(reason)));
          while (!queued.isEmpty() && state == State.AWAITING_TOKEN) {
            first(queued.poll());
          }
        }
        return;
      }
      with.counters().resumeSucceeded();
      ResumableState<OutboundMessage> taken = ar.result();
      if (state == State.CLOSED) {
        // the new connection went while the session was handed over: it ends here
        importState(taken, seq);
        with.resumes().ended(this, ResumeReason.REPLACED);
        with.counters().buffered(-replay.clear());
        with.lifecycle().ended(this, ErrorCode.UNAVAILABLE).onComplete(x -> ended.tryComplete());
        return;
      }
      String previousId = id;
      importState(taken, seq);
      with.resumes().adopted(this, previousId);
      state = State.ACTIVE;
      channel.onAuthenticated();
      var missed = replay.after(seq);
      with.counters().messageOut();
      channel.send(OutboundMessage.ofText(ResumeMessages.resumed(seq, missed.size(), resumeToken)));
      for (ReplayBuffer.Entry<OutboundMessage> e : missed) {
        with.counters().messageOut();
        channel.send(e.message().sequenced(e.seq()));
      }
      try (LogContext ignored = LogContext.player(playerId, id)) {
        LOG.debug("[session: {}, player: {}] resumed via {} after seq {}, {} replayed", id, playerId,
          channel.transport(), seq, missed.size());
      }
      while (!queued.isEmpty() && state == State.ACTIVE) {
        act(queued.poll(), System.nanoTime());
      }
    });
  }

  /**
   * Takes over a resumable session's state: its id, identity and replay buffer (what the client saw, up to
   * {@code seq}, is dropped from it); the client is given a new resume token.
   */
  void importState(ResumableState<OutboundMessage> taken, long seq) {
    id = taken.sessionId();
    token = taken.token();
    playerId = taken.player();
    mapId = taken.map();
    replay = taken.replay();
    with.counters().buffered(replay.bytes());
    with.counters().buffered(-replay.acknowledge(seq));
    resumeToken = ResumeToken.generate(id);
    closeReason = null;
    detachOnClose = false;
  }

  /**
   * Hands the session's state over to a new connection: the session is gone from here without ending (no save, no
   * leave; its channels stay subscribed for whoever imports it); a connection it still had is closed.
   */
  ResumableState<OutboundMessage> export() {
    State was = state;
    state = State.CLOSED;
    ResumableState<OutboundMessage> out = new ResumableState<>(id, resumeToken, token, playerId, mapId, remoteIp(),
      replay);
    with.counters().buffered(-replay.bytes());
    if (was == State.DETACHED) {
      with.counters().detached(-1);
    } else {
      channel.close();
    }
    replay = null;
    return out;
  }

  /** The exported session's hand-over is over (it was taken, or ended for good): {@link #ended} completes. */
  void handedOver() {
    ended.tryComplete();
  }

  /**
   * A resume on another incarnation is taking this session: a connection it still has is closed without a word (its
   * client is already elsewhere) and the session detaches, buffering, until the hand-over takes it.
   */
  void letConnectionGo() {
    if (state == State.ACTIVE && replay != null) {
      closeReason = ErrorCode.REPLACED;
      detachOnClose = true;
      channel.close(ErrorCode.REPLACED);
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
        if (wantsResume && with.resumes().settings().enabled()) {
          replay = new ReplayBuffer<>();
          resumeToken = ResumeToken.generate(id);
          with.counters().messageOut();
          channel.send(OutboundMessage.ofText(ResumeMessages.session(resumeToken, 0,
            with.resumes().settings().windowSeconds())));
        }
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

  /**
   * Sends a message from a game service; a client that cannot keep up is disconnected. A resumable session numbers
   * it and keeps it for a replay, also while detached; past its bound it then ends ({@code overflowed}).
   */
  public void deliver(OutboundMessage message) {
    if (replay != null && (state == State.ACTIVE || state == State.DETACHED)) {
      deliverSequenced(message);
      return;
    }
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

  private void deliverSequenced(OutboundMessage message) {
    long seq = replay.append(message, message.length());
    with.counters().buffered(message.length());
    int bound = with.resumes().settings().bufferBytes();
    if (state == State.DETACHED) {
      if (replay.over(bound)) {
        try (LogContext ignored = LogContext.player(playerId, id)) {
          LOG.info("[session: {}, player: {}] detached session over its {} buffered bytes, ending it", id, playerId,
            bound);
        }
        endDetached(ErrorCode.SLOW_CONSUMER, ResumeReason.OVERFLOWED);
      }
      return;
    }
    with.counters().buffered(-replay.trimTo(bound));
    if (channel.writeQueueFull()) {
      try (LogContext ignored = LogContext.player(playerId, id)) {
        LOG.info("[session: {}, player: {}] client too slow, detaching", id, playerId);
      }
      with.counters().slowClient();
      fail(ErrorCode.SLOW_CONSUMER);
      return;
    }
    with.counters().messageOut();
    channel.send(message.sequenced(seq));
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
    if (state == State.DETACHED) {
      if (code.fatal()) {
        endDetached(code, ResumeReason.REPLACED);
      }
      return;
    }
    with.counters().messageOut();
    channel.send(message);
    if (code.fatal()) {
      closeReason = code;
      detachOnClose = replay != null && state == State.ACTIVE
        && (code == ErrorCode.IDLE_TIMEOUT || code == ErrorCode.SLOW_CONSUMER);
      channel.close(code);
    }
  }

  /**
   * A drain: a resumable session is sent the message and detached (its client resumes it, here or, with a handover,
   * on another node); a detached one stays so; any other is closed with the error as by {@link #fail}.
   */
  void drain(ErrorCode code, OutboundMessage message) {
    if (state == State.DETACHED) {
      return;
    }
    if (replay != null && state == State.ACTIVE) {
      with.counters().messageOut();
      channel.send(message);
      closeReason = code;
      detachOnClose = true;
      channel.close(code);
      return;
    }
    fail(code, message);
  }

  /** The window of a detached session passed by {@code now}: it ends ({@code expired}). */
  boolean windowPassed(long now) {
    return state == State.DETACHED && now - detachedAt >= with.resumes().settings().windowMs();
  }

  /** Ends the detached session whose window passed. */
  void expire() {
    if (state == State.DETACHED) {
      try (LogContext ignored = LogContext.player(playerId, id)) {
        LOG.debug("[session: {}, player: {}] not resumed within its window, ending it", id, playerId);
      }
      endDetached(ErrorCode.IDLE_TIMEOUT, ResumeReason.EXPIRED);
    }
  }

  private void detach() {
    state = State.DETACHED;
    detachedAt = with.clock().getAsLong();
    detachOnClose = false;
    with.counters().detached(1);
    try (LogContext ignored = LogContext.player(playerId, id)) {
      LOG.debug("[session: {}, player: {}] connection gone ({}), detached for {} s", id, playerId,
        closeReason == null ? "by the client" : closeReason.name(), with.resumes().settings().windowSeconds());
    }
  }

  private void endDetached(ErrorCode reason, ResumeReason why) {
    state = State.CLOSED;
    with.counters().detached(-1);
    endResumable(why);
    with.lifecycle().ended(this, reason).onComplete(ar -> ended.tryComplete());
  }

  private void endResumable(ResumeReason why) {
    with.counters().buffered(-replay.clear());
    with.resumes().ended(this, why);
  }

  private void send(ErrorCode code) {
    with.counters().messageOut();
    channel.send(with.errors().of(code));
  }

  /** Called by the transport once, when the connection is gone (whoever closed it). */
  public void onClosed() {
    if (state == State.CLOSED || state == State.DETACHED) {
      return;
    }
    if (state == State.ACTIVE && replay != null && (closeReason == null || detachOnClose)) {
      detach();
      return;
    }
    state = State.CLOSED;
    if (replay != null) {
      endResumable(ResumeReason.REPLACED);
    }
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

  /** Whether the session numbers and keeps its deliveries for a resume. */
  boolean resumable() {
    return replay != null;
  }

  ReplayBuffer<OutboundMessage> replay() {
    return replay;
  }

  ResumeToken resumeToken() {
    return resumeToken;
  }

  /** Moves the session to another map (the router already moved it in Redis). */
  void changeMap(String newMap) {
    this.mapId = newMap;
  }

  /** What an operator sees of the session (admin API); on the session's event loop. */
  JsonObject describe(long now) {
    return new JsonObject().put("found", true).put("session", id).put("transport", transport())
      .put("player", playerId).put("map", mapId).put("ip", remoteIp()).put("state", state.name().toLowerCase())
      .put("idleMs", Math.max(0, now - lastActivity)).put("resumable", replay != null);
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

  /** Whether the player is online through this session: active, or detached and waiting for its client. */
  boolean online() {
    return state == State.ACTIVE || state == State.DETACHED;
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
