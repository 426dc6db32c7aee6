package io.seedgate.bench;

import picocli.CommandLine.Option;

/** How the load generator runs its clients. */
final class LoadOptions {

  /** Clients per source address when {@code --source-addresses} is 0: far from the ephemeral ports of one. */
  static final int CLIENTS_PER_ADDRESS = 1_500;
  /** Logins in flight per source address when {@code --source-addresses} is 0: under the node's per-IP limit. */
  static final int LOGINS_PER_ADDRESS = 200;

  /**
   * Client transports: WebSocket (port gateway.websocket.port), TCP (JSON + {@code ||} both ways, gateway.tcp.port),
   * UDP (JSON + {@code ||} from the client, bare JSON from the server, gateway.udp.port).
   */
  enum Transport { websocket, tcp, udp }

  /** WebSocket frame type for client messages: binary as the Unity client, text as the WebGL build. */
  enum Frames { binary, text }

  @Option(names = "--transport", description = "Client transport: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Transport transport = Transport.websocket;

  @Option(names = "--frames", description = "WebSocket frame type of client messages: ${COMPLETION-CANDIDATES} "
    + "(default: ${DEFAULT-VALUE}).")
  Frames frames = Frames.binary;

  @Option(names = "--threads", description = "Event loops of the load generator (default: ${DEFAULT-VALUE}).")
  int threads = 1;

  @Option(names = "--source-addresses", description = "Spread client connections over 127.0.0.1 .. 127.0.0.N. One "
    + "loopback address runs out of ephemeral ports near 28,000, and a node holds gateway.limits.maxConnectionsPerIp "
    + "(256 by default) connections that have not authenticated yet from one address. 0: one address per "
    + CLIENTS_PER_ADDRESS + " clients, and at most " + LOGINS_PER_ADDRESS + " logins in flight per address "
    + "(default: ${DEFAULT-VALUE}).")
  int sourceAddresses = 0;

  @Option(names = "--login-timeout", description = "Seconds a login may take before it counts as failed (default: "
    + "${DEFAULT-VALUE}).")
  int loginTimeoutSeconds = 60;

  @Option(names = "--answer-timeout", description = "Milliseconds after which an action without an answer is "
    + "counted as unanswered and dropped (a closed-loop client then sends its next one; UDP may lose datagrams; "
    + "default: ${DEFAULT-VALUE}).")
  long answerTimeoutMs = 5_000;

  @Option(names = "--login-concurrency", description = "Logins in flight at once (default: ${DEFAULT-VALUE}).")
  int loginConcurrency = 64;

  /** The source addresses to use for {@code clients} connections. */
  int sourceAddressesFor(int clients) {
    if (sourceAddresses > 0) {
      return sourceAddresses;
    }
    int inFlight = Math.min(clients, loginConcurrency);
    return Math.max(1, Math.min(250, Math.max((clients + CLIENTS_PER_ADDRESS - 1) / CLIENTS_PER_ADDRESS,
      (inFlight + LOGINS_PER_ADDRESS - 1) / LOGINS_PER_ADDRESS)));
  }

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  String json;
}
