-- Identity: users, sign-in sessions and API tokens, and the electronic signatures
-- of every record type. All four are read tables, projections of the ledger.
CREATE TABLE users (
    username             TEXT    PRIMARY KEY,
    full_name            TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    roles                TEXT    NOT NULL,
    sites                TEXT    NOT NULL,
    active               INTEGER NOT NULL,
    locked               INTEGER NOT NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL,
    failed_sign_ins      INTEGER  NOT NULL,
    sessions_valid_after INTEGER  NOT NULL,
    locked_at            INTEGER,
    version              INTEGER  NOT NULL,
    created_at           INTEGER  NOT NULL,
    updated_at           INTEGER  NOT NULL
);

CREATE TABLE sessions (
    id                TEXT   PRIMARY KEY,
    token_hash        TEXT   NOT NULL UNIQUE,
    username          TEXT   NOT NULL,
    started_at        INTEGER NOT NULL,
    last_seen         INTEGER NOT NULL,
    idle_timeout_secs INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    client            TEXT   NOT NULL,
    ended_at          INTEGER,
    ended_why         TEXT,
    version           INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);

CREATE TABLE api_tokens (
    id         TEXT   PRIMARY KEY,
    token_hash TEXT   NOT NULL UNIQUE,
    owner      TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    roles      TEXT   NOT NULL,
    sites      TEXT   NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL,
    version    INTEGER NOT NULL
);
CREATE INDEX api_tokens_by_owner ON api_tokens (owner);

CREATE TABLE signatures (
    stream_id      TEXT   NOT NULL,
    stream_version INTEGER NOT NULL,
    signer         TEXT   NOT NULL,
    printed_name   TEXT   NOT NULL,
    meaning        TEXT   NOT NULL,
    signed_at      INTEGER NOT NULL,
    record_version INTEGER NOT NULL,
    record_hash    TEXT   NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
