package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.BurstLog;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.HashTime;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Bounded;
import io.seedgate.common.lifecycle.Limiter;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.router.auth.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
  /** At most one WARN a minute for saves on leave that failed: during an outage every leaving player fails. */
  static final long UNSAVED_WARN_EVERY_MS = 60_000;
  private static final String DELETE_IF_EQUALS =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
  /** KEYS: owner entry; ARGV: old owner, new owner. One key: on a Redis Cluster a script keeps to one slot. */
  private static final String SET_IF_EQUALS =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end redis.call('SET', KEYS[1], ARGV[2]) return 1";
  private static final String HDEL_IF_SESSION =
    "local v = redis.call('HGET', KEYS[1], ARGV[1]) "
      + "if v and string.sub(v, 1, string.len(ARGV[2])) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end "
      + "return 0";

  /** How long a router's claim on a dead incarnation's clean-up lasts before another may try again. */
  static final int CLEANUP_CLAIM_SECONDS = 60;
  private static final int CLEANUP_CONCURRENCY = 64;
  private static final int MAX_ENDS_AT_ONCE = 1_000;

  private final RedisLink redis;
  private final EventBus eventBus;
  private final String defaultMap;
  private final DeliveryOptions persistenceDelivery;
  private final InFlight inFlight = new InFlight();
  private boolean stopping;
  private final BurstLog unsavedLog = new BurstLog(LOG, UNSAVED_WARN_EVERY_MS);
  private final PlayerLocks locks;
  /** Session ends under way at once; a node's whole population ending together waits in turn. */
  private final Limiter ends = new Limiter(MAX_ENDS_AT_ONCE);

  /**
   * @param persistenceDelivery how to reach persistence: {@link io.seedgate.common.lifecycle.LocalRoles#deliveryTo}
   */
  SessionDirectory(Vertx vertx, RedisLink redis, String defaultMap, DeliveryOptions persistenceDelivery) {
    this.redis = redis;
    this.eventBus = vertx.eventBus();
    this.locks = new PlayerLocks(vertx, redis);
    this.defaultMap = defaultMap;
    this.persistenceDelivery = persistenceDelivery;
  }

  /**
   * Opens the session described by an {@link Addresses#AUTHENTICATE} request for a verified identity.
   *
   * @return the reply body {@code {"player","map","token"}}
   */
  Future<JsonObject> open(Identity identity, JsonObject request) {
    return inFlight.track(locks.withLock(identity.playerId(), () -> openSession(identity, request)));
  }

  private Future<JsonObject> openSession(Identity identity, JsonObject request) {
    String node = request.getString("node");
    String incarnation = request.getString("incarnation");
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
            try (LogContext ignored = LogContext.player(identity.playerId(), session)) {
              LOG.info("[player: {}, session: {}] second login: closing session {} on node {}", identity.playerId(),
                session, old.session(), old.node());
            }
            eventBus.publish(Addresses.nodeSessions(old.node()), new JsonObject().put("type", "kick")
              .put("session", old.session()).put("reason", ErrorCode.REPLACED.name()));
          }
          return recordOnline(identity.playerId(), token, map, ip, incarnation, session);
        })
        .onSuccess(done -> {
          if (LOG.isDebugEnabled()) {
            try (LogContext ignored = LogContext.player(identity.playerId(), session)) {
              LOG.debug("[player: {}, session: {}] logged in on node {} (map {})", identity.playerId(), session, node,
                map);
            }
          }
        })
        .map(done -> new JsonObject().put("player", identity.playerId()).put("map", map).put("token", token));
    });
  }

  /** Writes what an open session is made of, but its directory entry: hash fields, map, online entry, index entry. */
  private Future<Void> recordOnline(String player, String token, String map, String ip, String incarnation,
                                    String session) {
    return redis.send(Request.cmd(Command.HMGET).arg(token).arg(RedisKeys.F_POSITION_X).arg(RedisKeys.F_POSITION_Y))
      .compose(pos -> redis.batch(List.of(
        Request.cmd(Command.HSET).arg(token)
          .arg(RedisKeys.F_IP).arg(ip)
          .arg(RedisKeys.F_TOKEN).arg(token)
          .arg(RedisKeys.F_MAP_ID).arg(map)
          .arg(RedisKeys.F_DATETIME).arg(HashTime.now()),
        Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg("NX")
          .arg(coordinate(pos.get(0), 180)).arg(coordinate(pos.get(1), 85)).arg(token),
        Request.cmd(Command.HSET).arg(RedisKeys.onlineShard(token)).arg(token).arg(player),
        Request.cmd(Command.HSET).arg(RedisKeys.nodeSessions(incarnation)).arg(player)
          .arg(NodeSession.encode(session, token, map)))))
      .mapEmpty();
  }

  /**
   * Moves a live session to another gateway instance, described by an {@link Addresses#SESSION_MOVED} request:
   * under the player's lock, and only while the player's directory entry still names the session moved, the entry
   * names the new session, the index entry moves from the old incarnation's index to the new one's, and the hash
   * gets the new address. The player stays online and on its map throughout: nothing is saved or removed.
   *
   * <p>The three keys may live on three masters of a cluster, so this is three steps, in an order where a stop after
   * any of them leaves nothing wrong: the new index entry first (a session's end, or a sweep of the new incarnation,
   * then finds it), then the owner entry swapped if still the old one (else the new index entry is taken back), then
   * the old index entry removed (until then a sweep of the old incarnation finds it, sees the owner is another
   * session of the same hash and only drops the entry).
   *
   * @return whether it moved ({@code false}: the player logged in elsewhere meanwhile, or the session ended)
   */
  Future<Boolean> move(JsonObject moved) {
    return inFlight.track(locks.withLock(moved.getString("player"), () -> moveSession(moved)));
  }

  private Future<Boolean> moveSession(JsonObject moved) {
    String player = moved.getString("player");
    String token = moved.getString("token");
    String map = moved.getString("map");
    JsonObject from = moved.getJsonObject("from");
    JsonObject to = moved.getJsonObject("to");
    SessionOwner was = new SessionOwner(from.getString("node"), from.getString("session"), token);
    SessionOwner now = new SessionOwner(to.getString("node"), to.getString("session"), token);
    String oldIndex = RedisKeys.nodeSessions(from.getString("incarnation"));
    String newIndex = RedisKeys.nodeSessions(to.getString("incarnation"));
    return redis.send(Request.cmd(Command.HSET).arg(newIndex).arg(player)
        .arg(NodeSession.encode(now.session(), token, map)))
      .compose(indexed -> redis.send(Request.cmd(Command.EVAL).arg(SET_IF_EQUALS).arg(1)
        .arg(RedisKeys.sessionOwner(player)).arg(was.encode()).arg(now.encode())))
      .compose(r -> {
        if (r == null || r.toInteger() != 1) {
          return redis.send(Request.cmd(Command.EVAL).arg(HDEL_IF_SESSION).arg(1).arg(newIndex)
            .arg(player).arg(now.session() + "|")).map(false);
        }
        return redis.batch(List.of(
            Request.cmd(Command.HDEL).arg(oldIndex).arg(player),
            Request.cmd(Command.HSET).arg(token).arg(RedisKeys.F_IP).arg(moved.getString("ip", ""))))
          .map(true);
      });
  }

  /**
   * Records again a live session Redis lost, described by an {@link Addresses#SESSION_REASSERT} request; see
   * there.
   *
   * @return whether the session still owns its player
   */
  Future<Boolean> reassert(JsonObject live) {
    return inFlight.track(reassertSession(live));
  }

  private Future<Boolean> reassertSession(JsonObject live) {
    String player = live.getString("player");
    String token = live.getString("token");
    String map = live.getString("map");
    SessionOwner me = new SessionOwner(live.getString("node"), live.getString("session"), token);
    String key = RedisKeys.sessionOwner(player);
    return redis.send(Request.cmd(Command.SET).arg(key).arg(me.encode()).arg("NX"))
      .compose(set -> set != null ? Future.succeededFuture(true)
        : redis.send(Request.cmd(Command.GET).arg(key)).map(r -> r != null && me.encode().equals(r.toString())))
      .compose(owns -> {
        if (!owns) {
          return Future.succeededFuture(false);
        }
        return restoreHash(player, token)
          .compose(v -> recordOnline(player, token, map, live.getString("ip", ""), live.getString("incarnation"),
            me.session()))
          .map(true);
      });
  }

  /**
   * When the player's hash lost what the sign-in wrote ({@code map_id}: Redis came back empty, and actions since
   * wrote only their own fields), fills in every field it lacks from the saved state.
   */
  private Future<Void> restoreHash(String player, String token) {
    return redis.send(Request.cmd(Command.HEXISTS).arg(token).arg(RedisKeys.F_MAP_ID)).compose(exists -> {
      if (exists != null && exists.toInteger() == 1) {
        return Future.succeededFuture();
      }
      return loadSaved(player).compose(saved -> {
        List<Request> fill = new ArrayList<>();
        JsonObject fields = saved.getJsonObject("fields", new JsonObject());
        for (Map.Entry<String, Object> f : fields) {
          if (f.getValue() != null) {
            fill.add(Request.cmd(Command.HSETNX).arg(token).arg(f.getKey()).arg(String.valueOf(f.getValue())));
          }
        }
        fill.add(Request.cmd(Command.HSET).arg(token).arg(RedisKeys.F_ID).arg(player));
        return redis.batch(fill).mapEmpty();
      });
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
    return inFlight.track(ends.submit(() -> locks.withLock(ended.getString("player"), () -> endSession(ended))));
  }

  private Future<Boolean> endSession(JsonObject ended) {
    String player = ended.getString("player");
    String token = ended.getString("token");
    String map = ended.getString("map");
    SessionOwner me = new SessionOwner(ended.getString("node"), ended.getString("session"), token);
    String index = RedisKeys.nodeSessions(ended.getString("incarnation"));
    return redis.send(Request.cmd(Command.GET).arg(RedisKeys.sessionOwner(player))).compose(current -> {
      SessionOwner owner = SessionOwner.parse(current == null ? null : current.toString());
      if (owner != null && !owner.session().equals(me.session()) && owner.token().equals(token)) {
        return redis.send(Request.cmd(Command.EVAL).arg(HDEL_IF_SESSION).arg(1).arg(index)
          .arg(player).arg(me.session() + "|")).map(false);
      }
      return markOffline(token, map)
        .compose(v -> save(player, me.session(), map, token))
        .compose(saved -> removeLeftPlayer(me, index, player, map, token, saved).map(saved))
        .onSuccess(saved -> {
          if (LOG.isDebugEnabled()) {
            try (LogContext ignored = LogContext.player(player, me.session())) {
              LOG.debug("[player: {}, session: {}] session ended ({}), state {}", player, me.session(),
                ended.getString("reason"), saved ? "saved" : "kept in Redis for the next flush");
            }
          }
        });
    });
  }

  /**
   * Ends every session a dead incarnation still held, as if each had closed: saved, offline, off its map; then
   * forgets the incarnation. Several routers may call this for the same incarnation; one of them does the work
   * (it holds {@link RedisKeys#nodeCleanup} meanwhile, and gives it up when done). A session whose end fails stays
   * in the index and the incarnation stays listed, so the next sweep tries again; the claim of a router that died
   * half-way expires after {@value #CLEANUP_CLAIM_SECONDS} s.
   *
   * @param incarnation the dead incarnation's id
   * @param nodeId      its node id, as the sessions' owner entries name it
   * @param me          who cleans up (for the claim's value)
   * @return how many sessions were ended here, or -1 when another router holds the claim
   */
  Future<Integer> endSessionsOf(String incarnation, String nodeId, String me) {
    return inFlight.track(cleanUp(incarnation, nodeId, me));
  }

  private Future<Integer> cleanUp(String incarnation, String nodeId, String me) {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.nodeCleanup(incarnation)).arg(me).arg("NX").arg("EX")
        .arg(CLEANUP_CLAIM_SECONDS))
      .compose(won -> {
        if (won == null) {
          return Future.succeededFuture(-1);
        }
        return redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.nodeSessions(incarnation)))
          .compose(all -> endAll(incarnation, nodeId, all))
          .compose(ended -> ended.failed() > 0
            ? Future.<Integer>failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, ended.failed() + " of "
              + (ended.failed() + ended.succeeded()) + " session ends failed"))
            : redis.batch(List.of(
              Request.cmd(Command.DEL).arg(RedisKeys.nodeSessions(incarnation)),
              Request.cmd(Command.HDEL).arg(RedisKeys.INCARNATIONS).arg(incarnation),
              Request.cmd(Command.DEL).arg(RedisKeys.lease(incarnation)))).map(ended.succeeded()))
          .eventually(() -> redis.send(Request.cmd(Command.DEL).arg(RedisKeys.nodeCleanup(incarnation))));
      });
  }

  /** Completes once no login or session end is under way here (what a stopping router waits for). */
  Future<Void> drained() {
    return inFlight.drained();
  }

  /** Logins and session ends under way here. */
  int inFlight() {
    return inFlight.running();
  }

  /** Ends the sessions of an index, {@value #CLEANUP_CONCURRENCY} at a time. */
  private Future<Bounded.Outcome> endAll(String incarnation, String nodeId, Response index) {
    List<JsonObject> sessions = new ArrayList<>();
    for (String player : index.getKeys()) {
      NodeSession s = NodeSession.decode(index.get(player).toString());
      if (s != null) {
        sessions.add(new JsonObject().put("player", player).put("map", s.map()).put("token", s.token())
          .put("node", nodeId).put("incarnation", incarnation).put("session", s.session()).put("reason", "NODE_LEFT"));
      }
    }
    return Bounded.forEach(sessions, CLEANUP_CONCURRENCY, ended -> stopping
      ? Future.failedFuture(new GatewayException(ErrorCode.UNAVAILABLE, "router stopping"))
      : end(ended));
  }

  /**
   * The router is stopping: a dead incarnation's clean-up under way starts no more session ends (those started
   * finish), so the stop is not held by thousands of another node's sessions; the incarnation stays listed, its
   * claim is given up, and another router's sweep (or this node's next run) ends the rest. The ends of this node's
   * own sessions are not concerned: they come through {@link #end} one by one.
   */
  void stopping() {
    stopping = true;
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

  private Future<Boolean> save(String player, String session, String map, String token) {
    JsonObject body = new JsonObject().put("player", player).put("map", map).put("token", token);
    return eventBus.request(Addresses.SAVE_PLAYER, body, persistenceDelivery)
      .map(reply -> {
        unsavedLog.recovered("saves on leave work again");
        return true;
      })
      .recover(e -> {
        try (LogContext ignored = LogContext.player(player, session)) {
          unsavedLog.failed("[player: {}, session: {}] state not saved on leave, kept in Redis for the next flush: {}",
            player, session, e);
        }
        return Future.succeededFuture(false);
      });
  }

  private Future<Void> removeLeftPlayer(SessionOwner me, String index, String player, String map, String token,
                                        boolean saved) {
    List<Request> cleanup = new ArrayList<>();
    cleanup.add(Request.cmd(Command.ZREM).arg(RedisKeys.mapGeoSet(map)).arg(token));
    cleanup.add(Request.cmd(Command.HDEL).arg(RedisKeys.onlineShard(token)).arg(token));
    cleanup.add(saved ? Request.cmd(Command.DEL).arg(token) : Request.cmd(Command.SADD).arg(RedisKeys.UNSAVED).arg(token));
    cleanup.add(Request.cmd(Command.EVAL).arg(DELETE_IF_EQUALS).arg(1).arg(RedisKeys.sessionOwner(player))
      .arg(me.encode()));
    cleanup.add(Request.cmd(Command.EVAL).arg(HDEL_IF_SESSION).arg(1).arg(index)
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
