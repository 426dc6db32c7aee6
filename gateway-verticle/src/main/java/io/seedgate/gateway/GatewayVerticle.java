package io.seedgate.gateway;

import io.seedgate.common.Failures;
import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.ChannelSubscriptions;
import io.seedgate.common.redis.PubSubLink;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.common.redis.ShardedPubSubLink;
import io.seedgate.common.redis.RedisTopology;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.session.HandoverMarkers;
import io.seedgate.gateway.lease.IncarnationLease;
import io.seedgate.gateway.resume.ResumeSettings;
import io.seedgate.gateway.routing.ActionPublisher;
import io.seedgate.gateway.session.ConnectionLimits;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.tcp.TcpTransport;
import io.seedgate.gateway.udp.UdpTransport;
import io.seedgate.gateway.websocket.WebSocketTransport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway role: the client ports and the sessions on them. Deployed once per event loop; every instance
 * has its own Redis connections (one for actions, one for deliveries) and its own sessions, so a message
 * crosses no thread between a socket and Redis.
 *
 * <p>Client ports, each when enabled: WebSocket and TCP in every instance (the connections are spread over them:
 * WebSocket by its shared acceptor, in turn, see {@link WebSocketTransport}; TCP by Vert.x), UDP in one instance per
 * node (see {@link UdpTransport}).
 *
 * <p>Config: the node config ({@link Settings}), with {@code node.id} set.
 */
public class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final long SHUTDOWN_BOUND_MS = 20_000;
  private static final long STOP_STEP_BOUND_MS = 2_000;

  private Incarnation incarnation;
  private RedisLink commands;
  private ChannelSubscriptions deliveries;
  private SessionHub hub;
  private IncarnationLease lease;
  private WebSocketTransport webSocket;
  private TcpTransport tcp;
  private UdpTransport udp;
  private MessageConsumer<JsonObject> sessionCommands;
  private long sweepTimer = -1;
  /** This instance counted as a running gateway of the node, from the end of its start until its stop ends. */
  private LocalRoles.Registration role;
  /** {@link ResumeSettings#handoverTimeoutMs}: not a setting, shorter in tests only. */
  private final long handoverTimeoutMs;

  public GatewayVerticle() {
    this(ResumeSettings.HANDOVER_TIMEOUT_MS);
  }

  /** An instance whose hand-overs of resumed sessions have this bound instead of the usual 10 s (for tests). */
  GatewayVerticle(long handoverTimeoutMs) {
    this.handoverTimeoutMs = handoverTimeoutMs;
  }

  @Override
  public Future<?> start() {
    NodeConfig config = NodeConfig.load(config(), Map.of());
    Ports ports;
    try {
      ports = Ports.from(config);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    String nodeId = config.get(Settings.NODE_ID);
    incarnation = Incarnation.start(nodeId);
    RedisTopology redis;
    try {
      redis = config.redis();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    boolean sharded = Settings.PUBSUB_SHARDED.equals(config.get(Settings.PUBSUB));
    return RedisLink.connect(vertx, redis, "gateway-actions")
      .compose(link -> {
        commands = link;
        return sharded
          ? ShardedPubSubLink.connect(vertx, redis, "gateway-deliveries").<ChannelSubscriptions>map(s -> s)
          : RedisLink.subscriber(vertx, redis, "gateway-deliveries").<ChannelSubscriptions>map(PubSubLink::new);
      })
      .compose(subscriptions -> {
        deliveries = subscriptions;
        ActionPublisher publisher = new ActionPublisher(commands, config.get(Settings.ACTION_CHANNEL_PREFIX),
          config.get(Settings.ACTION_CHANNELS), new HashSet<>(config.get(Settings.ALLOWED_MODELS)), nodeId, context);
        int maxMessage = Math.max(config.get(Settings.WS_MAX_FRAME_BYTES),
          Math.max(config.get(Settings.TCP_MAX_FRAME_BYTES), config.get(Settings.UDP_MAX_DATAGRAM_BYTES)));
        long idleMs = config.get(Settings.IDLE_TIMEOUT) * 1000L;
        long authMs = config.get(Settings.AUTH_TIMEOUT) * 1000L;
        hub = new SessionHub(vertx, incarnation, publisher, new DeliverySubscriber(deliveries),
          new SessionHub.Limits(maxMessage, idleMs, authMs,
          config.get(Settings.MESSAGES_PER_SECOND), config.get(Settings.MESSAGE_BURST),
          ConnectionLimits.of(vertx, config.get(Settings.MAX_CONNECTIONS),
            config.get(Settings.MAX_CONNECTIONS_PER_IP)), config.get(Settings.LOGINS_IN_FLIGHT),
          config.get(Settings.LOGIN_QUEUE)), config.get(Settings.BROADCAST_CHANNEL),
          new ResumeSettings(config.get(Settings.RESUME_ENABLED), config.get(Settings.RESUME_WINDOW_SECONDS),
            config.get(Settings.RESUME_BUFFER_BYTES), handoverTimeoutMs),
          sharded
            ? HandoverMarkers.sharded((channel, marker) -> commands.send(Request.cmd(Command.SPUBLISH).arg(channel)
              .arg(marker)))
            : HandoverMarkers.classic(marker -> commands.send(Request.cmd(Command.PUBLISH)
              .arg(RedisKeys.HANDOVER_CHANNEL).arg(marker))));
        sessionCommands = vertx.eventBus().consumer(Addresses.nodeSessions(nodeId), m -> hub.command(m.body()));
        long sweepEvery = Math.max(50, Math.min(1000, Math.min(idleMs, authMs) / 4));
        sweepTimer = vertx.setPeriodic(sweepEvery, t -> hub.sweep());
        lease = new IncarnationLease(vertx, commands, incarnation, ClusterInfo.memberId(vertx, null),
          config.get(Settings.LEASE_SECONDS) * 1000L).onLost(hub::reassert);
        return Future.all(hub.start(), sessionCommands.completion()).compose(v -> lease.start());
      })
      .compose(v -> {
        role = LocalRoles.started(vertx, Settings.ROLE_GATEWAY);
        hub.onRouted(LocalGateways.routingLatency(vertx));
        hub.onLoggedIn(LocalGateways.loginLatency(vertx));
        LocalGateways.add(vertx, hub);
        return listen(config, ports);
      });
  }

  /**
   * The options of the three client ports, each read from the node config by its transport's {@code Options.from}.
   *
   * @throws ConfigException when a port's settings do not go together (TLS on the TCP port without its files)
   */
  private record Ports(WebSocketTransport.Options webSocket, TcpTransport.Options tcp, UdpTransport.Options udp) {

    static Ports from(NodeConfig config) {
      return new Ports(WebSocketTransport.Options.from(config), TcpTransport.Options.from(config),
        UdpTransport.Options.from(config));
    }
  }

  /**
   * Opens the enabled client ports, one after the other. When one cannot open, undoes this instance's start (Vert.x
   * does not stop a verticle whose start failed: ports, Redis connections and the role registration would stay)
   * and fails with that port's failure.
   */
  private Future<Void> listen(NodeConfig config, Ports ports) {
    Future<?> opened = Future.succeededFuture();
    if (config.get(Settings.WS_ENABLED)) {
      webSocket = new WebSocketTransport(vertx, hub, ports.webSocket());
      opened = webSocket.listen();
    }
    if (config.get(Settings.TCP_ENABLED)) {
      tcp = new TcpTransport(vertx, hub, ports.tcp());
      opened = opened.compose(v -> tcp.listen());
    }
    if (config.get(Settings.UDP_ENABLED)) {
      udp = UdpTransport.claim(vertx, hub, ports.udp());
      if (udp != null) {
        opened = opened.compose(v -> udp.listen());
      }
    }
    return opened.<Void>mapEmpty()
      .onSuccess(v -> LOG.debug("gateway instance listening [websocket: {}, tcp: {}, udp: {}]", webSocketPort(),
        tcpPort(), udpPort()))
      .recover(e -> stop().transform(stopped -> Future.failedFuture(e)));
  }

  /** Closes the client ports (after the sessions on them were closed). */
  private Future<Void> closePorts() {
    return Future.join(
      webSocket == null ? Future.succeededFuture() : webSocket.close(),
      tcp == null ? Future.succeededFuture() : tcp.close(),
      udp == null ? Future.succeededFuture() : udp.close()).mapEmpty();
  }

  /**
   * Sends every client {@code {"error":"server stopped"}} and closes it (connections and UDP addresses arriving
   * meanwhile get the same), waits for their ends to be recorded, then closes the ports and Redis connections.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    Future<Void> ending = hub == null ? Future.succeededFuture()
      : hub.closeAll(ErrorCode.SERVER_STOPPED).timeout(SHUTDOWN_BOUND_MS, TimeUnit.MILLISECONDS).recover(e -> {
        if (e instanceof java.util.concurrent.TimeoutException) {
          LOG.error("[incarnation: {}] sessions still closing after {} ms at shutdown", incarnationId(),
            SHUTDOWN_BOUND_MS);
        } else {
          // every session closed, but some ends could not be recorded (Redis away): said once here, not as a
          // timeout that did not happen; they stay in the incarnation's index for a router's sweep
          Failures.warn(LOG, "[incarnation: {}] session ends not all recorded at shutdown, left for a router's "
            + "sweep: {}", incarnationId(), e);
        }
        return Future.succeededFuture();
      });
    return ending
      .eventually(() -> bounded("closing the client ports", this::closePorts))
      .eventually(() -> bounded("unregistering the session commands",
        () -> sessionCommands == null ? Future.succeededFuture() : sessionCommands.unregister()))
      .eventually(() -> bounded("releasing the lease (it lapses by itself)",
        () -> lease == null ? Future.succeededFuture() : lease.release()))
      .eventually(() -> bounded("closing the Redis connections", () -> Future.join(
        deliveries == null ? Future.succeededFuture() : deliveries.close(),
        commands == null ? Future.succeededFuture() : commands.close())))
      .eventually(() -> {
        // always: the router of this node waits (up to 30 s) for every gateway instance to say it stopped
        try {
          LocalGateways.remove(vertx, hub);
        } finally {
          if (role != null) {
            role.stopped();
          }
        }
        return Future.succeededFuture();
      });
  }

  private String incarnationId() {
    return incarnation == null ? "-" : incarnation.id();
  }

  /**
   * One step of the stop after the sessions ended, given {@value #STOP_STEP_BOUND_MS} ms: the four steps and the
   * sessions' bound stay inside the 30 s the node's router waits for its gateways. A step that overruns is named
   * in a WARN and the stop goes on (what it holds is closed with the Vert.x instance).
   */
  private Future<?> bounded(String step, Supplier<Future<?>> action) {
    Future<?> started;
    try {
      started = action.get();
    } catch (RuntimeException e) {
      Failures.warn(LOG, "[incarnation: {}, step: {}] gateway stop step failed, going on: {}", incarnationId(), step,
        e);
      return Future.succeededFuture();
    }
    return started.timeout(STOP_STEP_BOUND_MS, TimeUnit.MILLISECONDS).recover(e -> {
      if (e instanceof java.util.concurrent.TimeoutException) {
        LOG.warn("[incarnation: {}, step: {}] gateway stop step took over {} ms, going on", incarnationId(), step,
          STOP_STEP_BOUND_MS);
      } else {
        Failures.warn(LOG, "[incarnation: {}, step: {}] gateway stop step failed, going on: {}", incarnationId(),
          step, e);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Applies the gateway settings that apply live ({@link io.seedgate.common.config.Setting#live()}) to the running
   * gateway instances of this Vert.x instance: the node-wide connection limits at once, the message rate and the
   * login gate on each instance's own event loop ({@link SessionHub#retune}). Open connections keep their state
   * (an existing connection over a lowered node limit is not closed; the next one is refused).
   *
   * @return completes when every instance has the new limits
   */
  public static Future<Void> applyLive(Vertx vertx, NodeConfig config) {
    ConnectionLimits.of(vertx, config.get(Settings.MAX_CONNECTIONS), config.get(Settings.MAX_CONNECTIONS_PER_IP));
    int rate = config.get(Settings.MESSAGES_PER_SECOND);
    int burst = config.get(Settings.MESSAGE_BURST);
    int inFlight = config.get(Settings.LOGINS_IN_FLIGHT);
    int queue = config.get(Settings.LOGIN_QUEUE);
    return LocalGateways.onEach(vertx, hub -> hub.retune(rate, burst, inFlight, queue));
  }

  /** This instance's sessions (for tests and metrics). */
  public SessionHub hub() {
    return hub;
  }

  /** The WebSocket port (useful when configured as 0). */
  public int webSocketPort() {
    return webSocket == null ? -1 : webSocket.actualPort();
  }

  /** The TCP port (useful when configured as 0), or -1 when TCP is off. */
  public int tcpPort() {
    return tcp == null ? -1 : tcp.actualPort();
  }

  /** The UDP port when this instance serves the node's UDP, else -1. */
  public int udpPort() {
    return udp == null ? -1 : udp.actualPort();
  }
}
