package io.seedgate.router;

/**
 * The live session of a player, as stored in {@code seed:session:<player>}: {@code <node>|<session>|<token>}.
 */
record SessionOwner(String node, String session, String token) {

  static SessionOwner parse(String value) {
    if (value == null) {
      return null;
    }
    String[] parts = value.split("\\|", 3);
    return parts.length == 3 ? new SessionOwner(parts[0], parts[1], parts[2]) : null;
  }

  String encode() {
    return node + "|" + session + "|" + token;
  }
}
