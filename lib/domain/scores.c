/* scores.c: scoring customers with a model (评分, 客户分级), as set operations
 * in SQLite: the scores of the chosen customers into temp.scored, then one
 * statement stores those that changed and one records each change of grade. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

/* The results of the last scoring on this connection. score and grade are
 * NULL for a customer rfm gives no values (no purchase in its window). */
static int scored_table(crm_db *db, crm_error *err)
{
	return crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS scored (cid INTEGER PRIMARY KEY,"
			   " score REAL, grade TEXT, previous TEXT, old_score REAL);"
			   " DELETE FROM temp.scored", err);
}

/* A score as written: 45, not 45.0. */
static void score_text(crm_sql *q, const char *column)
{
	crm_sql_addf(q, "CASE WHEN %s = CAST(%s AS INTEGER) THEN CAST(%s AS INTEGER) ELSE %s END",
		     column, column, column, column);
}

static void points(crm_sql *q, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		crm_sql_int(q, (int64_t)v);
	else
		crm_sql_real(q, v);
}

/* ---- rule models ---- */

/* The sum of the points of the rules a customer c matches. */
static int points_sql(crm_sql *q, const crm_model *m, crm_error *err)
{
	crm_sql_add(q, "(0");
	for (size_t i = 0; i < m->nrules; i++) {
		crm_expr *e;
		if (crm_expr_new(&e, q->db, m->rules[i].expr, err) != CRM_OK)
			return CRM_EDATA;
		crm_sql_add(q, " + CASE WHEN ");
		int rc = crm_expr_emit(e, q, err);
		crm_expr_free(e);
		if (rc != CRM_OK)
			return rc;
		crm_sql_add(q, " THEN ");
		points(q, m->rules[i].points);
		crm_sql_add(q, " ELSE 0 END");
	}
	crm_sql_add(q, ")");
	return CRM_OK;
}

/* The first grade, in file order, whose floor the score reaches; else the last. */
static void grade_sql(crm_sql *q, const crm_model *m, const char *score)
{
	if (m->ngrades == 1) { /* one grade for everyone: CASE needs a WHEN */
		crm_sql_text(q, m->grades[0].name);
		return;
	}
	crm_sql_add(q, "CASE");
	for (size_t i = 0; i + 1 < m->ngrades; i++) {
		crm_sql_addf(q, " WHEN %s >= ", score);
		points(q, m->grades[i].floor);
		crm_sql_add(q, " THEN ");
		crm_sql_text(q, m->grades[i].name);
	}
	crm_sql_add(q, " ELSE ");
	crm_sql_text(q, m->grades[m->ngrades - 1].name);
	crm_sql_add(q, " END");
}

static void chosen_sql(crm_sql *q, const crm_expr *where, crm_error *err, int *rc)
{
	if (where && *rc == CRM_OK) {
		crm_sql_add(q, " WHERE ");
		*rc = crm_expr_emit(where, q, err);
	}
}

/* Every rule's event aggregates are computed once for everyone, in one pass
 * (crm_aggs): a model asks the same few questions of every customer. */
static int score_rules(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		       crm_error *err)
{
	crm_aggs *aggs = crm_aggs_new();
	crm_sql q;
	crm_sql_init(&q, db, clock);
	q.aggs = aggs;
	crm_sql_add(&q, "INSERT INTO temp.scored (cid, score, grade, previous, old_score) SELECT x.cid,"
		       " x.s, ");
	grade_sql(&q, m, "x.s");
	crm_sql_add(&q, ", o.grade, o.score FROM (SELECT c.cid, ");
	int rc = points_sql(&q, m, err);
	q.aggs = NULL; /* the selection asks of few customers, or is the chosen set */
	crm_sql_add(&q, " AS s FROM customers c");
	crm_aggs_join(aggs, &q);
	chosen_sql(&q, where, err, &rc);
	crm_sql_add(&q, ") x LEFT JOIN scores o ON o.cid = x.cid AND o.model = ");
	crm_sql_text(&q, m->name);
	if (rc == CRM_OK)
		rc = crm_aggs_build(aggs, db, clock, where, err);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	crm_aggs_free(aggs);
	return rc;
}

/* ---- storing ---- */

/* Scores that changed are stored; rfm's customers with no values lose theirs. */
static int store_scores(crm_db *db, const crm_model *m, const crm_clock *clock, long *changed,
			crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO scores (cid, model, score, grade, as_of) SELECT cid, ");
	crm_sql_text(&q, m->name);
	crm_sql_add(&q, ", score, grade, ");
	crm_sql_date(&q);
	crm_sql_add(&q, " FROM temp.scored WHERE score IS NOT NULL AND (old_score IS NOT score OR"
		       " previous IS NOT grade) ON CONFLICT (cid, model) DO UPDATE SET score ="
		       " excluded.score, grade = excluded.grade, as_of = excluded.as_of");
	int rc = crm_sql_exec(&q, changed, err);
	crm_sql_free(&q);
	if (rc != CRM_OK || !m->rfm)
		return rc;
	long gone = 0;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "DELETE FROM scores WHERE model = 'rfm' AND cid IN (SELECT cid FROM temp.scored"
		       " WHERE score IS NULL AND old_score IS NOT NULL)");
	rc = crm_sql_exec(&q, &gone, err);
	crm_sql_free(&q);
	*changed += gone;
	return rc;
}

/* Each change of grade, once a day: a second change on the same day moves
 * the day's row on, and one that comes back leaves no row. */
static int store_history(crm_db *db, const crm_model *m, const crm_clock *clock, long *regraded,
			 crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO grade_history (cid, model, as_of, from_grade, to_grade) SELECT cid, ");
	crm_sql_text(&q, m->name);
	crm_sql_add(&q, ", ");
	crm_sql_date(&q);
	crm_sql_add(&q, ", previous, grade FROM temp.scored WHERE previous IS NOT grade"
		       " ON CONFLICT (cid, model, as_of) DO UPDATE SET to_grade = excluded.to_grade");
	int rc = crm_sql_exec(&q, regraded, err);
	crm_sql_free(&q);
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "DELETE FROM grade_history WHERE model = ");
	crm_sql_text(&q, m->name);
	crm_sql_add(&q, " AND as_of = ");
	crm_sql_date(&q);
	crm_sql_add(&q, " AND cid IN (SELECT cid FROM temp.scored WHERE previous IS NOT grade) AND"
		       " from_grade IS to_grade");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

static int compute(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		   crm_error *err)
{
	if (scored_table(db, err) != CRM_OK)
		return CRM_EDB;
	return m->rfm ? crm_rfm_score(db, m, where, clock, err) : score_rules(db, m, where, clock, err);
}

int crm_model_score(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		    crm_score_counts *counts, crm_error *err)
{
	*counts = (crm_score_counts){0};
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = compute(db, m, where, clock, err);
	if (rc == CRM_OK)
		rc = store_scores(db, m, clock, &counts->changed, err);
	if (rc == CRM_OK)
		rc = store_history(db, m, clock, &counts->regraded, err);
	counts->scored = crm_db_count(db, "SELECT count(score) FROM temp.scored");
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

/* ---- the results ---- */

const char *const crm_scored_columns[4] = {"id", "score", "grade", "previous_grade"};

int crm_scored_write(crm_db *db, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT c.id, ");
	score_text(&q, "x.score");
	crm_sql_add(&q, ", x.grade, x.previous FROM temp.scored x JOIN customers c ON c.cid = x.cid"
		       " ORDER BY x.cid");
	int rc = crm_sql_write(&q, out, 4, (crm_type[]){CRM_TEXT, CRM_REAL, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	return rc;
}

struct crm_scored_lookup {
	crm_stmt *st;
};

crm_scored_lookup *crm_scored_lookup_new(crm_db *db, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT ");
	score_text(&q, "x.score");
	crm_sql_add(&q, ", x.grade, x.previous FROM customers c JOIN temp.scored x ON x.cid = c.cid"
		       " WHERE c.id = ");
	crm_sql_text(&q, "");
	crm_scored_lookup *l = crm_xmalloc(sizeof *l);
	int rc = crm_sql_prepare(&q, &l->st, err);
	crm_sql_free(&q);
	if (rc != CRM_OK) {
		free(l);
		return NULL;
	}
	return l;
}

void crm_scored_lookup_get(crm_scored_lookup *l, const char *id, crm_value *values)
{
	static const crm_type types[3] = {CRM_REAL, CRM_TEXT, CRM_TEXT};
	crm_stmt_reset(l->st);
	crm_stmt_bind_text_copy(l->st, 1, id, -1);
	bool found = crm_stmt_step(l->st) == CRM_ROW;
	for (int i = 0; i < 3; i++) {
		const char *s = found ? crm_stmt_text(l->st, i) : NULL;
		values[i] = (crm_value){s ? types[i] : CRM_NULL, s,
					s ? (size_t)crm_stmt_bytes(l->st, i) : 0};
	}
}

void crm_scored_lookup_free(crm_scored_lookup *l)
{
	if (!l)
		return;
	crm_stmt_finalize(l->st);
	free(l);
}

/* ---- what a new model would do ---- */

const char *const crm_preview_columns[4] = {"grade", "now", "new", "change"};

/* The model's grades in order, as a JSON array for json_each. */
static char *grades_json(const crm_model *m)
{
	json_t *a = json_array();
	size_t n = m->rfm ? m->nsegments : m->ngrades;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(m->rfm ? m->segments[i].name : m->grades[i].name));
	if (m->rfm)
		json_array_append_new(a, json_string("Others"));
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

/* The grade counts of the stored version of m's name, as of the clock, into
 * temp.preview_now (none when the model is new). */
static int count_now(crm_db *db, const crm_model *m, const crm_clock *clock, crm_error *err)
{
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS preview_now (grade TEXT, n INTEGER);"
			     " DELETE FROM temp.preview_now", err);
	crm_model *stored;
	crm_error why;
	if (rc != CRM_OK || crm_model_load(&stored, db, m->name, &why) != CRM_OK)
		return rc;
	rc = compute(db, stored, NULL, clock, err);
	crm_model_free(stored);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "INSERT INTO temp.preview_now SELECT grade, count(*) FROM temp.scored"
				 " WHERE grade IS NOT NULL GROUP BY grade", err);
	return rc;
}

int crm_model_preview(crm_db *db, const crm_model *m, const crm_clock *clock, crm_writer *out,
		      crm_error *err)
{
	if (crm_db_snapshot(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = count_now(db, m, clock, err);
	if (rc == CRM_OK)
		rc = compute(db, m, NULL, clock, err);
	char *order = grades_json(m);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	/* The new model's grades in its order, then grades only the old one has. */
	crm_sql_add(&q, "WITH g(grade, pos) AS (SELECT value, key FROM json_each(");
	crm_sql_text(&q, order);
	crm_sql_add(&q, ")), new(grade, n) AS (SELECT grade, count(*) FROM temp.scored WHERE grade IS"
		       " NOT NULL GROUP BY grade), names(grade, pos) AS (SELECT grade, pos FROM g UNION ALL"
		       " SELECT grade, 1e9 FROM temp.preview_now WHERE grade NOT IN (SELECT grade FROM g))"
		       " SELECT x.grade, coalesce(now.n, 0), coalesce(new.n, 0), coalesce(new.n, 0) -"
		       " coalesce(now.n, 0) FROM names x LEFT JOIN temp.preview_now now USING (grade)"
		       " LEFT JOIN new USING (grade) ORDER BY x.pos, x.grade");
	if (rc == CRM_OK)
		rc = crm_sql_write(&q, out, 4, (crm_type[]){CRM_TEXT, CRM_INT, CRM_INT, CRM_INT}, err);
	crm_sql_free(&q);
	free(order);
	crm_db_rollback(db);
	return rc;
}
