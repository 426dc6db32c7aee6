package io.seedgate.common.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every call this package wraps of Vert.x's internal API, on a real Vert.x instance: when an upgrade changes one,
 * this fails here, naming the adapter, rather than somewhere on a socket.
 */
class VertxAdaptersTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aWrappedByteBufIsAViewNotACopy() {
    ByteBuf netty = Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8);
    Buffer buffer = Buffers.wrap(netty);
    assertEquals("abc", buffer.toString());
    netty.setByte(0, 'x');
    assertEquals("xbc", buffer.toString());
    netty.release();
  }

  @Test
  void theByteBufUnderABufferSharesItsBytes() {
    Buffer buffer = Buffer.buffer("hello");
    ByteBuf netty = Buffers.byteBuf(buffer);
    assertEquals("hello", netty.toString(StandardCharsets.UTF_8));
    netty.setByte(0, 'j');
    assertEquals("jello", buffer.toString());
    assertEquals("round", Buffers.byteBuf(Buffers.wrap(Unpooled.copiedBuffer("round", StandardCharsets.UTF_8)))
      .toString(StandardCharsets.UTF_8));
  }

  @Test
  void aVertxNotClusteredHasNoClusterManager() {
    assertNull(VertxNode.clusterManager(vertx));
  }

  @Test
  void theEventLoopGroupIsTheOneThatRunsVerticles() throws Exception {
    EventLoopGroup group = VertxNode.eventLoopGroup(vertx);
    assertNotNull(group);
    int loops = 0;
    CountDownLatch ran = new CountDownLatch(3);
    for (EventExecutor executor : group) {
      loops++;
      executor.execute(ran::countDown);
    }
    assertEquals(3, loops);
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    CountDownLatch onALoop = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      for (EventExecutor executor : group) {
        if (executor.inEventLoop()) {
          onALoop.countDown();
        }
      }
    });
    assertTrue(onALoop.await(5, TimeUnit.SECONDS), "a verticle context runs on one of the group's loops");
  }
}
