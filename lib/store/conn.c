/* conn.c: the connection's primitives that every file of store/ stands on:
 * preparing, running, counting, and SQLite's errors said as a person reads
 * them. db.c opens and closes; audit.c and the rest only run statements. */
#include <sqlite3.h>
#include <string.h>

#include "store/store.h"

int crm_db_fail(crm_db *db, crm_error *err, const char *what)
{
	const char *reason = db && db->sql ? sqlite3_errmsg(db->sql) : "out of memory";
	int code = db && db->sql ? sqlite3_extended_errcode(db->sql) : SQLITE_NOMEM;
	const char *path = db ? db->path : "database";
	if ((code & 0xff) == SQLITE_NOTADB)
		return crm_error_set(err, CRM_EDB, "%s: not a database", path);
	if ((code & 0xff) == SQLITE_READONLY)
		return crm_error_set(err, CRM_EDB, "%s: database is read-only", path);
	if ((code & 0xff) == SQLITE_BUSY)
		return crm_error_set(err, CRM_EDB, "%s: another command kept the database busy for %d s,"
				     " the longest this one waits (CRM_BUSY_TIMEOUT sets it)", path,
				     db->busy_ms / 1000);
	if ((code & 0xff) == SQLITE_FULL)
		return crm_error_set(err, CRM_EDB, "%s: no room: the disk is full, or the database has"
				     " reached db.max_size (crm-segment --config db.max_size)", path);
	/* A pattern that cannot be matched is the user's input, not the database's. */
	if ((code & 0xff) == SQLITE_ERROR && strstr(reason, "regular expression"))
		return crm_error_set(err, CRM_EDATA, "%s", reason);
	if (what)
		return crm_error_set(err, CRM_EDB, "%s: %s: %s", path, what, reason);
	return crm_error_set(err, CRM_EDB, "%s: %s", path, reason);
}

int crm_db_refused(crm_db *db, crm_error *err)
{
	return crm_error_set(err, CRM_EDATA, "%s", sqlite3_errmsg(db->sql));
}

int crm_db_prepare(crm_db *db, crm_stmt **st, const char *sql, crm_error *err)
{
	if (sqlite3_prepare_v2(db->sql, sql, -1, (sqlite3_stmt **)st, NULL) != SQLITE_OK)
		return crm_db_fail(db, err, NULL);
	return CRM_OK;
}

int crm_db_exec(crm_db *db, const char *sql, crm_error *err)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return crm_db_fail(db, err, NULL);
	return CRM_OK;
}

long crm_db_count(crm_db *db, const char *sql)
{
	return crm_db_count_text(db, sql, NULL);
}

/* The same, with one text bound to ?1 (when the statement has a parameter). */
long crm_db_count_text(crm_db *db, const char *sql, const char *text)
{
	crm_stmt *st;
	long n = -1;
	if (crm_db_prepare(db, &st, sql, NULL) != CRM_OK)
		return n;
	if (crm_stmt_param_count(st) > 0)
		crm_stmt_bind_text_or_null(st, 1, text);
	if (crm_stmt_step(st) == CRM_ROW)
		n = (long)crm_stmt_int64(st, 0);
	crm_stmt_finalize(st);
	return n;
}
