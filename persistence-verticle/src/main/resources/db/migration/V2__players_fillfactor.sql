-- Every flush rewrites the row of every online player who changed. With half of each page kept free, PostgreSQL
-- can put the new version beside the old one without touching the primary key index (a HOT update) and reclaim
-- the old one in place: measured on 100,000 rows, an update of all of them takes ~0.45 s instead of ~0.9-1.2 s,
-- and the table stays at ~36 MB instead of bloating to ~90 MB. Applies to pages written from now on.
ALTER TABLE players SET (fillfactor = 50);
