package io.seedgate.examples;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import java.util.List;

/**
 * Classic {@code PUBLISH}es on a Redis Cluster over one node's connections, so that they reach subscribers in the
 * order sent: a cluster client would send each (it has no key) to any node, and two messages that went through
 * different nodes may arrive in either order. Every node forwards what is published on it to the subscribers of all,
 * so any node will do; when the one in use cannot be reached (it failed), the next is used. Used from one context.
 */
final class OneNodePublisher {

  private final List<Redis> nodes;
  private int current;

  OneNodePublisher(Vertx vertx, List<RedisOptions> nodes) {
    this.nodes = nodes.stream().map(o -> Redis.createClient(vertx, o)).toList();
  }

  /** Publishes on the node in use; when it cannot be reached, on the next ones in turn. */
  Future<Void> publish(String channel, io.vertx.core.buffer.Buffer payload) {
    return publish(Request.cmd(Command.PUBLISH).arg(channel).arg(payload), nodes.size());
  }

  private Future<Void> publish(Request request, int tries) {
    int node = current;
    return nodes.get(node).send(request).<Void>mapEmpty().recover(e -> {
      if (e instanceof io.vertx.redis.client.Response || tries <= 1) {
        return Future.failedFuture(e); // refused by Redis itself, or no node left to try
      }
      if (current == node) {
        current = (node + 1) % nodes.size();
      }
      return publish(request, tries - 1);
    });
  }

  Future<Void> close() {
    return Future.join(nodes.stream().map(Redis::close).toList()).mapEmpty();
  }
}
