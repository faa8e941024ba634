/* catalog.c: what an expression names that the database holds: saved
 * segments' texts. */
#include "expr/expr.h"

int crm_segment_expr(crm_db *db, const char *name, char **text, crm_error *err)
{
	crm_stmt *st;
	*text = NULL;
	if (crm_db_prepare(db, &st, "SELECT expr FROM segments WHERE name = ?1", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW)
		*text = crm_xstrdup(crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	if (rc == CRM_ROW)
		return CRM_OK;
	if (rc == CRM_DONE)
		return crm_error_set(err, CRM_EDATA, "no saved segment '%s' (crm-segment --list)", name);
	return crm_db_fail(db, err, NULL);
}
