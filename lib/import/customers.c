/* customers.c: upsert customers by id (or by --match), merging into
 * what is stored without blanking it, and counting duplicates in the input. */
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define ID_MAX 200

/* A customer as stored, or as it will be: column values and attributes. */
struct customer {
	int64_t cid; /* 0: not stored yet */
	char *v[C_NCOLS];  /* NULL: no value */
	json_t *attrs;     /* NULL: none */
	/* A new customer's values are the record's own, borrowed until the record
	 * is done: copying and freeing each of them cost 7% of an import. */
	bool borrowed;
};

static void customer_clear(struct customer *c)
{
	for (int i = 0; !c->borrowed && i < C_NCOLS; i++)
		free(c->v[i]);
	json_decref(c->attrs);
	memset(c, 0, sizeof *c);
}

static void customer_set(struct customer *c, int col, const char *s)
{
	if (c->borrowed) {
		c->v[col] = (char *)s;
		return;
	}
	free(c->v[col]);
	c->v[col] = s ? crm_xstrdup(s) : NULL;
}

static const char *const select_customer =
	"SELECT cid, id, name, phone, email, wechat_id, gender, birthday, city, province,"
	" source, owner, created_at, updated_at, attrs FROM customers WHERE id = ?1";

int import_customers_prepare(struct crm_import *imp, crm_error *err)
{
	crm_db *db = imp->db;
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT coalesce(max(cid), 0) FROM customers", err))
		return CRM_EDB;
	if (crm_stmt_step(st) == CRM_ROW)
		imp->customers_seen.max_before = crm_stmt_int64(st, 0);
	crm_stmt_finalize(st);
	if (crm_db_prepare(db, &imp->c_get, select_customer, err) ||
	    crm_db_prepare(db, &imp->c_insert,
			   "INSERT INTO customers (id, name, phone, email, wechat_id, gender, birthday,"
			   " city, province, source, owner, created_at, updated_at, attrs)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
			   " ON CONFLICT (id) DO NOTHING",
			   err) ||
	    crm_db_prepare(db, &imp->c_update,
			   "UPDATE customers SET id = ?1, name = ?2, phone = ?3, email = ?4,"
			   " wechat_id = ?5, gender = ?6, birthday = ?7, city = ?8, province = ?9,"
			   " source = ?10, owner = ?11, created_at = ?12, updated_at = ?13, attrs = ?14"
			   " WHERE cid = ?15",
			   err))
		return CRM_EDB;
	if (imp->opts.match != CRM_MATCH_NONE &&
	    crm_match_prepare(db, imp->opts.match, &imp->c_match, err))
		return CRM_EDB;
	return import_identity_prepare(imp, err);
}

void import_customers_finalize(struct crm_import *imp)
{
	crm_tag_giver_free(imp->tags);
	imp->tags = NULL;
	crm_stmt_finalize(imp->c_get);
	crm_stmt_finalize(imp->c_match);
	crm_stmt_finalize(imp->c_insert);
	crm_stmt_finalize(imp->c_update);
	free(imp->customers_seen.bits);
	crm_buf_free(&imp->c_index_sql);
	import_identity_finalize(imp);
}

/* ---- normalizing one record ---- */

static int normalize_id(struct crm_import *imp, int i, const crm_value *in, crm_error *err)
{
	if (import_text(imp, i, in->s, in->len, err) != CRM_OK)
		return CRM_EDATA;
	const char *id = import_value(imp, i);
	if (crm_excel_shortened(id))
		return crm_error_set(err, CRM_EDATA, "'%s' is a number Excel shortened: its last digits were"
				     " lost when the file was saved (in Excel, format the column as Text,"
				     " or save the sheet as .xlsx, and export it again)", id);
	if (strlen(id) > ID_MAX)
		return crm_error_set(err, CRM_EDATA, "longer than %d bytes", ID_MAX);
	if (strpbrk(id, "\n\t"))
		return crm_error_set(err, CRM_EDATA, "an id cannot hold line breaks or tabs");
	return CRM_OK;
}

typedef int (*normalizer)(const char *, char *, size_t, crm_error *);
typedef int (*dated_normalizer)(const char *, enum crm_date_order, char *, size_t, crm_error *);

static int normalize_with(struct crm_import *imp, int i, const crm_value *in, normalizer f,
			  dated_normalizer dated, crm_error *err)
{
	char small[256];
	size_t sz = in->len + 40;
	char *out = sz <= sizeof small ? small : crm_xmalloc(sz);
	int rc = f ? f(in->s, out, sz, err) : dated(in->s, imp->opts.dates, out, sz, err);
	if (rc == CRM_OK)
		import_set(imp, i, out, strlen(out));
	if (out != small)
		free(out);
	return rc;
}

/* The length of the separator of tags at s, or 0: ';' as crm writes lists,
 * and the commas and 、 people type between tags (VIP、新客). */
static size_t tag_separator(const char *s, size_t left)
{
	static const char *const seps[] = {";", ",", "；", "，", "、"};
	for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
		size_t n = strlen(seps[i]);
		if (left >= n && !memcmp(s, seps[i], n))
			return n;
	}
	return 0;
}

/* A tags column: names by crm-tag's rules, ';'-joined as the list is kept. */
static int normalize_tags(struct crm_import *imp, int i, const crm_value *in, crm_error *err)
{
	crm_buf list = {0};
	int rc = CRM_OK;
	const char *p = in->s, *end = in->s + in->len;
	while (p < end && rc == CRM_OK) {
		const char *start = p;
		size_t sep = 0;
		while (p < end && !(sep = tag_separator(p, (size_t)(end - p))))
			p++;
		size_t len = (size_t)(p - start);
		const char *name = crm_trim(start, &len);
		p += sep;
		if (!len)
			continue;
		char *one = crm_xmalloc(len + 1);
		memcpy(one, name, len);
		one[len] = '\0';
		rc = crm_tag_name_check(one, err);
		if (rc == CRM_OK)
			crm_buf_printf(&list, "%s%s", list.len ? ";" : "", one);
		free(one);
	}
	if (rc == CRM_OK)
		import_set(imp, i, list.p ? list.p : "", list.len);
	crm_buf_free(&list);
	return rc;
}

static int normalize_field(struct crm_import *imp, const struct import_map *map, int i,
			   const crm_value *in, crm_error *err)
{
	int slot = map->slot[i];
	const char *name = map->canon[i];
	bool stamp;
	bool list_ok = slot == SLOT_TAGS || (slot == SLOT_CUSTOM && !strcmp(name, "tagid_list"));
	if ((in->type == CRM_LIST || in->type == CRM_JSON) && import_flat(name, in, list_ok, err))
		return CRM_EDATA;
	switch (slot) {
	case C_ID: return normalize_id(imp, i, in, err);
	case C_PHONE: return normalize_with(imp, i, in, crm_norm_phone, NULL, err);
	case C_EMAIL: return normalize_with(imp, i, in, crm_norm_email, NULL, err);
	case C_GENDER: return normalize_with(imp, i, in, crm_norm_gender, NULL, err);
	case C_BIRTHDAY: return normalize_with(imp, i, in, NULL, crm_norm_date_as, err);
	case C_CREATED:
	case C_UPDATED: return normalize_with(imp, i, in, NULL, crm_norm_timestamp_as, err);
	case SLOT_TAGS: return normalize_tags(imp, i, in, err);
	case SLOT_CUSTOM:
		if (crm_header_is_date(CRM_NAMES_CUSTOMERS, name, &stamp))
			return normalize_with(imp, i, in, NULL, stamp ? crm_norm_timestamp_as
					      : crm_norm_date_as, err);
		return import_text(imp, i, in->s, in->len, err);
	default: return import_text(imp, i, in->s, in->len, err);
	}
}

/* Normalizes every field; each bad one adds a line "column: reason" to err. */
static int normalize_record(struct crm_import *imp, const crm_record *in,
			    const struct import_map *map, crm_error *err)
{
	int rc = CRM_OK;
	for (size_t i = 0; i < in->n; i++) {
		const crm_value *v = &in->values[i];
		if (map->slot[i] == SLOT_IGNORE || map->slot[i] == SLOT_ATTRS || !v->s)
			continue;
		crm_error e;
		if (normalize_field(imp, map, (int)i, v, &e) != CRM_OK) {
			if (rc == CRM_OK)
				crm_error_set(err, CRM_EDATA, "%s: %s", crm_record_source_name(in, i), e.msg);
			else
				crm_error_add(err, "%s: %s", crm_record_source_name(in, i), e.msg);
			rc = CRM_EDATA;
		}
	}
	return rc;
}

/* ---- who the record is ---- */

/* A stable id for a customer without one: the same phone (else email,
 * wechat_id, openid, unionid) gives the same id, so importing a file twice
 * does not double anyone. */
static void generated_id(const char *label, const char *value, char out[16])
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (const char *p = label; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ 0) * 0x100000001b3ULL;
	for (const char *p = value; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	import_id_text(h, out);
}

static const char *value_of(struct crm_import *imp, const struct import_map *map, int col)
{
	const char *v = import_value(imp, map->col[col]);
	return v && *v ? v : NULL;
}

/* The id this record is stored under: its own, the id of the customer its
 * --match field names, or a generated one. *id is NULL when there is none. */
static int identify(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		    char **id, crm_error *err)
{
	static const int match_col[] = {
		[CRM_MATCH_PHONE] = C_PHONE, [CRM_MATCH_EMAIL] = C_EMAIL, [CRM_MATCH_WECHAT] = C_WECHAT,
	};
	*id = NULL;
	const char *given = value_of(imp, map, C_ID);
	if (given) {
		*id = crm_xstrdup(given);
		return CRM_OK;
	}
	const char *openid = import_value(imp, map->openid), *unionid = import_value(imp, map->unionid);
	if (imp->opts.match != CRM_MATCH_NONE) {
		bool wechat = imp->opts.match == CRM_MATCH_OPENID || imp->opts.match == CRM_MATCH_UNIONID;
		const char *key = !wechat ? value_of(imp, map, match_col[imp->opts.match])
				: imp->opts.match == CRM_MATCH_OPENID ? openid : unionid;
		int rc = key && *key ? crm_match_find(imp->db, imp->c_match, imp->opts.match, key, "", id, err)
				     : CRM_OK;
		if (rc != CRM_OK)
			return rc;
		if (*id)
			return CRM_OK;
	}
	/* A stable id for a customer without one: the same phone (else email,
	 * wechat_id, openid, unionid) gives the same id. */
	static const char *const labels[] = {"phone", "email", "wechat_id", "openid", "unionid"};
	static const int cols[] = {C_PHONE, C_EMAIL, C_WECHAT, -1, -1};
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
		const char *key = cols[i] >= 0 ? value_of(imp, map, cols[i]) : i == 3 ? openid : unionid;
		if (key && *key) {
			char gen[16];
			generated_id(labels[i], key, gen);
			*id = crm_xstrdup(gen);
			return CRM_OK;
		}
	}
	return import_unidentified(imp, in, map, id, err);
}

/* ---- stored and merged ---- */

static int load_customer(struct crm_import *imp, const char *id, struct customer *c,
			 crm_error *err)
{
	crm_stmt *st = imp->c_get;
	crm_stmt_reset(st);
	crm_stmt_bind_text_copy(st, 1, id, -1);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW) {
		c->cid = crm_stmt_int64(st, 0);
		for (int i = 0; i < C_NCOLS; i++) {
			const char *s = crm_stmt_text(st, i + 1);
			c->v[i] = s ? crm_xstrdup(s) : NULL;
		}
		const char *attrs = crm_stmt_text(st, C_NCOLS + 1);
		c->attrs = attrs ? json_loads(attrs, 0, NULL) : NULL;
	}
	crm_stmt_reset(st);
	if (rc != CRM_ROW && rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return CRM_OK;
}

/* A number or a boolean written back as text (an export piped into the
 * same database) is the value stored, not a change to text. */
static bool same_as_text(json_t *stored, json_t *value)
{
	if (!json_is_string(value) || !stored || json_is_string(stored))
		return false;
	char text[64];
	if (json_is_integer(stored))
		snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(stored));
	else if (json_is_real(stored))
		snprintf(text, sizeof text, "%.15g", json_real_value(stored));
	else if (json_is_boolean(stored))
		snprintf(text, sizeof text, "%s", json_is_true(stored) ? "true" : "false");
	else
		return false;
	return !strcmp(text, json_string_value(value));
}

/* A value replaces the stored one; an empty one keeps it, unless replace. */
static void merge_attr(json_t **attrs, const char *name, json_t *value, bool empty, bool replace)
{
	if (!value && (!empty || !replace))
		return;
	if (value && *attrs && same_as_text(json_object_get(*attrs, name), value)) {
		json_decref(value);
		return;
	}
	if (!*attrs)
		*attrs = json_object();
	if (value)
		json_object_set_new(*attrs, name, value);
	else
		json_object_del(*attrs, name);
}

static int merge_dump_attrs(struct crm_import *imp, const crm_record *in,
			    const struct import_map *map, struct customer *c, crm_error *err)
{
	const crm_value *v = &in->values[map->attrs];
	if (!v->s)
		return CRM_OK;
	json_t *attrs = import_attrs_from_text(v->s, err);
	if (!attrs)
		return CRM_EDATA;
	const char *key;
	json_t *val;
	json_object_foreach(attrs, key, val) {
		if (import_register_field(imp, CRM_CUSTOMERS, key, err) != CRM_OK) {
			json_decref(attrs);
			return CRM_EDB;
		}
		merge_attr(&c->attrs, key, json_incref(val), false, imp->opts.replace);
	}
	json_decref(attrs);
	return CRM_OK;
}

static int merge_record(struct crm_import *imp, const crm_record *in,
			const struct import_map *map, struct customer *c, crm_error *err)
{
	/* The id never changes; created_at and updated_at are never blanked. */
	for (int col = C_ID + 1; col < C_NCOLS; col++) {
		if (col == C_UPDATED)
			continue;
		const char *v = import_value(imp, map->col[col]);
		if (!c->borrowed)
			import_merge_text(&c->v[col], v, imp->opts.replace && col != C_CREATED);
		else if (v && *v) /* a new customer: nothing stored to keep or blank */
			customer_set(c, col, v);
	}
	for (size_t i = 0; i < in->n; i++) {
		const char *v = map->slot[i] == SLOT_CUSTOM ? import_value(imp, (int)i) : NULL;
		if (v)
			merge_attr(&c->attrs, map->canon[i], import_attr_value(&in->values[i], v), !*v,
				   imp->opts.replace);
	}
	if (map->attrs >= 0 && merge_dump_attrs(imp, in, map, c, err) != CRM_OK)
		return CRM_EDATA;
	if (c->attrs && json_object_size(c->attrs) == 0) {
		json_decref(c->attrs);
		c->attrs = NULL;
	}
	return CRM_OK;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool customer_changed(const struct customer *old, const struct customer *new)
{
	for (int i = 0; i < C_NCOLS; i++)
		if (i != C_UPDATED && !same_text(old->v[i], new->v[i]))
			return true;
	if (!old->attrs || !new->attrs)
		return old->attrs != new->attrs;
	return !json_equal(old->attrs, new->attrs);
}

static void bind_static(crm_stmt *st, int i, const char *s)
{
	if (s && *s)
		crm_stmt_bind_text(st, i, s, -1);
	else
		crm_stmt_bind_null(st, i);
}

static int write_customer(struct crm_import *imp, struct customer *c, crm_error *err)
{
	crm_stmt *st = c->cid ? imp->c_update : imp->c_insert;
	crm_stmt_reset(st);
	/* SQLITE_STATIC: the strings outlive the step, and copying them cost. */
	for (int i = 0; i < C_NCOLS; i++)
		bind_static(st, i + 1, c->v[i]);
	char *attrs = c->attrs ? json_dumps(c->attrs, ATTRS_DUMP) : NULL;
	bind_static(st, C_NCOLS + 1, attrs);
	if (c->cid)
		crm_stmt_bind_int64(st, C_NCOLS + 2, c->cid);
	int rc = crm_stmt_step(st);
	free(attrs);
	crm_stmt_reset(st);
	if (rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	if (!c->cid)
		c->cid = crm_db_last_id(imp->db);
	return CRM_OK;
}

/* ---- the record as stored, for stdout ---- */

static const crm_record *stored_record(struct crm_import *imp, const crm_record *in,
				       const struct import_map *map, const struct customer *c)
{
	struct crm_builder *b = &imp->out;
	crm_buf text = {0};
	crm_builder_reset(b);
	const char *id = c->v[C_ID];
	crm_builder_add(b, "id", CRM_TEXT, id, strlen(id));
	for (size_t i = 0; i < in->n; i++) {
		int slot = map->slot[i];
		const char *v = NULL;
		crm_type type = CRM_TEXT;
		json_t *attr = c->attrs ? json_object_get(c->attrs, map->canon[i]) : NULL;
		if (slot == C_ID || slot == SLOT_IGNORE || slot == SLOT_ATTRS)
			continue;
		if (slot >= 0) {
			v = c->v[slot];
		} else if (slot == SLOT_TAGS) { /* as they are now: a group's tag may have gone */
			v = imp->tags ? crm_tag_giver_tags(imp->tags, c->cid) : import_value(imp, (int)i);
			type = CRM_LIST;
		} else if (attr) {
			import_attr_text(attr, &text, &type);
			v = text.p ? text.p : "";
		}
		bool list = slot == SLOT_TAGS && v; /* no tags: [] in JSON */
		crm_builder_add(b, map->canon[i], (v && *v) || list ? type : CRM_NULL, v,
				v ? strlen(v) : 0);
	}
	crm_buf_free(&text);
	return crm_builder_finish(b, NULL, 0, in->line);
}

enum outcome { OUT_INSERTED, OUT_UPDATED, OUT_UNCHANGED, OUT_MERGED };

static void count_result(struct crm_import *imp, enum outcome outcome)
{
	crm_import_counts *n = &imp->counts[CRM_CUSTOMERS];
	switch (outcome) {
	case OUT_INSERTED: n->inserted++; break;
	case OUT_UPDATED: n->updated++; break;
	case OUT_UNCHANGED: n->unchanged++; break;
	case OUT_MERGED: n->merged++; break;
	}
}

static void new_customer_times(struct crm_import *imp, const struct import_map *map,
			       struct customer *c)
{
	const char *updated = value_of(imp, map, C_UPDATED);
	if (!c->v[C_CREATED])
		customer_set(c, C_CREATED, imp->opts.clock->now);
	customer_set(c, C_UPDATED, updated ? updated : imp->opts.clock->now);
}

/* A new customer: stored at once, without looking it up first. Returns
 * CRM_OK with *stored false when the id turned out to be taken. */
static int insert_new(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		      const char *id, struct customer *c, bool *stored, crm_error *err)
{
	*stored = false;
	c->borrowed = true;
	customer_set(c, C_ID, id);
	int rc = merge_record(imp, in, map, c, err);
	if (rc != CRM_OK)
		return rc;
	new_customer_times(imp, map, c);
	if ((rc = write_customer(imp, c, err)) != CRM_OK)
		return rc;
	*stored = crm_db_changes(imp->db) == 1;
	if (!*stored)
		customer_clear(c);
	return CRM_OK;
}

/* Merges the record into the stored customer (or a new one) and writes it
 * when anything changed. */
static int merge_into_stored(struct crm_import *imp, const crm_record *in,
			     const struct import_map *map, const char *id, struct customer *c,
			     enum outcome *outcome, crm_error *err)
{
	struct customer old = {0};
	if (load_customer(imp, id, &old, err) != CRM_OK)
		return CRM_EDB;
	int rc = old.cid ? import_conflicts(imp, in, map, id, old.cid, old.v, old.attrs, err) : CRM_OK;
	if (rc != CRM_OK) {
		imp->expect_new = false;
		customer_clear(&old);
		return rc;
	}
	c->cid = old.cid;
	for (int i = 0; i < C_NCOLS; i++)
		c->v[i] = old.v[i] ? crm_xstrdup(old.v[i]) : NULL;
	c->attrs = old.attrs ? json_deep_copy(old.attrs) : NULL;
	free(c->v[C_ID]);
	c->v[C_ID] = crm_xstrdup(id);
	rc = merge_record(imp, in, map, c, err);
	bool inserted = !old.cid, changed = inserted || customer_changed(&old, c);
	if (rc == CRM_OK && changed) {
		new_customer_times(imp, map, c);
		rc = write_customer(imp, c, err);
	}
	if (rc == CRM_OK)
		*outcome = seen_before(&imp->customers_seen, c->cid, inserted) ? OUT_MERGED
			 : inserted ? OUT_INSERTED : changed ? OUT_UPDATED : OUT_UNCHANGED;
	imp->expect_new = inserted;
	customer_clear(&old);
	return rc;
}

/* Imports tend to be all new customers or all known ones: the record before
 * tells which way to try first, so neither kind pays for a wasted step. */
static int store(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		 const char *id, struct customer *c, enum outcome *outcome, crm_error *err)
{
	if (imp->expect_new) {
		bool stored;
		int rc = insert_new(imp, in, map, id, c, &stored, err);
		*outcome = OUT_INSERTED;
		if (rc != CRM_OK || stored)
			return rc;
		imp->expect_new = false;
	}
	return merge_into_stored(imp, in, map, id, c, outcome, err);
}

/* The tags a tags column gives (NULL: none), with the giver ready. */
static const char *tags_given(struct crm_import *imp, const struct import_map *map, crm_error *err,
			      int *rc)
{
	const char *list = import_value(imp, map->tags);
	*rc = CRM_OK;
	if (map->tags < 0)
		return NULL;
	/* for an empty cell too: the record written back has the tags kept */
	if (!imp->tags && !(imp->tags = crm_tag_giver_new(imp->db, imp->opts.tagged_by ?
							    imp->opts.tagged_by : "import:crm-add",
							    imp->opts.clock, err))) {
		*rc = CRM_EDB;
		return NULL;
	}
	return !list || (!*list && !imp->opts.replace) ? NULL : list;
}

/* Looks the tags up, defining the new ones: before the customer is written,
 * so that a refusal leaves nothing. */
static int resolve_tags(struct crm_import *imp, const char *list, crm_error *err)
{
	int rc = crm_tag_giver_resolve(imp->tags, list, err);
	if (rc == CRM_EDATA) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		crm_error_set(err, CRM_EDATA, "tags: %s", why);
	}
	return rc;
}

static int give_tags(struct crm_import *imp, int64_t cid, enum outcome *outcome,
		     crm_error *err)
{
	bool changed;
	int rc = crm_tag_giver_set(imp->tags, cid, imp->opts.replace, &changed, err);
	if (rc == CRM_OK && changed && *outcome == OUT_UNCHANGED)
		*outcome = OUT_UPDATED;
	return rc;
}

/* A record refused for a conflict must not have defined its new tags: it
 * is compared before they are looked up. */
static int conflicts_before_tags(struct crm_import *imp, const crm_record *in,
				 const struct import_map *map, const char *id, crm_error *err)
{
	struct customer old = {0};
	int rc = load_customer(imp, id, &old, err);
	if (rc == CRM_OK && old.cid)
		rc = import_conflicts(imp, in, map, id, old.cid, old.v, old.attrs, err);
	customer_clear(&old);
	return rc;
}

/* A record with tags that could take a customer past tags.max is stored
 * under a savepoint, undone when it does; most catalogs are too small for
 * that, and their records need none (a savepoint a record is slow). */
static int store_with_tags(struct crm_import *imp, const crm_record *in,
			   const struct import_map *map, const char *id, struct customer *c,
			   enum outcome *outcome, crm_error *err)
{
	int rc;
	const char *tags = tags_given(imp, map, err, &rc);
	if (rc != CRM_OK)
		return rc;
	size_t listed = 1;
	for (const char *p = tags; p && *p; p++)
		listed += *p == ';';
	if (tags && (rc = conflicts_before_tags(imp, in, map, id, err)) != CRM_OK)
		return rc;
	bool guard = tags && crm_tag_giver_may_exceed(imp->tags, listed);
	if (guard && crm_db_exec(imp->db, "SAVEPOINT record", err) != CRM_OK)
		return CRM_EDB;
	if (tags)
		rc = resolve_tags(imp, tags, err);
	if (rc == CRM_OK)
		rc = store(imp, in, map, id, c, outcome, err);
	if (rc == CRM_OK && tags)
		rc = give_tags(imp, c->cid, outcome, err);
	if (rc == CRM_OK && guard && crm_tag_giver_check(imp->tags, c->cid, err) != CRM_OK)
		rc = err->code;
	if (guard && rc != CRM_OK) {
		crm_db_exec(imp->db, "ROLLBACK TO record", NULL);
		crm_tag_giver_forget(imp->tags);
	}
	if (guard && crm_db_exec(imp->db, "RELEASE record", rc == CRM_OK ? err : NULL) != CRM_OK)
		return rc == CRM_OK ? CRM_EDB : rc;
	return rc;
}

/* ---- a bulk load ---- */

/* Once an import has added this many customers, and more than the table held
 * before, the indexes no lookup of the import needs (phone, email, wechat_id)
 * are dropped inside the transaction and built once at the end: a random
 * insert into each of them for every row cost more than building them from
 * the table in one sorted pass. The unique index on id stays: it finds and
 * checks every record. */
#define BULK_THRESHOLD 10000

static int set_indexes_aside(struct crm_import *imp, crm_error *err)
{
	return crm_db_indexes_aside(imp->db, "customers", &imp->c_index_sql, err);
}

/* --match looks customers up by its field's index: that import keeps them all. */
static int maybe_set_indexes_aside(struct crm_import *imp, crm_error *err)
{
	long added = imp->counts[CRM_CUSTOMERS].inserted;
	if (imp->c_bulk || imp->opts.match != CRM_MATCH_NONE || added <= BULK_THRESHOLD ||
	    added <= imp->customers_seen.max_before)
		return CRM_OK;
	imp->c_bulk = true;
	return set_indexes_aside(imp, err);
}

int import_customers_finish(struct crm_import *imp, crm_error *err)
{
	if (import_identity_finish(imp, err) != CRM_OK)
		return CRM_EDB;
	if (!imp->c_index_sql.len)
		return CRM_OK;
	int rc = crm_db_exec(imp->db, imp->c_index_sql.p, err);
	crm_buf_reset(&imp->c_index_sql);
	return rc;
}

/* An erased customer's record is skipped; a merged id's goes to the
 * customer it is merged into (suppress.c). */
static int known_ids(struct crm_import *imp, const struct import_map *map, char **id, bool *skip,
		     crm_error *err)
{
	*skip = false;
	if (!imp->suppressing && !imp->aliasing)
		return CRM_OK;
	const char *values[CRM_SUP_NFIELDS] = {
		*id, value_of(imp, map, C_PHONE), value_of(imp, map, C_EMAIL), value_of(imp, map, C_WECHAT),
		import_value(imp, map->openid), import_value(imp, map->unionid),
	};
	return import_customer_identity(imp, values, id, skip, err);
}

int import_customer(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		    const crm_record **stored, crm_error *err)
{
	*stored = NULL;
	char *id = NULL;
	import_met_reset(imp);
	int rc = normalize_record(imp, in, map, err);
	if (rc == CRM_OK)
		rc = identify(imp, in, map, &id, err);
	if (rc != CRM_OK)
		return rc == CRM_EDB ? CRM_EDB : CRM_EDATA;
	bool skip;
	rc = known_ids(imp, map, &id, &skip, err);
	if (rc != CRM_OK || skip) {
		free(id);
		return rc;
	}
	struct customer c = {0};
	enum outcome outcome = OUT_UNCHANGED;
	rc = store_with_tags(imp, in, map, id, &c, &outcome, err);
	if (rc == CRM_OK)
		rc = import_met_note(imp, in, map, c.cid, err);
	if (rc == CRM_OK)
		rc = import_register_values(imp, CRM_CUSTOMERS, map, err);
	if (rc == CRM_OK)
		count_result(imp, outcome);
	if (rc == CRM_OK)
		rc = maybe_set_indexes_aside(imp, err);
	if (rc == CRM_OK && imp->opts.stored && !imp->restore)
		*stored = stored_record(imp, in, map, &c);
	customer_clear(&c);
	free(id); /* after c, which may borrow it */
	return rc;
}
