package io.seedgate.node;

import io.seedgate.common.config.Settings;
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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in headless Chromium: after its script ran, the DOM shows the node and its one connection;
 * a screenshot is written to {@code target/status-page.png}. Skipped only when no Chromium binary exists
 * ({@code .ci/run} installs Debian's {@code chromium}).
 */
class StatusPageIT {

  @Test
  void theStatusPageShowsTheNodeAndItsConnections() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null,
      "no chromium binary on the PATH (apt-get install chromium; .ci/run does it): status page not checked");
    try (TestNode node = TestNode.start(Map.of()); TestClient client = node.client()) {
      String nodeId = node.config.get(Settings.NODE_ID);
      client.sendBinary(new JsonObject().put("token", node.signIn("31" + (int) (Math.random() * 1_000_000),
        "m" + UUID.randomUUID())).put("action", "api/load"));
      client.nextContaining("\"load\"");
      String url = "http://127.0.0.1:" + node.opsPort + "/status?token=" + TestNode.ADMIN_TOKEN;

      String dom = run(chromium, List.of("--dump-dom", url));
      assertTrue(dom.contains("data-node=\"" + nodeId + "\""), "the node's row is missing:\n" + dom);
      assertTrue(dom.contains("data-connections=\"1\""), "the node's connection count is missing:\n" + dom);
      assertTrue(!dom.contains("Token refused"), dom);

      Path png = Path.of("target", "status-page.png").toAbsolutePath();
      Files.deleteIfExists(png);
      run(chromium, List.of("--screenshot=" + png, "--window-size=1280,900", url));
      assertTrue(Files.exists(png), "no screenshot written");
      assertTrue(Files.size(png) > 10_000, "screenshot too small to show anything: " + Files.size(png) + " bytes");
    }
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
