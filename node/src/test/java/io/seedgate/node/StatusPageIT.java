package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in headless Chromium after a minute of real traffic (two WebSocket players and one TCP player
 * moving 4 times a second): the charts' data from {@code /admin/history} holds that minute (samples every 5 s,
 * connections by transport, messages per second, routing latency, event-loop delay, the node's start on the time
 * line); after the page's scripts ran, the DOM shows the node, its three connections and the seven charts drawn
 * over those samples; a screenshot is written to {@code target/status-page.png}. Skipped only when no Chromium
 * binary exists ({@code .ci/run} installs Debian's {@code chromium}).
 */
class StatusPageIT {

  private static final long TRAFFIC_MS = 62_000;
  private static final List<String> CHARTS = List.of("connections", "messages", "latency", "eventloop", "backlog",
    "flush", "errors");

  @Test
  void theStatusPageShowsTheNodeItsConnectionsAndChartsOfAMinuteOfTraffic() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null,
      "no chromium binary on the PATH (apt-get install chromium; .ci/run does it): status page not checked");
    try (TestNode node = TestNode.start(Map.of()); TestClient ws1 = node.client(); TestClient ws2 = node.client();
         TcpTestClient tcp = TcpTestClient.connect(node.config.get(Settings.TCP_PORT));
         OpsHttp http = new OpsHttp(node.vertx, node.opsPort, TestNode.ADMIN_TOKEN)) {
      String nodeId = node.config.get(Settings.NODE_ID);
      String map = "m" + UUID.randomUUID();
      for (ReceivingClient c : List.of(ws1, ws2, tcp)) {
        JsonObject login = new JsonObject().put("token", node.signIn("31" + (int) (Math.random() * 1_000_000), map))
          .put("action", "api/load");
        if (c instanceof TcpTestClient t) {
          t.send(login);
        } else {
          ((TestClient) c).sendBinary(login);
        }
        c.nextContaining("\"load\"");
      }
      long started = System.currentTimeMillis() / 1000;
      long end = System.currentTimeMillis() + TRAFFIC_MS;
      while (System.currentTimeMillis() < end) {
        ws1.sendBinary(new JsonObject().put("action", "move/up"));
        ws2.sendBinary(new JsonObject().put("action", "move/down"));
        tcp.send(new JsonObject().put("action", "move/left"));
        Thread.sleep(250);
      }
      checkHistory(http.get("/admin/history"), nodeId, started);
      String url = "http://127.0.0.1:" + node.opsPort + "/status?token=" + TestNode.ADMIN_TOKEN;

      String dom = run(chromium, List.of("--dump-dom", url));
      assertTrue(dom.contains("data-node=\"" + nodeId + "\""), "the node's row is missing:\n" + dom);
      assertTrue(dom.contains("data-connections=\"3\""), "the node's connection count is missing:\n" + dom);
      assertTrue(!dom.contains("Token refused"), dom);
      checkCharts(dom);

      Path png = Path.of("target", "status-page.png").toAbsolutePath();
      Files.deleteIfExists(png);
      run(chromium, List.of("--screenshot=" + png, "--window-size=1280,2000", url));
      assertTrue(Files.exists(png), "no screenshot written");
      assertTrue(Files.size(png) > 10_000, "screenshot too small to show anything: " + Files.size(png) + " bytes");
    }
  }

  /** The admin API's history of the minute: what the charts draw. */
  private static void checkHistory(OpsHttp.Reply reply, String nodeId, long trafficFrom) {
    assertEquals(200, reply.status(), reply.body());
    JsonObject history = reply.json();
    JsonObject mine = history.getJsonArray("nodes").getJsonObject(0);
    assertEquals(nodeId, mine.getString("node"));
    JsonArray t = mine.getJsonArray("t");
    JsonObject series = mine.getJsonObject("series");
    List<Integer> minute = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      if (t.getLong(i) > trafficFrom + 5) {
        minute.add(i);
      }
    }
    assertTrue(minute.size() >= 10, "a sample every 5 s during the minute: " + t);
    for (int i : minute) {
      assertEquals(2.0, series.getJsonArray("connections.websocket").getDouble(i), "websocket at " + i);
      assertEquals(1.0, series.getJsonArray("connections.tcp").getDouble(i), "tcp at " + i);
      assertEquals(3.0, series.getJsonArray("players").getDouble(i), "players at " + i);
      // 12 moves a second in, as many replies out (give or take the 5 s edges and a busy machine)
      double in = series.getJsonArray("messagesInPerSecond").getDouble(i);
      assertTrue(in >= 6 && in <= 16, "messages in per second at " + i + ": " + in);
      assertTrue(series.getJsonArray("messagesOutPerSecond").getDouble(i) >= 6, "messages out at " + i);
      Double p50 = series.getJsonArray("routingP50Ms").getDouble(i);
      Double p99 = series.getJsonArray("routingP99Ms").getDouble(i);
      assertTrue(p50 != null && p50 > 0 && p99 >= p50, "routing latency at " + i + ": " + p50 + " / " + p99);
      assertNotNull(series.getJsonArray("eventLoopDelayMs").getDouble(i));
      assertEquals(0.0, series.getJsonArray("redisErrors").getDouble(i), "no Redis error at " + i);
    }
    assertTrue(mine.getJsonArray("events").stream().anyMatch(e -> "started".equals(((JsonObject) e).getString("kind"))),
      mine.getJsonArray("events").encode());
    JsonObject cluster = history.getJsonObject("cluster");
    assertEquals(t, cluster.getJsonArray("t"));
    assertEquals(series.getJsonArray("messagesInPerSecond"),
      cluster.getJsonObject("series").getJsonArray("messagesInPerSecond"), "one node: the cluster is that node");
  }

  /** The seven charts in the DOM, drawn by uPlot over the minute's samples, and the time line's events. */
  private static void checkCharts(String dom) {
    for (String chart : CHARTS) {
      Matcher m = Pattern.compile("data-chart=\"" + chart + "\" data-points=\"(\\d+)\"").matcher(dom);
      assertTrue(m.find(), "chart " + chart + " missing:\n" + dom);
      assertTrue(Integer.parseInt(m.group(1)) >= 12, "chart " + chart + " over " + m.group(1) + " samples");
    }
    assertTrue(dom.contains("data-scope=\"cluster\""), "the cluster's charts first");
    assertTrue(Pattern.compile("class=\"uplot").matcher(dom).results().count() >= CHARTS.size(),
      "uPlot drew the charts:\n" + dom);
    assertTrue(dom.contains("<canvas"), "charts are canvases");
    assertTrue(dom.contains("data-kind=\"started\""), "the node's start on the time line:\n" + dom);
    Matcher last = Pattern.compile("data-chart=\"connections\" data-points=\"\\d+\" data-last=\"([^\"]*)\"")
      .matcher(dom);
    assertTrue(last.find(), "the connections chart's last sample:\n" + dom);
    assertEquals("[2,1,0,3]", last.group(1), "the last sample: 2 WebSocket, 1 TCP, 0 UDP, 3 players");
  }

  private static String run(String chromium, List<String> args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
    cmd.addAll(args);
    Path out = Files.createTempFile("chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
      .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s");
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.deleteIfExists(out);
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    return text;
  }

  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    return null;
  }
}
