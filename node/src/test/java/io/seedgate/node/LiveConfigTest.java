package io.seedgate.node;

import ch.qos.logback.classic.Level;
import io.seedgate.common.config.Settings;
import io.seedgate.testsupport.LogCapture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node started from a config file reads it again while it runs: a changed message rate reaches the clients
 * already connected, a bad edit is refused with an ERROR naming the setting and the limit in use holds.
 */
class LiveConfigTest {

  @TempDir
  Path dir;
  private LogCapture log;

  @BeforeEach
  void captureTheNodeLog() {
    log = LogCapture.of(NodeVerticle.class);
  }

  @AfterEach
  void release() {
    log.close();
  }

  @Test
  void aChangedMessageRateAppliesToOpenConnectionsAndABadEditIsRefused() throws IOException {
    Path file = dir.resolve("node.json");
    try (TestNode node = TestNode.startFromFile(file, Map.of(Settings.CONFIG_SCAN_SECONDS.path(), 1,
      Settings.MESSAGES_PER_SECOND.path(), 1000, Settings.MESSAGE_BURST.path(), 1000))) {
      String map = "m" + UUID.randomUUID();
      try (TestClient client = node.client()) {
        client.sendBinary(new JsonObject().put("token", node.signIn("71" + rnd(), map)).put("action", "api/load"));
        client.nextContaining("\"load\"");
        sendQuickly(client, 10);
        assertFalse(received(client, 500).stream().anyMatch(m -> m.contains("too many messages")),
          "10 messages at once are within 1000 a second");

        edit(file, limits -> limits.put("messagesPerSecond", 1).put("messageBurst", 3));
        until(Duration.ofMillis(10_000), () -> node.nodeConfig().get(Settings.MESSAGES_PER_SECOND) == 1);
        until(Duration.ofMillis(5_000), () -> logged(Level.INFO, "gateway.limits.messagesPerSecond 1000 -> 1"));
        WebSocketGatewayTest.sleep(3_000); // the bucket refills at the new rate, not beyond the new burst
        sendQuickly(client, 5);
        assertEquals("too many messages", client.nextContaining("too many messages").getString("error"));
        assertFalse(client.isClosed(), "5 at once with a burst of 3: 2 dropped, not yet closed");
      }

      edit(file, limits -> limits.put("messagesPerSecond", 1000).put("messageBurst", 0).put("messagesPerMinute", 5));
      until(Duration.ofMillis(10_000), () -> logged(Level.ERROR, "gateway.limits.messageBurst"));
      String refusal = lines(Level.ERROR).stream().filter(m -> m.contains("refused")).findFirst().orElseThrow();
      assertTrue(refusal.contains("setting 'gateway.limits.messageBurst' (config file) has invalid value 0: "
        + "expected 1 to 100000") && refusal.contains("unknown setting 'gateway.limits.messagesPerMinute'"), refusal);
      assertEquals(1, node.nodeConfig().get(Settings.MESSAGES_PER_SECOND));
      try (TestClient another = node.client()) {
        another.sendBinary(new JsonObject().put("token", node.signIn("72" + rnd(), map)).put("action", "api/load"));
        another.nextContaining("\"load\"");
        sendQuickly(another, 5);
        assertEquals("too many messages", another.nextContaining("too many messages").getString("error"),
          "the refused file's 1000 a second did not apply: the limit in use holds");
      }

      String refused = Files.readString(file);
      replace(file, refused.substring(0, refused.length() / 2));
      until(Duration.ofMillis(10_000), () -> logged(Level.ERROR, "the config file is not a JSON object"));
      assertEquals(1, node.nodeConfig().get(Settings.MESSAGES_PER_SECOND), "a half-written file changes nothing");
      assertEquals(1, lines(Level.ERROR).stream().filter(m -> m.contains("not a JSON object")).count(),
        "reported once, not at every scan: " + lines(Level.ERROR));
      replace(file, refused);

      edit(file, limits -> {
        limits.remove("messagesPerMinute");
        limits.put("messagesPerSecond", 1000).put("messageBurst", 1000).put("maxConnectionsPerIp", 512);
      });
      until(Duration.ofMillis(10_000), () -> node.nodeConfig().get(Settings.MESSAGES_PER_SECOND) == 1000);
      assertEquals(512, node.nodeConfig().get(Settings.MAX_CONNECTIONS_PER_IP));
    }
  }

  @Test
  void aChangedSettingThatNeedsARestartIsNamedAndKept() throws IOException {
    Path file = dir.resolve("node.json");
    try (TestNode node = TestNode.startFromFile(file, Map.of(Settings.CONFIG_SCAN_SECONDS.path(), 1))) {
      int idle = node.nodeConfig().get(Settings.IDLE_TIMEOUT);
      JsonObject json = new JsonObject(Files.readString(file));
      json.getJsonObject("gateway").put("idleTimeoutSeconds", idle + 1);
      Files.writeString(file, json.encodePrettily());
      until(Duration.ofMillis(10_000), () -> logged(Level.WARN, "gateway.idleTimeoutSeconds"));
      assertTrue(lines(Level.WARN).stream().anyMatch(m -> m.contains("restart")), lines(Level.WARN).toString());
      assertEquals(idle, node.nodeConfig().get(Settings.IDLE_TIMEOUT));
    }
  }

  private static void edit(Path file, Consumer<JsonObject> limits) throws IOException {
    JsonObject json = new JsonObject(Files.readString(file));
    limits.accept(json.getJsonObject("gateway").getJsonObject("limits"));
    replace(file, json.encodePrettily());
  }

  /** Writes the file beside it and renames it over, as an operator should, so no scan reads half of it. */
  private static void replace(Path file, String content) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, content);
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void sendQuickly(TestClient client, int n) {
    for (int i = 0; i < n; i++) {
      client.sendBinary(new JsonObject().put("action", "api/save"));
    }
  }

  private static List<String> received(TestClient client, long forMs) {
    List<String> messages = new ArrayList<>();
    long deadline = System.currentTimeMillis() + forMs;
    String m;
    while ((m = client.nextText(deadline - System.currentTimeMillis())) != null) {
      messages.add(m);
    }
    return messages;
  }

  private boolean logged(Level level, String fragment) {
    return lines(level).stream().anyMatch(m -> m.contains(fragment));
  }

  private List<String> lines(Level level) {
    return log.messages(level);
  }

  private static String rnd() {
    return Integer.toString((int) (Math.random() * 1_000_000));
  }
}
