package io.seedgate.persistence;

/**
 * Every SQL statement the persistence role runs, in one place (the table definitions themselves are the
 * versioned scripts in {@code src/main/resources/db/migration}).
 *
 * <p>Player writes are idempotent upserts over {@code unnest(...)} arrays, one statement per batch; the arrays are
 * unnested in the select list (zipped row by row as they are read) rather than in {@code FROM}, where PostgreSQL
 * first copies them into a tuple store: ~10% less of its CPU per row, measured on 100,000 rows. Each row
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

  private static final String UPSERT_PLAYERS = """
    INSERT INTO players AS p (id, map_id, position_x, position_y, action, ping, ip, last_activity, extra, updated_at)
    SELECT unnest($1::text[]), unnest($2::text[]), unnest($3::float8[]), unnest($4::float8[]), unnest($5::text[]),
      unnest($6::float8[]), unnest($7::text[]), unnest($8::timestamp[]), unnest($9::text[])::jsonb,
      unnest($10::timestamptz[])
    ON CONFLICT (id) DO UPDATE SET
      map_id = COALESCE(EXCLUDED.map_id, p.map_id),
      position_x = COALESCE(EXCLUDED.position_x, p.position_x),
      position_y = COALESCE(EXCLUDED.position_y, p.position_y),
      action = EXCLUDED.action,
      ping = EXCLUDED.ping,
      ip = EXCLUDED.ip,
      last_activity = EXCLUDED.last_activity,
      extra = EXCLUDED.extra,
      updated_at = EXCLUDED.updated_at
    WHERE p.updated_at <= EXCLUDED.updated_at""";

  /**
   * Upserts a batch: parameters are ten arrays of equal length (id, map_id, position_x, position_y, action,
   * ping, ip, last_activity, extra as JSON text, read time). A missing map or position keeps the stored one.
   */
  static final String UPSERT_BATCH = UPSERT_PLAYERS;

  /**
   * Like {@link #UPSERT_BATCH}, for the state of players who left while it could not be saved: it is written
   * only when its last activity is not older than the stored one, since the player may have come back since.
   */
  static final String UPSERT_RECOVERED_BATCH = UPSERT_PLAYERS
    + " AND (p.last_activity IS NULL OR EXCLUDED.last_activity >= p.last_activity)";

  static final String SELECT_PLAYER =
    "SELECT map_id, position_x, position_y, action, ping, ip, last_activity, extra, updated_at FROM players WHERE id = $1";

  private PlayerSql() {
  }
}
