package io.seedgate.common.lifecycle;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.function.Supplier;

/**
 * Node-wide state: what the verticles of one node (one Vert.x instance) share, such as the roles running, the
 * gateway instances, the connection limits, the shared client ports and error counters. Every such registry goes
 * through here, so several nodes in one JVM (as the tests run them) never see each other's state.
 *
 * <p>It lives in the Vert.x instance's own local shared data ({@code sharedData().getLocalMap}), which is public API,
 * belongs to the instance (gone with it, so nothing static outlives a node) and is safe from any thread. Vert.x's
 * context-local data would not do: it is per context (a verticle instance), not per node, and its keys must be
 * registered before the first Vert.x instance starts.
 *
 * <p>Thread-safe. The objects given by {@link #get} are shared as they are (never copied), so they must be
 * thread-safe themselves.
 */
public final class NodeState {

  /** The local map holding the objects of {@link #get}, by name. */
  static final String OBJECTS = "seed.node";

  private NodeState() {
  }

  /**
   * The node's object of that name, made by {@code create} on first use (once per node, even when two threads ask
   * at once).
   *
   * @param name what the object is, unique among this node's objects (by convention the owning class's name)
   */
  @SuppressWarnings("unchecked")
  public static <T> T get(Vertx vertx, String name, Supplier<T> create) {
    LocalMap<String, Shared> objects = vertx.sharedData().getLocalMap(OBJECTS);
    Shared shared = objects.get(name);
    if (shared == null) {
      shared = objects.computeIfAbsent(name, n -> new Shared(create.get()));
    }
    return (T) shared.value;
  }

  /**
   * The node's map of that name, for state kept as entries (values immutable or {@link Shareable}, as Vert.x local
   * maps require): the same map for every caller on the node.
   */
  public static <K, V> LocalMap<K, V> map(Vertx vertx, String name) {
    return vertx.sharedData().getLocalMap(name);
  }

  /** An object shared as it is: {@link Shareable#copy()} returns it unchanged. */
  private record Shared(Object value) implements Shareable {
  }
}
