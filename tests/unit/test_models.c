/* Score models: parsing, labels, errors with their places, and scoring with
 * every kind of event aggregate (computed once for everyone, crm_aggs). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-models-XXXXXX";

static void parses(crm_db *db)
{
	crm_model *m;
	crm_error err;
	const char *text = "# a model\n"
			   "grade A 80\n"
			   "grade B -5.5\n"
			   "\n"
			   "rule  40  city = '#1' # label, after a '#' in quotes\n"
			   "rule -2.5 age > 30\r\n"
			   "rule 1 age > 1 #\n";
	CHECK(crm_model_parse(&m, db, "m", text, "m.model", &err) == CRM_OK);
	if (!m)
		return;
	CHECK_INT(m->ngrades, 2);
	CHECK_STR(m->grades[1].name, "B");
	CHECK(m->grades[1].floor == -5.5);
	CHECK_INT(m->nrules, 3);
	CHECK_STR(m->rules[0].expr, "city = '#1'");
	CHECK_STR(m->rules[0].label, "label, after a '#' in quotes");
	CHECK(m->rules[1].points == -2.5);
	CHECK_STR(m->rules[1].expr, "age > 30");
	CHECK(m->rules[1].label == NULL);
	CHECK(m->rules[2].label == NULL); /* an empty label is none */
	CHECK_INT(m->rules[2].line, 7);
	CHECK(!m->rfm);
	CHECK_STR(m->text, text);
	crm_model_free(m);
}

static void rfm_table(crm_db *db)
{
	crm_model *m;
	crm_error err;
	CHECK(crm_model_parse(&m, db, "rfm", crm_rfm_default_text, "rfm", &err) == CRM_OK);
	if (!m)
		return;
	CHECK(m->rfm);
	CHECK_INT(m->nsegments, 10);
	CHECK_STR(m->segments[8].name, "Can't Lose Them");
	CHECK_INT(m->segments[8].lo[0], 1);
	CHECK_INT(m->segments[8].hi[0], 1);
	CHECK_INT(m->segments[8].lo[1], 4);
	CHECK_INT(m->segments[8].hi[2], 5);
	crm_model_free(m);
	CHECK(crm_model_parse(&m, db, "rfm", "segment 5-4 1 1 Backwards\n", "x", &err) == CRM_EDATA);
	CHECK(crm_model_parse(&m, db, "rfm", "segment 1 1 1\n", "x", &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "needs a name") != NULL);
	CHECK(crm_model_parse(&m, db, "rfm", "# nothing\n", "x", &err) == CRM_EDATA);
}

static void errors(crm_db *db)
{
	crm_model *m;
	crm_error err;
	CHECK(crm_model_parse(&m, db, "m", "grade A 0\nrule 5 age >\n", "f.model", &err) == CRM_EDATA);
	CHECK_STR(err.source, "f.model");
	CHECK_INT(err.line, 2);
	CHECK_INT(err.column, 13);
	CHECK(strstr(err.context, "rule 5 age >") != NULL);
	CHECK(crm_model_parse(&m, db, "m", "grade 甲 0\nrule 5 城市 = 1\n", "f", &err) == CRM_EDATA);
	CHECK_INT(err.column, 8); /* columns count characters */
	CHECK(crm_model_parse(&m, db, "m", "grade A 0\nrule 5\n", "f", &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "needs an expression") != NULL);
	CHECK(crm_model_parse(&m, db, "m", "rule 5 age > 1\n", "f", &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "at least one grade") != NULL);
	CHECK(crm_model_parse(&m, db, "m", "grade A 1 2\nrule 1 age > 1\n", "f", &err) == CRM_EDATA);
	CHECK(crm_model_parse(&m, db, "m", "grade A 0\xff\nrule 1 age > 1\n", "f", &err) == CRM_EDATA);
	CHECK(crm_model_parse(&m, db, "", "grade A 0\nrule 1 age > 1\n", "f", &err) == CRM_EUSAGE);
	CHECK(crm_model_parse(&m, db, "a,b", "grade A 0\nrule 1 age > 1\n", "f", &err) == CRM_EUSAGE);
	CHECK(m == NULL);
}

static void add_sample(const char *path)
{
	sqlite3 *raw;
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "INSERT INTO customers (cid, id, created_at, updated_at) VALUES"
		     " (1, 'C1', '2024-01-01', '2024-01-01'), (2, 'C2', '2024-01-01', '2024-01-01'),"
		     " (3, 'C3', '2024-01-01', '2024-01-01'), (4, 'C4', '2024-01-01', '2024-01-01');"
		     "INSERT INTO events (cid, type, ts, amount_cents) VALUES"
		     " (1, 'purchase', '2024-12-20T10:00:00', 10000), (1, 'purchase', '2024-06-01T10:00:00', 1000),"
		     " (1, 'visit', '2024-12-25T10:00:00', NULL), (1, 'visit', '2024-12-28T10:00:00', NULL),"
		     " (2, 'purchase', '2024-03-01T10:00:00', 9000), (2, 'refund', '2024-03-05T10:00:00', 9000),"
		     " (4, 'purchase', '2023-06-01T10:00:00', 50000),"
		     " (4, 'purchase', '2025-01-05T10:00:00', 100)", /* after the day: not counted */
		     NULL, NULL, NULL);
	sqlite3_close(raw);
}

/* "C1:31 C2:244 ..." from the stored scores of model u. */
static char *stored(const char *path)
{
	sqlite3 *raw;
	sqlite3_stmt *st;
	char *text = NULL;
	sqlite3_open(path, &raw);
	sqlite3_prepare_v2(raw, "SELECT group_concat(x, ' ') FROM (SELECT c.id || ':' ||"
			   " CAST(s.score AS INTEGER) AS x FROM scores s JOIN customers c USING (cid)"
			   " WHERE s.model = 'u' ORDER BY c.id)", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		text = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return text;
}

/* Each rule's points a power of two: the score says which rules matched. */
static void scores(crm_db *db, const char *path)
{
	const char *text = "grade X 0\n"
			   "rule 1 count(visit, 30d) >= 2\n"
			   "rule 2 sum(purchase) >= 100\n"
			   "rule 4 avg(purchase) > 50\n"
			   "rule 8 min(purchase) < 20\n"
			   "rule 16 max(purchase, 365d) >= 80\n"
			   "rule 32 since(purchase) > 60\n"
			   "rule 64 count(visit) = 0\n"
			   "rule 128 sum(refund, 365d) = 90\n";
	crm_model *m;
	crm_error err;
	crm_clock clock;
	crm_score_counts n;
	add_sample(path);
	crm_clock_init(&clock, "2024-12-31", NULL);
	CHECK(crm_model_parse(&m, db, "u", text, "u.model", &err) == CRM_OK);
	if (!m)
		return;
	crm_expr *where;
	CHECK(crm_expr_new(&where, db, "count(visit, 30d) >= 2 or sum(refund) > 0", &err) == CRM_OK);
	CHECK(crm_model_score(db, m, where, &clock, &n, &err) == CRM_OK);
	crm_expr_free(where);
	CHECK_INT(n.scored, 2); /* a selection with aggregates of its own */
	char *got = stored(path);
	CHECK_STR(got, "C1:31 C2:244");
	free(got);
	CHECK(crm_model_score(db, m, NULL, &clock, &n, &err) == CRM_OK);
	CHECK_INT(n.scored, 4);
	CHECK_INT(n.changed, 2);
	got = stored(path);
	CHECK_STR(got, "C1:31 C2:244 C3:64 C4:102"); /* no events: counts 0, the rest none */
	free(got);
	crm_model_free(m);
}

void test_models(void)
{
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	char path[256];
	snprintf(path, sizeof path, "%s/m.db", dir);
	crm_db *db;
	crm_error err;
	if (crm_db_open(&db, path, 0, &err) == CRM_OK) {
		parses(db);
		rfm_table(db);
		errors(db);
		scores(db, path);
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
