package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PlayerStateTest {

  private static final OffsetDateTime READ_AT = OffsetDateTime.parse("2024-01-02T03:04:05.123456Z");

  private static Map<String, String> hash() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(RedisKeys.F_ID, "5");
    h.put(RedisKeys.F_MAP_ID, "1");
    h.put(RedisKeys.F_TOKEN, "1A2B");
    h.put(RedisKeys.F_DATETIME, "2021-03-04 05:06:07");
    h.put(RedisKeys.F_PING, "0.23");
    h.put(RedisKeys.F_ACTION, "move/up");
    h.put(RedisKeys.F_IP, "1.2.3.4");
    h.put("hp", "100");
    h.put("login", "alice");
    return h;
  }

  @Test
  void mapsColumnsAndKeepsEveryOtherFieldButTheToken() {
    PlayerState s = PlayerState.fromHash(null, "1", hash(), 1.5, 2.0, READ_AT);
    assertEquals("5", s.id());
    assertEquals("1", s.mapId());
    assertEquals(1.5, s.positionX());
    assertEquals(2.0, s.positionY());
    assertEquals(0.23, s.ping());
    assertEquals("move/up", s.action());
    assertEquals("1.2.3.4", s.ip());
    assertEquals(LocalDateTime.of(2021, 3, 4, 5, 6, 7), s.lastActivity());
    assertEquals(Map.of("hp", "100", "login", "alice"), s.extra());
    assertEquals(READ_AT, s.readAt());
  }

  @Test
  void theGivenPlayerIdWinsAndAHashWithoutOneIsNoPlayer() {
    assertEquals("9", PlayerState.fromHash("9", "1", hash(), null, null, READ_AT).id());
    Map<String, String> noId = hash();
    noId.remove(RedisKeys.F_ID);
    assertNull(PlayerState.fromHash(null, "1", noId, null, null, READ_AT));
  }

  @Test
  void valuesThatDoNotParseAreKeptInExtra() {
    Map<String, String> h = hash();
    h.put(RedisKeys.F_PING, "fast");
    h.put(RedisKeys.F_DATETIME, "yesterday");
    h.put("note", "a\u0000b");
    PlayerState s = PlayerState.fromHash(null, "1", h, null, null, READ_AT);
    assertNull(s.ping());
    assertNull(s.lastActivity());
    assertEquals("fast", s.extra().get(RedisKeys.F_PING));
    assertEquals("yesterday", s.extra().get(RedisKeys.F_DATETIME));
    assertEquals("ab", s.extra().get("note"));
  }

  @Test
  void namesThatBecomeAlikeWithoutTheirNulsKeepOneField() {
    List<String> fields = List.of(RedisKeys.F_ID, "7", "hp\u0000", "1", "hp", "2", "mp", "3", "m\u0000p", "4",
      "ping\u0000", "5", RedisKeys.F_PING, "fast");
    PlayerState s = PlayerState.fromFields(null, "1", fields, null, null, READ_AT);
    assertEquals(Map.of("hp", "2", "mp", "4", "ping", "fast"), s.extra(), "the later of two alike wins");
    assertEquals("{\"mp\":\"4\",\"hp\":\"2\",\"ping\":\"fast\"}".length(), PgPlayerStore.json(s.extra()).length());
  }

  @Test
  void positionFallsBackToHashFieldsRoundedToTwoDecimals() {
    Map<String, String> h = hash();
    h.put(RedisKeys.F_POSITION_X, "1.006");
    h.put(RedisKeys.F_POSITION_Y, "-2.004");
    PlayerState s = PlayerState.fromHash(null, "1", h, null, null, READ_AT);
    assertEquals(1.01, s.positionX());
    assertEquals(-2.0, s.positionY());
    assertEquals(Map.of("hp", "100", "login", "alice"), s.extra());
  }

  @Test
  void hashFieldsForALoadFormatNumbersLikeAGameService() {
    PlayerState s = PlayerState.fromHash(null, "1", hash(), 1.5, 2.0, READ_AT);
    Map<String, String> fields = s.toHashFields();
    assertEquals(Map.of("position_x", "1.5", "position_y", "2", "action", "move/up", "ping", "0.23", "hp", "100",
      "login", "alice"), fields);
  }

  @Test
  void datetimeParsingIsStrict() {
    assertEquals(LocalDateTime.of(2021, 12, 31, 23, 59, 59), PlayerState.parseDatetime("2021-12-31 23:59:59"));
    assertNull(PlayerState.parseDatetime("2021-02-30 10:00:00"));
    assertNull(PlayerState.parseDatetime("2021-12-31T23:59:59"));
    assertNull(PlayerState.parseDatetime("2021-12-31 23:59"));
  }
}
