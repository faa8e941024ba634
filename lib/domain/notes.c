/* notes.c: notes and follow-ups on customers (备注, 回访). Notes are never
 * lost: an edit keeps the earlier text in note_revisions, a deletion keeps the
 * whole note in note_deletions, and a note's id is never given to another. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

#define NOTE_MAX_BYTES 65536
#define DEFAULT_CATEGORY "其他"

/* ---- checks ---- */

/* The text of a note: trimmed, not empty, no control characters but line
 * breaks and tabs, at most NOTE_MAX_BYTES. */
int crm_note_text_check(const char *s, size_t n, crm_error *err)
{
	if (n > NOTE_MAX_BYTES)
		return crm_error_set(err, CRM_EDATA, "a note is at most %d bytes (this one has %zu)",
				     NOTE_MAX_BYTES, n);
	if (crm_utf8_valid_prefix(s, n) != n)
		return crm_error_set(err, CRM_EDATA, "a note must be UTF-8 text");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7F)
			return crm_error_set(err, CRM_EDATA, "control character 0x%02x in the note", c);
	}
	return CRM_OK;
}

static int body_check(const char *body, const char **start, size_t *len, crm_error *err)
{
	size_t n = strlen(body);
	const char *s = crm_trim(body, &n);
	if (n == 0)
		return crm_error_set(err, CRM_EDATA, "a note needs text");
	if (crm_note_text_check(s, n, err) != CRM_OK)
		return CRM_EDATA;
	*start = s;
	*len = n;
	return CRM_OK;
}

/* The body as stored: trimmed. Caller frees. */
static char *body_text(const char *body, crm_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	if (body_check(body, &s, &n, err) != CRM_OK)
		return NULL;
	char *t = crm_xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

/* Commits what went well; rolls back what did not. */
static int finish(crm_db *db, int rc, crm_error *err)
{
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

int crm_note_category_check(crm_db *db, const char *name, crm_error *err)
{
	int64_t found;
	if (crm_name_find(db, CRM_CATALOG_NOTE_CATEGORY, name, &found, err) != CRM_OK)
		return CRM_EDB;
	if (found)
		return CRM_OK;
	crm_stmt *st; /* the message names the ones there are */
	if (crm_db_prepare(db, &st, "SELECT group_concat(name, ', ') FROM (SELECT name"
			   " FROM note_categories ORDER BY position)", err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_stmt_step(st) == CRM_ROW ? CRM_EDATA : crm_db_fail(db, err, NULL);
	if (rc == CRM_EDATA) {
		const char *known = crm_stmt_text(st, 0);
		crm_error_set(err, CRM_EDATA, "unknown category '%s' (known: %s; add one with"
			      " crm-note --add-category)", name, known ? known : "none");
	}
	crm_stmt_finalize(st);
	return rc;
}

int crm_note_category_add(crm_db *db, const char *name, crm_error *err)
{
	if (crm_tag_name_check(name, err) != CRM_OK) { /* "tag 'x': why": keep the why */
		const char *why = strstr(err->msg, "': ");
		char text[sizeof err->msg];
		snprintf(text, sizeof text, "%s", why ? why + 3 : err->msg);
		return crm_error_set(err, CRM_EDATA, "category '%s': %s", name, text);
	}
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "INSERT INTO note_categories (name, position) SELECT ");
	crm_sql_text(&q, name);
	crm_sql_add(&q, ", coalesce(max(position), 0) + 1 FROM note_categories WHERE true"
		       " ON CONFLICT (name) DO NOTHING");
	long added = 0;
	int rc = crm_db_begin(db, err);
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, &added, err);
	crm_sql_free(&q);
	if (rc == CRM_OK && !added)
		rc = crm_error_set(err, CRM_EDATA, "category '%s' is already there", name);
	return finish(db, rc, err);
}

const char *const crm_note_category_columns[2] = {"category", "notes"};

int crm_note_category_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT k.name, (SELECT count(*) FROM notes n WHERE n.category = k.name AND"
		       " n.created_at < ");
	crm_sql_end(&q);
	crm_sql_add(&q, ") FROM note_categories k ORDER BY k.position");
	int rc = crm_sql_write(&q, out, 2, (crm_type[]){CRM_TEXT, CRM_INT}, err);
	crm_sql_free(&q);
	return rc;
}

/* ---- adding ---- */

/* The first id after every note there is or was: ids are never reused. */
static int64_t next_note_id(crm_db *db)
{
	long n = crm_db_count(db, "SELECT max(coalesce((SELECT max(nid) FROM notes), 0),"
			      " coalesce((SELECT max(nid) FROM note_deletions), 0))");
	return n < 0 ? -1 : (int64_t)n + 1;
}

static int add_to_chosen(crm_db *db, const crm_expr *where, const crm_note_def *note,
			 const char *body, int64_t first, const crm_clock *clock, long *added,
			 crm_error *err)
{
	int rc = CRM_OK;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO notes (nid, cid, body, category, author, created_at, updated_at,"
		       " follow_up) SELECT ");
	crm_sql_int(&q, first - 1);
	crm_sql_add(&q, " + row_number() OVER (ORDER BY x.cid), x.cid, ");
	crm_sql_text(&q, body);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, note->category ? note->category : DEFAULT_CATEGORY);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, note->author);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ", ");
	if (note->follow_up)
		crm_sql_text(&q, note->follow_up);
	else
		crm_sql_add(&q, "NULL");
	crm_sql_add(&q, " FROM (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ") x ORDER BY x.cid");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, added, err);
	crm_sql_free(&q);
	return rc;
}

int crm_note_add(crm_db *db, const crm_expr *where, const crm_note_def *note,
		 const crm_clock *clock, long *added, int64_t *first, crm_error *err)
{
	*added = 0;
	char *body = body_text(note->body, err);
	if (!body)
		return CRM_EDATA;
	int rc = crm_db_begin(db, err);
	if (rc == CRM_OK)
		rc = crm_note_category_check(db, note->category ? note->category : DEFAULT_CATEGORY, err);
	if (rc == CRM_OK && (*first = next_note_id(db)) < 0)
		rc = crm_db_fail(db, err, NULL);
	if (rc == CRM_OK)
		rc = add_to_chosen(db, where, note, body, *first, clock, added, err);
	free(body);
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

struct crm_note_lookup {
	crm_stmt *st;
	char id[24];
};

crm_note_lookup *crm_note_lookup_new(crm_db *db, int64_t first, crm_error *err)
{
	crm_note_lookup *l = crm_xmalloc(sizeof *l);
	if (crm_db_prepare(db, &l->st, "SELECT n.nid FROM customers c JOIN notes n ON n.cid = c.cid"
			   " WHERE c.id = ?1 AND n.nid >= ?2 ORDER BY n.nid LIMIT 1", err) != CRM_OK) {
		free(l);
		return NULL;
	}
	crm_stmt_bind_int64(l->st, 2, first);
	return l;
}

const char *crm_note_lookup_get(crm_note_lookup *l, const char *id)
{
	crm_stmt_reset(l->st);
	crm_stmt_bind_text_copy(l->st, 1, id, -1);
	l->id[0] = '\0';
	if (crm_stmt_step(l->st) == CRM_ROW)
		snprintf(l->id, sizeof l->id, "%lld", (long long)crm_stmt_int64(l->st, 0));
	return l->id;
}

void crm_note_lookup_free(crm_note_lookup *l)
{
	if (!l)
		return;
	crm_stmt_finalize(l->st);
	free(l);
}

/* ---- reading ---- */

const char *const crm_note_columns[9] = {
	"note_id", "customer_id", "name", "category", "author", "created_at", "follow_up", "done_at",
	"body",
};

/* AND n.nid IN (the notes the trigram index finds for the phrase). */
static void index_phrase(crm_buf *fts, const char *phrase)
{
	crm_buf_printf(fts, "%s\"", fts->len ? " AND " : "");
	for (const char *p = phrase; *p; p++)
		crm_buf_add(fts, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
	crm_buf_addc(fts, '"');
}

/* The words of --text: those of three characters or more are looked up in
 * the trigram index (a phrase each, quotes doubled); shorter ones, which a
 * trigram index cannot hold, are matched in the text itself. */
static void text_words(crm_sql *q, const char *words)
{
	crm_buf fts = {0};
	char *copy = crm_xstrdup(words);
	for (char *w = strtok(copy, " \t\n\r"); w; w = strtok(NULL, " \t\n\r")) {
		if (crm_utf8_chars(w) >= 3) {
			index_phrase(&fts, w);
			continue;
		}
		crm_buf like = {0};
		crm_buf_addc(&like, '%');
		for (const char *p = w; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				crm_buf_addc(&like, '\\');
			crm_buf_addc(&like, *p);
		}
		crm_buf_addc(&like, '%');
		crm_sql_add(q, " AND n.body LIKE ");
		crm_sql_text(q, like.p);
		crm_sql_add(q, " ESCAPE '\\'");
		crm_buf_free(&like);
	}
	if (fts.len) {
		crm_sql_add(q, " AND n.nid IN (");
		crm_sql_fts_rowids(q, "notes_fts", fts.p);
		crm_sql_add(q, ")");
	}
	crm_buf_free(&fts);
	free(copy);
}

static int filter_sql(crm_sql *q, const crm_expr *where, const crm_note_filter *f, crm_error *err)
{
	int rc = CRM_OK;
	crm_sql_add(q, " WHERE n.created_at < ");
	crm_sql_end(q);
	if (where) {
		crm_sql_add(q, " AND n.cid IN (");
		crm_sql_chosen_cids(q, where, err, &rc);
		crm_sql_add(q, ")");
	}
	if (f->since) {
		crm_sql_add(q, " AND n.created_at >= ");
		crm_sql_text(q, f->since);
	}
	if (f->category) {
		crm_sql_add(q, " AND n.category = ");
		crm_sql_text(q, f->category);
	}
	if (f->author) {
		crm_sql_add(q, " AND n.author = ");
		crm_sql_text(q, f->author);
	}
	if (f->pattern && rc == CRM_OK) {
		rc = crm_regex_check(f->pattern, err);
		char *literal = rc == CRM_OK ? crm_regex_literal(f->pattern) : NULL;
		if (literal) {
			crm_buf fts = {0};
			index_phrase(&fts, literal);
			crm_sql_add(q, " AND n.nid IN (");
			crm_sql_fts_rowids(q, "notes_fts", fts.p);
			crm_sql_add(q, ")");
			crm_buf_free(&fts);
			free(literal);
		}
		crm_sql_add(q, " AND ");
		crm_sql_regexp_open(q, f->pattern);
		crm_sql_add(q, "n.body");
		crm_sql_regexp_close(q);
	}
	if (f->words)
		text_words(q, f->words);
	return rc;
}

int crm_note_list(crm_db *db, const crm_expr *where, const crm_note_filter *f,
		  const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT n.nid, c.id, c.name, n.category, n.author, n.created_at, n.follow_up,"
		       " n.done_at, n.body FROM notes n JOIN customers c ON c.cid = n.cid");
	int rc = filter_sql(&q, where, f, err);
	crm_sql_add(&q, " ORDER BY n.created_at DESC, n.nid DESC");
	if (rc == CRM_OK)
		rc = crm_sql_write(&q, out, 9, (crm_type[]){CRM_INT, CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT,
							     CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	return rc;
}

const char *const crm_note_due_columns[9] = {
	"note_id", "customer_id", "name", "phone", "follow_up", "days_overdue", "category", "author",
	"body",
};

int crm_note_due(crm_db *db, const crm_expr *where, const crm_note_filter *f,
		 const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT n.nid, c.id, c.name, c.phone, n.follow_up, CAST(");
	crm_sql_days_since(&q, "n.follow_up");
	crm_sql_add(&q, " AS INTEGER), n.category, n.author, n.body"
		       " FROM notes n JOIN customers c ON c.cid = n.cid");
	int rc = filter_sql(&q, where, f, err);
	/* the same terms as the partial index notes_open_follow_ups */
	crm_sql_add(&q, " AND n.follow_up IS NOT NULL AND n.done_at IS NULL AND n.follow_up <= ");
	crm_sql_date(&q);
	crm_sql_add(&q, " ORDER BY n.follow_up, n.nid");
	if (rc == CRM_OK)
		rc = crm_sql_write(&q, out, 9, (crm_type[]){CRM_INT, CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT,
							     CRM_INT, CRM_TEXT, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	return rc;
}

/* ---- one note ---- */

/* Whether note nid is there; a deleted one is named as such. */
static int note_exists(crm_db *db, int64_t nid, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT (SELECT count(*) FROM notes WHERE nid = ?1), (SELECT"
			   " deleted_by || ' on ' || substr(deleted_at, 1, 10) FROM note_deletions"
			   " WHERE nid = ?1)", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_int64(st, 1, nid);
	int rc = crm_db_fail(db, err, NULL);
	if (crm_stmt_step(st) == CRM_ROW) {
		const char *deleted = crm_stmt_text(st, 1);
		if (crm_stmt_int(st, 0))
			rc = CRM_OK;
		else if (deleted)
			rc = crm_error_set(err, CRM_EDATA, "note %lld was deleted by %s (crm-note --deleted)",
					   (long long)nid, deleted);
		else
			rc = crm_error_set(err, CRM_EDATA, "no note %lld", (long long)nid);
	}
	crm_stmt_finalize(st);
	return rc;
}

/* Runs one statement about note nid (?1) with text parameters ?2, ?3... */
static int note_exec(crm_db *db, const char *sql, int64_t nid, const char *const *texts, int n,
		     long *changed, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_int64(st, 1, nid);
	for (int i = 0; i < n; i++)
		crm_stmt_bind_text_copy(st, i + 2, texts[i], -1);
	int rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	if (changed)
		*changed = crm_db_changes(db);
	crm_stmt_finalize(st);
	return rc;
}

int crm_note_done(crm_db *db, int64_t nid, const crm_clock *clock, char done_at[20],
		  crm_error *err)
{
	done_at[0] = '\0';
	int rc = crm_db_begin(db, err);
	if (rc == CRM_OK)
		rc = note_exists(db, nid, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &st, "SELECT follow_up IS NOT NULL, done_at FROM notes WHERE nid = ?1",
				    err);
	if (rc == CRM_OK) {
		crm_stmt_bind_int64(st, 1, nid);
		if (crm_stmt_step(st) != CRM_ROW)
			rc = crm_db_fail(db, err, NULL);
		else if (!crm_stmt_int(st, 0))
			rc = crm_error_set(err, CRM_EDATA, "note %lld has no follow-up", (long long)nid);
		else if (crm_stmt_text(st, 1))
			snprintf(done_at, 20, "%s", crm_stmt_text(st, 1));
	}
	crm_stmt_finalize(st);
	if (rc == CRM_OK && !done_at[0])
		rc = note_exec(db, "UPDATE notes SET done_at = ?2 WHERE nid = ?1", nid,
			       (const char *[]){clock->now}, 1, NULL, err);
	return finish(db, rc, err);
}

int crm_note_edit(crm_db *db, int64_t nid, const char *body, const char *author,
		  const crm_clock *clock, bool *changed, crm_error *err)
{
	*changed = false;
	char *text = body_text(body, err);
	if (!text)
		return CRM_EDATA;
	long n = 0;
	int rc = crm_db_begin(db, err);
	if (rc == CRM_OK)
		rc = note_exists(db, nid, err);
	/* the text it had, kept with who replaced it and when */
	if (rc == CRM_OK)
		rc = note_exec(db, "INSERT INTO note_revisions (nid, body, author, revised_at) SELECT nid,"
			       " body, ?3, ?4 FROM notes WHERE nid = ?1 AND body IS NOT ?2", nid,
			       (const char *[]){text, author, clock->now}, 3, &n, err);
	if (rc == CRM_OK && n)
		rc = note_exec(db, "UPDATE notes SET body = ?2, updated_at = ?3 WHERE nid = ?1", nid,
			       (const char *[]){text, clock->now}, 2, NULL, err);
	free(text);
	*changed = n > 0;
	return finish(db, rc, err);
}

const char *const crm_note_history_columns[4] = {"version", "author", "at", "body"};

/* Version k's text was written by whoever made the revision before it (the
 * note's author for the first) at that time; the last is the text now. */
int crm_note_history(crm_db *db, int64_t nid, crm_writer *out, crm_error *err)
{
	if (note_exists(db, nid, err) != CRM_OK)
		return err->code;
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "WITH v(k, body, author, at) AS (SELECT r.rowid, r.body, coalesce(lag(r.author)"
		       " OVER w, n.author), coalesce(lag(r.revised_at) OVER w, n.created_at) FROM"
		       " note_revisions r JOIN notes n USING (nid) WHERE r.nid = ");
	crm_sql_int(&q, nid);
	crm_sql_add(&q, " WINDOW w AS (ORDER BY r.rowid) UNION ALL SELECT 9e18, n.body, coalesce((SELECT"
		       " author FROM note_revisions WHERE nid = n.nid ORDER BY rowid DESC LIMIT 1),"
		       " n.author), n.updated_at FROM notes n WHERE n.nid = ?1) SELECT row_number() OVER"
		       " (ORDER BY k), author, at, body FROM v ORDER BY k");
	int rc = crm_sql_write(&q, out, 4, (crm_type[]){CRM_INT, CRM_TEXT, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	return rc;
}

int crm_note_delete(crm_db *db, int64_t nid, const char *who, const crm_clock *clock,
		    crm_error *err)
{
	int rc = crm_db_begin(db, err);
	if (rc == CRM_OK)
		rc = note_exists(db, nid, err);
	if (rc == CRM_OK)
		rc = note_exec(db, "INSERT INTO note_deletions (nid, cid, deleted_by, deleted_at,"
			       " customer_id, body, category, author, created_at, updated_at, follow_up,"
			       " done_at, revisions) SELECT n.nid, n.cid, ?2, ?3, c.id, n.body, n.category,"
			       " n.author, n.created_at, n.updated_at, n.follow_up, n.done_at, (SELECT"
			       " json_group_array(json_object('body', body, 'author', author, 'revised_at',"
			       " revised_at)) FROM (SELECT * FROM note_revisions WHERE nid = n.nid ORDER BY"
			       " rowid)) FROM notes n JOIN customers c ON c.cid = n.cid WHERE n.nid = ?1",
			       nid, (const char *[]){who, clock->now}, 2, NULL, err);
	if (rc == CRM_OK)
		rc = note_exec(db, "DELETE FROM notes WHERE nid = ?1", nid, NULL, 0, NULL, err);
	return finish(db, rc, err);
}

const char *const crm_note_deleted_columns[8] = {
	"note_id", "customer_id", "category", "author", "created_at", "deleted_by", "deleted_at", "body",
};

int crm_note_deleted(crm_db *db, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "SELECT nid, customer_id, category, author, created_at, deleted_by, deleted_at,"
		       " body FROM note_deletions ORDER BY deleted_at DESC, rowid DESC");
	int rc = crm_sql_write(&q, out, 8, (crm_type[]){CRM_INT, CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT,
							 CRM_TEXT, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	return rc;
}
