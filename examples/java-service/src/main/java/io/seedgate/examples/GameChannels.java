package io.seedgate.examples;

/**
 * Every Redis key and Pub/Sub channel this service reads or writes, in one place. They are the gateway's
 * service contract (and the 2021 game's); the service defines them itself because it talks to the gateway
 * only through Redis and shares no code with it.
 *
 * <ul>
 *   <li>channel {@code <actionChannelPrefix><model>} (in): one client action as an {@link Envelope}
 *   (JSON object: {@code player}, {@code map}, {@code token}, {@code model}, {@code method}, {@code action},
 *   {@code data}, {@code node}, {@code session}, {@code ip}, {@code ts}).</li>
 *   <li>{@code <TOKEN>} (hash, read): the player's state; this service reads {@link #F_ID} and
 *   {@link #F_ACTION}.</li>
 *   <li>{@code map:<MAP>} (GEO set, read and written): the tokens of the players online on a map, at their
 *   positions (x = longitude, y = latitude).</li>
 *   <li>channel {@code token:<TOKEN>} (out): to that one player. Load reply
 *   {@code {"action":"load","players":[...],"enemys":[],"objects":[],"map":{"data":""}}}, save reply
 *   {@code {"action":"save","ok":true}}, errors {@code {"error":"<text>"}}.</li>
 *   <li>channel {@code player:<ID>} (out): to that one player as well (not used by the 2021 logic).</li>
 *   <li>channel {@code map:<MAP>} (out): to every player on the map. Joins and moves,
 *   {@code {"players":[{"id":5,"action":"move_up","position":[1.5,2.5]}]}}.</li>
 * </ul>
 * Payloads reach the clients byte for byte.
 */
public final class GameChannels {

  public static final String DEFAULT_ACTION_CHANNEL_PREFIX = "action:";
  public static final String TOKEN_CHANNEL_PREFIX = "token:";
  public static final String PLAYER_CHANNEL_PREFIX = "player:";
  public static final String MAP_PREFIX = "map:";

  /** Player hash field: the player id. */
  public static final String F_ID = "id";
  /** Player hash field: the player's current action. */
  public static final String F_ACTION = "action";

  private GameChannels() {
  }

  public static String actionChannel(String prefix, String model) {
    return prefix + model;
  }

  /** The n-th sharded action channel of a model, {@code <prefix><model>:<n>} (the gateway's routing.actionChannels). */
  public static String shardedActionChannel(String prefix, String model, int n) {
    return prefix + model + ":" + n;
  }

  public static String tokenChannel(String token) {
    return TOKEN_CHANNEL_PREFIX + token;
  }

  public static String playerChannel(String playerId) {
    return PLAYER_CHANNEL_PREFIX + playerId;
  }

  public static String mapChannel(String mapId) {
    return MAP_PREFIX + mapId;
  }

  /** The GEO set of a map's online players; same name as the map's channel (keys and channels do not clash). */
  public static String mapGeoSet(String mapId) {
    return MAP_PREFIX + mapId;
  }

  /** The player hash: its key is the token itself. */
  public static String playerHash(String token) {
    return token;
  }
}
