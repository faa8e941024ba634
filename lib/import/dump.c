/* dump.c: the whole database as NDJSON that crm-add restores losslessly: a
 * header line that names the format, then a line for each row of each kind
 * of kinds.c, in its order. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "import/import.h"

static int dump_line(FILE *out, json_t *obj, crm_error *err)
{
	int rc = json_dumpf(obj, out, JSON_COMPACT);
	json_decref(obj);
	if (rc != 0 || putc('\n', out) == EOF || ferror(out))
		return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
	return CRM_OK;
}

/* Adds column i of the row under name, leaving out NULLs. */
static void add_text(json_t *obj, const char *name, crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);
	if (s)
		json_object_set_new(obj, name, json_stringn(s, (size_t)crm_stmt_bytes(st, i)));
}

static void add_attrs(json_t *obj, crm_stmt *st, int i)
{
	const char *s = crm_stmt_text(st, i);
	json_t *attrs = s ? json_loads(s, 0, NULL) : NULL;
	if (attrs)
		json_object_set_new(obj, "attrs", attrs);
}

/* The rows of one kind, a line each. */
static int dump_kind(crm_db *db, const struct dump_kind *k, FILE *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, k->select, err) != CRM_OK)
		return CRM_EDB;
	int rc, status = CRM_OK;
	while (status == CRM_OK && (rc = crm_stmt_step(st)) == CRM_ROW) {
		json_t *obj = json_object();
		json_object_set_new(obj, "kind", json_string(k->kind));
		for (int i = 0; i < k->nfields; i++) {
			if (strcmp(k->fields[i], "amount") == 0 && !crm_stmt_is_null(st, i)) {
				char text[32];
				crm_format_amount(crm_stmt_int64(st, i), text, sizeof text);
				json_object_set_new(obj, "amount", json_string(text));
			} else {
				add_text(obj, k->fields[i], st, i);
			}
		}
		if (crm_stmt_column_count(st) > k->nfields)
			add_attrs(obj, st, k->nfields);
		status = dump_line(out, obj, err);
	}
	if (status == CRM_OK && rc != CRM_DONE)
		status = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return status;
}

int crm_dump(crm_db *db, const crm_clock *clock, FILE *out, crm_error *err)
{
	/* One read transaction: the dump is one moment, however long it takes. */
	if (crm_db_exec(db, "BEGIN", err) != CRM_OK)
		return CRM_EDB;
	json_t *header = json_pack("{s:i, s:i, s:s, s:s}", "crm_dump", DUMP_FORMAT, "schema",
				   crm_db_schema_version(db), "crm", CRM_VERSION, "as_of", clock->now);
	int rc = dump_line(out, header, err);
	for (int i = 0; rc == CRM_OK && i < DUMP_NKINDS; i++)
		if (crm_db_schema_version(db) >= dump_kinds[i].since)
			rc = dump_kind(db, &dump_kinds[i], out, err);
	crm_db_exec(db, "COMMIT", NULL);
	if (rc == CRM_OK && fflush(out) != 0)
		rc = crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno));
	return rc;
}
