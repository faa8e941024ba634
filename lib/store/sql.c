/* sql.c: the text of one SQL statement and the values bound to it, built by
 * the parts that make it (fields, expressions). Text comes from libcrm's own
 * code; every value from users is a bound parameter. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

void crm_sql_init(crm_sql *q, crm_db *db, const crm_clock *clock)
{
	memset(q, 0, sizeof *q);
	q->db = db;
	q->clock = clock;
}

void crm_sql_free(crm_sql *q)
{
	crm_buf_free(&q->text);
	for (size_t i = 0; i < q->nparams; i++)
		free(q->params[i].text);
	free(q->params);
	memset(q, 0, sizeof *q);
}

void crm_sql_add(crm_sql *q, const char *text)
{
	crm_buf_adds(&q->text, text);
}

void crm_sql_addf(crm_sql *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		crm_buf_add(&q->text, small, (size_t)n);
		return;
	}
	char *big = crm_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	crm_buf_adds(&q->text, big);
	free(big);
}

static struct crm_param *new_param(crm_sql *q)
{
	if (q->nparams == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 8;
		q->params = crm_xrealloc(q->params, q->cap * sizeof *q->params);
	}
	struct crm_param *p = &q->params[q->nparams++];
	memset(p, 0, sizeof *p);
	crm_sql_addf(q, "?%zu", q->nparams);
	return p;
}

void crm_sql_text(crm_sql *q, const char *value)
{
	struct crm_param *p = new_param(q);
	p->type = value ? CRM_TEXT : CRM_NULL;
	p->text = value ? crm_xstrdup(value) : NULL;
}

void crm_sql_int(crm_sql *q, int64_t value)
{
	struct crm_param *p = new_param(q);
	p->type = CRM_INT;
	p->i = value;
}

void crm_sql_real(crm_sql *q, double value)
{
	struct crm_param *p = new_param(q);
	p->type = CRM_REAL;
	p->d = value;
}

/* The as-of day D and the first instant after it: one parameter each,
 * however often a statement uses them. */
void crm_sql_date(crm_sql *q)
{
	if (!q->p_date) {
		crm_sql_text(q, q->clock->date);
		q->p_date = (int)q->nparams;
		return;
	}
	crm_sql_addf(q, "?%d", q->p_date);
}

void crm_sql_end(crm_sql *q)
{
	if (!q->p_end) {
		crm_sql_text(q, q->clock->end);
		q->p_end = (int)q->nparams;
		return;
	}
	crm_sql_addf(q, "?%d", q->p_end);
}

int crm_sql_prepare(crm_sql *q, crm_stmt **st, crm_error *err)
{
	if (crm_db_prepare(q->db, st, q->text.p ? q->text.p : "", err) != CRM_OK)
		return CRM_EDB;
	for (size_t i = 0; i < q->nparams; i++) {
		const struct crm_param *p = &q->params[i];
		int n = (int)i + 1;
		switch (p->type) {
		case CRM_TEXT: crm_stmt_bind_text_copy(*st, n, p->text, -1); break;
		case CRM_INT: crm_stmt_bind_int64(*st, n, p->i); break;
		case CRM_REAL: crm_stmt_bind_double(*st, n, p->d); break;
		default: crm_stmt_bind_null(*st, n); break;
		}
	}
	return CRM_OK;
}

int crm_sql_write(crm_sql *q, crm_writer *out, int ncols, const crm_type *types, crm_error *err)
{
	crm_stmt *st;
	if (crm_sql_prepare(q, &st, err) != CRM_OK)
		return CRM_EDB;
	crm_value *values = crm_xmalloc((size_t)ncols * sizeof *values);
	int rc = CRM_OK, step;
	while ((step = crm_stmt_step(st)) == CRM_ROW) {
		for (int i = 0; i < ncols; i++) {
			const char *s = crm_stmt_text(st, i);
			values[i] = (crm_value){s ? types[i] : CRM_NULL, s,
						s ? (size_t)crm_stmt_bytes(st, i) : 0};
		}
		if ((rc = crm_writer_put(out, values, err)) != CRM_OK)
			break;
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(q->db, err, NULL);
	free(values);
	crm_stmt_finalize(st);
	return rc;
}

int crm_sql_exec(crm_sql *q, long *changes, crm_error *err)
{
	crm_stmt *st;
	if (crm_sql_prepare(q, &st, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_stmt_step(st);
	crm_stmt_finalize(st);
	if (rc != CRM_DONE && rc != CRM_ROW)
		return crm_db_fail(q->db, err, NULL);
	if (changes)
		*changes = crm_db_changes(q->db);
	return CRM_OK;
}
