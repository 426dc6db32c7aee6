package io.seedgate.node.ops;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** {@code GET /metrics}: the node's meters ({@link NodeMetrics}) in the Prometheus text format. */
final class MetricsHandler implements Handler<RoutingContext> {

  private final Handler<RoutingContext> scrape;

  MetricsHandler(NodeMetrics metrics) {
    this.scrape = PrometheusScrapingHandler.create(metrics.registry());
  }

  @Override
  public void handle(RoutingContext ctx) {
    scrape.handle(ctx);
  }
}
