package io.seedgate.gateway;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.cluster.ClusterInfo;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.gateway.delivery.DeliverySubscriber;
import io.seedgate.gateway.routing.ActionPublisher;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.websocket.WebSocketTransport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway role: the client ports and the sessions on them. Deployed once per event loop; every instance
 * has its own Redis connections (one for actions, one for deliveries) and its own sessions, so a message
 * crosses no thread between a socket and Redis.
 *
 * <p>Config: the node config ({@link Settings}), with {@code node.id} set.
 */
public class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final long SHUTDOWN_BOUND_MS = 20_000;

  private RedisLink commands;
  private RedisLink deliveries;
  private SessionHub hub;
  private WebSocketTransport webSocket;
  private MessageConsumer<JsonObject> sessionCommands;
  private long sweepTimer = -1;

  @Override
  public Future<?> start() {
    NodeConfig config = NodeConfig.load(config(), Map.of());
    String nodeId = config.string(Settings.NODE_ID);
    String redisUrl = config.string(Settings.REDIS_URL);
    return RedisLink.connect(vertx, redisUrl, "gateway-actions")
      .compose(link -> {
        commands = link;
        return RedisLink.connect(vertx, redisUrl, "gateway-deliveries");
      })
      .compose(link -> {
        deliveries = link;
        ActionPublisher publisher = new ActionPublisher(commands, config.string(Settings.ACTION_CHANNEL_PREFIX),
          new HashSet<>(config.list(Settings.ALLOWED_MODELS)), nodeId);
        int maxMessage = config.integer(Settings.WS_MAX_FRAME_BYTES);
        long idleMs = config.integer(Settings.IDLE_TIMEOUT) * 1000L;
        long authMs = config.integer(Settings.AUTH_TIMEOUT) * 1000L;
        hub = new SessionHub(vertx, nodeId, ClusterInfo.memberId(vertx, null), publisher, new DeliverySubscriber(deliveries),
          new SessionHub.Limits(maxMessage, idleMs, authMs), config.string(Settings.BROADCAST_CHANNEL));
        sessionCommands = vertx.eventBus().consumer(Addresses.nodeSessions(nodeId), m -> hub.command(m.body()));
        long sweepEvery = Math.max(50, Math.min(1000, Math.min(idleMs, authMs) / 4));
        sweepTimer = vertx.setPeriodic(sweepEvery, t -> hub.sweep());
        return Future.all(hub.start(), sessionCommands.completion());
      })
      .compose(v -> {
        LocalRoles.started(vertx, Settings.ROLE_GATEWAY);
        LocalGateways.add(vertx, hub);
        if (!config.bool(Settings.WS_ENABLED)) {
          return Future.succeededFuture();
        }
        webSocket = new WebSocketTransport(vertx, hub, config.string(Settings.GATEWAY_HOST),
          config.integer(Settings.WS_PORT), config.integer(Settings.WS_MAX_FRAME_BYTES),
          config.integer(Settings.MAX_QUEUED_BYTES));
        return webSocket.listen()
          .onSuccess(s -> LOG.debug("gateway instance listening [websocket: {}]", s.actualPort()));
      });
  }

  /**
   * Sends every client {@code {"error":"server stopped"}} and closes it (connections arriving meanwhile get the
   * same), waits for their ends to be recorded, then closes the ports and Redis connections.
   */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    Future<Void> ending = hub == null ? Future.succeededFuture()
      : hub.closeAll(ErrorCode.SERVER_STOPPED).timeout(SHUTDOWN_BOUND_MS, TimeUnit.MILLISECONDS).recover(e -> {
        LOG.error("sessions still closing after {} ms at shutdown: {}", SHUTDOWN_BOUND_MS, e.getMessage());
        return Future.succeededFuture();
      });
    return ending
      .eventually(() -> webSocket == null ? Future.succeededFuture() : webSocket.close())
      .eventually(() -> sessionCommands == null ? Future.succeededFuture() : sessionCommands.unregister())
      .eventually(() -> Future.join(
        deliveries == null ? Future.succeededFuture() : deliveries.close(),
        commands == null ? Future.succeededFuture() : commands.close()))
      .eventually(() -> {
        LocalGateways.remove(vertx, hub);
        LocalRoles.stopped(vertx, Settings.ROLE_GATEWAY);
        return Future.succeededFuture();
      });
  }

  /** This instance's sessions (for tests and metrics). */
  public SessionHub hub() {
    return hub;
  }

  /** The WebSocket port (useful when configured as 0). */
  public int webSocketPort() {
    return webSocket == null ? -1 : webSocket.actualPort();
  }
}
