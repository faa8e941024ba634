/* chosen.c: the chosen set: the customers given one by one (ids on the
 * command line, or a stream), kept in temp.chosen_ids, and the statements
 * that take them from there. */
#include <stdlib.h>

#include "domain/domain.h"

int crm_chosen_table(crm_db *db, crm_error *err)
{
	return crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS chosen_ids (cid INTEGER PRIMARY KEY)",
			   err);
}

crm_expr *crm_expr_chosen(crm_db *db)
{
	/* Made now, so that an empty selection is an empty table, not a missing one. */
	crm_chosen_table(db, NULL);
	return crm_expr_chosen_new(db);
}

/* The statements a stream of ids uses, prepared once for the connection. */
struct crm_chosen {
	crm_stmt *add, *has;
};

static void chosen_free(crm_db *db)
{
	crm_stmt_finalize(db->chosen->add);
	crm_stmt_finalize(db->chosen->has);
	free(db->chosen);
	db->chosen = NULL;
}

static struct crm_chosen *state(crm_db *db)
{
	if (!db->chosen) {
		db->chosen = crm_xmalloc(sizeof *db->chosen);
		*db->chosen = (struct crm_chosen){0};
		crm_db_on_close(db, chosen_free);
	}
	return db->chosen;
}

int crm_chosen_add(crm_db *db, const char *id, bool *known, crm_error *err)
{
	struct crm_chosen *s = state(db);
	if (!s->add &&
	    (crm_chosen_table(db, err) != CRM_OK ||
	     crm_db_prepare(db, &s->add, "INSERT OR IGNORE INTO temp.chosen_ids SELECT cid"
			    " FROM customers WHERE id = ?1", err) != CRM_OK))
		return CRM_EDB;
	crm_stmt *st = s->add;
	crm_stmt_bind_text(st, 1, id, -1);
	int rc = crm_stmt_step(st);
	*known = crm_db_changes(db) > 0;
	crm_stmt_reset(st);
	if (rc != CRM_DONE)
		return crm_db_fail(db, err, NULL);
	if (!*known) { /* a repeat of a known id is not unknown */
		if (crm_db_prepare(db, &st, "SELECT 1 FROM customers WHERE id = ?1", err) != CRM_OK)
			return CRM_EDB;
		crm_stmt_bind_text(st, 1, id, -1);
		*known = crm_stmt_step(st) == CRM_ROW;
		crm_stmt_finalize(st);
	}
	return CRM_OK;
}

/* Asked once a record passed through: the statement is prepared once. */
int crm_chosen_has(crm_db *db, const char *id, bool *has, crm_error *err)
{
	struct crm_chosen *s = state(db);
	if (!s->has &&
	    crm_db_prepare(db, &s->has, "SELECT 1 FROM temp.chosen_ids k JOIN customers c"
			   " ON c.cid = k.cid WHERE c.id = ?1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt *st = s->has;
	crm_stmt_bind_text(st, 1, id, -1);
	int step = crm_stmt_step(st);
	*has = step == CRM_ROW;
	crm_stmt_reset(st);
	return step == CRM_ROW || step == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

void crm_sql_chosen_cids(crm_sql *q, const crm_expr *where, crm_error *err, int *rc)
{
	if (crm_expr_is_chosen(where)) {
		crm_sql_add(q, "SELECT cid FROM ");
		crm_sql_temp(q, "chosen_ids");
		return;
	}
	crm_sql_add(q, "SELECT c.cid FROM customers c");
	if (where && *rc == CRM_OK) {
		crm_sql_add(q, " WHERE ");
		*rc = crm_expr_emit(where, q, err);
	}
}
