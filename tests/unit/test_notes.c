/* Notes: the literal a pattern must hold, adding, editing, deleting, ids. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "crm.h"
#include "import/import.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-notes-XXXXXX";

static void literal(const char *pattern, const char *want)
{
	char *got = crm_regex_literal(pattern);
	tap_check_str(got, want, pattern, __FILE__, __LINE__);
	free(got);
}

/* Every literal found must be in every match: a wrong one loses notes. */
static void literals(void)
{
	literal("物流太慢", "物流太慢");
	literal("(?i)Hello world", "Hello world");
	literal("想要发票.*小样", "想要发票");
	literal("^订单号 \\d{6}", "订单号 ");
	literal("abcd?", "abc");      /* d may be absent */
	literal("abcde*", "abcd");
	literal("abc+d", "abc");      /* abccd does not hold abcd */
	literal("xy{2}zzz", "zzz");   /* y{2}: the y goes back */
	literal("ab", NULL);          /* too short for a trigram */
	literal("退款|退货处理", NULL); /* either side may match */
	literal("(退款|退货)处理完", "处理完");
	literal("(?x)a b c d", NULL); /* other options change what characters mean */
	literal("(?=abc)abc", NULL);
	literal("\\x41bcd", NULL);    /* \x41 is A: "41bcd" is not in "Abcd" */
	literal("\\p{Han}abc", "abc");
	literal("\\k<name>xyz", "xyz");
	literal("\\Qa.b\\E", NULL);
	literal("[abc]def", "def");
	literal("[]abc]xyz", "xyz");  /* ] first is a member, not the end */
	literal("[^\\]]xyz", "xyz");
	literal("a.b.c", NULL);
	literal("\\.com\\.cn", NULL); /* escapes end runs, and what follows them */
	literal("abc\\", NULL);
}

static crm_db *open_db(void)
{
	char path[256];
	crm_db *db = NULL;
	crm_error err;
	snprintf(path, sizeof path, "%s/n.db", dir);
	CHECK(crm_db_open(&db, path, 0, &err) == CRM_OK);
	sqlite3 *raw;
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "INSERT INTO customers (cid, id, city, created_at, updated_at) VALUES"
		     " (1, 'C1', '上海', '2024-01-01', '2024-01-01'), (2, 'C2', '北京', '2024-01-01',"
		     " '2024-01-01')", NULL, NULL, NULL);
	sqlite3_close(raw);
	return db;
}

static char *listed(crm_db *db, const crm_note_filter *f, const crm_clock *clock)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	crm_error err;
	crm_writer *w = crm_writer_new(out, CRM_FMT_TSV, 9, crm_note_columns, CRM_WRITE_NO_HEADER);
	CHECK(crm_note_list(db, NULL, f, clock, w, &err) == CRM_OK);
	crm_writer_finish(w, &err);
	crm_writer_free(w);
	fclose(out);
	return text;
}

static void notes(crm_db *db)
{
	crm_clock clock;
	crm_error err;
	crm_clock_init(&clock, "2024-06-30", NULL);
	crm_note_def note = {"  客户投诉物流太慢  ", "投诉", "小张", "2024-07-03"};
	long added;
	int64_t first;
	CHECK(crm_note_add(db, NULL, &note, &clock, &added, &first, &err) == CRM_OK);
	CHECK_INT(added, 2);
	CHECK_INT(first, 1);
	crm_note_filter all = {0};
	char *got = listed(db, &all, &clock);
	CHECK_STR(got, "2\tC2\t\t投诉\t小张\t2024-06-30T00:00:00\t2024-07-03\t\t客户投诉物流太慢\n"
		       "1\tC1\t\t投诉\t小张\t2024-06-30T00:00:00\t2024-07-03\t\t客户投诉物流太慢\n");
	free(got);
	note.category = "闲聊";
	CHECK(crm_note_add(db, NULL, &note, &clock, &added, &first, &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "known: 沟通, 回访, 投诉, 需求, 其他") != NULL);
	note.category = NULL;
	note.body = " \t ";
	CHECK(crm_note_add(db, NULL, &note, &clock, &added, &first, &err) == CRM_EDATA);

	bool changed;
	CHECK(crm_note_edit(db, 2, "已补偿", "小王", &clock, &changed, &err) == CRM_OK);
	CHECK(changed);
	CHECK(crm_note_edit(db, 2, "已补偿", "小王", &clock, &changed, &err) == CRM_OK);
	CHECK(!changed);
	crm_note_filter words = {.words = "物流太慢"};
	got = listed(db, &words, &clock);
	CHECK(got && !strncmp(got, "1\t", 2) && !strchr(got + 2, '\n')[1]); /* note 1 alone */
	free(got);
	crm_note_filter regex = {.pattern = "补偿$"};
	got = listed(db, &regex, &clock);
	CHECK(got && !strncmp(got, "2\t", 2));
	free(got);

	char done[20];
	CHECK(crm_note_done(db, 1, &clock, done, &err) == CRM_OK);
	CHECK_STR(done, "");
	CHECK(crm_note_done(db, 1, &clock, done, &err) == CRM_OK);
	CHECK_STR(done, "2024-06-30T00:00:00");
	CHECK(crm_note_delete(db, 2, "小王", &clock, &err) == CRM_OK);
	CHECK(crm_note_done(db, 2, &clock, done, &err) == CRM_EDATA);
	CHECK(strstr(err.msg, "deleted by 小王") != NULL);
	note.body = "again";
	CHECK(crm_note_add(db, NULL, &note, &clock, &added, &first, &err) == CRM_OK);
	CHECK_INT(first, 3); /* not 2: a deleted note's id stays its own */
}

void test_notes(void)
{
	literals();
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	crm_db *db = open_db();
	if (db) {
		notes(db);
		crm_db_close(db);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
