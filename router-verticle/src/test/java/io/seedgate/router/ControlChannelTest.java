package io.seedgate.router;

import io.seedgate.common.RedisKeys;
import io.seedgate.router.auth.Identity;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ControlChannel}'s {@code set-map}: the player moves to the new map in Redis, and the index entry of the
 * incarnation holding its session names the new map, so that a sweep after a crash takes it off the right map.
 */
class ControlChannelTest extends RouterTestSupport {

  private static final String TOKEN = "T-21";

  @Test
  void setMapMovesThePlayerAndTheIndexEntryOfItsIncarnation() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "21", "2");
    String session = "node-a.i1-7";
    onContext(() -> directory.open(new Identity("21", "2", TOKEN), login("node-a", "node-a.i1", session)));
    ControlChannel control = new ControlChannel(link, vertx.eventBus(), new PlayerLocks(vertx, link));

    onContext(() -> control.handle(new JsonObject().put("type", "set-map").put("player", "21").put("map", "3")));

    assertTrue(onMap("3", TOKEN));
    assertFalse(onMap("2", TOKEN));
    assertEquals("3", hget(TOKEN, RedisKeys.F_MAP_ID));
    assertEquals(session + "|" + TOKEN + "|3", hget(RedisKeys.nodeSessions("node-a.i1"), "21"),
      "the incarnation's index entry names the new map");
    assertNull(hget(RedisKeys.nodeSessions("node-a"), "21"), "no index keyed by the node id");

    // a crash of the incarnation now: its sweep ends the session on the map it is on
    assertTrue(onContext(() -> directory.end(ended("21", "3", TOKEN, "node-a", "node-a.i1", session))));
    assertFalse(onMap("3", TOKEN), "no ghost on the new map");
  }
}
