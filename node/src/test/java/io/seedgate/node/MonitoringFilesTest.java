package io.seedgate.node;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitoring files an operator starts from, {@code deploy/grafana/seed-gateway.json} and
 * {@code deploy/prometheus/alerts.yml}, read no metric the node does not export: every name their queries use is in
 * a real node's {@code /metrics} after traffic (or is Prometheus's own {@code up}). Where {@code promtool} is
 * installed (Debian's {@code prometheus} package; {@code .ci/run} installs it), the rules pass
 * {@code promtool check rules}, their unit tests {@code promtool test rules}, and every dashboard query parses.
 */
class MonitoringFilesTest {

  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "seed-gateway.json");
  private static final Path ALERTS = Path.of("..", "deploy", "prometheus", "alerts.yml");
  private static final Path ALERT_TESTS = Path.of("..", "deploy", "prometheus", "alerts.test.yml");
  /** Made by Prometheus for every target, not exported by the node. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");
  private static final Pattern EXPR_LINE = Pattern.compile("(?m)^\\s+expr:\\s*(.+)$");

  private static Set<String> exported;

  @BeforeAll
  static void scrapeANodeAfterTraffic() {
    try (TestNode node = TestNode.start(Map.of()); TestClient c = node.client();
         OpsHttp http = new OpsHttp(node.vertx, node.opsPort, TestNode.ADMIN_TOKEN)) {
      c.sendBinary(new JsonObject().put("token", node.signIn("61" + (int) (Math.random() * 1_000_000),
        "m" + UUID.randomUUID())).put("action", "api/load"));
      c.nextContaining("\"load\"");
      c.sendBinary(new JsonObject().put("action", "move/up"));
      c.nextContaining("move_up");
      OpsHttp.Reply metrics = http.request(HttpMethod.GET, "/metrics", null, null);
      assertEquals(200, metrics.status());
      exported = new TreeSet<>();
      for (String line : metrics.body().split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          exported.add(line.split("[{ ]", 2)[0]);
        }
      }
    }
  }

  @AfterAll
  static void forget() {
    exported = null;
  }

  @Test
  void theDashboardReadsOnlyExportedMetricsPerNodeAndSummed() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<String> exprs = new ArrayList<>();
    collectExprs(dashboard, exprs);
    JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
    variables.stream().map(JsonObject.class::cast).filter(v -> "query".equals(v.getString("type")))
      .forEach(v -> exprs.add(v.getString("query")));
    assertTrue(variables.stream().map(JsonObject.class::cast).anyMatch(v -> "node".equals(v.getString("name"))
      && v.getBoolean("multi") && v.getBoolean("includeAll")), "a variable for the node (several, or all)");
    Set<String> used = readAndCheck("the dashboard", exprs);
    for (String needed : List.of("seed_connections", "seed_messages_in_total", "seed_messages_out_total",
      "seed_routing_latency_seconds_bucket", "seed_eventloop_delay_seconds", "seed_persistence_flush_backlog",
      "seed_persistence_last_flush_duration_seconds", "seed_redis_errors_total", "seed_postgres_errors_total")) {
      assertTrue(used.contains(needed), "the dashboard has no panel on " + needed);
    }
    List<String> rows = dashboard.getJsonArray("panels").stream().map(JsonObject.class::cast)
      .filter(p -> "row".equals(p.getString("type"))).map(p -> p.getString("title")).toList();
    assertEquals(2, rows.size(), "a row summed over the nodes and one per node: " + rows);
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        String expr = ((JsonObject) t).getString("expr");
        assertTrue(expr.contains("$node") || expr.startsWith("sum(up") || expr.startsWith("count(up"),
          "panel '" + panel.getString("title") + "' ignores the node variable: " + expr);
      }
    }
  }

  @Test
  void theAlertRulesReadOnlyExportedMetrics() throws IOException {
    String rules = Files.readString(ALERTS);
    List<String> exprs = new ArrayList<>();
    Matcher m = EXPR_LINE.matcher(rules);
    while (m.find()) {
      exprs.add(m.group(1).trim());
    }
    List<String> alerts = new ArrayList<>();
    Matcher a = Pattern.compile("(?m)^\\s+- alert:\\s*(\\S+)").matcher(rules);
    while (a.find()) {
      alerts.add(a.group(1));
    }
    assertEquals(alerts.size(), exprs.size(), "each alert has its expr on one line (this test reads them so)");
    assertTrue(exprs.stream().noneMatch(e -> e.startsWith("|") || e.startsWith(">")), "one-line exprs only");
    Set<String> used = readAndCheck("the alert rules", exprs);
    assertEquals(List.of("SeedGatewayNodeDown", "SeedGatewayNoNodeScraped", "SeedGatewayNodeNotReady",
      "SeedGatewayEventLoopDelay", "SeedGatewayFlushBacklogGrowing", "SeedGatewayFlushFailing",
      "SeedGatewayRedisErrors", "SeedGatewayPostgresErrors", "SeedGatewayPlayersDropping",
      "SeedGatewayConnectionsNearLimit"), alerts);
    assertTrue(used.containsAll(List.of("up", "seed_node_ready", "seed_limits_max_connections", "seed_players",
      "seed_persistence_flush_failures_total", "seed_persistence_flush_backlog")), used.toString());
  }

  @Test
  void theNamesOfAQueryAreItsMetricsOnly() {
    assertEquals(Set.of("seed_x_total", "seed_node_info", "up"), PromQlNames.of("histogram_quantile(0.99, sum by"
      + " (node, le) (rate(seed_x_total[$__rate_interval]) * on(instance, job) group_left(node)"
      + " seed_node_info{node=~\"$node\", job=\"a b\"})) > 1e3 and bool up offset 5m or vector(0)"));
    assertEquals(Set.of("seed_node_info"), PromQlNames.of("label_values(seed_node_info{job=~\"$job\"}, node)"));
  }

  @Test
  void promtoolAcceptsTheRulesTheirTestsAndTheDashboardQueries() throws Exception {
    String promtool = onPath("promtool");
    Assumptions.assumeTrue(promtool != null,
      "no promtool on the PATH (apt-get install prometheus; .ci/run does it): rules not checked by promtool");
    run(List.of(promtool, "check", "rules", ALERTS.toString()));
    run(List.of(promtool, "test", "rules", ALERT_TESTS.toString()));
    List<String> exprs = new ArrayList<>();
    collectExprs(new JsonObject(Files.readString(DASHBOARD)), exprs);
    StringBuilder asRules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "1m").replace("$node", ".+").replace("$job", ".+");
      asRules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
        .append(expr.replace("'", "''")).append("'\n");
    }
    Path file = Files.createTempFile("dashboard-queries", ".yml");
    try {
      Files.writeString(file, asRules);
      String out = run(List.of(promtool, "check", "rules", file.toString()));
      assertTrue(out.contains("SUCCESS: " + exprs.size() + " rules found"), out);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The metric names the queries use; fails naming any the node does not export. */
  private static Set<String> readAndCheck(String what, List<String> exprs) {
    Set<String> used = new TreeSet<>();
    exprs.forEach(e -> used.addAll(PromQlNames.of(e)));
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exported);
    missing.removeAll(PROMETHEUS_OWN);
    assertTrue(missing.isEmpty(), what + " read metrics the node does not export: " + missing + " (it exports "
      + exported + ")");
    assertTrue(used.size() > 5, what + ": no queries found? " + used);
    return used;
  }

  private static void collectExprs(Object json, List<String> into) {
    if (json instanceof JsonObject o) {
      o.forEach(e -> {
        if ("expr".equals(e.getKey()) && e.getValue() instanceof String s) {
          into.add(s);
        } else {
          collectExprs(e.getValue(), into);
        }
      });
    } else if (json instanceof JsonArray a) {
      a.forEach(v -> collectExprs(v, into));
    }
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  private static String onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
