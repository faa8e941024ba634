/* check.c: what the names in an expression mean: the type of a value, which
 * fields there are and which hold dates, the functions that aggregate
 * events, what a segment() or an aggregate names. Nothing here reads the
 * database: custom fields come from the catalog loaded with the expression. */
#include <ctype.h>
#include <string.h>

#include "expr/tree.h"

static enum vtype field_type(const struct node *n)
{
	crm_type t;
	if (crm_field_computed_type(n->text, &t))
		return t == CRM_INT || t == CRM_REAL ? V_NUM : V_TEXT;
	return V_TEXT;
}

enum vtype expr_type_of(const struct node *n)
{
	switch (n->kind) {
	case N_FIELD: return field_type(n);
	case N_STRING: return V_TEXT;
	case N_NUMBER: case N_ARITH: case N_UNARY: return V_NUM;
	case N_CALL:
		if (!strcmp(n->text, "tag") || !strcmp(n->text, "segment"))
			return V_BOOL;
		if (!strcmp(n->text, "grade"))
			return V_TEXT;
		return V_NUM;
	default: return V_BOOL;
	}
}

enum vtype expr_common_type(const struct node *const *kids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kids[i]->kind != N_STRING && expr_type_of(kids[i]) == V_NUM)
			return V_NUM;
	return V_TEXT;
}

bool expr_is_aggregate(const char *name)
{
	return !strcmp(name, "count") || !strcmp(name, "sum") || !strcmp(name, "avg") ||
	       !strcmp(name, "min") || !strcmp(name, "max");
}

bool expr_is_custom(const struct expr_catalog *cat, const char *name)
{
	return crm_field_catalog_has(&cat->fields, name);
}

bool expr_known_field(const struct expr_catalog *cat, const char *name)
{
	crm_type t;
	return crm_field_is_stored(name) || crm_field_computed_type(name, &t) ||
	       expr_is_custom(cat, name);
}

/* Fields that hold dates: the stored and custom ones whose values crm-add
 * reads as dates (birthday, created_at, a *_date attribute), and the
 * computed days. */
bool expr_is_date(const struct expr_catalog *cat, const char *name)
{
	static const char *const computed[] = {"first_purchase", "last_purchase", "next_follow_up"};
	for (size_t i = 0; i < sizeof computed / sizeof *computed; i++)
		if (!strcmp(name, computed[i]))
			return true;
	bool stamp;
	return (crm_field_is_stored(name) || expr_is_custom(cat, name)) &&
	       crm_header_is_date(CRM_NAMES_CUSTOMERS, name, &stamp);
}

bool expr_cheap(const struct node *n)
{
	if (n->kind == N_CALL)
		return false;
	if (n->kind == N_FIELD) {
		crm_type t;
		return !crm_field_computed_type(n->text, &t);
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (!expr_cheap(n->kids[i]))
			return false;
	return true;
}

const struct node *expr_start_of(const struct node *n)
{
	while (n->nkids && n->kind != N_NOT && n->kind != N_UNARY && n->kind != N_CALL)
		n = n->kids[0];
	return n;
}

void expr_value_name(const struct node *n, char *out, size_t size)
{
	if (n->kind == N_FIELD)
		snprintf(out, size, "%.100s", n->text);
	else if (n->kind == N_CALL)
		snprintf(out, size, "%.100s()", n->text);
	else if (n->kind == N_STRING)
		snprintf(out, size, "'%.100s'", n->text);
	else
		snprintf(out, size, "this");
}

/* D and the days-1 before it. */
void expr_window_start(const crm_clock *clock, int days, char out[11])
{
	crm_clock_day(clock, -(days - 1), out);
}

const char *expr_name_arg(const struct node *call)
{
	if (call->nkids != 1 || (call->kids[0]->kind != N_STRING && call->kids[0]->kind != N_FIELD))
		return NULL;
	return call->kids[0]->text;
}

char *expr_event_type(const struct node *arg)
{
	if (arg->kind != N_FIELD && arg->kind != N_STRING)
		return NULL;
	char *type = crm_xstrdup(arg->text);
	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return type;
}
