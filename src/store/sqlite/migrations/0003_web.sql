-- Accounts, sessions and the requests made in the web app.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'author', 'coordinator', 'viewer')),
    organisation  TEXT,              -- author: the executor id of their organisation
    email         TEXT,
    password      TEXT NOT NULL,     -- argon2id, PHC string
    feed          TEXT NOT NULL UNIQUE,  -- the secret of the user's calendar feed URL
    created_at    TEXT NOT NULL
);

-- The executors a coordinator reports for.
CREATE TABLE bindings (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    executor  TEXT NOT NULL,
    PRIMARY KEY (user_id, executor)
);

-- Browser sessions and API tokens: only a SHA-256 of the secret is kept.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    expires_ts  INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Failed logins, by login and by address, for rate limiting.
CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    ts   INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, ts);

-- Requests to move a deadline: decided by an admin or the roadmap's author, after which the
-- approved move is recorded in the event log.
CREATE TABLE move_requests (
    id            INTEGER PRIMARY KEY,
    occurrence    TEXT NOT NULL,
    date          TEXT NOT NULL,     -- the requested due date
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    decision      TEXT CHECK (decision IS NULL OR decision IN ('approved', 'declined')),
    decided_by    TEXT,
    decided_at    TEXT,
    event         INTEGER REFERENCES events (id)
);
CREATE INDEX move_requests_occurrence ON move_requests (occurrence);
