/* group.c: group and count (分组): customers by fields, or by tag, with
 * each group's share of the selection; numbers in bands. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

#define BY_MAX 8
#define EDGES_MAX 64

struct crm_group {
	crm_db *db;
	const crm_clock *clock;
	const crm_expr *where;
	char *by[BY_MAX];
	size_t nby;
	bool tag;         /* one of them is the tag */
	double edges[EDGES_MAX];
	size_t nedges;    /* > 0: the one field is cut into bands */
	int bins;
	const char *names[BY_MAX + 2];
	crm_field_catalog catalog; /* what the fields' SQL reads, loaded first */
};

static int parse_by(struct crm_group *g, const char *by, crm_error *err)
{
	char *copy = crm_xstrdup(by), *save = NULL;
	int rc = CRM_OK;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(name);
		name = (char *)crm_trim(name, &len);
		name[len] = '\0';
		if (g->nby == BY_MAX) {
			rc = crm_error_set(err, CRM_EUSAGE, "--by takes at most %d fields", BY_MAX);
			break;
		}
		if (!strcmp(name, "tag") || !strcmp(name, "tags")) {
			if (g->tag) {
				rc = crm_error_set(err, CRM_EUSAGE, "--by names the tag once");
				break;
			}
			g->tag = true;
			name = "tag";
		}
		g->by[g->nby++] = crm_xstrdup(name);
	}
	free(copy);
	if (rc == CRM_OK && g->nby == 0)
		rc = crm_error_set(err, CRM_EUSAGE, "--by needs a field");
	return rc;
}

static int parse_edges(struct crm_group *g, const char *edges, crm_error *err)
{
	const char *p = edges;
	while (*p) {
		char *end;
		/* decimal numbers: strtod would take hex, inf and nan too */
		bool decimal = strchr("-.0123456789", *p) && !strpbrk(edges, "xXiInN");
		double v = strtod(p, &end);
		if (!decimal || end == p || !isfinite(v) || (*end && (*end != ',' || !end[1])) ||
		    g->nedges == EDGES_MAX)
			return crm_error_set(err, CRM_EUSAGE, "--edges '%s': numbers in rising order, such as 18,25,35",
					     edges);
		if (g->nedges && v <= g->edges[g->nedges - 1])
			return crm_error_set(err, CRM_EUSAGE, "--edges '%s': numbers in rising order", edges);
		g->edges[g->nedges++] = v;
		p = *end ? end + 1 : end;
	}
	return g->nedges ? CRM_OK : crm_error_set(err, CRM_EUSAGE, "--edges needs numbers");
}

/* A field's SQL, from what g loaded. */
static int field_sql(struct crm_group *g, crm_sql *q, const char *name, crm_error *err)
{
	return crm_sql_field_in(q, &g->catalog, name, err);
}

/* The value grouped by: a field, read as a number when cut into bands. */
static int emit_by(struct crm_group *g, crm_sql *q, const char *name, crm_error *err)
{
	if (!strcmp(name, "tag")) {
		crm_sql_add(q, "t.name");
		return CRM_OK;
	}
	if (g->nedges || g->bins)
		crm_sql_add(q, "crm_number(");
	int rc = field_sql(g, q, name, err);
	if (g->nedges || g->bins)
		crm_sql_add(q, ")");
	return rc;
}

static int emit_chosen(struct crm_group *g, crm_sql *q, crm_error *err)
{
	crm_sql_add(q, "SELECT count(*) FROM customers c");
	if (!g->where)
		return CRM_OK;
	crm_sql_add(q, " WHERE ");
	return crm_expr_emit(g->where, q, err);
}

/* A custom attribute is text when it holds values and none is a number.
 * The first number ends the look. */
static int custom_is_text(struct crm_group *g, const char *name, bool *text, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, g->db, g->clock);
	crm_sql_add(&q, "SELECT NOT EXISTS (SELECT 1 FROM customers c WHERE crm_number(");
	int rc = field_sql(g, &q, name, err);
	crm_sql_add(&q, ") IS NOT NULL) AND EXISTS (SELECT 1 FROM customers c WHERE ");
	if (rc == CRM_OK)
		rc = field_sql(g, &q, name, err);
	crm_sql_add(&q, " IS NOT NULL)");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW)
		*text = crm_stmt_int(st, 0);
	else if (rc == CRM_OK)
		rc = crm_db_fail(g->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

/* Bands cut numbers: a stored field (a name, a phone, a date) or a
 * computed one that is text cannot be cut, nor an attribute of words. */
static int check_number(struct crm_group *g, const char *name, crm_error *err)
{
	crm_type type;
	bool text = crm_field_is_stored(name);
	if (crm_field_computed_type(name, &type))
		text = type != CRM_INT && type != CRM_REAL;
	else if (!text && custom_is_text(g, name, &text, err) != CRM_OK)
		return err ? err->code : CRM_EDB;
	if (text)
		return crm_error_set(err, CRM_EUSAGE, "--bins and --edges cut numbers into bands: %s is"
				     " text (--by %s alone counts its values)", name, name);
	return CRM_OK;
}

/* Nice bands for --bins: widths of 1, 2 or 5 times a power of ten. */
static int nice_edges(struct crm_group *g, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, g->db, g->clock);
	crm_sql_add(&q, "SELECT min(v), max(v) FROM (SELECT crm_number(");
	int rc = field_sql(g, &q, g->by[0], err);
	crm_sql_add(&q, ") AS v FROM customers c");
	if (g->where && rc == CRM_OK) {
		crm_sql_add(&q, " WHERE ");
		rc = crm_expr_emit(g->where, &q, err);
	}
	crm_sql_add(&q, ")");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW && !crm_stmt_is_null(st, 0)) {
		double lo = crm_stmt_double(st, 0), hi = crm_stmt_double(st, 1);
		double raw = (hi - lo) / g->bins, step = pow(10, floor(log10(raw > 0 ? raw : 1)));
		double width = raw <= step ? step : raw <= 2 * step ? 2 * step : raw <= 5 * step ? 5 * step : 10 * step;
		for (double e = floor(lo / width) * width + width; e <= hi && g->nedges < EDGES_MAX; e += width)
			g->edges[g->nedges++] = e;
	}
	if (rc == CRM_OK && !g->nedges)
		g->edges[g->nedges++] = 0; /* no numbers at all: one band, any will do */
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

int crm_group_new(crm_group **out, crm_db *db, const char *by, int bins, const char *edges,
		  const crm_expr *where, const crm_clock *clock, crm_error *err)
{
	*out = NULL;
	crm_group *g = calloc(1, sizeof *g);
	if (!g)
		abort();
	g->db = db;
	g->clock = clock;
	g->where = where;
	g->bins = bins;
	int rc = parse_by(g, by, err);
	if (rc == CRM_OK)
		rc = crm_field_catalog_load(db, CRM_CUSTOMERS, &g->catalog, err);
	if (rc == CRM_OK && (bins || edges) && (g->nby != 1 || g->tag))
		rc = crm_error_set(err, CRM_EUSAGE, "--bins and --edges cut one field into bands: --by age --bins 5");
	if (rc == CRM_OK && (bins || edges))
		rc = check_number(g, g->by[0], err);
	if (rc == CRM_OK && edges)
		rc = parse_edges(g, edges, err);
	if (rc == CRM_OK && bins > 0 && !edges)
		rc = nice_edges(g, err);
	if (rc == CRM_OK) {
		crm_sql probe;
		crm_sql_init(&probe, db, clock);
		for (size_t i = 0; rc == CRM_OK && i < g->nby; i++)
			rc = emit_by(g, &probe, g->by[i], err);
		crm_sql_free(&probe);
	}
	if (rc != CRM_OK) {
		crm_group_free(g);
		return rc;
	}
	for (size_t i = 0; i < g->nby; i++)
		g->names[i] = g->by[i];
	g->names[g->nby] = "count";
	g->names[g->nby + 1] = "share";
	*out = g;
	return CRM_OK;
}

void crm_group_free(crm_group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nby; i++)
		free(g->by[i]);
	crm_field_catalog_free(&g->catalog);
	free(g);
}

const char *const *crm_group_columns(const crm_group *g, size_t *n)
{
	*n = g->nby + 2;
	return g->names;
}

static void band_label(const struct crm_group *g, size_t i, char *out, size_t sz)
{
	if (i == 0)
		snprintf(out, sz, "<%g", g->edges[0]);
	else if (i == g->nedges)
		snprintf(out, sz, ">=%g", g->edges[i - 1]);
	else
		snprintf(out, sz, "%g-%g", g->edges[i - 1], g->edges[i]);
}

/* A band's label: bands come in rising order, not by count. */
static void emit_band(struct crm_group *g, crm_sql *q)
{
	crm_sql_add(q, "CASE WHEN v IS NULL THEN NULL");
	for (size_t i = 0; i <= g->nedges; i++) {
		char label[64];
		band_label(g, i, label, sizeof label);
		if (i < g->nedges) {
			crm_sql_add(q, " WHEN v < ");
			crm_sql_real(q, g->edges[i]);
			crm_sql_add(q, " THEN ");
		} else {
			crm_sql_add(q, " ELSE ");
		}
		crm_sql_text(q, label);
	}
	crm_sql_add(q, " END");
}

/* The values grouped by, one row a customer chosen (a row a tag with tags). */
static int emit_values(struct crm_group *g, crm_sql *q, crm_error *err)
{
	int rc = CRM_OK;
	crm_sql_add(q, "SELECT ");
	for (size_t i = 0; rc == CRM_OK && i < g->nby; i++) {
		if (i)
			crm_sql_add(q, ", ");
		rc = emit_by(g, q, g->by[i], err);
		crm_sql_addf(q, " AS g%zu", i);
	}
	crm_sql_add(q, " FROM customers c");
	if (g->tag) {
		crm_sql_add(q, " LEFT JOIN customer_tags ct ON ct.cid = c.cid AND (ct.expires_on IS NULL"
			       " OR ct.expires_on > ");
		crm_sql_date(q);
		crm_sql_add(q, ") LEFT JOIN tags t ON t.tid = ct.tid");
	}
	if (g->where && rc == CRM_OK) {
		crm_sql_add(q, " WHERE ");
		rc = crm_expr_emit(g->where, q, err);
	}
	return rc;
}

/* The share is of the customers chosen. Each customer is in one group, so
 * the groups' counts add up to them: one pass. With tags a customer is in
 * each of its tags, and the customers are counted apart. */
static int emit_total(struct crm_group *g, crm_sql *q, const char *count, crm_error *err)
{
	if (!g->tag) {
		crm_sql_addf(q, "round(%s * 100.0 / sum(%s) OVER (), 1)", count, count);
		return CRM_OK;
	}
	crm_sql_addf(q, "round(%s * 100.0 / (", count);
	int rc = emit_chosen(g, q, err);
	crm_sql_add(q, "), 1)");
	return rc;
}

static int build(struct crm_group *g, crm_sql *q, crm_error *err)
{
	int rc;
	if (g->nedges) { /* bands come in rising order, not by count */
		crm_sql_add(q, "SELECT band, n, ");
		rc = emit_total(g, q, "n", err);
		crm_sql_add(q, " FROM (SELECT ");
		emit_band(g, q);
		crm_sql_add(q, " AS band, min(v) AS band_order, count(*) AS n FROM (SELECT g0 AS v FROM (");
		if (rc == CRM_OK)
			rc = emit_values(g, q, err);
		crm_sql_add(q, ")) GROUP BY band) ORDER BY band_order IS NULL, band_order");
		return rc;
	}
	crm_sql_add(q, "SELECT ");
	for (size_t i = 0; i < g->nby; i++)
		crm_sql_addf(q, "g%zu, ", i);
	crm_sql_add(q, "count(*) AS n, ");
	rc = emit_total(g, q, "count(*)", err);
	crm_sql_add(q, " FROM (");
	if (rc == CRM_OK)
		rc = emit_values(g, q, err);
	crm_sql_add(q, ") GROUP BY ");
	for (size_t i = 0; i < g->nby; i++)
		crm_sql_addf(q, "%sg%zu", i ? ", " : "", i);
	crm_sql_add(q, " ORDER BY n DESC");
	for (size_t i = 0; i < g->nby; i++)
		crm_sql_addf(q, ", g%zu IS NULL, g%zu", i, i);
	return rc;
}

int crm_group_write(crm_group *g, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, g->db, g->clock);
	int rc = build(g, &q, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	size_t ncols = g->nby + 2;
	crm_value values[BY_MAX + 2];
	int step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		for (size_t i = 0; i < ncols; i++) {
			int col = (int)i;
			const char *s = crm_stmt_text(st, col);
			crm_type type = i == g->nby ? CRM_INT : i == g->nby + 1 ? CRM_REAL : CRM_TEXT;
			values[i] = (crm_value){s ? type : CRM_NULL, s, s ? (size_t)crm_stmt_bytes(st, col) : 0};
		}
		rc = crm_writer_put(out, values, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(g->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}
