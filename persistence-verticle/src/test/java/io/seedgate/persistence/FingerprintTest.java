package io.seedgate.persistence;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.MultiType;
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

  /** An HGETALL reply as RESP3 (a map) or RESP2 (a flat array), fields in the given order. */
  private static Response reply(Map<String, String> fields, boolean resp3) {
    List<String> names = new ArrayList<>(fields.keySet());
    MultiType multi = MultiType.create(resp3 ? names.size() : names.size() * 2L, resp3);
    for (String name : names) {
      multi.add(BulkType.create(Buffer.buffer(name), false));
      multi.add(BulkType.create(Buffer.buffer(fields.get(name)), false));
    }
    return multi;
  }

  private static long of(Map<String, String> fields, Double x) {
    return Fingerprint.of("5", "1", x, 2.0, reply(fields, true));
  }

  @Test
  void sameValuesInAnyOrderAndAnyTokenGiveTheSameFingerprint() {
    Map<String, String> reordered = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(hash().keySet());
    Collections.reverse(names);
    names.forEach(n -> reordered.put(n, hash().get(n)));
    reordered.put(RedisKeys.F_TOKEN, "");
    assertEquals(of(hash(), 1.5), of(reordered, 1.5));
    assertEquals(Fingerprint.of("5", "1", 1.5, 2.0, reply(hash(), false)),
      Fingerprint.of("5", "1", 1.5, 2.0, reply(reordered, false)));
  }

  @Test
  void resp2AndResp3RepliesAgree() {
    // saves read over RESP3 (the request link), flushes over RESP2: a saved player must not look changed
    assertEquals(Fingerprint.of("5", "1", 1.5, 2.0, reply(hash(), true)),
      Fingerprint.of("5", "1", 1.5, 2.0, reply(hash(), false)));
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
    assertNotEquals(base, Fingerprint.of("6", "1", 1.5, 2.0, reply(hash(), true)));
    assertNotEquals(base, Fingerprint.of("5", "2", 1.5, 2.0, reply(hash(), true)));
  }
}
