package io.seedgate.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator's scenarios, short, against a node in this JVM on the test machine's Redis and PostgreSQL:
 * every client transport connects, logs in and gets every answer; fan-out deliveries all arrive. The figures are
 * not judged (tests do not measure speed), only that the clients work and what they report adds up.
 */
class ScenariosTest {

  @TempDir
  Path dir;

  private JsonObject run(String... args) throws IOException {
    Path json = dir.resolve("result.json");
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--json";
    all[args.length + 1] = json.toString();
    int exit = new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(all);
    assertEquals(0, exit, "seed-bench " + String.join(" ", args));
    return new JsonObject(Files.readString(json));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"websocket, binary", "websocket, text", "tcp, binary", "udp, binary"})
  void everyActionOfAClosedLoopIsAnsweredOnEveryTransport(String transport, String frames) throws IOException {
    JsonObject result = run("roundtrip", "--embedded-node", "--transport", transport, "--frames", frames,
      "--clients", "8", "--node-warmup", "0", "--warmup", "0.5", "--duration", "1", "--drain", "1000",
      "--no-floor");
    JsonObject round = result.getJsonArray("rounds").getJsonObject(0);
    assertEquals(8, round.getJsonObject("connections").getInteger("authenticated"), round.encode());
    JsonObject gateway = round.getJsonObject("gateway");
    assertTrue(gateway.getLong("completed") > 0, gateway.encode());
    assertEquals(0, gateway.getLong("errors"), gateway.encode());
    // UDP may drop a datagram on a loaded machine; the streams may not
    if (!transport.equals("udp")) {
      assertEquals(0, gateway.getLong("unanswered"), gateway.encode());
    }
  }

  @Test
  void theFloorAndTheGatewayAreMeasuredSideBySide() throws IOException {
    JsonObject result = run("roundtrip", "--embedded-node", "--clients", "4", "--node-warmup", "0",
      "--warmup", "0.5", "--duration", "1", "--drain", "1000");
    JsonObject round = result.getJsonArray("rounds").getJsonObject(0);
    assertTrue(round.getJsonObject("floor").getLong("completed") > 0, round.encode());
    assertTrue(round.getJsonObject("gateway").getLong("completed") > 0, round.encode());
    assertTrue(round.getJsonObject("ratios").size() > 0, round.encode());
  }

  @Test
  void everyPlayerOnTheMapReceivesEveryBroadcast() throws IOException {
    JsonObject result = run("fanout", "--embedded-node", "--clients", "20", "--broadcast-rate", "20",
      "--warmup", "0.5", "--duration", "1");
    assertTrue(result.getLong("broadcasts") > 0, result.encode());
    assertEquals(result.getLong("expected"), result.getJsonObject("result").getLong("completed"), result.encode());
    assertEquals(0, result.getJsonObject("result").getLong("unanswered"), result.encode());
  }

  @Test
  void resumablePlayersGetEveryBroadcastNumberedWithoutAGap() throws IOException {
    JsonObject result = run("fanout", "--embedded-node", "--resume", "--clients", "20", "--broadcast-rate", "20",
      "--warmup", "0.5", "--duration", "1");
    assertTrue(result.getBoolean("resume"), result.encode());
    assertTrue(result.getLong("broadcasts") > 0, result.encode());
    assertEquals(result.getLong("expected"), result.getJsonObject("result").getLong("completed"), result.encode());
    assertEquals(0, result.getJsonObject("result").getLong("unanswered"), result.encode());
    assertEquals(0, result.getJsonObject("result").getLong("errors"), result.encode());
    assertEquals(0, result.getLong("skipped"), result.encode());
  }

  @ParameterizedTest(name = "resume {0}")
  @CsvSource({"false", "true"})
  void idleSessionsGetTheBroadcastsSentBeforeTheMemorySample(boolean resume) throws IOException {
    JsonObject result = run(resume ? new String[] {"connections", "--embedded-node", "--clients", "10", "--hold",
      "0.5", "--deliveries", "3", "--resume"} : new String[] {"connections", "--embedded-node", "--clients", "10",
      "--hold", "0.5", "--deliveries", "3"});
    assertEquals(10, result.getInteger("authenticated"), result.encode());
    assertEquals(30, result.getLong("deliveries_received"), result.encode());
    assertEquals(0, result.getLong("skipped"), result.encode());
    assertEquals(0, result.getLong("lost"), result.encode());
    // a resumable session keeps its deliveries: the login's two answers and the 3 broadcasts
    assertEquals(resume, result.getDouble("resume_buffered_bytes") > 10 * 3 * 120, result.encode());
  }
}
