-- A 64-bit hash of the extra fields as they were written (their names and values, not their order;
-- PgPlayerStore.extraHash). A flush that finds a player changed but their extra fields as it last wrote them sends
-- everything but extra, and writes the row only where extra_hash shows the stored extra is still that one (another
-- node may have written another since): extra is then neither sent nor parsed into jsonb again, which for a moving
-- player is most of the row. NULL for rows written before this column: they are written in full once.
ALTER TABLE players ADD COLUMN IF NOT EXISTS extra_hash bigint;
