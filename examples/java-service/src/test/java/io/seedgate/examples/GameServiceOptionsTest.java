package io.seedgate.examples;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GameServiceOptionsTest {

  @Test
  void defaults() {
    GameServiceOptions o = new GameServiceOptions(new JsonObject());
    assertEquals("redis://127.0.0.1:6379", o.getRedisUrl());
    assertEquals("action:", o.getActionChannelPrefix());
    assertEquals(0.5, o.getStep());
    assertEquals(new GameServiceOptions(), o);
  }

  @Test
  void roundTripsThroughJson() {
    GameServiceOptions o = new GameServiceOptions()
      .setRedisUrl("redis://10.0.0.1:6380").setActionChannelPrefix("act:").setStep(0.25);
    JsonObject json = o.toJson();
    assertEquals(new JsonObject("{\"redisUrl\":\"redis://10.0.0.1:6380\",\"actionChannelPrefix\":\"act:\",\"step\":0.25}"),
      json);
    assertEquals(o, new GameServiceOptions(json));
    assertEquals(o, new GameServiceOptions(o));
    assertEquals(o, new GameServiceOptions(json.copy().put("unrelated", true)));
    assertEquals(1.0, new GameServiceOptions(new JsonObject().put("step", 1)).getStep());
  }

  @Test
  void rejectsBadValuesNamingTheSetting() {
    assertMessageNames("step", () -> new GameServiceOptions().setStep(0));
    assertMessageNames("step", () -> new GameServiceOptions().setStep(Double.NaN));
    assertMessageNames("step", () -> new GameServiceOptions(new JsonObject().put("step", "big")));
    assertMessageNames("redisUrl", () -> new GameServiceOptions().setRedisUrl(" "));
    assertMessageNames("redisUrl", () -> new GameServiceOptions(new JsonObject().put("redisUrl", 6379)));
    assertMessageNames("actionChannelPrefix", () -> new GameServiceOptions().setActionChannelPrefix(""));
  }

  private static void assertMessageNames(String setting, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains("'" + setting + "'"), e.getMessage());
  }
}
