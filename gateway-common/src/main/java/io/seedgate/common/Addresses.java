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
   * <pre>{"token":"..", "ip":"1.2.3.4", "node":"node-a", "session":"s-1", "transport":"websocket"}</pre>
   * Reply: <pre>{"player":"5", "map":"1", "token":"1A2B.."}</pre> {@code token} is the key of the player's Redis
   * hash (the 2021 token itself, or one minted for a JWT session). Fails with {@link ErrorCode#INVALID_TOKEN},
   * {@link ErrorCode#TOKEN_EXPIRED} or {@link ErrorCode#UNAVAILABLE}.
   */
  public static final String AUTHENTICATE = "seed.router.authenticate";

  /**
   * Request, to the router: a session ended. The router saves the player, marks them offline and removes them
   * from their map, unless a newer session of the same player already took over.
   * <pre>{"player":"5", "map":"1", "token":"..", "node":"node-a", "session":"s-1", "reason":"closed"}</pre>
   * Reply: {@code {"saved":true}}.
   */
  public static final String SESSION_ENDED = "seed.router.session-ended";

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

  private static final String NODE_SESSIONS_PREFIX = "seed.node.";

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
}
