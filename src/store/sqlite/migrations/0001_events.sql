-- The progress log: append-only. Every report, move, cancellation, indicator value,
-- acceptance, rejection and correction is one row; nothing is updated or deleted.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('done', 'partial', 'not_done', 'cancelled', 'moved',
                                                   'value', 'accepted', 'rejected', 'correction')),
    occurrence   TEXT,              -- occurrence id; NULL for indicator values and corrections
    date         TEXT,              -- done: completion date; moved: the new due date (YYYY-MM-DD)
    percent      INTEGER CHECK (percent IS NULL OR percent BETWEEN 0 AND 100),
    reason       TEXT,              -- not done / moved / rejected / correction: why; cancelled: the order
    approved_by  TEXT,              -- moved: who approved the new date
    indicator    TEXT,
    executor     TEXT,
    period       TEXT,
    value        REAL,
    source       TEXT,
    supersedes   INTEGER REFERENCES events (id),
    note         TEXT,
    evidence     TEXT NOT NULL DEFAULT '[]',   -- JSON array of links or file references
    author       TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,     -- RFC 3339, from the injected clock
    recorded_ts  INTEGER NOT NULL,  -- the same instant in Unix seconds, for "as of" queries
    batch        TEXT               -- import batch: all rows of one file share it
);

CREATE INDEX events_occurrence ON events (occurrence);
CREATE INDEX events_recorded ON events (recorded_ts, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the progress log is append-only: record a correction instead');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the progress log is append-only: record a correction instead');
END;
