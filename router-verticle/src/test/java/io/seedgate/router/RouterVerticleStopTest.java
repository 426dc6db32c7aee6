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
}
