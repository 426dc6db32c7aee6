package io.seedgate.common.lifecycle;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.security.SecureRandom;

/**
 * One run of one gateway instance: the node id it runs under and a start id that never repeats, so that nothing
 * a previous run left in Redis (a session id, a node's session index) can ever name something of this one, even
 * when the node restarts with the same fixed {@code node.id}, as every systemd host or StatefulSet pod does.
 *
 * <p>{@link #id()} is {@code <nodeId>.<startId>}: node ids never hold a dot. The start id is the start time in
 * milliseconds in base 36 (eight digits until 2059) and four random base-36 digits. Session ids are {@code <id>-<counter>}.
 *
 * @param nodeId  the node's {@code node.id}
 * @param startId what tells this run from every other run of the same node id
 */
public record Incarnation(String nodeId, String startId) {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String LOCAL_MAP = "seed.incarnations.local";

  /** A new incarnation of the node, different from every earlier and later one. */
  public static Incarnation start(String nodeId) {
    StringBuilder start = new StringBuilder(Long.toString(System.currentTimeMillis(), 36));
    for (int i = 0; i < 4; i++) {
      start.append(Character.forDigit(RANDOM.nextInt(36), 36));
    }
    return new Incarnation(nodeId, start.toString());
  }

  /** {@code <nodeId>.<startId>}: the key of this incarnation's lease and session index in Redis. */
  public String id() {
    return nodeId + "." + startId;
  }

  /** The id of this incarnation's {@code n}-th session. */
  public String sessionId(long n) {
    return id() + "-" + Long.toString(n, 36);
  }

  /** The id of the incarnation a session id ({@link #sessionId}) belongs to: the id without {@code -<counter>}. */
  public static String idOfSession(String sessionId) {
    int dash = sessionId.lastIndexOf('-');
    return dash < 0 ? sessionId : sessionId.substring(0, dash);
  }

  /**
   * The incarnations alive in this Vert.x instance (id to node id), put there by the gateway instances while
   * they hold their lease: what a router of the same node never takes for dead, whatever Redis says.
   */
  public static LocalMap<String, String> local(Vertx vertx) {
    return NodeState.map(vertx, LOCAL_MAP);
  }

  @Override
  public String toString() {
    return id();
  }
}
