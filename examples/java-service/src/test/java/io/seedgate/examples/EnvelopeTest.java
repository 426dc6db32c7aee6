package io.seedgate.examples;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeTest {

  private static final String SAMPLE = "{\"player\":\"5\",\"map\":\"1\",\"token\":\"1A2B3C4D-5E6F-4A1B-9C2D-3E4F5A6B7C8D\","
    + "\"model\":\"move\",\"method\":\"up\",\"action\":\"move/up\",\"data\":{\"pingTime\":0.23,\"map\":{\"instanceID\":12345}},"
    + "\"node\":\"node-a\",\"session\":\"node-a-1f\",\"ip\":\"127.0.0.1\",\"ts\":1764134400123}";

  @Test
  void parsesTheContractSample() {
    Envelope e = Envelope.parse(Buffer.buffer(SAMPLE));
    assertEquals("5", e.player());
    assertEquals("1", e.map());
    assertEquals("1A2B3C4D-5E6F-4A1B-9C2D-3E4F5A6B7C8D", e.token());
    assertEquals("move", e.model());
    assertEquals("up", e.method());
    assertEquals("move/up", e.action());
    assertEquals(0.23, e.data().getDouble("pingTime"));
    assertEquals("node-a", e.node());
    assertEquals("node-a-1f", e.session());
    assertEquals("127.0.0.1", e.ip());
    assertEquals(1764134400123L, e.ts());
    assertEquals(e, Envelope.parse(e.toJson().toBuffer()));
  }

  @Test
  void derivesModelAndMethodFromAction() {
    Envelope e = parse(new JsonObject().put("player", 7).put("map", 2).put("token", "T").put("action", "api/load"));
    assertEquals("7", e.player());
    assertEquals("2", e.map());
    assertEquals("api", e.model());
    assertEquals("load", e.method());
    assertTrue(e.data().isEmpty());
    assertNull(e.node());
    assertEquals(0, e.ts());
    Envelope bare = parse(new JsonObject().put("player", "7").put("map", "2").put("token", "T").put("action", "move"));
    assertEquals("move", bare.model());
    assertEquals("index", bare.method());
    assertEquals("move", bare.action());
    Envelope noAction = parse(new JsonObject().put("player", "7").put("map", "2").put("token", "T")
      .put("model", "move").put("method", "down"));
    assertEquals("move/down", noAction.action());
  }

  @Test
  void refusesMalformedPayloadsWithAReason() {
    assertReason("not a JSON object", Buffer.buffer("not json"));
    assertReason("not a JSON object", Buffer.buffer("[1,2]"));
    JsonObject ok = new JsonObject().put("player", "5").put("map", "1").put("token", "T").put("action", "move/up");
    assertReason("no 'token'", ok.copy().putNull("token").toBuffer());
    assertReason("'token' is blank", ok.copy().put("token", " ").toBuffer());
    assertReason("no 'map'", ok.copy().putNull("map").toBuffer());
    assertReason("no 'player'", ok.copy().putNull("player").toBuffer());
    assertReason("'player' is not an integer: 1.5", ok.copy().put("player", 1.5).toBuffer());
    assertReason("'token' is not a string", ok.copy().put("token", 12).toBuffer());
    assertReason("no 'action' and no 'model'/'method'", ok.copy().putNull("action").toBuffer());
    assertReason("'data' is not a JSON object", ok.copy().put("data", "x").toBuffer());
    assertReason("'ts' is not a number", ok.copy().put("ts", "now").toBuffer());
  }

  private static Envelope parse(JsonObject json) {
    return Envelope.parse(json.toBuffer());
  }

  private static void assertReason(String reason, Buffer payload) {
    assertEquals(reason, assertThrows(MalformedEnvelopeException.class, () -> Envelope.parse(payload)).getMessage());
  }
}
