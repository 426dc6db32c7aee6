-- Saved player state: one row per player, written from the player's Redis hash and map position.
-- updated_at is the Redis time at which that state was read; a write never replaces a newer one.
CREATE TABLE IF NOT EXISTS players (
  id            text PRIMARY KEY,
  map_id        text,
  position_x    double precision,
  position_y    double precision,
  action        text,
  ping          double precision,
  ip            text,
  last_activity timestamp,
  extra         jsonb NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now()
);
