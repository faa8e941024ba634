/* portrait.c: a group's portrait against a base (客户画像, audience
 * insights). The group's and the base's customers are put in temporary
 * tables once; then each field is one GROUP BY over the customers that
 * counts both at once, each number one sorted pass that reads both sets'
 * quartiles, in the database's bounded memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

struct portrait {
	crm_db *db;
	const crm_portrait_opts *o;
	const crm_clock *clock;
	crm_field_catalog catalog;
	long group_total, base_total, everyone;
};

/* The fields every portrait looks at, then the custom attributes of few values. */
static const char *const fields[] = {"gender", "city",  "province", "source", "owner",
				     "stage",  "grade", "rfm_segment"};
/* Numbers, as expressions of crm-expr(7). */
static const char *const numbers[] = {"age", "score", "sum(purchase, 365d)", "count(purchase, 365d)",
				      "since(purchase)"};

bool crm_portrait_share(long count, long total, double *share)
{
	if (total <= 0)
		return false;
	*share = (double)count / (double)total;
	return true;
}

bool crm_portrait_index(const crm_portrait_row *r, double *index)
{
	if (r->group_total <= 0 || r->base_total <= 0 || r->base_count <= 0)
		return false;
	*index = 100.0 * (double)r->group_count * (double)r->base_total /
		 ((double)r->group_total * (double)r->base_count);
	return true;
}

/* 1 for a customer c of the group, else 0. */
static void in_group(crm_sql *q, const char *cid)
{
	crm_sql_addf(q, "CASE WHEN %s IN (SELECT cid FROM ", cid);
	crm_sql_temp(q, "portrait_group");
	crm_sql_add(q, ") THEN 1 ELSE 0 END");
}

static void in_base(struct portrait *p, crm_sql *q, const char *cid)
{
	if (!p->o->base) {
		crm_sql_add(q, "1");
		return;
	}
	crm_sql_addf(q, "CASE WHEN %s IN (SELECT cid FROM ", cid);
	crm_sql_temp(q, "portrait_base");
	crm_sql_add(q, ") THEN 1 ELSE 0 END");
}

/* ", g, b" of customer cid, and with a base of its own, the condition
 * that keeps only the customers of one or the other. */
static void flags(struct portrait *p, crm_sql *q, const char *cid)
{
	crm_sql_add(q, ", ");
	in_group(q, cid);
	crm_sql_add(q, " AS g, ");
	in_base(p, q, cid);
	crm_sql_add(q, " AS b");
}

static void counted_only(struct portrait *p, crm_sql *q, const char *cid, bool first)
{
	if (!p->o->base)
		return;
	crm_sql_addf(q, " %s (%s IN (SELECT cid FROM ", first ? "WHERE" : "AND", cid);
	crm_sql_temp(q, "portrait_group");
	crm_sql_addf(q, ") OR %s IN (SELECT cid FROM ", cid);
	crm_sql_temp(q, "portrait_base");
	crm_sql_add(q, "))");
}

static int run(struct portrait *p, crm_sql *q, crm_error *err)
{
	int rc = crm_sql_exec(q, NULL, err);
	crm_sql_free(q);
	crm_sql_init(q, p->db, p->clock);
	return rc;
}

static int fill(struct portrait *p, const char *table, const crm_expr *who, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "CREATE TEMP TABLE IF NOT EXISTS ");
	crm_sql_add(&q, table); /* our own names */
	crm_sql_add(&q, " (cid INTEGER PRIMARY KEY)");
	int rc = run(p, &q, err);
	crm_sql_add(&q, "DELETE FROM ");
	crm_sql_temp(&q, table);
	if (rc == CRM_OK)
		rc = run(p, &q, err);
	crm_sql_add(&q, "INSERT INTO ");
	crm_sql_temp(&q, table);
	crm_sql_add(&q, " (cid) ");
	crm_sql_chosen_cids(&q, who, err, &rc);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* The rows of a table: a temporary one (temp) or customers. */
static int count_rows(struct portrait *p, const char *table, bool temp, long *n, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT count(*) FROM ");
	if (temp)
		crm_sql_temp(&q, table);
	else
		crm_sql_add(&q, table);
	crm_stmt *st = NULL;
	int rc = crm_sql_prepare(&q, &st, err), step = CRM_DONE;
	if (rc == CRM_OK)
		step = crm_stmt_step(st);
	*n = step == CRM_ROW ? (long)crm_stmt_int64(st, 0) : 0;
	if (rc == CRM_OK && step != CRM_ROW)
		rc = crm_db_fail(p->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

static int emit(struct portrait *p, const crm_portrait_row *r, crm_error *err)
{
	return p->o->row(p->o->ctx, r, err);
}

/* The counted values (v, gn, bn, how many values are not none) of the
 * rows (v, g, b) that follow, one a customer and value; order_values ends
 * it. Sorted outside the GROUP BY, which then names g and b once: SQLite
 * would work each customer's g and b out again for each aggregate that the
 * ORDER BY repeats. */
static void count_values(crm_sql *q)
{
	crm_sql_add(q, "SELECT v, gn, bn, count(v) OVER () FROM (SELECT v, sum(g) AS gn, sum(b) AS bn"
		       " FROM (");
}

/* The difference of the shares, g/G - b/B, as the integer g*B - b*G, so
 * that equal differences are equal. */
static void difference(crm_sql *q, long group_total, long base_total)
{
	crm_sql_add(q, "(gn * ");
	crm_sql_int(q, base_total);
	crm_sql_add(q, " - bn * ");
	crm_sql_int(q, group_total);
	crm_sql_add(q, ")");
}

/* The counted values, what sets the group apart first: first what it has
 * more of than the base, the most points more first (nearly all of a
 * segment are dormant), then what it has less of, the most points fewer
 * first (none of it is active): a portrait says first what the group is,
 * and --top keeps that. */
static void order_values(struct portrait *p, crm_sql *q, long group_total, long base_total)
{
	crm_sql_add(q, ") x GROUP BY v) y ORDER BY ");
	difference(q, group_total, base_total);
	crm_sql_add(q, " > 0 DESC, abs");
	difference(q, group_total, base_total);
	crm_sql_add(q, " DESC, gn DESC, v IS NULL, v");
	if (p->o->top > 0) {
		crm_sql_add(q, " LIMIT ");
		crm_sql_int(q, p->o->top);
	}
}

/* Runs q (v, sum(g), sum(b), and how many values are not none) and gives
 * a row for each value. skip_empty: a field of which the customers counted
 * have no value at all says nothing, and is left out. */
static int value_rows(struct portrait *p, crm_sql *q, const char *section, const char *field,
		      long group_total, long base_total, bool skip_empty, crm_error *err)
{
	crm_stmt *st = NULL;
	int rc = crm_sql_prepare(q, &st, err);
	crm_portrait_row r = {.section = section, .field = field, .group_total = group_total,
			      .base_total = base_total};
	int step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		if (skip_empty && crm_stmt_int64(st, 3) == 0)
			continue;
		r.value = crm_stmt_text(st, 0);
		crm_type t = crm_stmt_type(st, 0);
		r.type = t == CRM_INT || t == CRM_REAL ? t : r.value ? CRM_TEXT : CRM_NULL;
		r.group_count = (long)crm_stmt_int64(st, 1);
		r.base_count = (long)crm_stmt_int64(st, 2);
		rc = emit(p, &r, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(p->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(q);
	return rc;
}

static int field_sql(struct portrait *p, crm_sql *q, const char *name, crm_error *err)
{
	return crm_sql_field_in(q, &p->catalog, name, err);
}

static int field_section(struct portrait *p, const char *name, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	count_values(&q);
	crm_sql_add(&q, "SELECT ");
	int rc = field_sql(p, &q, name, err);
	crm_sql_add(&q, " AS v");
	flags(p, &q, "c.cid");
	crm_sql_add(&q, " FROM customers c");
	counted_only(p, &q, "c.cid", true);
	order_values(p, &q, p->group_total, p->base_total);
	if (rc != CRM_OK) {
		crm_sql_free(&q);
		return rc;
	}
	return value_rows(p, &q, "fields", name, p->group_total, p->base_total, true, err);
}

/* A custom attribute is shown when the customers counted give it at most
 * max_values values: the look stops at one more. */
static int few_values(struct portrait *p, const char *name, bool *few, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT count(*) FROM (SELECT DISTINCT v FROM (SELECT ");
	int rc = field_sql(p, &q, name, err);
	crm_sql_add(&q, " AS v FROM customers c WHERE c.attrs IS NOT NULL");
	counted_only(p, &q, "c.cid", false);
	crm_sql_add(&q, ") x WHERE v IS NOT NULL LIMIT ");
	crm_sql_int(&q, p->o->max_values + 1);
	crm_sql_add(&q, ") y");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		long n = (long)crm_stmt_int64(st, 0);
		*few = n > 0 && n <= p->o->max_values;
	} else if (rc == CRM_OK) {
		rc = crm_db_fail(p->db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

static void current_tag(crm_sql *q)
{
	crm_sql_add(q, "(ct.expires_on IS NULL OR ct.expires_on > ");
	crm_sql_date(q);
	crm_sql_add(q, ")");
}

/* Each tag, and the customers with none as a value of their own. */
static int tags_section(struct portrait *p, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	count_values(&q);
	crm_sql_add(&q, "SELECT t.name AS v");
	flags(p, &q, "ct.cid");
	crm_sql_add(&q, " FROM customer_tags ct JOIN tags t ON t.tid = ct.tid WHERE ");
	current_tag(&q);
	counted_only(p, &q, "ct.cid", false);
	crm_sql_add(&q, " UNION ALL SELECT NULL");
	flags(p, &q, "c.cid");
	crm_sql_add(&q, " FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_tags ct WHERE"
		       " ct.cid = c.cid AND ");
	current_tag(&q);
	crm_sql_add(&q, ")");
	counted_only(p, &q, "c.cid", false);
	order_values(p, &q, p->group_total, p->base_total);
	return value_rows(p, &q, "tags", "tags", p->group_total, p->base_total, true, err);
}

static void buyers_sql(crm_sql *q, const char *what)
{
	crm_sql_addf(q, "SELECT %s FROM events e WHERE e.type = 'purchase' AND e.ts < ", what);
	crm_sql_end(q);
}

/* Products: the share of the buyers of each set who bought each one. */
static int products_section(struct portrait *p, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT sum(g), sum(b) FROM (SELECT x.cid");
	flags(p, &q, "x.cid");
	crm_sql_add(&q, " FROM (");
	buyers_sql(&q, "DISTINCT e.cid AS cid");
	crm_sql_add(&q, ") x) y");
	crm_stmt *st = NULL;
	long buyers[2] = {0, 0};
	int rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		buyers[0] = (long)crm_stmt_int64(st, 0);
		buyers[1] = (long)crm_stmt_int64(st, 1);
	} else if (rc == CRM_OK) {
		rc = crm_db_fail(p->db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	if (rc != CRM_OK || !buyers[0] || !buyers[1])
		return rc; /* nobody bought anything: no products to compare */
	crm_sql_init(&q, p->db, p->clock);
	count_values(&q);
	crm_sql_add(&q, "SELECT z.v");
	flags(p, &q, "z.cid");
	/* each buyer of a product once: a GROUP BY sorts, three times faster
	 * than the B-tree a DISTINCT puts each row into */
	crm_sql_add(&q, " FROM (");
	buyers_sql(&q, "e.cid AS cid, e.product AS v");
	crm_sql_add(&q, " AND e.product IS NOT NULL GROUP BY e.product, e.cid) z");
	counted_only(p, &q, "z.cid", true);
	order_values(p, &q, buyers[0], buyers[1]);
	return value_rows(p, &q, "products", "product", buyers[0], buyers[1], false, err);
}

/* R's quantile type 7 at p of n sorted values: h = (n - 1)p + 1, between
 * the order statistics j = floor(h) and j + 1 (Hyndman and Fan 1996). */
struct quantile {
	long j;
	double frac, lo, hi;
};

static void quantiles_init(struct quantile q[3], long n)
{
	static const double at[3] = {0.25, 0.5, 0.75};
	for (int i = 0; i < 3; i++) {
		double h = (double)(n - 1) * at[i] + 1;
		q[i] = (struct quantile){.j = (long)floor(h), .frac = h - floor(h)};
	}
}

static void quantiles_see(struct quantile q[3], long rank, double v)
{
	for (int i = 0; i < 3; i++) {
		if (rank == q[i].j)
			q[i].lo = q[i].hi = v;
		else if (rank == q[i].j + 1)
			q[i].hi = v;
	}
}

static void quantiles_out(const struct quantile q[3], double out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = q[i].frac > 0 ? q[i].lo + q[i].frac * (q[i].hi - q[i].lo) : q[i].lo;
}

/* One sorted pass over the customers counted, those without a value
 * first: when the first value comes, how many of each set have one is its
 * size less those, and then each set's order statistics are caught as its
 * ranks go by. */
static int number_rows(struct portrait *p, crm_sql *q, const char *name, bool always,
		       crm_error *err)
{
	crm_stmt *st = NULL;
	int rc = crm_sql_prepare(q, &st, err);
	crm_portrait_row r = {.section = "numbers", .field = name, .quartiles = true};
	struct quantile gq[3] = {{0}}, bq[3] = {{0}};
	long none[2] = {0, 0}, rank[2] = {0, 0};
	int step = CRM_DONE;
	bool started = false;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		bool g = crm_stmt_int(st, 1), b = crm_stmt_int(st, 2);
		if (crm_stmt_is_null(st, 0)) {
			none[0] += g;
			none[1] += b;
			continue;
		}
		if (!started) {
			quantiles_init(gq, p->group_total - none[0]);
			quantiles_init(bq, p->base_total - none[1]);
			started = true;
		}
		double v = crm_stmt_double(st, 0);
		if (g)
			quantiles_see(gq, ++rank[0], v);
		if (b)
			quantiles_see(bq, ++rank[1], v);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(p->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(q);
	if (rc != CRM_OK || (!always && !rank[0] && !rank[1]))
		return rc;
	r.group_count = rank[0];
	r.base_count = rank[1];
	r.group_total = p->group_total;
	r.base_total = p->base_total;
	quantiles_out(gq, r.group_q);
	quantiles_out(bq, r.base_q);
	return emit(p, &r, err);
}

static int number_section(struct portrait *p, const char *text, bool always, crm_error *err)
{
	crm_expr *e;
	if (crm_expr_value_new(&e, p->db, text, true, err) != CRM_OK)
		return err->code;
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	/* no WHERE v IS NOT NULL: SQLite would work the value out twice */
	crm_sql_add(&q, "SELECT v, g, b FROM (SELECT ");
	int rc = crm_expr_emit_value(e, &q, err);
	crm_sql_add(&q, " AS v");
	flags(p, &q, "c.cid");
	crm_sql_add(&q, " FROM customers c");
	counted_only(p, &q, "c.cid", true);
	crm_sql_add(&q, ") x ORDER BY v NULLS FIRST");
	crm_expr_free(e);
	if (rc != CRM_OK) {
		crm_sql_free(&q);
		return rc;
	}
	return number_rows(p, &q, text, always, err);
}

/* The group and the base in their tables, and their sizes. */
static int choose(struct portrait *p, crm_error *err)
{
	int rc = fill(p, "portrait_group", p->o->group, err);
	if (rc == CRM_OK && p->o->base)
		rc = fill(p, "portrait_base", p->o->base, err);
	if (rc == CRM_OK)
		rc = count_rows(p, "portrait_group", true, &p->group_total, err);
	if (rc == CRM_OK)
		rc = count_rows(p, "customers", false, &p->everyone, err);
	if (rc == CRM_OK && p->o->base)
		rc = count_rows(p, "portrait_base", true, &p->base_total, err);
	else
		p->base_total = p->everyone;
	return rc;
}

static int sections(struct portrait *p, crm_error *err)
{
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < sizeof fields / sizeof *fields; i++)
		rc = field_section(p, fields[i], err);
	for (size_t i = 0; rc == CRM_OK && i < p->catalog.ncustom; i++) {
		bool few = false;
		rc = few_values(p, p->catalog.custom[i], &few, err);
		if (rc == CRM_OK && few)
			rc = field_section(p, p->catalog.custom[i], err);
	}
	if (rc == CRM_OK)
		rc = tags_section(p, err);
	for (size_t i = 0; rc == CRM_OK && i < sizeof numbers / sizeof *numbers; i++)
		rc = number_section(p, numbers[i], false, err);
	for (size_t i = 0; rc == CRM_OK && i < p->o->nmeasures; i++)
		rc = number_section(p, p->o->measures[i], true, err);
	if (rc == CRM_OK)
		rc = products_section(p, err);
	return rc;
}

int crm_portrait_write(crm_db *db, const crm_portrait_opts *o, const crm_clock *clock,
		       bool *empty, crm_error *err)
{
	struct portrait p = {.db = db, .o = o, .clock = clock};
	*empty = false;
	/* the measures are checked before anything is counted */
	for (size_t i = 0; i < o->nmeasures; i++) {
		crm_expr *e;
		if (crm_expr_value_new(&e, db, o->measures[i], true, err) != CRM_OK)
			return err->code;
		crm_expr_free(e);
	}
	int rc = crm_field_catalog_load(db, CRM_CUSTOMERS, &p.catalog, err);
	if (rc == CRM_OK)
		rc = crm_db_snapshot(db, err);
	if (rc != CRM_OK) {
		crm_field_catalog_free(&p.catalog);
		return rc;
	}
	rc = choose(&p, err);
	/* each set's share of everyone: a group of --vs need not be within its base */
	crm_portrait_row size = {.section = "size", .field = "customers", .group_count = p.group_total,
				 .group_total = p.everyone, .base_count = p.base_total,
				 .base_total = p.everyone};
	if (rc == CRM_OK)
		rc = emit(&p, &size, err);
	*empty = !p.group_total || !p.base_total;
	if (rc == CRM_OK && !*empty)
		rc = sections(&p, err);
	crm_error ignored;
	if (crm_db_commit(db, rc == CRM_OK ? err : &ignored) != CRM_OK && rc == CRM_OK)
		rc = CRM_EDB;
	crm_field_catalog_free(&p.catalog);
	return rc;
}
