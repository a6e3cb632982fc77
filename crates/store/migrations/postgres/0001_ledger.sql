-- The ledger: every change ever made, append-only, hash-chained per stream.
-- Payloads are TEXT, not JSONB: the hash covers the exact stored text.
CREATE TABLE ledger (
    seq            BIGINT PRIMARY KEY,
    stream_id      TEXT   NOT NULL,
    stream_version BIGINT NOT NULL,
    event_type     TEXT   NOT NULL,
    payload        TEXT   NOT NULL,
    actor          TEXT   NOT NULL,
    reason         TEXT,
    recorded_at    BIGINT NOT NULL,
    prev_hash      BYTEA  NOT NULL,
    hash           BYTEA  NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE FUNCTION vplant_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END
$$;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    FOR EACH ROW EXECUTE FUNCTION vplant_append_only();
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION vplant_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION vplant_append_only();

-- Signed checkpoints: a Merkle root over each run of events, signed outside the database.
CREATE TABLE checkpoints (
    seq        BIGINT PRIMARY KEY,
    first_seq  BIGINT NOT NULL,
    range_root BYTEA  NOT NULL,
    prev       BYTEA  NOT NULL,
    created_at BIGINT NOT NULL,
    key_id     TEXT   NOT NULL,
    signature  BYTEA  NOT NULL
);

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION vplant_append_only();
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION vplant_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION vplant_append_only();

-- First results of commands that carried an idempotency key.
CREATE TABLE idempotency (
    key         TEXT   PRIMARY KEY,
    fingerprint BYTEA  NOT NULL,
    stream_id   TEXT   NOT NULL,
    first_seq   BIGINT NOT NULL,
    last_seq    BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Read tables (projections of the ledger; `vplant rebuild` recreates them).
CREATE TABLE sites (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    country    TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    version    BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE products (
    code        TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    dosage_form TEXT    NOT NULL,
    strength    TEXT    NOT NULL,
    active      BOOLEAN NOT NULL,
    version     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
