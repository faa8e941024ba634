/* dump.c: the whole database as NDJSON that crm-add restores losslessly.
 * A header line names the format; then one object a line, each with its kind:
 * the custom fields in the order first seen, the settings, customers in the
 * order stored, then events in index order (the order a
 * restore stores them in, so that dumping a restored database gives the same
 * bytes), then saved segments and their snapshots' members, the tag
 * catalog, the tag rules and the taggings, the score models (every
 * version), the scores and the changes of grade, the note categories, the
 * notes, their earlier texts and the deleted notes, and the audit trail,
 * a line each.
 * Custom attributes sit in a nested "attrs" object so that no
 * attribute name can collide with a field. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "import/import.h"

#define DUMP_FORMAT 1

static int dump_line(FILE *out, json_t *obj, crm_error *err)
{
	int rc = json_dumpf(obj, out, JSON_COMPACT);
	json_decref(obj);
	if (rc != 0 || putc('\n', out) == EOF || ferror(out))
		return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
	return CRM_OK;
}

/* Adds column i of the row under name, leaving out NULLs. */
static void add_text(json_t *obj, const char *name, crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);
	if (s)
		json_object_set_new(obj, name, json_stringn(s, (size_t)crm_stmt_bytes(st, i)));
}

static void add_attrs(json_t *obj, crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);
	json_t *attrs = s ? json_loads(s, 0, NULL) : NULL;
	if (attrs)
		json_object_set_new(obj, "attrs", attrs);
}

static int dump_query(crm_db *db, const char *sql, const char *kind,
		      const char *const *names, int ncols, FILE *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	int rc, status = CRM_OK;
	while (status == CRM_OK && (rc = crm_stmt_step(st)) == CRM_ROW) {
		json_t *obj = json_object();
		json_object_set_new(obj, "kind", json_string(kind));
		for (int i = 0; i < ncols; i++) {
			if (strcmp(names[i], "amount") == 0 && !crm_stmt_is_null(st, i)) {
				char text[32];
				crm_format_amount(crm_stmt_int64(st, i), text, sizeof text);
				json_object_set_new(obj, "amount", json_string(text));
			} else {
				add_text(obj, names[i], st, i);
			}
		}
		if (crm_stmt_column_count(st) > ncols)
			add_attrs(obj, st, ncols);
		status = dump_line(out, obj, err);
	}
	if (status == CRM_OK && rc != CRM_DONE)
		status = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return status;
}

int crm_dump(crm_db *db, const crm_clock *clock, FILE *out, crm_error *err)
{
	static const char *const field_names[] = {"of", "name", "added_at"};
	static const char *const setting_names[] = {"key", "value", "updated_at"};
	static const char *const segment_names[] = {
		"name", "expr", "description", "created_at", "updated_at", "snapshot_at",
	};
	static const char *const member_names[] = {"segment", "id"};
	static const char *const tag_names[] = {"name", "category", "description", "group", "created_at"};
	static const char *const rule_names[] = {"name", "tag", "expr", "created_at", "updated_at"};
	static const char *const tagging_names[] = {"id", "tag", "source", "tagged_at", "expires_on"};
	static const char *const model_names[] = {"name", "version", "body", "created_at"};
	static const char *const score_names[] = {"id", "model", "score", "grade", "as_of"};
	static const char *const change_names[] = {"id", "model", "as_of", "from_grade", "to_grade"};
	static const char *const category_names[] = {"name", "position"};
	static const char *const note_names[] = {
		"note_id", "customer_id", "body", "category", "author", "created_at", "updated_at",
		"follow_up", "done_at",
	};
	static const char *const revision_names[] = {"note_id", "body", "author", "revised_at"};
	static const char *const deletion_names[] = {
		"note_id", "customer_id", "body", "category", "author", "created_at", "updated_at",
		"follow_up", "done_at", "revisions", "deleted_by", "deleted_at",
	};
	static const char *const audit_names[] = {"at", "user", "command", "args", "changes", "erased"};
	static const char *const key_names[] = {"key", "created_at"};
	static const char *const suppression_names[] = {"hash", "field", "person", "erased_on"};
	static const char *const alias_names[] = {"id", "customer_id", "merged_at"};
	static const char *const event_names[] = {
		"id", "customer_id", "type", "ts", "amount", "product", "channel",
	};
	/* One read transaction: the dump is one moment, however long it takes. */
	if (crm_db_exec(db, "BEGIN", err) != CRM_OK)
		return CRM_EDB;
	json_t *header = json_pack("{s:i, s:i, s:s, s:s}", "crm_dump", DUMP_FORMAT, "schema",
				   crm_db_schema_version(db), "crm", CRM_VERSION, "as_of", clock->now);
	int rc = dump_line(out, header, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT kind, name, added_at FROM custom_fields ORDER BY rowid",
				"custom_field", field_names, 3, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT key, value, updated_at FROM settings ORDER BY key",
				"setting", setting_names, 3, out, err);
	/* before the customers: a restore skips those erased since the dump */
	if (rc == CRM_OK && crm_db_schema_version(db) >= 5)
		rc = dump_query(db, "SELECT hex(key), created_at FROM suppression_key",
				"suppression_key", key_names, 2, out, err);
	if (rc == CRM_OK && crm_db_schema_version(db) >= 5)
		rc = dump_query(db, "SELECT hex(hash), field, person, erased_on FROM suppressions"
				" ORDER BY person, field, hash",
				"suppression", suppression_names, 4, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT id, name, phone, email, wechat_id, gender, birthday, city,"
				" province, source, owner, created_at, updated_at, attrs"
				" FROM customers ORDER BY cid",
				"customer", crm_customer_columns, (int)crm_customer_ncolumns, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT e.ref, c.id, e.type, e.ts, e.amount_cents, e.product, e.channel,"
				" e.attrs FROM events e JOIN customers c ON c.cid = e.cid"
				" ORDER BY e.cid, e.type, e.ts, e.amount_cents, e.eid",
				"event", event_names, 7, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT name, expr, description, created_at, updated_at, snapshot_at"
				" FROM segments ORDER BY name",
				"segment", segment_names, 6, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT m.segment, c.id FROM segment_members m JOIN customers c USING (cid)"
				" ORDER BY m.segment, c.cid",
				"segment_member", member_names, 2, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT name, category, description, grp, created_at FROM tags ORDER BY tid",
				"tag", tag_names, 5, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT r.name, t.name, r.expr, r.created_at, r.updated_at FROM tag_rules r"
				" JOIN tags t USING (tid) ORDER BY r.name",
				"tag_rule", rule_names, 5, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT c.id, t.name, ct.source, ct.tagged_at, ct.expires_on FROM customer_tags ct"
				" JOIN customers c USING (cid) JOIN tags t USING (tid) ORDER BY ct.cid, ct.tid",
				"tagging", tagging_names, 5, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT name, version, body, created_at FROM models ORDER BY name, version",
				"model", model_names, 4, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT c.id, s.model, s.score, s.grade, s.as_of FROM scores s"
				" JOIN customers c USING (cid) ORDER BY s.cid, s.model",
				"score", score_names, 5, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT c.id, h.model, h.as_of, h.from_grade, h.to_grade FROM grade_history h"
				" JOIN customers c USING (cid) ORDER BY h.cid, h.model, h.as_of",
				"grade_change", change_names, 5, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT name, position FROM note_categories ORDER BY position, name",
				"note_category", category_names, 2, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT n.nid, c.id, n.body, n.category, n.author, n.created_at, n.updated_at,"
				" n.follow_up, n.done_at FROM notes n JOIN customers c USING (cid) ORDER BY n.nid",
				"note", note_names, 9, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db, "SELECT nid, body, author, revised_at FROM note_revisions ORDER BY rowid",
				"note_revision", revision_names, 4, out, err);
	if (rc == CRM_OK)
		rc = dump_query(db,
				"SELECT nid, customer_id, body, category, author, created_at, updated_at,"
				" follow_up, done_at, revisions, deleted_by, deleted_at FROM note_deletions"
				" ORDER BY rowid",
				"note_deletion", deletion_names, 12, out, err);
	if (rc == CRM_OK && crm_db_schema_version(db) >= 5)
		rc = dump_query(db,
				"SELECT a.id, c.id, a.merged_at FROM aliases a JOIN customers c USING (cid)"
				" ORDER BY a.id",
				"alias", alias_names, 3, out, err);
	if (rc == CRM_OK && crm_db_schema_version(db) >= 3)
		rc = dump_query(db, "SELECT at, user, command, args, changes, erased FROM audit ORDER BY aid",
				"audit", audit_names, 6, out, err);
	crm_db_exec(db, "COMMIT", NULL);
	if (rc == CRM_OK && fflush(out) != 0)
		rc = crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno));
	return rc;
}
