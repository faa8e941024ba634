/* restore.c: the records of a dump (crm-export --dump) other than customers
 * and events, stored back as kinds.c says, so that dumping the restored
 * database gives the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "import.h"

bool crm_record_is_dump_header(const crm_record *rec)
{
	return crm_record_get(rec, "crm_dump") != NULL;
}

bool crm_import_is_restore(const crm_import *imp)
{
	return imp->restore;
}

int import_restore_start(struct crm_import *imp, const crm_record *in, crm_error *err)
{
	const crm_value *v = crm_record_get(in, "crm_dump");
	if (!v->s || atoi(v->s) < 1 || atoi(v->s) > DUMP_FORMAT)
		return crm_error_set(err, CRM_EDATA,
				     "a dump of format %s, which this crm cannot read (it reads %d)",
				     v->s ? v->s : "null", DUMP_FORMAT);
	imp->restore = true;
	return CRM_OK;
}

void crm_import_restored(const crm_import *imp, long counts[CRM_RESTORE_KINDS])
{
	for (int i = 0; i < CRM_RESTORE_KINDS; i++)
		counts[i] = imp->restored[dump_kind_named(crm_restore_kinds[i]) - dump_kinds];
}

static const char *text_of(const crm_record *in, const char *name)
{
	const crm_value *v = crm_record_get(in, name);
	return v && v->s ? v->s : NULL;
}

/* A dump's custom_field line: the catalog, in its order, with its times. */
static int restore_field(struct crm_import *imp, const crm_record *in, crm_error *err)
{
	const crm_value *of = crm_record_get(in, "of"), *name = crm_record_get(in, "name");
	const crm_value *added = crm_record_get(in, "added_at");
	enum crm_kind kind;
	if (!of || !of->s || !name || !name->s || crm_kind_parse(of->s, &kind) != CRM_OK ||
	    crm_field_name_check(name->s, NULL) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "custom_field: needs 'of' (customer or event)"
				     " and a valid 'name'");
	const crm_clock *given = imp->opts.clock;
	crm_clock at = *given;
	if (added && added->s)
		snprintf(at.now, sizeof at.now, "%s", added->s);
	imp->opts.clock = &at;
	int rc = import_register_field(imp, kind, name->s, err);
	imp->opts.clock = given;
	return rc;
}

/* Runs the kind's statement, binding the record's fields in order:
 * CRM_EDATA with no message when it changed nothing. */
static int restore_row(struct crm_import *imp, const struct dump_kind *k, const crm_record *in,
		       crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st, k->insert, err) != CRM_OK)
		return CRM_EDB;
	for (int i = 0; i < k->nfields; i++)
		crm_stmt_bind_text_or_null(st, i + 1, text_of(in, k->fields[i]));
	int rc = crm_stmt_step(st);
	int changed = crm_db_changes(imp->db);
	crm_stmt_finalize(st);
	if (rc == CRM_STEP_CONSTRAINT) /* a value the schema refuses: the record's fault */
		return crm_db_refused(imp->db, err);
	if (rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return changed ? CRM_OK : CRM_EDATA;
}

/* A dump's suppression key: the database's own when it has none. Hashes made
 * under another key name nobody here, so a database with its own key cannot
 * take another's list: the record is refused (restore into a new database). */
static int restore_key(struct crm_import *imp, const struct dump_kind *k, const crm_record *in,
		       crm_error *err)
{
	int rc = restore_row(imp, k, in, err);
	if (rc != CRM_EDATA || err->msg[0])
		return rc;
	long same = crm_db_count_text(imp->db, "SELECT count(*) FROM suppression_key"
				      " WHERE key = crm_unhex(?1)", text_of(in, "key"));
	if (same > 0)
		return CRM_OK; /* the same key: a restore into the database it came from */
	if (same < 0)
		return crm_db_fail(imp->db, err, NULL);
	return crm_error_set(err, CRM_EDATA, "suppression_key: this database keeps its own suppression"
			     " list, under another key: restore the dump into a new database");
}

/* Why a record changed nothing: "tagging: no customer 'C1' or tag 'VIP'". */
static int missing(const struct dump_kind *k, const crm_record *in, crm_error *err)
{
	if (!k->missing[0])
		return crm_error_set(err, CRM_EDATA, "%s: a record with missing fields", k->kind);
	crm_buf rows = {0};
	for (int i = 0; i < 4 && k->missing[i]; i += 2) {
		const char *name = text_of(in, k->missing[i + 1]);
		crm_buf_printf(&rows, "%s%s '%s'", i ? " or " : "", k->missing[i], name ? name : "");
	}
	crm_error_set(err, CRM_EDATA, "%s: no %s", k->kind, rows.p);
	crm_buf_free(&rows);
	return CRM_EDATA;
}

int import_restore(struct crm_import *imp, const struct dump_kind *k, const crm_record *in,
		   crm_error *err)
{
	if (k->after_events && import_events_pending(imp) && import_events_flush(imp, err) != CRM_OK)
		return err->code;
	int rc = k->read == READ_FIELD ? restore_field(imp, in, err)
	       : k->read == READ_KEY ? restore_key(imp, k, in, err) : restore_row(imp, k, in, err);
	if (rc == CRM_EDATA && !err->msg[0])
		rc = k->may_be_there ? CRM_OK : missing(k, in, err);
	if (rc == CRM_OK)
		imp->restored[k - dump_kinds]++;
	return rc;
}
