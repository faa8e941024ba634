/* events.c: events are checked as they come and stored a batch at a
 * time. A batch looks its customers up in sorted order (neighbouring ids share
 * index pages: half the cost of looking them up in arrival order), then stores
 * its events in input order, so that later records win as they should.
 *
 * Events go straight into their table. A large import would pay for random
 * updates of the per-customer index on every row (41 to 49 s for 5M events,
 * against 11 s when the index is built after loading), so once an import has
 * added many events the index is dropped inside the transaction and built
 * again once at the end. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* Events held before they are stored: bounded memory, a few MB. */
#define BATCH_EVENTS 16384

/* Events added before the index is dropped: below this, or below an eighth of
 * the events already stored, updating the index as we go is cheaper than
 * building it again. */
#define BULK_THRESHOLD 50000

static const char *const event_select =
	"SELECT eid, cid, type, ts, amount_cents, product, channel, attrs, ref"
	" FROM events WHERE ref = ?1";

/* An event without a ref is named by its content (SPEC: Identity). The
 * per-customer index finds it: SEARCH events USING INDEX events_by_customer
 * (cid=? AND type=? AND ts=? AND amount_cents=?). */
static const char *const event_same =
	"SELECT eid, cid, type, ts, amount_cents, product, channel, attrs, ref FROM events"
	" WHERE cid = ?1 AND type = ?2 AND ts = ?3 AND amount_cents IS ?4 AND product IS ?5"
	" AND channel IS ?6 AND ref IS NULL ORDER BY eid LIMIT 1";

static const char *const event_insert =
	"INSERT INTO events (cid, type, ts, amount_cents, product, channel, ref, attrs)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char *const event_update =
	"UPDATE events SET cid = ?1, type = ?2, ts = ?3, amount_cents = ?4, product = ?5,"
	" channel = ?6, ref = ?7, attrs = ?8 WHERE eid = ?9";

/* What an event record says, normalized. NULL: the record has no such field;
 * "": it has one, empty. */
enum { F_CUSTOMER, F_TYPE, F_TS, F_AMOUNT, F_PRODUCT, F_CHANNEL, F_REF, F_ATTRS, F_COUNT };

struct pending {
	size_t raw;          /* the record as read, for a reject file, or SIZE_MAX */
	size_t out;          /* the record as stored, for stdout */
	size_t field[F_COUNT];
	size_t reason;       /* SIZE_MAX, or the reasons it was rejected for */
	long line;
	int64_t cid;
};

struct event_batch {
	crm_buf arena;
	struct pending *items;
	size_t n;
};

int import_events_prepare(struct crm_import *imp, crm_error *err)
{
	crm_db *db = imp->db;
	imp->batch = calloc(1, sizeof *imp->batch);
	if (!imp->batch)
		return crm_error_set(err, CRM_EDB, "out of memory");
	imp->batch->items = crm_xmalloc(BATCH_EVENTS * sizeof *imp->batch->items);
	if (crm_db_prepare(db, &imp->e_find, "SELECT cid FROM customers WHERE id = ?1", err) ||
	    crm_db_prepare(db, &imp->e_create,
			   "INSERT INTO customers (id, created_at, updated_at) VALUES (?1, ?2, ?2)",
			   err))
		return CRM_EDB;
	return CRM_OK;
}

void import_events_finalize(struct crm_import *imp)
{
	crm_stmt_finalize(imp->e_find);
	crm_stmt_finalize(imp->e_create);
	crm_stmt_finalize(imp->e_insert);
	crm_stmt_finalize(imp->e_by_ref);
	crm_stmt_finalize(imp->e_update);
	crm_stmt_finalize(imp->e_same);
	crm_stmt_finalize(imp->e_maybe_repeat);
	imp->e_maybe_repeat = NULL;
	free(imp->repeat_filter);
	imp->repeat_filter = NULL;
	imp->e_find = imp->e_create = imp->e_insert = imp->e_by_ref = imp->e_update = NULL;
	imp->e_same = NULL;
	free(imp->last_customer);
	free(imp->index_sql);
	free(imp->events_seen.bits);
	imp->last_customer = imp->index_sql = NULL;
	imp->events_seen.bits = NULL;
	if (imp->batch) {
		crm_buf_free(&imp->batch->arena);
		free(imp->batch->items);
		free(imp->batch);
		imp->batch = NULL;
	}
}

static int start_events(struct crm_import *imp, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st, "SELECT coalesce(max(eid), 0) FROM events", err))
		return CRM_EDB;
	if (crm_stmt_step(st) == CRM_ROW)
		imp->events_seen.max_before = crm_stmt_int64(st, 0);
	crm_stmt_finalize(st);
	if (crm_db_prepare(imp->db, &imp->e_insert, event_insert, err) ||
	    crm_db_prepare(imp->db, &imp->e_by_ref, event_select, err) ||
	    crm_db_prepare(imp->db, &imp->e_same, event_same, err) ||
	    crm_db_prepare(imp->db, &imp->e_update, event_update, err))
		return CRM_EDB;
	imp->events_started = true;
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

static int normalize_short(struct crm_import *imp, int i, const crm_value *in,
			   int (*f)(const char *, enum crm_date_order, char *, size_t, crm_error *),
			   crm_error *err)
{
	char out[32];
	if (in->len > 64)
		return crm_error_set(err, CRM_EDATA, "'%.40s...' is too long for a date or time", in->s);
	if (f(in->s, imp->opts.dates, out, sizeof out, err) != CRM_OK)
		return CRM_EDATA;
	import_set(imp, i, out, strlen(out));
	return CRM_OK;
}

static int normalize_event_field(struct crm_import *imp, const struct import_map *map, int i,
				 const crm_value *in, crm_error *err)
{
	bool stamp;
	if ((in->type == CRM_LIST || in->type == CRM_JSON) && import_flat(map->canon[i], in, false, err))
		return CRM_EDATA;
	switch (map->slot[i]) {
	case E_TYPE:
		return normalize_type(imp, i, in, err);
	case E_TS:
		return normalize_short(imp, i, in, crm_norm_timestamp_as, err);
	case E_AMOUNT:
		return normalize_amount(imp, i, in, err);
	case SLOT_CUSTOM:
		if (crm_header_is_date(CRM_NAMES_EVENTS, map->canon[i], &stamp))
			return normalize_short(imp, i, in, stamp ? crm_norm_timestamp_as : crm_norm_date_as,
					       err);
		return import_text(imp, i, in->s, in->len, err);
	default:
		return import_text(imp, i, in->s, in->len, err);
	}
}

static void add_reason(crm_error *err, int *rc, const char *name, const char *reason)
{
	if (*rc == CRM_OK)
		crm_error_set(err, CRM_EDATA, "%s: %s", name, reason);
	else
		crm_error_add(err, "%s: %s", name, reason);
	*rc = CRM_EDATA;
}

static int normalize_event(struct crm_import *imp, const crm_record *in,
			   const struct import_map *map, crm_error *err)
{
	static const int required[] = {E_CUSTOMER, E_TYPE, E_TS};
	int rc = CRM_OK;
	for (size_t i = 0; i < in->n; i++) {
		const crm_value *v = &in->values[i];
		if (map->slot[i] == SLOT_IGNORE || map->slot[i] == SLOT_ATTRS || !v->s)
			continue;
		crm_error e;
		if (normalize_event_field(imp, map, (int)i, v, &e) != CRM_OK)
			add_reason(err, &rc, crm_record_source_name(in, i), e.msg);
	}
	for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
		int col = map->col[required[k]];
		size_t len = col >= 0 && in->values[col].s ? in->values[col].len : 0;
		if (col >= 0 && in->values[col].s)
			crm_trim(in->values[col].s, &len);
		if (len == 0) /* a value that is there but wrong was reported above */
			add_reason(err, &rc, crm_event_columns[required[k]],
				   "missing (an event needs customer_id, type and ts)");
	}
	return rc;
}

/* Custom columns, and a dump's attrs, as one JSON object's text (caller frees). */
static char *event_attrs(struct crm_import *imp, const crm_record *in,
			 const struct import_map *map, crm_error *err, int *rc)
{
	json_t *attrs = NULL;
	if (map->attrs >= 0 && in->values[map->attrs].s) {
		if (!(attrs = import_attrs_from_text(in->values[map->attrs].s, err))) {
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
	if (*rc == CRM_OK && (*rc = import_register_values(imp, CRM_EVENTS, map, err)) != CRM_OK)
		return NULL;
	for (size_t i = 0; i < in->n; i++) {
		const char *v = import_value(imp, (int)i);
		if (map->slot[i] != SLOT_CUSTOM || !v || !*v)
			continue;
		if (!attrs)
			attrs = json_object();
		json_object_set_new(attrs, map->canon[i], import_attr_value(&in->values[i], v));
	}
	char *text = attrs && json_object_size(attrs) ? json_dumps(attrs, ATTRS_DUMP) : NULL;
	json_decref(attrs);
	return text;
}

/* ---- the batch ---- */

static size_t arena_add(crm_buf *a, const char *s, size_t len)
{
	size_t at = a->len;
	crm_buf_add(a, s, len);
	crm_buf_addc(a, '\0');
	return at;
}

/* A record in the arena: count, then each field's name, type, length, bytes. */
static size_t arena_record(crm_buf *a, const crm_record *rec)
{
	size_t at = a->len;
	crm_buf_add(a, &rec->n, sizeof rec->n);
	for (size_t i = 0; i < rec->n; i++) {
		const crm_value *v = &rec->values[i];
		int type = (int)v->type;
		arena_add(a, rec->names[i], strlen(rec->names[i]));
		crm_buf_add(a, &type, sizeof type);
		crm_buf_add(a, &v->len, sizeof v->len);
		crm_buf_add(a, v->s ? v->s : "", v->len);
	}
	return at;
}

static const crm_record *arena_get_record(struct crm_import *imp, size_t at, long line)
{
	const char *p = imp->batch->arena.p + at;
	size_t n;
	memcpy(&n, p, sizeof n);
	p += sizeof n;
	crm_builder_reset(&imp->out);
	for (size_t i = 0; i < n; i++) {
		const char *name = p;
		p += strlen(p) + 1;
		int type;
		size_t len;
		memcpy(&type, p, sizeof type);
		memcpy(&len, p + sizeof type, sizeof len);
		p += sizeof type + sizeof len;
		crm_builder_add(&imp->out, name, (crm_type)type, type == CRM_NULL ? NULL : p, len);
		p += len;
	}
	return crm_builder_finish(&imp->out, NULL, 0, line);
}

/* The record a rejection is told with: whole for a reject file, else only
 * its line (for the message). */
static const crm_record *rejected_record(struct crm_import *imp, const struct pending *p)
{
	if (p->raw != SIZE_MAX)
		return arena_get_record(imp, p->raw, p->line);
	crm_builder_reset(&imp->out);
	return crm_builder_finish(&imp->out, NULL, 0, p->line);
}

static const char *field(const struct crm_import *imp, const struct pending *p, int f)
{
	return p->field[f] == SIZE_MAX ? NULL : imp->batch->arena.p + p->field[f];
}

/* The record as stored, for stdout: canonical names, normalized values. */
static size_t arena_stored(struct crm_import *imp, const crm_record *in,
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
	return arena_record(&imp->batch->arena, crm_builder_finish(b, NULL, 0, in->line));
}

static struct pending *batch_new(struct crm_import *imp, const crm_record *in)
{
	struct event_batch *b = imp->batch;
	struct pending *p = &b->items[b->n++];
	/* Copied only for a reject file: a tenth of a bulk load otherwise. */
	p->raw = imp->opts.keep_rejected ? arena_record(&b->arena, in) : SIZE_MAX;
	p->out = SIZE_MAX;
	p->reason = SIZE_MAX;
	p->line = in->line;
	p->cid = 0;
	for (int f = 0; f < F_COUNT; f++)
		p->field[f] = SIZE_MAX;
	return p;
}

static void batch_reject(struct crm_import *imp, struct pending *p, const char *reason)
{
	p->reason = arena_add(&imp->batch->arena, reason, strlen(reason));
}

static void batch_fields(struct crm_import *imp, struct pending *p, const struct import_map *map,
			 const char *attrs)
{
	static const int cols[] = {E_CUSTOMER, E_TYPE, E_TS, E_AMOUNT, E_PRODUCT, E_CHANNEL, E_REF};
	for (int f = 0; f < F_ATTRS; f++) {
		const char *v = import_value(imp, map->col[cols[f]]);
		if (v)
			p->field[f] = arena_add(&imp->batch->arena, v, strlen(v));
	}
	if (attrs)
		p->field[F_ATTRS] = arena_add(&imp->batch->arena, attrs, strlen(attrs));
}

int import_event(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		 crm_error *err)
{
	if (!imp->events_started && start_events(imp, err) != CRM_OK)
		return CRM_EDB;
	struct pending *p = batch_new(imp, in);
	crm_error why;
	int rc = normalize_event(imp, in, map, &why);
	char *attrs = rc == CRM_OK ? event_attrs(imp, in, map, &why, &rc) : NULL;
	if (rc == CRM_EDATA) {
		batch_reject(imp, p, why.msg);
	} else if (rc == CRM_OK) {
		batch_fields(imp, p, map, attrs);
		if (imp->opts.stored)
			p->out = arena_stored(imp, in, map);
	}
	free(attrs);
	if (rc != CRM_OK && rc != CRM_EDATA) {
		*err = why;
		return rc;
	}
	return imp->batch->n == BATCH_EVENTS ? import_events_flush(imp, err) : CRM_OK;
}

int import_event_reject(struct crm_import *imp, const crm_record *in, const crm_error *why,
			crm_error *err)
{
	struct pending *p = batch_new(imp, in);
	batch_reject(imp, p, why->msg);
	return imp->batch->n == BATCH_EVENTS ? import_events_flush(imp, err) : CRM_OK;
}

bool import_events_pending(const struct crm_import *imp)
{
	return imp->batch && imp->batch->n > 0;
}

/* ---- customers of the batch ---- */

static int create_customer(struct crm_import *imp, const char *id, int64_t *cid,
			   crm_error *err)
{
	crm_stmt *st = imp->e_create;
	crm_stmt_reset(st);
	crm_stmt_bind_text_copy(st, 1, id, -1);
	crm_stmt_bind_text(st, 2, imp->opts.clock->now, -1);
	if (crm_stmt_step(st) != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	*cid = crm_db_last_id(imp->db);
	imp->counts[CRM_EVENTS].created++;
	return CRM_OK;
}

/* The cid of a customer id, 0 when there is none; remembers the last one. */
static int find_customer(struct crm_import *imp, const char *id, int64_t *cid,
			 crm_error *err)
{
	if (imp->last_customer && strcmp(imp->last_customer, id) == 0) {
		*cid = imp->last_cid;
		return CRM_OK;
	}
	crm_stmt *st = imp->e_find;
	crm_stmt_reset(st);
	crm_stmt_bind_text(st, 1, id, -1);
	int rc = crm_stmt_step(st);
	*cid = rc == CRM_ROW ? crm_stmt_int64(st, 0) : 0;
	crm_stmt_reset(st);
	if (rc != CRM_ROW && rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	/* merged into another, or erased: -1, dropped (suppressed.c) */
	if (!*cid && (imp->aliasing || imp->suppressing) &&
	    import_event_customer(imp, id, cid, err) != CRM_OK)
		return CRM_EDB;
	if (!*cid && imp->opts.create_missing && create_customer(imp, id, cid, err) != CRM_OK)
		return CRM_EDB;
	free(imp->last_customer);
	imp->last_customer = crm_xstrdup(id);
	imp->last_cid = *cid;
	return CRM_OK;
}

static const struct crm_import *sort_imp; /* qsort has no context argument in C17 */

static int by_customer(const void *a, const void *b)
{
	const struct pending *x = *(struct pending *const *)a, *y = *(struct pending *const *)b;
	int c = strcmp(field(sort_imp, x, F_CUSTOMER), field(sort_imp, y, F_CUSTOMER));
	return c ? c : (x < y ? -1 : x > y);
}

static int resolve_customers(struct crm_import *imp, crm_error *err)
{
	struct event_batch *b = imp->batch;
	struct pending **order = crm_xmalloc((b->n + 1) * sizeof *order);
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].reason == SIZE_MAX)
			order[n++] = &b->items[i];
	sort_imp = imp;
	qsort(order, n, sizeof *order, by_customer);
	int rc = CRM_OK;
	for (size_t i = 0; i < n && rc == CRM_OK; i++) {
		const char *id = field(imp, order[i], F_CUSTOMER);
		rc = find_customer(imp, id, &order[i]->cid, err);
		if (rc == CRM_OK && !order[i]->cid) {
			crm_buf reason = {0};
			crm_buf_printf(&reason, "customer_id: unknown customer '%s' (add the customer "
				       "first, or use --create-missing)", id);
			batch_reject(imp, order[i], reason.p);
			crm_buf_free(&reason);
		}
	}
	free(order);
	/* An erased customer's events leave the batch, counted, without a trace. */
	size_t kept = 0;
	for (size_t i = 0; imp->suppressing && i < b->n; i++) {
		if (b->items[i].cid < 0)
			imp->counts[CRM_EVENTS].suppressed++;
		else
			b->items[kept++] = b->items[i];
	}
	if (imp->suppressing)
		b->n = kept;
	return rc;
}

/* ---- one event, stored ---- */

/* An event as stored or about to be. */
struct event {
	int64_t eid, cid;
	char *type, *ts, *product, *channel, *ref;
	bool has_amount;
	int64_t cents;
	json_t *attrs;
};

static void event_clear(struct event *e)
{
	free(e->type);
	free(e->ts);
	free(e->product);
	free(e->channel);
	free(e->ref);
	json_decref(e->attrs);
	memset(e, 0, sizeof *e);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? crm_xstrdup(s) : NULL;
}

/* Reads the stored event a lookup statement found, if it found one. */
static int read_event(struct crm_import *imp, crm_stmt *st, struct event *e, crm_error *err)
{
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW) {
		e->eid = crm_stmt_int64(st, 0);
		e->cid = crm_stmt_int64(st, 1);
		e->type = dup_or_null(crm_stmt_text(st, 2));
		e->ts = dup_or_null(crm_stmt_text(st, 3));
		e->has_amount = !crm_stmt_is_null(st, 4);
		e->cents = crm_stmt_int64(st, 4);
		e->product = dup_or_null(crm_stmt_text(st, 5));
		e->channel = dup_or_null(crm_stmt_text(st, 6));
		const char *attrs = crm_stmt_text(st, 7);
		e->attrs = attrs ? json_loads(attrs, 0, NULL) : NULL;
		e->ref = dup_or_null(crm_stmt_text(st, 8));
	}
	crm_stmt_reset(st);
	if (rc != CRM_ROW && rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return CRM_OK;
}

static int load_event(struct crm_import *imp, const char *ref, struct event *e, crm_error *err)
{
	crm_stmt *st = imp->e_by_ref;
	crm_stmt_reset(st);
	crm_stmt_bind_text(st, 1, ref, -1);
	return read_event(imp, st, e, err);
}

static void bind_text(crm_stmt *st, int i, const char *s);
static void bind_amount(crm_stmt *st, int i, const char *amount);

/* ?1 to ?6: what names an event without a ref (SPEC: Identity), in the order
 * the insert and the lookup by content both take it. */
static void bind_content(struct crm_import *imp, crm_stmt *st, const struct pending *p)
{
	crm_stmt_reset(st);
	crm_stmt_bind_int64(st, 1, p->cid);
	bind_text(st, 2, field(imp, p, F_TYPE));
	bind_text(st, 3, field(imp, p, F_TS));
	bind_amount(st, 4, field(imp, p, F_AMOUNT));
	bind_text(st, 5, field(imp, p, F_PRODUCT));
	bind_text(st, 6, field(imp, p, F_CHANNEL));
}

/* The stored event without a ref that has this record's content. */
static int load_same(struct crm_import *imp, const struct pending *p, struct event *e,
		     crm_error *err)
{
	crm_stmt *st = imp->e_same;
	bind_content(imp, st, p);
	return read_event(imp, st, e, err);
}

static void merge_event(struct crm_import *imp, const struct pending *p, struct event *e)
{
	bool replace = imp->opts.replace;
	e->cid = p->cid;
	import_merge_text(&e->type, field(imp, p, F_TYPE), false);
	import_merge_text(&e->ts, field(imp, p, F_TS), false);
	import_merge_text(&e->product, field(imp, p, F_PRODUCT), replace);
	import_merge_text(&e->channel, field(imp, p, F_CHANNEL), replace);
	import_merge_text(&e->ref, field(imp, p, F_REF), false);
	const char *amount = field(imp, p, F_AMOUNT);
	if (amount && *amount)
		e->has_amount = crm_norm_amount(amount, &e->cents, NULL) == CRM_OK;
	else if (amount && replace)
		e->has_amount = false;
	if (replace) {
		json_decref(e->attrs);
		e->attrs = NULL;
	}
	const char *text = field(imp, p, F_ATTRS);
	json_t *attrs = text ? json_loads(text, 0, NULL) : NULL;
	const char *key;
	json_t *v;
	json_object_foreach(attrs, key, v) {
		if (!e->attrs)
			e->attrs = json_object();
		json_object_set(e->attrs, key, v);
	}
	json_decref(attrs);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool event_changed(const struct event *a, const struct event *b)
{
	bool attrs_same = (!a->attrs && !b->attrs) ||
			  (a->attrs && b->attrs && json_equal(a->attrs, b->attrs));
	return a->cid != b->cid || !same(a->type, b->type) || !same(a->ts, b->ts) ||
	       a->has_amount != b->has_amount || (a->has_amount && a->cents != b->cents) ||
	       !same(a->product, b->product) || !same(a->channel, b->channel) || !attrs_same;
}

static void bind_text(crm_stmt *st, int i, const char *s)
{
	if (s && *s)
		crm_stmt_bind_text(st, i, s, -1);
	else
		crm_stmt_bind_null(st, i);
}

static void bind_amount(crm_stmt *st, int i, const char *amount)
{
	int64_t cents;
	if (amount && *amount && crm_norm_amount(amount, &cents, NULL) == CRM_OK)
		crm_stmt_bind_int64(st, i, cents);
	else
		crm_stmt_bind_null(st, i);
}

static int step_done(struct crm_import *imp, crm_stmt *st, crm_error *err)
{
	int rc = crm_stmt_step(st);
	crm_stmt_reset(st);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(imp->db, err, NULL);
}

static int write_event(struct crm_import *imp, const struct event *e, crm_error *err)
{
	crm_stmt *st = imp->e_update;
	crm_stmt_reset(st);
	crm_stmt_bind_int64(st, 1, e->cid);
	bind_text(st, 2, e->type);
	bind_text(st, 3, e->ts);
	if (e->has_amount)
		crm_stmt_bind_int64(st, 4, e->cents);
	else
		crm_stmt_bind_null(st, 4);
	bind_text(st, 5, e->product);
	bind_text(st, 6, e->channel);
	bind_text(st, 7, e->ref);
	char *attrs = e->attrs && json_object_size(e->attrs) ? json_dumps(e->attrs, ATTRS_DUMP) : NULL;
	bind_text(st, 8, attrs);
	crm_stmt_bind_int64(st, 9, e->eid);
	int rc = step_done(imp, st, err);
	free(attrs);
	return rc;
}

/* A new event needs no merging: its fields go in as they are. */
static int insert_event(struct crm_import *imp, const struct pending *p, crm_error *err)
{
	crm_stmt *st = imp->e_insert;
	bind_content(imp, st, p);
	bind_text(st, 7, field(imp, p, F_REF));
	bind_text(st, 8, field(imp, p, F_ATTRS));
	return step_done(imp, st, err);
}

/* ---- repeats in a bulk load ----
 *
 * Without its index, a bulk load cannot look each event up. It keeps a
 * blocked Bloom filter of the events it stored (Putze, Sanders, Singler,
 * "Cache-, hash- and space-efficient Bloom filters", 2007: the k bits of a
 * key in one 64-bit word, one cache miss per event): an event whose bits are
 * all set already may repeat an earlier one, and is noted; the others surely
 * do not. At the end the few noted events are looked up in the rebuilt index.
 * 8 MiB: at 5M events, about one event in a hundred is noted needlessly. */
#define REPEAT_FILTER_WORDS (1u << 20)

static uint64_t mix64(uint64_t h) /* splitmix64's finalizer: every bit counts */
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebu;
	return h ^ (h >> 31);
}

static uint64_t fnv1a(uint64_t h, const char *s) /* FNV-1a, 64 bits; the NUL separates */
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (h ^ (s ? 1 : 2)) * 0x100000001b3u;
}

static uint64_t event_key(int64_t cid, const char *type, const char *ts, bool has_amount,
			  int64_t cents, const char *product, const char *channel)
{
	uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)cid;
	h = fnv1a(fnv1a(h, type), ts);
	h ^= has_amount ? (uint64_t)cents * 0x9e3779b97f4a7c15u : 0x5bd1e995u;
	return mix64(fnv1a(fnv1a(h, product && *product ? product : NULL),
			   channel && *channel ? channel : NULL));
}

/* Sets the key's bits; true when they were all set already. */
static bool filter_add(uint64_t *filter, uint64_t key)
{
	uint64_t bits = 0;
	for (int i = 0; i < 4; i++)
		bits |= (uint64_t)1 << ((key >> (20 + 6 * i)) & 63);
	uint64_t *word = &filter[key & (REPEAT_FILTER_WORDS - 1)];
	bool seen = (*word & bits) == bits;
	*word |= bits;
	return seen;
}

static int note_repeat(struct crm_import *imp, int64_t eid, crm_error *err)
{
	crm_stmt *st = imp->e_maybe_repeat;
	crm_stmt_bind_int64(st, 1, eid);
	return step_done(imp, st, err);
}

/* The filter starts with the events this import stored before the index went. */
static int start_repeat_filter(struct crm_import *imp, crm_error *err)
{
	imp->repeat_filter = calloc(REPEAT_FILTER_WORDS, sizeof *imp->repeat_filter);
	if (!imp->repeat_filter)
		return crm_error_set(err, CRM_EDB, "out of memory");
	if (crm_db_exec(imp->db, "CREATE TEMP TABLE event_maybe_repeats (eid INTEGER PRIMARY KEY)",
			err) ||
	    crm_db_prepare(imp->db, &imp->e_maybe_repeat,
			   "INSERT OR IGNORE INTO temp.event_maybe_repeats (eid) VALUES (?1)", err))
		return CRM_EDB;
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st,
			   "SELECT eid, cid, type, ts, amount_cents, product, channel FROM events"
			   " WHERE eid > ?1 AND ref IS NULL", err))
		return CRM_EDB;
	crm_stmt_bind_int64(st, 1, imp->events_seen.max_before);
	int rc = CRM_OK, step;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		uint64_t key = event_key(crm_stmt_int64(st, 1),
					 crm_stmt_text(st, 2),
					 crm_stmt_text(st, 3),
					 !crm_stmt_is_null(st, 4),
					 crm_stmt_int64(st, 4),
					 crm_stmt_text(st, 5),
					 crm_stmt_text(st, 6));
		if (filter_add(imp->repeat_filter, key)) /* the index found repeats so far */
			rc = note_repeat(imp, crm_stmt_int64(st, 0), err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(imp->db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

/* A new event of a bulk load: noted when it may repeat an earlier one. */
static int filter_event(struct crm_import *imp, const struct pending *p, crm_error *err)
{
	const char *ref = field(imp, p, F_REF), *amount = field(imp, p, F_AMOUNT);
	if (!imp->repeat_filter || (ref && *ref))
		return CRM_OK;
	int64_t cents = 0;
	bool has_amount = amount && *amount && crm_norm_amount(amount, &cents, NULL) == CRM_OK;
	uint64_t key = event_key(p->cid, field(imp, p, F_TYPE), field(imp, p, F_TS), has_amount,
				 cents, field(imp, p, F_PRODUCT), field(imp, p, F_CHANNEL));
	if (!filter_add(imp->repeat_filter, key))
		return CRM_OK;
	return note_repeat(imp, crm_db_last_id(imp->db), err);
}

/* A large import drops the per-customer index and builds it again at the end. */
static int maybe_drop_index(struct crm_import *imp, crm_error *err)
{
	imp->events_added++;
	if (imp->index_sql || imp->events_added <= BULK_THRESHOLD ||
	    imp->events_added <= imp->events_seen.max_before / 8)
		return CRM_OK;
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st,
			   "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'events_by_customer'",
			   err))
		return CRM_EDB;
	if (crm_stmt_step(st) == CRM_ROW)
		imp->index_sql = crm_xstrdup(crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	if (!imp->index_sql)
		return CRM_OK;
	if (crm_db_exec(imp->db, "DROP INDEX events_by_customer", err) != CRM_OK)
		return CRM_EDB;
	return start_repeat_filter(imp, err);
}

/* An event with an id merges into the stored event with that id. */
static int merge_stored(struct crm_import *imp, const struct pending *p, struct event *old,
			crm_error *err)
{
	struct event e = *old;
	e.type = dup_or_null(old->type);
	e.ts = dup_or_null(old->ts);
	e.product = dup_or_null(old->product);
	e.channel = dup_or_null(old->channel);
	e.ref = dup_or_null(old->ref);
	e.attrs = old->attrs ? json_deep_copy(old->attrs) : NULL;
	merge_event(imp, p, &e);
	bool changed = event_changed(old, &e);
	int rc = changed ? write_event(imp, &e, err) : CRM_OK;
	crm_import_counts *n = &imp->counts[CRM_EVENTS];
	if (rc == CRM_OK) {
		if (seen_before(&imp->events_seen, old->eid, false))
			n->merged++;
		else if (changed)
			n->updated++;
		else
			n->unchanged++;
	}
	event_clear(&e);
	return rc;
}

static int store_event(struct crm_import *imp, const struct pending *p, crm_error *err)
{
	const char *ref = field(imp, p, F_REF);
	struct event old = {0};
	int rc = CRM_OK;
	if (ref && *ref)
		rc = load_event(imp, ref, &old, err);
	else if (!imp->index_sql) /* a bulk load finds its repeats at the end */
		rc = load_same(imp, p, &old, err);
	if (rc == CRM_OK && old.eid) {
		rc = merge_stored(imp, p, &old, err);
	} else if (rc == CRM_OK) {
		rc = insert_event(imp, p, err);
		if (rc == CRM_OK)
			rc = filter_event(imp, p, err);
		if (rc == CRM_OK) {
			imp->counts[CRM_EVENTS].inserted++;
			rc = maybe_drop_index(imp, err);
		}
	}
	event_clear(&old);
	return rc;
}

/* ---- storing the batch ---- */

static void deliver(struct crm_import *imp, const struct pending *p)
{
	if (p->reason != SIZE_MAX) {
		crm_error why;
		crm_error_set(&why, CRM_EDATA, "%s", imp->batch->arena.p + p->reason);
		why.line = p->line;
		imp->counts[CRM_EVENTS].rejected++;
		if (imp->opts.rejected)
			imp->opts.rejected(imp->opts.ctx, rejected_record(imp, p), &why);
	} else if (imp->opts.stored && p->out != SIZE_MAX && !imp->restore) {
		imp->opts.stored(imp->opts.ctx, arena_get_record(imp, p->out, p->line));
	}
}

int import_events_flush(struct crm_import *imp, crm_error *err)
{
	struct event_batch *b = imp->batch;
	if (!b || b->n == 0)
		return CRM_OK;
	int rc = resolve_customers(imp, err);
	for (size_t i = 0; i < b->n && rc == CRM_OK; i++) {
		if (b->items[i].reason == SIZE_MAX)
			rc = store_event(imp, &b->items[i], err);
		deliver(imp, &b->items[i]);
	}
	b->n = 0;
	crm_buf_reset(&b->arena);
	return rc;
}

/* ---- a bulk load's repeats ---- */

/* The events this import added that repeat an earlier event (same customer,
 * type, time, amount, product and channel, neither with a ref), each with the
 * first of its kind, among those the filter noted. When events were stored
 * before, the import's may repeat them too: one pass over the rebuilt index
 * (SCAN events USING COVERING INDEX events_by_customer, grouped in its own
 * order, no sort) notes those that share a key with another. CROSS JOIN: the
 * few noted events first, each looked up (SCAN c, SEARCH e USING INTEGER
 * PRIMARY KEY), never the other way round. */
static const char *const old_repeats_sql =
	"INSERT OR IGNORE INTO temp.event_maybe_repeats (eid)"
	" SELECT e.eid FROM (SELECT cid, type, ts, amount_cents FROM events"
	"  GROUP BY cid, type, ts, amount_cents HAVING count(*) > 1) AS k"
	" JOIN events e ON e.cid = k.cid AND e.type = k.type AND e.ts = k.ts"
	"  AND e.amount_cents IS k.amount_cents"
	" WHERE e.eid > ?1";

static const char *const repeats_sql =
	"CREATE TEMP TABLE event_repeats AS"
	" SELECT dup, keep FROM ("
	"  SELECT e.eid AS dup, (SELECT min(o.eid) FROM events o WHERE o.cid = e.cid"
	"   AND o.type = e.type AND o.ts = e.ts AND o.amount_cents IS e.amount_cents"
	"   AND o.product IS e.product AND o.channel IS e.channel AND o.ref IS NULL) AS keep"
	"  FROM temp.event_maybe_repeats AS c CROSS JOIN events e ON e.eid = c.eid"
	"  WHERE e.ref IS NULL)"
	" WHERE keep < dup";

static int run_bound(struct crm_import *imp, const char *sql, int64_t value, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st, sql, err))
		return CRM_EDB;
	crm_stmt_bind_int64(st, 1, value);
	int rc = step_done(imp, st, err);
	crm_stmt_finalize(st);
	return rc;
}

/* A repeat's extra columns go into the event it repeats, as a record merging
 * into a stored event would put them (--replace: instead of them). */
static const char *const repeat_attrs_sql =
	"UPDATE events SET attrs = ?2 WHERE eid = ?1 AND attrs IS NOT ?2";

static int merge_repeat_attrs(struct crm_import *imp, int64_t keep, const char *attrs,
			      bool *changed, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st,
			   imp->opts.replace ? repeat_attrs_sql
					     : "UPDATE events SET attrs = json_patch(coalesce(attrs, '{}'), ?2)"
					       " WHERE eid = ?1 AND json(coalesce(attrs, '{}'))"
					       " IS NOT json_patch(coalesce(attrs, '{}'), ?2)",
			   err))
		return CRM_EDB;
	crm_stmt_bind_int64(st, 1, keep);
	crm_stmt_bind_text(st, 2, attrs, -1);
	int rc = step_done(imp, st, err);
	*changed = crm_db_changes(imp->db) > 0;
	crm_stmt_finalize(st);
	return rc;
}

/* Counts each repeat as a record merging into a stored event would be. */
static int count_repeats(struct crm_import *imp, long *n, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st,
			   "SELECT r.dup, r.keep, e.attrs FROM temp.event_repeats r"
			   " JOIN events e ON e.eid = r.dup ORDER BY r.dup",
			   err))
		return CRM_EDB;
	crm_import_counts *c = &imp->counts[CRM_EVENTS];
	int rc, step;
	for (rc = CRM_OK; rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW; (*n)++) {
		int64_t keep = crm_stmt_int64(st, 1);
		const char *attrs = crm_stmt_text(st, 2);
		bool changed = false;
		if (attrs)
			rc = merge_repeat_attrs(imp, keep, attrs, &changed, err);
		if (seen_before(&imp->events_seen, keep, false))
			c->merged++;
		else if (changed)
			c->updated++;
		else
			c->unchanged++;
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(imp->db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

static int drop_repeats(struct crm_import *imp, crm_error *err)
{
	int64_t before = imp->events_seen.max_before;
	int rc = before > 0 ? run_bound(imp, old_repeats_sql, before, err) : CRM_OK;
	if (rc == CRM_OK)
		rc = crm_db_exec(imp->db, repeats_sql, err);
	long n = 0;
	if (rc == CRM_OK)
		rc = count_repeats(imp, &n, err);
	if (rc == CRM_OK && n > 0)
		rc = crm_db_exec(imp->db, "DELETE FROM events WHERE eid IN"
				 " (SELECT dup FROM temp.event_repeats)", err);
	if (rc == CRM_OK) {
		imp->counts[CRM_EVENTS].inserted -= n;
		crm_audit_unsay(imp->db, "events", n); /* added and removed again: no change */
		rc = crm_db_exec(imp->db, "DROP TABLE temp.event_repeats;"
				 " DROP TABLE temp.event_maybe_repeats", err);
	}
	return rc;
}

int import_events_finish(struct crm_import *imp, crm_error *err)
{
	int rc = import_events_flush(imp, err);
	if (rc != CRM_OK || !imp->index_sql)
		return rc;
	rc = crm_db_exec(imp->db, imp->index_sql, err);
	free(imp->index_sql);
	imp->index_sql = NULL;
	return rc == CRM_OK ? drop_repeats(imp, err) : rc;
}
