/* history.c: the changes of grade (流失预警): who moved from which grade to
 * which, and when; and the same counted as a from-by-to table. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

const char *const crm_change_columns[5] = {"customer_id", "model", "as_of", "from_grade", "to_grade"};

/* A list of grades as a condition on column; "none" stands for no grade. */
static void grades_in(crm_sql *q, const char *column, const char *const *grades, size_t n)
{
	crm_sql_addf(q, " AND (%s IN (", column);
	bool none = false;
	for (size_t i = 0; i < n; i++) {
		none = none || !strcmp(grades[i], "none");
		crm_sql_add(q, i ? ", " : "");
		crm_sql_text(q, grades[i]);
	}
	crm_sql_add(q, ")");
	if (none)
		crm_sql_addf(q, " OR %s IS NULL", column);
	crm_sql_add(q, ")");
}

static void changes_where(crm_sql *q, const crm_changes_query *cq)
{
	crm_sql_add(q, " WHERE h.model = ");
	crm_sql_text(q, cq->model->name);
	if (cq->since) {
		crm_sql_add(q, " AND h.as_of >= ");
		crm_sql_text(q, cq->since);
	}
	if (cq->nfrom)
		grades_in(q, "h.from_grade", cq->from, cq->nfrom);
	if (cq->nto)
		grades_in(q, "h.to_grade", cq->to, cq->nto);
}

int crm_grade_changes(crm_db *db, const crm_changes_query *cq, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT c.id, h.model, h.as_of, h.from_grade, h.to_grade FROM grade_history h"
		       " JOIN customers c ON c.cid = h.cid");
	changes_where(&q, cq);
	crm_sql_add(&q, " ORDER BY h.as_of, h.cid");
	int rc = crm_sql_write(&q, out, 5, (crm_type[]){CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT},
			       err);
	crm_sql_free(&q);
	return rc;
}

char **crm_matrix_columns(const crm_model *m, size_t *n)
{
	size_t grades = m->rfm ? m->nsegments + 1 : m->ngrades;
	char **names = crm_xmalloc((grades + 2) * sizeof *names);
	names[0] = crm_xstrdup("from");
	for (size_t i = 0; i < grades; i++)
		names[i + 1] = crm_xstrdup(!m->rfm ? m->grades[i].name
					   : i < m->nsegments ? m->segments[i].name : "Others");
	names[grades + 1] = crm_xstrdup("none");
	*n = grades + 2;
	return names;
}

void crm_strings_free(char **strings, size_t n)
{
	for (size_t i = 0; i < n && strings; i++)
		free(strings[i]);
	free(strings);
}

/* The count of each (from, to) pair, into a table laid out by the model's grades. */
static int count_pairs(crm_db *db, const crm_changes_query *cq, char **names, size_t n,
		       long *counts, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT coalesce(h.from_grade, 'none'), coalesce(h.to_grade, 'none'), count(*)"
		       " FROM grade_history h");
	changes_where(&q, cq);
	crm_sql_add(&q, " GROUP BY 1, 2");
	crm_stmt *st;
	int rc = crm_sql_prepare(&q, &st, err);
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		const char *from = crm_stmt_text(st, 0);
		const char *to = crm_stmt_text(st, 1);
		size_t f = 0, t = 0;
		for (size_t i = 1; i < n; i++) {
			f = strcmp(names[i], from) ? f : i;
			t = strcmp(names[i], to) ? t : i;
		}
		if (f && t) /* grades a model no longer has are left out */
			counts[(f - 1) * (n - 1) + (t - 1)] += (long)crm_stmt_int64(st, 2);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

int crm_grade_matrix(crm_db *db, const crm_changes_query *cq, crm_writer *out, crm_error *err)
{
	size_t n;
	char **names = crm_matrix_columns(cq->model, &n);
	long *counts = calloc((n - 1) * (n - 1), sizeof *counts);
	crm_value *row = crm_xmalloc(n * sizeof *row);
	char (*text)[24] = crm_xmalloc(n * sizeof *text);
	int rc = count_pairs(db, cq, names, n, counts, err);
	for (size_t f = 0; rc == CRM_OK && f + 1 < n; f++) {
		row[0] = (crm_value){CRM_TEXT, names[f + 1], strlen(names[f + 1])};
		for (size_t t = 0; t + 1 < n; t++) {
			snprintf(text[t], sizeof text[t], "%ld", counts[f * (n - 1) + t]);
			row[t + 1] = (crm_value){CRM_INT, text[t], strlen(text[t])};
		}
		rc = crm_writer_put(out, row, err);
	}
	free(text);
	free(row);
	free(counts);
	crm_strings_free(names, n);
	return rc;
}
