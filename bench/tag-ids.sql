-- crm-tag -a 活动 < ids.csv, written by hand for the sqlite3 shell
-- as of 2024-12-31: the ids into a table, the tag to their customers, and
-- the records again with their tags.
.import --csv --schema temp ids.csv ids
BEGIN;
INSERT INTO tags (name, category, created_at) VALUES ('活动', 'custom', '2024-12-31T00:00:00')
 ON CONFLICT DO NOTHING;
INSERT INTO customer_tags (cid, tid, source, tagged_at)
 SELECT c.cid, (SELECT tid FROM tags WHERE name = '活动'), 'user:bench', '2024-12-31T00:00:00'
 FROM customers c WHERE c.id IN (SELECT id FROM temp.ids)
 ON CONFLICT (cid, tid) DO UPDATE SET source = excluded.source, expires_on = NULL;
COMMIT;
.headers on
.mode csv
SELECT i.id, (SELECT group_concat(name, ';') FROM (SELECT t.name FROM customer_tags ct
 JOIN tags t ON t.tid = ct.tid WHERE ct.cid = c.cid
 AND (ct.expires_on IS NULL OR ct.expires_on > '2024-12-31') ORDER BY t.name)) AS tags
 FROM temp.ids i JOIN customers c ON c.id = i.id ORDER BY i.rowid;
