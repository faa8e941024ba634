-- Schema version 1. crm(5) documents every table; keep the two in step.
-- Times are local: YYYY-MM-DDTHH:MM:SS; dates YYYY-MM-DD.

-- Customers. cid is the internal key other tables use; id is the user's.
CREATE TABLE customers (
	cid        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	name       TEXT,
	phone      TEXT,
	email      TEXT,
	wechat_id  TEXT,
	gender     TEXT CHECK (gender IN ('男', '女')),
	birthday   TEXT,
	city       TEXT,
	province   TEXT,
	source     TEXT,
	owner      TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	attrs      TEXT CHECK (attrs IS NULL OR json_type(attrs) = 'object')
);
-- Partial indexes: most customers lack one of these, and lookups never ask for NULL.
CREATE INDEX customers_phone ON customers(phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_email ON customers(email) WHERE email IS NOT NULL;
CREATE INDEX customers_wechat_id ON customers(wechat_id) WHERE wechat_id IS NOT NULL;

-- The custom attributes and extra event columns seen so far, in first-seen order.
CREATE TABLE custom_fields (
	kind     TEXT NOT NULL CHECK (kind IN ('customer', 'event')),
	name     TEXT NOT NULL,
	added_at TEXT NOT NULL,
	PRIMARY KEY (kind, name)
);

-- Events: purchases, refunds, visits, messages, contacts...
CREATE TABLE events (
	eid          INTEGER PRIMARY KEY,
	cid          INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	type         TEXT NOT NULL,
	ts           TEXT NOT NULL,
	amount_cents INTEGER,
	product      TEXT,
	channel      TEXT,
	ref          TEXT,
	attrs        TEXT CHECK (attrs IS NULL OR json_type(attrs) = 'object')
);
-- Per-customer questions (count/sum/since of a type in a window) walk this index
-- without touching the table: amount_cents makes it covering for sums.
CREATE INDEX events_by_customer ON events(cid, type, ts, amount_cents);
-- ref is the event's own id from the system it came from (an order number).
CREATE UNIQUE INDEX events_ref ON events(ref) WHERE ref IS NOT NULL;

-- Settings (lifecycle thresholds, rfm.window, limits): key = value.
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Tags: the catalog, who carries which tag, and the rules that set them.
CREATE TABLE tags (
	tid         INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	category    TEXT NOT NULL DEFAULT 'custom'
	            CHECK (category IN ('basic', 'behavior', 'interest', 'relationship', 'custom')),
	description TEXT,
	grp         TEXT,
	created_at  TEXT NOT NULL
);
CREATE TABLE customer_tags (
	cid        INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	tid        INTEGER NOT NULL REFERENCES tags(tid) ON DELETE CASCADE,
	source     TEXT NOT NULL,
	tagged_at  TEXT NOT NULL,
	expires_on TEXT,
	PRIMARY KEY (cid, tid)
) WITHOUT ROWID;
CREATE INDEX customer_tags_by_tag ON customer_tags(tid);
CREATE TABLE tag_rules (
	name       TEXT PRIMARY KEY,
	tid        INTEGER NOT NULL REFERENCES tags(tid) ON DELETE CASCADE,
	expr       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Notes and follow-ups. Deleted notes leave a row in note_deletions.
CREATE TABLE note_categories (
	name     TEXT PRIMARY KEY,
	position INTEGER NOT NULL
);
INSERT INTO note_categories (name, position) VALUES
	('沟通', 1), ('回访', 2), ('投诉', 3), ('需求', 4), ('其他', 5);
CREATE TABLE notes (
	nid        INTEGER PRIMARY KEY,
	cid        INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	body       TEXT NOT NULL,
	category   TEXT NOT NULL REFERENCES note_categories(name) ON UPDATE CASCADE,
	author     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	follow_up  TEXT,
	done_at    TEXT
);
CREATE INDEX notes_by_customer ON notes(cid, created_at);
CREATE INDEX notes_open_follow_ups ON notes(follow_up)
	WHERE follow_up IS NOT NULL AND done_at IS NULL;
CREATE TABLE note_revisions (
	nid        INTEGER NOT NULL REFERENCES notes(nid) ON DELETE CASCADE,
	body       TEXT NOT NULL,
	author     TEXT NOT NULL,
	revised_at TEXT NOT NULL
);
CREATE INDEX note_revisions_by_note ON note_revisions(nid);
CREATE TABLE note_deletions (
	nid        INTEGER NOT NULL,
	cid        INTEGER,
	deleted_by TEXT NOT NULL,
	deleted_at TEXT NOT NULL
);

-- Scores: model texts (every version kept), current scores, grade changes.
CREATE TABLE models (
	name       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (name, version)
);
CREATE TABLE scores (
	cid    INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	model  TEXT NOT NULL,
	score  REAL,
	grade  TEXT,
	detail TEXT,
	as_of  TEXT NOT NULL,
	PRIMARY KEY (cid, model)
) WITHOUT ROWID;
CREATE TABLE grade_history (
	cid        INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	model      TEXT NOT NULL,
	as_of      TEXT NOT NULL,
	from_grade TEXT,
	to_grade   TEXT,
	PRIMARY KEY (cid, model, as_of)
) WITHOUT ROWID;
CREATE INDEX grade_history_by_date ON grade_history(model, as_of);

-- Saved segments and the snapshot of members that --diff compares with.
CREATE TABLE segments (
	name        TEXT PRIMARY KEY,
	expr        TEXT NOT NULL,
	description TEXT,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	snapshot_at TEXT
);
CREATE TABLE segment_members (
	segment TEXT NOT NULL REFERENCES segments(name) ON DELETE CASCADE ON UPDATE CASCADE,
	cid     INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
	PRIMARY KEY (segment, cid)
) WITHOUT ROWID;
-- Erasing a customer finds its memberships through this index.
CREATE INDEX segment_members_by_customer ON segment_members(cid);
