package io.seedgate.gateway.session;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sessions of one gateway instance, found by id (every open session), and once authenticated by token, player
 * and map. Used on the instance's event loop; the two counts are readable from any thread.
 */
final class SessionIndex {

  private static final Session[] NONE = new Session[0];

  private final Map<String, Session> byId = new HashMap<>();
  private final Map<String, Session> byToken = new HashMap<>();
  private final Map<String, Session> byPlayer = new HashMap<>();
  private final Map<String, Set<Session>> byMap = new HashMap<>();
  private volatile int sessionCount;
  private volatile int playerCount;

  /** A new session, not authenticated yet. */
  void add(Session s) {
    byId.put(s.id(), s);
    sessionCount = byId.size();
  }

  /** Removes the session by its id; {@code false} when it was not there (removed already). */
  boolean remove(Session s) {
    boolean removed = byId.remove(s.id(), s);
    sessionCount = byId.size();
    return removed;
  }

  /** The session took another id (a resumed session's): found by that one from now on. */
  void rekey(Session s, String previousId) {
    byId.remove(previousId, s);
    byId.put(s.id(), s);
    sessionCount = byId.size();
  }

  /** The session authenticated: found by its token, its player and its map from now on. */
  void addPlayer(Session s) {
    byToken.put(s.token(), s);
    byPlayer.put(s.playerId(), s);
    addToMap(s, s.mapId());
    playerCount = byPlayer.size();
  }

  /** The authenticated session ended: no longer found by token, player or map (unless another took them since). */
  void removePlayer(Session s) {
    byToken.remove(s.token(), s);
    byPlayer.remove(s.playerId(), s);
    playerCount = byPlayer.size();
    removeFromMap(s, s.mapId());
  }

  /** Moves the session to another map, in the index and on the session. */
  void moveToMap(Session s, String map) {
    removeFromMap(s, s.mapId());
    s.changeMap(map);
    addToMap(s, map);
  }

  Session byId(String id) {
    return byId.get(id);
  }

  Session byToken(String token) {
    return byToken.get(token);
  }

  Session byPlayer(String player) {
    return byPlayer.get(player);
  }

  /** Whether the session is the one its player has on this instance. */
  boolean current(Session s) {
    return byPlayer.get(s.playerId()) == s;
  }

  /** The sessions on the map now (a copy: a delivery may close some), none when there are none. */
  Session[] onMap(String map) {
    Set<Session> onMap = byMap.get(map);
    return onMap == null ? NONE : onMap.toArray(NONE);
  }

  /** Every session now, authenticated or not (a copy). */
  Session[] all() {
    return byId.values().toArray(NONE);
  }

  /** The authenticated sessions now (a copy). */
  List<Session> players() {
    return List.copyOf(byPlayer.values());
  }

  /** Open sessions; readable from any thread. */
  int sessionCount() {
    return sessionCount;
  }

  /** Authenticated sessions; readable from any thread. */
  int playerCount() {
    return playerCount;
  }

  private void addToMap(Session s, String map) {
    byMap.computeIfAbsent(map, k -> new LinkedHashSet<>()).add(s);
  }

  private void removeFromMap(Session s, String map) {
    Set<Session> onMap = byMap.get(map);
    if (onMap != null && onMap.remove(s) && onMap.isEmpty()) {
      byMap.remove(map);
    }
  }
}
