package io.seedgate.router;

import io.seedgate.common.Addresses;
import io.seedgate.common.RedisKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RouterVerticle}, deployed, over the event bus: its stop waits for the session ends under way. */
class RouterVerticleStopTest extends RouterTestSupport {

  private static final String TOKEN = "T-11";

  @Test
  void aStopWaitsForTheEndsUnderWayBeforeClosingItsRedisLinks() {
    JsonObject config = new JsonObject()
      .put("node", new JsonObject().put("id", "router-test"))
      .put("redis", new JsonObject().put("url", redisUrl))
      .put("auth", new JsonObject().put("modes", new JsonArray().add("redis")));
    String deployment = await(vertx.deployVerticle(RouterVerticle::new, new DeploymentOptions().setConfig(config)));
    signIn(TOKEN, "11", "1");
    JsonObject session = await(vertx.eventBus().<JsonObject>request(Addresses.AUTHENTICATE,
      login("node-a", "node-a.i1", "s1").put("token", TOKEN)).map(Message::body));
    assertEquals(new JsonObject().put("player", "11").put("map", "1").put("token", TOKEN), session);
    persistence.save = Persistence.Save.HOLD;

    Future<Message<JsonObject>> end = vertx.eventBus().request(Addresses.SESSION_ENDED,
      ended("11", "1", TOKEN, "node-a", "node-a.i1", "s1"));
    await(persistence.nextSave());
    Future<Void> stop = vertx.undeploy(deployment);
    // a stop that did not wait would have closed the router's Redis links by now
    Promise<Boolean> stoppedWhileSaving = Promise.promise();
    vertx.setTimer(300, t -> {
      stoppedWhileSaving.complete(stop.isComplete());
      persistence.releaseHeld();
    });

    assertFalse(await(stoppedWhileSaving.future()), "the stop waits for the end under way");
    assertEquals(new JsonObject().put("saved", true), await(end).body(), "the end finished on open links");
    await(stop);
    assertFalse(exists(TOKEN), "hash deleted after the save");
    assertNull(get(RedisKeys.sessionOwner("11")));
    assertFalse(exists(RedisKeys.nodeSessions("node-a.i1")));
  }

  @Test
  void aStopIsNotHeldByADeadIncarnationsCleanUpItLeavesTheRestToAnotherRouter() {
    int sessions = 2_000;
    String dead = "node-d.dead1";
    java.util.List<io.vertx.redis.client.Request> fill = new java.util.ArrayList<>();
    fill.add(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HSET).arg(RedisKeys.INCARNATIONS)
      .arg(dead).arg(RedisKeys.incarnationValue("node-d", null)));
    for (int i = 0; i < sessions; i++) {
      fill.add(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HSET)
        .arg(RedisKeys.nodeSessions(dead)).arg("p" + i).arg(NodeSession.encode("s" + i, "T-d" + i, "1")));
    }
    await(redis.batch(fill));
    persistence.save = Persistence.Save.HOLD;
    JsonObject config = new JsonObject()
      .put("node", new JsonObject().put("id", "router-test"))
      .put("redis", new JsonObject().put("url", redisUrl))
      .put("auth", new JsonObject().put("modes", new JsonArray().add("redis")));
    // the router's first sweep at start takes the dead incarnation; its ends wait in their saves
    String deployment = await(vertx.deployVerticle(RouterVerticle::new, new DeploymentOptions().setConfig(config)));
    await(persistence.nextSave());
    Future<Void> stop = vertx.undeploy(deployment);
    vertx.setTimer(300, t -> {
      persistence.save = Persistence.Save.OK;
      persistence.releaseHeld();
    });
    await(stop);
    long left = await(redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HLEN)
      .arg(RedisKeys.nodeSessions(dead)))).toLong();
    System.out.println("router stopped during a clean-up of " + sessions + " sessions: " + left + " left for another");
    assertTrue(left > 0 && left < sessions, "the ends started finished, the rest were left: " + left);
    assertTrue(exists(RedisKeys.nodeSessions(dead)), "the dead incarnation's index kept");
    assertNull(get(RedisKeys.nodeCleanup(dead)), "its claim given up");
  }
}
