-- The ledger: every change ever made, append-only, hash-chained per stream.
CREATE TABLE ledger (
    seq            INTEGER PRIMARY KEY,
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    event_type     TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    reason         TEXT,
    recorded_at    INTEGER NOT NULL,
    prev_hash      BLOB    NOT NULL,
    hash           BLOB    NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: DELETE is not allowed'); END;

-- Signed checkpoints: a Merkle root over each run of events, signed outside the database.
CREATE TABLE checkpoints (
    seq        INTEGER PRIMARY KEY,
    first_seq  INTEGER NOT NULL,
    range_root BLOB    NOT NULL,
    prev       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    key_id     TEXT    NOT NULL,
    signature  BLOB    NOT NULL
);

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE is not allowed'); END;

-- First results of commands that carried an idempotency key.
CREATE TABLE idempotency (
    key         TEXT    PRIMARY KEY,
    fingerprint BLOB    NOT NULL,
    stream_id   TEXT    NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Read tables (projections of the ledger; `vplant rebuild` recreates them).
CREATE TABLE sites (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    country    TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE products (
    code        TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    dosage_form TEXT    NOT NULL,
    strength    TEXT    NOT NULL,
    active      INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
