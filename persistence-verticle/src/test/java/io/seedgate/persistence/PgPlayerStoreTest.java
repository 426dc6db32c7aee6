package io.seedgate.persistence;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PgPlayerStoreTest {

  @Test
  void extraIsEncodedAsJsonWhateverItHolds() {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("quote\"d", "back\\slash");
    extra.put("controls", "line\nfeed\ttab\u0001");
    extra.put("unicode", "Привет, 世界 🎮");
    extra.put("", "");
    JsonObject parsed = new JsonObject(PgPlayerStore.json(extra));
    assertEquals(new JsonObject(new LinkedHashMap<>(extra)), parsed);
    assertEquals("{}", PgPlayerStore.json(Map.of()));
  }

  @Test
  void batchesAreSentInIdOrder() {
    OffsetDateTime now = OffsetDateTime.now();
    PlayerState b = new PlayerState("b", "1", 1.0, 2.0, "x", 0.1, "ip", null, Map.of("hp", "1"), now);
    PlayerState a = new PlayerState("a", null, null, null, null, null, null, null, Map.of(), now);
    Tuple t = PgPlayerStore.toArrays(List.of(b, a));
    assertArrayEquals(new String[] {"a", "b"}, (String[]) t.getValue(0));
    assertArrayEquals(new Double[] {null, 1.0}, (Double[]) t.getValue(2));
    assertArrayEquals(new String[] {"{}", "{\"hp\":\"1\"}"}, (String[]) t.getValue(8));
  }
}
