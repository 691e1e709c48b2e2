-- Replies from messenger chats (docs/notifications.md, "Replies from chats"): the id the
-- messenger gave each message karta posted (a reply in the chat names it), the message an answer
-- answers, the chat users linked to accounts by one-time codes, and how far each bot's updates
-- are read.
ALTER TABLE messages ADD COLUMN post TEXT;      -- the messenger's id of the posted message
ALTER TABLE messages ADD COLUMN answers TEXT;   -- the messenger's id of the message this one answers
CREATE INDEX messages_post ON messages (recipient, post);

CREATE TABLE chat_links (
    messenger  TEXT NOT NULL,                   -- telegram | max
    chat_user  TEXT NOT NULL,                   -- the messenger's user id
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,                   -- the name the messenger shows
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (messenger, chat_user)
);

CREATE TABLE link_codes (
    digest      TEXT PRIMARY KEY,               -- SHA-256 of the code: the code itself is never kept
    user_id     BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    expires_ts  BIGINT NOT NULL
);

CREATE TABLE cursors (
    name   TEXT PRIMARY KEY,                    -- telegram | max
    value  TEXT NOT NULL
);
