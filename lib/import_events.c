/* import_events.c: events are checked one by one into a staging table, then
 * stored with one INSERT ... SELECT sorted by the index's key. Inserting in
 * key order turns random index updates into appends: importing into the
 * indexed table costs what building the index after loading would. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

static const char *const stage_sql[2] = {
	/* duplicates by id in one input merge: later values win, empty ones keep */
	"INSERT INTO temp.import_events (cid, type, ts, amount_cents, product, channel, ref, attrs)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	" ON CONFLICT (ref) WHERE ref IS NOT NULL DO UPDATE SET cid = excluded.cid,"
	" type = excluded.type, ts = excluded.ts,"
	" amount_cents = coalesce(excluded.amount_cents, amount_cents),"
	" product = coalesce(excluded.product, product),"
	" channel = coalesce(excluded.channel, channel),"
	" attrs = nullif(json_patch(coalesce(attrs, '{}'), coalesce(excluded.attrs, '{}')), '{}')",
	/* --replace: the later record replaces the earlier one */
	"INSERT INTO temp.import_events (cid, type, ts, amount_cents, product, channel, ref, attrs)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	" ON CONFLICT (ref) WHERE ref IS NOT NULL DO UPDATE SET cid = excluded.cid,"
	" type = excluded.type, ts = excluded.ts, amount_cents = excluded.amount_cents,"
	" product = excluded.product, channel = excluded.channel, attrs = excluded.attrs",
};

/* Stored events with the id of a staged one take its values. */
static const char *const update_sql[2] = {
	"UPDATE events SET cid = n.cid, type = n.type, ts = n.ts, amount_cents = n.amount_cents,"
	" product = n.product, channel = n.channel, attrs = n.attrs"
	" FROM (SELECT e.eid, s.cid, s.type, s.ts,"
	"  coalesce(s.amount_cents, e.amount_cents) AS amount_cents,"
	"  coalesce(s.product, e.product) AS product, coalesce(s.channel, e.channel) AS channel,"
	"  nullif(json_patch(coalesce(e.attrs, '{}'), coalesce(s.attrs, '{}')), '{}') AS attrs"
	"  FROM temp.import_events s JOIN events e ON e.ref = s.ref WHERE s.ref IS NOT NULL) n"
	" WHERE events.eid = n.eid AND (events.cid, events.type, events.ts, events.amount_cents,"
	"  events.product, events.channel, events.attrs)"
	"  IS NOT (n.cid, n.type, n.ts, n.amount_cents, n.product, n.channel, n.attrs)",
	"UPDATE events SET cid = s.cid, type = s.type, ts = s.ts, amount_cents = s.amount_cents,"
	" product = s.product, channel = s.channel, attrs = s.attrs"
	" FROM temp.import_events s WHERE s.ref IS NOT NULL AND events.ref = s.ref"
	" AND (events.cid, events.type, events.ts, events.amount_cents, events.product,"
	"  events.channel, events.attrs)"
	"  IS NOT (s.cid, s.type, s.ts, s.amount_cents, s.product, s.channel, s.attrs)",
};

static const char *const insert_sql =
	"INSERT INTO events (cid, type, ts, amount_cents, product, channel, ref, attrs)"
	" SELECT cid, type, ts, amount_cents, product, channel, ref, attrs"
	" FROM temp.import_events s"
	" WHERE s.ref IS NULL OR NOT EXISTS (SELECT 1 FROM events e WHERE e.ref = s.ref)"
	" ORDER BY cid, type, ts, amount_cents, seq";

int import_events_prepare(struct crm_import *imp, crm_error *err)
{
	crm_db *db = imp->db;
	if (crm_db_prepare(db, &imp->e_find, "SELECT cid FROM customers WHERE id = ?1", err) ||
	    crm_db_prepare(db, &imp->e_create,
			   "INSERT INTO customers (id, created_at, updated_at) VALUES (?1, ?2, ?2)",
			   err))
		return CRM_EDB;
	return CRM_OK;
}

void import_events_finalize(struct crm_import *imp)
{
	sqlite3_finalize(imp->e_find);
	sqlite3_finalize(imp->e_create);
	sqlite3_finalize(imp->e_stage);
	sqlite3_finalize(imp->e_staged);
	imp->e_find = imp->e_create = imp->e_stage = imp->e_staged = NULL;
	free(imp->last_customer);
	imp->last_customer = NULL;
}

static int start_staging(struct crm_import *imp, crm_error *err)
{
	if (crm_db_exec(imp->db,
			"CREATE TEMP TABLE import_events (seq INTEGER PRIMARY KEY,"
			" cid INTEGER NOT NULL, type TEXT NOT NULL, ts TEXT NOT NULL,"
			" amount_cents INTEGER, product TEXT, channel TEXT, ref TEXT, attrs TEXT);"
			"CREATE UNIQUE INDEX temp.import_events_ref ON import_events(ref)"
			" WHERE ref IS NOT NULL",
			err) ||
	    crm_db_prepare(imp->db, &imp->e_stage, stage_sql[imp->opts.replace], err) ||
	    crm_db_prepare(imp->db, &imp->e_staged,
			   "SELECT 1 FROM temp.import_events WHERE ref = ?1", err))
		return CRM_EDB;
	imp->staging = true;
	return CRM_OK;
}

/* ---- normalizing one event ---- */

/* Event types are words the expression language names: count(purchase, 90d). */
static int normalize_type(struct crm_import *imp, int i, const crm_value *in, crm_error *err)
{
	size_t len = in->len;
	const char *s = crm_trim(in->s, &len);
	char *t = crm_xmalloc(len + 1);
	bool ok = len > 0 && !isdigit((unsigned char)s[0]);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		ok = ok && (isalnum(c) || c == '_' || c >= 0x80);
		t[k] = (char)tolower(c);
	}
	if (ok)
		import_set(imp, i, t, len);
	free(t);
	if (!ok)
		return crm_error_set(err, CRM_EDATA,
				     "'%.*s' is not an event type (a word of letters, digits and _)",
				     (int)(len > 60 ? 60 : len), s);
	return CRM_OK;
}

static int normalize_amount(struct crm_import *imp, int i, const crm_value *in, crm_error *err)
{
	size_t len = in->len;
	crm_trim(in->s, &len);
	if (len == 0) {
		import_set(imp, i, "", 0);
		return CRM_OK;
	}
	int64_t cents;
	if (crm_norm_amount(in->s, &cents, err) != CRM_OK)
		return CRM_EDATA;
	char text[32];
	crm_format_amount(cents, text, sizeof text);
	import_set(imp, i, text, strlen(text));
	return CRM_OK;
}

static int normalize_event_field(struct crm_import *imp, const struct import_map *map, int i,
				 const crm_value *in, crm_error *err)
{
	char out[32];
	switch (map->slot[i]) {
	case E_TYPE:
		return normalize_type(imp, i, in, err);
	case E_TS:
		if (in->len > 64)
			return crm_error_set(err, CRM_EDATA, "not a time");
		if (crm_norm_timestamp(in->s, out, sizeof out, err) != CRM_OK)
			return CRM_EDATA;
		import_set(imp, i, out, strlen(out));
		return CRM_OK;
	case E_AMOUNT:
		return normalize_amount(imp, i, in, err);
	case SLOT_CUSTOM: {
		size_t len = strlen(map->canon[i]);
		if (len > 5 && strcmp(map->canon[i] + len - 5, "_date") == 0) {
			if (in->len > 64 || crm_norm_date(in->s, out, sizeof out, err) != CRM_OK)
				return CRM_EDATA;
			import_set(imp, i, out, strlen(out));
			return CRM_OK;
		}
		return import_text(imp, i, in->s, in->len, err);
	}
	default:
		return import_text(imp, i, in->s, in->len, err);
	}
}

static void add_reason(crm_error *err, int *rc, const char *fmt, const char *a, const char *b)
{
	if (*rc == CRM_OK)
		crm_error_set(err, CRM_EDATA, fmt, a, b);
	else
		crm_error_add(err, fmt, a, b);
	*rc = CRM_EDATA;
}

static int normalize_event(struct crm_import *imp, const crm_record *in,
			   const struct import_map *map, crm_error *err)
{
	int rc = CRM_OK;
	for (size_t i = 0; i < in->n; i++) {
		const crm_value *v = &in->values[i];
		if (map->slot[i] == SLOT_IGNORE || map->slot[i] == SLOT_ATTRS || !v->s)
			continue;
		crm_error e;
		if (normalize_event_field(imp, map, (int)i, v, &e) != CRM_OK)
			add_reason(err, &rc, "%s: %s", in->names[i], e.msg);
	}
	static const int required[] = {E_CUSTOMER, E_TYPE, E_TS};
	for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
		const char *v = import_value(imp, map->col[required[k]]);
		if (!v || !*v)
			add_reason(err, &rc, "%s: %s", crm_event_columns[required[k]],
				   "missing (an event needs customer_id, type and ts)");
	}
	return rc;
}

/* ---- the customer an event belongs to ---- */

static int create_customer(struct crm_import *imp, const char *id, sqlite3_int64 *cid,
			   crm_error *err)
{
	sqlite3_stmt *st = imp->e_create;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, imp->opts.clock->now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return crm_db_fail(imp->db, err, NULL);
	*cid = sqlite3_last_insert_rowid(imp->db->sql);
	imp->counts[CRM_EVENTS].created++;
	return CRM_OK;
}

/* Events usually come grouped by customer: one remembered lookup saves most. */
static int find_customer(struct crm_import *imp, const char *id, sqlite3_int64 *cid,
			 crm_error *err)
{
	if (imp->last_customer && strcmp(imp->last_customer, id) == 0) {
		*cid = imp->last_cid;
		return CRM_OK;
	}
	sqlite3_stmt *st = imp->e_find;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	*cid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return crm_db_fail(imp->db, err, NULL);
	if (!*cid && !imp->opts.create_missing)
		return crm_error_set(err, CRM_EDATA,
				     "customer_id: unknown customer '%s' (add the customer first, "
				     "or use --create-missing)", id);
	if (!*cid && create_customer(imp, id, cid, err) != CRM_OK)
		return CRM_EDB;
	free(imp->last_customer);
	imp->last_customer = crm_xstrdup(id);
	imp->last_cid = *cid;
	return CRM_OK;
}

/* ---- staging ---- */

static char *event_attrs(struct crm_import *imp, const crm_record *in,
			 const struct import_map *map, crm_error *err, int *rc)
{
	json_t *attrs = NULL;
	if (map->attrs >= 0 && in->values[map->attrs].s) {
		attrs = import_attrs_from_text(in->values[map->attrs].s, err);
		if (!attrs) {
			*rc = CRM_EDATA;
			return NULL;
		}
		const char *key;
		json_t *v;
		json_object_foreach(attrs, key, v) {
			if ((*rc = import_register_field(imp, CRM_EVENTS, key, err)) != CRM_OK)
				break;
		}
	}
	for (size_t i = 0; i < in->n; i++) {
		const char *v = import_value(imp, (int)i);
		if (map->slot[i] != SLOT_CUSTOM || !v || !*v)
			continue;
		if (!attrs)
			attrs = json_object();
		json_object_set_new(attrs, map->canon[i], json_string(v));
	}
	char *text = attrs && json_object_size(attrs) ? json_dumps(attrs, JSON_COMPACT) : NULL;
	json_decref(attrs);
	return text;
}

static bool staged_before(struct crm_import *imp, const char *ref)
{
	sqlite3_stmt *st = imp->e_staged;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_TRANSIENT);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

static int stage(struct crm_import *imp, const struct import_map *map, sqlite3_int64 cid,
		 const char *attrs, crm_error *err)
{
	const char *ref = import_value(imp, map->col[E_REF]);
	if (ref && *ref && staged_before(imp, ref))
		imp->counts[CRM_EVENTS].merged++;
	sqlite3_stmt *st = imp->e_stage;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, cid);
	crm_bind_text_or_null(st, 2, import_value(imp, map->col[E_TYPE]));
	crm_bind_text_or_null(st, 3, import_value(imp, map->col[E_TS]));
	const char *amount = import_value(imp, map->col[E_AMOUNT]);
	int64_t cents;
	if (amount && *amount && crm_norm_amount(amount, &cents, NULL) == CRM_OK)
		sqlite3_bind_int64(st, 4, cents);
	else
		sqlite3_bind_null(st, 4);
	crm_bind_text_or_null(st, 5, import_value(imp, map->col[E_PRODUCT]));
	crm_bind_text_or_null(st, 6, import_value(imp, map->col[E_CHANNEL]));
	crm_bind_text_or_null(st, 7, ref);
	crm_bind_text_or_null(st, 8, attrs);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return CRM_OK;
}

static const crm_record *stored_event(struct crm_import *imp, const crm_record *in,
				      const struct import_map *map)
{
	struct crm_builder *b = &imp->out;
	crm_builder_reset(b);
	for (size_t i = 0; i < in->n; i++) {
		if (map->slot[i] == SLOT_IGNORE || map->slot[i] == SLOT_ATTRS)
			continue;
		const char *v = import_value(imp, (int)i);
		crm_type type = !v || !*v ? CRM_NULL : map->slot[i] == E_AMOUNT ? CRM_REAL : CRM_TEXT;
		crm_builder_add(b, map->canon[i], type, v, v ? strlen(v) : 0);
	}
	return crm_builder_finish(b, NULL, 0, in->line);
}

enum crm_import_result import_event(struct crm_import *imp, const crm_record *in,
				    const struct import_map *map,
				    const crm_record **stored, crm_error *err)
{
	if (!imp->staging && start_staging(imp, err) != CRM_OK)
		return CRM_IMPORT_STOP;
	if (normalize_event(imp, in, map, err) != CRM_OK)
		return CRM_IMPORT_REJECTED;
	sqlite3_int64 cid;
	int rc = find_customer(imp, import_value(imp, map->col[E_CUSTOMER]), &cid, err);
	if (rc != CRM_OK)
		return rc == CRM_EDATA ? CRM_IMPORT_REJECTED : CRM_IMPORT_STOP;
	char *attrs = event_attrs(imp, in, map, err, &rc);
	if (rc == CRM_OK)
		rc = stage(imp, map, cid, attrs, err);
	free(attrs);
	if (rc != CRM_OK)
		return rc == CRM_EDATA ? CRM_IMPORT_REJECTED : CRM_IMPORT_STOP;
	*stored = stored_event(imp, in, map);
	return CRM_IMPORT_STORED;
}

/* ---- storing what was staged ---- */

static int staged_count(struct crm_import *imp, long *n, crm_error *err)
{
	sqlite3_stmt *st;
	if (crm_db_prepare(imp->db, &st, "SELECT count(*) FROM temp.import_events", err))
		return CRM_EDB;
	int rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

int import_events_finish(struct crm_import *imp, crm_error *err)
{
	if (!imp->staging)
		return CRM_OK;
	sqlite3_finalize(imp->e_stage);
	sqlite3_finalize(imp->e_staged);
	imp->e_stage = imp->e_staged = NULL;
	crm_import_counts *n = &imp->counts[CRM_EVENTS];
	long staged;
	if (staged_count(imp, &staged, err) ||
	    crm_db_exec(imp->db, update_sql[imp->opts.replace], err))
		return CRM_EDB;
	n->updated = sqlite3_changes(imp->db->sql);
	if (crm_db_exec(imp->db, insert_sql, err))
		return CRM_EDB;
	n->inserted = sqlite3_changes(imp->db->sql);
	n->unchanged = staged - n->inserted - n->updated;
	imp->staging = false;
	return crm_db_exec(imp->db, "DROP TABLE temp.import_events", err);
}
