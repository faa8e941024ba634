/* explain.c: why a customer scores what it does (crm-score --explain). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

const char *const crm_explain_columns[4] = {"rule", "label", "points", "matched"};
const char *const crm_explain_rfm_columns[4] = {"part", "value", "score", "cut_points"};

/* b is of type bt, c of type ct: a number in JSON too, as in CSV. */
static int put4(crm_writer *out, const char *a, const char *b, const char *c, const char *d,
		crm_type bt, crm_type ct, crm_error *err)
{
	crm_value row[4] = {
		{a ? CRM_TEXT : CRM_NULL, a, a ? strlen(a) : 0},
		{b ? bt : CRM_NULL, b, b ? strlen(b) : 0},
		{c ? ct : CRM_NULL, c, c ? strlen(c) : 0},
		{d ? CRM_TEXT : CRM_NULL, d, d ? strlen(d) : 0},
	};
	return crm_writer_put(out, row, err);
}

static void number(char *out, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		snprintf(out, size, "%.0f", v);
	else
		snprintf(out, size, "%.10g", v);
}

static int customer_known(crm_db *db, const char *id, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT 1 FROM customers WHERE id = ?1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, id, -1);
	bool known = crm_stmt_step(st) == CRM_ROW;
	crm_stmt_finalize(st);
	return known ? CRM_OK : crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
}

/* Each rule's expression for the one customer, as the columns of one row. */
static int rules_row(crm_db *db, const crm_model *m, const char *id, const crm_clock *clock,
		     crm_stmt **st, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT ");
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < m->nrules; i++) {
		crm_expr *e;
		if ((rc = crm_expr_new(&e, db, m->rules[i].expr, err)) != CRM_OK)
			break;
		crm_sql_add(&q, i ? ", coalesce(" : "coalesce(");
		rc = crm_expr_emit(e, &q, err);
		crm_sql_add(&q, ", 0)");
		crm_expr_free(e);
	}
	crm_sql_add(&q, " FROM customers c WHERE c.id = ");
	crm_sql_text(&q, id);
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, st, err);
	crm_sql_free(&q);
	return rc;
}

static const char *grade_of(const crm_model *m, double score)
{
	for (size_t i = 0; i + 1 < m->ngrades; i++)
		if (score >= m->grades[i].floor)
			return m->grades[i].name;
	return m->grades[m->ngrades - 1].name;
}

static int explain_rules(crm_db *db, const crm_model *m, const char *id, const crm_clock *clock,
			 crm_writer *out, crm_error *err)
{
	crm_stmt *st;
	if (rules_row(db, m, id, clock, &st, err) != CRM_OK)
		return err->code;
	int rc = crm_stmt_step(st) == CRM_ROW ? CRM_OK : crm_db_fail(db, err, NULL);
	double total = 0;
	char pts[64];
	for (size_t i = 0; rc == CRM_OK && i < m->nrules; i++) {
		bool matched = crm_stmt_int(st, (int)i) != 0;
		total += matched ? m->rules[i].points : 0;
		number(pts, sizeof pts, m->rules[i].points);
		rc = put4(out, m->rules[i].expr, m->rules[i].label, pts, matched ? "yes" : "no", CRM_TEXT,
			  CRM_REAL, err);
	}
	crm_stmt_finalize(st);
	number(pts, sizeof pts, total);
	if (rc == CRM_OK)
		rc = put4(out, "score", NULL, pts, NULL, CRM_TEXT, CRM_REAL, err);
	if (rc == CRM_OK)
		rc = put4(out, "grade", grade_of(m, total), NULL, NULL, CRM_TEXT, CRM_INT, err);
	return rc;
}

static void cut_list(char *out, size_t size, const double cut[4])
{
	size_t n = 0;
	for (int i = 0; i < 4 && n < size; i++) {
		char v[48];
		number(v, sizeof v, round(cut[i] * 1e9) / 1e9); /* 297.4, not 297.40000000000003 */
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ";" : "", v);
	}
}

static int rfm_row(crm_db *db, const crm_model *m, const char *id, crm_stmt **st,
		   crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT b.r, b.f, b.m / 100.0, b.rs, b.fs, b.ms, b.rs * 100 + b.fs * 10 + b.ms,"
		       " CASE WHEN b.cid IS NOT NULL THEN ");
	crm_rfm_segment_sql(&q, m);
	crm_sql_add(&q, " END FROM customers c LEFT JOIN ");
	crm_sql_temp(&q, "rfm_base");
	crm_sql_add(&q, " b ON b.cid = c.cid WHERE c.id = ");
	crm_sql_text(&q, id);
	int rc = crm_sql_prepare(&q, st, err);
	crm_sql_free(&q);
	if (rc == CRM_OK && crm_stmt_step(*st) != CRM_ROW)
		rc = crm_db_fail(db, err, NULL);
	return rc;
}

static int explain_rfm(crm_db *db, const crm_model *m, const char *id, const crm_clock *clock,
		       crm_writer *out, crm_error *err)
{
	static const char *const parts[3] = {"recency", "frequency", "monetary"};
	crm_rfm_cutpoints cuts;
	crm_stmt *st = NULL;
	if (crm_db_snapshot(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_rfm_prepare(db, clock, &cuts, err);
	if (rc == CRM_OK)
		rc = rfm_row(db, m, id, &st, err);
	bool has = rc == CRM_OK && !crm_stmt_is_null(st, 0);
	char value[64], score[8], list[256];
	for (int i = 0; rc == CRM_OK && i < 3; i++) {
		number(value, sizeof value, crm_stmt_double(st, i));
		snprintf(score, sizeof score, "%d", crm_stmt_int(st, 3 + i));
		cut_list(list, sizeof list, cuts.cut[i]);
		rc = put4(out, parts[i], has ? value : NULL, has ? score : NULL, cuts.n ? list : NULL,
			  CRM_REAL, CRM_INT, err);
	}
	if (rc == CRM_OK)
		rc = put4(out, "rfm", crm_stmt_text(st, 6), NULL, NULL, CRM_TEXT,
			  CRM_INT, err);
	if (rc == CRM_OK)
		rc = put4(out, "segment", crm_stmt_text(st, 7), NULL, NULL,
			  CRM_TEXT, CRM_INT, err);
	crm_stmt_finalize(st);
	crm_db_rollback(db);
	return rc;
}

int crm_score_explain(crm_db *db, const crm_model *m, const char *id, const crm_clock *clock,
		      crm_writer *out, crm_error *err)
{
	if (customer_known(db, id, err) != CRM_OK)
		return err->code;
	return m->rfm ? explain_rfm(db, m, id, clock, out, err) : explain_rules(db, m, id, clock, out, err);
}
