/* Expressions as values (crm_expr_value_new, crm_expr_emit_value): their
 * SQL runs, per customer and with the aggregates of temp.aggs, keeps
 * whole numbers whole and divides as decimals; what is no value is refused
 * where it is. Emitting SQL reads nothing from the database: what an
 * expression names (custom fields, settings, saved segments, event types)
 * is loaded when it is made. And days to a birthday, across leap years. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"
#include "import/import.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-expr-XXXXXX";

static void birthday(const char *born, const char *day, int want)
{
	char what[64];
	snprintf(what, sizeof what, "born %s, as of %s", born, day);
	tap_check_int(crm_days_to_birthday(born, day), want, what, __FILE__, __LINE__);
}

static void birthdays(void)
{
	birthday("2000-03-10", "2024-03-10", 0);
	birthday("2000-03-10", "2024-03-09", 1);
	birthday("2000-03-10", "2024-03-11", 364);   /* to 2025-03-10 */
	birthday("2000-03-10", "2023-03-11", 365);   /* over 2024-02-29 */
	birthday("2000-02-29", "2024-02-29", 0);
	birthday("2000-02-29", "2024-02-28", 1);
	birthday("2000-02-29", "2023-02-28", 0);     /* no 29th: the 28th */
	birthday("2000-02-29", "2023-02-27", 1);
	birthday("2000-02-29", "2023-03-01", 365);   /* to 2024-02-29 */
	birthday("2000-02-29", "2024-03-01", 364);   /* to 2025-02-28 */
	birthday("2000-02-29", "2099-03-01", 364);   /* 2100 is no leap year */
	birthday("1999-12-31", "2024-12-31", 0);
	birthday("1990-01-01", "2024-12-31", 1);     /* into the next year */
	birthday("1999-12-31", "2025-01-01", 364);
	birthday("2024-06-30", "2024-06-30", 0);     /* born today */
	birthday("2024-07-01", "2024-06-30", -1);    /* not yet born */
	birthday("2001-02-29", "2024-06-30", -1);    /* no such day */
	birthday("1990-13-01", "2024-06-30", -1);
	birthday("", "2024-06-30", -1);
	birthday("1990-06-30T10:00:00", "2024-06-29", 1); /* a time after the day is left */
}

static void add_sample(const char *path)
{
	sqlite3 *raw;
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "INSERT INTO customers (cid, id, city, created_at, updated_at, attrs) VALUES"
		     " (1, 'C1', '上海', '2024-01-01', '2024-01-01', '{\"visits\":\"7\"}'),"
		     " (2, 'C2', '北京', '2024-01-01', '2024-01-01', '{\"visits\":\"x\"}'),"
		     " (3, 'C3', NULL, '2024-01-01', '2024-01-01', NULL);"
		     "INSERT INTO custom_fields VALUES ('customer', 'visits', '2024-01-01');"
		     "INSERT INTO events (cid, type, ts, amount_cents) VALUES"
		     " (1, 'purchase', '2024-12-20T10:00:00', 500000), (1, 'refund', '2024-12-21T10:00:00', 50050),"
		     " (2, 'purchase', '2024-03-01T10:00:00', 9000), (2, 'refund', '2023-03-05T10:00:00', 9000)",
		     NULL, NULL, NULL);
	sqlite3_close(raw);
}

/* "C1=4499.5 C2=90.0 C3=0.0": the value for each customer, as SQLite gives
 * it, and with aggs, from temp.aggs. Caller frees. */
static char *values(crm_db *db, const crm_expr *e, bool aggs)
{
	crm_clock clock;
	crm_error err;
	crm_clock_init(&clock, "2024-12-31", NULL);
	crm_sql q;
	crm_sql_init(&q, db, &clock);
	q.aggs = aggs ? crm_aggs_new() : NULL;
	crm_sql_add(&q, "SELECT c.id, ");
	int rc = crm_expr_emit_value(e, &q, &err);
	crm_sql_add(&q, " FROM customers c");
	crm_aggs_join(q.aggs, &q);
	crm_sql_add(&q, " ORDER BY c.id");
	if (rc == CRM_OK && aggs)
		rc = crm_aggs_build(q.aggs, db, &clock, NULL, &err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, &err);
	crm_buf out = {0};
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		const char *v = crm_stmt_text(st, 1);
		const char *type = crm_stmt_type(st, 1) == CRM_INT ? "i" : "";
		crm_buf_printf(&out, "%s%s=%s%s", out.len ? " " : "", crm_stmt_text(st, 0),
			       v ? v : "null", type);
	}
	crm_stmt_finalize(st);
	crm_aggs_free(q.aggs);
	crm_sql_free(&q);
	return rc == CRM_OK ? out.p : NULL;
}

static void value(crm_db *db, const char *text, bool numbers, const char *want)
{
	crm_expr *e;
	crm_error err;
	int rc = crm_expr_value_new(&e, db, text, numbers, &err);
	tap_check(rc == CRM_OK, text, __FILE__, __LINE__);
	if (rc != CRM_OK)
		return;
	for (int aggs = 0; aggs < 2; aggs++) {
		char *got = values(db, e, aggs);
		tap_check_str(got, want, text, __FILE__, __LINE__);
		free(got);
	}
	crm_expr_free(e);
}

static void refused(crm_db *db, const char *text, bool numbers, int col, const char *msg)
{
	crm_expr *e = NULL;
	crm_error err;
	tap_check(crm_expr_value_new(&e, db, text, numbers, &err) == CRM_EDATA && !e, text, __FILE__,
		  __LINE__);
	tap_check_str(err.msg, msg, text, __FILE__, __LINE__);
	tap_check_int(err.column, col, text, __FILE__, __LINE__);
	tap_check_str(err.source, "expression", text, __FILE__, __LINE__);
}

static void values_of(crm_db *db)
{
	value(db, "sum(purchase, 1y) - sum(refund, 1y)", true, "C1=4499.5 C2=90.0 C3=0.0");
	value(db, "count(refund) / count(purchase)", true, "C1=1.0 C2=1.0 C3=null");
	value(db, "7 + 2", true, "C1=9i C2=9i C3=9i");       /* whole numbers stay whole */
	value(db, "7 / 2", true, "C1=3.5 C2=3.5 C3=3.5");
	value(db, "-since(refund)", true, "C1=-10i C2=-667i C3=null");
	value(db, "visits * 2", true, "C1=14.0 C2=null C3=null"); /* read as numbers */
	value(db, "visits", true, "C1=7.0 C2=null C3=null");
	value(db, "visits", false, "C1=7 C2=x C3=null");      /* as they are */
	value(db, "city", false, "C1=上海 C2=北京 C3=null");
	refused(db, "city", true, 1, "city is text: expected a number");
	refused(db, "1 + city", false, 5, "city is text: arithmetic takes numbers");
	refused(db, "created_at", true, 1, "created_at is a date: expected a number (days(created_at) is one)");
	refused(db, "count(purchase) > 1", true, 1, "expected a number, found a condition");
	refused(db, "tag('VIP')", false, 1, "expected a value, found a condition");
	refused(db, "sum(purchase,", true, 14, "expected an argument, found the end");
	refused(db, "nosuch * 2", true, 1, "unknown field 'nosuch' (crm-export --list-fields lists them)");
	crm_expr *e;
	crm_error err;
	CHECK(crm_expr_value_new(&e, db, "1 +\n  city", true, &err) == CRM_EDATA);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.column, 3);
	CHECK_STR(err.context, "    city\n    ^");
}

/* Every statement SQLite prepares asks the authorizer about what it reads
 * or does: none asked, none prepared. */
static int prepared;

static int count_prepared(void *ctx, int action, const char *a, const char *b, const char *c,
			  const char *d)
{
	(void)ctx, (void)action, (void)a, (void)b, (void)c, (void)d;
	prepared++;
	return SQLITE_OK;
}

static int notes;

static void count_note(void *ctx, const char *text)
{
	tap_check_str(text, (const char *)ctx, "the note on a type with no events", __FILE__,
		      __LINE__);
	notes++;
}

/* The SQL of e (a condition, or a value) and its parameters, "sql | ?1=x
 * ?2=3"; *reads: statements prepared meanwhile. Caller frees. */
static char *sql_of(crm_db *db, const crm_expr *e, bool value, int *reads)
{
	crm_clock clock;
	crm_clock_init(&clock, "2024-12-31", NULL);
	crm_sql q;
	crm_sql_init(&q, db, &clock);
	crm_error err;
	prepared = 0;
	sqlite3_set_authorizer(db->sql, count_prepared, NULL);
	int rc = value ? crm_expr_emit_value(e, &q, &err) : crm_expr_emit(e, &q, &err);
	sqlite3_set_authorizer(db->sql, NULL, NULL);
	*reads = prepared;
	crm_buf out = {0};
	crm_buf_printf(&out, "%s |", rc == CRM_OK ? q.text.p : err.msg);
	for (size_t i = 0; rc == CRM_OK && i < q.nparams; i++) {
		const struct crm_param *p = &q.params[i];
		if (p->type == CRM_INT)
			crm_buf_printf(&out, " ?%zu=%lld", i + 1, (long long)p->i);
		else
			crm_buf_printf(&out, " ?%zu=%s", i + 1, p->text ? p->text : "null");
	}
	crm_sql_free(&q);
	return out.p;
}

static void save(crm_db *db, const char *name, const char *text)
{
	crm_clock clock;
	crm_error err;
	crm_clock_init(&clock, "2024-12-31", NULL);
	tap_check(crm_segment_save(db, name, text, NULL, &clock, &err) == CRM_OK, name, __FILE__,
		  __LINE__);
}

/* What the compiler would read changes: the SQL stays as it was made. */
static void change_under(crm_db *db)
{
	CHECK(crm_db_exec(db, "UPDATE segments SET expr = 'city = ''x''';"
			  " DELETE FROM custom_fields;"
			  " INSERT INTO settings (key, value, updated_at) VALUES"
			  " ('stage.new', '7d', 'x'), ('score.model', 'other', 'x')"
			  " ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
			  " INSERT INTO events (cid, type, ts) VALUES (3, 'purchse', '2024-01-01')",
			  NULL) == CRM_OK);
}

/* The SQL of e, then again once what it would read has changed. */
static void same_sql(crm_db *db, const crm_expr *e, bool value, const char *has)
{
	int reads;
	char *before = sql_of(db, e, value, &reads);
	CHECK_INT(reads, 0);
	change_under(db);
	char *after = sql_of(db, e, value, &reads);
	CHECK_INT(reads, 0);
	CHECK_STR(after, before);
	tap_check(strstr(before, has) != NULL, has, __FILE__, __LINE__);
	free(before);
	free(after);
}

static void emits_without_reading(crm_db *db)
{
	crm_db_on_note(db, count_note,
		       "no 'purchse' events in the database; its event types: purchase, refund");
	save(db, "inner", "visits > 1 or stage = 'active'");
	save(db, "outer", "segment('inner') and sum(purchase, 1y) > 100");
	notes = 0;
	crm_expr *e, *value;
	crm_error err;
	CHECK(crm_expr_new(&e, db, "segment('outer') and count(purchse) = 0 and grade = 'A'",
			   &err) == CRM_OK);
	CHECK(crm_expr_value_new(&value, db, "score + visits", true, &err) == CRM_OK);
	CHECK_INT(notes, 1); /* said once, when the expression was made */
	e = crm_expr_and(crm_expr_chosen(db), e);
	/* visits still custom, the thresholds and the model (none) as loaded */
	same_sql(db, e, false, " | ?1=$.\"visits\" ?2=1 ?3=2024-12-31 ?4=30 ?5=90 ?6=180 ");
	same_sql(db, value, true, "s.model = ?1) + crm_number(json_extract(c.attrs, ?2))) | ?1=null ");
	CHECK_INT(notes, 1);
	crm_expr_free(e);
	crm_expr_free(value);
}

/* --sort's fields take what crm_order_new loaded, as expressions do. */
static void sorts_without_reading(crm_db *db)
{
	crm_order *o;
	crm_error err;
	CHECK(crm_order_new(&o, db, "stage,-score", 5, &err) == CRM_OK);
	crm_clock clock;
	crm_clock_init(&clock, "2024-12-31", NULL);
	crm_sql q;
	crm_sql_init(&q, db, &clock);
	prepared = 0;
	sqlite3_set_authorizer(db->sql, count_prepared, NULL);
	CHECK(crm_order_sql(o, &q, &err) == CRM_OK);
	sqlite3_set_authorizer(db->sql, NULL, NULL);
	CHECK_INT(prepared, 0);
	CHECK(strstr(q.text.p, "s.model = ") && strstr(q.text.p, " LIMIT "));
	crm_sql_free(&q);
	crm_order_free(o);
}

/* Segments are read to any depth when the expression is made, and what is
 * wrong with them said as before: too deep, naming themselves, not there. */
static void segment_errors(crm_db *db)
{
	char name[16], text[32];
	for (int i = 17; i >= 1; i--) {
		snprintf(name, sizeof name, "s%d", i);
		snprintf(text, sizeof text, i == 17 ? "age > 1" : "segment('s%d')", i + 1);
		save(db, name, text);
	}
	crm_expr *e = NULL;
	crm_error err;
	CHECK(crm_expr_new(&e, db, "segment('s1')", &err) == CRM_EDATA && !e);
	CHECK_STR(err.msg, "segments nest deeper than 16");
	CHECK_STR(err.source, "s16");
	CHECK(crm_db_exec(db, "UPDATE segments SET expr = 'segment(''s1'')' WHERE name = 's3'",
			  NULL) == CRM_OK);
	CHECK(crm_expr_new(&e, db, "age > 1 or segment('s2')", &err) == CRM_EDATA && !e);
	CHECK_STR(err.msg, "segment 's2' refers to itself");
	CHECK_STR(err.source, "s1");
	CHECK(crm_db_exec(db, "UPDATE segments SET expr = 'age >' WHERE name = 's3'", NULL) == CRM_OK);
	CHECK(crm_expr_new(&e, db, "segment('s2')", &err) == CRM_EDATA && !e);
	CHECK_STR(err.msg, "segment 's3' does not parse: expected a value after '>'");
	CHECK(crm_expr_new(&e, db, "age > 1 or segment('none')", &err) == CRM_EDATA && !e);
	CHECK_STR(err.msg, "no saved segment 'none' (crm-segment --list)");
	CHECK_INT(err.column, 12);
}

void test_expr(void)
{
	birthdays();
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	char path[256];
	snprintf(path, sizeof path, "%s/e.db", dir);
	crm_db *db;
	crm_error err;
	if (crm_db_open(&db, path, 0, &err) == CRM_OK) {
		add_sample(path);
		values_of(db);
		segment_errors(db);
		emits_without_reading(db);
		sorts_without_reading(db);
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
