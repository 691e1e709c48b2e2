-- Replies to notices (docs/notifications.md, "Replies"): the secrets karta keeps for itself (the
-- key of the reply tokens, generated on first use) and every incoming message handled, by its
-- Message-ID, so that a message delivered twice is handled once. A message is marked handled in
-- the same transaction as the events, move requests and answer it makes.
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE handled (
    message_id  TEXT PRIMARY KEY,     -- without angle brackets; a digest of the bytes when it has none
    sender      TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('recorded', 'answered', 'ignored')),
    detail      TEXT NOT NULL,        -- what was recorded, or why not
    handled_at  TEXT NOT NULL
);
