package io.seedgate.router;

/** A session in a node's index {@code seed:node:<node>:sessions}: {@code <session>|<token>|<map>}. */
record NodeSession(String session, String token, String map) {

  static String encode(String session, String token, String map) {
    return session + "|" + token + "|" + map;
  }

  static NodeSession decode(String value) {
    String[] parts = value.split("\\|", 3);
    return parts.length == 3 ? new NodeSession(parts[0], parts[1], parts[2]) : null;
  }
}
