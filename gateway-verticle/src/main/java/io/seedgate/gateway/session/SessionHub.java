package io.seedgate.gateway.session;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Bounded;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.resume.ResumeSettings;
import io.seedgate.gateway.routing.ActionSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The sessions of one gateway instance (one event loop), as the gateway verticle, the transports and the node's
 * figures see them. It wires the parts and hands each call to the one that does it:
 * <ul>
 *   <li>{@link SessionIndex}: the sessions by id, token, player and map;</li>
 *   <li>{@link SessionRegistry}: admission under the node's connection limits, activation and end of each session;</li>
 *   <li>{@link RouterAuthenticator} and {@link LoginGate}: token checks at the router, a bounded number at once;</li>
 *   <li>{@link SessionEnds}: the ends recorded by the router, retried while it cannot;</li>
 *   <li>{@link DeliveryDispatch}: messages from Redis to the sessions, on the same event loop;</li>
 *   <li>{@link SessionCommands}: kicks and map changes from the router;</li>
 *   <li>{@link SessionSweeper}: the idle, those without a token, logins that take too long;</li>
 *   <li>{@link SessionReassertion}: the live sessions recorded again after Redis lost them;</li>
 *   <li>{@link SessionResumption}: resumes of its resumable sessions;</li>
 *   <li>{@link Handovers}: resumable sessions handed to and taken from other incarnations;</li>
 *   <li>{@link SessionShutdown}: every session closed at a stop or drain.</li>
 * </ul>
 */
public final class SessionHub {

  private final Context context;
  private final Incarnation incarnation;
  private final String broadcastChannel;
  /** Publishes a hand-over marker; {@code null} when no hand-over is possible. */
  private final HandoverMarkers markers;
  private final DeliverySubscriber subscriber;
  private final HubCounters counters = new HubCounters();
  private final SessionLatencies latencies = new SessionLatencies();
  private final RateLimiter.Rule messageRate;
  private final LoginGate logins;
  private final SessionIndex index = new SessionIndex();
  private final SessionRegistry registry;
  private final SessionCollaborators collaborators;
  private final DeliveryDispatch dispatch;
  private final SessionCommands commands;
  private final SessionSweeper sweeper;
  private final SessionReassertion reassertion;
  private final SessionShutdown shutdown;
  private final SessionResumption resumption;
  private final Handovers handovers;
  private long sessionsOpened;

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
   * @param incarnation      this gateway instance's run: its sessions' ids and the node they are recorded under
   * @param actions          where the sessions' actions go
   * @param subscriber       the instance's delivery subscriptions
   * @param broadcastChannel the Redis channel whose messages go to every session
   */
  public SessionHub(Vertx vertx, Incarnation incarnation, ActionSink actions,
                    DeliverySubscriber subscriber, Limits limits, String broadcastChannel) {
    this(vertx, incarnation, actions, subscriber, limits, broadcastChannel, ResumeSettings.OFF,
      HandoverMarkers.classic(marker -> Future.failedFuture("no hand-overs")));
  }

  /**
   * @param incarnation      this gateway instance's run: its sessions' ids and the node they are recorded under
   * @param actions          where the sessions' actions go
   * @param subscriber       the instance's delivery subscriptions
   * @param broadcastChannel the Redis channel whose messages go to every session
   * @param resume           the {@code gateway.resume.*} settings
   * @param markers          where hand-over markers are published (on a connection that is not the delivery
   *                         connection): one on {@link RedisKeys#HANDOVER_CHANNEL}, or one per channel with sharded
   *                         subscriptions; see {@link HandoverMarkers}
   */
  public SessionHub(Vertx vertx, Incarnation incarnation, ActionSink actions,
                    DeliverySubscriber subscriber, Limits limits, String broadcastChannel, ResumeSettings resume,
                    HandoverMarkers markers) {
    LongSupplier clock = System::currentTimeMillis;
    SessionRouter router = new EventBusRouter(vertx);
    ErrorMessages errors = new ErrorMessages();
    SessionEnds ends = new SessionEnds(router, incarnation, vertx, clock);
    this.context = vertx.getOrCreateContext();
    this.markers = markers;
    this.incarnation = incarnation;
    this.broadcastChannel = broadcastChannel;
    this.messageRate = new RateLimiter.Rule(limits.messagesPerSecond(), limits.messageBurst());
    this.logins = new LoginGate(limits.loginsInFlight(), limits.loginQueue(), EventBusRouter.TIMEOUT_MS);
    this.shutdown = new SessionShutdown(index, ends, errors);
    this.registry = new SessionRegistry(index, limits.connections(), counters, subscriber, ends, shutdown);
    this.resumption = new SessionResumption(index, registry, incarnation, resume, clock);
    this.collaborators = new SessionCollaborators(new RouterAuthenticator(logins, router, incarnation, clock),
      actions, registry, latencies, counters, errors, new SessionLimits(limits.maxMessageBytes(), messageRate), clock,
      resumption);
    this.handovers = new Handovers(new HandoverGiver(vertx, incarnation, index, registry, subscriber, resumption,
      markers, broadcastChannel),
      new HandoverTaker(vertx, incarnation, subscriber, markers, broadcastChannel, router, resume.handoverTimeoutMs()));
    this.resumption.taker(handovers.taker());
    this.dispatch = new DeliveryDispatch(index, broadcastChannel, handovers, markers);
    this.subscriber = subscriber.onMessage(dispatch::dispatch);
    this.commands = new SessionCommands(index, subscriber);
    this.sweeper = new SessionSweeper(index, logins, limits.idleTimeoutMs(), limits.authTimeoutMs(), clock);
    this.reassertion = new SessionReassertion(index, router, incarnation, vertx);
  }

  /**
   * Subscribes what every instance needs whatever its sessions (the broadcast channel, the hand-over markers'
   * channel) and answers hand-overs of its sessions.
   */
  public Future<Void> start() {
    List<String> standing = new java.util.ArrayList<>(List.of(broadcastChannel));
    standing.addAll(markers.standing());
    return Future.all(subscriber.subscribe(standing),
      handovers.start()).mapEmpty();
  }

  /** A new connection: its session, waiting for a token (or already refused, with an error and a close). */
  public Session open(ClientChannel channel) {
    Session s = new Session(incarnation.sessionId(++sessionsOpened), channel, collaborators);
    registry.admit(s);
    return s;
  }

  /**
   * Records every live session of this instance in Redis again, after Redis lost them ({@link SessionReassertion}).
   * Call on this hub's context.
   */
  public Future<Bounded.Outcome> reassert() {
    return reassertion.reassert();
  }

  /** A command for a session of this node; commands for sessions of other instances are ignored here. */
  public void command(JsonObject command) {
    commands.command(command);
  }

  /** Closes what has waited too long ({@link SessionSweeper}); call on this hub's context. */
  public void sweep() {
    sweeper.sweep();
  }

  /**
   * Sends every session the error and closes it, and does the same to every connection opened from now on;
   * completes when every end was recorded, those of sessions that had closed before included.
   */
  public Future<Void> closeAll(ErrorCode code) {
    return shutdown.closeAll(code);
  }

  /**
   * Like {@link #closeAll(ErrorCode)} with {@link ErrorCode#SERVER_STOPPED}, but clients are told to reconnect
   * (to another node): {@code {"error":"server stopped","reconnect":true}}. Resumable sessions are detached instead of ended, and
   * the future waits for each to be resumed (elsewhere, once a handover exists) or its window to pass. Call on this hub's context
   * ({@link #onContext}).
   */
  public Future<Void> drain() {
    return shutdown.drain();
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
    Session s = index.byId(sessionId);
    return s == null ? new JsonObject().put("found", false) : s.describe(System.currentTimeMillis());
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

  /** Sessions of this instance; readable from any thread. */
  public int sessionCount() {
    return index.sessionCount();
  }

  /** Logins of this instance waiting for their token check; readable from any thread. */
  public int loginsQueued() {
    return logins.queued();
  }

  /** Authenticated sessions (players online) of this instance; readable from any thread. */
  public int playerCount() {
    return index.playerCount();
  }

  /** Messages handed to this instance's sessions since start; readable from any thread. */
  public long delivered() {
    return dispatch.delivered();
  }

  /** The instance's delivery subscriptions. */
  public DeliverySubscriber subscriber() {
    return subscriber;
  }
}
