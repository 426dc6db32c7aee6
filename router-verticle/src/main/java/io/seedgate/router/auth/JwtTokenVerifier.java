package io.seedgate.router.auth;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.config.ConfigException;
import io.seedgate.common.config.NodeConfig;
import io.seedgate.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * JWT check with vertx-auth-jwt: HS256 with a shared secret, or RS256/ES256 with a PEM public key. {@code sub} is
 * the player id and the configured claim the map id. The header's {@code alg} must be the configured algorithm,
 * so unsigned ({@code none}) and algorithm-confusion tokens are refused before any signature work.
 */
public final class JwtTokenVerifier implements TokenVerifier {

  private static final int MAX_JWT_LENGTH = 8192;

  private final JWTAuth auth;
  private final String algorithm;
  private final String mapClaim;
  private final int leewaySeconds;

  private JwtTokenVerifier(JWTAuth auth, String algorithm, String mapClaim, int leewaySeconds) {
    this.auth = auth;
    this.algorithm = algorithm;
    this.mapClaim = mapClaim;
    this.leewaySeconds = leewaySeconds;
  }

  /**
   * Builds the verifier from config; blocking (reads the key file), call at start-up.
   *
   * @throws ConfigException when the secret or key is missing or unreadable
   */
  public static JwtTokenVerifier create(Vertx vertx, NodeConfig config) {
    String alg = config.get(Settings.JWT_ALGORITHM);
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(alg);
    if (alg.equals("HS256")) {
      String secret = config.get(Settings.JWT_SECRET);
      if (secret.isEmpty()) {
        throw new ConfigException("setting '" + Settings.JWT_SECRET.path() + "' is required when '"
          + Settings.AUTH_MODES.path() + "' contains jwt and the algorithm is HS256");
      }
      key.setBuffer(secret);
    } else {
      String file = config.get(Settings.JWT_PUBLIC_KEY_FILE);
      if (file.isEmpty()) {
        throw new ConfigException("setting '" + Settings.JWT_PUBLIC_KEY_FILE.path() + "' is required for " + alg);
      }
      try {
        key.setBuffer(Files.readString(Path.of(file)));
      } catch (IOException e) {
        throw new ConfigException("setting '" + Settings.JWT_PUBLIC_KEY_FILE.path() + "': cannot read '" + file
          + "': " + e.getMessage());
      }
    }
    JWTOptions jwt = new JWTOptions().setLeeway(config.get(Settings.JWT_LEEWAY));
    if (!config.get(Settings.JWT_ISSUER).isEmpty()) {
      jwt.setIssuer(config.get(Settings.JWT_ISSUER));
    }
    if (!config.get(Settings.JWT_AUDIENCE).isEmpty()) {
      jwt.setAudience(List.of(config.get(Settings.JWT_AUDIENCE)));
    }
    JWTAuth auth;
    try {
      auth = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(jwt));
    } catch (RuntimeException e) {
      throw new ConfigException("JWT key for " + alg + " is not usable: " + e.getMessage());
    }
    return new JwtTokenVerifier(auth, alg, config.get(Settings.JWT_MAP_CLAIM), config.get(Settings.JWT_LEEWAY));
  }

  /** A JWT is three base64url parts separated by dots, its header starting with '{' (base64 "eyJ"). */
  public static boolean looksLikeJwt(String token) {
    return token.startsWith("eyJ") && token.indexOf('.') > 0 && token.indexOf('.') != token.lastIndexOf('.');
  }

  @Override
  public boolean accepts(String token) {
    return looksLikeJwt(token);
  }

  @Override
  public Future<Identity> verify(String token) {
    if (token.length() > MAX_JWT_LENGTH) {
      return invalid("token too long");
    }
    JsonObject header;
    JsonObject payload;
    try {
      String[] parts = token.split("\\.", -1);
      if (parts.length != 3) {
        return invalid("not a JWS");
      }
      header = decodePart(parts[0]);
      payload = decodePart(parts[1]);
    } catch (RuntimeException e) {
      return invalid("undecodable");
    }
    if (!algorithm.equals(header.getString("alg"))) {
      return invalid("alg " + header.getString("alg") + " not accepted");
    }
    if (payload.getValue("exp") instanceof Number exp
      && exp.longValue() + leewaySeconds < System.currentTimeMillis() / 1000) {
      return Future.failedFuture(new GatewayException(ErrorCode.TOKEN_EXPIRED));
    }
    return auth.authenticate(new TokenCredentials(token))
      .recover(e -> invalid(e.getMessage()))
      .compose(user -> {
        JsonObject claims = user.principal();
        String sub = claims.getString("sub");
        if (sub == null || sub.isEmpty()) {
          return invalid("no sub");
        }
        Object map = claims.getValue(mapClaim);
        return Future.succeededFuture(new Identity(sub, map == null ? null : map.toString(), null));
      });
  }

  private static JsonObject decodePart(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  private static <T> Future<T> invalid(String why) {
    return Future.failedFuture(new GatewayException(ErrorCode.INVALID_TOKEN, why));
  }
}
