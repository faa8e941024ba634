/* stmt.c: the seam's SQLite side. A crm_stmt is SQLite's statement under
 * another name: the layers above see the type, never the library. */
#include <sqlite3.h>

#include "store/store.h"

static sqlite3_stmt *raw(crm_stmt *st)
{
	return (sqlite3_stmt *)st;
}

enum crm_step crm_stmt_step(crm_stmt *st)
{
	/* The connection gives extended codes (SQLITE_CONSTRAINT_NOTNULL): the
	 * low byte is the kind. */
	switch (sqlite3_step(raw(st)) & 0xff) {
	case SQLITE_ROW:
		return CRM_ROW;
	case SQLITE_DONE:
		return CRM_DONE;
	case SQLITE_CONSTRAINT:
		return CRM_STEP_CONSTRAINT;
	default:
		return CRM_STEP_FAILED;
	}
}

void crm_stmt_reset(crm_stmt *st)
{
	sqlite3_reset(raw(st));
}

void crm_stmt_finalize(crm_stmt *st)
{
	sqlite3_finalize(raw(st));
}

void crm_stmt_bind_text(crm_stmt *st, int i, const char *s, int len)
{
	sqlite3_bind_text(raw(st), i, s, len, SQLITE_STATIC);
}

void crm_stmt_bind_text_copy(crm_stmt *st, int i, const char *s, int len)
{
	sqlite3_bind_text(raw(st), i, s, len, SQLITE_TRANSIENT);
}

void crm_stmt_bind_text_or_null(crm_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(raw(st), i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(raw(st), i);
}

void crm_stmt_bind_int64(crm_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(raw(st), i, v);
}

void crm_stmt_bind_double(crm_stmt *st, int i, double v)
{
	sqlite3_bind_double(raw(st), i, v);
}

void crm_stmt_bind_null(crm_stmt *st, int i)
{
	sqlite3_bind_null(raw(st), i);
}

void crm_stmt_bind_blob_copy(crm_stmt *st, int i, const void *p, int len)
{
	sqlite3_bind_blob(raw(st), i, p, len, SQLITE_TRANSIENT);
}

int crm_stmt_param_count(crm_stmt *st)
{
	return sqlite3_bind_parameter_count(raw(st));
}

int crm_stmt_column_count(crm_stmt *st)
{
	return sqlite3_column_count(raw(st));
}

const char *crm_stmt_text(crm_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(raw(st), col);
}

int64_t crm_stmt_int64(crm_stmt *st, int col)
{
	return sqlite3_column_int64(raw(st), col);
}

int crm_stmt_int(crm_stmt *st, int col)
{
	return sqlite3_column_int(raw(st), col);
}

double crm_stmt_double(crm_stmt *st, int col)
{
	return sqlite3_column_double(raw(st), col);
}

const void *crm_stmt_blob(crm_stmt *st, int col)
{
	return sqlite3_column_blob(raw(st), col);
}

int crm_stmt_bytes(crm_stmt *st, int col)
{
	return sqlite3_column_bytes(raw(st), col);
}

bool crm_stmt_is_null(crm_stmt *st, int col)
{
	return sqlite3_column_type(raw(st), col) == SQLITE_NULL;
}

crm_type crm_stmt_type(crm_stmt *st, int col)
{
	switch (sqlite3_column_type(raw(st), col)) {
	case SQLITE_NULL:
		return CRM_NULL;
	case SQLITE_INTEGER:
		return CRM_INT;
	case SQLITE_FLOAT:
		return CRM_REAL;
	default:
		return CRM_TEXT;
	}
}

long crm_db_changes(crm_db *db)
{
	return sqlite3_changes(db->sql);
}

int64_t crm_db_last_id(crm_db *db)
{
	return sqlite3_last_insert_rowid(db->sql);
}

void crm_db_random(crm_db *db, void *out, size_t n)
{
	(void)db;
	sqlite3_randomness((int)n, out);
}
