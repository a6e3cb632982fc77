-- Exceptions (deviations), the batches they concern, and actions. Read tables,
-- projections of the ledger.
CREATE TABLE exceptions (
    number              TEXT    PRIMARY KEY,
    site                TEXT    NOT NULL,
    product             TEXT,
    title               TEXT    NOT NULL,
    classification      TEXT    NOT NULL,
    category            TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    occurred            TEXT    NOT NULL,
    discovered          TEXT    NOT NULL,
    due                 TEXT    NOT NULL,
    closed_on           TEXT,
    root_cause_category TEXT,
    origin              TEXT    NOT NULL,
    origin_batch        TEXT,
    origin_step         TEXT,
    extension_pending   BOOLEAN NOT NULL,
    version             BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX exceptions_by_site ON exceptions (site, discovered);
CREATE INDEX exceptions_by_status ON exceptions (status, due);

CREATE TABLE exception_batches (
    number TEXT NOT NULL,
    batch  TEXT NOT NULL,
    PRIMARY KEY (number, batch)
);
CREATE INDEX exception_batches_by_batch ON exception_batches (batch);

-- Actions: CAPA and every other follow-up.
CREATE TABLE actions (
    number               TEXT    PRIMARY KEY,
    kind                 TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    owner                TEXT    NOT NULL,
    due                  TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    site                 TEXT,
    source_kind          TEXT,
    source_id            TEXT,
    closed_on            TEXT,
    effectiveness_due    TEXT,
    effectiveness_result TEXT,
    version              BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX actions_by_owner ON actions (owner, status, due);
CREATE INDEX actions_by_source ON actions (source_kind, source_id);
