package io.seedgate.common.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pipelined batch sent to a Redis Cluster: the Vert.x client's cluster connection sends a batch to one master and
 * refuses one whose keys live on several, so the batch is split into one batch per hash slot, sent together, and
 * the replies put back in the order of the requests.
 *
 * <p>Within a slot the commands keep their order. A command without a key ({@code PUBLISH}) goes with the keyed
 * command before it (or, at the start, the first keyed one after it): an action's {@code PUBLISH} is then sent
 * after its {@code HSET} on the connection of the hash's master, so a service that reads the hash on the message
 * sees what the {@code HSET} wrote, as with one server. Commands of different slots have no order between them,
 * which no caller relies on (a batch was never a transaction).
 *
 * <p>Failures read as one batch's: when commands were refused, the failure names each one's index in the whole
 * batch, one {@code ERR [index] cause} line each, the way the client names them in one batch; a batch that failed
 * otherwise (a lost connection) fails the whole.
 *
 * <p>The slot of a request is computed the way the client routes it ({@link HashSlots}), so that the split always
 * agrees with where the client sends each part.
 */
public final class SlotBatches {

  private static final Pattern REFUSED = Pattern.compile("(?m)^ERR \\[(\\d+)] ");
  /** The slot of a request without keys, before any keyed one fixes its group. */
  private static final int KEYLESS = HashSlots.NONE;

  private SlotBatches() {
  }

  /** Sends the requests split by slot on a cluster connection; the replies in the requests' order. */
  public static Future<List<Response>> send(RedisConnection cluster, List<Request> requests) {
    return send(cluster, requests, null);
  }

  /**
   * Sends the requests split by master when the slot map is known ({@code null}: by slot), so that each master gets
   * its part in one write; a part the client refuses because its own map puts its slots on several masters (the
   * slot map is out of date) is sent again split by slot. The replies in the requests' order.
   */
  static Future<List<Response>> send(RedisConnection cluster, List<Request> requests, SlotMap masters) {
    Map<Integer, List<Integer>> groups = groups(requests, masters);
    if (groups.size() <= 1) {
      return masters == null ? cluster.batch(requests) : orBySlot(cluster, requests);
    }
    List<List<Integer>> parts = new ArrayList<>(groups.values());
    List<Future<List<Response>>> sent = new ArrayList<>(parts.size());
    for (List<Integer> part : parts) {
      List<Request> batch = new ArrayList<>(part.size());
      part.forEach(i -> batch.add(requests.get(i)));
      sent.add(masters == null ? cluster.batch(batch) : orBySlot(cluster, batch));
    }
    return Future.join(sent).transform(ar -> {
      Response[] replies = new Response[requests.size()];
      StringBuilder refused = new StringBuilder();
      Throwable other = null;
      for (int p = 0; p < parts.size(); p++) {
        Future<List<Response>> f = sent.get(p);
        List<Integer> part = parts.get(p);
        if (f.succeeded()) {
          for (int j = 0; j < part.size(); j++) {
            replies[part.get(j)] = f.result().get(j);
          }
        } else if (!renumber(f.cause(), part, refused)) {
          other = f.cause();
        }
      }
      if (other != null) {
        return Future.failedFuture(other);
      }
      if (!refused.isEmpty()) {
        return Future.failedFuture(ErrorType.create(refused.toString().trim()));
      }
      return Future.succeededFuture(Arrays.asList(replies));
    });
  }

  /** A batch sent whole, or split by slot when the client says its slots are on several masters. */
  private static Future<List<Response>> orBySlot(RedisConnection cluster, List<Request> batch) {
    return cluster.batch(batch).recover(e -> e.getMessage() != null
      && e.getMessage().contains("client side resharding is not supported")
      ? send(cluster, batch, null) : Future.failedFuture(e));
  }

  /** {@link #groups(List, SlotMap)} by slot. */
  static Map<Integer, List<Integer>> groups(List<Request> requests) {
    return groups(requests, null);
  }

  /**
   * The indexes of the requests by slot, or by master when the map is given, in the order they first appear; a
   * keyless request joins the group of the keyed one before it.
   */
  static Map<Integer, List<Integer>> groups(List<Request> requests, SlotMap masters) {
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    List<Integer> leading = new ArrayList<>();
    int slot = KEYLESS;
    for (int i = 0; i < requests.size(); i++) {
      int s = slotOf(requests.get(i));
      if (s != KEYLESS && masters != null && masters.masterOf(s) >= 0) {
        // group numbers of masters, kept apart from slot numbers (0..16383)
        s = HashSlots.COUNT + masters.masterOf(s);
      }
      if (s == KEYLESS) {
        if (slot == KEYLESS) {
          leading.add(i);
        } else {
          groups.get(slot).add(i);
        }
        continue;
      }
      slot = s;
      List<Integer> group = groups.computeIfAbsent(slot, k -> new ArrayList<>());
      if (!leading.isEmpty()) {
        group.addAll(leading);
        leading.clear();
      }
      group.add(i);
    }
    if (!leading.isEmpty()) {
      groups.put(KEYLESS, leading);
    }
    return groups;
  }

  /** The hash slot of a request's keys ({@link HashSlots#of(Request)}), {@value #KEYLESS} for none. */
  static int slotOf(Request request) {
    return HashSlots.of(request);
  }

  /** Adds the part's refused commands, renumbered into the whole batch; false when the failure names none. */
  private static boolean renumber(Throwable failure, List<Integer> part, StringBuilder refused) {
    String message = failure.getMessage();
    if (message == null) {
      return false;
    }
    Matcher m = REFUSED.matcher(message);
    boolean any = false;
    while (m.find()) {
      int local = Integer.parseInt(m.group(1));
      if (local >= part.size()) {
        return false;
      }
      int lineEnd = message.indexOf('\n', m.end());
      String cause = message.substring(m.end(), lineEnd < 0 ? message.length() : lineEnd);
      refused.append("ERR [").append(part.get(local)).append("] ").append(cause).append('\n');
      any = true;
    }
    return any;
  }
}
