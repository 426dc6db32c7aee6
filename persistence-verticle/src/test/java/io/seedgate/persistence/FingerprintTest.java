package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.seedgate.persistence.resp.RespReplies;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class FingerprintTest {

  private static Map<String, String> hash() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put(RedisKeys.F_ID, "5");
    h.put(RedisKeys.F_MAP_ID, "1");
    h.put(RedisKeys.F_TOKEN, "1A2B");
    h.put(RedisKeys.F_DATETIME, "2021-03-04 05:06:07");
    h.put(RedisKeys.F_ACTION, "move/up");
    h.put("hp", "100");
    h.put("login", "alice");
    return h;
  }

  /** An HGETALL reply as Redis sends it (RESP2), fields in the given order. */
  private static long of(String player, String map, Double x, Map<String, String> fields) {
    StringBuilder resp = new StringBuilder("*").append(fields.size() * 2).append("\r\n");
    fields.forEach((k, v) -> {
      resp.append('$').append(k.length()).append("\r\n").append(k).append("\r\n");
      resp.append('$').append(v.length()).append("\r\n").append(v).append("\r\n");
    });
    RespReplies replies = RespReplies.parse(Buffer.buffer(resp.toString()), 1);
    return Fingerprint.of(player, map, x, 2.0, replies, replies.reply(0));
  }

  private static long of(Map<String, String> fields, Double x) {
    return of("5", "1", x, fields);
  }

  @Test
  void sameValuesInAnyOrderAndAnyTokenGiveTheSameFingerprint() {
    Map<String, String> reordered = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(hash().keySet());
    Collections.reverse(names);
    names.forEach(n -> reordered.put(n, hash().get(n)));
    reordered.put(RedisKeys.F_TOKEN, "");
    assertEquals(of(hash(), 1.5), of(reordered, 1.5));
  }

  @Test
  void anySavedChangeChangesIt() {
    long base = of(hash(), 1.5);
    Map<String, String> hp = hash();
    hp.put("hp", "99");
    Map<String, String> swapped = hash();
    swapped.put("hp", "alice");
    swapped.put("login", "100");
    Map<String, String> added = hash();
    added.put("mp", "");
    Map<String, String> longValue = hash();
    longValue.put("login", "alice-in-wonderland-0001");
    Map<String, String> longValue2 = hash();
    longValue2.put("login", "alice-in-wonderland-0002");

    assertNotEquals(base, of(hp, 1.5));
    assertNotEquals(base, of(swapped, 1.5));
    assertNotEquals(base, of(added, 1.5));
    assertNotEquals(base, of(hash(), 1.51));
    assertNotEquals(of(longValue, 1.5), of(longValue2, 1.5));
    assertNotEquals(base, of("6", "1", 1.5, hash()));
    assertNotEquals(base, of("5", "2", 1.5, hash()));
  }
}
