/* import.c: crm-add's transaction, the mapping of input columns to fields,
 * and the restoring of dumps. Customers and events have files of their own. */
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define DUMP_FORMAT 1

/* ---- values of the record being imported ---- */

const char *import_value(const struct crm_import *imp, int i)
{
	if (i < 0 || (size_t)i >= imp->nval || imp->val[i] == SIZE_MAX)
		return NULL;
	return imp->arena.p + imp->val[i];
}

void import_set(struct crm_import *imp, int i, const char *s, size_t len)
{
	imp->val[i] = imp->arena.len;
	crm_buf_add_string(&imp->arena, s, len);
}

void import_merge_text(char **stored, const char *in, bool replace)
{
	if (!in || (!*in && !replace))
		return;
	free(*stored);
	*stored = *in ? crm_xstrdup(in) : NULL;
}

bool seen_before(struct seen_rows *s, int64_t row, bool added_now)
{
	if (added_now)
		return false;
	if (row > s->max_before)
		return true; /* added by an earlier record of this import */
	size_t byte = (size_t)(row / 8);
	if (byte >= s->len) {
		size_t len = (size_t)(s->max_before / 8) + 1;
		s->bits = crm_xrealloc(s->bits, len);
		memset(s->bits + s->len, 0, len - s->len);
		s->len = len;
	}
	unsigned char bit = (unsigned char)(1u << (row % 8));
	bool seen = s->bits[byte] & bit;
	s->bits[byte] |= bit;
	return seen;
}

void import_set_null(struct crm_import *imp, int i)
{
	imp->val[i] = SIZE_MAX;
}

int import_text(struct crm_import *imp, int i, const char *in, size_t len, crm_error *err)
{
	const char *s = crm_trim(in, &len);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
			return crm_error_set(err, CRM_EDATA, "control character 0x%02x in the value", c);
	}
	import_set(imp, i, s, len);
	return CRM_OK;
}

static void import_values_reset(struct crm_import *imp, size_t n)
{
	crm_buf_reset(&imp->arena);
	if (n > imp->nval || !imp->val)
		imp->val = crm_xrealloc(imp->val, (n + 1) * sizeof *imp->val);
	imp->nval = n;
	for (size_t i = 0; i < n; i++)
		imp->val[i] = SIZE_MAX;
}

int import_register_field(struct crm_import *imp, enum crm_kind kind, const char *name,
			  crm_error *err)
{
	for (size_t i = 0; i < imp->nregistered[kind]; i++)
		if (strcmp(imp->registered[kind][i], name) == 0)
			return CRM_OK;
	crm_stmt *st = imp->field_add;
	crm_stmt_reset(st);
	crm_stmt_bind_text(st, 1, kind == CRM_CUSTOMERS ? "customer" : "event", -1);
	crm_stmt_bind_text_copy(st, 2, name, -1);
	crm_stmt_bind_text(st, 3, imp->opts.clock->now, -1);
	if (crm_stmt_step(st) != CRM_DONE)
		return crm_db_fail(imp->db, err, "custom field");
	if (crm_db_changes(imp->db) && !imp->restore)
		crm_buf_printf(&imp->new_fields, "%s'%s'", imp->new_fields.len ? ", " : "", name);
	size_t n = imp->nregistered[kind];
	imp->registered[kind] = crm_xrealloc(imp->registered[kind], (n + 1) * sizeof(char *));
	imp->registered[kind][n] = crm_xstrdup(name);
	imp->nregistered[kind] = n + 1;
	return CRM_OK;
}

static bool flat_json(json_t *v)
{
	if (!json_is_array(v))
		return !json_is_object(v);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (json_is_object(item) || json_is_array(item))
			return false;
	}
	return true;
}

json_t *import_attrs_from_text(const char *text, crm_error *err)
{
	json_error_t jerr;
	json_t *attrs = json_loads(text, 0, &jerr);
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		crm_error_set(err, CRM_EDATA, "attrs: not a JSON object of custom attributes");
		return NULL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(attrs, key, v) {
		if (!flat_json(v) || json_is_null(v) || crm_field_name_check(key, NULL) != CRM_OK) {
			json_decref(attrs);
			crm_error_set(err, CRM_EDATA, "attrs: '%s' is not a custom attribute crm keeps", key);
			return NULL;
		}
	}
	return attrs;
}

static json_t *list_attr(const char *text)
{
	json_t *a = json_array();
	for (const char *p = text; *p;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		json_array_append_new(a, json_stringn(p, len));
		p += len + (semi ? 1 : 0);
	}
	return a;
}

json_t *import_attr_value(const crm_value *in, const char *text)
{
	if (!text || !*text)
		return NULL;
	char *end;
	switch (in->type) {
	case CRM_INT: {
		long long n = strtoll(text, &end, 10);
		if (!*end)
			return json_integer(n);
		break;
	}
	case CRM_REAL: {
		double d = strtod(text, &end);
		if (!*end)
			return json_real(d);
		break;
	}
	case CRM_BOOL:
		return json_boolean(!strcmp(text, "true"));
	case CRM_LIST:
		return list_attr(text);
	case CRM_NULL:
	case CRM_TEXT:
	case CRM_JSON:
		break;
	}
	return json_string(text);
}

int import_flat(const char *field, const crm_value *in, bool list_ok, crm_error *err)
{
	if (in->type == CRM_JSON)
		return crm_error_set(err, CRM_EDATA, "a nested object or list, which crm does not keep:"
				     " flatten it first (jq can), or leave it out with --map '%s='", field);
	if (in->type == CRM_LIST && !list_ok)
		return crm_error_set(err, CRM_EDATA, "a list, which only tags and tagid_list can be:"
				     " give one value, or leave it out with --map '%s='", field);
	return CRM_OK;
}

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

int import_register_values(struct crm_import *imp, enum crm_kind kind,
			   const struct import_map *map, crm_error *err)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *v = map->slot[i] == SLOT_CUSTOM && !map->known[i] ? import_value(imp, (int)i)
			      : NULL;
		if (!v || !*v)
			continue;
		if (import_register_field(imp, kind, map->canon[i], err) != CRM_OK)
			return CRM_EDB;
		map->known[i] = true;
	}
	return CRM_OK;
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

bool crm_record_is_dump_header(const crm_record *rec)
{
	return crm_record_get(rec, "crm_dump") != NULL;
}

bool crm_import_is_restore(const crm_import *imp)
{
	return imp->restore;
}

static int start_restore(crm_import *imp, const crm_record *in, crm_error *err)
{
	const crm_value *v = crm_record_get(in, "crm_dump");
	if (!v->s || atoi(v->s) < 1 || atoi(v->s) > DUMP_FORMAT)
		return crm_error_set(err, CRM_EDATA,
				     "a dump of format %s, which this crm cannot read (it reads %d)",
				     v->s ? v->s : "null", DUMP_FORMAT);
	imp->restore = true;
	return CRM_OK;
}

/* A dump's custom_field line: the catalog, in its order, with its times. */
static int restore_field(crm_import *imp, const crm_record *in, crm_error *err)
{
	const crm_value *of = crm_record_get(in, "of"), *name = crm_record_get(in, "name");
	const crm_value *added = crm_record_get(in, "added_at");
	enum crm_kind kind;
	if (!of || !of->s || !name || !name->s || crm_kind_parse(of->s, &kind) != CRM_OK ||
	    crm_field_name_check(name->s, NULL) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "custom_field: needs 'of' (customer or event) and a valid 'name'");
	const crm_clock *given = imp->opts.clock;
	crm_clock at = *given;
	if (added && added->s)
		snprintf(at.now, sizeof at.now, "%s", added->s);
	imp->opts.clock = &at;
	int rc = import_register_field(imp, kind, name->s, err);
	imp->opts.clock = given;
	return rc;
}

static const char *text_of(const crm_record *in, const char *name)
{
	const crm_value *v = crm_record_get(in, name);
	return v && v->s ? v->s : NULL;
}

/* Runs one statement of a restore, binding the record's fields in order. */
static int restore_row(crm_import *imp, const char *sql, const crm_record *in,
		       const char *const *names, int n, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	for (int i = 0; i < n; i++)
		crm_stmt_bind_text_or_null(st, i + 1, text_of(in, names[i]));
	int rc = crm_stmt_step(st);
	int changed = crm_db_changes(imp->db);
	crm_stmt_finalize(st);
	if (rc == CRM_STEP_CONSTRAINT) /* a value the schema refuses: the record's fault */
		return crm_db_refused(imp->db, err);
	if (rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	return changed ? CRM_OK : CRM_EDATA;
}

/* A dump's note categories, notes, earlier texts and deleted notes. */
static int restore_note(crm_import *imp, const char *kind, const crm_record *in, crm_error *err)
{
	static const char *const category[] = {"name", "position"};
	static const char *const note[] = {"note_id", "customer_id", "body", "category", "author",
					   "created_at", "updated_at", "follow_up", "done_at"};
	static const char *const revision[] = {"note_id", "body", "author", "revised_at"};
	static const char *const deletion[] = {"note_id", "customer_id", "body", "category", "author",
					       "created_at", "updated_at", "follow_up", "done_at",
					       "revisions", "deleted_by", "deleted_at"};
	if (import_events_pending(imp) && import_events_flush(imp, err) != CRM_OK)
		return err->code;
	if (!strcmp(kind, "note_category"))
		return restore_row(imp, "INSERT INTO note_categories (name, position) VALUES (?1, ?2)"
				   " ON CONFLICT (name) DO UPDATE SET position = ?2", in, category, 2, err);
	if (!strcmp(kind, "note"))
		return restore_row(imp, "INSERT OR REPLACE INTO notes (nid, cid, body, category, author,"
				   " created_at, updated_at, follow_up, done_at) SELECT ?1, cid, ?3, ?4, ?5,"
				   " ?6, ?7, ?8, ?9 FROM customers WHERE id = ?2", in, note, 9, err);
	if (!strcmp(kind, "note_revision"))
		return restore_row(imp, "INSERT INTO note_revisions (nid, body, author, revised_at)"
				   " VALUES (?1, ?2, ?3, ?4)", in, revision, 4, err);
	return restore_row(imp, "INSERT INTO note_deletions (nid, cid, customer_id, body, category,"
			   " author, created_at, updated_at, follow_up, done_at, revisions, deleted_by,"
			   " deleted_at) VALUES (?1, (SELECT cid FROM customers WHERE id = ?2), ?2, ?3, ?4,"
			   " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", in, deletion, 12, err);
}

/* A dump's suppression key: the database's own when it has none. Hashes made
 * under another key name nobody here, so a database with its own key cannot
 * take another's list: the record is refused (restore into a new database). */
static int restore_key(crm_import *imp, const crm_record *in, crm_error *err)
{
	static const char *const key[] = {"key", "created_at"};
	int rc = restore_row(imp, "INSERT INTO suppression_key (one, key, created_at)"
			     " SELECT 1, crm_unhex(?1), ?2 WHERE NOT EXISTS"
			     " (SELECT 1 FROM suppression_key WHERE key = crm_unhex(?1))"
			     " ON CONFLICT (one) DO NOTHING", in, key, 2, err);
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

static int restore_suppression(crm_import *imp, const char *kind, const crm_record *in,
			       crm_error *err)
{
	static const char *const suppression[] = {"hash", "field", "person", "erased_on"};
	static const char *const alias[] = {"id", "customer_id", "merged_at"};
	if (!strcmp(kind, "suppression_key"))
		return restore_key(imp, in, err);
	if (!strcmp(kind, "suppression")) {
		int rc = restore_row(imp, "INSERT INTO suppressions (hash, field, person, erased_on)"
				     " VALUES (crm_unhex(?1), ?2, ?3, ?4) ON CONFLICT (hash) DO UPDATE"
				     " SET erased_on = max(erased_on, ?4)", in, suppression, 4, err);
		return rc == CRM_EDATA && !err->msg[0] ? CRM_OK : rc; /* already there */
	}
	if (import_events_pending(imp) && import_events_flush(imp, err) != CRM_OK)
		return err->code;
	int rc = restore_row(imp, "INSERT OR REPLACE INTO aliases (id, cid, merged_at)"
			     " SELECT ?1, cid, ?3 FROM customers WHERE id = ?2", in, alias, 3, err);
	if (rc == CRM_EDATA && !err->msg[0])
		crm_error_set(err, CRM_EDATA, "alias: no customer '%s'",
			      text_of(in, "customer_id") ? text_of(in, "customer_id") : "");
	return rc;
}

/* A dump's settings, segments and snapshot members: stored as they were. */
static int restore_other(crm_import *imp, const char *kind, const crm_record *in, crm_error *err)
{
	static const char *const setting[] = {"key", "value", "updated_at"};
	static const char *const segment[] = {"name", "expr", "description", "created_at",
					      "updated_at", "snapshot_at"};
	static const char *const member[] = {"segment", "id"};
	static const char *const tag[] = {"name", "category", "description", "group", "created_at"};
	static const char *const rule[] = {"name", "tag", "expr", "created_at", "updated_at"};
	static const char *const tagging[] = {"id", "tag", "source", "tagged_at", "expires_on"};
	static const char *const model[] = {"name", "version", "body", "created_at"};
	static const char *const score[] = {"id", "model", "score", "grade", "as_of"};
	static const char *const change[] = {"id", "model", "as_of", "from_grade", "to_grade"};
	static const char *const audit[] = {"at", "user", "command", "args", "changes", "erased"};
	int rc;
	if (!strncmp(kind, "note", 4))
		return restore_note(imp, kind, in, err);
	if (!strncmp(kind, "suppression", 11) || !strcmp(kind, "alias"))
		return restore_suppression(imp, kind, in, err);
	if (!strcmp(kind, "setting")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO settings (key, value, updated_at)"
				 " VALUES (?1, ?2, ?3)", in, setting, 3, err);
	} else if (!strcmp(kind, "segment")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO segments (name, expr, description,"
				 " created_at, updated_at, snapshot_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				 in, segment, 6, err);
	} else if (!strcmp(kind, "tag")) {
		rc = restore_row(imp, "INSERT INTO tags (name, category, description, grp, created_at)"
				 " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET"
				 " category = ?2, description = ?3, grp = ?4, created_at = ?5",
				 in, tag, 5, err);
	} else if (!strcmp(kind, "tag_rule")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO tag_rules (name, tid, expr, created_at,"
				 " updated_at) SELECT ?1, tid, ?3, ?4, ?5 FROM tags WHERE name = ?2",
				 in, rule, 5, err);
	} else if (!strcmp(kind, "model")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO models (name, version, body, created_at)"
				 " VALUES (?1, ?2, ?3, ?4)", in, model, 4, err);
	} else if (!strcmp(kind, "score")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO scores (cid, model, score, grade, as_of)"
				 " SELECT cid, ?2, ?3, ?4, ?5 FROM customers WHERE id = ?1", in, score, 5, err);
	} else if (!strcmp(kind, "grade_change")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO grade_history (cid, model, as_of, from_grade,"
				 " to_grade) SELECT cid, ?2, ?3, ?4, ?5 FROM customers WHERE id = ?1",
				 in, change, 5, err);
	} else if (!strcmp(kind, "audit")) {
		rc = restore_row(imp, "INSERT INTO audit (at, user, command, args, changes, erased)"
				 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", in, audit, 6, err);
	} else if (!strcmp(kind, "tagging")) {
		rc = restore_row(imp, "INSERT OR REPLACE INTO customer_tags (cid, tid, source, tagged_at,"
				 " expires_on) SELECT c.cid, t.tid, ?3, ?4, ?5 FROM customers c, tags t"
				 " WHERE c.id = ?1 AND t.name = ?2", in, tagging, 5, err);
		if (rc == CRM_EDATA && !err->msg[0])
			crm_error_set(err, CRM_EDATA, "tagging: no customer '%s' or tag '%s'",
				      text_of(in, "id") ? text_of(in, "id") : "",
				      text_of(in, "tag") ? text_of(in, "tag") : "");
	} else {
		if (import_events_pending(imp) && import_events_flush(imp, err) != CRM_OK)
			return err->code;
		rc = restore_row(imp, "INSERT OR IGNORE INTO segment_members (segment, cid)"
				 " SELECT ?1, cid FROM customers WHERE id = ?2", in, member, 2, err);
		if (rc == CRM_EDATA)
			crm_error_set(err, CRM_EDATA, "segment_member: no customer '%s' or segment '%s'",
				      text_of(in, "id") ? text_of(in, "id") : "",
				      text_of(in, "segment") ? text_of(in, "segment") : "");
	}
	if (rc == CRM_EDATA && !err->msg[0])
		crm_error_set(err, CRM_EDATA, "%s: a record with missing fields", kind);
	return rc;
}

const char *const crm_restore_kinds[CRM_RESTORE_KINDS] = {
	"custom_field", "setting", "segment", "segment_member", "tag", "tag_rule", "tagging", "model",
	"score", "grade_change", "note_category", "note", "note_revision", "note_deletion", "audit",
	"suppression_key", "suppression", "alias",
};

/* The index of a dump's kind in crm_restore_kinds, or -1 (customers, events). */
static int restore_kind(const char *kind)
{
	for (int i = 0; kind && i < CRM_RESTORE_KINDS; i++)
		if (!strcmp(kind, crm_restore_kinds[i]))
			return i;
	return -1;
}

void crm_import_restored(const crm_import *imp, long counts[CRM_RESTORE_KINDS])
{
	memcpy(counts, imp->restored, sizeof imp->restored);
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

int crm_import_record(crm_import *imp, const crm_record *in, crm_error *err)
{
	crm_error_clear(err);
	if (!imp->seen_first) {
		imp->seen_first = true;
		if (crm_record_is_dump_header(in))
			return start_restore(imp, in, err);
	}
	enum crm_kind kind;
	crm_error why;
	const crm_value *k = imp->restore ? crm_record_get(in, "kind") : NULL;
	int other = k ? restore_kind(k->s) : -1;
	if (other >= 0) {
		crm_error_clear(&why);
		int rc = other == 0 ? restore_field(imp, in, &why) : restore_other(imp, k->s, in, &why);
		if (rc == CRM_EDATA)
			return reject(imp, imp->opts.kind, in, &why, err);
		if (rc != CRM_OK)
			*err = why;
		else
			imp->restored[other]++;
		return rc;
	}
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
