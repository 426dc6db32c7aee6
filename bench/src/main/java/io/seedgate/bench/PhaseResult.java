package io.seedgate.bench;

import io.vertx.core.json.JsonObject;

/**
 * What one measured phase produced: latencies of the answers to actions sent inside the measurement window,
 * and the counts around them.
 *
 * @param name what was measured ({@code floor}, {@code gateway}, {@code fanout})
 * @param latency round-trip (or delivery) latency
 * @param completed answers (deliveries) to actions (broadcasts) sent inside the window
 * @param seconds length of the measurement window
 * @param errors {@code {"error":..}} messages, failed sends, and connections lost during the phase
 * @param unanswered actions sent inside the window that got no answer before the drain ended
 *     (for fan-out: deliveries missed)
 */
record PhaseResult(String name, LatencySummary latency, long completed, double seconds, long errors,
                   long unanswered, CpuMeter.PerOperation cpu) {

  PhaseResult(String name, LatencySummary latency, long completed, double seconds, long errors, long unanswered) {
    this(name, latency, completed, seconds, errors, unanswered, null);
  }

  PhaseResult withCpu(CpuMeter.PerOperation perRoundTrip) {
    return new PhaseResult(name, latency, completed, seconds, errors, unanswered, perRoundTrip);
  }

  /** Answers (deliveries) per second over the window. */
  double throughput() {
    return seconds <= 0 ? 0 : completed / seconds;
  }

  JsonObject toJson() {
    return new JsonObject().put("name", name).put("latency", latency.toJson()).put("completed", completed)
      .put("seconds", seconds).put("per_second", Math.round(throughput())).put("errors", errors)
      .put("unanswered", unanswered).put("cpu_per_round_trip", cpu == null ? null : cpu.toJson());
  }
}
