-- Recorded KPI figures: what was reported for a period, with the definition version
-- that produced each figure. A read table, a projection of the ledger.
CREATE TABLE kpi_results (
    period      TEXT NOT NULL,
    code        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    scope       TEXT NOT NULL,
    numerator   TEXT NOT NULL,
    denominator TEXT NOT NULL,
    value       TEXT,
    recording   BIGINT NOT NULL,
    PRIMARY KEY (period, recording, code, scope)
);
