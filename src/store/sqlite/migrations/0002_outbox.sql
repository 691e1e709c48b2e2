-- The outbox of notices (reminders, overdue notices, escalations, digests) and the messages
-- that carry them. A notice is planned once per idempotency key; a message is written before it
-- is sent and marked sent after, so a crash at any point neither loses nor duplicates a notice
-- (except a message whose SMTP transaction completed just before the crash: it is sent again,
-- once, with the same Message-ID).
CREATE TABLE messages (
    message_id    TEXT PRIMARY KEY,       -- stable: <digest-of-its-notices@karta>
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    eml           BLOB NOT NULL,          -- the message exactly as sent (RFC 5322)
    state         TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_ts       INTEGER NOT NULL,       -- earliest next attempt, Unix seconds
    created_at    TEXT NOT NULL,
    created_ts    INTEGER NOT NULL,
    sent_at       TEXT,
    last_error    TEXT
);

CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,   -- occurrence | rule | recipient | date
    rule          TEXT NOT NULL,
    occurrence    TEXT,
    roadmap       TEXT NOT NULL,
    recipient     TEXT NOT NULL,          -- e-mail address
    name          TEXT NOT NULL,          -- whom it addresses, for the greeting
    tz            TEXT NOT NULL,          -- the recipient's time zone (sending hours)
    day           TEXT NOT NULL,          -- the local date it is for (YYYY-MM-DD)
    expires       TEXT NOT NULL,          -- the last local date it is still worth sending
    payload       TEXT NOT NULL,          -- JSON: what the message says about it
    state         TEXT NOT NULL CHECK (state IN ('planned', 'sending', 'sent', 'failed', 'cancelled')),
    message_id    TEXT REFERENCES messages (message_id),
    planned_at    TEXT NOT NULL,
    closed_at     TEXT,
    why           TEXT                    -- cancelled or failed: why
);

CREATE INDEX notices_state ON notices (state, recipient);
CREATE INDEX messages_state ON messages (state, next_ts);
