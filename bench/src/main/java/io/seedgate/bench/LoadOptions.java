package io.seedgate.bench;

import picocli.CommandLine.Option;

/** How the load generator runs its clients. */
final class LoadOptions {

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

  @Option(names = "--source-addresses", description = "Spread client connections over 127.0.0.1 .. 127.0.0.N "
    + "(one loopback address runs out of ephemeral ports near 28,000; default: ${DEFAULT-VALUE}).")
  int sourceAddresses = 1;

  @Option(names = "--answer-timeout", description = "Milliseconds after which an action without an answer is "
    + "counted as unanswered and dropped (a closed-loop client then sends its next one; UDP may lose datagrams; "
    + "default: ${DEFAULT-VALUE}).")
  long answerTimeoutMs = 5_000;

  @Option(names = "--login-concurrency", description = "Logins in flight at once (default: ${DEFAULT-VALUE}).")
  int loginConcurrency = 64;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  String json;
}
