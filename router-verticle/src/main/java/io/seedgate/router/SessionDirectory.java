package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.HashTime;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.router.auth.Identity;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Who is online where, in Redis: opens a session for a verified identity (one per player across the cluster,
 * kicking an older one), and ends it (save first, then offline, off the map, hash removed).
 */
final class SessionDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(SessionDirectory.class);
  private static final String DELETE_IF_EQUALS =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
  private static final String HDEL_IF_SESSION =
    "local v = redis.call('HGET', KEYS[1], ARGV[1]) "
      + "if v and string.sub(v, 1, string.len(ARGV[2])) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end "
      + "return 0";

  private final RedisLink redis;
  private final EventBus eventBus;
  private final String defaultMap;
  private final DeliveryOptions persistenceDelivery;

  /**
   * @param persistenceDelivery how to reach persistence: {@link io.seedgate.common.lifecycle.LocalRoles#deliveryTo}
   */
  SessionDirectory(RedisLink redis, EventBus eventBus, String defaultMap, DeliveryOptions persistenceDelivery) {
    this.redis = redis;
    this.eventBus = eventBus;
    this.defaultMap = defaultMap;
    this.persistenceDelivery = persistenceDelivery;
  }

  /**
   * Opens the session described by an {@link Addresses#AUTHENTICATE} request for a verified identity.
   *
   * @return the reply body {@code {"player","map","token"}}
   */
  Future<JsonObject> open(Identity identity, JsonObject request) {
    String node = request.getString("node");
    String session = request.getString("session");
    String ip = request.getString("ip", "");
    Future<String[]> hashAndMap = identity.hashKey() != null
      ? Future.succeededFuture(new String[]{identity.hashKey(), identity.mapId()})
      : jwtHash(identity);
    return hashAndMap.compose(hm -> {
      String token = hm[0];
      String map = hm[1] != null && !hm[1].isEmpty() ? hm[1] : defaultMap;
      SessionOwner owner = new SessionOwner(node, session, token);
      return redis.send(Request.cmd(Command.SET).arg(RedisKeys.sessionOwner(identity.playerId()))
          .arg(owner.encode()).arg("GET"))
        .compose(previous -> {
          SessionOwner old = SessionOwner.parse(previous == null ? null : previous.toString());
          if (old != null && !old.session().equals(session)) {
            LOG.info("[player: {}] second login: closing session {} on node {}", identity.playerId(),
              old.session(), old.node());
            eventBus.publish(Addresses.nodeSessions(old.node()), new JsonObject().put("type", "kick")
              .put("session", old.session()).put("reason", ErrorCode.REPLACED.name()));
          }
          return redis.send(Request.cmd(Command.HMGET).arg(token)
            .arg(RedisKeys.F_POSITION_X).arg(RedisKeys.F_POSITION_Y));
        })
        .compose(pos -> redis.batch(List.of(
          Request.cmd(Command.HSET).arg(token)
            .arg(RedisKeys.F_IP).arg(ip)
            .arg(RedisKeys.F_TOKEN).arg(token)
            .arg(RedisKeys.F_MAP_ID).arg(map)
            .arg(RedisKeys.F_DATETIME).arg(HashTime.now()),
          Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg("NX")
            .arg(coordinate(pos.get(0), 180)).arg(coordinate(pos.get(1), 85)).arg(token),
          Request.cmd(Command.HSET).arg(RedisKeys.onlineShard(token)).arg(token).arg(identity.playerId()),
          request.getString("member") == null ? Request.cmd(Command.PING)
            : Request.cmd(Command.HSET).arg(RedisKeys.NODES).arg(request.getString("member")).arg(node),
          Request.cmd(Command.HSET).arg(RedisKeys.nodeSessions(node)).arg(identity.playerId())
            .arg(NodeSession.encode(session, token, map)))))
        .map(done -> new JsonObject().put("player", identity.playerId()).put("map", map).put("token", token));
    });
  }

  /**
   * Ends the session described by an {@link Addresses#SESSION_ENDED} request: when it still owns its player,
   * the player is marked offline, saved, removed from its map and its hash deleted; when the save fails the
   * hash is kept and its token added to {@link RedisKeys#UNSAVED} for the flush to retry.
   *
   * @return whether the state was saved
   */
  Future<Boolean> end(JsonObject ended) {
    String player = ended.getString("player");
    String token = ended.getString("token");
    String map = ended.getString("map");
    SessionOwner me = new SessionOwner(ended.getString("node"), ended.getString("session"), token);
    return redis.send(Request.cmd(Command.GET).arg(RedisKeys.sessionOwner(player))).compose(current -> {
      SessionOwner owner = SessionOwner.parse(current == null ? null : current.toString());
      if (owner != null && !owner.session().equals(me.session()) && owner.token().equals(token)) {
        return redis.send(Request.cmd(Command.EVAL).arg(HDEL_IF_SESSION).arg(1).arg(RedisKeys.nodeSessions(me.node()))
          .arg(player).arg(me.session() + "|")).map(false);
      }
      return markOffline(token, map)
        .compose(v -> save(player, map, token))
        .compose(saved -> removeLeftPlayer(me, player, map, token, saved).map(saved));
    });
  }

  /**
   * Ends every session a dead node still held, as if each had closed: saved, offline, off its map. Several
   * surviving nodes may call this for the same dead node; one of them does the work.
   *
   * @return how many sessions were ended here
   */
  Future<Integer> endSessionsOf(String deadNode, String memberId, String me) {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.nodeCleanup(deadNode)).arg(me).arg("NX").arg("EX").arg(300))
      .compose(won -> {
        if (won == null) {
          return Future.succeededFuture(0);
        }
        return redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.nodeSessions(deadNode))).compose(all -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (String player : all.getKeys()) {
            NodeSession s = NodeSession.decode(all.get(player).toString());
            if (s == null) {
              continue;
            }
            JsonObject ended = new JsonObject().put("player", player).put("map", s.map()).put("token", s.token())
              .put("node", deadNode).put("session", s.session()).put("reason", "NODE_LEFT");
            chain = chain.compose(n -> end(ended).map(saved -> n + 1).recover(e -> {
              LOG.error("[player: {}] session of dead node {} not ended: {}", player, deadNode, e.getMessage());
              return Future.succeededFuture(n);
            }));
          }
          return chain;
        }).compose(n -> redis.batch(List.of(
          Request.cmd(Command.DEL).arg(RedisKeys.nodeSessions(deadNode)),
          Request.cmd(Command.HDEL).arg(RedisKeys.NODES).arg(memberId))).map(n));
      });
  }

  private Future<Void> markOffline(String token, String map) {
    return redis.send(Request.cmd(Command.GEOPOS).arg(RedisKeys.mapGeoSet(map)).arg(token)).compose(pos -> {
      Request offline = Request.cmd(Command.HSET).arg(token)
        .arg(RedisKeys.F_IP).arg("").arg(RedisKeys.F_TOKEN).arg("")
        .arg(RedisKeys.F_ACTION).arg(RedisKeys.ACTION_OFFLINE);
      Response xy = pos == null || pos.size() == 0 ? null : pos.get(0);
      if (xy != null && xy.size() == 2) {
        offline.arg(RedisKeys.F_POSITION_X).arg(round2(xy.get(0).toDouble()))
          .arg(RedisKeys.F_POSITION_Y).arg(round2(xy.get(1).toDouble()));
      }
      return redis.send(Request.cmd(Command.EXISTS).arg(token))
        .compose(exists -> exists.toInteger() == 1 ? redis.send(offline) : Future.succeededFuture())
        .mapEmpty();
    });
  }

  private Future<Boolean> save(String player, String map, String token) {
    JsonObject body = new JsonObject().put("player", player).put("map", map).put("token", token);
    return eventBus.request(Addresses.SAVE_PLAYER, body, persistenceDelivery)
      .map(reply -> true)
      .recover(e -> {
        LOG.warn("[player: {}] state not saved on leave, kept in Redis for the next flush: {}", player,
          e.getMessage());
        return Future.succeededFuture(false);
      });
  }

  private Future<Void> removeLeftPlayer(SessionOwner me, String player, String map, String token, boolean saved) {
    List<Request> cleanup = new ArrayList<>();
    cleanup.add(Request.cmd(Command.ZREM).arg(RedisKeys.mapGeoSet(map)).arg(token));
    cleanup.add(Request.cmd(Command.HDEL).arg(RedisKeys.onlineShard(token)).arg(token));
    cleanup.add(saved ? Request.cmd(Command.DEL).arg(token) : Request.cmd(Command.SADD).arg(RedisKeys.UNSAVED).arg(token));
    cleanup.add(Request.cmd(Command.EVAL).arg(DELETE_IF_EQUALS).arg(1).arg(RedisKeys.sessionOwner(player))
      .arg(me.encode()));
    cleanup.add(Request.cmd(Command.EVAL).arg(HDEL_IF_SESSION).arg(1).arg(RedisKeys.nodeSessions(me.node()))
      .arg(player).arg(me.session() + "|"));
    return redis.batch(cleanup).mapEmpty();
  }

  /** For a JWT: the hash of the player's live session when there is one, else a new hash from the saved state. */
  private Future<String[]> jwtHash(Identity identity) {
    return redis.send(Request.cmd(Command.GET).arg(RedisKeys.sessionOwner(identity.playerId()))).compose(r -> {
      SessionOwner live = SessionOwner.parse(r == null ? null : r.toString());
      if (live != null) {
        return redis.send(Request.cmd(Command.HGET).arg(live.token()).arg(RedisKeys.F_MAP_ID)).compose(map -> {
          if (map != null) {
            return Future.succeededFuture(new String[]{live.token(), identity.mapId() != null ? identity.mapId() : map.toString()});
          }
          return newJwtHash(identity);
        });
      }
      return newJwtHash(identity);
    });
  }

  private Future<String[]> newJwtHash(Identity identity) {
    String token = UUID.randomUUID().toString().toUpperCase();
    return loadSaved(identity.playerId()).compose(saved -> {
      String map = identity.mapId() != null ? identity.mapId()
        : saved.getString("map") != null ? saved.getString("map") : defaultMap;
      Request hset = Request.cmd(Command.HSET).arg(token);
      JsonObject fields = saved.getJsonObject("fields", new JsonObject());
      for (Map.Entry<String, Object> f : fields) {
        if (f.getValue() != null) {
          hset.arg(f.getKey()).arg(String.valueOf(f.getValue()));
        }
      }
      hset.arg(RedisKeys.F_ID).arg(identity.playerId()).arg(RedisKeys.F_MAP_ID).arg(map);
      return redis.send(hset).map(ok -> new String[]{token, map});
    });
  }

  private Future<JsonObject> loadSaved(String player) {
    return eventBus.<JsonObject>request(Addresses.LOAD_PLAYER, new JsonObject().put("player", player),
        persistenceDelivery)
      .map(m -> m.body())
      .recover(e -> {
        if (e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
          return Future.succeededFuture(new JsonObject().put("found", false));
        }
        return Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "saved state not loadable: "
          + e.getMessage()));
      });
  }

  private static String coordinate(Response r, double limit) {
    if (r == null) {
      return "0";
    }
    try {
      double v = Double.parseDouble(r.toString());
      return Double.isFinite(v) ? Double.toString(Math.max(-limit, Math.min(limit, v))) : "0";
    } catch (NumberFormatException e) {
      return "0";
    }
  }

  private static String round2(double v) {
    return Double.toString(Math.round(v * 100) / 100.0);
  }
}
