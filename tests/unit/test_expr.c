/* Expressions as values (crm_expr_value_new, crm_expr_emit_value): their
 * SQL runs, per customer and with the aggregates of temp.aggs, keeps
 * whole numbers whole and divides as decimals; what is no value is refused
 * where it is. And days to a birthday, across leap years. */
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
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
