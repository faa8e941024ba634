-- Schema version 5: erased stays erased, merged stays merged.

-- The suppression list: for each erased customer, a keyed hash of its id,
-- phone, email, wechat_id, openid and unionid (HMAC-SHA-256 of the field's
-- name, a 0 byte and the normalized value, under suppression_key), never the
-- value. An import skips a record that has one of them. person links the
-- entries of one erased customer, so that crm-rm --unsuppress of one value
-- lifts them all; no row says who it was. No index on person: lifting is
-- rare and a scan is quick, and an erasure of many customers would pay for
-- a random insert into it per value.
CREATE TABLE suppressions (
	hash      BLOB PRIMARY KEY CHECK (length(hash) = 32),
	field     TEXT NOT NULL
	          CHECK (field IN ('id', 'phone', 'email', 'wechat_id', 'openid', 'unionid')),
	person    INTEGER NOT NULL,
	erased_on TEXT NOT NULL
) WITHOUT ROWID;

-- The database's own random key for those hashes, made at the first erasure.
CREATE TABLE suppression_key (
	one        INTEGER PRIMARY KEY CHECK (one = 1),
	key        BLOB NOT NULL CHECK (length(key) = 32),
	created_at TEXT NOT NULL
);

-- Aliases: the id of a customer merged into another (crm-rm --merge-into)
-- names that other one from then on, in imports and selections. Erasing the
-- customer takes its aliases with it.
CREATE TABLE aliases (
	id        TEXT PRIMARY KEY,
	cid       INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	merged_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_by_customer ON aliases(cid);
