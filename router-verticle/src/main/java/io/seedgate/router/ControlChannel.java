package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.Failures;
import io.seedgate.common.LogContext;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.lifecycle.Incarnation;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Session commands from game services, published on the control channel ({@code routing.controlChannel}):
 * <pre>{"type":"set-map","player":"5","map":"2"}</pre> moves an online player to another map: its token moves
 * from GEO set {@code map:<old>} to {@code map:<new>} at the same position, its hash's {@code map_id} changes, and
 * its session receives {@code map:<new>} deliveries from then on.
 * <pre>{"type":"kick","player":"5"}</pre> closes the player's session with {@code {"error":"kicked"}}.
 */
final class ControlChannel {

  private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);

  private final RedisLink commands;
  private final EventBus eventBus;
  private final PlayerLocks locks;

  /** @param locks the players' locks: a map change never interleaves with the player's login, end or move */
  ControlChannel(RedisLink commands, EventBus eventBus, PlayerLocks locks) {
    this.commands = commands;
    this.eventBus = eventBus;
    this.locks = locks;
  }

  /** Handles one message of the control channel. */
  void onMessage(String channel, Buffer payload) {
    JsonObject command;
    try {
      command = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      // a service published something else: its fault, not ours, and the message says what is wrong
      LOG.warn("[channel: {}] control message ignored, not a JSON object: {}", channel, e.getMessage());
      return;
    }
    handle(command).onFailure(e -> {
      try (LogContext ignored = LogContext.of(LogContext.PLAYER, command.getValue("player"))) {
        Failures.warn(LOG, "[channel: {}] control message {} failed: {}", channel, command.encode(), e);
      }
    });
  }

  Future<Void> handle(JsonObject command) {
    String player = command.getValue("player") == null ? null : String.valueOf(command.getValue("player"));
    String type = command.getString("type", "");
    if (player == null) {
      return Future.failedFuture("no player");
    }
    switch (type) {
      case "kick":
        return owner(player).compose(owner -> {
          eventBus.publish(Addresses.nodeSessions(owner.node()), new JsonObject().put("type", "kick")
            .put("session", owner.session()).put("reason", "KICKED"));
          return Future.<Void>succeededFuture();
        });
      case "set-map":
        Object map = command.getValue("map");
        if (map == null) {
          return Future.failedFuture("set-map without map");
        }
        return locks.withLock(player, () -> owner(player)
          .compose(owner -> moveToMap(owner, player, String.valueOf(map))));
      default:
        return Future.failedFuture("unknown type '" + type + "'");
    }
  }

  /** The player's live session, or a failure when the player is not online. */
  private Future<SessionOwner> owner(String player) {
    return commands.send(Request.cmd(Command.GET).arg(RedisKeys.sessionOwner(player))).compose(r -> {
      SessionOwner owner = SessionOwner.parse(r == null ? null : r.toString());
      return owner == null ? Future.failedFuture("player " + player + " is not online")
        : Future.succeededFuture(owner);
    });
  }

  private Future<Void> moveToMap(SessionOwner owner, String player, String map) {
    String token = owner.token();
    return commands.send(Request.cmd(Command.HGET).arg(token).arg(RedisKeys.F_MAP_ID))
      .compose(old -> {
        String oldMap = old == null ? null : old.toString();
        Future<Response> position = oldMap == null ? Future.succeededFuture(null)
          : commands.send(Request.cmd(Command.GEOPOS).arg(RedisKeys.mapGeoSet(oldMap)).arg(token));
        return position.compose(pos -> {
          Response xy = pos == null || pos.size() == 0 ? null : pos.get(0);
          String x = xy != null && xy.size() == 2 ? xy.get(0).toString() : "0";
          String y = xy != null && xy.size() == 2 ? xy.get(1).toString() : "0";
          Request zrem = Request.cmd(Command.ZREM).arg(RedisKeys.mapGeoSet(oldMap == null ? map : oldMap)).arg(token);
          return commands.batch(List.of(
            zrem,
            Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet(map)).arg(x).arg(y).arg(token),
            Request.cmd(Command.HSET).arg(token).arg(RedisKeys.F_MAP_ID).arg(map),
            Request.cmd(Command.HSET).arg(RedisKeys.nodeSessions(Incarnation.idOfSession(owner.session()))).arg(player)
              .arg(NodeSession.encode(owner.session(), token, map))));
        });
      })
      .onSuccess(done -> eventBus.publish(Addresses.nodeSessions(owner.node()), new JsonObject()
        .put("type", "set-map").put("session", owner.session()).put("player", player).put("map", map)))
      .mapEmpty();
  }
}
