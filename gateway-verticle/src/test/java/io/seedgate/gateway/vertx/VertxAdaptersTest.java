package io.seedgate.gateway.vertx;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every call this package wraps of Vert.x's internal API, on a real Vert.x instance: when an upgrade changes one,
 * this fails here, naming the adapter, rather than somewhere on a client socket.
 */
class VertxAdaptersTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Deploys a verticle that hands back its context as the transports take it, in its start. */
  private static InstanceContext deployed(ThreadingModel model, String[] deploymentId) throws Exception {
    CompletableFuture<InstanceContext> seen = new CompletableFuture<>();
    deploymentId[0] = vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        InstanceContext ctx = InstanceContext.current(vertx);
        assertSame(context, ctx.context());
        if (model == ThreadingModel.EVENT_LOOP) {
          assertTrue(ctx.eventLoop().inEventLoop(), "the context's event loop is the thread that runs it");
        }
        seen.complete(ctx);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(model)).await(5, TimeUnit.SECONDS);
    return seen.get(5, TimeUnit.SECONDS);
  }

  @Test
  void anEventLoopContextAsTheTransportsTakeIt() throws Exception {
    String[] id = new String[1];
    InstanceContext ctx = deployed(ThreadingModel.EVENT_LOOP, id);
    assertTrue(ctx.isEventLoop());
    assertEquals(id[0], ctx.deploymentId());
    assertSame(ctx.context(), InstanceContext.of(ctx.context()).context());

    CompletableFuture<Context> completedOn = new CompletableFuture<>();
    Promise<String> promise = ctx.promise();
    promise.future().onComplete(ar -> completedOn.complete(Vertx.currentContext()));
    promise.complete("done");
    assertSame(ctx.context(), completedOn.get(5, TimeUnit.SECONDS), "a promise's handlers run on the context");

    CompletableFuture<Context> succeededOn = new CompletableFuture<>();
    ctx.succeededFuture().onComplete(ar -> succeededOn.complete(Vertx.currentContext()));
    assertSame(ctx.context(), succeededOn.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aDispatchEntersTheContextInlineAndLeavesIt() throws Exception {
    InstanceContext ctx = deployed(ThreadingModel.EVENT_LOOP, new String[1]);
    CompletableFuture<String> result = new CompletableFuture<>();
    // as a Netty handler is called: a task on the event loop itself, outside any Vert.x context
    ctx.eventLoop().execute(() -> {
      try {
        Context before = Vertx.currentContext();
        Context previous = ctx.beginDispatch();
        assertSame(before, previous);
        assertSame(ctx.context(), Vertx.currentContext());
        ctx.endDispatch(previous);
        assertSame(before, Vertx.currentContext());
        result.complete("ok");
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    assertEquals("ok", result.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aWorkerContextIsNotAnEventLoopOne() throws Exception {
    assertFalse(deployed(ThreadingModel.WORKER, new String[1]).isEventLoop());
  }

  @Test
  void aServerAndAClientOnVertxsTransport() throws Exception {
    NettyTransport transport = NettyTransport.of(vertx);
    assertSame(vertx, transport.vertx());
    InetAddress loopback = transport.resolve("localhost").await(5, TimeUnit.SECONDS);
    assertTrue(loopback.isLoopbackAddress());

    ServerBootstrap server = new ServerBootstrap()
      .group(transport.acceptorEventLoopGroup(), transport.acceptorEventLoopGroup())
      .channelFactory(transport.serverChannelFactory())
      .childHandler(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          ctx.writeAndFlush(msg);
        }
      });
    transport.configure(new NetServerOptions().setTcpNoDelay(true).setAcceptBacklog(16), server);
    assertEquals(16, server.config().options().get(io.netty.channel.ChannelOption.SO_BACKLOG));
    Channel listening = server.bind(new InetSocketAddress(loopback, 0)).sync().channel();

    InstanceContext ctx = deployed(ThreadingModel.EVENT_LOOP, new String[1]);
    CompletableFuture<String> echoed = new CompletableFuture<>();
    Channel client = new Bootstrap()
      .group(ctx.eventLoop())
      .channelFactory(transport.channelFactory())
      .handler(new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
              echoed.complete(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
              ((ByteBuf) msg).release();
            }
          });
        }
      })
      .connect(listening.localAddress()).sync().channel();
    assertSame(ctx.eventLoop(), client.eventLoop());
    client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
    assertEquals("ping", echoed.get(5, TimeUnit.SECONDS));
    client.close().sync();
    listening.close().sync();
  }
}
