/* Score models: parsing, labels, errors with their places. */
#include <stdlib.h>
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
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
