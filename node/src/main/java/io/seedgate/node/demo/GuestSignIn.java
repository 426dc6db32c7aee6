package io.seedgate.node.demo;

import io.seedgate.common.LogContext;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * {@code POST /dev/guest}, the demo's sign-in: a fresh guest player id and a JWT for it, signed HS256 with the
 * node's {@code auth.jwt.secret}, so the gateway accepts it like any JWT. Request body: nothing, or
 * {@code {"map":"<id>"}} (letters, digits, '-', '_'; default {@code auth.defaultMap}). Answer:
 * <pre>{"token":"&lt;jwt&gt;","player":"g123","map":"1","ws":"ws://&lt;host&gt;:&lt;websocket port&gt;/"}</pre>
 * where host is the one the browser asked this server by, so the page connects to this node whichever node of a
 * cluster served it. The token holds {@code sub} (the player), the map under {@code auth.jwt.mapClaim},
 * {@code iss}/{@code aud} when the node requires them, and expires after {@value #TOKEN_SECONDS} s. A bad body
 * gets 400 {@code {"error":"..."}}.
 *
 * <p>Guest ids are {@code g} and 9 random digits: unique enough for a demo, not guaranteed (two equal ids
 * would log each other out, as any second login does).
 */
final class GuestSignIn implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(GuestSignIn.class);

  static final String PATH = "/dev/guest";
  static final int MAX_BODY_BYTES = 1024;
  static final int TOKEN_SECONDS = 3600;
  private static final Pattern MAP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final JWTAuth jwt;
  private final JWTOptions options;
  private final String mapClaim;
  private final String defaultMap;
  private final int websocketPort;

  GuestSignIn(Vertx vertx, NodeConfig config) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
      .setAlgorithm("HS256").setBuffer(config.get(Settings.JWT_SECRET))));
    this.options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(TOKEN_SECONDS);
    if (!config.get(Settings.JWT_ISSUER).isEmpty()) {
      options.setIssuer(config.get(Settings.JWT_ISSUER));
    }
    if (!config.get(Settings.JWT_AUDIENCE).isEmpty()) {
      options.setAudience(List.of(config.get(Settings.JWT_AUDIENCE)));
    }
    this.mapClaim = config.get(Settings.JWT_MAP_CLAIM);
    this.defaultMap = config.get(Settings.DEFAULT_MAP);
    this.websocketPort = config.get(Settings.WS_PORT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String map = defaultMap;
    String body = ctx.body().asString();
    if (body != null && !body.isBlank()) {
      Object requested;
      try {
        requested = new JsonObject(body).getValue("map");
      } catch (DecodeException | ClassCastException e) {
        fail(ctx, "the body must be a JSON object");
        return;
      }
      if (requested != null) {
        if (!(requested instanceof String s) || !MAP_ID.matcher(s).matches()) {
          fail(ctx, "'map' must be 1 to 64 letters, digits, '-' or '_'");
          return;
        }
        map = s;
      }
    }
    String player = "g" + ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000);
    String token = jwt.generateToken(new JsonObject().put("sub", player).put(mapClaim, map), options);
    String ws = "ws://" + host(ctx) + ":" + websocketPort + "/";
    if (LOG.isDebugEnabled()) {
      try (LogContext ignored = LogContext.of(LogContext.PLAYER, player)) {
        LOG.debug("[player: {}, map: {}] guest signed in", player, map);
      }
    }
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
      .end(new JsonObject().put("token", token).put("player", player).put("map", map).put("ws", ws).encode());
  }

  /** The host the browser reached this server by (Host header), else the address it connected to. */
  private static String host(RoutingContext ctx) {
    HostAndPort authority = ctx.request().authority();
    String host = authority != null && !authority.host().isEmpty() ? authority.host()
      : ctx.request().localAddress().hostAddress();
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static void fail(RoutingContext ctx, String why) {
    ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", why).encode());
  }
}
