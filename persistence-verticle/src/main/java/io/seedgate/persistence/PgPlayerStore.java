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

/**
 * {@link PlayerStore} on PostgreSQL: one {@code insert .. select unnest(..) .. on conflict} statement per batch, or
 * for players whose extra is stored already one {@code update .. from (select unnest(..))} without it.
 */
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
  public Future<Integer> upsertKeepingExtra(List<PlayerState> states) {
    if (states.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<PlayerState> sorted = inIdOrder(states);
    return pool.preparedQuery(PlayerSql.UPDATE_KEEPING_EXTRA_BATCH).execute(toArraysKeepingExtra(sorted))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .compose(rows -> rows.rowCount() == sorted.size() ? Future.succeededFuture(rows.rowCount())
        : write(PlayerSql.UPSERT_BATCH, sorted));
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

  /** The states by player id: the order rows are locked in, the same in concurrent batches. */
  private static List<PlayerState> inIdOrder(List<PlayerState> states) {
    for (int i = 1; i < states.size(); i++) {
      if (states.get(i - 1).id().compareTo(states.get(i).id()) > 0) {
        List<PlayerState> sorted = new ArrayList<>(states);
        sorted.sort(Comparator.comparing(PlayerState::id));
        return sorted;
      }
    }
    return states;
  }

  /** The eleven parameter arrays of {@link PlayerSql#UPSERT_BATCH}, in id order. */
  static Tuple toArrays(List<PlayerState> states) {
    List<PlayerState> sorted = inIdOrder(states);
    int n = sorted.size();
    String[] extras = new String[n];
    Long[] hashes = new Long[n];
    for (int i = 0; i < n; i++) {
      extras[i] = json(sorted.get(i).extra());
      hashes[i] = extraHash(sorted.get(i).extra());
    }
    return columns(sorted).addArrayOfString(extras).addArrayOfOffsetDateTime(readAts(sorted))
      .addArrayOfLong(hashes);
  }

  /** The ten parameter arrays of {@link PlayerSql#UPDATE_KEEPING_EXTRA_BATCH}, in id order. */
  static Tuple toArraysKeepingExtra(List<PlayerState> states) {
    List<PlayerState> sorted = inIdOrder(states);
    Long[] hashes = new Long[sorted.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = extraHash(sorted.get(i).extra());
    }
    return columns(sorted).addArrayOfLong(hashes).addArrayOfOffsetDateTime(readAts(sorted));
  }

  /**
   * The 64-bit hash of a player's extra fields, as stored beside them in {@code extra_hash}: what tells a flush
   * whether the stored extra is the one it would write. Of the fields' names and values, not of their order (which
   * Redis does not keep for a large hash, and {@code jsonb} does not keep either).
   */
  static long extraHash(Map<String, String> extra) {
    if (extra instanceof ExtraJson decoded) {
      return decoded.hash();
    }
    long[] sum = {0};
    extra.forEach((name, value) -> sum[0] += Fingerprint.field(Fingerprint.chars(name), Fingerprint.chars(value)));
    return Fingerprint.fields(sum[0], extra.size());
  }

  private static OffsetDateTime[] readAts(List<PlayerState> sorted) {
    OffsetDateTime[] readAts = new OffsetDateTime[sorted.size()];
    for (int i = 0; i < readAts.length; i++) {
      readAts[i] = sorted.get(i).readAt();
    }
    return readAts;
  }

  /** The first eight parameter arrays, common to both statements: id to last activity. */
  private static Tuple columns(List<PlayerState> sorted) {
    int n = sorted.size();
    String[] ids = new String[n];
    String[] maps = new String[n];
    Double[] xs = new Double[n];
    Double[] ys = new Double[n];
    String[] actions = new String[n];
    Double[] pings = new Double[n];
    String[] ips = new String[n];
    LocalDateTime[] activities = new LocalDateTime[n];
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
    }
    return Tuple.of(ids, maps, xs, ys, actions, pings, ips, activities);
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
