package io.seedgate.router;

import io.seedgate.common.RedisKeys;
import io.seedgate.router.auth.Identity;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link io.seedgate.common.Addresses#SESSION_REASSERT}: a live session that Redis lost is recorded again. */
class ReassertTest extends RouterTestSupport {

  private static final String TOKEN = "T-9";

  private static JsonObject live(String node, String incarnation, String session) {
    return new JsonObject().put("player", "9").put("map", "4").put("token", TOKEN).put("node", node)
      .put("incarnation", incarnation).put("session", session).put("ip", "10.0.0.9");
  }

  @Test
  void aSessionThatStillOwnsItsPlayerIsRecordedAgainAndItsLostHashFilledFromTheSavedState() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "9", "4");
    onContext(() -> directory.open(new Identity("9", "4", TOKEN), login("node-a", "node-a.i1", "s1")));
    // Redis comes back empty; an action since wrote its own fields into a new hash
    cmd(Request.cmd(Command.FLUSHDB));
    cmd(Request.cmd(Command.HSET).arg(TOKEN).arg(RedisKeys.F_ACTION).arg("move/up").arg(RedisKeys.F_ID).arg("9"));
    persistence.saved("9", "4", new JsonObject().put("hp", "77").put(RedisKeys.F_MAP_ID, "4")
      .put(RedisKeys.F_ACTION, "offline").put(RedisKeys.F_POSITION_X, "3.5"));

    boolean kept = onContext(() -> directory.reassert(live("node-a", "node-a.i1", "s1")));

    assertTrue(kept);
    assertEquals(1, persistence.loads.size());
    assertEquals("9", persistence.loads.get(0).getString("player"));
    assertEquals("node-a|s1|" + TOKEN, get(RedisKeys.sessionOwner("9")));
    assertEquals("s1|" + TOKEN + "|4", hget(RedisKeys.nodeSessions("node-a.i1"), "9"));
    assertEquals("9", hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertTrue(onMap("4", TOKEN));
    assertEquals("77", hget(TOKEN, "hp"), "filled from the saved state");
    assertEquals("3.5", hget(TOKEN, RedisKeys.F_POSITION_X));
    assertEquals("4", hget(TOKEN, RedisKeys.F_MAP_ID));
    assertEquals("move/up", hget(TOKEN, RedisKeys.F_ACTION), "what actions wrote since is kept");
    assertEquals(TOKEN, hget(TOKEN, RedisKeys.F_TOKEN));
  }

  @Test
  void aHashThatKeptItsSignInFieldsIsNotReloaded() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "9", "4");
    onContext(() -> directory.open(new Identity("9", "4", TOKEN), login("node-a", "node-a.i1", "s1")));
    cmd(Request.cmd(Command.DEL).arg(RedisKeys.sessionOwner("9")).arg(RedisKeys.nodeSessions("node-a.i1")));

    assertTrue(onContext(() -> directory.reassert(live("node-a", "node-a.i1", "s1"))));

    assertTrue(persistence.loads.isEmpty());
    assertEquals("node-a|s1|" + TOKEN, get(RedisKeys.sessionOwner("9")));
    assertEquals("s1|" + TOKEN + "|4", hget(RedisKeys.nodeSessions("node-a.i1"), "9"));
  }

  @Test
  void aSessionReplacedMeanwhileIsRefusedAndNothingOfItIsRecorded() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "9", "4");
    onContext(() -> directory.open(new Identity("9", "4", TOKEN), login("node-a", "node-a.i1", "s1")));
    onContext(() -> directory.open(new Identity("9", "4", TOKEN), login("node-b", "node-b.i1", "s2")));
    cmd(Request.cmd(Command.HDEL).arg(RedisKeys.nodeSessions("node-a.i1")).arg("9"));

    boolean kept = onContext(() -> directory.reassert(live("node-a", "node-a.i1", "s1")));

    assertFalse(kept);
    assertEquals("node-b|s2|" + TOKEN, get(RedisKeys.sessionOwner("9")));
    assertNull(hget(RedisKeys.nodeSessions("node-a.i1"), "9"), "the old session is not indexed again");
    assertEquals("10.0.0.1", hget(TOKEN, RedisKeys.F_IP), "the live session's hash is not rewritten");
    assertTrue(persistence.loads.isEmpty());
  }
}
