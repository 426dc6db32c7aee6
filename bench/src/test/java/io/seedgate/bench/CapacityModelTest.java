package io.seedgate.bench;

import io.seedgate.bench.CapacityModel.Budget;
import io.seedgate.bench.CapacityModel.Costs;
import io.seedgate.bench.CapacityModel.Load;
import io.seedgate.bench.CapacityModel.PubSub;
import io.seedgate.bench.CapacityModel.Result;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model's arithmetic against a case worked by hand: 10,000 players, 1 action/s each, maps of 10, 2 broadcasts/s
 * per map; round numbers for the costs. Per second: A = 10,000 actions, 1,000 maps, B = 2,000 map broadcasts,
 * 20,000 broadcast socket writes; Q = 2A + B = 22,000 PUBLISHes.
 */
class CapacityModelTest {

  private static final double EPS = 1e-6;

  /** 10 µs per action, 5 per broadcast socket write, 20 per broadcast received; Redis: hset 100, bus 2 / 3. */
  private static final Costs COSTS = new Costs(10, 5, 20, 1000, 1, 0.5, 100, 6, 0, 0, 0, 1, 1, 2, 3, 1000, 3, 5);
  /** Nodes of 0.4 cores at 50% (0.2 each), 1 GB heap; masters at 50% (0.5 core); flush every 100 s. */
  private static final Budget BUDGET = new Budget(0.4, 0.5, 1e9, 1e6, 1e9, 0, 100, 50);
  private static final Load LOAD = new Load(10_000, 1, 10, 2, 1, 0);

  @Test
  void aMapOfTenOnTwoNodesReachesBothAlmostAlways() {
    // 2 * (1 - (1/2)^10) = 2 * 1023/1024
    assertEquals(1.998046875, CapacityModel.nodesPerMap(2, 10), EPS);
    assertEquals(1, CapacityModel.nodesPerMap(1, 10), EPS);
    // a map of one player is on one node, however many there are
    assertEquals(1, CapacityModel.nodesPerMap(50, 1), EPS);
  }

  @Test
  void nodesFromTheirCpu() {
    // node CPU(N) = 1e-6 (10,000 * 10 + 20,000 * 5 + 2,000 * k(N) * 20) = 0.2 + 0.04 k(N)
    assertEquals(0.24, CapacityModel.nodeCpu(LOAD, COSTS, 1), EPS);
    assertEquals(0.2 + 0.04 * 1.998046875, CapacityModel.nodeCpu(LOAD, COSTS, 2), EPS);
    Result r = CapacityModel.size(LOAD, COSTS, BUDGET, PubSub.SHARDED);
    // 1 node: 0.24 > 0.2; 2 nodes: 0.2799 / 2 = 0.140 <= 0.2
    assertEquals(2, r.nodes());
    assertEquals((0.2 + 0.04 * 1.998046875) / 2, r.nodeCores(), EPS);
    assertEquals(2, r.nodeNeeds().get(0).units());
    assertEquals(1, r.nodeNeeds().get(1).units());
    assertEquals(1, r.nodeNeeds().get(2).units());
  }

  @Test
  void shardedSplitsEverythingByTheMasters() {
    // Q = 22,000; D = A (service) + A (replies) + B k(2) = 20,000 + 3,996.09375
    assertEquals(22_000, CapacityModel.publishes(LOAD), EPS);
    assertEquals(23_996.09375, CapacityModel.subscribedDeliveries(LOAD, 2), EPS);
    // keyed = 1e-6 (10,000 * 100 + 10,000 / 100 * 6) = 1.0006
    assertEquals(1.0006, CapacityModel.keyedCpu(LOAD, COSTS, BUDGET), EPS);
    // all = 1.0006 + 1e-6 (22,000 * 1 + 23,996.09375 * 0.5) = 1.034598046875
    double all = 1.034598046875;
    assertEquals(all, CapacityModel.shardCpu(LOAD, COSTS, BUDGET, PubSub.SHARDED, 1, 2), EPS);
    assertEquals(all / 3, CapacityModel.shardCpu(LOAD, COSTS, BUDGET, PubSub.SHARDED, 3, 2), EPS);
    Result r = CapacityModel.size(LOAD, COSTS, BUDGET, PubSub.SHARDED);
    // 2 masters: 0.517 > 0.5; 3: 0.345
    assertEquals(3, r.shards());
    assertEquals(all / 3, r.shardCores(), EPS);
    assertEquals(0, r.shardFloor(), EPS);
  }

  @Test
  void classicAddsTheClusterBusToEveryMaster() {
    double all = 1.034598046875;
    // per master: all / S + 1e-6 * 22,000 * (3 (S-1)/S + 2 (S-1)/S) = all / S + 0.11 (S-1)/S
    assertEquals(all, CapacityModel.shardCpu(LOAD, COSTS, BUDGET, PubSub.CLASSIC, 1, 2), EPS);
    assertEquals(all / 2 + 0.055, CapacityModel.shardCpu(LOAD, COSTS, BUDGET, PubSub.CLASSIC, 2, 2), EPS);
    assertEquals(all / 3 + 0.11 * 2 / 3, CapacityModel.shardCpu(LOAD, COSTS, BUDGET, PubSub.CLASSIC, 3, 2), EPS);
    Result r = CapacityModel.size(LOAD, COSTS, BUDGET, PubSub.CLASSIC);
    // 2 masters: 0.5723 > 0.5; 3: 0.4182
    assertEquals(3, r.shards());
    assertEquals(all / 3 + 0.11 * 2 / 3, r.shardCores(), EPS);
    // floor: 22,000 * (3 + 2) µs
    assertEquals(0.11, r.shardFloor(), EPS);
  }

  @Test
  void classicCannotBeCarriedWhenTheBusAloneIsOverTheBudget() {
    Costs slowBus = new Costs(10, 5, 20, 1000, 1, 0.5, 100, 6, 0, 0, 0, 1, 1, 2, 30, 1000, 3, 5);
    // floor 22,000 * (30 + 2) µs = 0.704 > 0.5, whatever the number of masters
    assertEquals(0.704, CapacityModel.classicFloor(LOAD, slowBus, BUDGET), EPS);
    Result r = CapacityModel.size(LOAD, slowBus, BUDGET, PubSub.CLASSIC);
    assertEquals(-1, r.shards());
    assertTrue(r.shardCores() > 0.5);
    assertTrue(r.first().contains("cannot carry"), r.first());
    // sharded, the same costs need what they needed
    assertEquals(3, CapacityModel.size(LOAD, slowBus, BUDGET, PubSub.SHARDED).shards());
  }

  @Test
  void theMostPlayersClassicCarriesIsWhereTheBusFillsAMaster() {
    Costs slowBus = new Costs(10, 5, 20, 1000, 1, 0.5, 100, 6, 0, 0, 0, 1, 1, 2, 30, 1000, 3, 5);
    Load perPlayer = new Load(1, 1, 10, 2, 1, 0);
    double max = CapacityModel.maxPlayers(perPlayer, slowBus, BUDGET, PubSub.CLASSIC);
    // the bus alone: 2.2 PUBLISHes per player per second * 32 µs = 70.4 µs per player; 0.5 / 70.4 µs = 7,102
    // players, and the rest of the load on 50 masters lowers it
    assertTrue(max < 7_102 && max > 5_000, "max " + max);
    assertTrue(CapacityModel.size(new Load(max, 1, 10, 2, 1, 0), slowBus, BUDGET, PubSub.CLASSIC).shards() > 0);
    assertEquals(-1, CapacityModel.size(new Load(max * 1.01, 1, 10, 2, 1, 0), slowBus, BUDGET, PubSub.CLASSIC)
      .shards());
  }

  @Test
  void replicasAreMoreNodesForTheBusToReach() {
    Budget oneReplica = new Budget(0.4, 0.5, 1e9, 1e6, 1e9, 1, 100, 50);
    double all = 1.034598046875;
    // classic, 3 masters + 3 replicas: the origin sends to 5 other nodes: all/3 + 22,000 (3 * 2/3 + 2 * 5/3) µs
    assertEquals(all / 3 + 0.022 * (2 + 10.0 / 3),
      CapacityModel.shardCpu(LOAD, COSTS, oneReplica, PubSub.CLASSIC, 3, 2), EPS);
    // sharded: each SPUBLISH sent on to its master's replica
    assertEquals((all + 0.022 * 2) / 3, CapacityModel.shardCpu(LOAD, COSTS, oneReplica, PubSub.SHARDED, 3, 2), EPS);
  }

  @Test
  void memoryAndConnectionsSizeNodesAndMastersToo() {
    Load many = new Load(1_000_000, 0, 100, 0, 1, 0);
    Budget b = new Budget(8, 0.5, 1e9, 100_000, 1e8, 0, 100, 50);
    Result r = CapacityModel.size(many, COSTS, b, PubSub.SHARDED);
    // heap: 1e6 * 1000 / (1e9 * 0.5) = 2 nodes; connections: 1e6 / 1e5 = 10 nodes
    assertEquals(2, r.nodeNeeds().get(1).units());
    assertEquals(10, r.nodeNeeds().get(2).units());
    assertEquals(10, r.nodes());
    // memory: 1e6 * 1000 / (1e8 * 0.5) = 20 masters
    assertEquals(20, r.shardNeeds().get(1).units());
    assertEquals(20, r.shards());
    // flush: 1e6 * 3 µs / 100 s of one loop; PostgreSQL 1e6 * 5 µs / 100 s
    assertEquals(0.03, r.flushLoopUse(), EPS);
    assertEquals(0.05, r.postgresCores(), EPS);
  }

  @Test
  void aMasterOfARealClusterFromWhereTheCommandsLanded() {
    // 3 masters; this one ran 1,000 HSETs, took 1,000 of 3,000 PUBLISHes and delivered 500 messages:
    // 1,000 * 100 + 1,000 * (1 + 2 * 2) + 2,000 * 3 + 500 * 0.5 µs = 0.11125 s
    assertEquals(0.11125, CapacityModel.masterSeconds(COSTS, 1_000, 1_000, 3_000, 0, 500, 3, 0, 0), EPS);
    // sharded: 1,000 SPUBLISHes and nothing from the others
    assertEquals(0.10125, CapacityModel.masterSeconds(COSTS, 1_000, 0, 0, 1_000, 500, 3, 0, 0), EPS);
    // with 10 µs per read event and 4 per write event: 100 reads and 50 writes more, 1,200 µs
    Costs io = new Costs(10, 5, 20, 1000, 1, 0.5, 100, 6, 0, 10, 4, 2, 4, 2, 3, 1000, 3, 5);
    assertEquals(0.11245, CapacityModel.masterSeconds(io, 1_000, 1_000, 3_000, 0, 500, 3, 100, 50), EPS);
  }

  @Test
  void readAndWriteEventsCostByHowManyCommandsAndMessagesEachCarries() {
    // 10 µs per read event with 2 commands per read, 4 µs per write event with 4 messages per write
    Costs io = new Costs(10, 5, 20, 1000, 1, 0.5, 100, 6, 0, 10, 4, 2, 4, 2, 3, 1000, 3, 5);
    // commands = A (HSET) + P / 100 (HGETALL) + Q = 10,000 + 100 + 22,000
    assertEquals(32_100, CapacityModel.commands(LOAD, BUDGET), EPS);
    // 32,100 / 2 * 10 µs + 23,996.09375 / 4 * 4 µs
    assertEquals(0.1605 + 0.02399609375, CapacityModel.ioCpu(LOAD, io, BUDGET, 2), EPS);
    assertEquals(1.034598046875 + 0.18449609375, CapacityModel.shardCpu(LOAD, io, BUDGET, PubSub.SHARDED, 1, 2), EPS);
  }
}
