/* fields.c: the fields of customers and events, and the SQL that reads them. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"

/* Computed customer fields: their SQL is written by crm_sql_computed. */
static const struct computed {
	const char *name;
	crm_type type;
} computed[] = {
	{"age", CRM_INT},          {"days_to_birthday", CRM_INT}, {"stage", CRM_TEXT},
	{"first_purchase", CRM_TEXT}, {"last_purchase", CRM_TEXT}, {"tags", CRM_LIST},
	{"notes", CRM_INT},        {"last_note", CRM_TEXT}, {"next_follow_up", CRM_TEXT},
	{"score", CRM_REAL},       {"grade", CRM_TEXT},   {"rfm", CRM_TEXT},
	{"rfm_segment", CRM_TEXT},
};

/* Names that SPEC gives computed fields, now or in coming versions: an input
 * column cannot take them. */
static const char *const reserved[] = {
	"age", "days_to_birthday", "tags", "score", "grade", "rfm", "rfm_segment", "stage",
	"first_purchase", "last_purchase", "notes", "last_note", "next_follow_up", NULL,
};

static const char *event_sql(const char *name)
{
	static const struct {
		const char *name, *sql;
	} cols[] = {
		{"id", "e.ref"}, {"customer_id", "c.id"}, {"type", "e.type"}, {"ts", "e.ts"},
		{"amount", "e.amount_cents"}, {"product", "e.product"}, {"channel", "e.channel"},
	};
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
		if (strcmp(cols[i].name, name) == 0)
			return cols[i].sql;
	return NULL;
}

int crm_kind_parse(const char *name, enum crm_kind *kind)
{
	if (strcmp(name, "customers") == 0 || strcmp(name, "customer") == 0)
		*kind = CRM_CUSTOMERS;
	else if (strcmp(name, "events") == 0 || strcmp(name, "event") == 0)
		*kind = CRM_EVENTS;
	else
		return CRM_EUSAGE;
	return CRM_OK;
}

static const char *stored_name(enum crm_kind kind, const char *name)
{
	const char *const *cols = kind == CRM_CUSTOMERS ? crm_customer_columns : crm_event_columns;
	size_t n = kind == CRM_CUSTOMERS ? crm_customer_ncolumns : crm_event_ncolumns;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(cols[i], name) == 0)
			return cols[i];
	return NULL;
}

const char *crm_field_canonical(enum crm_kind kind, const char *name)
{
	return crm_header_field(kind == CRM_CUSTOMERS ? CRM_NAMES_CUSTOMERS : CRM_NAMES_EVENTS, name);
}

int crm_field_name_check(const char *name, crm_error *err)
{
	size_t len = strlen(name);
	if (len == 0)
		return crm_error_set(err, CRM_EDATA, "a column has no name");
	if (len > 64)
		return crm_error_set(err, CRM_EDATA, "column '%.64s...' has a name longer than 64 bytes", name);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F || *p == '"')
			return crm_error_set(err, CRM_EDATA,
					     "column '%s': a name cannot hold '\"' or control characters",
					     name);
	for (size_t i = 0; reserved[i]; i++)
		if (strcmp(reserved[i], name) == 0)
			return crm_error_set(err, CRM_EDATA,
					     "column '%s' is a computed field and cannot be imported", name);
	return CRM_OK;
}

static const struct computed *computed_field(const char *name)
{
	for (size_t i = 0; i < sizeof computed / sizeof *computed; i++)
		if (strcmp(computed[i].name, name) == 0)
			return &computed[i];
	return NULL;
}

int crm_custom_field_list(crm_db *db, enum crm_kind kind, char ***names, size_t *n,
			  crm_error *err)
{
	crm_stmt *st;
	*names = NULL;
	*n = 0;
	if (crm_db_prepare(db, &st, "SELECT name FROM custom_fields WHERE kind = ?1 ORDER BY rowid",
			   err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, kind == CRM_CUSTOMERS ? "customer" : "event", -1);
	size_t cap = 0;
	int rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*names = crm_xrealloc(*names, cap * sizeof **names);
		}
		(*names)[(*n)++] = crm_xstrdup(crm_stmt_text(st, 0));
	}
	crm_stmt_finalize(st);
	if (rc != CRM_DONE)
		return crm_db_fail(db, err, NULL);
	return CRM_OK;
}

/* A setting read now, or why not kept for the field that needs it. */
static void keep_unread(crm_error **why, const crm_error *err)
{
	*why = crm_xmalloc(sizeof **why);
	**why = *err;
}

static void load_settings(crm_db *db, crm_field_catalog *cat)
{
	static const char *const stages[] = {"stage.new", "stage.active", "stage.dormant"};
	crm_error err;
	for (int i = 0; i < 3 && !cat->stage_err; i++)
		if (crm_setting_days(db, stages[i], &cat->stage[i], &err) != CRM_OK)
			keep_unread(&cat->stage_err, &err);
	if (crm_setting_get(db, "score.model", &cat->score_model, &err) != CRM_OK)
		keep_unread(&cat->model_err, &err);
}

int crm_field_catalog_load(crm_db *db, enum crm_kind kind, crm_field_catalog *cat,
			   crm_error *err)
{
	*cat = (crm_field_catalog){0};
	if (crm_custom_field_list(db, kind, &cat->custom, &cat->ncustom, err) != CRM_OK) {
		crm_field_catalog_free(cat);
		return CRM_EDB;
	}
	load_settings(db, cat);
	cat->loaded = true;
	return CRM_OK;
}

void crm_field_catalog_free(crm_field_catalog *cat)
{
	for (size_t i = 0; i < cat->ncustom; i++)
		free(cat->custom[i]);
	free(cat->custom);
	free(cat->score_model);
	free(cat->stage_err);
	free(cat->model_err);
	*cat = (crm_field_catalog){0};
}

bool crm_field_catalog_has(const crm_field_catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->ncustom; i++)
		if (strcmp(cat->custom[i], name) == 0)
			return true;
	return false;
}

static void fields_add(crm_fields *f, const char *name, enum crm_field_source source,
		       crm_type type, const char *sql)
{
	f->f = crm_xrealloc(f->f, (f->n + 1) * sizeof *f->f);
	crm_field *field = &f->f[f->n++];
	memset(field, 0, sizeof *field);
	field->name = crm_xstrdup(name);
	field->source = source;
	field->type = type;
	field->sql = sql;
	if (source == CRM_FIELD_CUSTOM) {
		crm_buf path = {0};
		crm_buf_printf(&path, "$.\"%s\"", name);
		field->path = path.p;
	}
}

static bool fields_has(const crm_fields *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return true;
	return false;
}

static int add_named(crm_fields *f, const char *name, crm_error *err)
{
	if (fields_has(f, name))
		return crm_error_set(err, CRM_EUSAGE, "field '%s' is listed twice", name);
	if (f->kind == CRM_EVENTS && event_sql(name)) {
		bool money = strcmp(name, "amount") == 0;
		fields_add(f, name, CRM_FIELD_STORED, money ? CRM_REAL : CRM_TEXT, event_sql(name));
		f->f[f->n - 1].money = money;
		return CRM_OK;
	}
	if (f->kind == CRM_CUSTOMERS && stored_name(CRM_CUSTOMERS, name) &&
	    strcmp(stored_name(CRM_CUSTOMERS, name), name) == 0) {
		fields_add(f, name, CRM_FIELD_STORED, CRM_TEXT, NULL);
		return CRM_OK;
	}
	const struct computed *c = f->kind == CRM_CUSTOMERS ? computed_field(name) : NULL;
	if (c) {
		fields_add(f, name, CRM_FIELD_COMPUTED, c->type, NULL);
		return CRM_OK;
	}
	if (crm_field_catalog_has(&f->catalog, name)) {
		fields_add(f, name, CRM_FIELD_CUSTOM, CRM_TEXT, NULL);
		return CRM_OK;
	}
	return crm_error_set(err, CRM_EUSAGE, "unknown field '%s'", name);
}

static int add_defaults(crm_fields *f, crm_error *err)
{
	const char *const *cols = f->kind == CRM_CUSTOMERS ? crm_customer_columns : crm_event_columns;
	size_t n = f->kind == CRM_CUSTOMERS ? crm_customer_ncolumns : crm_event_ncolumns;
	for (size_t i = 0; i < n; i++)
		if (add_named(f, cols[i], err))
			return CRM_EUSAGE;
	for (size_t i = 0; i < f->catalog.ncustom; i++)
		if (!fields_has(f, f->catalog.custom[i]))
			fields_add(f, f->catalog.custom[i], CRM_FIELD_CUSTOM, CRM_TEXT, NULL);
	return CRM_OK;
}

static int add_spec(crm_fields *f, const char *spec, crm_error *err)
{
	char *copy = crm_xstrdup(spec);
	int rc = CRM_OK;
	char *p = copy;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		size_t len = strlen(p);
		const char *name = crm_trim(p, &len);
		((char *)name)[len] = '\0';
		if (!*name) {
			rc = crm_error_set(err, CRM_EUSAGE, "empty field name in '%s'", spec);
			break;
		}
		if ((rc = add_named(f, name, err)) != CRM_OK)
			break;
		if (!comma)
			break;
		p = comma + 1;
	}
	free(copy);
	return rc;
}

int crm_fields_new(crm_fields **out, crm_db *db, enum crm_kind kind, const char *spec,
		   crm_error *err)
{
	*out = NULL;
	crm_fields *f = calloc(1, sizeof *f);
	if (!f)
		return crm_error_set(err, CRM_EDB, "out of memory");
	f->kind = kind;
	int rc = crm_field_catalog_load(db, kind, &f->catalog, err);
	if (rc == CRM_OK)
		rc = spec ? add_spec(f, spec, err) : add_defaults(f, err);
	if (rc != CRM_OK) {
		crm_fields_free(f);
		return rc;
	}
	f->names = crm_xmalloc((f->n + 1) * sizeof *f->names);
	for (size_t i = 0; i < f->n; i++)
		f->names[i] = f->f[i].name;
	*out = f;
	return CRM_OK;
}

void crm_fields_free(crm_fields *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free((char *)f->f[i].name);
		free(f->f[i].path);
		crm_buf_free(&f->f[i].text);
	}
	free(f->f);
	free(f->names);
	crm_field_catalog_free(&f->catalog);
	free(f);
}

size_t crm_fields_count(const crm_fields *f)
{
	return f->n;
}

const char *const *crm_fields_names(const crm_fields *f)
{
	return f->names;
}

enum crm_kind crm_fields_kind(const crm_fields *f)
{
	return f->kind;
}

int crm_fields_sql(const crm_fields *f, crm_sql *q, crm_error *err)
{
	const char *alias = f->kind == CRM_CUSTOMERS ? "c" : "e";
	const crm_field_catalog *was = q->catalog;
	q->catalog = &f->catalog;
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < f->n; i++) {
		const crm_field *field = &f->f[i];
		if (i)
			crm_sql_add(q, ", ");
		if (field->source == CRM_FIELD_CUSTOM) { /* as JSON, which keeps its type */
			crm_sql_addf(q, "(%s.attrs -> ", alias);
			crm_sql_text(q, field->path);
			crm_sql_add(q, ")");
		} else if (field->source == CRM_FIELD_COMPUTED) {
			if (crm_sql_computed(q, field->name, err) != CRM_OK)
				rc = CRM_EDB;
		} else if (field->sql) {
			crm_sql_add(q, field->sql);
		} else {
			crm_sql_addf(q, "%s.%s", alias, field->name);
		}
	}
	q->catalog = was;
	return rc;
}

bool crm_field_is_stored(const char *name)
{
	for (size_t i = 0; i < crm_customer_ncolumns; i++)
		if (strcmp(crm_customer_columns[i], name) == 0)
			return true;
	return false;
}

const char *crm_field_computed_name(size_t i)
{
	return i < sizeof computed / sizeof *computed ? computed[i].name : NULL;
}

bool crm_field_computed_type(const char *name, crm_type *type)
{
	const struct computed *c = computed_field(name);
	if (c)
		*type = c->type;
	return c != NULL;
}

/* Purchases up to the end of D, the subquery several fields share. */
static void purchases(crm_sql *q)
{
	crm_sql_add(q, " FROM events e WHERE e.cid = c.cid AND e.type = 'purchase' AND e.ts < ");
	crm_sql_end(q);
}

static void age_sql(crm_sql *q)
{
	crm_sql_add(q, "(CASE WHEN c.birthday IS NULL OR c.birthday > ");
	crm_sql_date(q);
	crm_sql_add(q, " THEN NULL ELSE CAST(substr(");
	crm_sql_date(q);
	crm_sql_add(q, ", 1, 4) AS INTEGER) - CAST(substr(c.birthday, 1, 4) AS INTEGER) - (substr(");
	crm_sql_date(q);
	crm_sql_add(q, ", 6, 5) < substr(c.birthday, 6, 5)) END)");
}

/* What q's fields read, or NULL and err when nobody loaded it first. */
static const crm_field_catalog *known(const crm_sql *q, crm_error *err)
{
	if (q->catalog && q->catalog->loaded)
		return q->catalog;
	crm_error_set(err, CRM_EDB, "the fields' catalog was not loaded before their SQL");
	return NULL;
}

/* A setting the catalog could not read, said by the field that needs it. */
static int unread(const crm_error *why, crm_error *err)
{
	if (err)
		*err = *why;
	return CRM_EDB;
}

/* Lifecycle stages (SPEC), thresholds from the settings. */
static int stage_sql(crm_sql *q, crm_error *err)
{
	const crm_field_catalog *k = known(q, err);
	if (!k)
		return CRM_EDB;
	if (k->stage_err)
		return unread(k->stage_err, err);
	static const char *const since[] = {"substr(p.first, 1, 10)", "substr(p.last, 1, 10)",
					    "substr(p.last, 1, 10)"};
	static const char *const then[] = {" < ", " THEN 'new' WHEN ", " < ", " THEN 'active' WHEN ",
					   " <= ", " THEN 'dormant' ELSE 'churned' END"};
	crm_sql_add(q, "(SELECT CASE WHEN p.last IS NULL THEN 'potential' WHEN ");
	for (int i = 0; i < 3; i++) {
		crm_sql_days_since(q, since[i]);
		crm_sql_add(q, then[2 * i]);
		crm_sql_int(q, k->stage[i]);
		crm_sql_add(q, then[2 * i + 1]);
	}
	crm_sql_add(q, " FROM (SELECT min(e.ts) AS first, max(e.ts) AS last");
	purchases(q);
	crm_sql_add(q, ") p)");
	return CRM_OK;
}

static void tags_sql(crm_sql *q)
{
	crm_sql_add(q, "(SELECT group_concat(name, ';') FROM (SELECT t.name FROM customer_tags ct"
		       " JOIN tags t ON t.tid = ct.tid WHERE ct.cid = c.cid AND (ct.expires_on IS NULL"
		       " OR ct.expires_on > ");
	crm_sql_date(q);
	crm_sql_add(q, ") ORDER BY t.name))");
}

static void notes_sql(crm_sql *q, const char *what, const char *rest)
{
	crm_sql_addf(q, "(SELECT %s FROM notes n WHERE n.cid = c.cid AND n.created_at < ", what);
	crm_sql_end(q);
	crm_sql_add(q, rest);
}

int crm_sql_model_value(crm_sql *q, const char *column, const char *model, crm_error *err)
{
	const char *fallback = NULL;
	if (!model) {
		const crm_field_catalog *k = known(q, err);
		if (!k)
			return CRM_EDB;
		if (k->model_err)
			return unread(k->model_err, err);
		fallback = k->score_model;
	}
	crm_sql_add(q, "(SELECT ");
	if (!strcmp(column, "score")) /* 45, not 45.0 */
		crm_sql_add(q, "CASE WHEN s.score = CAST(s.score AS INTEGER) THEN CAST(s.score AS INTEGER)"
			       " ELSE s.score END");
	else if (!strcmp(column, "code"))
		crm_sql_add(q, "CAST(CAST(s.score AS INTEGER) AS TEXT)");
	else
		crm_sql_add(q, "s.grade");
	crm_sql_add(q, " FROM scores s WHERE s.cid = c.cid AND s.model = ");
	crm_sql_text(q, model ? model : *fallback ? fallback : NULL);
	crm_sql_add(q, ")");
	return CRM_OK;
}

int crm_sql_field(crm_sql *q, const char *name, crm_error *err)
{
	crm_type type;
	if (crm_field_is_stored(name)) {
		crm_sql_addf(q, "c.%s", name); /* a name from our own list */
		return CRM_OK;
	}
	if (crm_field_computed_type(name, &type))
		return crm_sql_computed(q, name, err);
	const crm_field_catalog *k = known(q, err);
	if (!k)
		return CRM_EDB;
	if (!crm_field_catalog_has(k, name))
		return crm_error_set(err, CRM_EUSAGE, "unknown field '%s'", name);
	crm_sql_json_field(q, "c.attrs", name);
	return CRM_OK;
}

int crm_sql_field_in(crm_sql *q, const crm_field_catalog *cat, const char *name, crm_error *err)
{
	const crm_field_catalog *was = q->catalog;
	q->catalog = cat;
	int rc = crm_sql_field(q, name, err);
	q->catalog = was;
	return rc;
}

int crm_sql_computed(crm_sql *q, const char *name, crm_error *err)
{
	if (!strcmp(name, "age")) {
		age_sql(q);
	} else if (!strcmp(name, "days_to_birthday")) {
		crm_sql_add(q, "crm_days_to_birthday(c.birthday, ");
		crm_sql_date(q);
		crm_sql_add(q, ")");
	} else if (!strcmp(name, "stage")) {
		return stage_sql(q, err);
	} else if (!strcmp(name, "first_purchase") || !strcmp(name, "last_purchase")) {
		crm_sql_addf(q, "(SELECT substr(%s(e.ts), 1, 10)", name[0] == 'f' ? "min" : "max");
		purchases(q);
		crm_sql_add(q, ")");
	} else if (!strcmp(name, "tags")) {
		tags_sql(q);
	} else if (!strcmp(name, "notes")) {
		notes_sql(q, "count(*)", ")");
	} else if (!strcmp(name, "last_note")) {
		notes_sql(q, "n.body", " ORDER BY n.created_at DESC, n.nid DESC LIMIT 1)");
	} else if (!strcmp(name, "next_follow_up")) {
		notes_sql(q, "min(n.follow_up)", " AND n.done_at IS NULL AND n.follow_up IS NOT NULL)");
	} else if (!strcmp(name, "score") || !strcmp(name, "grade")) {
		return crm_sql_model_value(q, name, NULL, err);
	} else if (!strcmp(name, "rfm")) {
		return crm_sql_model_value(q, "code", "rfm", err);
	} else if (!strcmp(name, "rfm_segment")) {
		return crm_sql_model_value(q, "grade", "rfm", err);
	} else {
		return crm_error_set(err, CRM_EUSAGE, "unknown field '%s'", name);
	}
	return CRM_OK;
}

/* A list's items, ';'-joined as CSV writes a list. */
static void list_text(json_t *list, crm_buf *out)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		if (i)
			crm_buf_addc(out, ';');
		if (json_is_string(item))
			crm_buf_add(out, json_string_value(item), json_string_length(item));
		else if (json_is_integer(item))
			crm_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(item));
		else if (json_is_real(item))
			crm_buf_printf(out, "%.15g", json_real_value(item));
		else if (json_is_boolean(item))
			crm_buf_adds(out, json_is_true(item) ? "true" : "false");
	}
}

/* A custom attribute's JSON text as a value of its own type: text, a
 * number, true or false, a list. Text without escapes is used in place. */
static crm_value custom_value(crm_field *field, const char *s, size_t len)
{
	if (len >= 2 && s[0] == '"' && !memchr(s, '\\', len))
		return (crm_value){CRM_TEXT, s + 1, len - 2};
	if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-')
		return (crm_value){strpbrk(s, ".eE") ? CRM_REAL : CRM_INT, s, len};
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		return (crm_value){CRM_BOOL, s, len};
	if (s[0] == '{')
		return (crm_value){CRM_JSON, s, len};
	json_t *v = json_loadb(s, len, JSON_DECODE_ANY, NULL);
	crm_buf_reset(&field->text);
	crm_type type = CRM_TEXT;
	if (json_is_string(v)) {
		crm_buf_add(&field->text, json_string_value(v), json_string_length(v));
	} else if (json_is_array(v)) {
		type = CRM_LIST;
		list_text(v, &field->text);
	}
	json_decref(v);
	return (crm_value){type, field->text.p ? field->text.p : "", field->text.len};
}

void crm_fields_row(crm_fields *f, crm_stmt *st, crm_value *values)
{
	for (size_t i = 0; i < f->n; i++) {
		crm_field *field = &f->f[i];
		int col = (int)i;
		if (crm_stmt_is_null(st, col)) {
			/* no tags is a list of none: [] in JSON, as with one tag ["VIP"] */
			bool list = field->type == CRM_LIST;
			values[i] = (crm_value){list ? CRM_LIST : CRM_NULL, list ? "" : NULL, 0};
		} else if (field->money) {
			crm_format_amount(crm_stmt_int64(st, col), field->scratch,
					  sizeof field->scratch);
			values[i] = (crm_value){CRM_REAL, field->scratch, strlen(field->scratch)};
		} else if (field->source == CRM_FIELD_CUSTOM) {
			const char *s = crm_stmt_text(st, col);
			values[i] = custom_value(field, s, (size_t)crm_stmt_bytes(st, col));
		} else {
			const char *s = crm_stmt_text(st, col);
			values[i] = (crm_value){field->type, s, (size_t)crm_stmt_bytes(st, col)};
		}
	}
}

char *crm_fields_available(crm_db *db, enum crm_kind kind)
{
	crm_fields *f;
	if (crm_fields_new(&f, db, kind, NULL, NULL) != CRM_OK)
		return NULL;
	crm_buf all = {0};
	for (size_t i = 0; i < f->n; i++)
		crm_buf_printf(&all, "%s%s", i ? "," : "", f->f[i].name);
	if (kind == CRM_CUSTOMERS)
		for (size_t i = 0; i < sizeof computed / sizeof *computed; i++)
			crm_buf_printf(&all, ",%s", computed[i].name);
	crm_fields_free(f);
	return all.p;
}
