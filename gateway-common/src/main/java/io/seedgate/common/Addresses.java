package io.seedgate.common;

/**
 * Every event-bus address, in one place, with the schema of the JSON bodies sent to it.
 *
 * <p>Bodies are {@link io.vertx.core.json.JsonObject}s so that they cross a clustered event bus without codecs.
 * A failed request is answered with {@code fail(code, message)}, {@code code} being an {@link ErrorCode#code()}.
 */
public final class Addresses {

  /**
   * Request, to the router: check a token and open the player's session.
   * <pre>{"token":"..", "ip":"1.2.3.4", "node":"node-a", "incarnation":"node-a.mk2x9f0q3z7a",
   * "session":"node-a.mk2x9f0q3z7a-1", "transport":"websocket"}</pre>
   * {@code incarnation}: the gateway instance's run ({@link io.seedgate.common.lifecycle.Incarnation}), whose
   * session index the session is recorded in.
   * Reply: <pre>{"player":"5", "map":"1", "token":"1A2B.."}</pre> {@code token} is the key of the player's Redis
   * hash (the 2021 token itself, or one minted for a JWT session). Fails with {@link ErrorCode#INVALID_TOKEN},
   * {@link ErrorCode#TOKEN_EXPIRED} or {@link ErrorCode#UNAVAILABLE}.
   */
  public static final String AUTHENTICATE = "seed.router.authenticate";

  /**
   * Request, to the router: a session ended. The router saves the player, marks them offline and removes them
   * from their map, unless a newer session of the same player already took over.
   * <pre>{"player":"5", "map":"1", "token":"..", "node":"node-a", "incarnation":"node-a.mk2x9f0q3z7a",
   * "session":"node-a.mk2x9f0q3z7a-1", "reason":"closed"}</pre>
   * Reply: {@code {"saved":true}}.
   */
  public static final String SESSION_ENDED = "seed.router.session-ended";

  /**
   * Request, to the router: record again a live session that Redis lost (it restarted empty, or was flushed): its
   * directory entry (unless the player logged in elsewhere meanwhile), online entry, map membership, index entry,
   * and the player's hash from the saved state where Redis lost it. The body of {@link #SESSION_ENDED}, with
   * {@code "ip"} instead of {@code "reason"}. Reply: {@code {"kept":true}}, or {@code {"kept":false}} when
   * another session of the player owns it now (the gateway then closes this one).
   */
  public static final String SESSION_REASSERT = "seed.router.session-reassert";

  /**
   * Request, to the router: a live session moves to another gateway instance (a client resumed it there).
   * <pre>{"player":"5", "token":"..", "map":"1", "ip":"..",
   *  "from":{"node":"n1", "incarnation":"n1.x", "session":"n1.x-7"},
   *  "to":{"node":"n2", "incarnation":"n2.y", "session":"n2.y-3"}}</pre>
   * Reply: {@code {"moved":true}} once the player's directory entry and index entry name the new session, or
   * {@code {"moved":false}} when the player's entry no longer names the old one (logged in elsewhere, or ended).
   */
  public static final String SESSION_MOVED = "seed.router.session-moved";

  /**
   * Request, to persistence: write a player's state (its Redis hash and map position) to PostgreSQL.
   * <pre>{"player":"5", "map":"1", "token":".."}</pre> Reply: {@code {"saved":true}}; fails when it could not be written.
   */
  public static final String SAVE_PLAYER = "seed.persistence.save-player";

  /**
   * Request, to persistence: the saved state of a player who has no Redis hash yet (a JWT login).
   * <pre>{"player":"5"}</pre> Reply: {@code {"found":false}} or
   * <pre>{"found":true, "map":"1", "fields":{"position_x":"1.5", "position_y":"2", "hp":"100", ...}}</pre>
   * {@code fields} holds every saved hash field (strings), ready to be written back into a new hash.
   */
  public static final String LOAD_PLAYER = "seed.persistence.load-player";

  /**
   * Request, to persistence: the flush statistics of the node that answers (any body, usually {@code {}}).
   * Reply, e.g.:
   * <pre>{"node":"node-a-1f2e", "lastFlushAt":"2024-05-01T10:00:00Z", "lastRowsWritten":120, "lastDurationMs":35,
   * "backlog":0, "failures":0, "consecutiveFailures":0, "cycles":42, "skipped":3, "rowsWritten":5120,
   * "lastError":null}</pre>
   * With several persistence nodes the request reaches one of them; {@code node} says which.
   */
  public static final String PERSISTENCE_STATS = "seed.persistence.stats";

  private static final String NODE_SESSIONS_PREFIX = "seed.node.";
  private static final String RESUME_PREFIX = "seed.resume.";
  private static final String MEMBER_PREFIX = "seed.member.";

  private Addresses() {
  }

  /**
   * Publish, to one node's gateway instances: a command for one of its sessions.
   * <pre>{"type":"kick", "session":"s-1", "reason":"logged in elsewhere"}</pre>
   * <pre>{"type":"set-map", "player":"5", "map":"2"}</pre>
   */
  public static String nodeSessions(String nodeId) {
    return NODE_SESSIONS_PREFIX + nodeId + ".sessions";
  }

  /**
   * Request, to the gateway instance (by its incarnation id) holding a resumable session that a client resumes on
   * another instance or node: the hand-over, in two steps.
   * <ul>
   *   <li><pre>{"type":"prepare", "resume":"&lt;session id&gt;.&lt;secret&gt;", "seq":12, "marker":"&lt;uuid&gt;"}</pre>
   *   The holder checks the token and the sequence number, closes a connection the session still has, and keeps
   *   buffering. Reply: <pre>{"node":"n1", "incarnation":"n1.x", "session":"n1.x-7", "player":"5", "token":"..",
   *   "map":"1"}</pre> or {@code {"refused":"<reason>"}} (a {@code resume failed} reason).</li>
   *   <li><pre>{"type":"take", "marker":"&lt;uuid&gt;", "to":{"node":"n2", "incarnation":"n2.y",
   *   "session":"n2.y-3"}}</pre> sent once the taker subscribed the session's channels and published the marker
   *   on {@link RedisKeys#HANDOVER_CHANNEL}. The holder answers once the marker reached it: the session's state
   *   ({@code ResumableState.toJson}), every delivery before the marker included, or {@code {"refused":".."}}.
   *   The state is sent as a request: the taker answers {@code {"adopted":true}} once the router's directory names
   *   its session ({@link #SESSION_MOVED}), else {@code {"adopted":false}}; without an answer in time, or with
   *   {@code false}, the holder ends the session (the router ignores that end when the taker's session owns the
   *   player).</li>
   * </ul>
   */
  public static String resumeHandover(String incarnationId) {
    return RESUME_PREFIX + incarnationId;
  }

  /**
   * Request, to one node's operations verticle (when {@code ops.enabled}); the same requests are answered on
   * {@link #memberOps(String)}. Fails with {@link ErrorCode#MALFORMED} for an unknown {@code type}.
   * <ul>
   *   <li><pre>{"type":"stats"}</pre> Reply: the node and its health, e.g.
   *   <pre>{"node":"gw-1", "member":"3f9a..", "roles":["gateway","router"], "startedAt":"2025-01-01T10:00:00Z",
   *   "uptimeSeconds":3600, "draining":false, "connections":{"websocket":120,"tcp":3,"udp":0}, "sessions":123,
   *   "messagesIn":5120, "messagesOut":20480, "checks":{"redis":"ok","postgres":"not run here","cluster":"ok"},
   *   "opsPort":8090, "recentErrors":[{"at":"2025-01-01T10:59:00Z","level":"WARN","logger":"..","message":".."}]}</pre>
   *   {@code checks} values are {@code ok}, {@code not run here}, or a text saying what is wrong.</li>
   *   <li><pre>{"type":"session", "session":"gw-1-2k"}</pre> Reply: {@code {"found":false}} or
   *   <pre>{"found":true, "session":"gw-1-2k", "transport":"websocket", "player":"5", "map":"1", "ip":"1.2.3.4",
   *   "idleMs":1250}</pre></li>
   *   <li><pre>{"type":"drain"}</pre> The node stops accepting clients, sends each
   *   {@code {"error":"server stopped","reconnect":true}}, waits for their ends to be recorded, then stops.
   *   Reply, at once: {@code {"node":"gw-1", "draining":true, "sessions":123}}.</li>
   *   <li><pre>{"type":"history", "since":0}</pre> Reply: the node's samples (every 5 s, the last 20 minutes) and
   *   events after {@code since} (epoch seconds), for the status page's charts:
   *   <pre>{"node":"gw-1", "member":"3f9a..", "intervalSeconds":5, "capacity":240, "t":[1764134400, ..],
   *   "series":{"connections.websocket":[120, ..], "routingP99Ms":[1.8, ..], ..},
   *   "events":[{"t":1764134400,"kind":"started","member":"3f9a..","node":"gw-1","text":"node started"}]}</pre></li>
   * </ul>
   */
  public static String nodeOps(String nodeId) {
    return NODE_SESSIONS_PREFIX + nodeId + ".ops";
  }

  /**
   * Request, to the operations verticle of one cluster member (by its cluster member id, as listed by
   * {@link io.seedgate.common.cluster.ClusterInfo#members}; a node not clustered uses its node id): the requests
   * and replies of {@link #nodeOps(String)}. How a node lists the cluster without knowing the other node ids.
   */
  public static String memberOps(String memberId) {
    return MEMBER_PREFIX + memberId + ".ops";
  }
}
