/* export.c: customers and events out, in the order they were stored. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct crm_export {
	crm_db *db;
	crm_fields *fields;
	sqlite3_stmt *one;
	sqlite3_stmt *exists;
	crm_value *values;
};

static int custom_count(const crm_fields *f)
{
	int n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->f[i].source == CRM_FIELD_CUSTOM;
	return n;
}

/* SELECT list and FROM for fields; where and order are added by the caller. */
static void select_sql(const crm_fields *f, crm_buf *sql)
{
	crm_buf_adds(sql, "SELECT ");
	crm_fields_sql(f, sql);
	if (f->kind == CRM_CUSTOMERS)
		crm_buf_adds(sql, " FROM customers c");
	else
		crm_buf_adds(sql, " FROM events e JOIN customers c ON c.cid = e.cid");
}

static int write_rows(crm_db *db, crm_fields *f, sqlite3_stmt *st, crm_writer *out,
		      long *rows, crm_error *err)
{
	crm_value *values = crm_xmalloc((f->n + 1) * sizeof *values);
	int rc, status = CRM_OK;
	*rows = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		crm_fields_row(f, st, values);
		if ((status = crm_writer_put(out, values, err)) != CRM_OK)
			break;
		(*rows)++;
	}
	free(values);
	if (status == CRM_OK && rc != SQLITE_DONE)
		status = crm_db_fail(db, err, NULL);
	return status;
}

int crm_export_all(crm_db *db, const crm_fields *fields, const crm_clock *clock,
		   crm_writer *out, crm_error *err)
{
	crm_fields *f = (crm_fields *)fields;
	crm_buf sql = {0};
	select_sql(f, &sql);
	/* Both walk the table in rowid order: no sort, no index. */
	if (f->kind == CRM_CUSTOMERS)
		crm_buf_adds(&sql, " ORDER BY c.cid");
	else
		crm_buf_adds(&sql, " WHERE e.ts < ?2 ORDER BY e.eid");
	sqlite3_stmt *st;
	int rc = crm_db_prepare(db, &st, sql.p, err);
	crm_buf_free(&sql);
	if (rc != CRM_OK)
		return rc;
	crm_fields_bind(f, st, clock);
	long rows;
	rc = write_rows(db, f, st, out, &rows, err);
	sqlite3_finalize(st);
	return rc;
}

int crm_export_new(crm_export **out, crm_db *db, const crm_fields *fields,
		   const crm_clock *clock, crm_error *err)
{
	*out = NULL;
	crm_export *ex = calloc(1, sizeof *ex);
	if (!ex)
		return crm_error_set(err, CRM_EDB, "out of memory");
	ex->db = db;
	ex->fields = (crm_fields *)fields;
	crm_buf sql = {0};
	select_sql(fields, &sql);
	int id_param = 3 + custom_count(fields);
	if (fields->kind == CRM_CUSTOMERS)
		crm_buf_printf(&sql, " WHERE c.id = ?%d", id_param);
	else
		crm_buf_printf(&sql, " WHERE c.id = ?%d AND e.ts < ?2 ORDER BY e.eid", id_param);
	int rc = crm_db_prepare(db, &ex->one, sql.p, err);
	crm_buf_free(&sql);
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &ex->exists, "SELECT 1 FROM customers WHERE id = ?1", err);
	if (rc != CRM_OK) {
		crm_export_free(ex);
		return rc;
	}
	crm_fields_bind(fields, ex->one, clock);
	*out = ex;
	return CRM_OK;
}

void crm_export_free(crm_export *ex)
{
	if (!ex)
		return;
	sqlite3_finalize(ex->one);
	sqlite3_finalize(ex->exists);
	free(ex);
}

static bool customer_exists(crm_export *ex, const char *id)
{
	sqlite3_reset(ex->exists);
	sqlite3_bind_text(ex->exists, 1, id, -1, SQLITE_TRANSIENT);
	bool found = sqlite3_step(ex->exists) == SQLITE_ROW;
	sqlite3_reset(ex->exists);
	return found;
}

int crm_export_one(crm_export *ex, const char *id, crm_writer *out, crm_error *err)
{
	sqlite3_stmt *st = ex->one;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 3 + custom_count(ex->fields), id, -1, SQLITE_TRANSIENT);
	long rows;
	int rc = write_rows(ex->db, ex->fields, st, out, &rows, err);
	sqlite3_reset(st);
	if (rc == CRM_OK && rows == 0 &&
	    (ex->fields->kind == CRM_CUSTOMERS || !customer_exists(ex, id)))
		return crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
	return rc;
}
