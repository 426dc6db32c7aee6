package io.seedgate.persistence;

/**
 * Every SQL statement the persistence role runs, in one place (the table definitions themselves are the
 * versioned scripts in {@code src/main/resources/db/migration}).
 *
 * <p>Player writes are idempotent upserts over {@code unnest(...)} arrays, one statement per batch; the arrays are
 * unnested in the select list (zipped row by row as they are read) rather than in {@code FROM}, where PostgreSQL
 * first copies them into a tuple store, which costs it more CPU per row (BENCHMARKS.md, FlushBenchmark). Each row
 * carries the Redis time its state was read ({@code updated_at}); an upsert never replaces a row read later
 * than itself, so a slow flush cannot undo a newer save of the same player.
 */
final class PlayerSql {

  /** Serialises schema migration across nodes; held until the migrating transaction ends. */
  static final String LOCK_MIGRATION = "SELECT pg_advisory_xact_lock(5990843710032167985)";

  /** Keeps "already exists, skipping" notices of {@code IF NOT EXISTS} out of the log while migrating. */
  static final String QUIET_MIGRATION = "SET LOCAL client_min_messages TO warning";

  static final String CREATE_SCHEMA_VERSION = """
    CREATE TABLE IF NOT EXISTS seed_schema_version (
      version     integer PRIMARY KEY,
      description text NOT NULL,
      checksum    bigint NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )""";

  static final String SELECT_SCHEMA_VERSIONS = "SELECT version, checksum FROM seed_schema_version ORDER BY version";

  static final String INSERT_SCHEMA_VERSION =
    "INSERT INTO seed_schema_version (version, description, checksum) VALUES ($1, $2, $3)";

  /**
   * The columns every write sets from a row {@code r} of the batch, other than {@code extra}: a missing map or
   * position keeps the stored one.
   */
  private static String setColumns(String r) {
    return """
      map_id = COALESCE(%1$s.map_id, p.map_id),
      position_x = COALESCE(%1$s.position_x, p.position_x),
      position_y = COALESCE(%1$s.position_y, p.position_y),
      action = %1$s.action,
      ping = %1$s.ping,
      ip = %1$s.ip,
      last_activity = %1$s.last_activity,
    """.formatted(r);
  }

  private static final String UPSERT_PLAYERS = """
    INSERT INTO players AS p (id, map_id, position_x, position_y, action, ping, ip, last_activity, extra, updated_at,
      extra_hash)
    SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::float8[]), unnest($4::float8[]), unnest($5::text[]),
      unnest($6::float8[]), unnest($7::text[]), unnest($8::timestamp[]), unnest($9::text[])::jsonb,
      unnest($10::timestamptz[]), unnest($11::int8[])
    ON CONFLICT (id) DO UPDATE SET
    """ + setColumns("EXCLUDED") + """
      extra = EXCLUDED.extra,
      updated_at = EXCLUDED.updated_at,
      extra_hash = EXCLUDED.extra_hash
    WHERE p.updated_at <= EXCLUDED.updated_at""";

  /**
   * Upserts a batch: parameters are eleven arrays of equal length (id, map_id, position_x, position_y, action,
   * ping, ip, last_activity, extra as JSON text, read time, {@link PgPlayerStore#extraHash} of extra).
   */
  static final String UPSERT_BATCH = UPSERT_PLAYERS;

  /**
   * Updates players whose extra is stored already: everything but {@code extra}, on the rows whose
   * {@code extra_hash} is the given one (and not read later). Parameters: ten arrays of equal length (id, map_id,
   * position_x, position_y, action, ping, ip, last_activity, {@link PgPlayerStore#extraHash} of extra, read time). A
   * row it does not update (gone, its extra written by another since, or newer) is left to a full upsert. Driven by
   * the unnested batch, a primary-key lookup per row (the pool runs generic plans, which keep to that whatever the
   * batch size).
   */
  static final String UPDATE_KEEPING_EXTRA_BATCH = """
    UPDATE players AS p SET
    """ + setColumns("t") + """
      updated_at = t.read_at
    FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS map_id, unnest($3::float8[]) AS position_x,
            unnest($4::float8[]) AS position_y, unnest($5::text[]) AS action, unnest($6::float8[]) AS ping,
            unnest($7::text[]) AS ip, unnest($8::timestamp[]) AS last_activity, unnest($9::int8[]) AS extra_hash,
            unnest($10::timestamptz[]) AS read_at) AS t
    WHERE p.id = t.id AND p.extra_hash = t.extra_hash AND p.updated_at <= t.read_at""";

  /**
   * Like {@link #UPSERT_BATCH}, for the state of players who left while it could not be saved: it is written
   * only when its last activity is not older than the stored one, since the player may have come back since.
   */
  static final String UPSERT_RECOVERED_BATCH = UPSERT_PLAYERS
    + " AND (p.last_activity IS NULL OR EXCLUDED.last_activity >= p.last_activity)";

  static final String SELECT_PLAYER = "SELECT map_id, position_x, position_y, action, ping, ip, last_activity, extra, "
    + "updated_at FROM players WHERE id = $1";

  private PlayerSql() {
  }
}
