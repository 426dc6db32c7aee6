package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.seedgate.node.TcpGatewayTest.newMap;
import static io.seedgate.node.TcpGatewayTest.newPlayer;
import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Players on different transports share one session core: a map broadcast reaches each of them exactly once. */
class MixedTransportsTest {

  @Test
  void aWebSocketATcpAndAUdpPlayerOnOneMapEachGetItsBroadcastOnce() {
    try (TestNode node = TestNode.start()) {
      String map = newMap();
      try (TestClient ws = node.client();
           TcpTestClient tcp = TcpTestClient.connect(node.config.get(Settings.TCP_PORT));
           UdpTestClient udp = UdpGatewayTest.client(node)) {
        ws.sendBinary(login(node.signIn(newPlayer(), map)));
        ws.nextContaining("\"load\"");
        tcp.send(login(node.signIn(newPlayer(), map)));
        tcp.nextContaining("\"load\"");
        udp.send(login(node.signIn(newPlayer(), map)));
        udp.nextContaining("\"load\"");

        String marker = UUID.randomUUID().toString();
        String payload = "{\"players\":[{\"id\":1,\"action\":\"wave\"}],\"n\":\"" + marker + "\"}";
        await(node.redis.publish("map:" + map, payload));

        assertEquals(payload, firstContaining(ws::nextText, marker));
        assertEquals(payload, firstContaining(tcp::nextText, marker));
        assertEquals(payload, firstContaining(udp::nextText, marker));
        assertEquals(0, countContaining(ws::nextText, marker), "websocket got it twice");
        assertEquals(0, countContaining(tcp::nextText, marker), "tcp got it twice");
        assertEquals(0, countContaining(udp::nextText, marker), "udp got it twice");
      }
    }
  }

  private static JsonObject login(String token) {
    return new JsonObject().put("token", token).put("action", "api/load");
  }

  /** Reads a client's messages with a timeout in ms, {@code null} when none came. */
  private interface Reader {
    String next(long timeoutMs);
  }

  private static String firstContaining(Reader reader, String marker) {
    long deadline = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < deadline) {
      String text = reader.next(deadline - System.currentTimeMillis());
      if (text != null && text.contains(marker)) {
        return text;
      }
    }
    throw new AssertionError("no message with " + marker + " within 5 s");
  }

  private static int countContaining(Reader reader, String marker) {
    int n = 0;
    long deadline = System.currentTimeMillis() + 300;
    while (System.currentTimeMillis() < deadline) {
      String text = reader.next(Math.max(1, deadline - System.currentTimeMillis()));
      if (text != null && text.contains(marker)) {
        n++;
      }
    }
    return n;
  }
}
