package io.seedgate.gateway.resume;

import io.seedgate.common.RedisKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Everything a resumable session hands over when it moves to another connection: its identity, its resume token, its
 * sequence counter with the replay buffer, and (from the identity) the delivery channels it is subscribed to. A
 * session {@code export}s it and is then gone without ending (no save, no leave, its subscriptions left to whoever
 * imports it); the session of the new connection {@code import}s it. Within one gateway instance the object itself
 * moves; to another instance or node it travels as {@link #toJson} / {@link #fromJson}.
 *
 * @param sessionId the session's id, kept by the session that imports it (the router's directory names it)
 * @param resume    the resume token the client was last given
 * @param token     the login token (2021 GUID or the JWT's id)
 * @param player    the player id
 * @param map       the map the player is on
 * @param ip        the address the session last came from
 * @param replay    the sequence counter and the deliveries not known to be seen
 * @param <M>       the message type of the replay buffer
 */
public record ResumableState<M>(String sessionId, ResumeToken resume, String token, String player, String map,
                                String ip, ReplayBuffer<M> replay) {

  /** The Redis channels the session receives on (besides the broadcast channel every session gets). */
  public List<String> channels() {
    return List.of(RedisKeys.tokenChannel(token), RedisKeys.playerChannel(player), RedisKeys.mapChannel(map));
  }

  /**
   * The state as JSON, to send it to another incarnation: {@code {"session","resume","token","player","map","ip",
   * "lastSeq","entries":[{"seq","payload":<base64>}]}}.
   *
   * @param bytes the payload bytes of a message
   */
  public JsonObject toJson(Function<M, Buffer> bytes) {
    JsonArray entries = new JsonArray();
    for (ReplayBuffer.Entry<M> e : replay.entries()) {
      entries.add(new JsonObject().put("seq", e.seq())
        .put("payload", Base64.getEncoder().encodeToString(bytes.apply(e.message()).getBytes())));
    }
    return new JsonObject().put("session", sessionId).put("resume", resume.encode()).put("token", token)
      .put("player", player).put("map", map).put("ip", ip).put("lastSeq", replay.lastSeq()).put("entries", entries);
  }

  /**
   * The state {@link #toJson} wrote.
   *
   * @param message the message of payload bytes
   * @throws IllegalArgumentException when it is not such a state
   */
  public static <M> ResumableState<M> fromJson(JsonObject json, Function<Buffer, M> message) {
    ResumeToken resume = ResumeToken.parse(json.getString("resume"));
    JsonArray entries = json.getJsonArray("entries", new JsonArray());
    long lastSeq = json.getLong("lastSeq", 0L);
    long first = entries.isEmpty() ? lastSeq + 1 : entries.getJsonObject(0).getLong("seq");
    ReplayBuffer<M> replay = new ReplayBuffer<>(first - 1);
    for (int i = 0; i < entries.size(); i++) {
      JsonObject e = entries.getJsonObject(i);
      byte[] payload = Base64.getDecoder().decode(e.getString("payload"));
      replay.restore(new ReplayBuffer.Entry<>(e.getLong("seq"), message.apply(Buffer.buffer(payload)),
        payload.length));
    }
    if (resume == null || replay.lastSeq() != lastSeq) {
      throw new IllegalArgumentException("not a resumable session's state");
    }
    return new ResumableState<>(json.getString("session"), resume, json.getString("token"),
      json.getString("player"), json.getString("map"), json.getString("ip", ""), replay);
  }
}
