-- The ledger position of the event that added each genealogy edge, so that the
-- in-memory genealogy index reads only the edges added since it last looked. Edges
-- that were there before this migration take the position of their event; an edge
-- whose event cannot be found (a read table edited by hand) gets 0 and is still read
-- when an index is first built. The projection always sets it, so the default is
-- dropped once the existing rows are filled.
ALTER TABLE genealogy ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE genealogy g SET seq = l.seq
  FROM ledger l
 WHERE l.stream_id = g.stream_id AND l.stream_version = g.stream_version;
ALTER TABLE genealogy ALTER COLUMN seq DROP DEFAULT;
CREATE INDEX genealogy_by_seq ON genealogy (seq);
