-- Which store this is: a random id given when the store is made (not copied by `karta store
-- copy`), so that what a reader keeps of the log elsewhere (the command line's cache,
-- docs/performance.md) is never taken for another store's log.
CREATE TABLE store_identity (id TEXT NOT NULL);
INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))));
