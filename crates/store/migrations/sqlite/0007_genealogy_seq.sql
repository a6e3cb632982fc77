-- The ledger position of the event that added each genealogy edge, so that the
-- in-memory genealogy index reads only the edges added since it last looked. Edges
-- that were there before this migration take the position of their event; an edge
-- whose event cannot be found (a read table edited by hand) gets 0 and is still read
-- when an index is first built. SQLite cannot add a NOT NULL column without a
-- default; the projection always sets it.
ALTER TABLE genealogy ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE genealogy SET seq = COALESCE(
    (SELECT l.seq FROM ledger l
      WHERE l.stream_id = genealogy.stream_id
        AND l.stream_version = genealogy.stream_version),
    0);
CREATE INDEX genealogy_by_seq ON genealogy (seq);
