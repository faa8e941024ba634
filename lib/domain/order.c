/* order.c: the order customers are written in, and how many (--sort,
 * --limit): an ORDER BY ... LIMIT of the one statement that reads them, so
 * that SQLite keeps the first N as it goes and nothing is sorted in C. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

struct crm_order {
	struct order_term {
		char *field;   /* a field by name, any type */
		crm_expr *expr; /* else a number expression */
		bool desc;
		bool custom;   /* an attribute: numbers by value first, then text */
	} *t;
	size_t n;
	long limit; /* < 0: no limit */
	crm_field_catalog catalog; /* what the fields' SQL reads, loaded with the terms */
};

/* The length of the term at s: up to a comma outside quotes and parentheses. */
static size_t term_length(const char *s)
{
	int depth = 0;
	char quote = 0;
	size_t i;
	for (i = 0; s[i]; i++) {
		char ch = s[i];
		if (quote)
			quote = ch == quote ? 0 : quote;
		else if (ch == '\'' || ch == '"' || ch == '`')
			quote = ch;
		else if (ch == '(')
			depth++;
		else if (ch == ')')
			depth--;
		else if (ch == ',' && depth <= 0)
			break;
	}
	return i;
}

static bool is_field(const crm_order *o, const char *name, bool *is_custom)
{
	crm_type type;
	*is_custom = false;
	if (crm_field_is_stored(name) || crm_field_computed_type(name, &type))
		return true;
	*is_custom = crm_field_catalog_has(&o->catalog, name);
	return *is_custom;
}

/* One term: a field, or a number expression; a leading '-' for descending. */
static int add_term(crm_order *o, crm_db *db, const char *spec, const char *s, size_t len,
		    crm_error *err)
{
	const char *text = crm_trim(s, &len);
	bool desc = len && *text == '-';
	if (desc) {
		text++;
		len--;
		text = crm_trim(text, &len);
	}
	if (!len)
		return crm_error_set(err, CRM_EUSAGE, "--sort '%s': a field or expression is missing",
				     spec);
	char *term = crm_xmalloc(len + 1);
	memcpy(term, text, len);
	term[len] = '\0';
	struct order_term t = {.desc = desc};
	int rc = CRM_OK;
	if (is_field(o, term, &t.custom))
		t.field = term;
	else
		rc = crm_expr_value_new(&t.expr, db, term, true, err);
	if (!t.field)
		free(term);
	if (rc != CRM_OK)
		return rc;
	o->t = crm_xrealloc(o->t, (o->n + 1) * sizeof *o->t);
	o->t[o->n++] = t;
	return CRM_OK;
}

int crm_order_new(crm_order **out, crm_db *db, const char *sort, long limit, crm_error *err)
{
	crm_order *o = crm_xmalloc(sizeof *o);
	*o = (crm_order){.limit = limit};
	*out = NULL;
	if (sort && crm_field_catalog_load(db, CRM_CUSTOMERS, &o->catalog, err) != CRM_OK) {
		crm_order_free(o);
		return CRM_EDB;
	}
	for (const char *p = sort; p; ) {
		size_t len = term_length(p);
		int rc = add_term(o, db, sort, p, len, err);
		if (rc != CRM_OK) {
			crm_order_free(o);
			return rc;
		}
		p = p[len] ? p + len + 1 : NULL;
	}
	*out = o;
	return CRM_OK;
}

void crm_order_free(crm_order *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free(o->t[i].field);
		crm_expr_free(o->t[i].expr);
	}
	free(o->t);
	crm_field_catalog_free(&o->catalog);
	free(o);
}

long crm_order_limit(const crm_order *o)
{
	return o ? o->limit : -1;
}

bool crm_order_sorts(const crm_order *o)
{
	return o && o->n;
}

/* " ORDER BY ... LIMIT n" over customers c: those without a value last, in
 * either direction, and ties in the order stored. */
/* One term's keys. */
static int term_sql(const struct order_term *t, crm_sql *q, crm_error *err)
{
	const char *dir = t->desc ? " DESC NULLS LAST, " : " ASC NULLS LAST, ";
	int rc;
	if (t->custom) { /* imported from CSV, 12 is text: it still goes after 3 */
		crm_sql_add(q, "crm_number(");
		if ((rc = crm_sql_field(q, t->field, err)) != CRM_OK)
			return rc;
		crm_sql_add(q, ")");
		crm_sql_add(q, dir);
	}
	rc = t->field ? crm_sql_field(q, t->field, err) : crm_expr_emit_value(t->expr, q, err);
	crm_sql_add(q, dir);
	return rc;
}

int crm_order_sql(const crm_order *o, crm_sql *q, crm_error *err)
{
	crm_sql_add(q, " ORDER BY ");
	const crm_field_catalog *was = q->catalog;
	if (o)
		q->catalog = &o->catalog;
	int rc = CRM_OK;
	for (size_t i = 0; o && rc == CRM_OK && i < o->n; i++)
		rc = term_sql(&o->t[i], q, err);
	q->catalog = was;
	if (rc != CRM_OK)
		return rc;
	crm_sql_add(q, "c.cid");
	if (o && o->limit >= 0) {
		crm_sql_add(q, " LIMIT ");
		crm_sql_int(q, o->limit);
	}
	return CRM_OK;
}

/* The customers where chooses, cut to the first N of the order, become the
 * chosen set (temp.chosen_ids): a command that changes customers changes
 * those. Through a table of their own, since where may read the set. */
int crm_order_choose(crm_db *db, const crm_expr *where, const crm_order *o,
		     const crm_clock *clock, long *chosen, crm_error *err)
{
	int rc = crm_chosen_table(db, err);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "DROP TABLE IF EXISTS temp.limited_ids;"
				 " CREATE TEMP TABLE limited_ids (cid INTEGER PRIMARY KEY)", err);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO temp.limited_ids SELECT c.cid FROM customers c");
	if (where && rc == CRM_OK) {
		crm_sql_add(&q, " WHERE ");
		rc = crm_expr_emit(where, &q, err);
	}
	if (rc == CRM_OK)
		rc = crm_order_sql(o, &q, err);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, chosen, err);
	crm_sql_free(&q);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "DELETE FROM temp.chosen_ids; INSERT INTO temp.chosen_ids"
				 " SELECT cid FROM temp.limited_ids; DROP TABLE temp.limited_ids", err);
	return rc;
}

int crm_chosen_count(crm_db *db, const crm_expr *where, const crm_order *o,
		     const crm_clock *clock, long *count, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT count(*) FROM (SELECT 1 FROM customers c");
	int rc = CRM_OK;
	if (where) {
		crm_sql_add(&q, " WHERE ");
		rc = crm_expr_emit(where, &q, err);
	}
	if (o && o->limit >= 0) {
		crm_sql_add(&q, " LIMIT ");
		crm_sql_int(&q, o->limit);
	}
	crm_sql_add(&q, ")");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	crm_sql_free(&q);
	if (rc != CRM_OK)
		return rc;
	int step = crm_stmt_step(st);
	*count = step == CRM_ROW ? (long)crm_stmt_int64(st, 0) : 0;
	crm_stmt_finalize(st);
	return step == CRM_ROW ? CRM_OK : crm_db_fail(db, err, NULL);
}
