/* crm-profile's parts: a page of sections in each format, masks, shares and
 * indexes that are not defined, and a portrait's quartiles (R's type 7). */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/base.h"
#include "crm.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-profile-XXXXXX";

static void shares(void)
{
	double share = -1;
	CHECK(crm_portrait_share(1, 3, &share));
	CHECK(share == 1.0 / 3.0);
	CHECK(crm_portrait_share(0, 5, &share) && share == 0);
	CHECK(crm_portrait_share(5, 5, &share) && share == 1);
	share = -1;
	CHECK(!crm_portrait_share(0, 0, &share)); /* nobody counted: no share, not 0/0 */
	CHECK(!crm_portrait_share(3, -1, &share));
	CHECK(share == -1);                        /* left as it was */

	double index = -1;
	crm_portrait_row r = {.group_count = 20, .group_total = 100, .base_count = 30, .base_total = 300};
	CHECK(crm_portrait_index(&r, &index) && index == 200);
	r = (crm_portrait_row){.group_count = 1, .group_total = 3, .base_count = 1, .base_total = 3};
	CHECK(crm_portrait_index(&r, &index) && index == 100); /* like everyone: exactly 100 */
	r = (crm_portrait_row){.group_count = 0, .group_total = 3, .base_count = 2, .base_total = 7};
	CHECK(crm_portrait_index(&r, &index) && index == 0);
	index = -1;
	r = (crm_portrait_row){.group_count = 0, .group_total = 3, .base_count = 0, .base_total = 7};
	CHECK(!crm_portrait_index(&r, &index)); /* nobody in the base has it */
	r = (crm_portrait_row){.group_count = 0, .group_total = 0, .base_count = 2, .base_total = 7};
	CHECK(!crm_portrait_index(&r, &index)); /* an empty group */
	r = (crm_portrait_row){.group_count = 1, .group_total = 1, .base_count = 2, .base_total = 0};
	CHECK(!crm_portrait_index(&r, &index));
	CHECK(index == -1);
}

/* ---- a page ---- */

static const char *const person[] = {"id", "name", "phone", "city"};
static const char *const tag_names[] = {"tag", "how"};

/* A page of three sections: one record, none, two records. */
static char *page_text(enum crm_format fmt, const char *mask, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	crm_error err;
	crm_page *p = crm_page_new(out, fmt);
	*rc = mask ? crm_page_mask(p, mask, &err) : CRM_OK;
	const crm_value who[4] = {{CRM_TEXT, "C1", 2}, {CRM_TEXT, "张三", 6},
				  {CRM_TEXT, "13800138000", 11}, {CRM_NULL, NULL, 0}};
	const crm_value tags[2][2] = {{{CRM_TEXT, "VIP", 3}, {CRM_TEXT, "hand", 4}},
				      {{CRM_TEXT, "老客户, \"金\"", 16}, {CRM_NULL, NULL, 0}}};
	if (*rc == CRM_OK)
		*rc = crm_page_section(p, "customer", 4, person, true, &err);
	if (*rc == CRM_OK)
		*rc = crm_page_put(p, who, &err);
	if (*rc == CRM_OK)
		*rc = crm_page_section(p, "grade_changes", 2, tag_names, false, &err);
	if (*rc == CRM_OK)
		*rc = crm_page_section(p, "tags", 2, tag_names, false, &err);
	for (int i = 0; *rc == CRM_OK && i < 2; i++)
		*rc = crm_page_put(p, tags[i], &err);
	if (*rc == CRM_OK)
		*rc = crm_page_finish(p, &err);
	crm_page_free(p);
	fclose(out);
	return text;
}

static void page_is(enum crm_format fmt, const char *mask, const char *want, const char *what)
{
	int rc;
	char *got = page_text(fmt, mask, &rc);
	tap_check(rc == CRM_OK, what, __FILE__, __LINE__);
	tap_check_str(got, want, what, __FILE__, __LINE__);
	free(got);
}

static void pages(void)
{
	page_is(CRM_FMT_TABLE, NULL,
		"CUSTOMER\n"
		"id     C1\n"
		"name   张三\n"
		"phone  13800138000\n" /* city has no value: left out */
		"\n"
		"GRADE CHANGES\n"
		"(none)\n"
		"\n"
		"TAGS\n"
		"tag           how\n"
		"VIP           hand\n"
		"老客户, \"金\"\n",
		"a page on a terminal: headings, a one-record section as lines, (none), a table");
	page_is(CRM_FMT_JSON, NULL,
		"{\"customer\":{\"id\":\"C1\",\"name\":\"张三\",\"phone\":\"13800138000\",\"city\":null}\n"
		",\"grade_changes\":[]\n"
		",\"tags\":[\n"
		"{\"tag\":\"VIP\",\"how\":\"hand\"},\n"
		"{\"tag\":\"老客户, \\\"金\\\"\",\"how\":null}\n"
		"]\n"
		"}\n",
		"as json: an object a page, an object for one record, arrays, [] for none");
	page_is(CRM_FMT_CSV, NULL,
		"section,row,field,value\n"
		"customer,1,id,C1\n"
		"customer,1,name,张三\n"
		"customer,1,phone,13800138000\n"
		"customer,1,city,\n"
		"tags,1,tag,VIP\n"
		"tags,1,how,hand\n"
		"tags,2,tag,\"老客户, \"\"金\"\"\"\n"
		"tags,2,how,\n",
		"as csv: a record a value, numbered by row, quoted where it must be");
	page_is(CRM_FMT_TSV, NULL,
		"section\trow\tfield\tvalue\n"
		"customer\t1\tid\tC1\n"
		"customer\t1\tname\t张三\n"
		"customer\t1\tphone\t13800138000\n"
		"customer\t1\tcity\t\n"
		"tags\t1\ttag\tVIP\n"
		"tags\t1\thow\thand\n"
		"tags\t2\ttag\t老客户, \"金\"\n"
		"tags\t2\thow\t\n",
		"as tsv");
	page_is(CRM_FMT_CSV, "phone,name,city",
		"section,row,field,value\n"
		"customer,1,id,C1\n"
		"customer,1,name,张*\n"
		"customer,1,phone,138****8000\n"
		"customer,1,city,\n" /* nothing to mask */
		"tags,1,tag,VIP\n"
		"tags,1,how,hand\n"
		"tags,2,tag,\"老客户, \"\"金\"\"\"\n"
		"tags,2,how,\n",
		"masked fields: phone and name, wherever a section has them");

	char many[200] = "f0";
	for (int i = 1; i <= 32; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), ",f%d", i);
	crm_page *p = crm_page_new(stdout, CRM_FMT_TABLE);
	crm_error err;
	CHECK(crm_page_mask(p, many, &err) == CRM_EUSAGE);
	CHECK_STR(err.msg, "--mask names at most 32 fields");
	crm_page_free(p); /* nothing was begun: nothing written */
}

/* ---- a portrait's numbers ---- */

struct rows {
	crm_buf text;
};

static int collect(void *ctx, const crm_portrait_row *r, crm_error *err)
{
	struct rows *rows = ctx;
	(void)err;
	crm_buf_printf(&rows->text, "%s|%s|%s|%ld/%ld|%ld/%ld", r->section, r->field,
		       r->value ? r->value : "-", r->group_count, r->group_total, r->base_count,
		       r->base_total);
	if (r->quartiles)
		crm_buf_printf(&rows->text, "|%g %g %g|%g %g %g", r->group_q[0], r->group_q[1],
			       r->group_q[2], r->base_q[0], r->base_q[1], r->base_q[2]);
	crm_buf_printf(&rows->text, "\n");
	return CRM_OK;
}

/* Rows no command makes so simply, written beside the library. */
static void insert(const char *sql)
{
	char path[256];
	snprintf(path, sizeof path, "%s/p.db", dir);
	sqlite3 *raw;
	sqlite3_open(path, &raw);
	CHECK(sqlite3_exec(raw, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);
}

static crm_db *portrait_db(void)
{
	char path[256];
	crm_db *db = NULL;
	crm_error err;
	snprintf(path, sizeof path, "%s/p.db", dir);
	CHECK(crm_db_open(&db, path, 0, &err) == CRM_OK);
	/* ages on 2024-06-30: 20, 30, 40, 50, 61 */
	insert("INSERT INTO customers (cid, id, gender, birthday, created_at, updated_at)"
			   " VALUES (1, 'C1', '男', '2004-06-30', '2024-01-01', '2024-01-01'),"
			   " (2, 'C2', '女', '1994-06-30', '2024-01-01', '2024-01-01'),"
			   " (3, 'C3', '男', '1984-01-01', '2024-01-01', '2024-01-01'),"
			   " (4, 'C4', NULL, '1974-06-01', '2024-01-01', '2024-01-01'),"
			   " (5, 'C5', '男', '1963-06-30', '2024-01-01', '2024-01-01')");
	return db;
}

static char *portrait(crm_db *db, const char *group, const char *base, const char *measure,
		      bool *empty)
{
	crm_clock clock;
	crm_error err;
	crm_clock_init(&clock, "2024-06-30", NULL);
	crm_expr *g = NULL, *b = NULL;
	CHECK(crm_expr_new(&g, db, group, &err) == CRM_OK);
	if (base)
		CHECK(crm_expr_new(&b, db, base, &err) == CRM_OK);
	struct rows rows = {{0}};
	crm_portrait_opts o = {.group = g, .base = b, .max_values = 30, .top = 10,
			       .measures = &measure, .nmeasures = measure != NULL,
			       .row = collect, .ctx = &rows};
	CHECK(crm_portrait_write(db, &o, &clock, empty, &err) == CRM_OK);
	crm_expr_free(g);
	crm_expr_free(b);
	return rows.text.p;
}

static void portraits(crm_db *db)
{
	bool empty = true;
	char *got = portrait(db, "gender = '男'", NULL, NULL, &empty);
	CHECK(!empty);
	/* type 7: h = (n - 1)p + 1; of 20 40 61, q1 at h = 1.5: 30; of 20 30 40 50 61: 30 40 50 */
	CHECK_STR(got, "size|customers|-|3/5|5/5\n"
		       "fields|gender|男|3/3|3/5\n"
		       "fields|gender|女|0/3|1/5\n" /* a tie: the missing value last */
		       "fields|gender|-|0/3|1/5\n"
		       "fields|stage|potential|3/3|5/5\n"
		       "numbers|age|-|3/3|5/5|30 40 50.5|30 40 50\n"
		       "numbers|sum(purchase, 365d)|-|3/3|5/5|0 0 0|0 0 0\n"
		       "numbers|count(purchase, 365d)|-|3/3|5/5|0 0 0|0 0 0\n");
	free(got);
	got = portrait(db, "id = 'C2'", "gender = '男'", "age * 2", &empty);
	CHECK(!empty);
	/* one value: every quartile is it; two: 30 and 40 of 40 and 61 */
	CHECK_STR(got, "size|customers|-|1/5|3/5\n"
		       "fields|gender|女|1/1|0/3\n"
		       "fields|gender|男|0/1|3/3\n"
		       "fields|stage|potential|1/1|3/3\n"
		       "numbers|age|-|1/1|3/3|30 30 30|30 40 50.5\n"
		       "numbers|sum(purchase, 365d)|-|1/1|3/3|0 0 0|0 0 0\n"
		       "numbers|count(purchase, 365d)|-|1/1|3/3|0 0 0|0 0 0\n"
		       "numbers|age * 2|-|1/1|3/3|60 60 60|60 80 101\n");
	free(got);
	got = portrait(db, "id = 'C9'", NULL, NULL, &empty);
	CHECK(empty);
	CHECK_STR(got, "size|customers|-|0/5|5/5\n"); /* the size alone */
	free(got);
	got = portrait(db, "id = 'C1'", "id = 'C9'", NULL, &empty);
	CHECK(empty);
	CHECK_STR(got, "size|customers|-|1/5|0/5\n");
	free(got);
}

/* Values as common above the base's share: 2 of 10 against 3 of 30, and 3
 * of 10 against 6 of 30, are both 10 points. As doubles, 0.2 - 0.1 is not
 * 0.3 - 0.2: the tie must be seen exactly, and go to the larger count. */
static void exact_ties(crm_db *db)
{
	insert("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
			  " WHERE i < 30) INSERT INTO customers (cid, id, city, source, created_at,"
			  " updated_at) SELECT 100 + i, 'D' || i, CASE WHEN i <= 10 THEN 'X' ELSE 'Y'"
			  " END, CASE WHEN i <= 2 THEN 'a' WHEN i <= 5 THEN 'b' WHEN i <= 10 THEN 'c'"
			  " WHEN i <= 11 THEN 'a' WHEN i <= 14 THEN 'b' ELSE 'c' END, '2024-01-01',"
			  " '2024-01-01' FROM n");
	bool empty = true;
	char *got = portrait(db, "city = 'X'", "city in ('X', 'Y')", NULL, &empty);
	tap_check_str(got, "size|customers|-|10/35|30/35\n"
		       "fields|city|X|10/10|10/30\n"
		       "fields|city|Y|0/10|20/30\n"
		       "fields|source|b|3/10|6/30\n"
		       "fields|source|a|2/10|3/30\n"
		       "fields|source|c|5/10|21/30\n"
		       "fields|stage|potential|10/10|30/30\n"
		       "numbers|sum(purchase, 365d)|-|10/10|30/30|0 0 0|0 0 0\n"
		       "numbers|count(purchase, 365d)|-|10/10|30/30|0 0 0|0 0 0\n",
		      "an exact tie of shares goes to the larger count", __FILE__, __LINE__);
	free(got);
}

void test_profile(void)
{
	shares();
	pages();
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	crm_db *db = portrait_db();
	if (db) {
		portraits(db);
		exact_ties(db);
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
