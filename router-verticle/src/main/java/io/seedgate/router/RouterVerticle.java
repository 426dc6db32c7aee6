package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.common.GatewayException;
import io.seedgate.common.LogContext;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.LocalRoles;
import io.seedgate.common.redis.PubSubLink;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.common.redis.RedisTopology;
import io.seedgate.router.auth.JwtTokenVerifier;
import io.seedgate.router.auth.RedisTokenVerifier;
import io.seedgate.router.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The router role: checks tokens and keeps the session directory (who is online on which node, one session
 * per player), ends sessions (save, offline, off the map), and carries out session commands that game services
 * publish on the control channel. Per-message traffic does not pass through it: gateways publish actions to
 * Redis themselves, so the router is touched once per login and once per logout.
 *
 * <p>Consumes {@link Addresses#AUTHENTICATE}, {@link Addresses#SESSION_ENDED} and {@link Addresses#SESSION_REASSERT}. A
 * singleton per node.
 */
public class RouterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RouterVerticle.class);
  /** One ERROR a minute for session ends not recorded: while Redis is away every session end fails. */
  private final BurstLog endFailures = new BurstLog(LOG, 60_000);

  private static final long STOP_BOUND_MS = 30_000;
  private static final long SAVE_TIMEOUT_MS = 15_000;
  /** How often the leases of the gateway incarnations are checked for ones that lapsed. */
  private static final long SWEEP_INTERVAL_MS = 2_000;

  private final List<TokenVerifier> verifiers = new ArrayList<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private RedisLink redis;
  private RedisLink control;
  private SessionDirectory directory;
  private IncarnationSweeper sweeper;
  /** This instance counted as the node's running router, from the end of its start until its stop ends. */
  private LocalRoles.Registration role;

  @Override
  public Future<?> start() {
    NodeConfig config = NodeConfig.load(config(), Map.of());
    List<String> modes = config.get(Settings.AUTH_MODES);
    RedisTopology topology;
    try {
      topology = config.redis();
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Future<Void> jwt = modes.contains(Settings.AUTH_JWT)
      ? vertx.executeBlocking(() -> JwtTokenVerifier.create(vertx, config)).map(v -> {
        verifiers.add(v);
        return null;
      })
      : Future.succeededFuture();
    return jwt
      .compose(v -> RedisLink.connect(vertx, topology, "router"))
      .compose(link -> {
        redis = link;
        if (modes.contains(Settings.AUTH_REDIS)) {
          verifiers.add(new RedisTokenVerifier(redis));
        }
        directory = new SessionDirectory(vertx, redis, config.get(Settings.DEFAULT_MAP),
          LocalRoles.deliveryTo(vertx, Settings.ROLE_PERSISTENCE, SAVE_TIMEOUT_MS));
        sweeper = new IncarnationSweeper(vertx, redis, directory, config.get(Settings.NODE_ID),
          SWEEP_INTERVAL_MS);
        return RedisLink.subscriber(vertx, topology, "router-control");
      })
      .compose(link -> {
        control = link;
        ControlChannel channel = new ControlChannel(redis, vertx.eventBus(), new PlayerLocks(vertx, redis));
        String name = config.get(Settings.CONTROL_CHANNEL);
        PubSubLink pubSub = new PubSubLink(control).onMessage(channel::onMessage);
        pubSub.onReconnect(() -> pubSub.subscribe(List.of(name)));
        return pubSub.subscribe(List.of(name));
      })
      .compose(v -> {
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.AUTHENTICATE, this::authenticate));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_ENDED, this::sessionEnded));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_REASSERT, this::sessionReasserted));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_MOVED, this::sessionMoved));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
      })
      .compose(v -> sweeper.start(context))
      .onSuccess(v -> {
        role = LocalRoles.started(vertx, Settings.ROLE_ROUTER);
        LOG.info("[auth modes: {}] router started", modes);
      });
  }

  /**
   * Waits for this node's gateways to end their sessions (through this router), stops taking requests, waits for
   * the logins and session ends under way (those of sessions closed just before the stop included), and only
   * then closes its Redis connections, the directory's last.
   */
  @Override
  public Future<?> stop() {
    if (sweeper != null) {
      sweeper.stop();
    }
    if (directory != null) {
      directory.stopping();
    }
    long deadline = System.currentTimeMillis() + STOP_BOUND_MS;
    return LocalRoles.whenStopped(vertx, Settings.ROLE_GATEWAY, STOP_BOUND_MS)
      .compose(v -> Future.join(consumers.stream().map(MessageConsumer::unregister).toList()))
      .transform(ar -> directory == null ? Future.succeededFuture() : directory.drained()
        .timeout(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.error("{} logins or session ends still under way when the router stopped", directory.inFlight());
          return Future.succeededFuture();
        }))
      .eventually(() -> control == null ? Future.succeededFuture() : control.close())
      .eventually(() -> redis == null ? Future.succeededFuture() : redis.close())
      .eventually(() -> {
        if (role != null) {
          role.stopped();
        }
        return Future.succeededFuture();
      });
  }

  private void authenticate(Message<JsonObject> msg) {
    JsonObject request = msg.body();
    String token = request.getString("token", "");
    TokenVerifier verifier = verifiers.stream().filter(v -> v.accepts(token)).findFirst().orElse(null);
    if (verifier == null) {
      msg.fail(ErrorCode.INVALID_TOKEN.code(), ErrorCode.INVALID_TOKEN.text());
      return;
    }
    verifier.verify(token)
      .compose(identity -> directory.open(identity, request))
      .onSuccess(msg::reply)
      .onFailure(e -> {
        ErrorCode code = GatewayException.codeOf(e);
        if (LOG.isDebugEnabled()) {
          try (LogContext ignored = LogContext.of(LogContext.SESSION, request.getString("session"))) {
            Failures.log(LOG, Level.DEBUG, "[session: {}] authentication failed: {}", request.getString("session"), e);
          }
        }
        msg.fail(code.code(), e.getMessage());
      });
  }

  private void sessionReasserted(Message<JsonObject> msg) {
    directory.reassert(msg.body())
      .onSuccess(kept -> msg.reply(new JsonObject().put("kept", kept)))
      .onFailure(e -> msg.fail(GatewayException.codeOf(e).code(), e.getMessage()));
  }

  private void sessionMoved(Message<JsonObject> msg) {
    directory.move(msg.body())
      .onSuccess(moved -> msg.reply(new JsonObject().put("moved", moved)))
      .onFailure(e -> msg.fail(GatewayException.codeOf(e).code(), e.getMessage()));
  }

  private void sessionEnded(Message<JsonObject> msg) {
    directory.end(msg.body())
      .onSuccess(saved -> {
        endFailures.recovered("session ends recorded again");
        msg.reply(new JsonObject().put("saved", saved));
      })
      .onFailure(e -> {
        String player = msg.body().getString("player");
        String session = msg.body().getString("session");
        try (LogContext ignored = LogContext.player(player, session)) {
          endFailures.failed("[player: {}, session: {}] session end not recorded: {}", player, session, e);
        }
        msg.fail(ErrorCode.UNAVAILABLE.code(), e.getMessage());
      });
  }
}
