package io.seedgate.node.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the status page's history without a node: latency buckets, the ring, the cluster's merge. */
class HistoryPartsTest {

  @Test
  void quantilesAreWithinABucketOfTheTruth() {
    LatencyWindow w = new LatencyWindow();
    long[] before = w.snapshot();
    for (int i = 1; i <= 1000; i++) {
      w.record(i * 10_000L); // 10 µs .. 10 ms, evenly
    }
    long[] after = w.snapshot();
    double p50 = LatencyWindow.quantile(before, after, 0.5);
    double p99 = LatencyWindow.quantile(before, after, 0.99);
    assertTrue(Math.abs(p50 - 0.005) < 0.005 * 0.2, "p50 " + p50);
    assertTrue(Math.abs(p99 - 0.0099) < 0.0099 * 0.2, "p99 " + p99);
    assertTrue(Double.isNaN(LatencyWindow.quantile(after, after, 0.5)), "nothing recorded in between");
    for (long v : new long[] {0, 1, 1023, 1024, 1279, 1280, 1_000_000, 1L << 34, Long.MAX_VALUE}) {
      int b = LatencyWindow.bucket(v);
      assertTrue(b >= 0 && b < LatencyWindow.BUCKETS, v + " -> " + b);
      assertTrue(v >= (1L << 35) || v < LatencyWindow.upperNanos(b), v + " under the bound of bucket " + b);
      assertTrue(b == 0 || v >= LatencyWindow.upperNanos(b - 1), v + " over the bound of bucket " + (b - 1));
    }
  }

  @Test
  void theRingKeepsTheLastSamplesInColumns() {
    SeriesRing ring = new SeriesRing(List.of("a", "b"), 3);
    for (int t = 1; t <= 5; t++) {
      ring.add(t * 5, new double[] {t, t == 4 ? Double.NaN : t * 10});
    }
    ring.add(25, new double[] {50, 500}); // same time as the newest: replaces it
    JsonObject json = ring.toJson(0);
    assertEquals(new JsonArray().add(15).add(20).add(25), json.getJsonArray("t"));
    assertEquals(new JsonArray().add(3.0).add(4.0).add(50.0), json.getJsonObject("series").getJsonArray("a"));
    JsonArray b = json.getJsonObject("series").getJsonArray("b");
    assertNull(b.getValue(1), "NaN is null");
    assertEquals(new JsonArray().add(25), ring.toJson(20).getJsonArray("t"));
    assertEquals(3, ring.size());
  }

  @Test
  void theClusterSumsCountsAndKeepsTheWorstLatency() {
    JsonObject a = node("a", new long[] {100, 105}, 10, 2.0);
    JsonObject b = node("b", new long[] {105, 110}, 5, 7.0);
    Timeline passedOn = new Timeline();
    passedOn.addForNode(Timeline.DRAIN, "b", "drain asked through a");
    JsonObject drainOfB = passedOn.toJson(0).getJsonObject(0).put("t", 107L);
    assertEquals("b", drainOfB.getString("node"), "an event of a node known by its id");
    a.put("events", new JsonArray().add(event(101, Timeline.STARTED, "a")).add(event(106, Timeline.JOINED, "b"))
      .add(drainOfB));
    b.put("events", new JsonArray().add(event(104, Timeline.STARTED, "b")).add(event(108, Timeline.DRAIN, "b")));
    JsonObject cluster = ClusterSeries.merge(List.of(a, b));
    assertEquals(new JsonArray().add(100L).add(105L).add(110L), cluster.getJsonArray("t"));
    JsonObject s = cluster.getJsonObject("series");
    assertEquals(new JsonArray().add(10.0).add(15.0).add(5.0), s.getJsonArray("connections.websocket"));
    assertEquals(new JsonArray().add(2.0).add(7.0).add(7.0), s.getJsonArray("routingP99Ms"));
    JsonArray events = cluster.getJsonArray("events");
    assertEquals(3, events.size(), "b's start and a's 'b joined' are one event, b's drain as a and b saw it too: "
      + events.encode());
    assertEquals(List.of("started", "started", "drain"), events.stream()
      .map(e -> ((JsonObject) e).getString("kind")).toList());
  }

  private static JsonObject node(String id, long[] t, double connections, double p99) {
    JsonObject series = new JsonObject();
    for (String name : OpsHistory.SERIES) {
      double[] values = new double[t.length];
      Arrays.fill(values, name.equals("routingP99Ms") ? p99 : connections);
      JsonArray column = new JsonArray();
      Arrays.stream(values).forEach(column::add);
      series.put(name, column);
    }
    JsonArray times = new JsonArray();
    Arrays.stream(t).forEach(times::add);
    return new JsonObject().put("node", id).put("member", id).put("t", times).put("series", series);
  }

  private static JsonObject event(long t, String kind, String member) {
    return new JsonObject().put("t", t).put("kind", kind).put("member", member).put("node", member).put("text", kind);
  }
}
