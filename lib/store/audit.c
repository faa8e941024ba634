/* audit.c: the audit trail. Each transaction that changes the database
 * leaves one row in audit: who ($USER), when, the command line, and how many
 * rows of each table it added, changed and removed. The row is written in the
 * same transaction as the change, so no change goes unrecorded and a command
 * that fails leaves none. SQLite's pre-update hook does the counting: it sees
 * every row, cascades included, in tables with or without rowids.
 *
 * Erasure keeps its own row (how many customers, by whom, when) and takes the
 * erased values out of every command line in the trail: a note's text given
 * as arguments, a phone number in a -w expression, the customer's own id. */
/* Debian's SQLite is built with the hook; its header declares it only on request. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

const char *const crm_audit_columns[6] = {"id", "at", "user", "command_line", "changes", "erased"};

/* Tables a command changes; the schema has about twenty. */
#define AUDIT_TABLES 40
/* Above this many erased values, matching each against each argument of the
 * trail is too slow: every operand of every command line is erased instead. */
#define AUDIT_PRECISE_VALUES 20000

struct table_changes {
	char name[40];
	long added, changed, removed;
};

struct crm_audit {
	char *user, *command, *args, *now;
	struct table_changes tables[AUDIT_TABLES];
	int ntables, last;
	long other; /* rows of tables past AUDIT_TABLES */
	long erased;
	bool redact;
};

static bool audited_table(const char *db_name, const char *table)
{
	/* temp tables are a command's scratch; the text index's shadow tables
	 * follow the notes; the trail does not record itself */
	return strcmp(db_name, "main") == 0 && !strstr(table, "_fts") && strcmp(table, "audit") != 0;
}

static struct table_changes *table_of(struct crm_audit *a, const char *name)
{
	if (a->ntables > 0 && strcmp(a->tables[a->last].name, name) == 0)
		return &a->tables[a->last];
	for (int i = 0; i < a->ntables; i++)
		if (strcmp(a->tables[i].name, name) == 0)
			return &a->tables[a->last = i];
	if (a->ntables == AUDIT_TABLES || strlen(name) >= sizeof a->tables[0].name)
		return NULL;
	struct table_changes *t = &a->tables[a->last = a->ntables++];
	*t = (struct table_changes){0};
	strcpy(t->name, name);
	return t;
}

static void count_change(void *ctx, sqlite3 *sql, int op, const char *db_name, const char *table,
			 sqlite3_int64 key1, sqlite3_int64 key2)
{
	(void)sql, (void)key1, (void)key2;
	struct crm_audit *a = ctx;
	if (!audited_table(db_name, table))
		return;
	struct table_changes *t = table_of(a, table);
	if (!t)
		a->other++;
	else if (op == SQLITE_INSERT)
		t->added++;
	else if (op == SQLITE_DELETE)
		t->removed++;
	else
		t->changed++;
}

void crm_audit_unsay(crm_db *db, const char *table, long rows)
{
	struct crm_audit *a = db->audit;
	struct table_changes *t = a && rows > 0 ? table_of(a, table) : NULL;
	if (t) {
		t->added -= rows;
		t->removed -= rows;
	}
}

char *crm_audit_arg_json(const char *arg)
{
	json_t *s = json_string(arg);
	char *text = s ? json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(s);
	return text ? text : crm_xstrdup("\"\"");
}

/* The arguments as a JSON array; bytes that are not UTF-8 become '?', so
 * that a bad argument is still recorded. */
static char *args_json(int argc, char *const *argv)
{
	json_t *args = json_array();
	for (int i = 1; i < argc; i++) {
		char *s = crm_xstrdup(argv[i]);
		size_t len = strlen(s);
		for (size_t at = 0; (at += crm_utf8_valid_prefix(s + at, len - at)) < len;)
			s[at] = '?';
		json_array_append_new(args, json_string(s));
		free(s);
	}
	char *text = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	return text;
}

void crm_db_audit_as(crm_db *db, const char *user, const char *now, int argc, char *const *argv)
{
	crm_audit_free(db);
	struct crm_audit *a = crm_xmalloc(sizeof *a);
	*a = (struct crm_audit){0};
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	a->user = crm_xstrdup(user);
	a->command = crm_xstrdup(argc > 0 ? (slash ? slash + 1 : argv[0]) : "crm");
	a->args = args_json(argc, argv);
	a->now = now ? crm_xstrdup(now) : NULL;
	db->audit = a;
	if (!db->readonly)
		sqlite3_preupdate_hook(db->sql, count_change, a);
}

void crm_audit_free(crm_db *db)
{
	struct crm_audit *a = db->audit;
	if (!a)
		return;
	sqlite3_preupdate_hook(db->sql, NULL, NULL);
	free(a->user);
	free(a->command);
	free(a->args);
	free(a->now);
	free(a);
	db->audit = NULL;
}

void crm_audit_begin(crm_db *db)
{
	struct crm_audit *a = db->audit;
	if (a) {
		a->ntables = a->last = 0;
		a->other = a->erased = 0;
		a->redact = false;
	}
}

/* {"customers":{"added":3,"changed":1},...}, tables in the order first changed. */
static char *changes_json(const struct crm_audit *a)
{
	json_t *all = json_object();
	for (int i = 0; i < a->ntables; i++) {
		const struct table_changes *t = &a->tables[i];
		json_t *one = json_object();
		if (t->added)
			json_object_set_new(one, "added", json_integer(t->added));
		if (t->changed)
			json_object_set_new(one, "changed", json_integer(t->changed));
		if (t->removed)
			json_object_set_new(one, "removed", json_integer(t->removed));
		json_object_set_new(all, t->name, one);
	}
	if (a->other)
		json_object_set_new(all, "other", json_pack("{s:I}", "changed", (json_int_t)a->other));
	char *text = json_dumps(all, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(all);
	return text;
}

static bool anything_changed(const struct crm_audit *a)
{
	if (a->other || a->erased)
		return true;
	for (int i = 0; i < a->ntables; i++)
		if (a->tables[i].added || a->tables[i].changed || a->tables[i].removed)
			return true;
	return false;
}

static int insert_row(crm_db *db, const struct crm_audit *a, crm_error *err)
{
	crm_clock real;
	const char *at = a->now;
	if (!at) {
		crm_clock_init(&real, NULL, NULL);
		at = real.now;
	}
	char *changes = changes_json(a);
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, "INSERT INTO audit (at, user, command, args, changes, erased)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, at, -1);
		crm_stmt_bind_text(st, 2, a->user, -1);
		crm_stmt_bind_text(st, 3, a->command, -1);
		crm_stmt_bind_text(st, 4, a->args, -1);
		crm_stmt_bind_text(st, 5, changes, -1);
		if (a->redact)
			crm_stmt_bind_int64(st, 6, a->erased);
		if (crm_stmt_step(st) != CRM_DONE)
			rc = crm_db_fail(db, err, "cannot record the change in the audit trail");
		crm_stmt_finalize(st);
	}
	free(changes);
	return rc;
}

/* An argument that is an erased value, holds one, or is a word of an erased note. */
#define ERASED_ARG                                                                           \
	"EXISTS (SELECT 1 FROM temp.erased_values v WHERE a.value = v.value"                  \
	" OR (length(v.value) >= 2 AND instr(a.value, v.value))"                              \
	" OR (v.note AND length(a.value) >= 2 AND a.value NOT LIKE '-%' AND instr(v.value, a.value)))"
/* An option's name (-w, --all) tells nothing about anyone. */
#define OPTION_NAME "(a.value GLOB '-[A-Za-z]' OR (a.value GLOB '--[a-z]*' AND a.value NOT GLOB '*[^a-z-]*'))"

static int redact_trail(crm_db *db, crm_error *err)
{
	long values = crm_db_count(db, "SELECT count(*) FROM temp.erased_values");
	const char *sql = values <= AUDIT_PRECISE_VALUES
		? "UPDATE audit SET args = (SELECT json_group_array(CASE WHEN " ERASED_ARG
		  " THEN '[erased]' ELSE a.value END) FROM (SELECT value FROM json_each(audit.args)"
		  " ORDER BY key) a) WHERE EXISTS (SELECT 1 FROM json_each(audit.args) a WHERE "
		  ERASED_ARG ")"
		: "UPDATE audit SET args = (SELECT json_group_array(CASE WHEN " OPTION_NAME
		  " THEN a.value ELSE '[erased]' END) FROM (SELECT value FROM json_each(audit.args)"
		  " ORDER BY key) a)";
	int rc = crm_db_exec(db, sql, err);
	if (rc == CRM_OK)
		rc = crm_db_exec(db, "DROP TABLE temp.erased_values", err);
	return rc;
}

int crm_audit_record(crm_db *db, crm_error *err)
{
	struct crm_audit *a = db->audit;
	if (!a || db->schema_version < 3 || !anything_changed(a))
		return CRM_OK;
	int rc = insert_row(db, a, err);
	if (rc == CRM_OK && a->redact)
		rc = redact_trail(db, err);
	crm_audit_begin(db);
	return rc;
}

int crm_audit_erasing(crm_db *db, long customers, crm_error *err)
{
	if (!db->audit || db->schema_version < 3)
		return CRM_OK;
	int rc = crm_db_exec(
		db,
		"CREATE TEMP TABLE IF NOT EXISTS erased_values (value TEXT PRIMARY KEY, note INTEGER)"
		" WITHOUT ROWID;"
		"WITH c AS (SELECT * FROM customers WHERE cid IN temp.erase_ids)"
		" INSERT OR IGNORE INTO temp.erased_values SELECT v, 0 FROM ("
		"  SELECT id v FROM c UNION ALL SELECT name FROM c UNION ALL SELECT phone FROM c"
		"  UNION ALL SELECT email FROM c UNION ALL SELECT wechat_id FROM c"
		"  UNION ALL SELECT j.value FROM c, json_each(c.attrs) j WHERE j.type = 'text'"
		"  UNION ALL SELECT ref FROM events WHERE cid IN temp.erase_ids"
		"  UNION ALL SELECT id FROM aliases WHERE cid IN temp.erase_ids)"
		" WHERE v IS NOT NULL AND v <> '';"
		"INSERT OR REPLACE INTO temp.erased_values SELECT body, 1 FROM ("
		"  SELECT body FROM notes WHERE cid IN temp.erase_ids"
		"  UNION ALL SELECT r.body FROM note_revisions r JOIN notes n USING (nid)"
		"   WHERE n.cid IN temp.erase_ids"
		"  UNION ALL SELECT body FROM note_deletions WHERE cid IN temp.erase_ids"
		"   AND body IS NOT NULL)",
		err);
	if (rc == CRM_OK) {
		db->audit->erased += customers;
		db->audit->redact = true;
	}
	return rc;
}

void crm_audit_today(crm_db *db, char day[11])
{
	crm_clock real;
	const char *now = db->audit ? db->audit->now : NULL;
	if (!now) {
		crm_clock_init(&real, NULL, NULL);
		now = real.now;
	}
	snprintf(day, 11, "%.10s", now);
}

/* An argument is value, or an option's --name=value. */
static bool is_value(const char *arg, const char *value)
{
	size_t a = strlen(arg), v = strlen(value);
	return !strcmp(arg, value) ||
	       (a > v + 3 && !strncmp(arg, "--", 2) && arg[a - v - 1] == '=' && !strcmp(arg + a - v, value));
}

void crm_audit_hide(crm_db *db, const char *value, const char *shown)
{
	struct crm_audit *a = db->audit;
	json_t *args = a ? json_loads(a->args, 0, NULL) : NULL;
	size_t i;
	json_t *arg;
	json_array_foreach(args, i, arg) {
		const char *s = json_string_value(arg);
		if (!s || !is_value(s, value))
			continue;
		crm_buf b = {0};
		const char *eq = strcmp(s, value) ? strchr(s, '=') : NULL;
		if (eq)
			crm_buf_add(&b, s, (size_t)(eq - s + 1));
		crm_buf_adds(&b, shown);
		json_array_set_new(args, i, json_string(b.p));
		crm_buf_free(&b);
	}
	if (args) {
		free(a->args);
		a->args = json_dumps(args, JSON_COMPACT);
		json_decref(args);
	}
}

/* ---- reading the trail ---- */

/* Quotes an argument for a POSIX shell when it needs it. */
static void shell_word(crm_buf *b, const char *s)
{
	bool plain = *s != '\0';
	for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
		plain = *p >= 0x80 || strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "0123456789_./:=@%+,-", *p);
	if (plain) {
		crm_buf_adds(b, s);
		return;
	}
	crm_buf_addc(b, '\'');
	for (; *s; s++)
		crm_buf_adds(b, *s == '\'' ? "'\\''" : (char[]){*s, '\0'});
	crm_buf_addc(b, '\'');
}

void crm_audit_command_line(crm_buf *b, const char *command, const char *args)
{
	crm_buf_adds(b, command);
	json_t *list = json_loads(args, 0, NULL);
	size_t i;
	json_t *arg;
	json_array_foreach(list, i, arg) {
		crm_buf_addc(b, ' ');
		shell_word(b, json_string_value(arg) ? json_string_value(arg) : "");
	}
	json_decref(list);
}

/* "customers: 3 added, 1 changed; events: 5 added" */
static void changes_text(crm_buf *b, const char *changes)
{
	json_t *all = json_loads(changes, 0, NULL);
	const char *table;
	json_t *counts;
	bool first_table = true;
	json_object_foreach(all, table, counts) {
		crm_buf_printf(b, "%s%s:", first_table ? "" : "; ", table);
		first_table = false;
		const char *what;
		json_t *n;
		bool first = true;
		json_object_foreach(counts, what, n) {
			crm_buf_printf(b, "%s %" JSON_INTEGER_FORMAT " %s", first ? "" : ",",
				       json_integer_value(n), what);
			first = false;
		}
	}
	json_decref(all);
}

static int write_row(crm_stmt *st, crm_writer *out, crm_error *err)
{
	crm_buf line = {0}, changes = {0};
	crm_audit_command_line(&line, crm_stmt_text(st, 3), crm_stmt_text(st, 4));
	changes_text(&changes, crm_stmt_text(st, 5));
	crm_value v[6];
	for (int i = 0; i < 3; i++) {
		const char *s = crm_stmt_text(st, i);
		v[i] = (crm_value){i == 0 ? CRM_INT : CRM_TEXT, s, strlen(s)};
	}
	v[3] = (crm_value){CRM_TEXT, line.p, line.len};
	v[4] = (crm_value){CRM_TEXT, changes.p ? changes.p : "", changes.len};
	const char *erased = crm_stmt_text(st, 6);
	v[5] = erased ? (crm_value){CRM_INT, erased, strlen(erased)} : (crm_value){CRM_NULL, NULL, 0};
	int rc = crm_writer_put(out, v, err);
	crm_buf_free(&line);
	crm_buf_free(&changes);
	return rc;
}

int crm_audit_write(crm_db *db, const char *since, crm_writer *out, crm_error *err)
{
	if (db->schema_version < 3)
		return CRM_OK; /* a database from before the trail, opened read-only */
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT aid, at, user, command, args, changes, erased FROM audit"
			   " WHERE ?1 IS NULL OR at >= ?1 ORDER BY aid", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text_or_null(st, 1, since);
	int rc = CRM_OK, step;
	while ((step = crm_stmt_step(st)) == CRM_ROW)
		if ((rc = write_row(st, out, err)) != CRM_OK)
			break;
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}
