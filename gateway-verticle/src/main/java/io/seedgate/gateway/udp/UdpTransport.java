package io.seedgate.gateway.udp;

import io.seedgate.common.Failures;
import io.seedgate.common.ErrorCode;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.common.lifecycle.NodeState;
import io.seedgate.gateway.session.OutboundMessage;
import io.seedgate.gateway.session.Session;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.tcp.TcpTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * The UDP port of the 2021 protocol. A client datagram is one JSON message followed by {@value #SUFFIX} (accepted
 * without it too); a server datagram is bare JSON. A session is bound to the sender's address (ip:port) and ends
 * only by the core's timeouts (idle, authentication), a kick, a fatal error or shutdown: then the address is
 * forgotten.
 *
 * <p>One socket per node: several gateway instances cannot share a UDP port without SO_REUSEPORT, which Vert.x
 * offers only with a native transport. So the first gateway instance of a Vert.x instance to call
 * {@link #claim} serves UDP for the whole node, on its own event loop; its UDP sessions live in its hub.
 *
 * <p>Limits, so the port cannot be used to amplify traffic or pile up state:
 * <ul>
 *   <li>a datagram over {@code maxDatagramBytes} is dropped unanswered and counted;</li>
 *   <li>a datagram from an unknown address opens a session only when it carries a {@code token}, and only while
 *   fewer than {@value #MAX_PENDING} sessions wait for theirs to be checked;</li>
 *   <li>an address without an authenticated session (unknown, or waiting for its token check) gets at most one
 *   error reply per {@value #REPLY_INTERVAL_MS} ms, at most {@value #MAX_UNPROVEN_REPLIES_PER_SECOND} such replies
 *   go out per second in all, and none larger than the datagram it answers (otherwise it is withheld);</li>
 *   <li>a server message over {@code maxOutboundDatagramBytes} is never sent, nor dropped silently: the client gets
 *   {@code {"error":"message too large for udp","limit":N}} instead and {@link UdpStats#tooLargeOutbound()} counts
 *   it.</li>
 * </ul>
 * UDP writes have no backpressure: failed sends are counted ({@link UdpStats#sendFailures()}).
 */
public final class UdpTransport {

  /** The Vert.x local map where the UDP port records its owner and its {@link UdpStats}. */
  public static final String SHARED_MAP = "seed.gateway.udp";
  /** Key of the {@link UdpStats} in {@link #SHARED_MAP}. */
  public static final String STATS_KEY = "stats";
  /** The error text sent instead of a server message too large for one datagram. */
  public static final String TOO_LARGE_FOR_UDP = "message too large for udp";
  static final String OWNER_KEY = "owner";
  /** What ends a 2021 client datagram: the TCP delimiter. */
  static final String SUFFIX = TcpTransport.DELIMITER;
  static final int MAX_PENDING = 1024;
  static final long REPLY_INTERVAL_MS = 1000;
  static final int MAX_UNPROVEN_REPLIES_PER_SECOND = 200;
  static final int REMEMBERED_ADDRESSES = 4096;
  /**
   * Receive buffer: the largest possible UDP payload, so no datagram is ever cut short and the size check is exact
   * (Vert.x sets SO_RCVBUF and Netty's per-read buffer from this one option).
   */
  static final int RECEIVE_BUFFER_BYTES = 65536;

  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

  private final Vertx vertx;
  private final Context context;
  private final SessionHub hub;
  private final Options options;
  private final String owner;
  private final UdpStats stats = new UdpStats();
  private final UdpSessions sessions = new UdpSessions(MAX_PENDING, stats);
  private final ReplyLimiter limiter = new ReplyLimiter(REPLY_INTERVAL_MS, MAX_UNPROVEN_REPLIES_PER_SECOND,
    REMEMBERED_ADDRESSES);
  private final Buffer notAuthenticated;
  private final Buffer tooLarge;
  private final OutboundMessage tooLargeMessage;
  private DatagramSocket socket;

  /**
   * What the UDP port needs from the node config, read by {@link #from} (as the other transports' options are).
   *
   * @param host                     interface to bind
   * @param port                     port, 0 for any free one
   * @param maxDatagramBytes         largest client datagram, {@value #SUFFIX} included
   * @param maxOutboundDatagramBytes largest server datagram
   */
  public record Options(String host, int port, int maxDatagramBytes, int maxOutboundDatagramBytes) {

    /** Reads the {@code gateway.udp.*} settings. */
    public static Options from(NodeConfig config) {
      return new Options(config.get(Settings.GATEWAY_HOST), config.get(Settings.UDP_PORT),
        config.get(Settings.UDP_MAX_DATAGRAM_BYTES), config.get(Settings.UDP_MAX_OUTBOUND_DATAGRAM_BYTES));
    }
  }

  private UdpTransport(Vertx vertx, SessionHub hub, Options options, String owner) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hub = hub;
    this.options = options;
    this.owner = owner;
    this.notAuthenticated = Buffer.buffer(new JsonObject().put("error", ErrorCode.NOT_AUTHENTICATED.text()).encode());
    this.tooLarge = Buffer.buffer(new JsonObject().put("error", TOO_LARGE_FOR_UDP)
      .put("limit", options.maxOutboundDatagramBytes()).encode());
    this.tooLargeMessage = OutboundMessage.of(tooLarge);
  }

  /**
   * The node's UDP transport, for the calling gateway instance (on its context), when no other instance of this
   * Vert.x instance has claimed it; {@code null} otherwise. The claim lasts until {@link #close()}.
   *
   * @param hub     the gateway instance's sessions
   * @param options the port's settings ({@link Options#from})
   */
  public static UdpTransport claim(Vertx vertx, SessionHub hub, Options options) {
    String owner = UUID.randomUUID().toString();
    if (ownership(vertx).putIfAbsent(OWNER_KEY, owner) != null) {
      return null;
    }
    return new UdpTransport(vertx, hub, options, owner);
  }

  private static LocalMap<String, Object> ownership(Vertx vertx) {
    return NodeState.map(vertx, SHARED_MAP);
  }

  /** Binds the port; the future completes when it is open. */
  public Future<DatagramSocket> listen() {
    socket = vertx.createDatagramSocket(new DatagramSocketOptions()
      .setReceiveBufferSize(RECEIVE_BUFFER_BYTES)
      .setIpV6(options.host().contains(":")));
    socket.handler(this::onDatagram);
    socket.exceptionHandler(e -> Failures.warn(LOG, "[udp: {}] socket error: {}", actualPort(), e));
    return socket.listen(options.port(), options.host())
      .onSuccess(s -> {
        ownership(vertx).put(STATS_KEY, stats);
        LOG.info("[udp: {}] listening for the node", actualPort());
      });
  }

  /** The port listened on (useful when configured as 0), or -1 when not listening. */
  public int actualPort() {
    return socket == null || socket.localAddress() == null ? -1 : socket.localAddress().port();
  }

  /** Counters since the port opened. */
  public UdpStats stats() {
    return stats;
  }

  /** Closes the port and gives up the claim; sessions must have been closed before (their last datagrams sent). */
  public Future<Void> close() {
    LocalMap<String, Object> map = ownership(vertx);
    map.removeIfPresent(STATS_KEY, stats);
    map.removeIfPresent(OWNER_KEY, owner);
    LOG.info("[udp: {}] closing, {} sessions [stats: {}]", actualPort(), sessions.size(), stats);
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  private void onDatagram(DatagramPacket packet) {
    stats.received.incrementAndGet();
    Buffer data = packet.data();
    SocketAddress sender = packet.sender();
    String key = sender.hostAddress() + ":" + sender.port();
    if (data.length() > options.maxDatagramBytes()) {
      stats.oversizedDropped.incrementAndGet();
      LOG.debug("[udp: {}] datagram of {} bytes dropped (limit {})", key, data.length(), options.maxDatagramBytes());
      return;
    }
    Buffer message = UdpDatagrams.message(data);
    UdpChannel channel = sessions.get(key);
    if (channel != null) {
      channel.session().onMessage(message, message.length());
      return;
    }
    if (!UdpDatagrams.carriesToken(message)) {
      replyUnproven(sender, key, data.length(), notAuthenticated);
      return;
    }
    if (!sessions.admits()) {
      stats.pendingRefused.incrementAndGet();
      LOG.debug("[udp: {}] no session opened: {} sessions already wait for their token check", key, MAX_PENDING);
      return;
    }
    channel = new UdpChannel(this, sender, key, data.length());
    sessions.bind(channel);
    Session session = hub.open(channel);
    channel.attach(session);
    LOG.debug("[session: {}] udp address {}", session.id(), key);
    if (!channel.closed()) {
      session.onMessage(message, message.length());
    }
  }

  /** Sends a session's message; before authentication only as a limited reply. */
  void send(UdpChannel channel, OutboundMessage message) {
    if (!channel.authenticated()) {
      replyUnproven(channel.address(), channel.key(), channel.openingDatagramBytes(), message.bytes());
      return;
    }
    Buffer bytes = message.bytes();
    if (bytes.length() > options.maxOutboundDatagramBytes()) {
      stats.tooLargeOutbound.incrementAndGet();
      LOG.debug("[session: {}] {} byte message over the udp limit of {}: sent the error instead",
        channel.session().id(), bytes.length(), options.maxOutboundDatagramBytes());
      // a numbered delivery keeps its number, so the client sees no gap: {"seq":n,"msg":{"error":...}}
      bytes = message.seq() == 0 ? tooLarge : message.withPayload(tooLargeMessage).bytes();
    }
    write(channel.address(), bytes);
  }

  /** The channel's session authenticated. */
  void authenticated(UdpChannel channel) {
    sessions.authenticated(channel);
  }

  /** The channel was closed: its address is unknown again. */
  void release(UdpChannel channel) {
    sessions.unbind(channel);
  }

  /** Runs the task on the UDP event loop, after the current one. */
  void later(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  private void replyUnproven(SocketAddress to, String key, int answeredBytes, Buffer reply) {
    if (reply.length() > answeredBytes || !limiter.tryAcquire(key, System.currentTimeMillis())) {
      stats.repliesWithheld.incrementAndGet();
      return;
    }
    stats.unknownReplies.incrementAndGet();
    write(to, reply);
  }

  private void write(SocketAddress to, Buffer bytes) {
    stats.sent.incrementAndGet();
    socket.send(bytes, to.port(), to.hostAddress()).onFailure(e -> {
      stats.sendFailures.incrementAndGet();
      LOG.debug("[udp: {}:{}] send failed: {}", to.hostAddress(), to.port(), e.toString());
    });
  }
}
