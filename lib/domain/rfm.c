/* rfm.c: the built-in rfm model, exactly as the R rfm package's
 * rfm_table_order computes it (SPEC): recency, frequency and monetary value
 * of the customers with a purchase in the window, each scored 1 to 5 against
 * cut points at its 20/40/60/80% quantiles (R's type 7) plus one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

static const char *const measures[3] = {"r", "f", "m"};

/* temp.rfm_base: each customer with a purchase in the window, with r (days
 * since the last purchase), f (purchases) and m (purchases less refunds, in
 * cents). One pass over the covering index on (cid, type, ts, amount_cents),
 * in customer order: no sort, and faster than reading the table (measured). */
static int base(crm_db *db, const crm_clock *clock, crm_error *err)
{
	int days = 0;
	char *window;
	if (crm_setting_get(db, "rfm.window", &window, err) != CRM_OK)
		return CRM_EDB;
	if (strcmp(window, "all") != 0 && crm_window_days(window, &days) != CRM_OK)
		days = 365;
	free(window);
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS rfm_base (cid INTEGER PRIMARY KEY,"
			     " r INTEGER, f INTEGER, m INTEGER, rs INTEGER, fs INTEGER, ms INTEGER);"
			     " DELETE FROM temp.rfm_base", err);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO ");
	crm_sql_temp(&q, "rfm_base");
	crm_sql_add(&q, " (cid, r, f, m) SELECT cid, CAST(");
	crm_sql_days_since(&q, "substr(max(CASE WHEN type = 'purchase' THEN ts END), 1, 10)");
	crm_sql_add(&q, " AS INTEGER), sum(type = 'purchase'), sum(CASE WHEN type = 'purchase' THEN"
		       " coalesce(amount_cents, 0) ELSE -coalesce(amount_cents, 0) END) FROM events"
		       " WHERE type IN ('purchase', 'refund') AND ts < ");
	crm_sql_end(&q);
	if (days) {
		char start[11];
		crm_clock_day(clock, -(days - 1), start);
		crm_sql_add(&q, " AND ts >= ");
		crm_sql_text(&q, start);
	}
	crm_sql_add(&q, " GROUP BY cid HAVING sum(type = 'purchase') > 0");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* The value of a measure in R's units: monetary in currency units, not cents. */
static const char *value_sql(int i)
{
	return i == 2 ? "m / 100.0" : measures[i];
}

/* R's quantile, type 7, at p = 0.2, 0.4, 0.6, 0.8 (as R's seq(0, 1, length.out
 * = 6) makes them), of the n values of a measure: the two order statistics
 * around each point, read in one sorted pass. */
static int cut_points(crm_db *db, int measure, long n, double cuts[4], crm_error *err)
{
	double index[4];
	long lo[4], hi[4];
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_addf(&q, "SELECT k, v FROM (SELECT row_number() OVER (ORDER BY %s) AS k, %s AS v"
		     " FROM temp.rfm_base) WHERE k IN (", measures[measure], value_sql(measure));
	for (int i = 0; i < 4; i++) {
		index[i] = 1 + (double)(n - 1) * ((i + 1) * 0.2);
		lo[i] = (long)floor(index[i]);
		hi[i] = (long)ceil(index[i]);
		crm_sql_add(&q, i ? ", " : "");
		crm_sql_int(&q, lo[i]);
		crm_sql_add(&q, ", ");
		crm_sql_int(&q, hi[i]);
	}
	crm_sql_add(&q, ")");
	crm_stmt *st;
	int rc = crm_sql_prepare(&q, &st, err);
	double x_lo[4] = {0}, x_hi[4] = {0};
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		long k = (long)crm_stmt_int64(st, 0);
		double v = crm_stmt_double(st, 1);
		for (int i = 0; i < 4; i++) {
			if (k == lo[i])
				x_lo[i] = v;
			if (k == hi[i])
				x_hi[i] = v;
		}
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	for (int i = 0; i < 4; i++) {
		double h = index[i] - (double)lo[i], qv = x_lo[i];
		if (index[i] > (double)lo[i] && x_hi[i] != x_lo[i])
			qv = (1 - h) * x_lo[i] + h * x_hi[i];
		cuts[i] = qv + 1;
	}
	return rc;
}

static int cuts_of(crm_db *db, const crm_clock *clock, crm_rfm_cutpoints *cuts, crm_error *err)
{
	*cuts = (crm_rfm_cutpoints){0};
	if (base(db, clock, err) != CRM_OK)
		return CRM_EDB;
	cuts->n = crm_db_count(db, "SELECT count(*) FROM temp.rfm_base");
	if (cuts->n < 0)
		return crm_db_fail(db, err, NULL);
	for (int i = 0; i < 3 && cuts->n; i++)
		if (cut_points(db, i, cuts->n, cuts->cut[i], err) != CRM_OK)
			return CRM_EDB;
	return CRM_OK;
}

/* Each measure's score: frequency and monetary 1 plus the cut points the
 * value reaches; recency 6 minus that, so the most recent get 5. */
static int set_scores(crm_db *db, const crm_rfm_cutpoints *cuts, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "UPDATE temp.rfm_base SET ");
	for (int i = 0; i < 3; i++) {
		crm_sql_addf(&q, "%s%ss = %s(", i ? ", " : "", measures[i], i ? "1 + " : "5 - ");
		for (int c = 0; c < 4; c++) {
			crm_sql_addf(&q, "%s(%s >= ", c ? " + " : "", value_sql(i));
			crm_sql_real(&q, cuts->cut[i][c]);
			crm_sql_add(&q, ")");
		}
		crm_sql_add(&q, ")");
	}
	int rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

int crm_rfm_prepare(crm_db *db, const crm_clock *clock, crm_rfm_cutpoints *cuts, crm_error *err)
{
	int rc = cuts_of(db, clock, cuts, err);
	if (rc == CRM_OK && cuts->n)
		rc = set_scores(db, cuts, err);
	return rc;
}

void crm_rfm_segment_sql(crm_sql *q, const crm_model *m)
{
	crm_sql_add(q, "CASE");
	for (size_t i = 0; i < m->nsegments; i++) {
		const struct crm_model_segment *s = &m->segments[i];
		crm_sql_add(q, " WHEN");
		for (int k = 0; k < 3; k++)
			crm_sql_addf(q, "%s b.%ss BETWEEN %d AND %d", k ? " AND" : "", measures[k], s->lo[k],
				     s->hi[k]);
		crm_sql_add(q, " THEN ");
		crm_sql_text(q, s->name);
	}
	crm_sql_add(q, " ELSE 'Others' END");
}

/* Into temp.scored: every chosen customer, with its code (545) and segment,
 * or none when it has no purchase in the window. */
static int store_scored(crm_db *db, const crm_model *m, const crm_expr *where,
			const crm_clock *clock, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO temp.scored (cid, score, grade, previous, old_score) SELECT c.cid,"
		       " b.rs * 100 + b.fs * 10 + b.ms, CASE WHEN b.cid IS NOT NULL THEN ");
	crm_rfm_segment_sql(&q, m);
	crm_sql_add(&q, " END, o.grade, o.score FROM customers c LEFT JOIN temp.rfm_base b ON b.cid ="
		       " c.cid LEFT JOIN scores o ON o.cid = c.cid AND o.model = 'rfm'");
	int rc = CRM_OK;
	if (where) {
		crm_sql_add(&q, " WHERE ");
		rc = crm_expr_emit(where, &q, err);
	}
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

int crm_rfm_score(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		  crm_error *err)
{
	crm_rfm_cutpoints cuts;
	int rc = crm_rfm_prepare(db, clock, &cuts, err);
	if (rc == CRM_OK)
		rc = store_scored(db, m, where, clock, err);
	return rc;
}
