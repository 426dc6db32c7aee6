package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.Bounded;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.routing.ActionSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The sessions of one gateway instance (one event loop), indexed by id, token, player and map, and what they
 * share: the router on the event bus, the action publisher and the delivery subscriptions. Deliveries from
 * Redis arrive here on the same event loop and go straight to the sockets.
 */
public final class SessionHub {

  private static final Logger LOG = LoggerFactory.getLogger(SessionHub.class);
  private static final long ROUTER_TIMEOUT_MS = 20_000;
  private static final int REASSERT_CONCURRENCY = 64;
  private static final int REASSERT_ATTEMPTS = 5;
  private static final long REASSERT_RETRY_MS = 2_000;
  /**
   * How long after the authentication deadline a login whose token came in time may still take (its turn in the
   * login queue, the router's answer, its channels subscribed) before it is given up with service unavailable.
   */
  static final long LOGIN_GRACE_MS = 3 * ROUTER_TIMEOUT_MS;
  /** A session end the router could not record is asked again after this, then after twice as long, ... */
  static final long END_RETRY_FIRST_MS = 250;
  /** ... up to this between two attempts ... */
  static final long END_RETRY_MAX_MS = 2_000;
  /** ... for this long at most (then, and once the hub stops, it is left in the index for a router's sweep). */
  static final long END_RETRY_FOR_MS = 10 * 60_000;
  /** What a drained node sends its clients: go and connect to another node. */
  private static final OutboundMessage RECONNECT = OutboundMessage.ofText(new JsonObject()
    .put("error", ErrorCode.SERVER_STOPPED.text()).put("reconnect", true).encode());

  private final EventBus eventBus;
  private final Context context;
  private final Incarnation incarnation;
  private final DeliveryOptions routerDelivery;
  private final SessionCollaborators collaborators;
  private final DeliverySubscriber subscriber;
  private final Limits limits;
  private final String broadcastChannel;
  private final Map<String, Session> byId = new HashMap<>();
  private final Map<String, Session> byToken = new HashMap<>();
  private final Map<String, Session> byPlayer = new HashMap<>();
  private final Map<String, Set<Session>> byMap = new HashMap<>();
  private final ErrorMessages errors = new ErrorMessages();
  /** Session ends asked of the router and not answered yet: what a stop waits for besides the open sessions. */
  private final Set<Future<Void>> endsInFlight = new HashSet<>();
  private final HubCounters counters = new HubCounters();
  private final LoginGate logins;
  /** While Redis is away every session end fails: one WARN a minute for them, not one per player. */
  private final BurstLog endFailures = new BurstLog(LOG, 60_000);
  private final RateLimiter.Rule messageRate;
  private final SessionLatencies latencies = new SessionLatencies();
  private volatile long delivered;
  private long sessionsOpened;
  private volatile int sessionCount;
  private volatile int playerCount;
  private ErrorCode stoppingCode;
  private OutboundMessage stoppingMessage;

  /**
   * Limits a session enforces.
   *
   * @param maxMessageBytes largest client message
   * @param idleTimeoutMs   a session with no message for this long is closed
   * @param authTimeoutMs   a connection not authenticated by then is closed
   * @param messagesPerSecond average messages per second one connection may send
   * @param messageBurst    messages one connection may send at once
   * @param connections     the node's connection counts and limits
   * @param loginsInFlight  token checks this instance has at the router at once
   * @param loginQueue      logins this instance keeps waiting for their turn
   */
  public record Limits(int maxMessageBytes, long idleTimeoutMs, long authTimeoutMs, int messagesPerSecond,
                       int messageBurst, ConnectionLimits connections, int loginsInFlight, int loginQueue) {

    /** With the default login gate (64 in flight, 16,384 waiting). */
    public Limits(int maxMessageBytes, long idleTimeoutMs, long authTimeoutMs, int messagesPerSecond,
                  int messageBurst, ConnectionLimits connections) {
      this(maxMessageBytes, idleTimeoutMs, authTimeoutMs, messagesPerSecond, messageBurst, connections, 64, 16_384);
    }
  }

  /**
   * @param incarnation this gateway instance's run: its sessions' ids and the node they are recorded under
   */
  public SessionHub(Vertx vertx, Incarnation incarnation, ActionSink actions,
                    DeliverySubscriber subscriber, Limits limits, String broadcastChannel) {
    this.eventBus = vertx.eventBus();
    this.context = vertx.getOrCreateContext();
    this.routerDelivery = LocalRoles.deliveryTo(vertx, Settings.ROLE_ROUTER, ROUTER_TIMEOUT_MS);
    this.incarnation = incarnation;
    this.subscriber = subscriber.onMessage(this::dispatch);
    this.limits = limits;
    this.logins = new LoginGate(limits.loginsInFlight(), limits.loginQueue(), ROUTER_TIMEOUT_MS);
    this.messageRate = new RateLimiter.Rule(limits.messagesPerSecond(), limits.messageBurst());
    this.broadcastChannel = broadcastChannel;
    SessionLifecycle lifecycle = new SessionLifecycle() {
      @Override
      public Future<Void> activate(Session session) {
        return SessionHub.this.activate(session);
      }

      @Override
      public Future<Void> ended(Session session, ErrorCode reason) {
        return SessionHub.this.ended(session, reason);
      }

      @Override
      public void forget(Session session) {
        SessionHub.this.forget(session);
      }
    };
    this.collaborators = new SessionCollaborators(this::authenticate, actions, lifecycle, latencies, counters, errors,
      new SessionLimits(limits.maxMessageBytes(), messageRate), this::now);
  }

  /** Subscribes what every instance needs whatever its sessions: the broadcast channel. */
  public Future<Void> start() {
    return subscriber.subscribe(List.of(broadcastChannel));
  }

  /** A new connection: its session, waiting for a token. */
  public Session open(ClientChannel channel) {
    Session s = new Session(incarnation.sessionId(++sessionsOpened), channel, collaborators);
    byId.put(s.id(), s);
    sessionCount = byId.size();
    counters.opened(s.transportSlot());
    if (stoppingCode != null) {
      s.fail(stoppingCode, stoppingMessage);
    } else if (!limits.connections().tryAcquire(s.remoteIp())) {
      s.fail(ErrorCode.TOO_MANY_CONNECTIONS);
    } else {
      s.counted(true);
      s.countedAsPending(true);
    }
    return s;
  }

  /** The token check at the router, when this instance's {@link LoginGate} lets it go. */
  Future<JsonObject> authenticate(Session s, String token) {
    return logins.submit(s::closed, () -> {
      JsonObject request = new JsonObject().put("token", token).put("ip", s.remoteIp())
        .put("node", incarnation.nodeId()).put("incarnation", incarnation.id())
        .put("session", s.id()).put("transport", s.transport());
      return eventBus.<JsonObject>request(Addresses.AUTHENTICATE, request, routerDelivery).map(m -> m.body());
    }, now());
  }

  /** Indexes an authenticated session and subscribes its delivery channels. */
  Future<Void> activate(Session s) {
    if (s.countedAsPending()) {
      s.countedAsPending(false);
      limits.connections().authenticated(s.remoteIp());
    }
    byToken.put(s.token(), s);
    byPlayer.put(s.playerId(), s);
    byMap.computeIfAbsent(s.mapId(), k -> new LinkedHashSet<>()).add(s);
    playerCount = byPlayer.size();
    return subscriber.subscribe(channelsOf(s));
  }

  /**
   * Removes an authenticated session and asks the router to record its end (save, offline, off the map), again and
   * again while it cannot ({@link #END_RETRY_FIRST_MS} to {@link #END_RETRY_MAX_MS} apart, for
   * {@link #END_RETRY_FOR_MS} at most, the last attempt once the hub stops): a session that ended while Redis was
   * away (a restart) was never recorded, and its player stayed listed online, on its map and unsaved for as long as
   * the node ran. Ending twice is harmless: the router ends only a session that still owns its player.
   */
  Future<Void> ended(Session s, ErrorCode reason) {
    forget(s);
    byToken.remove(s.token(), s);
    byPlayer.remove(s.playerId(), s);
    playerCount = byPlayer.size();
    removeFromMap(s, s.mapId());
    subscriber.unsubscribe(channelsOf(s));
    JsonObject body = new JsonObject().put("player", s.playerId()).put("map", s.mapId()).put("token", s.token())
      .put("node", incarnation.nodeId()).put("incarnation", incarnation.id()).put("session", s.id())
      .put("reason", reason.name());
    Promise<Void> done = Promise.promise();
    recordEnd(s, body, done, END_RETRY_FIRST_MS, System.currentTimeMillis() + END_RETRY_FOR_MS);
    Future<Void> recorded = done.future();
    endsInFlight.add(recorded);
    recorded.onComplete(ar -> endsInFlight.remove(recorded));
    return recorded;
  }

  private void recordEnd(Session s, JsonObject body, Promise<Void> done, long retryMs, long giveUpAt) {
    eventBus.request(Addresses.SESSION_ENDED, body, routerDelivery).onComplete(ar -> {
      if (ar.succeeded()) {
        endFailures.recovered("[incarnation: {}] session ends recorded again", incarnation);
        done.complete();
      } else if (stoppingCode != null || System.currentTimeMillis() + retryMs > giveUpAt) {
        endFailures.failed("[session: {}] end of session not recorded, player {} left listed online for a router's "
          + "sweep once this incarnation ends: {}", s.id(), s.playerId(), ar.cause().getMessage());
        done.fail(ar.cause());
      } else {
        endFailures.failed("[session: {}] end of session not recorded yet (player {}), asking again until it is: {}",
          s.id(), s.playerId(), ar.cause().getMessage());
        context.owner().setTimer(retryMs, t -> recordEnd(s, body, done, Math.min(2 * retryMs, END_RETRY_MAX_MS),
          giveUpAt));
      }
    });
  }

  /**
   * Records every live session of this instance in Redis again, after Redis lost them (see
   * {@link io.seedgate.gateway.lease.IncarnationLease#onLost}): through the router, {@value #REASSERT_CONCURRENCY}
   * at a time. A session whose player logged in elsewhere meanwhile is closed ({@code logged in elsewhere}); the
   * sessions the router could not record are tried again a few times, {@value #REASSERT_RETRY_MS} ms apart.
   * Call on this hub's context.
   */
  public Future<Bounded.Outcome> reassert() {
    return reassert(List.copyOf(byPlayer.values()), 1);
  }

  private Future<Bounded.Outcome> reassert(List<Session> sessions, int attempt) {
    List<Session> failed = new ArrayList<>();
    return Bounded.forEach(sessions, REASSERT_CONCURRENCY, s -> {
      if (!s.active() || byPlayer.get(s.playerId()) != s) {
        return Future.succeededFuture();
      }
      JsonObject body = new JsonObject().put("player", s.playerId()).put("map", s.mapId()).put("token", s.token())
        .put("node", incarnation.nodeId()).put("incarnation", incarnation.id()).put("session", s.id())
        .put("ip", s.remoteIp());
      return eventBus.<JsonObject>request(Addresses.SESSION_REASSERT, body, routerDelivery)
        .onSuccess(reply -> {
          if (!reply.body().getBoolean("kept", true)) {
            s.fail(ErrorCode.REPLACED);
          }
        })
        .onFailure(e -> failed.add(s));
    }).onSuccess(outcome -> {
      if (failed.isEmpty()) {
        LOG.info("[incarnation: {}] {} live sessions recorded in Redis again", incarnation, outcome.succeeded());
      } else if (attempt < REASSERT_ATTEMPTS) {
        LOG.warn("[incarnation: {}] {} live sessions not recorded in Redis again, retrying in {} ms", incarnation,
          failed.size(), REASSERT_RETRY_MS);
        context.owner().setTimer(REASSERT_RETRY_MS, t -> reassert(failed, attempt + 1));
      } else {
        LOG.error("[incarnation: {}] {} live sessions not recorded in Redis again after {} attempts: closing them",
          incarnation, failed.size(), attempt);
        failed.forEach(s -> s.fail(ErrorCode.UNAVAILABLE));
      }
    });
  }

  void forget(Session s) {
    if (byId.remove(s.id(), s)) {
      counters.closed(s.transportSlot());
      if (s.counted()) {
        s.counted(false);
        limits.connections().release(s.remoteIp(), s.countedAsPending());
        s.countedAsPending(false);
      }
    }
    sessionCount = byId.size();
  }

  private List<String> channelsOf(Session s) {
    return List.of(RedisKeys.tokenChannel(s.token()), RedisKeys.playerChannel(s.playerId()),
      RedisKeys.mapChannel(s.mapId()));
  }

  private void removeFromMap(Session s, String map) {
    Set<Session> onMap = byMap.get(map);
    if (onMap != null && onMap.remove(s) && onMap.isEmpty()) {
      byMap.remove(map);
    }
  }

  /** A message from Redis for the channel: to the one player, the map's players, or everyone. */
  void dispatch(String channel, Buffer payload) {
    OutboundMessage message = OutboundMessage.of(payload);
    if (channel.startsWith(RedisKeys.MAP_PREFIX)) {
      Set<Session> onMap = byMap.get(channel.substring(RedisKeys.MAP_PREFIX.length()));
      if (onMap != null) {
        for (Session s : onMap.toArray(new Session[0])) {
          deliver(s, message);
        }
      }
    } else if (channel.startsWith(RedisKeys.TOKEN_CHANNEL_PREFIX)) {
      deliver(byToken.get(channel.substring(RedisKeys.TOKEN_CHANNEL_PREFIX.length())), message);
    } else if (channel.startsWith(RedisKeys.PLAYER_CHANNEL_PREFIX)) {
      deliver(byPlayer.get(channel.substring(RedisKeys.PLAYER_CHANNEL_PREFIX.length())), message);
    } else if (channel.equals(broadcastChannel)) {
      for (Session s : byId.values().toArray(new Session[0])) {
        deliver(s, message);
      }
    }
  }

  private void deliver(Session s, OutboundMessage message) {
    if (s != null) {
      delivered++;
      s.deliver(message);
    }
  }

  /** A command for a session of this node; commands for sessions of other instances are ignored here. */
  public void command(JsonObject command) {
    Session s = byId.get(command.getString("session", ""));
    if (s == null) {
      return;
    }
    switch (command.getString("type", "")) {
      case "kick" -> {
        ErrorCode reason;
        try {
          reason = ErrorCode.valueOf(command.getString("reason", ErrorCode.KICKED.name()));
        } catch (IllegalArgumentException e) {
          reason = ErrorCode.KICKED;
        }
        s.fail(reason.fatal() ? reason : ErrorCode.KICKED);
      }
      case "set-map" -> moveToMap(s, command.getString("map"));
      default -> LOG.warn("unknown session command {}", command.encode());
    }
  }

  private void moveToMap(Session s, String map) {
    if (map == null || !s.active() || map.equals(s.mapId())) {
      return;
    }
    String old = s.mapId();
    removeFromMap(s, old);
    s.changeMap(map);
    byMap.computeIfAbsent(map, k -> new LinkedHashSet<>()).add(s);
    subscriber.subscribe(List.of(RedisKeys.mapChannel(map)))
      .onFailure(e -> s.fail(ErrorCode.UNAVAILABLE));
    subscriber.unsubscribe(List.of(RedisKeys.mapChannel(old)));
  }

  /**
   * Closes sessions idle for too long, connections that presented no token in time, and logins still not done
   * {@link #LOGIN_GRACE_MS} after that deadline (a Redis that never answers a subscription); fails logins that waited
   * too long in the queue.
   */
  public void sweep() {
    long now = now();
    long idleDeadline = now - limits.idleTimeoutMs();
    long authDeadline = now - limits.authTimeoutMs();
    logins.expire(now);
    for (Session s : byId.values().toArray(new Session[0])) {
      if (s.unauthenticatedSince(authDeadline)) {
        s.authFailed(ErrorCode.AUTH_TIMEOUT);
      } else if (s.authenticatingSince(authDeadline - LOGIN_GRACE_MS)) {
        s.authFailed(ErrorCode.UNAVAILABLE);
      } else if (s.active() && s.idleSince(idleDeadline)) {
        s.fail(ErrorCode.IDLE_TIMEOUT);
      }
    }
  }

  /**
   * Sends every session the error and closes it, and does the same to every connection opened from now on;
   * completes when every end was recorded, those of sessions that had closed before included.
   */
  public Future<Void> closeAll(ErrorCode code) {
    return closeAll(code, errors.of(code));
  }

  /**
   * Like {@link #closeAll(ErrorCode)} with {@link ErrorCode#SERVER_STOPPED}, but clients are told to reconnect
   * (to another node): {@code {"error":"server stopped","reconnect":true}}. Call on this hub's context
   * ({@link #onContext}).
   */
  public Future<Void> drain() {
    return closeAll(ErrorCode.SERVER_STOPPED, RECONNECT);
  }

  private Future<Void> closeAll(ErrorCode code, OutboundMessage message) {
    if (stoppingCode == null) {
      stoppingCode = code;
      stoppingMessage = message;
    }
    List<Future<Void>> ends = new ArrayList<>(endsInFlight);
    for (Session s : byId.values().toArray(new Session[0])) {
      ends.add(s.ended());
      s.fail(stoppingCode, stoppingMessage);
    }
    return Future.join(ends).mapEmpty();
  }

  /**
   * Changes the limits that apply live ({@code Setting#live()}): the message rate and burst of every connection,
   * open ones included, and the login gate's sizes ({@link Limits#loginsInFlight}, {@link Limits#loginQueue}). The
   * node's connection limits are {@link ConnectionLimits#of set} node-wide. Call on this hub's context
   * ({@link #onContext}).
   */
  public void retune(int messagesPerSecond, int messageBurst, int loginsInFlight, int loginQueue) {
    messageRate.set(messagesPerSecond, messageBurst);
    logins.resize(loginsInFlight, loginQueue);
  }

  /** Runs the action on this hub's event loop (call from any thread); the future completes with its result. */
  public <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  /**
   * The session with this id when it is on this hub: {@code {"found":true,"session","transport","player","map",
   * "ip","state","idleMs"}}, else {@code {"found":false}}. Call on this hub's context ({@link #onContext}).
   */
  public JsonObject describe(String sessionId) {
    Session s = byId.get(sessionId);
    return s == null ? new JsonObject().put("found", false) : s.describe(now());
  }

  /** Where routing latencies go: nanoseconds from a parsed client message to Redis accepting its PUBLISH. */
  public SessionHub onRouted(LongConsumer recorder) {
    latencies.onRouted(recorder);
    return this;
  }

  /** Where login latencies go: nanoseconds from a client's token to its session being active. */
  public SessionHub onLoggedIn(LongConsumer recorder) {
    latencies.onLoggedIn(recorder);
    return this;
  }

  /** This instance's figures; readable from any thread. */
  public HubCounters counters() {
    return counters;
  }

  long now() {
    return System.currentTimeMillis();
  }

  /** Sessions of this instance; readable from any thread. */
  public int sessionCount() {
    return sessionCount;
  }

  /** Logins of this instance waiting for their token check; readable from any thread. */
  public int loginsQueued() {
    return logins.queued();
  }

  /** Authenticated sessions (players online) of this instance; readable from any thread. */
  public int playerCount() {
    return playerCount;
  }

  public long delivered() {
    return delivered;
  }

  public DeliverySubscriber subscriber() {
    return subscriber;
  }
}
