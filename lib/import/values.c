/* values.c: the values of the record being imported, and the custom
 * attributes: what customers.c, events.c and identity.c share, so that
 * none of them calls another, nor the driver (import.c) above them. */
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* ---- the values of the record being imported ---- */

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

void import_set_null(struct crm_import *imp, int i)
{
	imp->val[i] = SIZE_MAX;
}

void import_values_reset(struct crm_import *imp, size_t n)
{
	crm_buf_reset(&imp->arena);
	if (n > imp->nval || !imp->val)
		imp->val = crm_xrealloc(imp->val, (n + 1) * sizeof *imp->val);
	imp->nval = n;
	for (size_t i = 0; i < n; i++)
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

/* ---- the catalog of custom fields ---- */

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

/* ---- custom attributes as JSON ---- */

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

/* A custom attribute's JSON value as a record's value. */
void import_attr_text(json_t *v, crm_buf *text, crm_type *type)
{
	crm_buf_reset(text);
	*type = json_is_integer(v) ? CRM_INT : json_is_real(v) ? CRM_REAL
	      : json_is_boolean(v) ? CRM_BOOL : json_is_array(v) ? CRM_LIST : CRM_TEXT;
	if (json_is_string(v)) {
		crm_buf_add(text, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		crm_buf_printf(text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		crm_buf_printf(text, "%.15g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		crm_buf_adds(text, json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item) {
			crm_buf_printf(text, "%s%s", i ? ";" : "",
				       json_is_string(item) ? json_string_value(item) : "");
		}
	}
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
