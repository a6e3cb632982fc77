-- The MES: master batch record versions, executed batch records, and the subject
-- (a step) of a signature on part of a record. Read tables, projections of the ledger.
CREATE TABLE mbrs (
    id           TEXT    PRIMARY KEY,
    code         TEXT    NOT NULL,
    mbr_version  BIGINT  NOT NULL,
    based_on     BIGINT,
    title        TEXT    NOT NULL,
    product      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    approved_at  BIGINT,
    effective_at BIGINT,
    ended_at     BIGINT,
    version      BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX mbrs_by_code ON mbrs (code, mbr_version);

CREATE TABLE ebrs (
    id               TEXT    PRIMARY KEY,
    site             TEXT    NOT NULL,
    number           TEXT    NOT NULL,
    production_order TEXT    NOT NULL,
    product          TEXT    NOT NULL,
    mbr              TEXT    NOT NULL,
    mbr_version      BIGINT  NOT NULL,
    status           TEXT    NOT NULL,
    version          BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX ebrs_by_status ON ebrs (status, site);

ALTER TABLE signatures ADD COLUMN subject TEXT;

-- Equipment units (ISA-95: site → area → work centre → unit). Their status depends
-- on the clock (hold times, calibration due), so it is derived from the logbook on
-- reading, not stored here.
CREATE TABLE equipment (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    class       TEXT    NOT NULL,
    site        TEXT    NOT NULL,
    area        TEXT    NOT NULL,
    work_centre TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX equipment_by_site ON equipment (site, area, work_centre);
