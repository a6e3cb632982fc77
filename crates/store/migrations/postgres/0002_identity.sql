-- Identity: users, sign-in sessions and API tokens, and the electronic signatures
-- of every record type. All four are read tables, projections of the ledger.
CREATE TABLE users (
    username             TEXT    PRIMARY KEY,
    full_name            TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    roles                TEXT    NOT NULL,
    sites                TEXT    NOT NULL,
    active               BOOLEAN NOT NULL,
    locked               BOOLEAN NOT NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    failed_sign_ins      BIGINT  NOT NULL,
    sessions_valid_after BIGINT  NOT NULL,
    locked_at            BIGINT,
    version              BIGINT  NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);

CREATE TABLE sessions (
    id                TEXT   PRIMARY KEY,
    token_hash        TEXT   NOT NULL UNIQUE,
    username          TEXT   NOT NULL,
    started_at        BIGINT NOT NULL,
    last_seen         BIGINT NOT NULL,
    idle_timeout_secs BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    client            TEXT   NOT NULL,
    ended_at          BIGINT,
    ended_why         TEXT,
    version           BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);

CREATE TABLE api_tokens (
    id         TEXT   PRIMARY KEY,
    token_hash TEXT   NOT NULL UNIQUE,
    owner      TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    roles      TEXT   NOT NULL,
    sites      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL,
    version    BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_owner ON api_tokens (owner);

CREATE TABLE signatures (
    stream_id      TEXT   NOT NULL,
    stream_version BIGINT NOT NULL,
    signer         TEXT   NOT NULL,
    printed_name   TEXT   NOT NULL,
    meaning        TEXT   NOT NULL,
    signed_at      BIGINT NOT NULL,
    record_version BIGINT NOT NULL,
    record_hash    TEXT   NOT NULL,
    PRIMARY KEY (stream_id, stream_version)
);
