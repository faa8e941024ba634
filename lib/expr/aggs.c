/* aggs.c: event aggregates (count, sum, ..., since) computed for every
 * customer in one pass over the events, into temp.aggs, when many
 * expressions are run over everyone. The compiler names their columns as
 * it emits (compile.c); this makes the table. */
#include <stdlib.h>
#include <string.h>

#include "expr/tree.h"

crm_aggs *crm_aggs_new(void)
{
	crm_aggs *a = crm_xmalloc(sizeof *a);
	*a = (crm_aggs){0};
	return a;
}

void crm_aggs_free(crm_aggs *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->a[i].type);
	free(a->a);
	free(a);
}

/* An aggregate's column of temp.aggs, over the events e of one customer. */
static void agg_sql(crm_sql *q, const struct agg *g)
{
	if (!strcmp(g->func, "since")) {
		crm_sql_add(q, "CAST(");
		crm_sql_days_since_open(q);
		crm_sql_add(q, "substr(max(CASE WHEN e.type = ");
		crm_sql_text(q, g->type);
		crm_sql_add(q, " THEN e.ts END), 1, 10)");
		crm_sql_days_since_close(q);
		crm_sql_add(q, " AS INTEGER)");
		return;
	}
	bool count = !strcmp(g->func, "count");
	crm_sql_addf(q, "%s(CASE WHEN e.type = ", g->func);
	crm_sql_text(q, g->type);
	if (g->days) {
		char start[11];
		expr_window_start(q->clock, g->days, start);
		crm_sql_add(q, " AND e.ts >= ");
		crm_sql_text(q, start);
	}
	crm_sql_add(q, count ? " THEN 1 END)" : " THEN e.amount_cents END) / 100.0");
}

/* temp.aggs made anew: cid, then a column an aggregate (cols: ", a0, a1"). */
static int make_table(crm_db *db, const char *cols, crm_error *err)
{
	crm_buf sql = {0};
	crm_buf_printf(&sql, "DROP TABLE IF EXISTS temp.aggs;"
		       " CREATE TEMP TABLE aggs (cid INTEGER PRIMARY KEY%s)", cols);
	int rc = crm_db_exec(db, sql.p, err);
	crm_buf_free(&sql);
	return rc;
}

/* The aggregates of every customer with events of their types, up to D. */
static void fill_sql(const crm_aggs *a, crm_sql *q, const char *cols)
{
	crm_sql_add(q, "INSERT INTO ");
	crm_sql_temp(q, "aggs");
	crm_sql_addf(q, " (cid%s) SELECT e.cid", cols);
	for (size_t i = 0; i < a->n; i++) {
		crm_sql_add(q, ", ");
		agg_sql(q, &a->a[i]);
	}
	crm_sql_add(q, " FROM events e WHERE e.ts < ");
	crm_sql_end(q);
	crm_sql_add(q, " AND e.type IN (");
	for (size_t i = 0; i < a->n; i++) {
		crm_sql_add(q, i ? ", " : "");
		crm_sql_text(q, a->a[i].type);
	}
	crm_sql_add(q, ")");
}

/* One pass over the events, by customer: with the covering index on (cid,
 * type, ts, amount_cents) SQLite walks it in order, with no sort. With a
 * selection, only the chosen customers' events are read. */
int crm_aggs_build(crm_aggs *a, crm_db *db, const crm_clock *clock, const crm_expr *chosen,
		   crm_error *err)
{
	if (!a->n)
		return CRM_OK;
	crm_buf cols = {0};
	for (size_t i = 0; i < a->n; i++)
		crm_buf_printf(&cols, ", a%zu", i);
	int rc = make_table(db, cols.p, err);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	fill_sql(a, &q, cols.p);
	if (chosen && rc == CRM_OK) {
		crm_sql_add(&q, " AND e.cid IN (SELECT c.cid FROM customers c WHERE ");
		rc = crm_expr_emit(chosen, &q, err);
		crm_sql_add(&q, ")");
	}
	crm_sql_add(&q, " GROUP BY e.cid");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	crm_buf_free(&cols);
	return rc;
}

void crm_aggs_join(const crm_aggs *a, crm_sql *q)
{
	if (!a || !a->n)
		return;
	crm_sql_add(q, " LEFT JOIN ");
	crm_sql_temp(q, "aggs");
	crm_sql_add(q, " agg ON agg.cid = c.cid");
}
