package io.seedgate.node.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster's series from its nodes' ({@link OpsHistory#toJson}): samples line up on the 5 s grid, so each time
 * gets the sum over the nodes that have a sample then (counts, rates, backlog, errors) or their maximum (latencies,
 * event-loop delay, flush duration: the worst node). Events are merged, oldest first; the same membership change
 * seen by several nodes (a node's own {@code started} and the others' {@code joined}, or several {@code left}), and
 * a drain recorded by the drained node and by the node that passed the request on, are kept once per
 * {@value #SAME_EVENT_SECONDS} s.
 */
final class ClusterSeries {

  static final Set<String> WORST_OF = Set.of("routingP50Ms", "routingP99Ms", "eventLoopDelayMs", "flushDurationMs");
  static final long SAME_EVENT_SECONDS = 60;

  private ClusterSeries() {
  }

  /** @param nodes the nodes' histories (those that answered) */
  static JsonObject merge(List<JsonObject> nodes) {
    TreeMap<Long, Map<String, Double>> byTime = new TreeMap<>();
    for (JsonObject node : nodes) {
      JsonArray t = node.getJsonArray("t", new JsonArray());
      JsonObject series = node.getJsonObject("series", new JsonObject());
      for (int i = 0; i < t.size(); i++) {
        Map<String, Double> at = byTime.computeIfAbsent(t.getLong(i), k -> new HashMap<>());
        for (String name : OpsHistory.SERIES) {
          JsonArray column = series.getJsonArray(name);
          Object v = column == null || i >= column.size() ? null : column.getValue(i);
          if (v instanceof Number n) {
            at.merge(name, n.doubleValue(), WORST_OF.contains(name) ? Math::max : Double::sum);
          }
        }
      }
    }
    JsonArray t = new JsonArray();
    JsonObject series = new JsonObject();
    OpsHistory.SERIES.forEach(name -> series.put(name, new JsonArray()));
    byTime.forEach((time, values) -> {
      t.add(time);
      OpsHistory.SERIES.forEach(name -> {
        Double v = values.get(name);
        series.getJsonArray(name).add(v == null ? null : SeriesRing.round(v));
      });
    });
    return new JsonObject().put("intervalSeconds", OpsHistory.INTERVAL_SECONDS).put("t", t).put("series", series)
      .put("events", events(nodes));
  }

  private static JsonArray events(List<JsonObject> nodes) {
    List<JsonObject> all = new ArrayList<>();
    nodes.forEach(n -> n.getJsonArray("events", new JsonArray()).forEach(e -> all.add((JsonObject) e)));
    all.sort((a, b) -> Long.compare(a.getLong("t", 0L), b.getLong("t", 0L)));
    Map<String, Long> lastSeen = new HashMap<>();
    JsonArray out = new JsonArray();
    for (JsonObject e : all) {
      String kind = e.getString("kind");
      String key = switch (kind == null ? "" : kind) {
        case Timeline.JOINED, Timeline.STARTED -> "joined " + e.getString("member");
        case Timeline.LEFT -> "left " + e.getString("member");
        case Timeline.DRAIN -> "drain " + e.getString("node");
        default -> null;
      };
      if (key == null) {
        out.add(e);
        continue;
      }
      Long last = lastSeen.get(key);
      long t = e.getLong("t", 0L);
      if (last == null || t - last > SAME_EVENT_SECONDS) {
        out.add(e);
        lastSeen.put(key, t);
      }
    }
    return out;
  }
}
