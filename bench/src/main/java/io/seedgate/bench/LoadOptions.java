package io.seedgate.bench;

import picocli.CommandLine.Option;

/** How the load generator runs its clients. */
final class LoadOptions {

  /** Client transports; TCP ({@code ||}-framed JSON) and UDP come when the gateway serves them. */
  enum Transport { websocket }

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

  @Option(names = "--login-concurrency", description = "Logins in flight at once (default: ${DEFAULT-VALUE}).")
  int loginConcurrency = 64;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  String json;
}
