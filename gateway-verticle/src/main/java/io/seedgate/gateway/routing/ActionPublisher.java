package io.seedgate.gateway.routing;

import io.seedgate.common.HashTime;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.seedgate.gateway.session.ClientMessage;
import io.seedgate.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * Hands a client's action to the game services: one {@code PUBLISH} on channel {@code <prefix><model>} with the
 * service envelope, pipelined with the {@code HSET} that keeps the 2021 hash fields {@code datetime},
 * {@code action} and {@code ping} current. Both go out on this gateway instance's own connection in one write
 * (a pipelined batch, not a transaction).
 *
 * <p>The envelope, the contract with game services:
 * <pre>{"player":"5","map":"1","token":"1A2B..","model":"move","method":"up","action":"move/up",
 *  "data":{"pingTime":0.23,"map":{"instanceID":12345}},"node":"node-a","session":"node-a-3","ip":"1.2.3.4",
 *  "ts":1764134400123}</pre>
 */
public final class ActionPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(ActionPublisher.class);

  private final RedisLink redis;
  private final String channelPrefix;
  private final Set<String> allowedModels;
  private final String nodeId;

  public ActionPublisher(RedisLink redis, String channelPrefix, Set<String> allowedModels, String nodeId) {
    this.redis = redis;
    this.channelPrefix = channelPrefix;
    this.allowedModels = allowedModels;
    this.nodeId = nodeId;
  }

  /** Whether actions of this model may be published (the allow-list is empty or names it). */
  public boolean allowed(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }

  /**
   * Publishes one action of an authenticated session.
   *
   * @return succeeds once Redis accepted the PUBLISH; fails when Redis is unreachable
   */
  public Future<Void> publish(Session session, Action action, ClientMessage message) {
    String token = session.token();
    Request hset = Request.cmd(Command.HSET).arg(RedisKeys.playerHash(token))
      .arg(RedisKeys.F_DATETIME).arg(HashTime.now())
      .arg(RedisKeys.F_ACTION).arg(message.action());
    Number ping = message.pingTime();
    if (ping != null) {
      hset.arg(RedisKeys.F_PING).arg(ping.toString());
    }
    JsonObject envelope = new JsonObject()
      .put("player", session.playerId())
      .put("map", session.mapId())
      .put("token", token)
      .put("model", action.model())
      .put("method", action.method())
      .put("action", message.action())
      .put("data", message.fields())
      .put("node", nodeId)
      .put("session", session.id())
      .put("ip", session.remoteIp())
      .put("ts", System.currentTimeMillis());
    Request publish = Request.cmd(Command.PUBLISH).arg(channelPrefix + action.model()).arg(envelope.toBuffer());
    return redis.batch(List.of(hset, publish)).onFailure(e ->
      LOG.debug("[session: {}] action not handed to Redis: {}", session.id(), e.getMessage())).mapEmpty();
  }
}
