/* names.c: things found by their name in a catalog (tags, tag rules, score
 * models, note categories), with one lookup and one way of saying that a
 * name is not there. */
#include "store/store.h"

static const struct catalog {
	const char *what;
	const char *sql;  /* the number of the thing named ?1, no row when none */
	const char *hint; /* the command that lists them */
} catalogs[] = {
	[CRM_CATALOG_TAG] = {"tag", "SELECT tid FROM tags WHERE name = ?1", "crm-tag --list"},
	[CRM_CATALOG_RULE] = {"rule", "SELECT 1 FROM tag_rules WHERE name = ?1", "crm-tag --rules"},
	[CRM_CATALOG_MODEL] = {"model", "SELECT 1 FROM models WHERE name = ?1", "crm-score --models"},
	[CRM_CATALOG_NOTE_CATEGORY] = {"category", "SELECT 1 FROM note_categories WHERE name = ?1",
				       "crm-note --categories"},
};

int crm_name_find(crm_db *db, enum crm_catalog in, const char *name, int64_t *id, crm_error *err)
{
	crm_stmt *st;
	*id = 0;
	if (crm_db_prepare(db, &st, catalogs[in].sql, err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW)
		*id = crm_stmt_int64(st, 0);
	crm_stmt_finalize(st);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_name_need(crm_db *db, enum crm_catalog in, const char *name, int64_t *id, crm_error *err)
{
	if (crm_name_find(db, in, name, id, err) != CRM_OK)
		return CRM_EDB;
	return *id ? CRM_OK : crm_name_missing(in, name, err);
}

int crm_name_missing(enum crm_catalog in, const char *name, crm_error *err)
{
	return crm_error_set(err, CRM_EDATA, "no %s '%s' (%s)", catalogs[in].what, name,
			     catalogs[in].hint);
}
