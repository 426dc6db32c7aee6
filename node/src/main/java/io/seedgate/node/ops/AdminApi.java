package io.seedgate.node.ops;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.Failures;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.cluster.ClusterInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The admin API, under {@code /admin}; every request needs {@code Authorization: Bearer <ops.adminToken>}
 * (compared in constant time; an empty configured token refuses everything), else 401.
 * <ul>
 *   <li>{@code GET /admin/nodes}: every cluster member's stats ({@link Addresses#nodeOps}), a member that does not
 *   answer in time listed with {@code "answered":false};</li>
 *   <li>{@code GET /admin/players/{id}}: where an online player is (node, session, transport, map, idle time);</li>
 *   <li>{@code POST /admin/players/{id}/kick}: closes the player's session with {@code {"error":"kicked"}};</li>
 *   <li>{@code POST /admin/send} with {@code {"player":"5"}}, {@code {"map":"1"}} or {@code {"all":true}} and
 *   {@code "payload":{..}}: publishes the payload on the player's, map's or broadcast channel;</li>
 *   <li>{@code POST /admin/nodes/{id}/drain}: the node refuses new clients, tells its clients to reconnect
 *   elsewhere, waits for their ends, then stops;</li>
 *   <li>{@code GET /admin/errors}: this node's recent WARN/ERROR log lines;</li>
 *   <li>{@code GET /admin/history}: every member's samples and events of the last 20 minutes and the cluster's
 *   ({@link ClusterHistory}), for the status page's charts.</li>
 * </ul>
 */
final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  static final String BEARER = "Bearer ";
  private static final long NODE_TIMEOUT_MS = 2_000;
  private static final long DRAIN_TIMEOUT_MS = 5_000;
  private static final int BODY_LIMIT = 64 * 1024;

  private final Vertx vertx;
  private final Redis redis;
  private final String nodeId;
  private final String broadcastChannel;
  private final byte[] tokenDigest;
  private final ClusterHistory history;

  /** @param adminToken the configured token; empty refuses every request */
  AdminApi(Vertx vertx, Redis redis, String nodeId, String broadcastChannel, String adminToken,
           ClusterHistory history) {
    this.vertx = vertx;
    this.redis = redis;
    this.nodeId = nodeId;
    this.broadcastChannel = broadcastChannel;
    this.tokenDigest = adminToken.isEmpty() ? null : digest(adminToken);
    this.history = history;
  }

  /** Adds the routes under {@code /admin}. */
  void mount(Router router) {
    router.route("/admin/*")
      .handler(BodyHandler.create().setBodyLimit(BODY_LIMIT).setHandleFileUploads(false))
      .handler(this::authorize);
    router.get("/admin/nodes").handler(this::nodes);
    router.get("/admin/errors").handler(ctx -> OpsResponses.json(ctx, 200,
      new JsonObject().put("node", nodeId).put("errors", RecentErrors.latest(RecentErrors.CAPACITY))));
    router.get("/admin/history").handler(history::handle);
    router.get("/admin/players/:id").handler(this::player);
    router.post("/admin/players/:id/kick").handler(this::kick);
    router.post("/admin/send").handler(this::send);
    router.post("/admin/nodes/:id/drain").handler(this::drain);
  }

  private void authorize(RoutingContext ctx) {
    if (tokenDigest == null) {
      refuse(ctx, "the admin API is off: ops.adminToken is empty");
      return;
    }
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      refuse(ctx, "missing bearer token");
      return;
    }
    if (!MessageDigest.isEqual(tokenDigest, digest(header.substring(BEARER.length()).trim()))) {
      refuse(ctx, "wrong token");
      return;
    }
    ctx.next();
  }

  private void refuse(RoutingContext ctx, String why) {
    LOG.info("[from: {}, path: {}] admin request refused: {}", ctx.request().remoteAddress(), ctx.request().path(),
      why);
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    OpsResponses.error(ctx, 401, why);
  }

  private void nodes(RoutingContext ctx) {
    Set<String> members = new TreeSet<>(ClusterInfo.members(vertx, nodeId));
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String member : members) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.memberOps(member), new JsonObject().put("type", "stats"),
          new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS))
        .map(m -> m.body().copy().put("answered", true))
        .recover(e -> Future.succeededFuture(new JsonObject().put("member", member).put("answered", false)
          .put("error", e.getMessage()))));
    }
    Future.join(answers)
      .compose(v -> nameSilentMembers(answers.stream().map(Future::result).toList()))
      .onSuccess(list -> OpsResponses.json(ctx, 200, new JsonObject().put("clustered", vertx.isClustered())
        .put("answeredBy", nodeId).put("at", Instant.now().toString()).put("nodes", new JsonArray(list))))
      .onFailure(e -> failed(ctx, "listing the nodes", e));
  }

  /** Members that did not answer get their node id from {@link RedisKeys#INCARNATIONS}, when Redis knows it. */
  private Future<List<JsonObject>> nameSilentMembers(List<JsonObject> nodes) {
    List<JsonObject> silent = nodes.stream().filter(n -> !n.getBoolean("answered")).toList();
    if (silent.isEmpty()) {
      return Future.succeededFuture(nodes);
    }
    return redis.send(Request.cmd(Command.HVALS).arg(RedisKeys.INCARNATIONS))
      .timeout(NODE_TIMEOUT_MS, TimeUnit.MILLISECONDS).transform(ar -> {
        if (ar.succeeded() && ar.result() != null) {
          Map<String, String> nodeOfMember = new HashMap<>();
          for (Response value : ar.result()) {
            String[] nodeAndMember = value.toString().split("\\|", 2);
            if (nodeAndMember.length == 2) {
              nodeOfMember.put(nodeAndMember[1], nodeAndMember[0]);
            }
          }
          silent.forEach(n -> n.put("node", nodeOfMember.get(n.getString("member"))));
        }
        return Future.succeededFuture(nodes);
      });
  }

  private void player(RoutingContext ctx) {
    String player = ctx.pathParam("id");
    owner(player).compose(owner -> {
      if (owner == null) {
        return Future.succeededFuture((JsonObject) null);
      }
      Future<Response> hash = redis.send(Request.cmd(Command.HMGET).arg(RedisKeys.playerHash(owner[2]))
        .arg(RedisKeys.F_MAP_ID).arg(RedisKeys.F_IP).arg(RedisKeys.F_DATETIME).arg(RedisKeys.F_ACTION)
        .arg(RedisKeys.F_PING));
      Future<JsonObject> session = vertx.eventBus().<JsonObject>request(Addresses.nodeOps(owner[0]),
          new JsonObject().put("type", "session").put("session", owner[1]),
          new DeliveryOptions().setSendTimeout(NODE_TIMEOUT_MS))
        .map(m -> m.body())
        .recover(e -> Future.succeededFuture(new JsonObject().put("found", false).put("error", e.getMessage())));
      return Future.all(hash, session).map(v -> describe(player, owner, hash.result(), session.result()));
    }).onSuccess(found -> {
      if (found == null) {
        OpsResponses.json(ctx, 404, new JsonObject().put("error", "player not online").put("player", player));
      } else {
        OpsResponses.json(ctx, 200, found);
      }
    }).onFailure(e -> failed(ctx, "looking up player " + player, e));
  }

  private static JsonObject describe(String player, String[] owner, Response hash, JsonObject session) {
    JsonObject out = new JsonObject().put("player", player).put("online", true).put("node", owner[0])
      .put("session", owner[1]);
    String map = text(hash, 0);
    out.put("map", session.getString("map", map));
    out.put("transport", session.getString("transport"));
    Long idleMs = session.getLong("idleMs");
    out.put("idleSeconds", idleMs == null ? null : idleMs / 1000.0);
    out.put("ip", session.getString("ip", text(hash, 1)));
    out.put("lastActionAt", text(hash, 2)).put("lastAction", text(hash, 3)).put("ping", text(hash, 4));
    if (!session.getBoolean("found", false)) {
      out.put("nodeAnswer", session.getString("error", "session not found on its node"));
    }
    return out;
  }

  private static String text(Response array, int i) {
    if (array == null || array.size() <= i || array.get(i) == null) {
      return null;
    }
    return array.get(i).toString();
  }

  private void kick(RoutingContext ctx) {
    String player = ctx.pathParam("id");
    owner(player).onSuccess(owner -> {
      if (owner == null) {
        OpsResponses.json(ctx, 404, new JsonObject().put("error", "player not online").put("player", player));
        return;
      }
      vertx.eventBus().publish(Addresses.nodeSessions(owner[0]), new JsonObject().put("type", "kick")
        .put("session", owner[1]).put("reason", ErrorCode.KICKED.name()));
      try (LogContext ignored = LogContext.player(player, owner[1])) {
        LOG.info("[player: {}, node: {}, session: {}] admin kicked the player", player, owner[0], owner[1]);
      }
      OpsResponses.json(ctx, 202, new JsonObject().put("player", player).put("kicked", true).put("node", owner[0])
        .put("session", owner[1]));
    }).onFailure(e -> failed(ctx, "kicking player " + player, e));
  }

  /** The live session of a player from {@code seed:session:<id>}: {node, session, token}, or null when offline. */
  private Future<String[]> owner(String player) {
    return redis.send(Request.cmd(Command.GET).arg(RedisKeys.sessionOwner(player))).map(r -> {
      if (r == null) {
        return null;
      }
      String[] parts = r.toString().split("\\|", 3);
      return parts.length == 3 ? parts : null;
    });
  }

  private void send(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      OpsResponses.error(ctx, 400, "the body must be a JSON object");
      return;
    }
    if (body == null || !(body.getValue("payload") instanceof JsonObject payload)) {
      OpsResponses.error(ctx, 400, "'payload' must be a JSON object");
      return;
    }
    Object player = body.getValue("player");
    Object map = body.getValue("map");
    boolean all = Boolean.TRUE.equals(body.getValue("all"));
    if ((player != null ? 1 : 0) + (map != null ? 1 : 0) + (all ? 1 : 0) != 1) {
      OpsResponses.error(ctx, 400, "give exactly one of 'player', 'map' or \"all\":true");
      return;
    }
    String channel = player != null ? RedisKeys.playerChannel(String.valueOf(player))
      : map != null ? RedisKeys.mapChannel(String.valueOf(map)) : broadcastChannel;
    redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(payload.toBuffer()))
      .onSuccess(receivers -> {
        LOG.info("[channel: {}] admin sent a message", channel);
        OpsResponses.json(ctx, 202, new JsonObject().put("channel", channel)
          .put("receivers", receivers == null ? 0 : receivers.toLong()));
      })
      .onFailure(e -> failed(ctx, "publishing on " + channel, e));
  }

  private void drain(RoutingContext ctx) {
    String node = ctx.pathParam("id");
    vertx.eventBus().<JsonObject>request(Addresses.nodeOps(node), new JsonObject().put("type", "drain"),
        new DeliveryOptions().setSendTimeout(DRAIN_TIMEOUT_MS))
      .onSuccess(reply -> {
        LOG.info("[node: {}] admin drained the node", node);
        history.drained(node, reply.body().getInteger("sessions", 0));
        OpsResponses.json(ctx, 202, reply.body());
      })
      .onFailure(e -> {
        if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
          OpsResponses.json(ctx, 404, new JsonObject().put("error", "no such node").put("node", node));
        } else {
          failed(ctx, "draining node " + node, e);
        }
      });
  }

  /** A failure of ours: logged once, answered with 504 (a node did not answer in time) or 503. */
  private static void failed(RoutingContext ctx, String what, Throwable e) {
    boolean timeout = e instanceof ReplyException r && r.failureType() == ReplyFailure.TIMEOUT
      || e instanceof java.util.concurrent.TimeoutException;
    Failures.warn(LOG, "[request: {} {}] {} failed: {}", ctx.request().method(), ctx.request().path(), what, e);
    OpsResponses.error(ctx, timeout ? 504 : 503, what + " failed: " + e.getMessage());
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
