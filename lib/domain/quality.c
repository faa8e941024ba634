/* quality.c: the data audit (数据审查): per field how many values are filled,
 * missing and invalid, and how many customers repeat another's phone, email
 * or wechat_id. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

const char *const crm_quality_columns[7] = {
	"field", "filled", "missing", "missing_pct", "invalid", "duplicates", "duplicate_pct",
};

/* Stored fields the audit looks at, and how their values are checked. */
static const struct audited {
	const char *name, *check; /* check: crm_valid's kind, or NULL */
	bool key;                 /* duplicates are counted */
} audited[] = {
	{"name", NULL, false},       {"phone", "phone", true},  {"email", "email", true},
	{"wechat_id", NULL, true},   {"gender", "gender", false}, {"birthday", "date", false},
	{"city", NULL, false},       {"province", NULL, false}, {"source", NULL, false},
	{"owner", NULL, false},
};

static void add_field(crm_quality *q, const char *name, const char *check, bool key)
{
	q->f = crm_xrealloc(q->f, (q->n + 1) * sizeof *q->f);
	struct crm_quality_field *f = &q->f[q->n++];
	memset(f, 0, sizeof *f);
	f->field = crm_xstrdup(name);
	f->check = check;
	f->key = key;
}

static bool is_date_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcmp(name + n - 5, "_date");
}

/* The fields audited, and in known what their SQL reads. */
static int list_fields(crm_quality *q, crm_db *db, crm_field_catalog *known, crm_error *err)
{
	for (size_t i = 0; i < sizeof audited / sizeof *audited; i++)
		add_field(q, audited[i].name, audited[i].check, audited[i].key);
	if (crm_field_catalog_load(db, CRM_CUSTOMERS, known, err) != CRM_OK)
		return CRM_EDB;
	for (size_t i = 0; i < known->ncustom; i++)
		add_field(q, known->custom[i], is_date_name(known->custom[i]) ? "date" : NULL, false);
	return CRM_OK;
}

static int emit_value(crm_sql *s, const struct crm_quality_field *f, crm_error *err)
{
	return crm_sql_field(s, f->field, err);
}

/* One pass: for each field, values there and values wrong. */
static int build(crm_sql *s, crm_quality *q, const crm_expr *where, crm_error *err)
{
	int rc = CRM_OK;
	crm_sql_add(s, "SELECT count(*)");
	for (size_t i = 0; rc == CRM_OK && i < q->n; i++) {
		const struct crm_quality_field *f = &q->f[i];
		crm_sql_add(s, ", count(");
		rc = emit_value(s, f, err);
		crm_sql_add(s, ")");
		if (f->check && rc == CRM_OK) {
			crm_sql_addf(s, ", sum(NOT crm_valid('%s', ", f->check);
			rc = emit_value(s, f, err);
			crm_sql_add(s, "))");
		}
	}
	crm_sql_add(s, " FROM customers c");
	if (where && rc == CRM_OK) {
		crm_sql_add(s, " WHERE ");
		rc = crm_expr_emit(where, s, err);
	}
	return rc;
}

static void read_row(crm_quality *q, crm_stmt *st)
{
	int col = 0;
	q->total = (long)crm_stmt_int64(st, col++);
	for (size_t i = 0; i < q->n; i++) {
		struct crm_quality_field *f = &q->f[i];
		f->filled = (long)crm_stmt_int64(st, col++);
		f->missing = q->total - f->filled;
		if (f->check)
			f->invalid = (long)crm_stmt_int64(st, col++);
	}
}

/* The customers beyond the first with each value of a key. Grouping walks
 * the key's index in order: no sort, where a count(DISTINCT) in the main
 * pass would sort a million values. */
static int count_duplicates(crm_db *db, struct crm_quality_field *f, const crm_expr *where,
			    const crm_clock *clock, crm_error *err)
{
	crm_sql s;
	crm_sql_init(&s, db, clock);
	/* f->field is one of ours: phone, email or wechat_id */
	crm_sql_addf(&s, "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM customers c"
		     " WHERE c.%s IS NOT NULL", f->field);
	int rc = CRM_OK;
	if (where) {
		crm_sql_add(&s, " AND ");
		rc = crm_expr_emit(where, &s, err);
	}
	crm_sql_addf(&s, " GROUP BY c.%s HAVING n > 1)", f->field);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&s, &st, err);
	if (rc == CRM_OK) {
		if (crm_stmt_step(st) == CRM_ROW)
			f->duplicates = (long)crm_stmt_int64(st, 0);
		else
			rc = crm_db_fail(db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&s);
	return rc;
}

int crm_quality_new(crm_quality **out, crm_db *db, const crm_expr *where, const crm_clock *clock,
		    crm_error *err)
{
	*out = NULL;
	crm_quality *q = calloc(1, sizeof *q);
	if (!q)
		abort();
	crm_field_catalog known;
	int rc = list_fields(q, db, &known, err);
	crm_sql s;
	crm_sql_init(&s, db, clock);
	s.catalog = &known;
	if (rc == CRM_OK)
		rc = build(&s, q, where, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&s, &st, err);
	if (rc == CRM_OK) {
		if (crm_stmt_step(st) == CRM_ROW)
			read_row(q, st);
		else
			rc = crm_db_fail(db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&s);
	crm_field_catalog_free(&known);
	for (size_t i = 0; rc == CRM_OK && i < q->n; i++)
		if (q->f[i].key)
			rc = count_duplicates(db, &q->f[i], where, clock, err);
	if (rc != CRM_OK) {
		crm_quality_free(q);
		return rc;
	}
	*out = q;
	return CRM_OK;
}

void crm_quality_free(crm_quality *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		free(q->f[i].field);
	free(q->f);
	free(q);
}

double crm_quality_pct(long part, long total)
{
	return total ? part * 100.0 / total : 0;
}

int crm_quality_write(const crm_quality *q, crm_writer *out, crm_error *err)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct crm_quality_field *f = &q->f[i];
		char num[5][32];
		snprintf(num[0], 32, "%ld", f->filled);
		snprintf(num[1], 32, "%ld", f->missing);
		snprintf(num[2], 32, "%.1f", crm_quality_pct(f->missing, q->total));
		snprintf(num[3], 32, "%ld", f->invalid);
		snprintf(num[4], 32, "%ld", f->duplicates);
		char dup_pct[32];
		snprintf(dup_pct, sizeof dup_pct, "%.1f", crm_quality_pct(f->duplicates, q->total));
		crm_value row[7] = {
			{CRM_TEXT, f->field, strlen(f->field)},
			{CRM_INT, num[0], strlen(num[0])},
			{CRM_INT, num[1], strlen(num[1])},
			{CRM_REAL, num[2], strlen(num[2])},
			{f->check ? CRM_INT : CRM_NULL, f->check ? num[3] : NULL, f->check ? strlen(num[3]) : 0},
			{f->key ? CRM_INT : CRM_NULL, f->key ? num[4] : NULL, f->key ? strlen(num[4]) : 0},
			{f->key ? CRM_REAL : CRM_NULL, f->key ? dup_pct : NULL, f->key ? strlen(dup_pct) : 0},
		};
		if (crm_writer_put(out, row, err) != CRM_OK)
			return CRM_EDB;
	}
	return CRM_OK;
}

const char *const crm_duplicate_keys[5] = {"phone", "email", "wechat_id", "openid", "unionid"};

static bool is_duplicate_key(const char *key)
{
	for (size_t i = 0; i < sizeof crm_duplicate_keys / sizeof *crm_duplicate_keys; i++)
		if (!strcmp(key, crm_duplicate_keys[i]))
			return true;
	return false;
}

/* The chosen customers with a value of key, and the values more than one has;
 * WeChat's ids are custom attributes, found by their indexes. */
static int duplicates_sql(crm_sql *s, const char *key, const crm_expr *where, crm_error *err)
{
	bool stored = strcmp(key, "openid") && strcmp(key, "unionid");
	/* key is one of crm_duplicate_keys */
	if (stored)
		crm_sql_addf(s, "WITH chosen AS (SELECT c.cid, c.id, c.%s AS v FROM customers c"
			     " WHERE c.%s IS NOT NULL", key, key);
	else {
		crm_sql_add(s, "WITH chosen AS (SELECT c.cid, c.id, ");
		crm_sql_json_key(s, "c.attrs", key);
		crm_sql_add(s, " AS v FROM customers c WHERE c.attrs IS NOT NULL AND ");
		crm_sql_json_key(s, "c.attrs", key);
		crm_sql_add(s, " IS NOT NULL");
	}
	int rc = CRM_OK;
	if (where) {
		crm_sql_add(s, " AND (");
		rc = crm_expr_emit(where, s, err);
		crm_sql_add(s, ")");
	}
	crm_sql_add(s, ") SELECT ch.v, ch.id FROM chosen ch JOIN (SELECT v FROM chosen GROUP BY v"
		    " HAVING count(*) > 1) d ON d.v = ch.v ORDER BY ch.v, ch.cid");
	return rc;
}

/* One record a customer, its group numbered as the values come. */
static int write_duplicates(crm_db *db, crm_stmt *st, crm_writer *out, crm_error *err)
{
	crm_buf last = {0};
	long group = 0;
	int rc = CRM_OK, step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		const char *v = crm_stmt_text(st, 0);
		size_t len = (size_t)crm_stmt_bytes(st, 0);
		if (!group || len != last.len || memcmp(v, last.p, len)) {
			group++;
			crm_buf_reset(&last);
			crm_buf_add(&last, v, len);
		}
		char number[32];
		snprintf(number, sizeof number, "%ld", group);
		const char *id = crm_stmt_text(st, 1);
		crm_value row[3] = {
			{CRM_INT, number, strlen(number)},
			{CRM_TEXT, id, (size_t)crm_stmt_bytes(st, 1)},
			{CRM_TEXT, v, len},
		};
		rc = crm_writer_put(out, row, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	crm_buf_free(&last);
	return rc;
}

int crm_quality_duplicates(crm_db *db, const char *key, const crm_expr *where,
			   const crm_clock *clock, crm_writer *out, crm_error *err)
{
	if (!is_duplicate_key(key))
		return crm_error_set(err, CRM_EUSAGE, "--duplicates %s: give phone, email, wechat_id,"
				     " openid or unionid", key);
	crm_sql s;
	crm_sql_init(&s, db, clock);
	int rc = duplicates_sql(&s, key, where, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&s, &st, err);
	if (rc == CRM_OK)
		rc = write_duplicates(db, st, out, err);
	crm_stmt_finalize(st);
	crm_sql_free(&s);
	return rc;
}
