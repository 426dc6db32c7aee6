package io.seedgate.bench;

import io.seedgate.gateway.session.OutboundMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessagesTest {

  @Test
  void repliesAreRecognisedByTheirPrefix() {
    byte[] save = Messages.replyPrefix("api/save");
    assertTrue(Messages.startsWith(Buffer.buffer("{\"action\":\"save\",\"ok\":true}"), save));
    assertFalse(Messages.startsWith(Buffer.buffer("{\"action\":\"load\",\"players\":[]}"), save));
    assertFalse(Messages.startsWith(Buffer.buffer("{\"act"), save));
    assertTrue(Messages.startsWith(Buffer.buffer("{\"error\":\"timeout\"}"), Messages.ERROR));
  }

  @Test
  void clientMessagesAreTheProtocols() {
    assertEquals(new JsonObject().put("token", "T").put("action", "api/load"),
      new JsonObject(Messages.login("T", "api/load")));
    assertEquals(new JsonObject().put("action", "api/save").put("pingTime", 0),
      new JsonObject(Messages.action("api/save")));
  }

  @Test
  void fanoutPayloadCarriesItsSendTime() {
    Buffer b = Messages.fanout(7, -123456789L, 120);
    assertEquals(120, b.length());
    JsonObject json = new JsonObject(b);
    assertEquals(7, json.getLong("seq"));
    assertEquals(7, Messages.fanoutSeq(b));
    assertEquals(-1, Messages.fanoutSeq(Buffer.buffer("{\"seq\":x")));
    assertEquals(-123456789L, Messages.fanoutTime(b));
    assertEquals(987654321987L, Messages.fanoutTime(Messages.fanout(1, 987654321987L, 10)));
    assertTrue(Messages.startsWith(b, Messages.FANOUT));
  }

  @Test
  void aResumableLoginAsksForIt() {
    assertEquals(new JsonObject().put("token", "T").put("action", "api/load").put("resume", true),
      new JsonObject(Messages.login("T", "api/load", true)));
    assertEquals(Messages.login("T", "api/load"), Messages.login("T", "api/load", false));
  }

  @Test
  void numberedDeliveriesAreReadWhereTheirPayloadLies() {
    Buffer payload = Messages.fanout(7, 123456789L, 120);
    // framed as the gateway frames a resumable session's delivery: {"seq":42,"msg":<payload>}
    Buffer frame = OutboundMessage.of(payload).sequenced(42).bytes();
    int at = Messages.sequencedPayload(frame);
    assertEquals("{\"seq\":42,\"msg\":".length(), at);
    assertEquals(42, Messages.fanoutSeq(frame));
    assertEquals(payload, frame.getBuffer(at, frame.length() - 1));
    assertTrue(Messages.startsWith(frame, at, Messages.FANOUT));
    assertEquals(7, Messages.fanoutSeq(frame, at));
    assertEquals(123456789L, Messages.fanoutTime(frame, at));
    Buffer reply = OutboundMessage.of(Buffer.buffer("{\"action\":\"save\",\"ok\":true}")).sequenced(1).bytes();
    assertTrue(Messages.startsWith(reply, Messages.sequencedPayload(reply), Messages.replyPrefix("api/save")));
    assertFalse(Messages.startsWith(reply, Messages.replyPrefix("api/save")));
    // a plain fan-out payload starts as a numbered delivery does, and is not one
    assertEquals(-1, Messages.sequencedPayload(payload));
    assertEquals(-1, Messages.sequencedPayload(Buffer.buffer("{\"seq\":,\"msg\":{}}")));
    assertEquals(-1, Messages.sequencedPayload(Buffer.buffer("{\"session\":{\"resume\":\"x\",\"seq\":0}}")));
    assertFalse(Messages.startsWith(Buffer.buffer("{\"se"), 1, Messages.FANOUT));
  }

  @Test
  void ringIsFirstInFirstOutAndGrows() {
    LongRing ring = new LongRing(2);
    for (long i = 0; i < 100; i++) {
      ring.add(i);
      if (i % 3 == 0) {
        ring.poll();
      }
    }
    assertEquals(66, ring.size());
    assertEquals(34, ring.poll());
    ring.clear();
    assertEquals(LongRing.EMPTY, ring.poll());
  }

  @Test
  void procStatusLinesParse() {
    assertEquals(123456, MemoryProbe.parseKb("VmRSS:\t  123456 kB"));
    String stat = "4650 (a (weird) name) R 4646 4646 15415 0 -1 4194304 123 0 0 0 250 50 0 0 20 0 1 0 254249";
    assertEquals(3.0, CpuMeter.parseStat(stat), 1e-9);
  }
}
