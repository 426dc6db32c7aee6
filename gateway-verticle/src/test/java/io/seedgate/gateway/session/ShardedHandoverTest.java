package io.seedgate.gateway.session;

import io.seedgate.common.Addresses;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.config.Settings;
import io.seedgate.gateway.GatewayFixture;
import io.seedgate.gateway.GatewayVerticle;
import io.seedgate.gateway.RawSocket;
import io.seedgate.gateway.resume.ResumeToken;
import io.seedgate.gateway.tcp.TcpTransport;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The holder's side of a hand-over with sharded subscriptions ({@code routing.pubsub} sharded, here on one real
 * Redis, which serves {@code SSUBSCRIBE} as one shard): the test plays the taker and sends the marker of each of the
 * session's channels on its own ({@code seed:handover:{<channel>}}), with deliveries in between, so that the split is
 * seen channel by channel: a delivery on a channel after that channel's marker is the taker's and is not in the
 * state the holder gives, one on a channel whose marker has not come yet is.
 */
class ShardedHandoverTest {

  private static final String END = TcpTransport.DELIMITER;

  private static GatewayFixture fixture;
  private static GatewayVerticle holder;
  private static String broadcast;

  @BeforeAll
  static void start() throws Exception {
    // Pub/Sub channels are not per database: channels of their own, out of reach of other tests' publishes
    broadcast = "shho-broadcast-" + UUID.randomUUID().toString().substring(0, 8);
    fixture = GatewayFixture.start("shho", 1, Map.of(Settings.PUBSUB.path(), Settings.PUBSUB_SHARDED,
      Settings.BROADCAST_CHANNEL.path(), broadcast,
      Settings.CONTROL_CHANNEL.path(), "shho-control-" + UUID.randomUUID().toString().substring(0, 8)));
    holder = fixture.gateways.get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.stop();
  }

  @Test
  void eachChannelIsSplitAtItsOwnMarkerAndTheStateHoldsWhatCameBeforeIt() throws Exception {
    String map = "shho-" + UUID.randomUUID().toString().substring(0, 8);
    String token = fixture.signIn(map);
    String player = await(fixture.redis.send(Request.cmd(Command.HGET).arg(token).arg(RedisKeys.F_ID))).toString();
    RawSocket socket = RawSocket.connect(holder.tcpPort());
    socket.write(new JsonObject().put("token", token).put("action", "api/load").put("resume", true).encode() + END);
    String first = socket.readUntil(END, 5_000);
    JsonObject session = new JsonObject(first.substring(0, first.length() - END.length())).getJsonObject("session");
    assertNotNull(session, "the session message first: " + first);
    ResumeToken resume = ResumeToken.parse(session.getString("resume"));
    spublish(RedisKeys.tokenChannel(token), "{\"n\":0}");
    assertTrue(socket.readUntil(END, 5_000).contains("\"n\":0"), "a delivery while connected");

    String marker = UUID.randomUUID().toString();
    JsonObject prepared = await(fixture.vertx.eventBus().<JsonObject>request(
      Addresses.resumeHandover(resume.incarnationId()), new JsonObject().put("type", "prepare")
        .put("resume", resume.encode()).put("seq", 1L).put("marker", marker))).body();
    assertEquals(player, prepared.getString("player"), prepared.encode());
    assertNotNull(socket.readUntilClosed(5_000), "the holder let the client's connection go");

    // the token channel split first: what comes on it now is the taker's
    spublish(RedisKeys.handoverMarker(RedisKeys.tokenChannel(token)), marker);
    spublish(RedisKeys.tokenChannel(token), "{\"n\":\"token after its marker\"}");
    // the player's and the map's channels not yet: what comes on them is still the holder's
    spublish(RedisKeys.playerChannel(player), "{\"n\":\"player before its marker\"}");
    spublish(RedisKeys.mapChannel(map), "{\"n\":\"map before its marker\"}");
    for (String channel : List.of(RedisKeys.playerChannel(player), RedisKeys.mapChannel(map), broadcast)) {
      spublish(RedisKeys.handoverMarker(channel), marker);
    }
    spublish(RedisKeys.mapChannel(map), "{\"n\":\"map after its marker\"}");

    Message<JsonObject> state = await(fixture.vertx.eventBus().<JsonObject>request(
      Addresses.resumeHandover(resume.incarnationId()), new JsonObject().put("type", "take").put("marker", marker)
        .put("to", new JsonObject().put("node", "stand-in").put("incarnation", "stand-in.x")
          .put("session", "stand-in.x-1")), new DeliveryOptions().setSendTimeout(5_000)));
    List<String> payloads = new ArrayList<>();
    JsonArray entries = state.body().getJsonArray("entries");
    for (int i = 0; i < entries.size(); i++) {
      payloads.add(new String(Base64.getDecoder().decode(entries.getJsonObject(i).getString("payload"))));
    }
    assertTrue(payloads.contains("{\"n\":\"player before its marker\"}"), "kept: " + payloads);
    assertTrue(payloads.contains("{\"n\":\"map before its marker\"}"), "kept: " + payloads);
    assertTrue(payloads.stream().noneMatch(p -> p.contains("after its marker")), "the taker's, not here: "
      + payloads);
    state.reply(new JsonObject().put("adopted", false));
  }

  private static void spublish(String channel, String payload) {
    await(fixture.redis.send(Request.cmd(Command.SPUBLISH).arg(channel).arg(payload)));
  }
}
