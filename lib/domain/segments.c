/* segments.c: saved segments, and who enters and leaves them. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

const char *const crm_segment_list_columns[5] = {
	"name", "description", "expr", "customers", "snapshot_at",
};

static int check_name(const char *name, crm_error *err)
{
	size_t len = strlen(name);
	if (len == 0 || len > 64)
		return crm_error_set(err, CRM_EUSAGE, "a segment name has 1 to 64 bytes");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return crm_error_set(err, CRM_EUSAGE, "a segment name cannot hold control characters");
	return CRM_OK;
}

int crm_segment_save(crm_db *db, const char *name, const char *expr, const char *description,
		     const crm_clock *clock, crm_error *err)
{
	if (check_name(name, err) != CRM_OK)
		return CRM_EUSAGE;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	/* Saved first, then checked: a segment that uses itself is found so. */
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st,
				"INSERT INTO segments (name, expr, description, created_at, updated_at)"
				" VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE SET"
				" expr = excluded.expr, description = coalesce(excluded.description,"
				" description), updated_at = excluded.updated_at", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, name, -1);
		crm_stmt_bind_text(st, 2, expr, -1);
		crm_stmt_bind_text_or_null(st, 3, description);
		crm_stmt_bind_text(st, 4, clock->now, -1);
		if (crm_stmt_step(st) != CRM_DONE)
			rc = crm_db_fail(db, err, NULL);
		crm_stmt_finalize(st);
	}
	crm_expr *e = NULL;
	if (rc == CRM_OK)
		rc = crm_expr_new(&e, db, expr, err);
	crm_expr_free(e);
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

/* The saved segments whose expressions name this one. */
static int users_of(crm_db *db, const char *name, crm_buf *users, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT name, expr FROM segments WHERE name <> ?1 ORDER BY name", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	while (crm_stmt_step(st) == CRM_ROW) {
		const char *other = crm_stmt_text(st, 0);
		const char *expr = crm_stmt_text(st, 1);
		if (crm_expr_text_uses_segment(expr, name))
			crm_buf_printf(users, "%s'%s'", users->len ? ", " : "", other);
	}
	crm_stmt_finalize(st);
	return CRM_OK;
}

int crm_segment_delete(crm_db *db, const char *name, crm_error *err)
{
	char *text;
	if (crm_segment_expr(db, name, &text, err) != CRM_OK)
		return CRM_EDATA;
	free(text);
	crm_buf users = {0};
	int rc = users_of(db, name, &users, err);
	if (rc == CRM_OK && users.len)
		rc = crm_error_set(err, CRM_EDATA, "segment '%s' is used by %s: delete or change those first",
				   name, users.p);
	crm_buf_free(&users);
	if (rc != CRM_OK || (rc = crm_db_begin(db, err)) != CRM_OK)
		return rc;
	crm_stmt *st;
	rc = crm_db_prepare(db, &st, "DELETE FROM segments WHERE name = ?1", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, name, -1);
		if (crm_stmt_step(st) != CRM_DONE)
			rc = crm_db_fail(db, err, NULL);
		crm_stmt_finalize(st);
	}
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

/* How many customers are in a segment now. */
static int count_members(crm_db *db, const char *name, const crm_clock *clock, long *n,
			 crm_error *err)
{
	crm_expr *e;
	if (crm_expr_segment(&e, db, name, err) != CRM_OK)
		return CRM_EDATA;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT count(*) FROM customers c WHERE ");
	int rc = crm_expr_emit(e, &q, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK) {
		if (crm_stmt_step(st) == CRM_ROW)
			*n = (long)crm_stmt_int64(st, 0);
		else
			rc = crm_db_fail(db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	crm_expr_free(e);
	return rc;
}

int crm_segment_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT name, description, expr, snapshot_at FROM segments ORDER BY name",
			   err))
		return CRM_EDB;
	int rc = CRM_OK;
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		const char *text[4];
		for (int i = 0; i < 4; i++)
			text[i] = crm_stmt_text(st, i);
		long n = 0;
		char count[32];
		crm_error e;
		bool broken = count_members(db, text[0], clock, &n, &e) != CRM_OK;
		snprintf(count, sizeof count, "%ld", n);
		crm_value row[5] = {
			{CRM_TEXT, text[0], strlen(text[0])},
			{text[1] ? CRM_TEXT : CRM_NULL, text[1], text[1] ? strlen(text[1]) : 0},
			{CRM_TEXT, text[2], strlen(text[2])},
			{broken ? CRM_NULL : CRM_INT, broken ? NULL : count, broken ? 0 : strlen(count)},
			{text[3] ? CRM_TEXT : CRM_NULL, text[3], text[3] ? strlen(text[3]) : 0},
		};
		rc = crm_writer_put(out, row, err);
	}
	crm_stmt_finalize(st);
	return rc;
}

/* Writes customers chosen by a condition (SQL from our code, with the segment
 * name bound), each with its change mark first. */
static int write_changes(crm_db *db, const crm_fields *fields, const crm_clock *clock,
			 const char *mark, const char *condition, const char *name,
			 crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT ");
	int rc = crm_fields_sql(fields, &q, err);
	crm_sql_add(&q, " FROM customers c WHERE ");
	crm_sql_add(&q, condition);
	crm_sql_text(&q, name);
	crm_sql_add(&q, ") ORDER BY c.cid");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	crm_fields *f = (crm_fields *)fields;
	crm_value *values = crm_xmalloc((f->n + 2) * sizeof *values);
	values[0] = (crm_value){CRM_TEXT, mark, 1};
	int step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		crm_fields_row(f, st, values + 1);
		rc = crm_writer_put(out, values, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	free(values);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

static int snapshot_now(crm_db *db, const char *name, const crm_clock *clock, crm_error *err)
{
	crm_expr *e;
	if (crm_expr_segment(&e, db, name, err) != CRM_OK)
		return CRM_EDATA;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO temp.diff_now SELECT c.cid FROM customers c WHERE ");
	int rc = crm_expr_emit(e, &q, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "CREATE TEMP TABLE diff_now (cid INTEGER PRIMARY KEY)", err);
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	crm_expr_free(e);
	return rc;
}

static int move_snapshot(crm_db *db, const char *name, const crm_clock *clock, crm_error *err)
{
	static const char *const steps[] = {
		"DELETE FROM segment_members WHERE segment = ?1",
		"INSERT INTO segment_members (segment, cid) SELECT ?1, cid FROM temp.diff_now",
		"UPDATE segments SET snapshot_at = ?2 WHERE name = ?1",
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		crm_stmt *st;
		if (crm_db_prepare(db, &st, steps[i], err) != CRM_OK)
			return CRM_EDB;
		crm_stmt_bind_text(st, 1, name, -1);
		if (crm_stmt_param_count(st) > 1)
			crm_stmt_bind_text(st, 2, clock->now, -1);
		int rc = crm_stmt_step(st);
		crm_stmt_finalize(st);
		if (rc != CRM_DONE)
			return crm_db_fail(db, err, NULL);
	}
	return CRM_OK;
}

int crm_segment_diff(crm_db *db, const char *name, const crm_fields *fields,
		     const crm_clock *clock, crm_writer *out, crm_error *err)
{
	int rc = snapshot_now(db, name, clock, err);
	if (rc == CRM_OK)
		rc = write_changes(db, fields, clock, "+",
				   "c.cid IN (SELECT cid FROM temp.diff_now) AND c.cid NOT IN"
				   " (SELECT cid FROM segment_members WHERE segment = ", name, out, err);
	if (rc == CRM_OK)
		rc = write_changes(db, fields, clock, "-",
				   "c.cid NOT IN (SELECT cid FROM temp.diff_now) AND c.cid IN"
				   " (SELECT cid FROM segment_members WHERE segment = ", name, out, err);
	if (rc == CRM_OK)
		rc = move_snapshot(db, name, clock, err);
	crm_db_exec(db, "DROP TABLE IF EXISTS temp.diff_now", NULL);
	return rc;
}
