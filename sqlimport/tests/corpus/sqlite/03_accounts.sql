-- Accounts and users that reference each other (SQLite does not check foreign keys when a
-- table is created, so the cycle stays inline), STRICT tables, generated columns, a column
-- added by ALTER TABLE and indexed afterwards, CHECK constraints and a CASE-laden trigger.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    plan TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'team'))
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    full_name TEXT GENERATED ALWAYS AS (first_name || ' ' || last_name) VIRTUAL
) STRICT;

ALTER TABLE users ADD COLUMN last_login TEXT;

CREATE INDEX idx_users_last_login ON users (last_login) WHERE last_login IS NOT NULL;

CREATE TABLE api_keys (
    key_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL DEFAULT 'read',
    expires_at TEXT
) WITHOUT ROWID;

CREATE TABLE usage (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    day TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    tier TEXT,
    PRIMARY KEY (account_id, day)
);

CREATE TRIGGER usage_tier AFTER INSERT ON usage
WHEN new.requests > 0
BEGIN
    UPDATE usage
       SET tier = CASE
           WHEN new.requests > 100000 THEN 'heavy'
           WHEN new.requests > 1000 THEN CASE (SELECT plan FROM accounts WHERE id = new.account_id)
               WHEN 'free' THEN 'over-limit' ELSE 'normal' END
           ELSE 'light'
       END
     WHERE account_id = new.account_id AND day = new.day;
END;

CREATE VIEW account_summary AS
    SELECT a.id, a.name, a.plan, u.full_name AS owner, COUNT(k.key_hash) AS keys
    FROM accounts a
    LEFT JOIN users u ON u.id = a.owner_id
    LEFT JOIN api_keys k ON k.user_id = u.id
    GROUP BY a.id;

CREATE UNIQUE INDEX idx_accounts_name ON accounts (lower(name));
