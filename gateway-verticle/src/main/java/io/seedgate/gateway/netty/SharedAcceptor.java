package io.seedgate.gateway.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.seedgate.common.lifecycle.NodeState;
import io.seedgate.gateway.vertx.InstanceContext;
import io.seedgate.gateway.vertx.NettyTransport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetServerOptions;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One listening socket for a client port served by Netty directly (the WebSocket and the TCP port), shared by the
 * gateway instances of a Vert.x instance that serve the same transport on the same host and port, as Vert.x shares
 * one server between verticle instances. It is bound on Vert.x's acceptor event
 * loop with the channel class of Vert.x's transport (epoll when native transport is on, NIO otherwise). Each accepted
 * connection goes to the next instance, round-robin, and is registered on that instance's event loop with that
 * instance's pipeline: from then on everything about the connection (its session included) happens on one thread.
 *
 * <p>Why not Netty's own child group: {@code ServerBootstrapAcceptor} registers a child on an event loop of a group it
 * chooses, and installs the same handler whichever loop that is. Here the handler on the server channel takes the
 * child before it, so that the instance, its event loop and its sessions are chosen together.
 */
final class SharedAcceptor {

  /** A gateway instance served by an acceptor: its event loop and what builds its connections' pipelines. */
  record Member(EventLoop eventLoop, ChannelInitializer<Channel> pipeline) {
  }

  /**
   * What identifies a shared acceptor of a Vert.x instance. On port 0 the instances of one deployment share a port
   * chosen for them (one per transport), and another deployment gets one of its own; on any other port every
   * instance of the Vert.x instance shares it.
   */
  private record Key(String transport, String host, int port, String deploymentOfPortZero) {
  }

  /**
   * The name of a Vert.x instance's acceptors in {@link NodeState}: a {@code Map<Key, SharedAcceptor>}, guarded by
   * itself.
   */
  private static final String SHARED = SharedAcceptor.class.getName();
  /** The ServerBootstrap wants a child handler; the Distributor never lets a child reach it. */
  private static final ChannelHandler NEVER_USED = new ChannelInitializer<Channel>() {
    @Override
    protected void initChannel(Channel ch) {
      ch.close();
    }
  };

  private final NettyTransport vertx;
  /** The Vert.x instance's acceptors, this one among them while it is shared. */
  private final Map<Key, SharedAcceptor> shared;
  private final Key key;
  private final Promise<Channel> bound = Promise.promise();
  /** Copy on write, under {@link #shared}'s lock; read on the acceptor's event loop. */
  private volatile Member[] members = new Member[0];
  /** The next member's index; only read and written on the acceptor's event loop. */
  private int next;
  /** The port bound, or -1. */
  private volatile int boundPort = -1;
  /** Set once before the bind, read on the acceptor's event loop after it. */
  private volatile Map<ChannelOption<?>, Object> childOptions = Map.of();

  private SharedAcceptor(NettyTransport vertx, Map<Key, SharedAcceptor> shared, Key key) {
    this.vertx = vertx;
    this.shared = shared;
    this.key = key;
  }

  /**
   * Adds the member to the acceptor of that transport, host and port, binding it when it is the first. The future
   * completes on {@code context} when the port is open, and fails (the member then not added) when it cannot be bound.
   *
   * @param transport what the port serves ({@code websocket}, {@code tcp}): two transports never share a socket
   * @param backlog   the listen backlog, when this member is the one that binds
   */
  static Future<SharedAcceptor> join(NettyTransport vertx, String transport, String host, int port, int backlog,
                                     Member member, InstanceContext context) {
    Map<Key, SharedAcceptor> shared = NodeState.get(vertx.vertx(), SHARED, HashMap::new);
    SharedAcceptor acceptor;
    boolean first;
    synchronized (shared) {
      Key key = new Key(transport, host, port, port == 0 ? context.deploymentId() : null);
      acceptor = shared.get(key);
      first = acceptor == null;
      if (first) {
        acceptor = new SharedAcceptor(vertx, shared, key);
        shared.put(key, acceptor);
      }
      acceptor.add(member);
    }
    if (first) {
      acceptor.bind(backlog);
    }
    SharedAcceptor joined = acceptor;
    Promise<SharedAcceptor> result = context.promise();
    acceptor.bound.future().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(joined);
      } else {
        joined.remove(member);
        result.fail(ar.cause());
      }
    });
    return result.future();
  }

  /** The port listened on (useful when configured as 0), or -1 while not bound. */
  int port() {
    return boundPort;
  }

  /**
   * Removes the member: it gets no more connections. The last member to leave closes the listening socket; the
   * future completes on {@code context} when it is closed (at once for the others).
   */
  Future<Void> leave(Member member, InstanceContext context) {
    if (!remove(member)) {
      return context.succeededFuture();
    }
    Promise<Void> closed = context.promise();
    bound.future().onComplete(ar -> {
      if (ar.failed()) {
        closed.tryComplete();
      } else {
        ar.result().close().addListener(f -> closed.tryComplete());
      }
    });
    return closed.future();
  }

  private void add(Member member) {
    Member[] now = members;
    Member[] more = Arrays.copyOf(now, now.length + 1);
    more[now.length] = member;
    members = more;
  }

  /** Removes the member; true when it was the last (the acceptor is then no longer shared). */
  private boolean remove(Member member) {
    synchronized (shared) {
      Member[] now = members;
      members = Arrays.stream(now).filter(m -> m != member).toArray(Member[]::new);
      if (members.length == 0 && now.length > 0) {
        shared.remove(key, this);
        return true;
      }
      return false;
    }
  }

  private void bind(int backlog) {
    ServerBootstrap bootstrap = new ServerBootstrap()
      .group(vertx.acceptorEventLoopGroup())
      .channelFactory(vertx.serverChannelFactory())
      .handler(new Distributor())
      .childHandler(NEVER_USED);
    // Vert.x's own socket options for a server (SO_REUSEADDR, the backlog, TCP_NODELAY, epoll's): applied to the
    // children by the Distributor, as the ServerBootstrapAcceptor it stands in for would
    vertx.configure(new NetServerOptions().setTcpNoDelay(true).setAcceptBacklog(backlog), bootstrap);
    childOptions = bootstrap.config().childOptions();
    vertx.resolve(key.host())
      .onFailure(this::bindFailed)
      .onSuccess(address -> bootstrap.bind(new InetSocketAddress(address, key.port())).addListener(f -> {
        if (f.isSuccess()) {
          Channel server = ((ChannelFuture) f).channel();
          boundPort = ((InetSocketAddress) server.localAddress()).getPort();
          bound.tryComplete(server);
        } else {
          bindFailed(f.cause());
        }
      }));
  }

  /** No longer shared (a later instance tries again), and every member waiting is told. */
  private void bindFailed(Throwable cause) {
    synchronized (shared) {
      shared.remove(key, this);
    }
    bound.tryFail(cause);
  }

  /**
   * On the listening channel, before Netty's ServerBootstrapAcceptor: takes each accepted connection and registers
   * it on the next member's event loop with that member's pipeline. With no member left it is closed at once.
   */
  private final class Distributor extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel child = (Channel) msg;
      Member[] now = members;
      if (now.length == 0) {
        child.unsafe().closeForcibly();
        return;
      }
      int i = next < now.length ? next : 0;
      next = i + 1;
      Member member = now[i];
      child.config().setOptions(childOptions);
      child.pipeline().addLast(member.pipeline());
      member.eventLoop().register(child).addListener(f -> {
        if (!f.isSuccess()) {
          child.unsafe().closeForcibly();
        }
      });
    }
  }
}
