package io.seedgate.node.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events this node marks on the status page's time line, the last {@value #CAPACITY}: {@value #STARTED} (this
 * node), {@value #JOINED} and {@value #LEFT} (another member of the cluster), {@value #DRAIN} and
 * {@value #FLUSH_FAILED}. An event names a cluster member; its node id is filled in when the member's id is known
 * ({@link #name}), also after the event. Thread-safe.
 */
final class Timeline {

  static final int CAPACITY = 200;
  static final String STARTED = "started";
  static final String JOINED = "joined";
  static final String LEFT = "left";
  static final String DRAIN = "drain";
  static final String FLUSH_FAILED = "flush-failed";

  private final ArrayDeque<Event> events = new ArrayDeque<>(CAPACITY);
  private final Map<String, String> nodeOfMember = new ConcurrentHashMap<>();

  /** @param node the node's id when known at the time (an event about a node asked of another), else null */
  private record Event(long t, String kind, String member, String node, String text) {
  }

  /** Records an event of the member, now. */
  void add(String kind, String member, String text) {
    add(Instant.now().getEpochSecond(), kind, member, text);
  }

  synchronized void add(long epochSeconds, String kind, String member, String text) {
    if (events.size() == CAPACITY) {
      events.removeFirst();
    }
    events.addLast(new Event(epochSeconds, kind, member, null, text));
  }

  /** Records an event of a node known by its node id only (a drain this node passed on), now. */
  synchronized void addForNode(String kind, String node, String text) {
    if (events.size() == CAPACITY) {
      events.removeFirst();
    }
    events.addLast(new Event(Instant.now().getEpochSecond(), kind, null, node, text));
  }

  /** The node id of a cluster member, learnt from its answers. */
  void name(String member, String node) {
    if (member != null && node != null) {
      nodeOfMember.put(member, node);
    }
  }

  boolean named(String member) {
    return nodeOfMember.containsKey(member);
  }

  /** The events after the time, oldest first: {@code [{"t","kind","member","node","text"}, ..]}. */
  synchronized JsonArray toJson(long sinceEpochSeconds) {
    JsonArray out = new JsonArray();
    for (Event e : events) {
      if (e.t > sinceEpochSeconds) {
        out.add(new JsonObject().put("t", e.t).put("kind", e.kind).put("member", e.member)
          .put("node", e.node != null ? e.node : nodeOfMember.getOrDefault(e.member, e.member))
          .put("text", e.text));
      }
    }
    return out;
  }
}
