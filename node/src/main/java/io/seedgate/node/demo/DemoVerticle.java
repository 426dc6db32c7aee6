package io.seedgate.node.demo;

import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The browser demo of a dev node, on its own HTTP port ({@code demo.port}, bound on {@code gateway.host}):
 * <ul>
 *   <li>{@code GET /} and the files beside it: the page, from the classpath folder {@value #WEBROOT}
 *   ({@code index.html}, {@code demo.js}, {@code demo.css}); it plays over this node's WebSocket port;</li>
 *   <li>{@code POST} {@value GuestSignIn#PATH}: a guest sign-in, see {@link GuestSignIn}.</li>
 * </ul>
 * Deployed by the node only when {@code demo.enabled} is on; {@link #checkConfig} refuses it in the prod profile,
 * so the guest sign-in, which hands a token to anyone who asks, never runs there. The config is the node's.
 */
public class DemoVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DemoVerticle.class);

  /** Classpath folder of the page's files. */
  public static final String WEBROOT = "demo";

  private HttpServer server;

  /**
   * Checks the settings the demo depends on, when it is enabled.
   *
   * @throws ConfigException naming {@code demo.enabled} when the profile is prod, when this node serves no
   *     WebSocket clients on a fixed port, or when it accepts no HS256 JWT to sign guests in with
   */
  public static void checkConfig(NodeConfig config) {
    if (config.get(Settings.DEMO_ENABLED)) {
      checkCanRun(config);
    }
  }

  /** What {@link #checkConfig} checks when the demo is enabled; also checked when this verticle starts. */
  private static void checkCanRun(NodeConfig config) {
    String setting = "setting '" + Settings.DEMO_ENABLED.path() + "'";
    if (Settings.PROFILE_PROD.equals(config.get(Settings.PROFILE))) {
      throw new ConfigException(setting + " must be false in the prod profile: the demo's guest sign-in gives a"
        + " token to anyone who asks");
    }
    if (!config.get(Settings.ROLES).contains(Settings.ROLE_GATEWAY) || !config.get(Settings.WS_ENABLED)
      || config.get(Settings.WS_PORT) == 0) {
      throw new ConfigException(setting + " needs the gateway role, '" + Settings.WS_ENABLED.path() + "' and a fixed '"
        + Settings.WS_PORT.path() + "' (not 0) on this node: the page plays over its WebSocket port");
    }
    if (!config.get(Settings.AUTH_MODES).contains(Settings.AUTH_JWT)
      || !"HS256".equals(config.get(Settings.JWT_ALGORITHM)) || config.get(Settings.JWT_SECRET).isEmpty()) {
      throw new ConfigException(setting + " needs '" + Settings.AUTH_MODES.path() + "' with jwt, '"
        + Settings.JWT_ALGORITHM.path() + "' HS256 and '" + Settings.JWT_SECRET.path()
        + "': guests get JWTs signed with that secret");
    }
  }

  @Override
  public Future<?> start() {
    NodeConfig config;
    try {
      config = NodeConfig.load(config(), Map.of());
      checkCanRun(config);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Router router = Router.router(vertx);
    router.post(GuestSignIn.PATH)
      .handler(BodyHandler.create().setBodyLimit(GuestSignIn.MAX_BODY_BYTES))
      .handler(new GuestSignIn(vertx, config));
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
      .handler(StaticHandler.create(WEBROOT).setCachingEnabled(false).setDirectoryListing(false));
    server = vertx.createHttpServer().requestHandler(router);
    return server.listen(config.get(Settings.DEMO_PORT), config.get(Settings.GATEWAY_HOST))
      .onSuccess(s -> LOG.info("[guest sign-in: POST {}, websocket port: {}] demo at http://localhost:{}/",
        GuestSignIn.PATH, config.get(Settings.WS_PORT), s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the demo listens on (the chosen one when {@code demo.port} is 0); -1 before it started. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
