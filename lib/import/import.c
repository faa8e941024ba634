/* import.c: crm-add's transaction, the mapping of input columns to fields,
 * and each record sent where it goes: customers.c, events.c, or for the
 * other kinds of a dump, restore.c. */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* ---- mapping input columns to fields ---- */

static void map_clear(struct import_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->names[i]);
		free(m->canon[i]);
	}
	free(m->names);
	free(m->canon);
	free(m->slot);
	free(m->known);
	memset(m, 0, sizeof *m);
}

static bool map_fits(const struct import_map *m, const crm_record *in)
{
	if (!m->names || m->n != in->n)
		return false;
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(m->names[i], in->names[i]) != 0)
			return false;
	return true;
}

static int column_index(enum crm_kind kind, const char *canonical)
{
	const char *const *cols = kind == CRM_CUSTOMERS ? crm_customer_columns : crm_event_columns;
	size_t n = kind == CRM_CUSTOMERS ? crm_customer_ncolumns : crm_event_ncolumns;
	for (size_t i = 0; i < n; i++)
		if (strcmp(cols[i], canonical) == 0)
			return (int)i;
	return -1;
}

/* The slot of one input column. An event record names its customer by
 * customer_id when it has one, else by id (SPEC). */
static int map_slot(struct crm_import *imp, enum crm_kind kind, const crm_record *in,
		    const char *name, const char **canon)
{
	*canon = name;
	if (!*name || strcmp(name, "error") == 0 || (imp->restore && strcmp(name, "kind") == 0))
		return SLOT_IGNORE; /* a column left out, a reject file's reasons */
	if (imp->restore && strcmp(name, "attrs") == 0)
		return SLOT_ATTRS;
	const char *c = crm_field_canonical(kind, name);
	if (!c)
		return SLOT_CUSTOM;
	if (kind == CRM_CUSTOMERS && strcmp(c, "tags") == 0) {
		*canon = c;
		return SLOT_TAGS;
	}
	if (kind == CRM_CUSTOMERS && strcmp(c, "customer_id") == 0 && !crm_record_get(in, "id"))
		c = "id"; /* a list of notes or events names its customers so */
	if (kind == CRM_EVENTS && strcmp(c, "ref") == 0)
		c = "id"; /* the event's own id */
	else if (kind == CRM_EVENTS && strcmp(c, "id") == 0 && !crm_record_get(in, "customer_id"))
		c = "customer_id";
	int slot = column_index(kind, c);
	if (slot < 0)
		return SLOT_CUSTOM; /* a field of another kind: kept under its name */
	*canon = c;
	return slot;
}

/* Columns that became new custom attributes, said once at the end of an
 * import, so that a typo is seen. */
static void announce_new_fields(struct crm_import *imp)
{
	if (!imp->new_fields.len)
		return;
	if (imp->opts.note) {
		crm_buf text = {0};
		bool one = !strchr(imp->new_fields.p, ',');
		crm_buf_printf(&text, "new custom attribute%s: %s (if %s a field, say which with"
			       " --map SRC=FIELD)", one ? "" : "s", imp->new_fields.p,
			       one ? "it means" : "one means");
		imp->opts.note(imp->opts.ctx, text.p);
		crm_buf_free(&text);
	}
	crm_buf_reset(&imp->new_fields);
}

static void map_build(struct crm_import *imp, enum crm_kind kind, const crm_record *in)
{
	struct import_map *m = &imp->map[kind];
	map_clear(m);
	m->n = in->n;
	m->names = crm_xmalloc((in->n + 1) * sizeof *m->names);
	m->canon = crm_xmalloc((in->n + 1) * sizeof *m->canon);
	m->slot = crm_xmalloc((in->n + 1) * sizeof *m->slot);
	m->known = calloc(in->n + 1, sizeof *m->known);
	if (!m->known)
		abort();
	for (int c = 0; c < C_NCOLS; c++)
		m->col[c] = -1;
	m->attrs = m->tags = m->openid = m->unionid = -1;
	for (size_t i = 0; i < in->n; i++) {
		const char *canon;
		m->names[i] = crm_xstrdup(in->names[i]);
		m->slot[i] = map_slot(imp, kind, in, in->names[i], &canon);
		m->canon[i] = crm_xstrdup(canon);
		if (m->failed)
			continue;
		if (m->slot[i] >= 0 && m->col[m->slot[i]] >= 0) {
			m->failed = true;
			crm_error_set(&m->err, CRM_EDATA, "columns '%s' and '%s' both give %s",
				      crm_record_source_name(in, (size_t)m->col[m->slot[i]]),
				      crm_record_source_name(in, i), canon);
		} else if (m->slot[i] >= 0) {
			m->col[m->slot[i]] = (int)i;
		} else if (m->slot[i] == SLOT_ATTRS) {
			m->attrs = (int)i;
		} else if (m->slot[i] == SLOT_TAGS) {
			m->tags = (int)i;
		} else if (m->slot[i] == SLOT_CUSTOM && crm_field_name_check(canon, &m->err) != CRM_OK) {
			m->failed = true;
		} else if (m->slot[i] == SLOT_CUSTOM && kind == CRM_CUSTOMERS) {
			if (!strcmp(canon, "openid"))
				m->openid = (int)i;
			else if (!strcmp(canon, "unionid"))
				m->unionid = (int)i;
		}
	}
}

/* ---- begin, record, end ---- */

int crm_import_begin(crm_import **out, crm_db *db, const crm_import_opts *opts, crm_error *err)
{
	*out = NULL;
	crm_import *imp = calloc(1, sizeof *imp);
	if (!imp)
		return crm_error_set(err, CRM_EDB, "out of memory");
	imp->db = db;
	imp->opts = *opts;
	/* Every cid the import writes was just looked up or created in this
	 * transaction, so SQLite's own check of each event's customer is a second,
	 * random read of the customers table per event: half of a bulk load. The
	 * pragma cannot change inside a transaction; it is set back at the end. */
	if (crm_db_exec(db, "PRAGMA foreign_keys = OFF", err) != CRM_OK ||
	    crm_db_begin(db, err) != CRM_OK) {
		crm_db_exec(db, "PRAGMA foreign_keys = ON", NULL);
		free(imp);
		return CRM_EDB;
	}
	if (crm_db_prepare(db, &imp->field_add,
			   "INSERT OR IGNORE INTO custom_fields (kind, name, added_at) VALUES (?1, ?2, ?3)",
			   err) ||
	    import_customers_prepare(imp, err) || import_events_prepare(imp, err) ||
	    import_known_ids_prepare(imp, err)) {
		crm_import_end(imp, CRM_IMPORT_ABORT, NULL, NULL);
		return CRM_EDB;
	}
	*out = imp;
	return CRM_OK;
}

/* The kind of a record: the import's, or in a dump the record's own. */
static int record_kind(crm_import *imp, const crm_record *in, enum crm_kind *kind,
		       crm_error *err)
{
	*kind = imp->opts.kind;
	if (!imp->restore)
		return CRM_OK;
	const crm_value *v = crm_record_get(in, "kind");
	if (!v || !v->s || crm_kind_parse(v->s, kind) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "kind: '%s' is not a kind this crm restores",
				     v && v->s ? v->s : "");
	return CRM_OK;
}

/* Rejects a record, after the events waiting in the batch (input order). */
static int reject(crm_import *imp, enum crm_kind kind, const crm_record *in, crm_error *why,
		  crm_error *err)
{
	if (kind == CRM_EVENTS || import_events_pending(imp))
		return import_event_reject(imp, in, why, err);
	imp->counts[kind].rejected++;
	why->line = in->line;
	if (imp->opts.rejected)
		imp->opts.rejected(imp->opts.ctx, in, why);
	return CRM_OK;
}

int crm_import_reject(crm_import *imp, const crm_record *in, const crm_error *why,
		      crm_error *err)
{
	crm_error copy = *why;
	return reject(imp, imp->opts.kind, in, &copy, err);
}

static int customer_record(crm_import *imp, const crm_record *in, const struct import_map *map,
			   crm_error *err)
{
	if (import_events_pending(imp) && import_events_flush(imp, err) != CRM_OK)
		return err->code;
	const crm_record *stored;
	crm_error why;
	int rc = import_customer(imp, in, map, &stored, &why);
	if (rc == CRM_EDATA)
		return reject(imp, CRM_CUSTOMERS, in, &why, err);
	if (rc != CRM_OK) {
		*err = why;
		return rc;
	}
	if (stored && imp->opts.stored)
		imp->opts.stored(imp->opts.ctx, stored);
	return CRM_OK;
}

/* A dump's record of a kind other than customers and events. */
static int restored_record(crm_import *imp, const struct dump_kind *k, const crm_record *in,
			   crm_error *err)
{
	crm_error why;
	crm_error_clear(&why);
	int rc = import_restore(imp, k, in, &why);
	if (rc == CRM_EDATA)
		return reject(imp, imp->opts.kind, in, &why, err);
	if (rc != CRM_OK)
		*err = why;
	return rc;
}

int crm_import_record(crm_import *imp, const crm_record *in, crm_error *err)
{
	crm_error_clear(err);
	if (!imp->seen_first) {
		imp->seen_first = true;
		if (crm_record_is_dump_header(in))
			return import_restore_start(imp, in, err);
	}
	const crm_value *named = imp->restore ? crm_record_get(in, "kind") : NULL;
	const struct dump_kind *k = named ? dump_kind_named(named->s) : NULL;
	if (k && k->read != READ_RECORD)
		return restored_record(imp, k, in, err);
	enum crm_kind kind;
	crm_error why;
	if (record_kind(imp, in, &kind, &why) != CRM_OK)
		return reject(imp, imp->opts.kind, in, &why, err);
	if (!map_fits(&imp->map[kind], in))
		map_build(imp, kind, in);
	const struct import_map *map = &imp->map[kind];
	if (map->failed) {
		*err = map->err;
		return err->code;
	}
	import_values_reset(imp, in->n);
	if (kind == CRM_EVENTS)
		return import_event(imp, in, map, err);
	return customer_record(imp, in, map, err);
}

int crm_import_flush(crm_import *imp, crm_error *err)
{
	return import_events_flush(imp, err);
}

static void import_free(crm_import *imp)
{
	import_customers_finalize(imp);
	import_events_finalize(imp);
	crm_stmt_finalize(imp->field_add);
	for (int k = 0; k < 2; k++) {
		map_clear(&imp->map[k]);
		for (size_t i = 0; i < imp->nregistered[k]; i++)
			free(imp->registered[k][i]);
		free(imp->registered[k]);
	}
	crm_buf_free(&imp->arena);
	crm_buf_free(&imp->new_fields);
	free(imp->val);
	crm_builder_free(&imp->out);
	free(imp);
}

int crm_import_end(crm_import *imp, enum crm_import_end how, crm_import_counts counts[2],
		   crm_error *err)
{
	if (!imp)
		return CRM_OK;
	int rc = CRM_OK;
	if (how != CRM_IMPORT_ABORT)
		rc = import_events_finish(imp, err);
	if (rc == CRM_OK && how != CRM_IMPORT_ABORT)
		rc = import_customers_finish(imp, err);
	if (rc == CRM_OK && how != CRM_IMPORT_ABORT)
		announce_new_fields(imp); /* of what is stored: not of a file refused */
	if (counts)
		memcpy(counts, imp->counts, sizeof imp->counts);
	crm_db *db = imp->db;
	import_free(imp); /* statements must be finalized before COMMIT or ROLLBACK */
	if (rc == CRM_OK && how == CRM_IMPORT_COMMIT)
		rc = crm_db_commit(db, err);
	else
		crm_db_rollback(db);
	crm_db_exec(db, "PRAGMA foreign_keys = ON", NULL);
	return rc;
}
