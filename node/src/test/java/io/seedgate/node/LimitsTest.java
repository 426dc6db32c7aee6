package io.seedgate.node;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-connection message rate and per-node/per-IP connection limits, over real sockets. */
class LimitsTest {

  @Test
  void aFloodingClientIsWarnedThenClosedWhileOthersAreServed() {
    try (TestNode node = TestNode.start(Map.of("gateway.limits.messagesPerSecond", 5,
      "gateway.limits.messageBurst", 5))) {
      String map = "m" + UUID.randomUUID();
      try (TestClient honest = node.client(); TestClient flooder = node.client()) {
        honest.sendBinary(new JsonObject().put("token", node.signIn("61" + rnd(), map)).put("action", "api/load"));
        honest.nextContaining("\"load\"");
        flooder.sendBinary(new JsonObject().put("token", node.signIn("62" + rnd(), map)).put("action", "api/load"));
        int sent = 0;
        try {
          for (; sent < 30; sent++) {
            flooder.sendBinary(new JsonObject().put("action", "api/save"));
          }
        } catch (AssertionError closedWhileSending) {
          assertTrue(sent > 5, "closed only after the burst was used up, at message " + sent);
        }
        assertEquals("too many messages", flooder.nextContaining("error").getString("error"));
        flooder.awaitClose();
        honest.sendBinary(new JsonObject().put("action", "move/up"));
        honest.nextContaining("move_up");
        assertFalse(honest.isClosed());
      }
    }
  }

  @Test
  void connectionsOverThePerIpLimitAreRefusedUntilOneCloses() {
    try (TestNode node = TestNode.start(Map.of("gateway.limits.maxConnectionsPerIp", 3))) {
      List<TestClient> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        held.add(node.client());
      }
      try (TestClient refused = node.client()) {
        assertEquals("too many connections", refused.next().getString("error"));
        refused.awaitClose();
      }
      held.remove(0).close();
      until(Duration.ofSeconds(5), () -> {
        try (TestClient again = node.client()) {
          return again.nextText(300) == null;
        }
      });
      held.forEach(TestClient::close);
    }
  }

  private static String rnd() {
    return Integer.toString((int) (Math.random() * 1_000_000));
  }
}
