/* erase.c: erasure on request (the right to be forgotten) and the merging of
 * duplicates. Erased values must not stay in the file: secure_delete zeroes
 * what is deleted, the text index is rewritten without the erased notes, and
 * the write-ahead log is emptied into the file once the erasure commits. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

const char *const crm_erase_columns[7] = {
	"customer_id", "events", "tags", "notes", "scores", "grade_changes", "segments",
};

/* temp.erase_ids: the cids to erase. */
static int erase_set(crm_db *db, const crm_expr *where, crm_error *err)
{
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS erase_ids (cid INTEGER PRIMARY KEY);"
			     " DELETE FROM temp.erase_ids", err);
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "INSERT INTO temp.erase_ids ");
	crm_sql_chosen_cids(&q, where, err, &rc);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* What goes with each customer, as records (crm_erase_columns). */
static int erase_report(crm_db *db, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT c.id, (SELECT count(*) FROM events WHERE cid = c.cid),"
		       " (SELECT count(*) FROM customer_tags WHERE cid = c.cid),"
		       " (SELECT count(*) FROM notes WHERE cid = c.cid) + (SELECT count(*) FROM"
		       " note_deletions WHERE cid = c.cid OR customer_id = c.id),"
		       " (SELECT count(*) FROM scores WHERE cid = c.cid),"
		       " (SELECT count(*) FROM grade_history WHERE cid = c.cid),"
		       " (SELECT count(*) FROM segment_members WHERE cid = c.cid)"
		       " FROM temp.erase_ids x JOIN customers c ON c.cid = x.cid ORDER BY c.cid");
	int rc = crm_sql_write(&q, out, 7, (crm_type[]){CRM_TEXT, CRM_INT, CRM_INT, CRM_INT, CRM_INT,
							 CRM_INT, CRM_INT}, err);
	crm_sql_free(&q);
	return rc;
}

/* Deletes the customers of temp.erase_ids and all that hangs on them (the
 * foreign keys cascade); the text index is rebuilt when notes went. */
static int erase_rows(crm_db *db, long *erased, crm_error *err)
{
	long notes = crm_db_count(db, "SELECT count(*) FROM notes WHERE cid IN temp.erase_ids");
	int rc = crm_db_exec(db, "DELETE FROM note_deletions WHERE cid IN temp.erase_ids OR customer_id"
			     " IN (SELECT id FROM customers WHERE cid IN temp.erase_ids)", err);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "DELETE FROM customers WHERE cid IN temp.erase_ids", err);
	*erased = rc == CRM_OK ? crm_db_changes(db) : 0;
	/* Deleted rows leave their terms in the index's segments until they are merged. */
	if (rc == CRM_OK && notes > 0)
		rc = crm_db_exec(db, "INSERT INTO notes_fts (notes_fts) VALUES ('optimize')", err);
	return rc;
}

int crm_erase_begin(crm_db *db, crm_error *err)
{
	if (crm_db_exec(db, "PRAGMA secure_delete = ON", err) != CRM_OK)
		return CRM_EDB;
	return crm_db_begin(db, err);
}

int crm_erase(crm_db *db, const crm_expr *where, bool dry_run, crm_writer *out, long *erased,
	      crm_error *err)
{
	*erased = 0;
	int rc = erase_set(db, where, err);
	if (rc == CRM_OK)
		rc = erase_report(db, out, err);
	long chosen = crm_db_count(db, "SELECT count(*) FROM temp.erase_ids");
	if (rc == CRM_OK && chosen == 0)
		return CRM_OK; /* nobody: no key made, no line in the trail */
	if (rc == CRM_OK && !dry_run)
		rc = crm_audit_erasing(db, chosen, err);
	if (rc == CRM_OK && !dry_run)
		rc = crm_suppress_erased(db, err);
	if (rc == CRM_OK && !dry_run)
		rc = erase_rows(db, erased, err);
	else if (rc == CRM_OK)
		*erased = chosen;
	return rc;
}

int crm_checkpoint(crm_db *db, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "PRAGMA wal_checkpoint(TRUNCATE)", err) != CRM_OK)
		return CRM_EDB;
	int busy = crm_stmt_step(st) == CRM_ROW ? crm_stmt_int(st, 0) : 1;
	crm_stmt_finalize(st);
	if (busy)
		return crm_error_set(err, CRM_EDB, "another program is reading the database: erased"
				     " values leave the file once it stops (crm-rm --checkpoint then)");
	return CRM_OK;
}

int crm_erase_commit(crm_db *db, crm_error *err)
{
	if (crm_db_commit(db, err) != CRM_OK)
		return CRM_EDB;
	/* The old pages are in the file until the log is written back into it. */
	return crm_checkpoint(db, err);
}

/* ---- merging duplicates ----
 *
 * temp.merge_dups holds every duplicate (cid) with the customer it merges
 * into (keep), its place among keep's duplicates (seq, from 1) and, for
 * --merge-duplicates, the value they share. Each step below is one
 * statement over all of them, however many groups there are. */

static const char *const merge_fields[] = {
	"name", "phone", "email", "wechat_id", "gender", "birthday", "city", "province", "source",
	"owner",
};

const char *const crm_merge_group_columns[4] = {"field", "value", "keep", "duplicates"};

static int merge_table(crm_db *db, crm_error *err)
{
	return crm_db_exec(db, "DROP TABLE IF EXISTS temp.merge_dups; CREATE TEMP TABLE merge_dups"
			   " (cid INTEGER PRIMARY KEY, keep INTEGER NOT NULL, seq INTEGER NOT NULL,"
			   " value, UNIQUE (keep, seq))", err);
}

/* The cid of customer id; CRM_EDATA when there is none. */
static int merge_find(crm_db *db, crm_stmt *find, const char *id, int64_t *cid,
		      crm_error *err)
{
	crm_stmt_reset(find);
	crm_stmt_bind_text_copy(find, 1, id, -1);
	if (crm_stmt_step(find) == CRM_ROW) {
		*cid = crm_stmt_int64(find, 0);
		return CRM_OK;
	}
	char *target;
	if (crm_alias_of(db, id, &target, err) != CRM_OK)
		return CRM_EDB;
	if (!target)
		return crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
	crm_error_set(err, CRM_EDATA, "'%s' is merged into '%s' already", id, target);
	free(target);
	return CRM_EDATA;
}

/* temp.merge_dups: the duplicates given, in the order given. */
static int merge_set(crm_db *db, const char *keep, const char *const *dups, size_t n,
		     crm_error *err)
{
	int rc = merge_table(db, err);
	crm_stmt *find = NULL, *add = NULL;
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &find, "SELECT cid FROM customers WHERE id = ?1", err);
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &add, "INSERT INTO temp.merge_dups (cid, keep, seq)"
				    " VALUES (?1, ?2, ?3)", err);
	int64_t keep_cid = 0;
	for (size_t i = 0; i <= n && rc == CRM_OK; i++) {
		const char *id = i == 0 ? keep : dups[i - 1];
		int64_t cid = 0;
		if ((rc = merge_find(db, find, id, &cid, err)) != CRM_OK)
			break;
		if (i == 0) {
			keep_cid = cid;
			continue;
		}
		crm_stmt_reset(add);
		crm_stmt_bind_int64(add, 1, cid);
		crm_stmt_bind_int64(add, 2, keep_cid);
		crm_stmt_bind_int64(add, 3, (int64_t)i);
		if (cid == keep_cid || crm_stmt_step(add) != CRM_DONE)
			rc = crm_error_set(err, CRM_EUSAGE, "'%s' is given twice", id);
	}
	crm_stmt_finalize(find);
	crm_stmt_finalize(add);
	return rc;
}

/* Each keep's empty fields from its first duplicate that has one; *filled:
 * how many fields. CROSS JOIN: from the few duplicates to their rows, where
 * the planner, knowing nothing of the temp table, would walk every customer. */
static int fill_fields(crm_db *db, long *filled, crm_error *err)
{
	int rc = CRM_OK;
	*filled = 0;
	for (size_t i = 0; i < sizeof merge_fields / sizeof *merge_fields && rc == CRM_OK; i++) {
		crm_sql q;
		long n = 0;
		const char *f = merge_fields[i]; /* one of ours: a column of customers */
		crm_sql_init(&q, db, NULL);
		crm_sql_addf(&q, "UPDATE customers SET %s = (SELECT d.%s FROM temp.merge_dups m JOIN"
			     " customers d ON d.cid = m.cid WHERE m.keep = customers.cid AND d.%s IS NOT"
			     " NULL ORDER BY m.seq LIMIT 1) WHERE %s IS NULL AND cid IN (SELECT m.keep"
			     " FROM temp.merge_dups m CROSS JOIN customers d ON d.cid = m.cid WHERE d.%s"
			     " IS NOT NULL)", f, f, f, f, f);
		rc = crm_sql_exec(&q, &n, err);
		crm_sql_free(&q);
		*filled += n;
	}
	return rc;
}

/* Each keep's custom attributes over its first duplicate's, those over the
 * next one's...: a recursive walk of all the groups at once. */
static int fill_attrs(crm_db *db, crm_error *err)
{
	return crm_db_exec(
		db,
		"DROP TABLE IF EXISTS temp.merge_attrs;"
		"CREATE TEMP TABLE merge_attrs AS WITH RECURSIVE a(keep, seq, v) AS ("
		" SELECT k.cid, 0, coalesce(k.attrs, '{}') FROM customers k"
		"  WHERE k.cid IN (SELECT keep FROM temp.merge_dups)"
		" UNION ALL SELECT a.keep, m.seq, json_patch(coalesce(d.attrs, '{}'), a.v) FROM a"
		"  JOIN temp.merge_dups m ON m.keep = a.keep AND m.seq = a.seq + 1"
		"  JOIN customers d ON d.cid = m.cid)"
		" SELECT keep, nullif(v, '{}') AS attrs FROM a"
		"  WHERE seq = (SELECT max(seq) FROM temp.merge_dups x WHERE x.keep = a.keep);"
		"UPDATE customers SET attrs = t.attrs FROM temp.merge_attrs t"
		" WHERE customers.cid = t.keep AND customers.attrs IS NOT t.attrs;"
		"DROP TABLE temp.merge_attrs",
		err);
}

/* A duplicate's tag goes to its keep unless keep has one of its group, or
 * an earlier duplicate brings one; of two taggings with one tag, the
 * earlier duplicate's. The select reads customer_tags whole before the
 * first insert, so "keep has" means before the merge. */
static int move_tags(crm_db *db, crm_error *err)
{
	return crm_db_exec(
		db,
		"INSERT OR IGNORE INTO customer_tags (cid, tid, source, tagged_at, expires_on)"
		" SELECT m.keep, ct.tid, ct.source, ct.tagged_at, ct.expires_on FROM temp.merge_dups m"
		" CROSS JOIN customer_tags ct ON ct.cid = m.cid JOIN tags t ON t.tid = ct.tid"
		" WHERE t.grp IS NULL OR (NOT EXISTS (SELECT 1 FROM customer_tags k JOIN tags kt"
		"  ON kt.tid = k.tid WHERE k.cid = m.keep AND kt.grp = t.grp)"
		"  AND NOT EXISTS (SELECT 1 FROM temp.merge_dups e JOIN customer_tags et ON et.cid = e.cid"
		"  JOIN tags ett ON ett.tid = et.tid WHERE e.keep = m.keep AND e.seq < m.seq"
		"  AND ett.grp = t.grp))"
		" ORDER BY m.keep, m.seq",
		err);
}

/* Events, notes and the history of grades move to their keep (a change of
 * grade on a day keep has one already stays behind and goes with its
 * customer). */
static int move_rows(crm_db *db, crm_error *err)
{
#define KEEP_OF(t) "(SELECT keep FROM temp.merge_dups m WHERE m.cid = " t ".cid)"
#define IS_DUP " WHERE cid IN (SELECT cid FROM temp.merge_dups)"
	static const char *const moves =
		"UPDATE events SET cid = " KEEP_OF("events") IS_DUP ";"
		"UPDATE notes SET cid = " KEEP_OF("notes") IS_DUP ";"
		"UPDATE note_deletions SET cid = " KEEP_OF("note_deletions") ", customer_id = (SELECT"
		" k.id FROM temp.merge_dups m JOIN customers k ON k.cid = m.keep WHERE m.cid ="
		" note_deletions.cid)" IS_DUP ";"
		"UPDATE OR IGNORE grade_history SET cid = " KEEP_OF("grade_history") IS_DUP;
#undef KEEP_OF
#undef IS_DUP
	int rc = crm_db_exec(db, moves, err);
	return rc == CRM_OK ? move_tags(db, err) : rc;
}

/* Merges temp.merge_dups; out (may be NULL) gets what is left of the
 * duplicates as they go. */
static int merge_apply(crm_db *db, crm_writer *out, crm_merge_counts *counts, crm_error *err)
{
	counts->events = crm_db_count(db, "SELECT count(*) FROM events WHERE cid IN"
				      " (SELECT cid FROM temp.merge_dups)");
	counts->notes = crm_db_count(db, "SELECT count(*) FROM notes WHERE cid IN"
				     " (SELECT cid FROM temp.merge_dups)");
	int rc = fill_fields(db, &counts->filled, err);
	if (rc == CRM_OK)
		rc = fill_attrs(db, err);
	if (rc == CRM_OK)
		rc = move_rows(db, err);
	if (rc == CRM_OK)
		rc = crm_alias_merged(db, err);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS erase_ids (cid INTEGER PRIMARY KEY);"
				 " DELETE FROM temp.erase_ids; INSERT INTO temp.erase_ids SELECT cid FROM"
				 " temp.merge_dups", err);
	if (rc == CRM_OK && out)
		rc = erase_report(db, out, err); /* what is left of them, to go */
	if (rc == CRM_OK)
		rc = erase_rows(db, &counts->erased, err);
	return rc;
}

int crm_merge(crm_db *db, const char *keep, const char *const *dups, size_t n, crm_writer *out,
	      crm_merge_counts *counts, crm_error *err)
{
	*counts = (crm_merge_counts){0};
	int rc = merge_set(db, keep, dups, n, err);
	if (rc == CRM_OK)
		rc = merge_apply(db, out, counts, err);
	counts->groups = rc == CRM_OK;
	return rc;
}

bool crm_merge_field_known(const char *field)
{
	return !strcmp(field, "phone") || !strcmp(field, "email") || !strcmp(field, "wechat_id") ||
	       !strcmp(field, "openid");
}

/* temp.merge_dups: in each group of customers sharing a value of field, the
 * oldest is keep and the others its duplicates, oldest first. The values
 * shared come first, walking the field's index without a sort, as
 * crm-segment --quality counts them. */
static int duplicates_set(crm_db *db, const char *field, crm_error *err)
{
	bool openid = !strcmp(field, "openid");
	/* field is one of crm_merge_field_known's, never user text */
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "INSERT INTO temp.merge_dups (cid, keep, seq, value) SELECT cid, keep, seq, v"
		    " FROM (SELECT c.cid, s.v, first_value(c.cid) OVER w AS keep,"
		    " row_number() OVER w - 1 AS seq FROM customers c JOIN (SELECT ");
	if (openid) {
		crm_sql_json_key(&q, "attrs", "openid");
		crm_sql_add(&q, " AS v FROM customers WHERE attrs IS NOT NULL AND ");
		crm_sql_json_key(&q, "attrs", "openid");
		crm_sql_add(&q, " IS NOT NULL GROUP BY v HAVING count(*) > 1) s ON c.attrs IS NOT NULL AND ");
		crm_sql_json_key(&q, "c.attrs", "openid");
		crm_sql_add(&q, " = s.v");
	} else {
		crm_sql_addf(&q, "%s AS v FROM customers WHERE %s IS NOT NULL GROUP BY v HAVING"
			     " count(*) > 1) s ON c.%s = s.v", field, field, field);
	}
	crm_sql_add(&q, " WINDOW w AS (PARTITION BY s.v ORDER BY c.created_at, c.cid)) WHERE seq > 0");
	int rc = merge_table(db, err);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* A record a group: field, value, keep, the duplicates oldest first. */
static int write_groups(crm_db *db, const char *field, crm_writer *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT value, keep_id, group_concat(dup_id, ';') FROM (SELECT"
			   " m.value, m.keep, k.id AS keep_id, d.id AS dup_id FROM temp.merge_dups m"
			   " JOIN customers k ON k.cid = m.keep JOIN customers d ON d.cid = m.cid"
			   " ORDER BY m.keep, m.seq) GROUP BY keep ORDER BY value, keep", err) != CRM_OK)
		return CRM_EDB;
	int rc = CRM_OK, step;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		crm_value row[4] = {{CRM_TEXT, field, strlen(field)}};
		for (int i = 0; i < 3; i++)
			row[i + 1] = (crm_value){i == 2 ? CRM_LIST : CRM_TEXT,
						 crm_stmt_text(st, i),
						 (size_t)crm_stmt_bytes(st, i)};
		rc = crm_writer_put(out, row, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

int crm_merge_duplicates(crm_db *db, const char *field, crm_writer *out, crm_merge_counts *counts,
			 crm_error *err)
{
	*counts = (crm_merge_counts){0};
	if (!crm_merge_field_known(field))
		return crm_error_set(err, CRM_EUSAGE, "'%s' is not a field duplicates are merged by"
				     " (phone, email, wechat_id, openid)", field);
	int rc = duplicates_set(db, field, err);
	if (rc == CRM_OK)
		rc = write_groups(db, field, out, err);
	counts->groups = crm_db_count(db, "SELECT count(DISTINCT keep) FROM temp.merge_dups");
	if (rc == CRM_OK && counts->groups > 0)
		rc = merge_apply(db, NULL, counts, err);
	return rc;
}
