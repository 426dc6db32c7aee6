package io.seedgate.bench;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's figures relative to the floor measured in the same run, at the same concurrency: the floor is
 * the same two Redis hops (action to the service, answer back) with no gateway in between.
 *
 * @param p50 gateway p50 / floor p50 (lower is better; 1.0 means the gateway adds nothing)
 * @param p99 gateway p99 / floor p99
 * @param throughput gateway round trips per second / floor round trips per second (higher is better)
 */
record Ratios(double p50, double p99, double throughput) {

  static Ratios of(PhaseResult gateway, PhaseResult floor) {
    return new Ratios(ratio(gateway.latency().p50(), floor.latency().p50()),
      ratio(gateway.latency().p99(), floor.latency().p99()),
      ratio(gateway.throughput(), floor.throughput()));
  }

  private static double ratio(double a, double b) {
    return b <= 0 ? Double.NaN : a / b;
  }

  JsonObject toJson() {
    return new JsonObject().put("p50", round(p50)).put("p99", round(p99)).put("throughput", round(throughput));
  }

  private static Double round(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 100) / 100.0;
  }
}
