/* compile.c: an expression's tree to SQL: one condition (or value) over
 * customers (alias c), every value from the user a bound parameter. It
 * reads nothing from the database: what the tree names that the database
 * holds is in the catalog loaded with the expression (catalog.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expr/tree.h"

struct compiler {
	crm_sql *q;
	const struct expr_catalog *cat;
	const char *src;    /* the text being compiled, for carets */
	const char *source; /* its name in messages */
	crm_error *err;
	bool failed;
	const char *segments[SEGMENT_DEPTH_MAX]; /* segment() being compiled, for cycles */
	int depth;
	int nest; /* conditions open, across segments */
};

static void cfail(struct compiler *c, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cfail(struct compiler *c, const struct node *n, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	expr_error(c->err, c->source, c->src, n->line, n->col, fmt, ap);
	va_end(ap);
}

static void emit_field(struct compiler *c, const struct node *n)
{
	crm_type t;
	if (crm_field_is_stored(n->text)) {
		crm_sql_addf(c->q, "c.%s", n->text); /* a name from our own list */
	} else if (crm_field_computed_type(n->text, &t)) {
		crm_error e;
		if (crm_sql_computed(c->q, n->text, &e) != CRM_OK)
			cfail(c, n, "%s", e.msg);
	} else if (expr_is_custom(c->cat, n->text)) {
		crm_sql_json_field(c->q, "c.attrs", n->text);
	} else {
		cfail(c, n, "unknown field '%s' (crm-export --list-fields lists them)", n->text);
	}
}

/* An event type: a word (purchase) or a string ('购买'), lower-cased; the
 * note about a type the database has none of, from what was looked up. */
static bool event_type(struct compiler *c, const struct node *call, const struct node *arg,
		       char **type)
{
	*type = expr_event_type(arg);
	if (!*type) {
		cfail(c, arg, "%s() takes an event type first, such as purchase", call->text);
		return false;
	}
	crm_event_type_named(c->q->db, *type);
	return true;
}

static void emit_events_where(struct compiler *c, const char *type, int days)
{
	crm_sql_add(c->q, " FROM events e WHERE e.cid = c.cid AND e.type = ");
	crm_sql_text(c->q, type);
	if (days) {
		char start[11];
		expr_window_start(c->q->clock, days, start);
		crm_sql_add(c->q, " AND e.ts >= ");
		crm_sql_text(c->q, start);
	}
	crm_sql_add(c->q, " AND e.ts < ");
	crm_sql_end(c->q);
	crm_sql_add(c->q, ")");
}

/* The column of an aggregate, added when it is new. */
static size_t agg_column(crm_aggs *a, const char *func, const char *type, int days)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->a[i].func, func) && !strcmp(a->a[i].type, type) && a->a[i].days == days)
			return i;
	a->a = crm_xrealloc(a->a, (a->n + 1) * sizeof *a->a);
	struct agg *g = &a->a[a->n];
	snprintf(g->func, sizeof g->func, "%s", func);
	g->type = crm_xstrdup(type);
	g->days = days;
	return a->n++;
}

/* A reference to it: count and sum are 0 for a customer with no events. */
static void emit_agg_column(crm_sql *q, const char *func, const char *type, int days)
{
	size_t k = agg_column(q->aggs, func, type, days);
	if (!strcmp(func, "count"))
		crm_sql_addf(q, "coalesce(agg.a%zu, 0)", k);
	else if (!strcmp(func, "sum"))
		crm_sql_addf(q, "coalesce(agg.a%zu, 0.0)", k);
	else
		crm_sql_addf(q, "agg.a%zu", k);
}

/* count/sum/avg/min/max(TYPE[, WINDOW]): amounts in currency units. */
static void emit_aggregate(struct compiler *c, const struct node *n)
{
	char *type;
	if (n->nkids < 1 || n->nkids > 2) {
		cfail(c, n, "%s() takes an event type and a window: %s(purchase, 90d)", n->text, n->text);
		return;
	}
	if (n->nkids == 2 && n->kids[1]->kind != N_WINDOW) {
		cfail(c, n->kids[1], "expected a window such as 90d, 12w, 6m or 1y");
		return;
	}
	if (!event_type(c, n, n->kids[0], &type))
		return;
	int days = n->nkids == 2 ? n->kids[1]->days : 0;
	if (c->q->aggs) {
		emit_agg_column(c->q, n->text, type, days);
		free(type);
		return;
	}
	if (!strcmp(n->text, "count"))
		crm_sql_add(c->q, "(SELECT count(*)");
	else if (!strcmp(n->text, "sum"))
		crm_sql_add(c->q, "(SELECT coalesce(sum(e.amount_cents), 0) / 100.0");
	else
		crm_sql_addf(c->q, "(SELECT %s(e.amount_cents) / 100.0", n->text);
	emit_events_where(c, type, days);
	free(type);
}

static void emit_since(struct compiler *c, const struct node *n)
{
	char *type;
	if (n->nkids != 1) {
		cfail(c, n, "since() takes an event type: since(purchase)");
		return;
	}
	if (!event_type(c, n, n->kids[0], &type))
		return;
	if (c->q->aggs) {
		emit_agg_column(c->q, "since", type, 0);
		free(type);
		return;
	}
	crm_sql_add(c->q, "(SELECT CAST(");
	crm_sql_days_since(c->q, "substr(max(e.ts), 1, 10)");
	crm_sql_add(c->q, " AS INTEGER)");
	emit_events_where(c, type, 0);
	free(type);
}

static void emit_days(struct compiler *c, const struct node *n)
{
	if (n->nkids != 1 || n->kids[0]->kind != N_FIELD) {
		cfail(c, n, "days() takes a date field: days(signup_date)");
		return;
	}
	crm_sql_add(c->q, "CAST(");
	crm_sql_days_since_open(c->q);
	crm_sql_add(c->q, "substr(");
	emit_field(c, n->kids[0]);
	crm_sql_add(c->q, ", 1, 10)");
	crm_sql_days_since_close(c->q);
	crm_sql_add(c->q, " AS INTEGER)");
}

/* month(FIELD) and year(FIELD) of a date field, as numbers. */
static void emit_date_part(struct compiler *c, const struct node *n)
{
	const struct node *field = n->nkids == 1 ? n->kids[0] : NULL;
	if (!field || field->kind != N_FIELD) {
		cfail(c, n, "%s() takes a date field: %s(birthday)", n->text, n->text);
		return;
	}
	if (expr_known_field(c->cat, field->text) && !expr_is_date(c->cat, field->text)) {
		cfail(c, field, "%s is not a date: %s() takes a date field, such as %s(birthday)",
		      field->text, n->text, n->text);
		return;
	}
	crm_sql_date_part_open(c->q, n->text[0] == 'm' ? CRM_MONTH : CRM_YEAR);
	emit_field(c, field);
	crm_sql_date_part_close(c->q);
}

static void emit_bool(struct compiler *c, const struct node *n);

/* A saved segment's condition, in parentheses, as it was loaded. */
static void emit_segment(struct compiler *c, const struct node *n)
{
	const char *name = expr_name_arg(n);
	if (!name) {
		cfail(c, n, "segment() takes a segment's name: segment('高价值')");
		return;
	}
	for (int i = 0; i < c->depth; i++)
		if (strcmp(c->segments[i], name) == 0) {
			cfail(c, n, "segment '%s' refers to itself", name);
			return;
		}
	if (c->depth == SEGMENT_DEPTH_MAX) {
		cfail(c, n, "segments nest deeper than %d", SEGMENT_DEPTH_MAX);
		return;
	}
	const struct saved_segment *s = expr_catalog_segment(c->cat, name);
	if (!s || !s->root) { /* every segment named is loaded: no s is a bug */
		cfail(c, n, "%s", s ? s->why : "segment() was not loaded before it was compiled");
		return;
	}
	const char *src = c->src, *source = c->source;
	c->segments[c->depth++] = name;
	c->src = s->text;
	c->source = s->name;
	crm_sql_add(c->q, "(");
	emit_bool(c, s->root);
	crm_sql_add(c->q, ")");
	c->depth--;
	c->src = src;
	c->source = source;
}

static void emit_tag(struct compiler *c, const struct node *n)
{
	const char *name = expr_name_arg(n);
	if (!name) {
		cfail(c, n, "tag() takes a tag's name: tag('VIP')");
		return;
	}
	crm_sql_add(c->q, "EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.tid = ct.tid"
			  " WHERE ct.cid = c.cid AND t.name = ");
	crm_sql_text(c->q, name);
	crm_sql_add(c->q, " AND (ct.expires_on IS NULL OR ct.expires_on > ");
	crm_sql_date(c->q);
	crm_sql_add(c->q, "))");
}

/* grade('MODEL') and score('MODEL'): what the model stored for the customer. */
static void emit_model_value(struct compiler *c, const struct node *n)
{
	const char *model = expr_name_arg(n);
	if (!model) {
		cfail(c, n, "%s() takes a model's name: %s('value')", n->text, n->text);
		return;
	}
	crm_error e;
	if (crm_sql_model_value(c->q, n->text, model, &e) != CRM_OK)
		cfail(c, n, "%s", e.msg);
}

static void emit_value(struct compiler *c, const struct node *n);

static void emit_call(struct compiler *c, const struct node *n)
{
	if (expr_is_aggregate(n->text))
		emit_aggregate(c, n);
	else if (!strcmp(n->text, "since"))
		emit_since(c, n);
	else if (!strcmp(n->text, "days"))
		emit_days(c, n);
	else if (!strcmp(n->text, "month") || !strcmp(n->text, "year"))
		emit_date_part(c, n);
	else if (!strcmp(n->text, "tag"))
		emit_tag(c, n);
	else if (!strcmp(n->text, "segment"))
		emit_segment(c, n);
	else if (!strcmp(n->text, "grade") || !strcmp(n->text, "score"))
		emit_model_value(c, n);
	else
		cfail(c, n, "unknown function '%s' (count, sum, avg, min, max, since, days, month, year,"
		      " tag, segment, grade, score)", n->text);
}

static void emit_number(struct compiler *c, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		crm_sql_int(c->q, (int64_t)v);
	else
		crm_sql_real(c->q, v);
}

/* A value compared with numbers: text fields are read as numbers. */
static void emit_as(struct compiler *c, const struct node *n, enum vtype want)
{
	enum vtype have = expr_type_of(n);
	if (have == V_BOOL) {
		cfail(c, n, "a condition cannot be compared: it is true or false");
		return;
	}
	if (want == V_NUM && n->kind == N_STRING) {
		char *end;
		double v = strtod(n->text, &end);
		if (!*n->text || *end) {
			cfail(c, n, "'%s' is not a number, and it is compared with one", n->text);
			return;
		}
		emit_number(c, v);
		return;
	}
	if (want == V_NUM && have == V_TEXT) {
		crm_sql_add(c->q, "crm_number(");
		emit_value(c, n);
		crm_sql_add(c->q, ")");
		return;
	}
	if (want == V_TEXT && n->kind == N_FIELD && expr_is_custom(c->cat, n->text)) {
		/* imported as a number from JSON or a workbook, compared as text */
		crm_sql_add(c->q, "CAST(");
		emit_value(c, n);
		crm_sql_add(c->q, " AS TEXT)");
		return;
	}
	emit_value(c, n);
}

/* A value that must be a number: a number, or a custom attribute read as
 * one (crm_number, as comparisons read it). Text, dates and conditions are
 * refused, saying what was needed. */
static void emit_numeric(struct compiler *c, const struct node *n, const char *need)
{
	char name[128];
	expr_value_name(n, name, sizeof name);
	enum vtype t = expr_type_of(n);
	if (t == V_BOOL) {
		cfail(c, expr_start_of(n), "%s is a condition: %s", name, need);
	} else if (n->kind == N_FIELD && expr_known_field(c->cat, n->text) &&
		   expr_is_date(c->cat, n->text)) {
		cfail(c, n, "%s is a date: %s (days(%s) is one)", name, need, name);
	} else if (n->kind == N_FIELD && expr_is_custom(c->cat, n->text)) {
		crm_sql_add(c->q, "crm_number(");
		emit_field(c, n);
		crm_sql_add(c->q, ")");
	} else if (t == V_TEXT && (n->kind != N_FIELD || expr_known_field(c->cat, n->text))) {
		cfail(c, n, "%s is text: %s", name, need);
	} else {
		emit_value(c, n);
	}
}

/* One more level of nesting, conditions and arithmetic alike, across the
 * segments named: false, and the compile failed, past NEST_MAX. The caller
 * closes it (c->nest--) either way. */
static bool nest_in(struct compiler *c, const struct node *n)
{
	if (++c->nest <= NEST_MAX)
		return true;
	cfail(c, n, "the expression nests deeper than %d levels%s", NEST_MAX,
	      c->depth ? ", with the segments it names" : "");
	return false;
}

/* SQL's arithmetic and its null rules (null in, null out; x / 0 is null),
 * but / always divides as decimals: 7 / 2 is 3.5, as a person reads it. */
static void emit_arith(struct compiler *c, const struct node *n)
{
	static const char need[] = "arithmetic takes numbers";
	if (nest_in(c, n) && n->kind == N_UNARY) {
		crm_sql_add(c->q, n->op == T_MINUS ? "(- " : "(+ ");
		emit_numeric(c, n->kids[0], need);
		crm_sql_add(c->q, ")");
	} else if (!c->failed) { /* exact to 15 digits: sums of amounts compare to the cent */
		crm_sql_add(c->q, "crm_decimal(");
		emit_numeric(c, n->kids[0], need);
		crm_sql_add(c->q, n->op == T_PLUS ? " + " : n->op == T_MINUS ? " - "
				  : n->op == T_STAR ? " * " : " * 1.0 / ");
		emit_numeric(c, n->kids[1], need);
		crm_sql_add(c->q, ")");
	}
	c->nest--;
}

static void emit_value(struct compiler *c, const struct node *n)
{
	switch (n->kind) {
	case N_FIELD: emit_field(c, n); break;
	case N_STRING: crm_sql_text(c->q, n->text); break;
	case N_NUMBER: emit_number(c, n->num); break;
	case N_ARITH: case N_UNARY: emit_arith(c, n); break;
	case N_CALL:
		if (expr_type_of(n) == V_BOOL) {
			cfail(c, n, "%s() is a condition, not a value", n->text);
			return;
		}
		emit_call(c, n);
		break;
	default:
		cfail(c, n, "expected a value, found a condition");
	}
}

static const char *sql_op(enum tok op)
{
	switch (op) {
	case T_EQ: return " = ";
	case T_NE: return " <> ";
	case T_LT: return " < ";
	case T_LE: return " <= ";
	case T_GT: return " > ";
	default: return " >= ";
	}
}

static void emit_cmp(struct compiler *c, const struct node *n)
{
	enum vtype t = expr_common_type((const struct node *const *)n->kids, 2);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, sql_op(n->op));
	emit_as(c, n->kids[1], t);
	crm_sql_add(c->q, ")");
}

static void emit_in(struct compiler *c, const struct node *n)
{
	enum vtype t = expr_common_type((const struct node *const *)n->kids, n->nkids);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, n->negated ? " NOT IN (" : " IN (");
	for (size_t i = 1; i < n->nkids; i++) {
		if (i > 1)
			crm_sql_add(c->q, ", ");
		emit_as(c, n->kids[i], t);
	}
	crm_sql_add(c->q, "))");
}

static void emit_between(struct compiler *c, const struct node *n)
{
	enum vtype t = expr_common_type((const struct node *const *)n->kids, 3);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, n->negated ? " NOT BETWEEN " : " BETWEEN ");
	emit_as(c, n->kids[1], t);
	crm_sql_add(c->q, " AND ");
	emit_as(c, n->kids[2], t);
	crm_sql_add(c->q, ")");
}

/* A pattern is checked here, so that a bad one is an expression error with
 * its column, before any row is read. */
static void emit_match(struct compiler *c, const struct node *n)
{
	const struct node *pattern = n->kids[1];
	if (pattern->kind != N_STRING) {
		cfail(c, pattern, "a regular expression is a string: phone ~ '^1(3[5-9])'");
		return;
	}
	crm_error why;
	if (crm_regex_check(pattern->text, &why) != CRM_OK) {
		cfail(c, pattern, "%s", why.msg);
		return;
	}
	crm_sql_add(c->q, n->negated ? "(NOT " : "(");
	crm_sql_regexp_open(c->q, pattern->text);
	emit_value(c, n->kids[0]);
	crm_sql_regexp_close(c->q);
	crm_sql_add(c->q, ")");
}

/* Conditions that read only the customer's row go first in an 'and', so that
 * SQLite skips the event subqueries for the rows they reject. */
static void emit_junction(struct compiler *c, const struct node *n, const char *word)
{
	crm_sql_add(c->q, "(");
	bool first = true;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n->nkids; i++) {
			bool now = n->kind == N_AND ? expr_cheap(n->kids[i]) == (pass == 0) : pass == 0;
			if (!now)
				continue;
			if (!first)
				crm_sql_add(c->q, word);
			first = false;
			emit_bool(c, n->kids[i]);
		}
	}
	crm_sql_add(c->q, ")");
}

static void emit_bool_node(struct compiler *c, const struct node *n);

static void emit_bool(struct compiler *c, const struct node *n)
{
	if (c->failed)
		return;
	if (nest_in(c, n))
		emit_bool_node(c, n);
	c->nest--;
}

static void emit_bool_node(struct compiler *c, const struct node *n)
{
	switch (n->kind) {
	case N_OR: emit_junction(c, n, " OR "); break;
	case N_AND: emit_junction(c, n, " AND "); break;
	case N_NOT:
		crm_sql_add(c->q, "(NOT ");
		emit_bool(c, n->kids[0]);
		crm_sql_add(c->q, ")");
		break;
	case N_CMP: emit_cmp(c, n); break;
	case N_IN: emit_in(c, n); break;
	case N_BETWEEN: emit_between(c, n); break;
	case N_MATCH: emit_match(c, n); break;
	case N_ISNULL:
		crm_sql_add(c->q, "(");
		emit_value(c, n->kids[0]);
		crm_sql_add(c->q, n->negated ? " IS NOT NULL)" : " IS NULL)");
		break;
	case N_CALL:
		if (expr_type_of(n) != V_BOOL) {
			cfail(c, n, "%s() is a value: compare it (%s(...) > 0)", n->text, n->text);
			return;
		}
		emit_call(c, n);
		break;
	case N_CHOSEN:
		crm_sql_add(c->q, "c.cid IN (SELECT cid FROM ");
		crm_sql_temp(c->q, "chosen_ids");
		crm_sql_add(c->q, ")");
		break;
	case N_ARITH:
	case N_UNARY:
		emit_arith(c, n); /* a bad operand is the first thing to say */
		cfail(c, expr_start_of(n), "this is a value, not a condition: compare it (city = '上海')");
		break;
	default:
		if (n->kind == N_FIELD && !expr_known_field(c->cat, n->text))
			cfail(c, n, "unknown field '%s' (crm-export --list-fields lists them)", n->text);
		else
			cfail(c, n, "this is a value, not a condition: compare it (city = '上海')");
	}
}

/* The expression as a condition, or as a value. */
static int emit(const crm_expr *e, bool value, crm_sql *q, crm_error *err)
{
	struct compiler c = {.q = q, .cat = &e->catalog, .src = e->text, .source = "expression",
			     .err = err};
	const crm_field_catalog *was = q->catalog;
	q->catalog = &e->catalog.fields; /* for the fields' SQL (crm_sql_computed) */
	if (!value)
		emit_bool(&c, e->root);
	else if (expr_type_of(e->root) == V_BOOL)
		cfail(&c, expr_start_of(e->root), "expected %s, found a condition",
		      e->numbers ? "a number" : "a value");
	else if (e->numbers)
		emit_numeric(&c, e->root, "expected a number");
	else
		emit_value(&c, e->root);
	q->catalog = was;
	return c.failed ? CRM_EDATA : CRM_OK;
}

int crm_expr_emit(const crm_expr *e, crm_sql *q, crm_error *err)
{
	return emit(e, false, q, err);
}

int crm_expr_emit_value(const crm_expr *e, crm_sql *q, crm_error *err)
{
	return emit(e, true, q, err);
}
