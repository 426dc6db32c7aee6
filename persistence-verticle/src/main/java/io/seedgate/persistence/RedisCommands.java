package io.seedgate.persistence;

import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/** The Redis operations persistence uses, on the flush connection ({@link FlushConnection}). */
interface RedisCommands {

  /** Sends one command; fails at once when not connected. */
  Future<Response> send(Request request);

  /** Sends the commands in one write (no MULTI); fails when any of them fails, or at once when not connected. */
  Future<List<Response>> batch(List<Request> requests);
}
