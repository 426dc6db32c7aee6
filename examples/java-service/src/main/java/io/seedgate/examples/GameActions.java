package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The 2021 game logic: turns one {@link Envelope} into Redis reads, writes and publications. Non-blocking;
 * every method returns a future that fails when Redis does.
 */
final class GameActions {

  /** The models this service plays; it subscribes to their action channels only. */
  static final List<String> MODELS = List.of("api", "move");

  private final Redis redis;
  private final double step;
  /** Whether Redis is a cluster: then reads of keys on several masters are sent one by one, not as one batch. */
  private final boolean cluster;
  /** PUBLISH, or SPUBLISH for gateways that subscribe their delivery channels sharded ({@code routing.pubsub}). */
  private final Command publish;

  /** Classic publishes on a cluster, over one node; {@code null}: through {@link #redis}. */
  private final OneNodePublisher publisher;

  GameActions(Redis redis, OneNodePublisher publisher, double step, boolean cluster, boolean sharded) {
    this.redis = redis;
    this.publisher = publisher;
    this.step = step;
    this.cluster = cluster;
    this.publish = sharded ? Command.SPUBLISH : Command.PUBLISH;
  }

  /** Sends reads together: one batch on one server; on a cluster each on its own (its key's master). */
  private Future<List<Response>> readAll(List<Request> reads) {
    if (!cluster) {
      return redis.batch(reads);
    }
    List<Future<Response>> sent = reads.stream().map(redis::send).toList();
    return Future.all(sent).map(all -> sent.stream().map(Future::result).toList());
  }

  /** Plays one action; an action this service does not know is answered with an error to the player. */
  Future<Void> handle(Envelope e) {
    switch (e.model()) {
      case "api":
        if ("load".equals(e.method())) {
          return load(e);
        }
        if ("save".equals(e.method())) {
          return publish(GameChannels.tokenChannel(e.token()), Replies.saved());
        }
        break;
      case "move":
        Optional<Moves.Direction> direction = Moves.Direction.of(e.method());
        if (direction.isPresent()) {
          return move(e, direction.get());
        }
        break;
      default:
        break;
    }
    return publish(GameChannels.tokenChannel(e.token()), Replies.error("unknown action " + e.action()));
  }

  /** Replies with every player on the map, then tells the map the player joined. */
  private Future<Void> load(Envelope e) {
    String geoSet = GameChannels.mapGeoSet(e.map());
    return redis.send(Request.cmd(Command.ZRANGE).arg(geoSet).arg(0).arg(-1))
      .compose(members -> {
        List<String> tokens = new ArrayList<>();
        members.forEach(m -> tokens.add(m.toString()));
        if (tokens.isEmpty()) {
          return Future.succeededFuture(new MapView(List.of(), Position.ORIGIN));
        }
        List<Request> reads = new ArrayList<>(tokens.size() + 1);
        Request geopos = Request.cmd(Command.GEOPOS).arg(geoSet);
        tokens.forEach(geopos::arg);
        reads.add(geopos);
        for (String token : tokens) {
          reads.add(Request.cmd(Command.HMGET).arg(GameChannels.playerHash(token))
            .arg(GameChannels.F_ID).arg(GameChannels.F_ACTION));
        }
        return readAll(reads).map(replies -> mapView(e.token(), tokens, replies));
      })
      .compose(view -> publish(GameChannels.tokenChannel(e.token()), Replies.load(view.players))
        .compose(v -> publish(GameChannels.mapChannel(e.map()), Replies.playersUpdate(List.of(
          new PlayerState(PlayerState.idValue(e.player()), PlayerState.IDLE, view.own))))));
  }

  /** Members whose hash has no id (left, not yet cleaned up) are not listed. */
  private static MapView mapView(String ownToken, List<String> tokens, List<Response> replies) {
    Response positions = replies.get(0);
    List<PlayerState> players = new ArrayList<>(tokens.size());
    Position own = Position.ORIGIN;
    for (int i = 0; i < tokens.size(); i++) {
      Position position = position(positions.get(i));
      if (tokens.get(i).equals(ownToken)) {
        own = position;
      }
      Response fields = replies.get(i + 1);
      Response id = fields.get(0);
      if (id == null) {
        continue;
      }
      Response action = fields.get(1);
      String actionName = action == null || action.toString().isEmpty() ? PlayerState.IDLE : action.toString();
      players.add(new PlayerState(PlayerState.idValue(id.toString()), actionName, position));
    }
    return new MapView(players, own);
  }

  /** One step from the stored position (the origin when there is none), stored, then shown to the map. */
  private Future<Void> move(Envelope e, Moves.Direction direction) {
    String geoSet = GameChannels.mapGeoSet(e.map());
    return redis.send(Request.cmd(Command.GEOPOS).arg(geoSet).arg(e.token()))
      .compose(reply -> {
        Position to = Moves.step(position(reply.get(0)), direction, step);
        return redis.send(Request.cmd(Command.GEOADD).arg(geoSet).arg(plain(to.x())).arg(plain(to.y()))
            .arg(e.token()))
          .compose(added -> publish(GameChannels.mapChannel(e.map()), Replies.playersUpdate(List.of(
            new PlayerState(PlayerState.idValue(e.player()), direction.actionName(), to)))));
      });
  }

  private Future<Void> publish(String channel, JsonObject payload) {
    if (publisher != null) {
      return publisher.publish(channel, payload.toBuffer());
    }
    return redis.send(Request.cmd(publish).arg(channel).arg(payload.toBuffer())).mapEmpty();
  }

  /** A GEOPOS entry as a position rounded to 2 decimals (GEO storage is lossy); the origin when absent. */
  private static Position position(Response geopos) {
    if (geopos == null || geopos.size() < 2) {
      return Position.ORIGIN;
    }
    return Moves.normalize(new Position(geopos.get(0).toDouble(), geopos.get(1).toDouble()));
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).toPlainString();
  }

  private record MapView(List<PlayerState> players, Position own) {
  }
}
