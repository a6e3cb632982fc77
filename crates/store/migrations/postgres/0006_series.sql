-- Time series attached to batches (e.g. tablet-press readings), one row per batch,
-- source and recording, the series as JSON text. A read table, a projection of the
-- ledger.
CREATE TABLE batch_series (
    batch          TEXT NOT NULL,
    source         TEXT NOT NULL,
    samples        BIGINT NOT NULL,
    data           TEXT NOT NULL,
    stream_version BIGINT NOT NULL,
    PRIMARY KEY (batch, source, stream_version)
);
