package io.seedgate.node;

import io.seedgate.common.config.Settings;
import io.seedgate.gateway.LocalGateways;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.seedgate.testsupport.Eventually.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten thousand TCP connections that never authenticate, from ten source addresses, held by a child process: the
 * node keeps serving a normal client while they are open, closes every one of them at the authentication deadline
 * (each told why), and keeps no session afterwards.
 */
class ConnectionFloodTest {

  private static final int CONNECTIONS = 10_000;
  private static final int SOURCES = 10;

  @Test
  void tenThousandConnectionsThatNeverAuthenticateAreAllClosedAtTheDeadline() throws Exception {
    // a thousand from each address, all held until the deadline (the default per-IP limit would refuse most of them)
    try (TestNode node = TestNode.start(Map.of("gateway.authTimeoutSeconds", 3,
      "gateway.limits.maxConnectionsPerIp", CONNECTIONS / SOURCES))) {
      Process flood = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-Xmx128m", "-cp", System.getProperty("java.class.path"), ConnectionFlood.class.getName(),
        Integer.toString(node.config.get(Settings.TCP_PORT)), Integer.toString(CONNECTIONS),
        Integer.toString(SOURCES), "60")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(flood.getInputStream(),
        StandardCharsets.US_ASCII))) {
        String first = out.readLine();
        assertNotNull(first, "the flood reports");
        if (first.startsWith("connected")) {
          AbuseTest.assertServesANormalClient(node);
        }
        String last = first.startsWith("closed") ? first : out.readLine();
        assertNotNull(last, "the flood ends");
        String[] f = last.split(" ");
        int closed = Integer.parseInt(f[1]);
        int errors = Integer.parseInt(f[3]);
        assertEquals(CONNECTIONS, Integer.parseInt(f[7]), "all connected: " + last);
        assertEquals(CONNECTIONS, closed, "all closed by the node: " + last);
        assertTrue(errors >= CONNECTIONS * 0.99, "each told 'authentication timeout' first: " + last);
      } finally {
        if (!flood.waitFor(30, TimeUnit.SECONDS)) {
          flood.destroyForcibly();
        }
      }
      until(Duration.ofMillis(10_000), () -> LocalGateways.sessions(node.vertx) == 0);
      AbuseTest.assertServesANormalClient(node);
    }
  }
}
