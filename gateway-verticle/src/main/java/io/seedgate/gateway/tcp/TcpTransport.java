package io.seedgate.gateway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.netty.SharedPort;
import io.seedgate.gateway.session.SessionHub;
import io.seedgate.gateway.vertx.InstanceContext;
import io.seedgate.gateway.vertx.NettyTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManagerFactory;

/**
 * The TCP port of the 2021 protocol: every message in both directions is UTF-8 JSON followed by the two bytes
 * {@value #DELIMITER}. Several messages may come in one read and one message may span many reads; a
 * {@link TcpFraming} cuts them. Empty frames ({@code ||||}) are skipped.
 *
 * <p>A frame longer than {@code maxFrameBytes} is answered with {@code {"error":"message too large"}||} and a
 * close; no more than about {@code maxFrameBytes} plus one read is ever buffered for it, and after it nothing is
 * parsed. Outbound writes are one buffer each (payload and delimiter, built once per message); a client with more
 * than {@code maxQueuedBytes} unwritten is disconnected by the session core. Optional TLS from PEM files.
 *
 * <p>The port is served by Netty directly ({@link TcpPipeline}), not by a Vert.x {@code NetServer}, whose
 * per-connection outbound queue and connection objects cost memory per idle connection (measured in BENCHMARKS.md,
 * "Idle connections"). Every gateway instance of a node serves the same port through one shared listening socket ({@link SharedPort}), which hands each new
 * connection to the instances in turn.
 */
public final class TcpTransport {

  /** The frame delimiter, both ways (2021). */
  public static final String DELIMITER = "||";
  /** {@value #DELIMITER} as bytes, shared by every write. */
  static final Buffer DELIMITER_BYTES = Buffer.buffer(DELIMITER);
  private static final byte BAR = '|';

  private final Vertx vertx;
  private final SessionHub hub;
  private final Options options;
  private SharedPort port;

  /**
   * What the TCP port needs from the node config, read by {@link #from} (as the other transports' options are).
   *
   * @param host           interface to bind
   * @param port           port, 0 for any free one
   * @param maxFrameBytes  largest client message, without the delimiter
   * @param maxQueuedBytes outbound bytes queued for one client before it counts as too slow
   * @param tls            whether the port speaks TLS
   * @param certFile       PEM certificate chain (TLS only)
   * @param keyFile        PEM private key (TLS only)
   * @param handshakeTimeoutMs how long a TLS handshake may take (the authentication deadline)
   * @param backlog        the listening socket's backlog
   */
  public record Options(String host, int port, int maxFrameBytes, int maxQueuedBytes, boolean tls, String certFile,
                        String keyFile, long handshakeTimeoutMs, int backlog) {

    /**
     * Reads the {@code gateway.tcp.*} settings.
     *
     * @throws ConfigException naming the missing setting when TLS is on without a certificate or key file
     */
    public static Options from(NodeConfig config) {
      boolean tls = config.get(Settings.TCP_TLS_ENABLED);
      String cert = config.get(Settings.TCP_TLS_CERT_FILE);
      String key = config.get(Settings.TCP_TLS_KEY_FILE);
      if (tls) {
        requireFile(Settings.TCP_TLS_CERT_FILE.path(), cert);
        requireFile(Settings.TCP_TLS_KEY_FILE.path(), key);
      }
      return new Options(config.get(Settings.GATEWAY_HOST), config.get(Settings.TCP_PORT),
        config.get(Settings.TCP_MAX_FRAME_BYTES), config.get(Settings.MAX_QUEUED_BYTES), tls, cert, key,
        config.get(Settings.AUTH_TIMEOUT) * 1000L, config.get(Settings.ACCEPT_BACKLOG));
    }

    private static void requireFile(String setting, String value) {
      if (value.isBlank()) {
        throw new ConfigException("setting '" + setting + "' is required when '" + Settings.TCP_TLS_ENABLED.path()
          + "' is true: expected a PEM file path");
      }
    }
  }

  /**
   * Where the first {@value #DELIMITER} lies that starts in {@code [from, to)} of {@code in} and ends before
   * {@code to}; -1 when there is none. Each byte is looked at once.
   */
  public static int delimiterIn(ByteBuf in, int from, int to) {
    int i = from;
    while (i < to) {
      int bar = in.indexOf(i, to, BAR);
      if (bar < 0 || bar + 1 >= to) {
        return -1;
      }
      if (in.getByte(bar + 1) == BAR) {
        return bar;
      }
      i = bar + 2;
    }
    return -1;
  }

  /**
   * @param hub     the gateway instance's sessions
   * @param options the port's settings ({@link Options#from})
   */
  public TcpTransport(Vertx vertx, SessionHub hub, Options options) {
    this.vertx = vertx;
    this.hub = hub;
    this.options = options;
  }

  /**
   * Listens; call on the gateway instance's context (its event loop will run this instance's connections). The
   * future completes when the port is open. It fails when the port cannot be bound, or (TLS) when the certificate or
   * key cannot be read, then with a {@link ConfigException} naming both TLS settings.
   */
  public Future<Void> listen() {
    InstanceContext context = InstanceContext.current(vertx);
    Future<SslContext> ssl = options.tls()
      ? vertx.executeBlocking(this::sslContext).recover(e -> Future.failedFuture(new ConfigException(
        "TLS on the TCP port could not start with '" + Settings.TCP_TLS_CERT_FILE.path() + "' = "
          + options.certFile() + " and '" + Settings.TCP_TLS_KEY_FILE.path() + "' = " + options.keyFile() + ": " + e)))
      : Future.succeededFuture();
    return ssl.compose(sslContext -> {
      TcpPipeline pipeline = new TcpPipeline(context, hub, options.maxFrameBytes(), options.maxQueuedBytes(),
        sslContext, options.handshakeTimeoutMs());
      return SharedPort.join(NettyTransport.of(vertx), TcpChannel.TRANSPORT, options.host(), options.port(),
        options.backlog(), context, pipeline);
    }).map(joined -> {
      port = joined;
      return null;
    });
  }

  /** The server side of TLS from the PEM files (PKCS#1 or PKCS#8 keys, as Vert.x reads them). */
  private SslContext sslContext() throws Exception {
    KeyManagerFactory keys = new PemKeyCertOptions().setCertPath(options.certFile()).setKeyPath(options.keyFile())
      .getKeyManagerFactory(vertx);
    return SslContextBuilder.forServer(keys).build();
  }

  /** The port listened on (useful when configured as 0), or -1 when not listening. */
  public int actualPort() {
    return port == null ? -1 : port.port();
  }

  /**
   * Stops taking connections on this instance and closes those still open; the last instance to close closes the
   * listening socket. Call on the instance's context.
   */
  public Future<Void> close() {
    return port == null ? Future.succeededFuture() : port.close();
  }
}
