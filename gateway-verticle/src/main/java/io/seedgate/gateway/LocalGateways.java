package io.seedgate.gateway;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.lifecycle.NodeState;
import io.seedgate.gateway.resume.ResumeReason;
import io.seedgate.gateway.session.HubCounters;
import io.seedgate.gateway.session.SessionHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ToLongFunction;

/**
 * The gateway instances running on a Vert.x instance, for node-wide figures (sessions, messages, deliveries)
 * read by metrics, the admin API and tests, and for node-wide actions (drain). Reads are from any thread and may
 * lag by a message or two.
 */
public final class LocalGateways {

  /** Names of the node-wide state ({@link NodeState}). */
  private static final String HUBS = LocalGateways.class.getName() + ".hubs";
  private static final String LATENCY = LocalGateways.class.getName() + ".routingLatency";
  private static final String LOGIN_LATENCY = LocalGateways.class.getName() + ".loginLatency";

  private LocalGateways() {
  }

  /**
   * The node's routing-latency sink, which every gateway instance of the node feeds: nanoseconds from a parsed
   * client message to Redis accepting its PUBLISH. Whoever records them sets {@link #recordTo}; until then they are
   * dropped.
   */
  public static final class RoutingLatency implements LongConsumer {
    private volatile LongConsumer target = nanos -> { };

    @Override
    public void accept(long nanos) {
      target.accept(nanos);
    }

    /** Sends latencies to the recorder (thread-safe: called from every gateway event loop); null drops them. */
    public void recordTo(LongConsumer recorder) {
      target = recorder == null ? nanos -> { } : recorder;
    }
  }

  /** The node's routing-latency sink (created on first use). */
  public static RoutingLatency routingLatency(Vertx vertx) {
    return NodeState.get(vertx, LATENCY, RoutingLatency::new);
  }

  /**
   * The node's login-latency sink, fed like {@link #routingLatency}: nanoseconds from a client's token (its first
   * message, or the WebSocket handshake) to its session being active (token checked, delivery channels subscribed).
   */
  public static RoutingLatency loginLatency(Vertx vertx) {
    return NodeState.get(vertx, LOGIN_LATENCY, RoutingLatency::new);
  }

  static void add(Vertx vertx, SessionHub hub) {
    of(vertx).add(hub);
  }

  static void remove(Vertx vertx, SessionHub hub) {
    of(vertx).remove(hub);
  }

  private static List<SessionHub> of(Vertx vertx) {
    return NodeState.get(vertx, HUBS, CopyOnWriteArrayList<SessionHub>::new);
  }

  /** Sessions open on this node, authenticated or not. */
  public static int sessions(Vertx vertx) {
    return of(vertx).stream().mapToInt(SessionHub::sessionCount).sum();
  }

  /** Authenticated sessions (players online) on this node. */
  public static int players(Vertx vertx) {
    return of(vertx).stream().mapToInt(SessionHub::playerCount).sum();
  }

  /** Redis Pub/Sub channels this node's gateways subscribe for their players. */
  public static int deliveryChannels(Vertx vertx) {
    return of(vertx).stream().mapToInt(h -> h.subscriber().channelCount()).sum();
  }

  /** Open connections of one transport ({@link HubCounters#TRANSPORTS}) on this node. */
  public static long connections(Vertx vertx, String transport) {
    return sum(vertx, h -> h.counters().connections(transport));
  }

  /** Open connections on this node by transport: {@code {"websocket":n,"tcp":n,"udp":n}}. */
  public static JsonObject connectionsByTransport(Vertx vertx) {
    JsonObject counts = new JsonObject();
    for (String t : HubCounters.TRANSPORTS) {
      long n = connections(vertx, t);
      if (n > 0 || !"other".equals(t)) {
        counts.put(t, n);
      }
    }
    return counts;
  }

  /** Client messages received by this node since start. */
  public static long messagesIn(Vertx vertx) {
    return sum(vertx, h -> h.counters().messagesIn());
  }

  /** Messages sent to this node's clients since start (deliveries and errors). */
  public static long messagesOut(Vertx vertx) {
    return sum(vertx, h -> h.counters().messagesOut());
  }

  /** Client actions this node could not hand to Redis since start. */
  public static long actionsFailed(Vertx vertx) {
    return sum(vertx, h -> h.counters().actionsFailed());
  }

  /** Logins waiting on this node for their token check. */
  public static int loginsQueued(Vertx vertx) {
    return of(vertx).stream().mapToInt(SessionHub::loginsQueued).sum();
  }

  /** Clients this node disconnected as too slow to receive since start. */
  public static long slowClients(Vertx vertx) {
    return sum(vertx, h -> h.counters().slowClients());
  }

  /** Connections refused at authentication for the reason since start. */
  public static long authFailures(Vertx vertx, ErrorCode reason) {
    return sum(vertx, h -> h.counters().authFailures(reason));
  }

  /** Resumes asked of this node since start. */
  public static long resumesAttempted(Vertx vertx) {
    return sum(vertx, h -> h.counters().resumesAttempted());
  }

  /** Resumes this node did since start. */
  public static long resumesSucceeded(Vertx vertx) {
    return sum(vertx, h -> h.counters().resumesSucceeded());
  }

  /** Resumes this node refused for the reason since start. */
  public static long resumesFailed(Vertx vertx, ResumeReason reason) {
    return sum(vertx, h -> h.counters().resumesFailed(reason));
  }

  /** Resumable sessions of this node whose connection is gone, waiting for their client, now. */
  public static long detached(Vertx vertx) {
    return sum(vertx, h -> h.counters().detached());
  }

  /** Payload bytes the replay buffers of this node's resumable sessions hold now. */
  public static long bufferedBytes(Vertx vertx) {
    return sum(vertx, h -> h.counters().bufferedBytes());
  }

  /** Pub/Sub messages this node received from Redis since start. */
  public static long receivedFromRedis(Vertx vertx) {
    return sum(vertx, h -> h.subscriber().received());
  }

  /** Messages handed to client sessions since start. */
  public static long delivered(Vertx vertx) {
    return sum(vertx, SessionHub::delivered);
  }

  /**
   * Drains every gateway instance of the node ({@link SessionHub#drain()}): new connections are refused, clients
   * are told to reconnect elsewhere and closed (resumable sessions detached). Completes when every session's end was
   * recorded, and every resumable session was resumed elsewhere or its window passed.
   */
  public static Future<Void> drain(Vertx vertx) {
    return Future.join(of(vertx).stream().map(h -> h.onContext(h::drain)).toList()).mapEmpty();
  }

  /** Runs the action on every gateway instance of the node, each on its own event loop; completes when all did. */
  static Future<Void> onEach(Vertx vertx, Consumer<SessionHub> action) {
    return Future.join(of(vertx).stream().map(h -> h.onContext(() -> {
      action.accept(h);
      return Future.<Void>succeededFuture();
    })).toList()).mapEmpty();
  }

  /** The session with this id on this node ({@link SessionHub#describe}), or {@code {"found":false}}. */
  public static Future<JsonObject> describe(Vertx vertx, String sessionId) {
    List<Future<JsonObject>> lookups = of(vertx).stream()
      .map(h -> h.onContext(() -> Future.succeededFuture(h.describe(sessionId)))).toList();
    return Future.join(lookups).map(all -> lookups.stream().filter(Future::succeeded).map(Future::result)
      .filter(d -> d.getBoolean("found", false)).findFirst().orElse(new JsonObject().put("found", false)));
  }

  private static long sum(Vertx vertx, ToLongFunction<SessionHub> figure) {
    long total = 0;
    for (SessionHub h : of(vertx)) {
      total += figure.applyAsLong(h);
    }
    return total;
  }
}
