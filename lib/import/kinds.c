/* kinds.c: the kinds of a dump's records, in the order a dump has them, each
 * with its fields: how dump.c reads it from the database and how restore.c
 * stores it back. A header line names the format; then one object a line:
 * the custom fields in the order first seen, the settings, the suppression
 * list (before the customers: a restore skips those erased since the dump),
 * customers in the order stored, then events in index order (the order a
 * restore stores them in, so that dumping a restored database gives the same
 * bytes), saved segments and their snapshots' members, the tag catalog, the
 * tag rules and the taggings, the score models (every version), the scores
 * and the changes of grade, the note categories, the notes, their earlier
 * texts and the deleted notes, the aliases of merged customers, and the
 * audit trail. Custom attributes sit in a nested "attrs" object (the query's
 * column after the fields), so that no attribute name can collide with a
 * field. */
#include <string.h>

#include "import/import.h"

/* The rows of the table, named for crm_restore_kinds. */
enum {
	D_FIELD, D_SETTING, D_KEY, D_SUPPRESSION, D_CUSTOMER, D_EVENT, D_SEGMENT, D_MEMBER, D_TAG,
	D_RULE, D_TAGGING, D_MODEL, D_SCORE, D_CHANGE, D_CATEGORY, D_NOTE, D_REVISION, D_DELETION,
	D_ALIAS, D_AUDIT,
};

#define FIELDS(...) .fields = (const char *const[]){__VA_ARGS__}, \
	.nfields = sizeof (const char *const[]){__VA_ARGS__} / sizeof (const char *)

const struct dump_kind dump_kinds[DUMP_NKINDS] = {
	[D_FIELD] = {"custom_field", 1, "SELECT kind, name, added_at FROM custom_fields ORDER BY rowid",
		FIELDS("of", "name", "added_at"), READ_FIELD},
	[D_SETTING] = {"setting", 1, "SELECT key, value, updated_at FROM settings ORDER BY key",
		FIELDS("key", "value", "updated_at"), READ_ROW,
		"INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"},
	[D_KEY] = {"suppression_key", 5, "SELECT hex(key), created_at FROM suppression_key",
		FIELDS("key", "created_at"), READ_KEY,
		"INSERT INTO suppression_key (one, key, created_at) SELECT 1, crm_unhex(?1), ?2"
		" WHERE NOT EXISTS (SELECT 1 FROM suppression_key WHERE key = crm_unhex(?1))"
		" ON CONFLICT (one) DO NOTHING"},
	[D_SUPPRESSION] = {"suppression", 5, "SELECT hex(hash), field, person, erased_on FROM"
		" suppressions ORDER BY person, field, hash",
		FIELDS("hash", "field", "person", "erased_on"), READ_ROW,
		"INSERT INTO suppressions (hash, field, person, erased_on) VALUES (crm_unhex(?1), ?2,"
		" ?3, ?4) ON CONFLICT (hash) DO UPDATE SET erased_on = max(erased_on, ?4)",
		.may_be_there = true},
	[D_CUSTOMER] = {"customer", 1, "SELECT id, name, phone, email, wechat_id, gender, birthday,"
		" city, province, source, owner, created_at, updated_at, attrs FROM customers ORDER BY cid",
		.fields = crm_customer_columns, .nfields = C_NCOLS, .read = READ_RECORD},
	[D_EVENT] = {"event", 1, "SELECT e.ref, c.id, e.type, e.ts, e.amount_cents, e.product,"
		" e.channel, e.attrs FROM events e JOIN customers c ON c.cid = e.cid"
		" ORDER BY e.cid, e.type, e.ts, e.amount_cents, e.eid",
		FIELDS("id", "customer_id", "type", "ts", "amount", "product", "channel"), READ_RECORD},
	[D_SEGMENT] = {"segment", 1, "SELECT name, expr, description, created_at, updated_at,"
		" snapshot_at FROM segments ORDER BY name",
		FIELDS("name", "expr", "description", "created_at", "updated_at", "snapshot_at"), READ_ROW,
		"INSERT OR REPLACE INTO segments (name, expr, description, created_at, updated_at,"
		" snapshot_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
	[D_MEMBER] = {"segment_member", 1, "SELECT m.segment, c.id FROM segment_members m"
		" JOIN customers c USING (cid) ORDER BY m.segment, c.cid",
		FIELDS("segment", "id"), READ_ROW,
		"INSERT OR IGNORE INTO segment_members (segment, cid) SELECT ?1, cid FROM customers"
		" WHERE id = ?2", .after_events = true, .missing = {"customer", "id", "segment", "segment"}},
	[D_TAG] = {"tag", 1, "SELECT name, category, description, grp, created_at FROM tags ORDER BY tid",
		FIELDS("name", "category", "description", "group", "created_at"), READ_ROW,
		"INSERT INTO tags (name, category, description, grp, created_at) VALUES (?1, ?2, ?3,"
		" ?4, ?5) ON CONFLICT (name) DO UPDATE SET category = ?2, description = ?3, grp = ?4,"
		" created_at = ?5"},
	[D_RULE] = {"tag_rule", 1, "SELECT r.name, t.name, r.expr, r.created_at, r.updated_at"
		" FROM tag_rules r JOIN tags t USING (tid) ORDER BY r.name",
		FIELDS("name", "tag", "expr", "created_at", "updated_at"), READ_ROW,
		"INSERT OR REPLACE INTO tag_rules (name, tid, expr, created_at, updated_at)"
		" SELECT ?1, tid, ?3, ?4, ?5 FROM tags WHERE name = ?2"},
	[D_TAGGING] = {"tagging", 1, "SELECT c.id, t.name, ct.source, ct.tagged_at, ct.expires_on"
		" FROM customer_tags ct JOIN customers c USING (cid) JOIN tags t USING (tid)"
		" ORDER BY ct.cid, ct.tid",
		FIELDS("id", "tag", "source", "tagged_at", "expires_on"), READ_ROW,
		"INSERT OR REPLACE INTO customer_tags (cid, tid, source, tagged_at, expires_on)"
		" SELECT c.cid, t.tid, ?3, ?4, ?5 FROM customers c, tags t WHERE c.id = ?1"
		" AND t.name = ?2", .missing = {"customer", "id", "tag", "tag"}},
	[D_MODEL] = {"model", 1, "SELECT name, version, body, created_at FROM models"
		" ORDER BY name, version",
		FIELDS("name", "version", "body", "created_at"), READ_ROW,
		"INSERT OR REPLACE INTO models (name, version, body, created_at) VALUES (?1, ?2, ?3, ?4)"},
	[D_SCORE] = {"score", 1, "SELECT c.id, s.model, s.score, s.grade, s.as_of FROM scores s"
		" JOIN customers c USING (cid) ORDER BY s.cid, s.model",
		FIELDS("id", "model", "score", "grade", "as_of"), READ_ROW,
		"INSERT OR REPLACE INTO scores (cid, model, score, grade, as_of) SELECT cid, ?2, ?3,"
		" ?4, ?5 FROM customers WHERE id = ?1"},
	[D_CHANGE] = {"grade_change", 1, "SELECT c.id, h.model, h.as_of, h.from_grade, h.to_grade"
		" FROM grade_history h JOIN customers c USING (cid) ORDER BY h.cid, h.model, h.as_of",
		FIELDS("id", "model", "as_of", "from_grade", "to_grade"), READ_ROW,
		"INSERT OR REPLACE INTO grade_history (cid, model, as_of, from_grade, to_grade)"
		" SELECT cid, ?2, ?3, ?4, ?5 FROM customers WHERE id = ?1"},
	[D_CATEGORY] = {"note_category", 1, "SELECT name, position FROM note_categories"
		" ORDER BY position, name",
		FIELDS("name", "position"), READ_ROW,
		"INSERT INTO note_categories (name, position) VALUES (?1, ?2) ON CONFLICT (name)"
		" DO UPDATE SET position = ?2", .after_events = true},
	[D_NOTE] = {"note", 1, "SELECT n.nid, c.id, n.body, n.category, n.author, n.created_at,"
		" n.updated_at, n.follow_up, n.done_at FROM notes n JOIN customers c USING (cid)"
		" ORDER BY n.nid",
		FIELDS("note_id", "customer_id", "body", "category", "author", "created_at",
		       "updated_at", "follow_up", "done_at"), READ_ROW,
		"INSERT OR REPLACE INTO notes (nid, cid, body, category, author, created_at, updated_at,"
		" follow_up, done_at) SELECT ?1, cid, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM customers"
		" WHERE id = ?2", .after_events = true, .missing = {"customer", "customer_id"}},
	[D_REVISION] = {"note_revision", 1, "SELECT nid, body, author, revised_at FROM note_revisions"
		" ORDER BY rowid",
		FIELDS("note_id", "body", "author", "revised_at"), READ_ROW,
		"INSERT INTO note_revisions (nid, body, author, revised_at) VALUES (?1, ?2, ?3, ?4)",
		.after_events = true},
	[D_DELETION] = {"note_deletion", 1, "SELECT nid, customer_id, body, category, author,"
		" created_at, updated_at, follow_up, done_at, revisions, deleted_by, deleted_at"
		" FROM note_deletions ORDER BY rowid",
		FIELDS("note_id", "customer_id", "body", "category", "author", "created_at",
		       "updated_at", "follow_up", "done_at", "revisions", "deleted_by", "deleted_at"),
		READ_ROW,
		"INSERT INTO note_deletions (nid, cid, customer_id, body, category, author, created_at,"
		" updated_at, follow_up, done_at, revisions, deleted_by, deleted_at) VALUES (?1,"
		" (SELECT cid FROM customers WHERE id = ?2), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12)", .after_events = true},
	[D_ALIAS] = {"alias", 5, "SELECT a.id, c.id, a.merged_at FROM aliases a"
		" JOIN customers c USING (cid) ORDER BY a.id",
		FIELDS("id", "customer_id", "merged_at"), READ_ROW,
		"INSERT OR REPLACE INTO aliases (id, cid, merged_at) SELECT ?1, cid, ?3 FROM customers"
		" WHERE id = ?2", .after_events = true, .missing = {"customer", "customer_id"}},
	[D_AUDIT] = {"audit", 3, "SELECT at, user, command, args, changes, erased FROM audit"
		" ORDER BY aid",
		FIELDS("at", "user", "command", "args", "changes", "erased"), READ_ROW,
		"INSERT INTO audit (at, user, command, args, changes, erased) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6)"},
};

/* crm-add's summary names the kinds it restores in the order they came to
 * crm, the suppression list last, which is not the dump's. */
const char *const crm_restore_kinds[CRM_RESTORE_KINDS] = {
	dump_kinds[D_FIELD].kind, dump_kinds[D_SETTING].kind, dump_kinds[D_SEGMENT].kind,
	dump_kinds[D_MEMBER].kind, dump_kinds[D_TAG].kind, dump_kinds[D_RULE].kind,
	dump_kinds[D_TAGGING].kind, dump_kinds[D_MODEL].kind, dump_kinds[D_SCORE].kind,
	dump_kinds[D_CHANGE].kind, dump_kinds[D_CATEGORY].kind, dump_kinds[D_NOTE].kind,
	dump_kinds[D_REVISION].kind, dump_kinds[D_DELETION].kind, dump_kinds[D_AUDIT].kind,
	dump_kinds[D_KEY].kind, dump_kinds[D_SUPPRESSION].kind, dump_kinds[D_ALIAS].kind,
};

const struct dump_kind *dump_kind_named(const char *kind)
{
	for (int i = 0; kind && i < DUMP_NKINDS; i++)
		if (!strcmp(kind, dump_kinds[i].kind))
			return &dump_kinds[i];
	return NULL;
}
