package io.seedgate.common.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.Map;

/**
 * Which master of a Redis Cluster serves each hash slot, as {@code CLUSTER SLOTS} said when it was read: what lets a
 * batch go to each master whole ({@link SlotBatches}) rather than one part per slot. It may be out of date (a
 * resharding moved slots since): the client then refuses a part whose slots it knows to be on several masters, and
 * that part is split by slot instead; a failover keeps a master's slots together, so the grouping still holds.
 */
final class SlotMap {

  private final int[] masterOfSlot;
  private final int masters;

  private SlotMap(int[] masterOfSlot, int masters) {
    this.masterOfSlot = masterOfSlot;
    this.masters = masters;
  }

  /** Reads the slot map over a cluster connection (any node answers). */
  static Future<SlotMap> read(RedisConnection cluster) {
    return cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).map(SlotMap::of);
  }

  /** The map of a {@code CLUSTER SLOTS} reply. */
  static SlotMap of(Response reply) {
    int[] map = new int[HashSlots.COUNT];
    java.util.Arrays.fill(map, -1);
    Map<String, Integer> index = new HashMap<>();
    for (Response range : reply) {
      Response master = range.get(2);
      String address = master.get(0).toString() + ":" + master.get(1).toInteger();
      int m = index.computeIfAbsent(address, a -> index.size());
      for (int s = range.get(0).toInteger(); s <= range.get(1).toInteger(); s++) {
        map[s] = m;
      }
    }
    return new SlotMap(map, index.size());
  }

  /** A map from each slot's master number (-1: none). */
  static SlotMap of(int[] masterOfSlot) {
    return new SlotMap(masterOfSlot.clone(), (int) java.util.Arrays.stream(masterOfSlot).filter(m -> m >= 0)
      .distinct().count());
  }

  /** The master serving the slot (a number of this map's own), or -1 when no master serves it. */
  int masterOf(int slot) {
    return masterOfSlot[slot];
  }

  /** How many masters serve slots. */
  int masters() {
    return masters;
  }
}
