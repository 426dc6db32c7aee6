package io.seedgate.router.auth;

import io.seedgate.common.ErrorCode;
import io.seedgate.common.GatewayException;
import io.seedgate.common.RedisKeys;
import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The 2021 token check: the token is valid when the Redis hash named by it has the field {@code id}; the
 * player and map come from its fields {@code id} and {@code map_id}. A hash marked offline ({@code action} =
 * {@code offline}) belongs to a session that ended (closed, timed out, kicked) and was kept only because its save
 * has not happened yet: its token is refused, as in 2021, where the hash was gone by then.
 */
public final class RedisTokenVerifier implements TokenVerifier {

  private static final int MAX_TOKEN_LENGTH = 128;
  private final RedisLink redis;

  public RedisTokenVerifier(RedisLink redis) {
    this.redis = redis;
  }

  @Override
  public boolean accepts(String token) {
    return !JwtTokenVerifier.looksLikeJwt(token);
  }

  @Override
  public Future<Identity> verify(String token) {
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH || !printable(token)) {
      return Future.failedFuture(new GatewayException(ErrorCode.INVALID_TOKEN));
    }
    return redis.send(Request.cmd(Command.HMGET).arg(RedisKeys.playerHash(token))
        .arg(RedisKeys.F_ID).arg(RedisKeys.F_MAP_ID).arg(RedisKeys.F_ACTION))
      .compose(r -> {
        Response id = r.get(0);
        Response action = r.get(2);
        if (id == null || id.toString().isEmpty()
          || action != null && RedisKeys.ACTION_OFFLINE.equals(action.toString())) {
          return Future.failedFuture(new GatewayException(ErrorCode.INVALID_TOKEN));
        }
        Response map = r.get(1);
        return Future.succeededFuture(new Identity(id.toString(), map == null ? null : map.toString(), token));
      });
  }

  private static boolean printable(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }
}
