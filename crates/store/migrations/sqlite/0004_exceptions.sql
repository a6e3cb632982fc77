-- Exceptions (deviations) and the batches they concern. Read tables, projections of
-- the ledger.
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
    extension_pending   INTEGER NOT NULL,
    version             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX exceptions_by_site ON exceptions (site, discovered);
CREATE INDEX exceptions_by_status ON exceptions (status, due);

CREATE TABLE exception_batches (
    number TEXT NOT NULL,
    batch  TEXT NOT NULL,
    PRIMARY KEY (number, batch)
);
CREATE INDEX exception_batches_by_batch ON exception_batches (batch);
