package io.seedgate.persistence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@link PlayerStore} on PostgreSQL: one {@code insert ... select from unnest(...)} statement per batch. */
final class PgPlayerStore implements PlayerStore {

  private final Pool pool;
  private final long timeoutMs;

  /**
   * @param timeoutMs a statement that has not answered by then fails (the server's own
   *                  {@code statement_timeout} should be shorter, so that it is cancelled there too)
   */
  PgPlayerStore(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Integer> upsert(List<PlayerState> states) {
    return write(PlayerSql.UPSERT_BATCH, states);
  }

  @Override
  public Future<Integer> upsertRecovered(List<PlayerState> states) {
    return write(PlayerSql.UPSERT_RECOVERED_BATCH, states);
  }

  @Override
  public Future<PlayerState> load(String playerId) {
    return pool.preparedQuery(PlayerSql.SELECT_PLAYER).execute(Tuple.of(playerId))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(rows -> {
        RowIterator<Row> it = rows.iterator();
        return it.hasNext() ? toState(playerId, it.next()) : null;
      });
  }

  private Future<Integer> write(String sql, List<PlayerState> states) {
    if (states.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery(sql).execute(toArrays(states))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(rows -> rows.rowCount());
  }

  /** The ten parameter arrays of a batch, in id order so that concurrent batches lock rows in the same order. */
  static Tuple toArrays(List<PlayerState> states) {
    List<PlayerState> sorted = states;
    if (!inIdOrder(states)) {
      sorted = new ArrayList<>(states);
      sorted.sort(Comparator.comparing(PlayerState::id));
    }
    int n = sorted.size();
    String[] ids = new String[n];
    String[] maps = new String[n];
    Double[] xs = new Double[n];
    Double[] ys = new Double[n];
    String[] actions = new String[n];
    Double[] pings = new Double[n];
    String[] ips = new String[n];
    LocalDateTime[] activities = new LocalDateTime[n];
    String[] extras = new String[n];
    OffsetDateTime[] readAts = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      PlayerState s = sorted.get(i);
      ids[i] = s.id();
      maps[i] = s.mapId();
      xs[i] = s.positionX();
      ys[i] = s.positionY();
      actions[i] = s.action();
      pings[i] = s.ping();
      ips[i] = s.ip();
      activities[i] = s.lastActivity();
      extras[i] = json(s.extra());
      readAts[i] = s.readAt();
    }
    return Tuple.of(ids, maps, xs, ys, actions, pings, ips, activities, extras, readAts);
  }

  private static boolean inIdOrder(List<PlayerState> states) {
    for (int i = 1; i < states.size(); i++) {
      if (states.get(i - 1).id().compareTo(states.get(i).id()) > 0) {
        return false;
      }
    }
    return true;
  }

  /** A JSON object of string values (what jsonb {@code extra} holds). */
  static String json(Map<String, String> fields) {
    if (fields instanceof ExtraJson decoded) {
      return decoded.json();
    }
    if (fields.isEmpty()) {
      return "{}";
    }
    int[] length = {2};
    fields.forEach((name, value) -> length[0] += name.length() + value.length() + 6);
    StringBuilder sb = new StringBuilder(length[0] + (length[0] >> 3));
    sb.append('{');
    fields.forEach((name, value) -> {
      if (sb.length() > 1) {
        sb.append(',');
      }
      quote(sb, name);
      sb.append(':');
      quote(sb, value);
    });
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    if (plain(s)) {
      sb.append(s).append('"');
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /** Whether the string goes into JSON as it is (no quote, backslash or control character). */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20) {
        return false;
      }
    }
    return true;
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static PlayerState toState(String playerId, Row row) {
    Map<String, String> extra = new HashMap<>();
    Object json = row.getValue("extra");
    if (json instanceof JsonObject obj) {
      obj.forEach(e -> extra.put(e.getKey(), e.getValue() == null ? "" : String.valueOf(e.getValue())));
    }
    return new PlayerState(playerId, row.getString("map_id"), row.getDouble("position_x"),
      row.getDouble("position_y"), row.getString("action"), row.getDouble("ping"), row.getString("ip"),
      row.getLocalDateTime("last_activity"), extra, row.getOffsetDateTime("updated_at"));
  }
}
