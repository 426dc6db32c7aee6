package io.seedgate.common.redis;

import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a Redis is and how to log in to it: the one reading of a Redis URL in the node, used by the Vert.x Redis
 * client's users ({@link #toRedisOptions()}) and by the flush's own RESP connection alike, so that both reach the
 * same server with the same credentials, database and TLS.
 *
 * <p>A URL is {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://} for TLS (the server's
 * certificate checked against its host name). User and password are percent-decoded ({@code %40} for {@code @},
 * {@code %3A} for {@code :}; a {@code +} stays a {@code +}). What the URL could mean two ways is refused rather than
 * guessed: user info without a {@code :} (a user or a password?), options after {@code ?}, a {@code unix://} socket.
 *
 * @param host     a host name or an IP address (an IPv6 one without brackets)
 * @param port     1 to 65535; 6379 when the URL has none
 * @param user     the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null} for none (then no {@code AUTH} is sent)
 * @param db       the database to {@code SELECT}, 0 (Redis's own default: no {@code SELECT} sent) when the URL has none
 * @param tls      whether to connect with TLS ({@code rediss://})
 */
public record RedisEndpoint(String host, int port, String user, String password, int db, boolean tls) {

  /** Redis's port, when a URL names none. */
  public static final int DEFAULT_PORT = 6379;

  /** Checks the parts; {@link #parse} names the one that is wrong in the URL's terms. */
  public RedisEndpoint {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("a Redis endpoint needs a host");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("a Redis port is 1 to 65535, not " + port);
    }
    if (db < 0) {
      throw new IllegalArgumentException("a Redis database is 0 or more, not " + db);
    }
    if (user != null && password == null) {
      throw new IllegalArgumentException("a Redis user needs a password");
    }
  }

  /**
   * Reads a {@code redis://} or {@code rediss://} URL.
   *
   * @throws IllegalArgumentException naming the part of the URL that is wrong (the URL in the message has its user
   *                                  info masked, as it may hold the password)
   */
  public static RedisEndpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("no Redis URL given");
    }
    int separator = url.indexOf("://");
    String scheme = separator < 0 ? null : url.substring(0, separator).toLowerCase(Locale.ROOT);
    if (scheme == null || scheme.isEmpty()) {
      throw bad(url, "does not start with redis:// or rediss://");
    }
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw bad(url, "has the scheme '" + scheme + "', not redis or rediss"
        + (scheme.equals("unix") ? " (a Unix socket is not supported)" : ""));
    }
    String rest = url.substring(separator + 3);
    if (rest.isEmpty() || "/?#".indexOf(rest.charAt(0)) >= 0) {
      throw bad(url, "has no host");
    }
    int illegal = firstIllegal(url);
    if (illegal >= 0) {
      throw bad(url, "has " + (Character.isWhitespace(url.charAt(illegal)) ? "a space" : "a character") + " that a "
        + "URL cannot have at character " + (illegal + 1) + " (percent-encode it in a user or password)");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw bad(url, "is not a URL (" + e.getReason() + " at character " + (e.getIndex() + 1) + ")");
    }
    if (uri.getRawQuery() != null) {
      throw bad(url, "has options after '?' (" + optionNames(uri.getRawQuery()) + "), which are not read: give the "
        + "user, password and database in the URL itself");
    }
    if (uri.getRawFragment() != null) {
      throw bad(url, "has a '#' part, which a Redis URL does not have");
    }
    if (uri.getHost() == null) {
      throw bad(url, hostProblem(uri.getRawAuthority()));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
    if (port < 1 || port > 65_535) {
      throw bad(url, "has the port " + port + ", not one from 1 to 65535");
    }
    String[] credentials = credentials(url, uri.getRawUserInfo());
    return new RedisEndpoint(host, port, credentials[0], credentials[1], database(url, uri.getRawPath()),
      "rediss".equals(scheme));
  }

  /**
   * Options for a Vert.x Redis client to this endpoint: its host, port and database in the connection string; the
   * user and password as options (so that the client does not decode them its own way); TLS with the host name
   * checked. Callers add their own pool and queue limits.
   */
  public RedisOptions toRedisOptions() {
    RedisOptions options = new RedisOptions().setConnectionString(connectionString());
    if (password != null) {
      options.setPassword(password);
    }
    if (user != null) {
      options.setUser(user);
    }
    configure(options.getNetClientOptions());
    return options;
  }

  /** Sets TLS on the options when this endpoint asks for it, with the server's host name checked; returns them. */
  public NetClientOptions configure(NetClientOptions options) {
    return tls ? options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS") : options;
  }

  /** The URL without its credentials: {@code redis://host:port} and {@code /db} when the database is not 0. */
  public String connectionString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return (tls ? "rediss" : "redis") + "://" + h + ":" + port + (db == 0 ? "" : "/" + db);
  }

  /** The URL with the password masked, for logs and messages. */
  @Override
  public String toString() {
    if (password == null) {
      return connectionString();
    }
    String scheme = tls ? "rediss://" : "redis://";
    return scheme + (user == null ? "" : user) + ":***@" + connectionString().substring(scheme.length());
  }

  /** User and password (each {@code null} when not given) from the raw user info. */
  private static String[] credentials(String url, String info) {
    if (info == null || info.isEmpty()) {
      return new String[2];
    }
    int colon = info.indexOf(':');
    if (colon < 0) {
      throw bad(url, "has user info without a ':' before the '@', which could be a user or a password: write "
        + "redis://:password@host for a password alone, redis://user:password@host for a user");
    }
    String user = colon == 0 ? null : decode(url, "user", info.substring(0, colon));
    String password = decode(url, "password", info.substring(colon + 1));
    if (password.isEmpty()) {
      throw bad(url, "has an empty password after the ':' (leave out the user info for none)");
    }
    return new String[] {user, password};
  }

  private static int database(String url, String path) {
    if (path == null || path.isEmpty() || path.equals("/")) {
      return 0;
    }
    String db = path.substring(1);
    if (!db.matches("[0-9]{1,9}")) {
      throw bad(url, "has '" + db + "' where the database number goes (after the port's '/')");
    }
    return Integer.parseInt(db);
  }

  /** Why a URL the URI parser accepted has no host: it names the host or the port that is wrong. */
  private static String hostProblem(String authority) {
    String hostPort = authority == null ? "" : authority.substring(authority.lastIndexOf('@') + 1);
    if (hostPort.isEmpty()) {
      return "has no host";
    }
    int colon = hostPort.startsWith("[") ? hostPort.indexOf(':', Math.max(0, hostPort.indexOf(']')))
      : hostPort.lastIndexOf(':');
    if (colon >= 0 && !hostPort.substring(colon + 1).matches("[0-9]*")) {
      return "has the port '" + hostPort.substring(colon + 1) + "', which is not a number";
    }
    String name = colon < 0 ? hostPort : hostPort.substring(0, colon);
    return name.isEmpty() ? "has no host" : "has the host '" + name + "', which is not a host name or an IP address "
      + "(letters, digits, '-' and '.'; an IPv6 address in brackets)";
  }

  /** Where the URL has a character that no part of a URL may hold as it is, or -1. */
  private static int firstIllegal(String url) {
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      boolean ok = c < 128 && (Character.isLetterOrDigit(c) || "-._~:/?#[]@!$&'()*+,;=%".indexOf(c) >= 0);
      if (!ok) {
        return i;
      }
    }
    return -1;
  }

  private static String decode(String url, String what, String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // not e's message: it quotes the encoded text, which may be the password
      throw bad(url, "has a " + what + " that is not percent-encoded right");
    }
  }

  private static String optionNames(String query) {
    return Arrays.stream(query.split("&")).map(kv -> kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv)
      .collect(Collectors.joining(", "));
  }

  private static IllegalArgumentException bad(String url, String problem) {
    return new IllegalArgumentException("the Redis URL '" + masked(url) + "' " + problem);
  }

  /**
   * The URL with everything from its {@code //} to its last {@code @} masked: a password with a {@code /} or a
   * {@code ?} in it that was not percent-encoded would otherwise be shown.
   */
  static String masked(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    return start < 0 || at <= start ? url : url.substring(0, start + 2) + "***" + url.substring(at);
  }
}
