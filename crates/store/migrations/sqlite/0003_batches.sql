-- Materials, lots, batches (tracker rows with milestones), batch results and the
-- genealogy graph. All are read tables, projections of the ledger.
CREATE TABLE materials (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE lots (
    id          TEXT    PRIMARY KEY,
    material    TEXT    NOT NULL,
    lot         TEXT    NOT NULL,
    site        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    quantity    TEXT,
    unit        TEXT,
    expiry      TEXT,
    retest      TEXT,
    produced_by TEXT,
    provenance  TEXT,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX lots_by_material ON lots (material, lot);
CREATE INDEX lots_by_site ON lots (site);

CREATE TABLE batches (
    id                             TEXT    PRIMARY KEY,
    site                           TEXT    NOT NULL,
    number                         TEXT    NOT NULL,
    product                        TEXT    NOT NULL,
    size                           TEXT,
    size_unit                      TEXT,
    source                         TEXT    NOT NULL,
    disposition                    TEXT,
    provenance                     TEXT,
    committed_quantity             TEXT,
    committed_unit                 TEXT,
    committed_date                 TEXT,
    delivered_quantity             TEXT,
    delivered_unit                 TEXT,
    delivered_date                 TEXT,
    planned_material_readiness     TEXT,
    planned_production_start       TEXT,
    planned_production_complete    TEXT,
    planned_qc_testing_complete    TEXT,
    planned_record_review_complete TEXT,
    planned_disposition            TEXT,
    planned_shipped                TEXT,
    actual_material_readiness      TEXT,
    actual_production_start        TEXT,
    actual_production_complete     TEXT,
    actual_qc_testing_complete     TEXT,
    actual_record_review_complete  TEXT,
    actual_disposition             TEXT,
    actual_shipped                 TEXT,
    version                        INTEGER NOT NULL,
    created_at                     INTEGER NOT NULL,
    updated_at                     INTEGER NOT NULL
);
CREATE INDEX batches_by_site ON batches (site, product);
CREATE INDEX batches_by_product ON batches (product);

CREATE TABLE batch_results (
    batch          TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    test           TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    PRIMARY KEY (batch, source, test, stream_version)
);

CREATE TABLE genealogy (
    source         TEXT    NOT NULL,
    target         TEXT    NOT NULL,
    quantity       TEXT,
    unit           TEXT,
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL,
    PRIMARY KEY (source, target)
);
CREATE INDEX genealogy_by_target ON genealogy (target, source);
