/* expr.c: the expression language of crm-expr(7), its interface: an
 * expression is parsed (parse.c), what it names that the database holds is
 * loaded (catalog.c), and it is compiled once (compile.c) so that every
 * error shows before any work starts; its SQL is then emitted as often as
 * statements need it, reading nothing more. */
#include <stdlib.h>
#include <string.h>

#include "expr/tree.h"

/* Compiled once, over a day of no importance: the errors are the same on any. */
static int check(const crm_expr *e, bool value, crm_error *err)
{
	crm_clock clock;
	crm_clock_init(&clock, "2000-01-01", NULL);
	crm_sql q;
	crm_sql_init(&q, e->db, &clock);
	int rc = value ? crm_expr_emit_value(e, &q, err) : crm_expr_emit(e, &q, err);
	crm_sql_free(&q);
	return rc;
}

static crm_expr *expr_alloc(crm_db *db, struct node *root, const char *text)
{
	crm_expr *e = calloc(1, sizeof *e);
	if (!e)
		abort();
	e->text = crm_xstrdup(text);
	e->root = root;
	e->db = db;
	return e;
}

static int expr_new(crm_expr **out, crm_db *db, const char *text, bool value, bool numbers,
		    crm_error *err)
{
	*out = NULL;
	struct node *root = expr_parse(text, "expression", err);
	if (!root)
		return CRM_EDATA;
	crm_expr *e = expr_alloc(db, root, text);
	e->numbers = numbers;
	int rc = expr_catalog_load(&e->catalog, db, root, err);
	if (rc == CRM_OK)
		rc = check(e, value, err);
	if (rc != CRM_OK) {
		crm_expr_free(e);
		return rc;
	}
	*out = e;
	return CRM_OK;
}

int crm_expr_new(crm_expr **out, crm_db *db, const char *text, crm_error *err)
{
	return expr_new(out, db, text, false, false, err);
}

int crm_expr_value_new(crm_expr **out, crm_db *db, const char *text, bool numbers_only,
		       crm_error *err)
{
	return expr_new(out, db, text, true, numbers_only, err);
}

crm_expr *crm_expr_and(crm_expr *a, crm_expr *b)
{
	if (!a || !b)
		return a ? a : b;
	struct token at = {.line = 1, .col = 1};
	struct node *and = expr_node_new(N_AND, &at);
	expr_node_add(and, a->root);
	expr_node_add(and, b->root);
	a->root = and;
	crm_buf text = {0};
	crm_buf_printf(&text, "(%s) and (%s)", a->text, b->text);
	free(a->text);
	a->text = text.p;
	b->root = NULL;
	expr_catalog_merge(&a->catalog, &b->catalog);
	crm_expr_free(b);
	return a;
}

crm_expr *crm_expr_chosen_new(crm_db *db)
{
	struct token at = {.line = 1, .col = 1};
	return expr_alloc(db, expr_node_new(N_CHOSEN, &at), "(the customers given)");
}

bool crm_expr_is_chosen(const crm_expr *e)
{
	return e && e->root && e->root->kind == N_CHOSEN;
}

int crm_expr_segment(crm_expr **out, crm_db *db, const char *name, crm_error *err)
{
	char *text;
	if (crm_segment_expr(db, name, &text, err) != CRM_OK)
		return err ? err->code : CRM_EDATA;
	free(text);
	crm_buf call = {0};
	crm_buf_adds(&call, "segment('");
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			crm_buf_addc(&call, '\'');
		crm_buf_addc(&call, *p);
	}
	crm_buf_adds(&call, "')");
	int rc = crm_expr_new(out, db, call.p, err);
	crm_buf_free(&call);
	return rc;
}

int crm_expr_sql(const crm_expr *e, crm_db *db, const crm_clock *clock, crm_writer *out,
		 crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	int rc = crm_expr_emit(e, &q, err);
	if (rc == CRM_OK) {
		crm_value row[2] = {{CRM_TEXT, "sql", 3}, {CRM_TEXT, q.text.p, q.text.len}};
		rc = crm_writer_put(out, row, err);
		for (size_t i = 0; rc == CRM_OK && i < q.nparams; i++) {
			const struct crm_param *p = &q.params[i];
			char name[32], value[64];
			snprintf(name, sizeof name, "?%zu", i + 1);
			const char *v = p->text;
			if (p->type == CRM_INT)
				snprintf(value, sizeof value, "%lld", (long long)p->i), v = value;
			else if (p->type == CRM_REAL)
				snprintf(value, sizeof value, "%.17g", p->d), v = value;
			crm_value param[2] = {{CRM_TEXT, name, strlen(name)},
					      {v ? CRM_TEXT : CRM_NULL, v, v ? strlen(v) : 0}};
			rc = crm_writer_put(out, param, err);
		}
	}
	crm_sql_free(&q);
	return rc;
}

void crm_expr_free(crm_expr *e)
{
	if (!e)
		return;
	expr_node_free(e->root);
	expr_catalog_free(&e->catalog);
	free(e->text);
	free(e);
}

const char *crm_expr_text(const crm_expr *e)
{
	return e->text;
}
