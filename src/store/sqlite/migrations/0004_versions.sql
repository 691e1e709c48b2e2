-- Approved versions of a roadmap: the exact text of the roadmap file and its includes as an
-- order approved them, and, for each version after the first, where the reports recorded under
-- the previous version's occurrences go now. Append-only: an amendment is a new version.
CREATE TABLE versions (
    id            INTEGER PRIMARY KEY,
    roadmap       TEXT NOT NULL,
    number        INTEGER NOT NULL CHECK (number >= 1),  -- 1, 2, … per roadmap; 1 is the baseline
    document      TEXT NOT NULL,     -- the order: "приказ", "распоряжение"
    order_number  TEXT NOT NULL,     -- as written: "380", "23-35-1791"
    order_date    TEXT NOT NULL,     -- YYYY-MM-DD
    approved_by   TEXT NOT NULL,     -- who recorded the approval
    recorded_at   TEXT NOT NULL,     -- RFC 3339, as given
    recorded_ts   INTEGER NOT NULL,  -- the same instant in Unix seconds
    UNIQUE (roadmap, number),
    UNIQUE (roadmap, document, order_number, order_date)
);

-- A version's files: the roadmap file first, then its includes, each as approved.
CREATE TABLE version_files (
    version   INTEGER NOT NULL REFERENCES versions (id),
    position  INTEGER NOT NULL,      -- 1, 2, … in the order recorded
    path      TEXT NOT NULL,         -- relative to the roadmap file's folder
    content   TEXT NOT NULL,
    PRIMARY KEY (version, position)
);

-- Where the reports of an occurrence of the previous version go under this one.
CREATE TABLE carries (
    version     INTEGER NOT NULL REFERENCES versions (id),
    occurrence  TEXT NOT NULL,       -- the occurrence id in the previous version
    target      TEXT,                -- the occurrence id in this version; NULL when removed
    rule        TEXT NOT NULL CHECK (rule IN ('moved', 'renumbered', 'removed')),
    point       TEXT NOT NULL,       -- the activity's point in the previous version: "2.12"
    title       TEXT NOT NULL,       -- and its title there
    PRIMARY KEY (version, occurrence)
);

CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;

CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;

CREATE TRIGGER version_files_no_update BEFORE UPDATE ON version_files
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;

CREATE TRIGGER version_files_no_delete BEFORE DELETE ON version_files
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;

CREATE TRIGGER carries_no_update BEFORE UPDATE ON carries
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;

CREATE TRIGGER carries_no_delete BEFORE DELETE ON carries
BEGIN
    SELECT RAISE(ABORT, 'approved versions are append-only: approve a new version instead');
END;
