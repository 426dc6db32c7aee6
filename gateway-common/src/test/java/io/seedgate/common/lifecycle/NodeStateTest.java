package io.seedgate.common.lifecycle;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Node-wide state is one object per name and Vert.x instance: two nodes in one JVM never share it. */
class NodeStateTest {

  private Vertx one;
  private Vertx two;

  @BeforeEach
  void start() {
    one = Vertx.vertx();
    two = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    one.close().await(10, TimeUnit.SECONDS);
    two.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void oneObjectPerNameAndNode() {
    LongAdder a = NodeState.get(one, "counter", LongAdder::new);
    assertSame(a, NodeState.get(one, "counter", LongAdder::new));
    assertNotSame(a, NodeState.get(one, "other", LongAdder::new));
    assertNotSame(a, NodeState.get(two, "counter", LongAdder::new));
  }

  @Test
  void madeOnceWhenManyThreadsAskAtOnce() throws Exception {
    AtomicInteger made = new AtomicInteger();
    List<CompletableFuture<Object>> asks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      asks.add(CompletableFuture.supplyAsync(() -> NodeState.get(one, "once", () -> {
        made.incrementAndGet();
        return new Object();
      })));
    }
    Object first = asks.get(0).get(5, TimeUnit.SECONDS);
    for (CompletableFuture<Object> ask : asks) {
      assertSame(first, ask.get(5, TimeUnit.SECONDS));
    }
    assertEquals(1, made.get());
  }

  @Test
  void aMapPerNameAndNode() {
    NodeState.<String, String>map(one, "names").put("k", "v");
    assertEquals("v", NodeState.<String, String>map(one, "names").get("k"));
    assertEquals("v", one.sharedData().<String, String>getLocalMap("names").get("k"));
    assertNull(NodeState.<String, String>map(two, "names").get("k"));
  }
}
