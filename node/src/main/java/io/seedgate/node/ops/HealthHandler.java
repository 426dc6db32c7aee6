package io.seedgate.node.ops;

import io.seedgate.common.Failures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@code GET /health}: the process is alive and its event loop answers (always 200).
 * {@code GET /ready}: 200 when every {@link Checks check} is fine, else 503; both with
 * {@code {"ready":..,"node":..,"failing":[..],"checks":{..}}}, {@code failing} naming what is not fine.
 */
final class HealthHandler {

  private static final Logger LOG = LoggerFactory.getLogger(HealthHandler.class);

  private final String nodeId;
  private final Checks checks;

  HealthHandler(String nodeId, Checks checks) {
    this.nodeId = nodeId;
    this.checks = checks;
  }

  void health(RoutingContext ctx) {
    OpsResponses.json(ctx, 200, new JsonObject().put("status", "up").put("node", nodeId));
  }

  void ready(RoutingContext ctx) {
    checks.run().onComplete(ar -> {
      if (ar.failed()) {
        Failures.error(LOG, "readiness check failed: {}", ar.cause());
        OpsResponses.error(ctx, 500, "readiness check failed: " + ar.cause().getMessage());
        return;
      }
      List<String> failing = Checks.failing(ar.result());
      OpsResponses.json(ctx, failing.isEmpty() ? 200 : 503, new JsonObject().put("ready", failing.isEmpty())
        .put("node", nodeId).put("failing", new JsonArray(failing)).put("checks", ar.result()));
    });
  }
}
