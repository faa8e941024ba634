/* erase.c: erasure on request (the right to be forgotten) and the merging of
 * duplicates. Erased values must not stay in the file: secure_delete zeroes
 * what is deleted, the text index is rewritten without the erased notes, and
 * the write-ahead log is emptied into the file once the erasure commits. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
	*erased = rc == CRM_OK ? sqlite3_changes(db->sql) : 0;
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
	if (rc == CRM_OK && !dry_run)
		rc = crm_audit_erasing(db, crm_db_count(db, "SELECT count(*) FROM temp.erase_ids"), err);
	if (rc == CRM_OK && !dry_run)
		rc = erase_rows(db, erased, err);
	else if (rc == CRM_OK)
		*erased = crm_db_count(db, "SELECT count(*) FROM temp.erase_ids");
	return rc;
}

int crm_checkpoint(crm_db *db, crm_error *err)
{
	sqlite3_stmt *st;
	if (crm_db_prepare(db, &st, "PRAGMA wal_checkpoint(TRUNCATE)", err) != CRM_OK)
		return CRM_EDB;
	int busy = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
	sqlite3_finalize(st);
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

/* ---- merging duplicates ---- */

static const char *const merge_fields[] = {
	"name", "phone", "email", "wechat_id", "gender", "birthday", "city", "province", "source",
	"owner",
};

/* temp.merge_dups: the duplicates' cids in the order given (pos). */
static int merge_set(crm_db *db, const char *keep, const char *const *dups, size_t n,
		     sqlite3_int64 *keep_cid, crm_error *err)
{
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS merge_dups (pos INTEGER PRIMARY KEY,"
			     " cid INTEGER UNIQUE); DELETE FROM temp.merge_dups", err);
	sqlite3_stmt *find = NULL, *add = NULL;
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &find, "SELECT cid FROM customers WHERE id = ?1", err);
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &add, "INSERT INTO temp.merge_dups (pos, cid) VALUES (?1, ?2)", err);
	for (size_t i = 0; i <= n && rc == CRM_OK; i++) {
		const char *id = i == 0 ? keep : dups[i - 1];
		sqlite3_reset(find);
		sqlite3_bind_text(find, 1, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(find) != SQLITE_ROW) {
			rc = crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
			break;
		}
		sqlite3_int64 cid = sqlite3_column_int64(find, 0);
		if (i == 0) {
			*keep_cid = cid;
			continue;
		}
		sqlite3_reset(add);
		sqlite3_bind_int64(add, 1, (sqlite3_int64)i);
		sqlite3_bind_int64(add, 2, cid);
		if (cid == *keep_cid || sqlite3_step(add) != SQLITE_DONE)
			rc = crm_error_set(err, CRM_EUSAGE, "'%s' is given twice", id);
	}
	sqlite3_finalize(find);
	sqlite3_finalize(add);
	return rc;
}

/* Runs sql with ?1 the cid KEEP, ?2 the value given (a number or text). */
static int run_for_keep(crm_db *db, const char *sql, sqlite3_int64 keep, sqlite3_int64 number,
			const char *text, crm_error *err)
{
	sqlite3_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	sqlite3_bind_int64(st, 1, keep);
	if (sqlite3_bind_parameter_count(st) >= 2 && text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, number);
	int rc = sqlite3_step(st) == SQLITE_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	sqlite3_finalize(st);
	return rc;
}

/* KEEP's empty fields from the first duplicate that has one, its custom
 * attributes likewise; *filled: how many fields. */
static int fill_fields(crm_db *db, sqlite3_int64 keep, long *filled, crm_error *err)
{
	int rc = CRM_OK;
	*filled = 0;
	for (size_t i = 0; i < sizeof merge_fields / sizeof *merge_fields && rc == CRM_OK; i++) {
		crm_sql q;
		long n = 0;
		crm_sql_init(&q, db, NULL);
		crm_sql_addf(&q, "UPDATE customers SET %s = (SELECT d.%s FROM temp.merge_dups m JOIN"
			     " customers d ON d.cid = m.cid WHERE d.%s IS NOT NULL ORDER BY m.pos LIMIT 1)"
			     " WHERE cid = ", merge_fields[i], merge_fields[i], merge_fields[i]);
		crm_sql_int(&q, keep);
		crm_sql_addf(&q, " AND %s IS NULL AND EXISTS (SELECT 1 FROM temp.merge_dups m JOIN"
			     " customers d ON d.cid = m.cid WHERE d.%s IS NOT NULL)", merge_fields[i],
			     merge_fields[i]);
		rc = crm_sql_exec(&q, &n, err);
		crm_sql_free(&q);
		*filled += n;
	}
	/* the first duplicate's attributes under KEEP's, then the next one's... */
	if (rc == CRM_OK)
		rc = run_for_keep(db, "UPDATE customers SET attrs = (WITH RECURSIVE a(pos, v) AS (SELECT 0,"
				  " coalesce(attrs, '{}') FROM customers WHERE cid = ?1 UNION ALL SELECT"
				  " m.pos, json_patch(coalesce(d.attrs, '{}'), a.v) FROM a JOIN"
				  " temp.merge_dups m ON m.pos = a.pos + 1 JOIN customers d ON d.cid = m.cid)"
				  " SELECT nullif(v, '{}') FROM a ORDER BY pos DESC LIMIT 1) WHERE cid = ?1",
				  keep, 0, NULL, err);
	return rc;
}

/* A duplicate's tag goes to KEEP unless KEEP has one of its group. */
static int move_tags(crm_db *db, sqlite3_int64 keep, crm_error *err)
{
	long dups = crm_db_count(db, "SELECT count(*) FROM temp.merge_dups");
	int rc = CRM_OK;
	for (long pos = 1; pos <= dups && rc == CRM_OK; pos++)
		rc = run_for_keep(db, "INSERT OR IGNORE INTO customer_tags (cid, tid, source, tagged_at,"
				  " expires_on) SELECT ?1, ct.tid, ct.source, ct.tagged_at, ct.expires_on"
				  " FROM customer_tags ct JOIN tags t ON t.tid = ct.tid WHERE ct.cid = (SELECT"
				  " cid FROM temp.merge_dups WHERE pos = ?2) AND NOT (t.grp IS NOT NULL AND"
				  " EXISTS (SELECT 1 FROM customer_tags k JOIN tags kt ON kt.tid = k.tid"
				  " WHERE k.cid = ?1 AND kt.grp = t.grp))", keep, pos, NULL, err);
	return rc;
}

/* Events, notes and the history of grades move to KEEP (a change of grade
 * on a day KEEP has one already stays behind and goes with its customer). */
static int move_rows(crm_db *db, sqlite3_int64 keep, const char *keep_id, crm_error *err)
{
	static const char *const moves[] = {
		"UPDATE events SET cid = ?1 WHERE cid IN (SELECT cid FROM temp.merge_dups)",
		"UPDATE notes SET cid = ?1 WHERE cid IN (SELECT cid FROM temp.merge_dups)",
		("UPDATE note_deletions SET cid = ?1, customer_id = ?2 WHERE cid IN (SELECT cid FROM"
		 " temp.merge_dups)"),
		"UPDATE OR IGNORE grade_history SET cid = ?1 WHERE cid IN (SELECT cid FROM temp.merge_dups)",
	};
	int rc = CRM_OK;
	for (size_t i = 0; i < sizeof moves / sizeof *moves && rc == CRM_OK; i++)
		rc = run_for_keep(db, moves[i], keep, 0, keep_id, err);
	return rc == CRM_OK ? move_tags(db, keep, err) : rc;
}

int crm_merge(crm_db *db, const char *keep, const char *const *dups, size_t n, crm_writer *out,
	      crm_merge_counts *counts, crm_error *err)
{
	*counts = (crm_merge_counts){0};
	sqlite3_int64 keep_cid = 0;
	int rc = merge_set(db, keep, dups, n, &keep_cid, err);
	if (rc == CRM_OK) {
		counts->events = crm_db_count(db, "SELECT count(*) FROM events WHERE cid IN"
					      " (SELECT cid FROM temp.merge_dups)");
		counts->notes = crm_db_count(db, "SELECT count(*) FROM notes WHERE cid IN"
					     " (SELECT cid FROM temp.merge_dups)");
		rc = fill_fields(db, keep_cid, &counts->filled, err);
	}
	if (rc == CRM_OK)
		rc = move_rows(db, keep_cid, keep, err);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS erase_ids (cid INTEGER PRIMARY KEY);"
				 " DELETE FROM temp.erase_ids; INSERT INTO temp.erase_ids SELECT cid FROM"
				 " temp.merge_dups", err);
	if (rc == CRM_OK)
		rc = erase_report(db, out, err); /* what is left of them, to go */
	if (rc == CRM_OK)
		rc = erase_rows(db, &counts->erased, err);
	return rc;
}
