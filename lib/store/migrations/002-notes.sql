-- Notes, version 2: full-text search and a full record of deletions.

-- Words in notes, found by FTS5's trigram tokenizer: any run of three or more
-- characters matches, so Chinese, which has no spaces between words, is found
-- as well as English. The index holds no copy of the text (content=notes) and
-- the triggers keep it in step with every change to a note.
CREATE VIRTUAL TABLE notes_fts USING fts5(body, content = 'notes', content_rowid = 'nid',
	tokenize = 'trigram');
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
	INSERT INTO notes_fts (rowid, body) VALUES (new.nid, new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
	INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.nid, old.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
	INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.nid, old.body);
	INSERT INTO notes_fts (rowid, body) VALUES (new.nid, new.body);
END;

-- A deleted note is kept here whole: who deleted it and when, its text, its
-- customer, and its earlier texts (a JSON array of {body, author, revised_at}).
ALTER TABLE note_deletions ADD COLUMN customer_id TEXT;
ALTER TABLE note_deletions ADD COLUMN body TEXT;
ALTER TABLE note_deletions ADD COLUMN category TEXT;
ALTER TABLE note_deletions ADD COLUMN author TEXT;
ALTER TABLE note_deletions ADD COLUMN created_at TEXT;
ALTER TABLE note_deletions ADD COLUMN updated_at TEXT;
ALTER TABLE note_deletions ADD COLUMN follow_up TEXT;
ALTER TABLE note_deletions ADD COLUMN done_at TEXT;
ALTER TABLE note_deletions ADD COLUMN revisions TEXT;
