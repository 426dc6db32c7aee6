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
 * {@link SessionDirectory#move}: a session resumed on another gateway instance takes its directory and index entries
 * along, the player staying online and on its map; a move of a session that no longer owns its player changes nothing.
 */
class SessionMoveTest extends RouterTestSupport {

  private static final String TOKEN = "T-11";

  private static JsonObject move(String fromSession, String toSession) {
    return new JsonObject().put("player", "11").put("token", TOKEN).put("map", "2").put("ip", "10.0.0.2")
      .put("from", new JsonObject().put("node", "node-a").put("incarnation", "node-a.i1").put("session", fromSession))
      .put("to", new JsonObject().put("node", "node-b").put("incarnation", "node-b.i1").put("session", toSession));
  }

  @Test
  void aMovedSessionIsRecordedUnderItsNewInstanceAndThePlayerStaysOnline() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "11", "2");
    onContext(() -> directory.open(new Identity("11", "2", TOKEN), login("node-a", "node-a.i1", "s1")));

    assertTrue(onContext(() -> directory.move(move("s1", "s9"))));

    assertEquals("node-b|s9|" + TOKEN, get(RedisKeys.sessionOwner("11")));
    assertNull(hget(RedisKeys.nodeSessions("node-a.i1"), "11"), "out of the old incarnation's index");
    assertEquals("s9|" + TOKEN + "|2", hget(RedisKeys.nodeSessions("node-b.i1"), "11"));
    assertEquals("11", hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertTrue(onMap("2", TOKEN));
    assertEquals("10.0.0.2", hget(TOKEN, RedisKeys.F_IP));
    assertEquals(TOKEN, hget(TOKEN, RedisKeys.F_TOKEN));
    assertTrue(persistence.saves.isEmpty(), "nothing saved: the player never left");

    // the old instance's late end of the moved session removes nothing of the new one
    assertFalse(onContext(() -> directory.end(ended("11", "2", TOKEN, "node-a", "node-a.i1", "s1"))));
    assertEquals("node-b|s9|" + TOKEN, get(RedisKeys.sessionOwner("11")));
    assertTrue(onMap("2", TOKEN));
    assertTrue(exists(TOKEN));

    // the new session's end is a normal one
    assertTrue(onContext(() -> directory.end(ended("11", "2", TOKEN, "node-b", "node-b.i1", "s9"))));
    assertNull(get(RedisKeys.sessionOwner("11")));
    assertFalse(onMap("2", TOKEN));
    assertNull(hget(RedisKeys.nodeSessions("node-b.i1"), "11"));
  }

  @Test
  void aSessionThatNoLongerOwnsItsPlayerIsNotMoved() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "11", "2");
    onContext(() -> directory.open(new Identity("11", "2", TOKEN), login("node-a", "node-a.i1", "s1")));
    onContext(() -> directory.open(new Identity("11", "2", TOKEN), login("node-c", "node-c.i1", "s2")));

    assertFalse(onContext(() -> directory.move(move("s1", "s9"))));

    assertEquals("node-c|s2|" + TOKEN, get(RedisKeys.sessionOwner("11")));
    assertNull(hget(RedisKeys.nodeSessions("node-b.i1"), "11"), "nothing recorded for the refused move");
    assertEquals("s2|" + TOKEN + "|2", hget(RedisKeys.nodeSessions("node-c.i1"), "11"));
    assertEquals("10.0.0.1", hget(TOKEN, RedisKeys.F_IP), "the hash keeps the live session's address");
  }
}
