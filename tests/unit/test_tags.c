/* Tags: names, near-duplicate keys, expiry days, tagging and rules. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "import/import.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-tags-XXXXXX";

static void names(void)
{
	crm_error err;
	CHECK(crm_tag_name_check("VIP", &err) == CRM_OK);
	CHECK(crm_tag_name_check("会员等级 金卡", &err) == CRM_OK); /* an inner space is fine */
	CHECK(crm_tag_name_check("", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check(" VIP", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("VIP\t", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("a\x01" "b", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("a\x7f" "b", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("a,b", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("a;b", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("a|b", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("\xff", &err) == CRM_EDATA);
	CHECK(crm_tag_name_check("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十", &err) == CRM_OK);
	CHECK(crm_tag_name_check("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "longer than 30 characters") != NULL);
}

static void keys(void)
{
	char a[64], b[64];
	const char *same[] = {"VIP", "vip", "ＶＩＰ", "V I P", "Ｖ　ｉ Ｐ"};
	crm_tag_key("VIP", a, sizeof a);
	CHECK_STR(a, "vip");
	for (size_t i = 1; i < sizeof same / sizeof *same; i++) {
		crm_tag_key(same[i], b, sizeof b);
		CHECK_STR(b, a);
	}
	crm_tag_key("金卡", b, sizeof b);
	CHECK_STR(b, "金卡");
	crm_tag_key("ＶＩＰ１", b, sizeof b);
	CHECK_STR(b, "vip1");
	crm_tag_key("abcdefgh", b, 4); /* truncated, terminated */
	CHECK(strlen(b) < 4);
}

static void expiry(void)
{
	crm_clock clock;
	crm_error err;
	char day[11];
	crm_clock_init(&clock, "2024-12-31", NULL);
	crm_clock_day(&clock, 1, day);
	CHECK_STR(day, "2025-01-01");
	crm_clock_day(&clock, -365, day);
	CHECK_STR(day, "2024-01-01"); /* 2024 is a leap year */
	CHECK(crm_tag_expiry(&clock, "30d", day, &err) == CRM_OK);
	CHECK_STR(day, "2025-01-30");
	CHECK(crm_tag_expiry(&clock, "2w", day, &err) == CRM_OK);
	CHECK_STR(day, "2025-01-14");
	CHECK(crm_tag_expiry(&clock, "2025-02-01", day, &err) == CRM_OK);
	CHECK_STR(day, "2025-02-01");
	CHECK(crm_tag_expiry(&clock, "2024-12-31", day, &err) == CRM_EUSAGE);
	CHECK(crm_tag_expiry(&clock, "0d", day, &err) == CRM_EUSAGE);
	CHECK(crm_tag_expiry(&clock, "soon", day, &err) == CRM_EUSAGE);
}

static crm_db *open_db(void)
{
	char path[256];
	crm_db *db = NULL;
	crm_error err;
	snprintf(path, sizeof path, "%s/t.db", dir);
	CHECK(crm_db_open(&db, path, 0, &err) == CRM_OK);
	sqlite3 *raw;
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "INSERT INTO customers (id, city, created_at, updated_at) VALUES"
		     " ('C1', '上海', '2024-01-01', '2024-01-01'), ('C2', '北京', '2024-01-01', '2024-01-01'),"
		     " ('C3', '上海', '2024-01-01', '2024-01-01')", NULL, NULL, NULL);
	sqlite3_close(raw);
	return db;
}

/* Runs --apply into a string: the changes as CSV. */
static char *apply(crm_db *db, const crm_clock *clock, bool dry_run, long *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	crm_error err;
	crm_writer *w = crm_writer_new(out, CRM_FMT_CSV, 4, crm_rule_change_columns, 0);
	CHECK(crm_rule_apply(db, clock, w, dry_run, n, &err) == CRM_OK);
	crm_writer_free(w);
	fclose(out);
	return text;
}

static void tagging(crm_db *db, const crm_clock *clock)
{
	crm_error err;
	crm_tag_def gold = {.name = "金卡", .category = "basic", .group = "等级"};
	crm_tag_def silver = {.name = "银卡", .category = "basic", .group = "等级"};
	CHECK(crm_tag_define(db, &gold, clock, &err) == CRM_OK);
	CHECK(crm_tag_define(db, &silver, clock, &err) == CRM_OK);
	crm_tag_def near = {.name = "金 卡"};
	CHECK(crm_tag_define(db, &near, clock, &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "'金卡'") != NULL);

	crm_expr *where;
	CHECK(crm_expr_new(&where, db, "city = '上海'", &err) == CRM_OK);
	const char *add[] = {"银卡"};
	crm_tagging t = {.add = add, .nadd = 1, .source = "user:unit"};
	long added, removed;
	CHECK(crm_tag_set(db, where, &t, clock, &added, &removed, &err) == CRM_OK);
	CHECK_INT(added, 2);
	add[0] = "金卡"; /* takes 银卡's place */
	CHECK(crm_tag_set(db, where, &t, clock, &added, &removed, &err) == CRM_OK);
	crm_expr_free(where);
	crm_tag_lookup *l = crm_tag_lookup_new(db, clock, &err);
	CHECK(l != NULL);
	CHECK_STR(crm_tag_lookup_get(l, "C1"), "金卡");
	CHECK_STR(crm_tag_lookup_get(l, "C2"), "");
	CHECK_STR(crm_tag_lookup_get(l, "nobody"), "");
	crm_tag_lookup_free(l);

	const char *bad[] = {"a;b"};
	crm_tagging t2 = {.add = bad, .nadd = 1, .source = "user:unit"};
	CHECK(crm_tag_set(db, NULL, &t2, clock, &added, &removed, &err) == CRM_EDATA);
	const char *unknown[] = {"新"};
	crm_tagging t3 = {.add = unknown, .nadd = 1, .source = "user:unit", .strict = true};
	CHECK(crm_tag_set(db, NULL, &t3, clock, &added, &removed, &err) == CRM_EDATA);
}

static void rules(crm_db *db, const crm_clock *clock)
{
	crm_error err;
	long n;
	crm_rule_def r = {.name = "北方", .tag = "银卡", .expr = "city = '北京'"};
	CHECK(crm_rule_define(db, &r, clock, &err) == CRM_OK);
	crm_rule_def bad = {.name = "坏", .tag = "银卡", .expr = "city ="};
	CHECK(crm_rule_define(db, &bad, clock, &err) == CRM_EDATA);
	char *dry = apply(db, clock, true, &n);
	CHECK_STR(dry, "customer_id,tag,change,rule\nC2,银卡,+,北方\n");
	CHECK_INT(n, 1);
	char *real = apply(db, clock, false, &n);
	CHECK_STR(real, dry);
	free(dry);
	free(real);
	char *again = apply(db, clock, false, &n);
	CHECK_STR(again, "customer_id,tag,change,rule\n"); /* nothing changed: the header alone */
	CHECK_INT(n, 0);
	free(again);
	r.expr = "city = '深圳'"; /* the rule now matches nobody: its tagging goes */
	CHECK(crm_rule_define(db, &r, clock, &err) == CRM_OK);
	char *gone = apply(db, clock, false, &n);
	CHECK_STR(gone, "customer_id,tag,change,rule\nC2,银卡,-,北方\n");
	free(gone);
	long dropped;
	CHECK(crm_rule_drop(db, "北方", &dropped, &err) == CRM_OK);
	CHECK(crm_rule_drop(db, "北方", &dropped, &err) == CRM_EDATA);
}

/* --match finds a customer through its key's index, never by a scan. */
static void match_plans(crm_db *db)
{
	static const char *const index[] = {
		[CRM_MATCH_PHONE] = "USING INDEX customers_phone ",
		[CRM_MATCH_EMAIL] = "USING INDEX customers_email ",
		[CRM_MATCH_WECHAT] = "USING INDEX customers_wechat_id ",
		[CRM_MATCH_OPENID] = "USING INDEX customers_openid ",
		[CRM_MATCH_UNIONID] = "USING INDEX customers_unionid ",
	};
	for (int k = CRM_MATCH_PHONE; k <= CRM_MATCH_UNIONID; k++) {
		char plan[512] = "";
		crm_sql q;
		crm_sql_init(&q, db, NULL);
		crm_sql_add(&q, "EXPLAIN QUERY PLAN ");
		crm_match_sql(&q, (enum crm_match)k);
		sqlite3_stmt *st;
		CHECK(sqlite3_prepare_v2(db->sql, q.text.p, -1, &st, NULL) == SQLITE_OK);
		crm_sql_free(&q);
		sqlite3_bind_text(st, 1, "x", -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) /* the plan's lines, each ending in ';' */
			snprintf(plan + strlen(plan), sizeof plan - strlen(plan), "%s;",
				 (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
		CHECK(strstr(plan, index[k]) != NULL);
		CHECK(strstr(plan, "SCAN") == NULL);
		if (!strstr(plan, index[k]) || strstr(plan, "SCAN"))
			printf("#   %s: %s\n", crm_match_name((enum crm_match)k), plan);
	}
}

/* The values of a stream, read as crm-add stores them. */
static void key_lookups(crm_db *db)
{
	sqlite3_exec(db->sql, "UPDATE customers SET phone = '13800000001', email = 'a@b.cn',"
		     " attrs = '{\"openid\":\"oX\"}' WHERE id = 'C1';"
		     " UPDATE customers SET phone = '13900000002' WHERE id IN ('C2', 'C3')", NULL, NULL, NULL);
	crm_key_lookup *l;
	crm_error err;
	const char *id;
	CHECK(crm_key_lookup_new(&l, db, CRM_MATCH_PHONE, &err) == CRM_OK);
	CHECK(crm_key_lookup_get(l, "+86 138-0000-0001", &id, &err) == CRM_OK);
	CHECK_STR(id, "C1");
	CHECK(crm_key_lookup_get(l, "13700000000", &id, &err) == CRM_EDATA);
	CHECK_STR(err.msg, "no customer has phone '13700000000'");
	CHECK(crm_key_lookup_get(l, "12345", &id, &err) == CRM_EDATA);
	CHECK_STR(err.msg, "phone: '12345' is not a mobile number");
	CHECK(crm_key_lookup_get(l, " ", &id, &err) == CRM_EDATA);
	CHECK_STR(err.msg, "the record has an empty phone");
	CHECK(crm_key_lookup_get(l, "13900000002", &id, &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "matches more than one customer ('C2', 'C3')") != NULL);
	crm_key_lookup_free(l);
	CHECK(crm_key_lookup_new(&l, db, CRM_MATCH_EMAIL, &err) == CRM_OK);
	CHECK(crm_key_lookup_get(l, " A@B.CN ", &id, &err) == CRM_OK);
	CHECK_STR(id, "C1");
	crm_key_lookup_free(l);
	CHECK(crm_key_lookup_new(&l, db, CRM_MATCH_OPENID, &err) == CRM_OK);
	CHECK(crm_key_lookup_get(l, "oX", &id, &err) == CRM_OK);
	CHECK_STR(id, "C1");
	CHECK(crm_key_lookup_get(l, "ox", &id, &err) == CRM_EDATA); /* WeChat's ids keep their case */
	crm_key_lookup_free(l);
	CHECK(crm_key_lookup_new(&l, db, CRM_MATCH_NONE, &err) == CRM_EUSAGE);
	sqlite3_exec(db->sql, "UPDATE customers SET phone = NULL, email = NULL, attrs = NULL", NULL, NULL,
		     NULL);
}

void test_tags(void)
{
	names();
	keys();
	expiry();
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	crm_clock clock;
	crm_clock_init(&clock, "2024-06-30", NULL);
	crm_db *db = open_db();
	if (db) {
		tagging(db, &clock);
		rules(db, &clock);
		match_plans(db);
		key_lookups(db);
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
