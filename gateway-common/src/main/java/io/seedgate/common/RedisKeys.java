package io.seedgate.common;

/**
 * Every Redis key and Pub/Sub channel the gateway reads or writes, in one place. Names marked 2021 are the
 * contract of the 2021 game and its services and must not change.
 *
 * <ul>
 *   <li>{@code <TOKEN>} (hash, 2021): a session's player state. Fields {@code id}, {@code map_id} (written at
 *   sign-in), {@code datetime}, {@code ping}, {@code action}, {@code ip}, {@code token} (kept up to date by
 *   the gateway) and whatever else game services write.</li>
 *   <li>{@code map:<MAP_ID>} (GEO set, 2021): the tokens of the players online on a map, at their positions.</li>
 *   <li>channel {@code token:<TOKEN>} (2021), {@code player:<ID>}: deliver the payload to one player.</li>
 *   <li>channel {@code map:<MAP_ID>} (2021): deliver the payload to every online player on that map.</li>
 *   <li>{@code seed:session:<PLAYER_ID>} (string): the live session of a player, {@code <node>|<session>|<token>};
 *   one per player, across the cluster.</li>
 *   <li>{@code seed:online:<SHARD>} (hashes, {@value #ONLINE_SHARDS} of them): token to player id of every online
 *   session in the cluster, each token in the shard {@link #onlineShard(String)} names; what the periodic flush
 *   reads, a few shards per round trip. Small hashes rather than one: Redis keeps each compact and hands it out
 *   whole at a seventh of the CPU {@code HSCAN} of one large hash costs.</li>
 *   <li>{@code seed:incarnations} (hash): every running gateway incarnation (one run of one gateway instance, see
 *   {@link io.seedgate.common.lifecycle.Incarnation}) to {@code <nodeId>|<clusterMemberId>} (the member id empty
 *   when the node is not clustered); written when the incarnation starts, removed once its sessions are ended.
 *   How a dead node is mapped to the sessions it held, with or without a surviving peer.</li>
 *   <li>{@code seed:lease:<INCARNATION>} (string, expiring after {@code node.leaseSeconds}): the incarnation is
 *   alive; renewed by it every quarter of that. An incarnation listed in {@code seed:incarnations} whose lease
 *   is gone (and which is not a live cluster member) is dead: any router ends its sessions.</li>
 *   <li>{@code seed:node:<INCARNATION>:sessions} (hash): player id to {@code <session>|<token>|<map>} of every
 *   session open in that incarnation; what is ended when it dies.</li>
 *   <li>{@code seed:cleanup:<INCARNATION>} (string, expiring): the router now ending a dead incarnation's
 *   sessions; taken with {@code SET NX EX}, deleted when done, so a clean-up cut short is retried by the next
 *   sweep once it expires.</li>
 *   <li>{@code seed:flush-lock} (string, with a TTL): the owner ({@code <nodeId>-<random>}) of the running
 *   periodic flush; taken with {@code SET NX PX}, extended while the flush runs, released by compare-and-delete.
 *   While another node holds it, a node skips its flush cycle.</li>
 *   <li>{@code seed:lock:<PLAYER_ID>} (string, expiring after 20 s): held by the router that logs the player in or
 *   ends one of its sessions, so that the two never interleave (a drained client logging in on another node
 *   while its old session ends); released by compare-and-delete.</li>
 *   <li>channel {@code seed:handover} and, with sharded subscriptions, channels {@code seed:handover:{<CHANNEL>}}: the
 *   markers of resumed sessions handed over between gateway instances ({@link #HANDOVER_CHANNEL},
 *   {@link #handoverMarker}).</li>
 *   <li>{@code seed:unsaved} (set): tokens of players who left while their state could not be saved; their
 *   hashes are kept until it is.</li>
 * </ul>
 */
public final class RedisKeys {

  /**
   * The sharded action channel {@code <prefix><model>:<n>} of {@code routing.actionChannels}: the n-th of a model's
   * channels, published with {@code SPUBLISH}.
   */
  public static String shardedActionChannel(String prefix, String model, int n) {
    return prefix + model + ":" + n;
  }

  /** Which of {@code channels} sharded action channels carries the actions of the token: always the same one. */
  public static int actionChannelOf(String token, int channels) {
    return Math.floorMod(token.hashCode(), channels);
  }

  /** Hash field names of the 2021 player hash. */
  public static final String F_ID = "id";
  public static final String F_MAP_ID = "map_id";
  public static final String F_DATETIME = "datetime";
  public static final String F_PING = "ping";
  public static final String F_ACTION = "action";
  public static final String F_IP = "ip";
  public static final String F_TOKEN = "token";
  public static final String F_POSITION_X = "position_x";
  public static final String F_POSITION_Y = "position_y";

  /** The {@code action} value of a player who has left (2021). */
  public static final String ACTION_OFFLINE = "offline";

  public static final String TOKEN_CHANNEL_PREFIX = "token:";
  public static final String PLAYER_CHANNEL_PREFIX = "player:";
  public static final String MAP_PREFIX = "map:";
  public static final String SESSION_OWNER_PREFIX = "seed:session:";
  public static final String UNSAVED = "seed:unsaved";
  /**
   * The channel every gateway instance's delivery connection subscribes, for the markers of resumes handed over
   * between incarnations: a marker (a random id) splits the deliveries of a session being handed over into those
   * its holder keeps (before it) and those its taker keeps (after it); see {@code HandoverGiver}.
   */
  public static final String HANDOVER_CHANNEL = "seed:handover";
  private static final String HANDOVER_MARKER_PREFIX = "seed:handover:{";
  private static final int ONLINE_SHARD_BITS = 10;
  /** How many hashes the online sessions are spread over; every node must agree on it. */
  public static final int ONLINE_SHARDS = 1 << ONLINE_SHARD_BITS;
  private static final String ONLINE_PREFIX = "seed:online:";
  public static final String INCARNATIONS = "seed:incarnations";
  public static final String FLUSH_LOCK = "seed:flush-lock";
  private static final String NODE_SESSIONS_PREFIX = "seed:node:";
  private static final String NODE_CLEANUP_PREFIX = "seed:cleanup:";
  private static final String LEASE_PREFIX = "seed:lease:";
  private static final String PLAYER_LOCK_PREFIX = "seed:lock:";

  private RedisKeys() {
  }

  /** The 2021 player hash: its key is the token itself. */
  public static String playerHash(String token) {
    return token;
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

  /** The 2021 GEO set of a map's online players (same name as its channel; keys and channels do not clash). */
  public static String mapGeoSet(String mapId) {
    return MAP_PREFIX + mapId;
  }

  /**
   * The sharded channel of a hand-over's markers for one delivery channel ({@code routing.pubsub} sharded):
   * {@code seed:handover:{<channel>}}, whose hash tag puts it in the channel's slot, so that a marker
   * {@code SPUBLISH}ed on it comes on the same shard's connection as the channel's deliveries, in order.
   */
  public static String handoverMarker(String channel) {
    return HANDOVER_MARKER_PREFIX + channel + "}";
  }

  /** Whether a channel is a {@link #handoverMarker} channel. */
  public static boolean isHandoverMarker(String channel) {
    return channel.startsWith(HANDOVER_MARKER_PREFIX) && channel.endsWith("}");
  }

  /** The delivery channel of a {@link #handoverMarker} channel. */
  public static String channelOfHandoverMarker(String markerChannel) {
    return markerChannel.substring(HANDOVER_MARKER_PREFIX.length(), markerChannel.length() - 1);
  }

  /** The online-sessions hash that holds a token. */
  public static String onlineShard(String token) {
    return onlineShard((token.hashCode() * 0x9E3779B9) >>> (32 - ONLINE_SHARD_BITS));
  }

  /** The online-sessions hash number {@code shard}, from 0 to {@value #ONLINE_SHARDS} - 1. */
  public static String onlineShard(int shard) {
    return ONLINE_PREFIX + shard;
  }

  /** The sessions of one incarnation ({@link io.seedgate.common.lifecycle.Incarnation#id()}). */
  public static String nodeSessions(String incarnation) {
    return NODE_SESSIONS_PREFIX + incarnation + ":sessions";
  }

  public static String nodeCleanup(String incarnation) {
    return NODE_CLEANUP_PREFIX + incarnation;
  }

  public static String lease(String incarnation) {
    return LEASE_PREFIX + incarnation;
  }

  /** A {@link #INCARNATIONS} value: {@code <nodeId>|<memberId>}, the member id empty when not clustered. */
  public static String incarnationValue(String nodeId, String memberId) {
    return nodeId + "|" + (memberId == null ? "" : memberId);
  }

  public static String playerLock(String playerId) {
    return PLAYER_LOCK_PREFIX + playerId;
  }

  public static String sessionOwner(String playerId) {
    return SESSION_OWNER_PREFIX + playerId;
  }
}
