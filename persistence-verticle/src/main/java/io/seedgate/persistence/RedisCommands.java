package io.seedgate.persistence;

import io.seedgate.common.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/** The Redis operations persistence uses, on one connection: a {@link RedisLink} or a {@link FlushConnection}. */
interface RedisCommands {

  /** Sends one command; fails at once when not connected. */
  Future<Response> send(Request request);

  /** Sends the commands in one write (no MULTI); fails when any of them fails, or at once when not connected. */
  Future<List<Response>> batch(List<Request> requests);

  boolean connected();

  static RedisCommands of(RedisLink link) {
    return new RedisCommands() {
      @Override
      public Future<Response> send(Request request) {
        return link.send(request);
      }

      @Override
      public Future<List<Response>> batch(List<Request> requests) {
        return link.batch(requests);
      }

      @Override
      public boolean connected() {
        return link.connected();
      }
    };
  }
}
