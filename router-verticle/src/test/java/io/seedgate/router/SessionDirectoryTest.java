package io.seedgate.router;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.seedgate.common.Addresses;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.RedisKeys;
import io.seedgate.router.auth.Identity;
import io.seedgate.testsupport.LogCapture;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening and ending sessions: what {@link SessionDirectory} leaves in Redis and asks of the other roles. */
class SessionDirectoryTest extends RouterTestSupport {

  private static final String TOKEN = "T-5";

  @Test
  void openRecordsTheSessionEverywhereItIsLookedUp() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "5", "3");

    JsonObject reply = onContext(() -> directory.open(new Identity("5", "3", TOKEN), login("node-a", "node-a.i1", "s1")));

    assertEquals(new JsonObject().put("player", "5").put("map", "3").put("token", TOKEN), reply);
    assertEquals("node-a|s1|" + TOKEN, get(RedisKeys.sessionOwner("5")));
    assertEquals("s1|" + TOKEN + "|3", hget(RedisKeys.nodeSessions("node-a.i1"), "5"));
    assertEquals("5", hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertTrue(onMap("3", TOKEN));
    assertEquals(TOKEN, hget(TOKEN, RedisKeys.F_TOKEN));
    assertEquals("10.0.0.1", hget(TOKEN, RedisKeys.F_IP));
    assertEquals("3", hget(TOKEN, RedisKeys.F_MAP_ID));
  }

  @Test
  void aSecondLoginKicksTheFirstOnItsNodeAndOwnsThePlayer() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "5", "1");
    Promise<JsonObject> kick = Promise.promise();
    await(vertx.eventBus().<JsonObject>consumer(Addresses.nodeSessions("node-a"), m -> kick.tryComplete(m.body()))
      .completion());
    JsonObject[] toB = new JsonObject[1];
    await(vertx.eventBus().<JsonObject>consumer(Addresses.nodeSessions("node-b"), m -> toB[0] = m.body())
      .completion());

    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-a", "node-a.i1", "s1")));
    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-b", "node-b.i1", "s2")));

    assertEquals(new JsonObject().put("type", "kick").put("session", "s1").put("reason", ErrorCode.REPLACED.name()),
      await(kick.future()));
    assertNull(toB[0], "the new session's node is told nothing");
    assertEquals("node-b|s2|" + TOKEN, get(RedisKeys.sessionOwner("5")));
    assertEquals("s2|" + TOKEN + "|1", hget(RedisKeys.nodeSessions("node-b.i1"), "5"));
  }

  @Test
  void anEndSavesTheOfflinePlayerThenRemovesItsHashAndEveryEntry() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "5", "1");
    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-a", "node-a.i1", "s1")));
    cmd(Request.cmd(Command.GEOADD).arg(RedisKeys.mapGeoSet("1")).arg("12.5").arg("7.25").arg(TOKEN));

    boolean saved = onContext(() -> directory.end(ended("5", "1", TOKEN, "node-a", "node-a.i1", "s1")));

    assertTrue(saved);
    assertEquals(1, persistence.saves.size());
    assertEquals(new JsonObject().put("player", "5").put("map", "1").put("token", TOKEN), persistence.saves.get(0));
    Map<String, String> atSave = persistence.savedHashes.get(0);
    assertEquals(RedisKeys.ACTION_OFFLINE, atSave.get(RedisKeys.F_ACTION), "offline before it is saved");
    assertEquals("", atSave.get(RedisKeys.F_TOKEN));
    assertEquals("12.5", atSave.get(RedisKeys.F_POSITION_X), "its map position written into the hash first");
    assertEquals("7.25", atSave.get(RedisKeys.F_POSITION_Y));
    assertFalse(exists(TOKEN), "hash deleted once saved");
    assertFalse(onMap("1", TOKEN));
    assertNull(hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertNull(get(RedisKeys.sessionOwner("5")));
    assertFalse(exists(RedisKeys.nodeSessions("node-a.i1")));
    assertEquals(0, cmd(Request.cmd(Command.SCARD).arg(RedisKeys.UNSAVED)).toInteger());
  }

  @Test
  void anEndWhoseSaveFailsKeepsTheOfflineHashForTheFlush() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "5", "1");
    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-a", "node-a.i1", "s1")));
    persistence.save = Persistence.Save.FAIL;

    boolean saved;
    try (LogCapture lines = LogCapture.of(SessionDirectory.class)) {
      saved = onContext(() -> directory.end(ended("5", "1", TOKEN, "node-a", "node-a.i1", "s1")));

      ILoggingEvent warning = lines.events().stream().filter(e -> e.getLevel() == Level.WARN).findFirst()
        .orElseThrow(() -> new AssertionError("no WARN line: " + lines.messages()));
      assertEquals("[player: 5, session: s1] state not saved on leave, kept in Redis for the next flush: "
        + "PostgreSQL away (test)", warning.getFormattedMessage());
      assertEquals(Map.of("player", "5", "session", "s1"), warning.getMDCPropertyMap(), "JSON logs carry them");
      assertNull(warning.getThrowableProxy(), "persistence away is expected: no stack trace");
    }

    assertFalse(saved);
    assertEquals(1, persistence.saves.size());
    assertTrue(exists(TOKEN), "hash kept");
    assertEquals(RedisKeys.ACTION_OFFLINE, hget(TOKEN, RedisKeys.F_ACTION));
    assertEquals("5", hget(TOKEN, RedisKeys.F_ID));
    assertEquals(1, cmd(Request.cmd(Command.SISMEMBER).arg(RedisKeys.UNSAVED).arg(TOKEN)).toInteger());
    assertFalse(onMap("1", TOKEN));
    assertNull(hget(RedisKeys.onlineShard(TOKEN), TOKEN));
    assertNull(get(RedisKeys.sessionOwner("5")));
    assertFalse(exists(RedisKeys.nodeSessions("node-a.i1")));
  }

  @Test
  void theEndOfAReplacedSessionOnlyRemovesItsIndexEntry() {
    SessionDirectory directory = directory();
    signIn(TOKEN, "5", "1");
    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-a", "node-a.i1", "s1")));
    onContext(() -> directory.open(new Identity("5", "1", TOKEN), login("node-b", "node-b.i1", "s2")));

    boolean saved = onContext(() -> directory.end(ended("5", "1", TOKEN, "node-a", "node-a.i1", "s1")));

    assertFalse(saved);
    assertTrue(persistence.saves.isEmpty(), "nothing saved for a replaced session");
    assertNull(hget(RedisKeys.nodeSessions("node-a.i1"), "5"));
    assertEquals("node-b|s2|" + TOKEN, get(RedisKeys.sessionOwner("5")));
    assertEquals("s2|" + TOKEN + "|1", hget(RedisKeys.nodeSessions("node-b.i1"), "5"));
    assertTrue(exists(TOKEN));
    assertNull(hget(TOKEN, RedisKeys.F_ACTION), "the live session's hash is not marked offline");
    assertEquals(TOKEN, hget(TOKEN, RedisKeys.F_TOKEN));
    assertTrue(onMap("1", TOKEN));
    assertEquals("5", hget(RedisKeys.onlineShard(TOKEN), TOKEN));
  }
}
