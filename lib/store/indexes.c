/* indexes.c: a table's indexes set aside for a bulk load and built again. */
#include <sqlite3.h>

#include "store/store.h"

int crm_db_indexes_aside(crm_db *db, const char *table, crm_buf *rebuild, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
			   " AND tbl_name = ?1 AND sql IS NOT NULL AND name IN (SELECT name"
			   " FROM pragma_index_list(?1) WHERE NOT \"unique\")", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, table, -1);
	int rc = CRM_OK;
	crm_buf drop = {0};
	while (crm_stmt_step(st) == CRM_ROW) {
		char *sql = sqlite3_mprintf("DROP INDEX \"%w\";", crm_stmt_text(st, 0));
		crm_buf_adds(&drop, sql);
		sqlite3_free(sql);
		crm_buf_printf(rebuild, "%s;", crm_stmt_text(st, 1));
	}
	crm_stmt_finalize(st);
	if (drop.len)
		rc = crm_db_exec(db, drop.p, err);
	crm_buf_free(&drop);
	return rc;
}
