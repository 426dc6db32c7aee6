package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashDecoderTest {

  private static final OffsetDateTime READ_AT = OffsetDateTime.parse("2024-01-02T03:04:05.123456Z");
  private static final String[] NAMES = {RedisKeys.F_ID, RedisKeys.F_MAP_ID, RedisKeys.F_TOKEN, RedisKeys.F_DATETIME,
    RedisKeys.F_PING, RedisKeys.F_ACTION, RedisKeys.F_IP, RedisKeys.F_POSITION_X, RedisKeys.F_POSITION_Y, "hp", "mp",
    "i\u0000d", "pi", "pong", "datetimes", "position_z", "tok\"en", "na\\me", "\u00e9t\u00e9", "\u20ac", "a\nb"};
  private static final String[] VALUES = {"", "5", "0.23", "-1.5e3", "fast", "NaN", "2021-03-04 05:06:07",
    "2021-02-30 10:00:00", "2021-03-04T05:06:07", "move/up", "1.2.3.4", "Knight", "say \"hi\"", "back\\slash",
    "line\nfeed\ttab\u0001\u001f", "a\u0000b", "\u00e9\u20ac\ud83d\ude00", "{\"json\":[1,2]}", "1.006"};

  @Test
  void decodesWhatTheFieldPathDecodesOnRandomHashes() {
    Random random = new Random(20261126);
    HashDecoder decoder = new HashDecoder();
    for (int round = 0; round < Integer.getInteger("rounds", 20_000); round++) {
      List<byte[]> fields = new ArrayList<>();
      Map<String, Boolean> names = new LinkedHashMap<>();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        byte[] name = random.nextInt(10) == 0 ? randomBytes(random) : NAMES[random.nextInt(NAMES.length)]
          .getBytes(StandardCharsets.UTF_8);
        if (names.putIfAbsent(new String(name, StandardCharsets.ISO_8859_1), true) != null) {
          continue; // a hash's field names are unique
        }
        fields.add(name);
        fields.add(random.nextInt(10) == 0 ? randomBytes(random) : VALUES[random.nextInt(VALUES.length)]
          .getBytes(StandardCharsets.UTF_8));
      }
      String playerId = random.nextBoolean() ? null : "p" + round;
      Double x = random.nextBoolean() ? null : 1.25;
      Double y = x == null ? null : -3.5;
      RespReplies replies = hgetall(fields);
      int hash = replies.reply(0);

      PlayerState decoded = decoder.decode(playerId, "m", replies, hash, x, y, READ_AT);
      PlayerState expected = PlayerState.fromFields(playerId, "m", RedisPlayerReader.fields(replies, hash), x, y,
        READ_AT);

      String what = "round " + round + ": " + RedisPlayerReader.fields(replies, hash);
      if (expected == null) {
        assertNull(decoded, what);
        continue;
      }
      // what is saved: the columns and the JSON text of extra (two names of invalid UTF-8 may both decode to U+FFFD:
      // then both paths write the same JSON with the name twice, and the map the field path built holds it twice)
      assertEquals(columns(expected), columns(decoded), what);
      assertEquals(PgPlayerStore.json(expected.extra()), PgPlayerStore.json(decoded.extra()), what);
      assertEquals(PgPlayerStore.extraHash(expected.extra()), PgPlayerStore.extraHash(decoded.extra()), what);
    }
  }

  @Test
  void aTypicalHashBecomesColumnsAndTheJsonOfEverythingElse() {
    RespReplies replies = hgetall(List.of(RedisKeys.F_ID, "5", RedisKeys.F_MAP_ID, "1", RedisKeys.F_TOKEN, "1A2B",
      RedisKeys.F_DATETIME, "2021-03-04 05:06:07", RedisKeys.F_PING, "0.23", RedisKeys.F_ACTION, "move/up",
      RedisKeys.F_IP, "1.2.3.4", "hp", "100", "login", "al\"ice\u00e9").stream()
      .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList());
    PlayerState s = new HashDecoder().decode(null, "1", replies, replies.reply(0), 1.5, 2.0, READ_AT);
    assertEquals("5", s.id());
    assertEquals("1", s.mapId());
    assertEquals(0.23, s.ping());
    assertEquals("move/up", s.action());
    assertEquals("1.2.3.4", s.ip());
    assertEquals(LocalDateTime.of(2021, 3, 4, 5, 6, 7), s.lastActivity());
    assertEquals("{\"hp\":\"100\",\"login\":\"al\\\"ice\u00e9\"}", PgPlayerStore.json(s.extra()));
    assertEquals(Map.of("hp", "100", "login", "al\"ice\u00e9"), s.extra(), "the JSON read back as a map");
    assertTrue(s.extra() instanceof ExtraJson, "kept as the JSON it was decoded to");
  }

  @Test
  void theHashOfExtraFieldsIsOfTheirNamesAndValuesNotOfTheirOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("hp", "100");
    ab.put("bag", "[1,2]");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("bag", "[1,2]");
    ba.put("hp", "100");
    assertEquals(PgPlayerStore.extraHash(ab), PgPlayerStore.extraHash(ba));
    assertTrue(PgPlayerStore.extraHash(ab) != PgPlayerStore.extraHash(Map.of("hp", "100", "bag", "[1,3]")));
    assertTrue(PgPlayerStore.extraHash(Map.of("a", "b")) != PgPlayerStore.extraHash(Map.of("b", "a")));
    assertTrue(PgPlayerStore.extraHash(Map.of()) != PgPlayerStore.extraHash(Map.of("", "")));
  }

  private static PlayerState columns(PlayerState s) {
    return new PlayerState(s.id(), s.mapId(), s.positionX(), s.positionY(), s.action(), s.ping(), s.ip(),
      s.lastActivity(), Map.of(), s.readAt());
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(6)];
    random.nextBytes(b);
    return b;
  }

  /** An HGETALL reply of these names and values, parsed. */
  private static RespReplies hgetall(List<byte[]> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("*" + fields.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] f : fields) {
      out.writeBytes(("$" + f.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(f);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return RespReplies.parse(Buffer.buffer(out.toByteArray()), 1);
  }
}
