package io.seedgate.gateway.tcp;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.session.Session;
import io.seedgate.gateway.session.SessionHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;

/**
 * The TCP port of the 2021 protocol: every message in both directions is UTF-8 JSON followed by the two bytes
 * {@value #DELIMITER}. Several messages may come in one read and one message may span many reads; a
 * {@link TcpFraming} cuts them. Empty frames ({@code ||||}) are skipped.
 *
 * <p>A frame longer than {@code maxFrameBytes} is answered with {@code {"error":"message too large"}||} and a
 * close; no more than {@code maxFrameBytes} plus one read is ever buffered for it, and after it nothing is parsed. Outbound writes are one buffer
 * each (payload and delimiter, built once per message); a client with more than {@code maxQueuedBytes} unwritten
 * is disconnected by the session core. Optional TLS from PEM files.
 *
 * <p>Every gateway instance listens on the same port; Vert.x spreads connections over them.
 */
public final class TcpTransport {

  /** The frame delimiter, both ways (2021). */
  public static final String DELIMITER = "||";
  /** {@value #DELIMITER} as bytes, shared by every write. */
  static final Buffer DELIMITER_BYTES = Buffer.buffer(DELIMITER);

  private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);

  private final Vertx vertx;
  private final SessionHub hub;
  private final Config config;
  private NetServer server;

  /**
   * What the TCP port needs from the node config.
   *
   * @param host           interface to bind
   * @param port           port, 0 for any free one
   * @param maxFrameBytes  largest client message, without the delimiter
   * @param maxQueuedBytes outbound bytes queued for one client before it counts as too slow
   * @param tls            whether the port speaks TLS
   * @param certFile       PEM certificate chain (TLS only)
   * @param keyFile        PEM private key (TLS only)
   */
  public record Config(String host, int port, int maxFrameBytes, int maxQueuedBytes, boolean tls, String certFile,
                       String keyFile) {

    /**
     * Reads the {@code gateway.tcp.*} settings.
     *
     * @throws ConfigException naming the missing setting when TLS is on without a certificate or key file
     */
    public static Config from(NodeConfig config) {
      boolean tls = config.bool(Settings.TCP_TLS_ENABLED);
      String cert = config.string(Settings.TCP_TLS_CERT_FILE);
      String key = config.string(Settings.TCP_TLS_KEY_FILE);
      if (tls) {
        requireFile(Settings.TCP_TLS_CERT_FILE.path(), cert);
        requireFile(Settings.TCP_TLS_KEY_FILE.path(), key);
      }
      return new Config(config.string(Settings.GATEWAY_HOST), config.integer(Settings.TCP_PORT),
        config.integer(Settings.TCP_MAX_FRAME_BYTES), config.integer(Settings.MAX_QUEUED_BYTES), tls, cert, key);
    }

    private static void requireFile(String setting, String value) {
      if (value.isBlank()) {
        throw new ConfigException("setting '" + setting + "' is required when '" + Settings.TCP_TLS_ENABLED.path()
          + "' is true: expected a PEM file path");
      }
    }
  }

  public TcpTransport(Vertx vertx, SessionHub hub, Config config) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
  }

  /**
   * Listens; the future completes when the port is open. It fails when the port cannot be bound, or (TLS) when the
   * certificate or key cannot be read, then with a {@link ConfigException} naming both TLS settings.
   */
  public Future<NetServer> listen() {
    NetServerOptions options = new NetServerOptions().setHost(config.host()).setPort(config.port())
      .setTcpNoDelay(true);
    if (config.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.certFile())
        .setKeyPath(config.keyFile()));
    }
    server = vertx.createNetServer(options).connectHandler(this::accept);
    return server.listen().recover(e -> Future.failedFuture(config.tls() && !(e instanceof BindException)
      ? new ConfigException("TLS on the TCP port could not start with '" + Settings.TCP_TLS_CERT_FILE.path() + "' = "
        + config.certFile() + " and '" + Settings.TCP_TLS_KEY_FILE.path() + "' = " + config.keyFile() + ": " + e)
      : e));
  }

  /** The port listened on (useful when configured as 0), or -1 before {@link #listen()}. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** Closes the port and any connection still open on it. */
  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void accept(NetSocket socket) {
    socket.setWriteQueueMaxSize(config.maxQueuedBytes());
    TcpChannel channel = new TcpChannel(socket);
    Session session = hub.open(channel);
    socket.closeHandler(v -> session.onClosed());
    if (channel.closing()) {
      return;
    }
    socket.exceptionHandler(e -> {
      if (!channel.closing()) {
        LOG.debug("[session: {}] tcp read failed, closing: {}", session.id(), e.toString());
        channel.close();
      }
    });
    socket.handler(new TcpFraming(config.maxFrameBytes(), new TcpFraming.Receiver() {
      @Override
      public void frame(Buffer frame) {
        if (!channel.closing()) {
          session.onMessage(frame, frame.length());
        }
      }

      @Override
      public void tooLarge() {
        if (!channel.closing()) {
          LOG.debug("[session: {}] tcp frame over {} bytes", session.id(), config.maxFrameBytes());
          session.fail(ErrorCode.TOO_LARGE);
        }
      }
    }));
    LOG.debug("[session: {}] tcp connection from {}", session.id(), channel.remoteIp());
  }
}
