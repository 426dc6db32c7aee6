package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser demo in the machine's headless Chromium, driven by playwright-core from
 * {@code src/test/js/demo-two-players.mjs}: two pages join as guests, page A moves with the arrow keys, page B
 * must see A's move, and both show a round trip. Once on one node (demo on, Java example service), once on two
 * clustered nodes, each page served by and playing over its own node. Screenshots (page B, and page A with
 * {@code -a}) are kept in {@code target/demo-two-players*.png} and {@code target/demo-cluster*.png}.
 * And, from {@code src/test/js/demo-resume.mjs} on one node, a page whose connection dropped resumes by itself
 * and shows how many messages it recovered (screenshot of that page in {@code target/demo-resume.png}).
 * Skipped only when there is no Chromium (or no {@code node} to drive it).
 */
class DemoBrowserIT {

  private static final Path SCRIPT_DIR = Path.of("src/test/js");
  private static String chromium;

  @BeforeAll
  static void needsChromium() throws Exception {
    chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    Assumptions.assumeTrue(Files.isExecutable(Path.of(chromium)),
      "skipped: no Chromium at " + chromium + " (Debian: apt-get install chromium; or set CHROMIUM)");
    NodeJs.assumeOnPath();
    NodeJs.install(SCRIPT_DIR);
  }

  @Test
  void twoPagesOnOneNodeJoinAndOneSeesTheOtherMove() throws Exception {
    int demoPort = TestSupport.freePort();
    try (TestNode node = TestNode.start(Map.of(Settings.DEMO_ENABLED.path(), true,
      Settings.DEMO_PORT.path(), demoPort))) {
      String url = "http://127.0.0.1:" + demoPort + "/?map=" + newMap();
      JsonObject r = play(url, url, Path.of("target/demo-two-players.png"));
      assertEquals("ws://127.0.0.1:" + node.port + "/", r.getString("wsA"));
    }
  }

  @Test
  void twoPagesOnTwoClusteredNodesEachPlayingOverItsOwnNode() throws Exception {
    String cluster = "seed-demo-" + UUID.randomUUID();
    String prefix = "action:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    int demo1 = TestSupport.freePort();
    int demo2 = TestSupport.freePort();
    try (TestNode one = TestNode.startClustered(cluster, true, Map.of(Settings.DEMO_ENABLED.path(), true,
      Settings.DEMO_PORT.path(), demo1, Settings.ACTION_CHANNEL_PREFIX.path(), prefix))) {
      try (TestNode two = TestNode.startClustered(cluster, false, Map.of(Settings.DEMO_ENABLED.path(), true,
        Settings.DEMO_PORT.path(), demo2, Settings.ACTION_CHANNEL_PREFIX.path(), prefix))) {
        until(Duration.ofSeconds(5),
          () -> ((HazelcastClusterManager) ((VertxInternal) one.vertx).clusterManager()).getNodes().size() == 2);
        String map = newMap();
        JsonObject r = play("http://127.0.0.1:" + demo1 + "/?map=" + map, "http://127.0.0.1:" + demo2 + "/?map=" + map,
          Path.of("target/demo-cluster.png"));
        assertEquals("ws://127.0.0.1:" + one.port + "/", r.getString("wsA"), "page A plays over node 1");
        assertEquals("ws://127.0.0.1:" + two.port + "/", r.getString("wsB"), "page B plays over node 2");
      }
    }
  }

  @Test
  void aDroppedPageResumesByItselfAndShowsTheMessagesItRecovered() throws Exception {
    int demoPort = TestSupport.freePort();
    try (TestNode node = TestNode.start(Map.of(Settings.DEMO_ENABLED.path(), true,
      Settings.DEMO_PORT.path(), demoPort))) {
      String url = "http://127.0.0.1:" + demoPort + "/?map=" + newMap();
      Path screenshot = Path.of("target/demo-resume.png");
      JsonObject r = runScript("demo-resume.mjs", url, url, screenshot);
      String output = r.encode();
      assertEquals("0", r.getString("resumesTextBefore"), "a resumable session, not resumed yet: " + output);
      assertTrue(r.getString("statusAAway").startsWith("reconnecting in "), output);
      assertTrue(r.getBoolean("aStillAwayAfterBMoved"), "page B moved while page A was away: " + output);

      assertEquals(1, r.getInteger("resumesA"), output);
      assertNull(r.getValue("lastResumeFailureA"), output);
      assertEquals(r.getString("playerA"), r.getString("playerAAfter"), "resumed, not a fresh guest: " + output);
      int replayed = r.getInteger("lastReplayedA");
      assertTrue(replayed >= 2, "page A recovered the broadcasts of B's two moves: " + output);
      assertEquals("recovered " + replayed + " messages", r.getString("lastResumeText"), output);
      assertEquals(String.valueOf(replayed), r.getString("replayedData"), output);
      assertEquals("1", r.getString("resumesText"), output);
      assertEquals("playing", r.getString("statusA"), output);
      assertTrue(r.getInteger("seqAAfter") >= r.getInteger("seqABefore") + replayed, output);
      assertTrue(r.getJsonArray("eventsA").stream()
        .anyMatch(e -> e.toString().endsWith(" resumed: recovered " + replayed + " messages")), output);

      JsonObject bAfter = r.getJsonObject("bAfter");
      JsonObject bOnA = r.getJsonObject("bOnA");
      assertEquals(bAfter.getDouble("x"), bOnA.getDouble("x"), 1e-9, "A shows where B moved meanwhile: " + output);
      assertEquals(bAfter.getDouble("y"), bOnA.getDouble("y"), 1e-9, output);
      assertTrue(r.getBoolean("aMovedAfterResume"), "B saw A move after the resume: " + output);
      assertTrue(r.getJsonArray("pageErrors").isEmpty(), "no errors in the pages: " + r.getJsonArray("pageErrors"));
      assertPng(screenshot);
    }
  }

  private static String newMap() {
    return "demo-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Runs the two players' browser script and checks what every run must show; returns its result for more checks. */
  private static JsonObject play(String urlA, String urlB, Path screenshot) throws Exception {
    Path screenshotA = Path.of(screenshot.toString().replaceAll("\\.png$", "-a.png"));
    Files.deleteIfExists(screenshotA);
    JsonObject r = runScript("demo-two-players.mjs", urlA, urlB, screenshot);
    String output = r.encode();

    String a = r.getString("playerA");
    String b = r.getString("playerB");
    assertTrue(a.matches("g[0-9]+") && b.matches("g[0-9]+"), output);
    assertNotEquals(a, b, "two guests, two players");
    JsonObject expected = r.getJsonObject("aExpected");
    JsonObject seenByB = r.getJsonObject("aAfterOnB");
    assertEquals("move_right", seenByB.getString("action"), "page B saw page A's last move: " + output);
    assertEquals(expected.getDouble("x"), seenByB.getDouble("x"), 1e-9, output);
    assertEquals(expected.getDouble("y"), seenByB.getDouble("y"), 1e-9, output);
    assertEquals(3, r.getInteger("movesSentA"), output);
    assertEquals(2, r.getInteger("playersA"), output);
    assertEquals(2, r.getInteger("playersB"), output);
    for (String page : List.of("A", "B")) {
      assertTrue(r.getDouble("rttMs" + page) > 0, output);
      assertTrue(r.getString("rttText" + page).matches("\\d+\\.\\d ms \\(avg \\d+\\.\\d of \\d+\\)"),
        "page " + page + " shows the round trip: " + r.getString("rttText" + page));
      assertTrue(r.getString("rttData" + page).matches("\\d+\\.\\d"), output);
    }
    assertTrue(r.getJsonArray("pageErrors").isEmpty(), "no errors in the pages: " + r.getJsonArray("pageErrors"));

    assertPng(screenshot);
    assertPng(screenshotA);
    return r;
  }

  /** Runs a browser script of {@code src/test/js}; checks it exited 0 having done every step, returns its result. */
  private static JsonObject runScript(String script, String urlA, String urlB, Path screenshot) throws Exception {
    Files.deleteIfExists(screenshot);
    Path log = Files.createTempFile("demo-browser", ".log");
    Process p = NodeJs.start(SCRIPT_DIR, List.of(script, urlA, urlB, screenshot.toAbsolutePath().toString()),
      Map.of("CHROMIUM", chromium), log);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the browser script did not finish in 120 s: " + Files.readString(log));
    }
    String output = Files.readString(log);
    JsonObject r = lastJsonLine(output);
    assertEquals(0, p.exitValue(), "the browser script failed: " + output);
    assertEquals("done", r.getString("step"), output);
    return r;
  }

  private static void assertPng(Path shot) throws Exception {
    byte[] png = Files.readAllBytes(shot);
    assertTrue(png.length > 10_000, shot + " is " + png.length + " bytes");
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), shot.toString());
  }

  private static JsonObject lastJsonLine(String output) {
    List<String> lines = output.lines().filter(l -> l.startsWith("{")).toList();
    if (lines.isEmpty()) {
      throw new AssertionError("the browser script printed no result: " + output);
    }
    return new JsonObject(lines.get(lines.size() - 1));
  }
}
