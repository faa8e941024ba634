/* identity.c: who a customer record is when nothing but a name says
 * (refused, or a new customer with --new-ids), and two records of one
 * customer in one import that disagree (--on-conflict). What earlier records
 * gave each customer is kept in TEMP tables, so that memory does not grow
 * with the input: a row for each customer stored before that the import
 * met, and for the customers it adds, which a bulk load adds one a line,
 * a row for each run of them (a row each would cost a sixth of the load). */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* Where a value came from: the input's number above, its line below. */
#define AT_SOURCE_SHIFT 40

/* The rows of the customers stored before are written this many at a time:
 * a statement a row cost a fifth of importing a file again. */
#define MET_BATCH 64

struct met_pending {
	int64_t cid;
	long long at;
	unsigned cols;
	char *later; /* JSON, or NULL */
};

int crm_on_conflict_parse(const char *name, enum crm_on_conflict *how)
{
	if (strcmp(name, "reject") == 0)
		*how = CRM_CONFLICT_REJECT;
	else if (strcmp(name, "first") == 0)
		*how = CRM_CONFLICT_FIRST;
	else if (strcmp(name, "last") == 0)
		*how = CRM_CONFLICT_LAST;
	else
		return CRM_EUSAGE;
	return CRM_OK;
}

void crm_import_source(crm_import *imp, const char *name)
{
	imp->sources = crm_xrealloc(imp->sources, (imp->nsources + 1) * sizeof *imp->sources);
	imp->sources[imp->nsources++] = crm_xstrdup(name);
}

/* With last, a later value wins as any value does: nothing to remember.
 * A dump holds each customer once. */
static bool tracking(const struct crm_import *imp)
{
	return imp->opts.on_conflict != CRM_CONFLICT_LAST && !imp->restore;
}

static int prepare_batch(struct crm_import *imp, crm_error *err)
{
	crm_buf sql = {0};
	crm_buf_adds(&sql, "INSERT INTO temp.import_met (cid, at, cols, later) VALUES ");
	for (int i = 0; i < MET_BATCH; i++)
		crm_buf_adds(&sql, i ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)");
	int rc = crm_db_prepare(imp->db, &imp->met_add, sql.p, err);
	crm_buf_free(&sql);
	return rc;
}

int import_identity_prepare(struct crm_import *imp, crm_error *err)
{
	crm_db *db = imp->db;
	if (imp->opts.new_ids &&
	    crm_db_prepare(db, &imp->id_taken, "SELECT 1 FROM customers WHERE id = ?1", err))
		return CRM_EDB;
	if (imp->opts.on_conflict == CRM_CONFLICT_LAST)
		return CRM_OK;
	/* cols: a bit a stored column the customer's first record gave; later:
	 * a JSON object of the other fields this import gave, each with where.
	 * A run: the customers from cid on were added by the records from at
	 * on, one a line, until the next run; created: they gave created_at. */
	if (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS import_met (cid INTEGER PRIMARY KEY,"
			" at INTEGER NOT NULL, cols INTEGER NOT NULL, later TEXT);"
			" CREATE TEMP TABLE IF NOT EXISTS import_runs (cid INTEGER PRIMARY KEY,"
			" at INTEGER NOT NULL, created INTEGER NOT NULL);"
			" DELETE FROM temp.import_met; DELETE FROM temp.import_runs", err) != CRM_OK ||
	    crm_db_prepare(db, &imp->run_get, "SELECT cid, at, created FROM temp.import_runs"
			   " WHERE cid <= ?1 ORDER BY cid DESC LIMIT 1", err) ||
	    crm_db_prepare(db, &imp->run_add, "INSERT INTO temp.import_runs (cid, at, created)"
			   " VALUES (?1, ?2, ?3)", err) ||
	    crm_db_prepare(db, &imp->met_get, "SELECT at, cols, later FROM temp.import_met"
			   " WHERE cid = ?1", err) ||
	    prepare_batch(imp, err) ||
	    crm_db_prepare(db, &imp->met_set, "UPDATE temp.import_met SET later = ?2 WHERE cid = ?1",
			   err))
		return CRM_EDB;
	return CRM_OK;
}

static void finalize_statements(struct crm_import *imp)
{
	crm_stmt_finalize(imp->id_taken);
	crm_stmt_finalize(imp->met_get);
	crm_stmt_finalize(imp->met_add);
	crm_stmt_finalize(imp->met_set);
	crm_stmt_finalize(imp->run_get);
	crm_stmt_finalize(imp->run_add);
	imp->id_taken = imp->met_get = imp->met_add = imp->met_set = NULL;
	imp->run_get = imp->run_add = NULL;
}

int import_identity_finish(struct crm_import *imp, crm_error *err)
{
	if (imp->opts.on_conflict == CRM_CONFLICT_LAST)
		return CRM_OK;
	finalize_statements(imp);
	return crm_db_exec(imp->db, "DROP TABLE IF EXISTS temp.import_met;"
			   " DROP TABLE IF EXISTS temp.import_runs", err);
}

void import_met_reset(struct crm_import *imp)
{
	json_decref(imp->met.later);
	json_decref(imp->met.adds);
	memset(&imp->met, 0, sizeof imp->met);
	imp->met.pending = -1;
}

void import_identity_finalize(struct crm_import *imp)
{
	finalize_statements(imp);
	import_met_reset(imp);
	for (size_t i = 0; i < imp->npending; i++)
		free(imp->pending[i].later);
	free(imp->pending);
	imp->pending = NULL;
	imp->npending = 0;
	for (size_t i = 0; i < imp->nsources; i++)
		free(imp->sources[i]);
	free(imp->sources);
	imp->sources = NULL;
	imp->nsources = 0;
}

/* ---- a name alone ---- */

void import_id_text(uint64_t h, char out[16])
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	out[0] = 'c';
	for (int i = 1; i <= 12; i++) {
		out[i] = alphabet[h & 31];
		h >>= 5;
	}
	out[13] = '\0';
}

/* A new id, random, that no stored customer has. */
static int new_id(struct crm_import *imp, char **id, crm_error *err)
{
	crm_stmt *st = imp->id_taken;
	for (;;) {
		uint64_t h;
		char text[16];
		crm_db_random(imp->db, &h, sizeof h);
		import_id_text(h, text);
		crm_stmt_reset(st);
		crm_stmt_bind_text_copy(st, 1, text, -1);
		int rc = crm_stmt_step(st);
		crm_stmt_reset(st);
		if (rc == CRM_DONE) {
			*id = crm_xstrdup(text);
			return CRM_OK;
		}
		if (rc != CRM_ROW)
			return crm_db_fail(imp->db, err, NULL);
	}
}

int import_unidentified(struct crm_import *imp, const crm_record *in,
			const struct import_map *map, char **id, crm_error *err)
{
	const char *name = import_value(imp, map->col[C_NAME]);
	if ((!name || !*name) && imp->opts.new_ids)
		return crm_error_set(err, CRM_EDATA, "no id, phone, email, wechat_id, openid, unionid"
				     " or name to tell who this is");
	if (!name || !*name)
		return crm_error_set(err, CRM_EDATA, "no id, phone, email, wechat_id, openid or unionid"
				     " to tell who this is");
	if (imp->opts.new_ids)
		return new_id(imp, id, err) == CRM_OK ? CRM_OK : CRM_EDB;
	/* Two people may have one name: the same name is not the same person. */
	return crm_error_set(err, CRM_EDATA, "%s: '%s' alone does not identify a customer: give an"
			     " id, phone, email, wechat_id, openid or unionid, or add each such record"
			     " as a new customer with --new-ids",
			     crm_record_source_name(in, (size_t)map->col[C_NAME]), name);
}

/* ---- records of one customer that disagree ---- */

static long long at_here(const struct crm_import *imp, long line)
{
	long long source = imp->nsources ? (long long)imp->nsources - 1 : 0;
	return (source << AT_SOURCE_SHIFT) | line;
}

/* "line 2", or "other.csv:2" for a record of another input. */
static void at_text(const struct crm_import *imp, long long at, char *out, size_t size)
{
	size_t source = (size_t)(at >> AT_SOURCE_SHIFT);
	long line = (long)(at & ((1LL << AT_SOURCE_SHIFT) - 1));
	if (source + 1 < imp->nsources)
		snprintf(out, size, "%s:%ld", imp->sources[source], line);
	else
		snprintf(out, size, "line %ld", line);
}

/* True when the import met a customer stored before it (without marking it). */
static bool met_before(const struct seen_rows *s, int64_t cid)
{
	size_t byte = (size_t)(cid / 8);
	return byte < s->len && (s->bits[byte] >> (cid % 8) & 1);
}

/* The columns that the first record of a customer added by a run gave:
 * all that it has, since a record that gave it more has a row. */
static unsigned run_cols(char *const *stored, bool created)
{
	unsigned cols = 0;
	for (int col = C_ID + 1; col < C_NCOLS; col++)
		if (stored[col] && col != C_UPDATED && (col != C_CREATED || created))
			cols |= 1u << col;
	return cols;
}

static int run_load(struct crm_import *imp, int64_t cid, char *const *stored, crm_error *err)
{
	struct import_met *m = &imp->met;
	crm_stmt *st = imp->run_get;
	crm_stmt_bind_int64(st, 1, cid);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW) {
		m->found = true;
		m->at = crm_stmt_int64(st, 1) + (cid - crm_stmt_int64(st, 0));
		m->cols = run_cols(stored, crm_stmt_int(st, 2));
	}
	crm_stmt_reset(st);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

static int met_load(struct crm_import *imp, int64_t cid, char *const *stored, crm_error *err)
{
	struct import_met *m = &imp->met;
	bool added = cid > imp->customers_seen.max_before;
	if (!added && !met_before(&imp->customers_seen, cid))
		return CRM_OK;
	for (size_t i = imp->npending; i-- > 0;) {
		const struct met_pending *p = &imp->pending[i];
		if (p->cid != cid)
			continue;
		m->found = m->row = true;
		m->pending = (int)i;
		m->at = p->at;
		m->cols = p->cols;
		m->later = p->later ? json_loads(p->later, 0, NULL) : NULL;
		return CRM_OK;
	}
	crm_stmt *st = imp->met_get;
	crm_stmt_bind_int64(st, 1, cid);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW) {
		m->found = m->row = true;
		m->at = crm_stmt_int64(st, 0);
		m->cols = (unsigned)crm_stmt_int64(st, 1);
		const char *later = crm_stmt_text(st, 2);
		m->later = later ? json_loads(later, 0, NULL) : NULL;
	}
	crm_stmt_reset(st);
	if (rc != CRM_ROW && rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return !m->found && added ? run_load(imp, cid, stored, err) : CRM_OK;
}

/* Whether an earlier record of this import gave the field, and where. A
 * customer new in this import got every attribute it has from the import:
 * those its first record gave are not listed. */
static bool met_given(const struct import_met *m, const char *field, int col, bool implied,
		      long long *at)
{
	json_t *where = m->later ? json_object_get(m->later, field) : NULL;
	if (where)
		*at = json_integer_value(where);
	else if ((col >= 0 && (m->cols >> col & 1)) || (col < 0 && implied))
		*at = m->at;
	else
		return false;
	return true;
}

static void met_add_field(struct crm_import *imp, const char *field, long line)
{
	if (!imp->met.adds)
		imp->met.adds = json_object();
	json_object_set_new(imp->met.adds, field, json_integer(at_here(imp, line)));
}

static bool attr_same(json_t *stored, const crm_value *in, const char *value, crm_buf *text)
{
	crm_type type;
	import_attr_text(stored, text, &type);
	if (!strcmp(text->p ? text->p : "", value))
		return true; /* a number or a list written as text */
	json_t *given = import_attr_value(in, value);
	bool same = json_equal(stored, given);
	json_decref(given);
	return same;
}

/* One field of a record of a customer met before. */
struct field_check {
	int i;               /* the input field */
	int col;             /* the stored column, or -1 for an attribute */
	const char *stored;  /* a column's value */
	json_t *attr;        /* an attribute's value */
	bool fresh;          /* the customer is new in this import */
};

static void check_field(struct crm_import *imp, const crm_record *in, const struct import_map *map,
			const struct field_check *f, const char *id, int *conflicts, crm_error *err)
{
	const char *v = import_value(imp, f->i), *field = map->canon[f->i];
	long long at;
	if (!v)
		return;
	if (!met_given(&imp->met, field, f->col, f->fresh && f->attr, &at)) {
		if (*v)
			met_add_field(imp, field, in->line);
		return;
	}
	if (!*v) { /* an empty cell agrees with any value, even with --replace */
		import_set_null(imp, f->i);
		return;
	}
	crm_buf text = {0};
	bool same = f->col >= 0 ? !f->stored || !strcmp(f->stored, v)
		  : !f->attr || attr_same(f->attr, &in->values[f->i], v, &text);
	const char *was = f->col >= 0 ? f->stored : text.p ? text.p : "";
	if (!same && imp->opts.on_conflict == CRM_CONFLICT_FIRST) {
		import_set_null(imp, f->i);
	} else if (!same) {
		char where[300];
		at_text(imp, at, where, sizeof where);
		const char *fmt = "%s: '%s' disagrees with %s ('%s') for customer '%s'"
				  " (--on-conflict first or last chooses)";
		if ((*conflicts)++)
			crm_error_add(err, fmt, crm_record_source_name(in, (size_t)f->i), v, where, was, id);
		else
			crm_error_set(err, CRM_EDATA, fmt, crm_record_source_name(in, (size_t)f->i), v,
				      where, was, id);
	}
	crm_buf_free(&text);
}

int import_conflicts(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		     const char *id, int64_t cid, char *const *stored, json_t *attrs,
		     crm_error *err)
{
	if (!tracking(imp) || imp->met.checked)
		return CRM_OK;
	imp->met.checked = true;
	if (met_load(imp, cid, stored, err) != CRM_OK)
		return CRM_EDB;
	if (!imp->met.found)
		return CRM_OK;
	bool fresh = cid > imp->customers_seen.max_before;
	int conflicts = 0;
	for (int col = C_ID + 1; col < C_NCOLS; col++) {
		if (col == C_UPDATED || map->col[col] < 0)
			continue; /* updated_at tells when a record was made, not who */
		struct field_check f = {map->col[col], col, stored[col], NULL, fresh};
		check_field(imp, in, map, &f, id, &conflicts, err);
	}
	for (size_t i = 0; i < in->n; i++) {
		if (map->slot[i] != SLOT_CUSTOM)
			continue;
		json_t *attr = attrs ? json_object_get(attrs, map->canon[i]) : NULL;
		struct field_check f = {(int)i, -1, NULL, attr, fresh};
		check_field(imp, in, map, &f, id, &conflicts, err);
	}
	return conflicts ? CRM_EDATA : CRM_OK;
}

/* ---- remembering what a record gave ---- */

static int met_update(struct crm_import *imp, int64_t cid, json_t *later, crm_error *err)
{
	crm_stmt *st = imp->met_set;
	char *text = json_dumps(later, JSON_COMPACT);
	crm_stmt_bind_int64(st, 1, cid);
	crm_stmt_bind_text(st, 2, text, -1);
	int rc = crm_stmt_step(st);
	crm_stmt_reset(st);
	free(text);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

static int met_flush(struct crm_import *imp, crm_error *err)
{
	crm_stmt *st = imp->met_add;
	for (int i = 0; i < MET_BATCH; i++) {
		struct met_pending *p = &imp->pending[i];
		crm_stmt_bind_int64(st, 4 * i + 1, p->cid);
		crm_stmt_bind_int64(st, 4 * i + 2, p->at);
		crm_stmt_bind_int64(st, 4 * i + 3, p->cols);
		crm_stmt_bind_text_or_null(st, 4 * i + 4, p->later);
	}
	int rc = crm_stmt_step(st);
	crm_stmt_reset(st);
	for (int i = 0; i < MET_BATCH; i++)
		free(imp->pending[i].later);
	imp->npending = 0;
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

/* A row, written with the next batch. */
static int met_insert(struct crm_import *imp, int64_t cid, long long at, unsigned cols,
		      json_t *later, crm_error *err)
{
	if (!imp->pending)
		imp->pending = crm_xmalloc(MET_BATCH * sizeof *imp->pending);
	if (imp->npending == MET_BATCH && met_flush(imp, err) != CRM_OK)
		return CRM_EDB;
	imp->pending[imp->npending++] = (struct met_pending){
		cid, at, cols, later ? json_dumps(later, JSON_COMPACT) : NULL};
	return CRM_OK;
}

/* A customer this record added: in the run of the record before when it
 * follows it, else the first of a new run. */
static int run_note(struct crm_import *imp, const struct import_map *map, int64_t cid,
		    long long at, crm_error *err)
{
	const char *created = import_value(imp, map->col[C_CREATED]);
	bool gave = created && *created;
	bool follows = cid == imp->run_cid && at == imp->run_at && gave == imp->run_created;
	imp->run_cid = cid + 1;
	imp->run_at = at + 1;
	imp->run_created = gave;
	if (follows)
		return CRM_OK;
	crm_stmt *st = imp->run_add;
	crm_stmt_bind_int64(st, 1, cid);
	crm_stmt_bind_int64(st, 2, at);
	crm_stmt_bind_int64(st, 3, gave);
	int rc = crm_stmt_step(st);
	crm_stmt_reset(st);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

/* The first record of a customer stored before: its columns as bits, and
 * its attributes by name. */
static int met_first(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		     int64_t cid, long long at, crm_error *err)
{
	unsigned cols = 0;
	for (int col = C_ID + 1; col < C_NCOLS; col++) {
		const char *v = import_value(imp, map->col[col]);
		if (v && *v && col != C_UPDATED)
			cols |= 1u << col;
	}
	json_t *later = NULL;
	for (size_t i = 0; i < in->n; i++) {
		const char *v = map->slot[i] == SLOT_CUSTOM ? import_value(imp, (int)i) : NULL;
		if (!v || !*v)
			continue;
		if (!later)
			later = json_object();
		json_object_set_new(later, map->canon[i], json_integer(at));
	}
	int rc = met_insert(imp, cid, at, cols, later, err);
	json_decref(later);
	return rc;
}

int import_met_note(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		    int64_t cid, crm_error *err)
{
	struct import_met *m = &imp->met;
	if (!tracking(imp))
		return CRM_OK;
	long long at = at_here(imp, in->line);
	if (!m->found && cid > imp->customers_seen.max_before)
		return run_note(imp, map, cid, at, err);
	if (!m->found)
		return met_first(imp, in, map, cid, at, err);
	if (!m->adds)
		return CRM_OK;
	if (!m->later)
		m->later = json_object();
	json_object_update(m->later, m->adds);
	if (!m->row) /* one of a run that this record gives more */
		return met_insert(imp, cid, m->at, m->cols, m->later, err);
	if (m->pending >= 0) {
		struct met_pending *p = &imp->pending[m->pending];
		free(p->later);
		p->later = json_dumps(m->later, JSON_COMPACT);
		return CRM_OK;
	}
	return met_update(imp, cid, m->later, err);
}
