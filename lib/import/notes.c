/* notes.c (import): notes from another system, all in one transaction. A record
 * names its customer (customer_id, else id) and gives the text (body); the
 * rest is optional. A note already there (same customer, time and text) is
 * counted unchanged, so an import can be run again. */
#include <stdlib.h>
#include <string.h>

#include "import/import.h"

enum { N_CUSTOMER, N_BODY, N_CATEGORY, N_AUTHOR, N_FOLLOW_UP, N_CREATED, N_COUNT };

/* The fields, as the reader names them (headers.c knows 备注, 内容, ...). */
static const char *const field_names[N_COUNT] = {
	[N_CUSTOMER] = "customer_id", [N_BODY] = "body", [N_CATEGORY] = "category",
	[N_AUTHOR] = "author", [N_FOLLOW_UP] = "follow_up", [N_CREATED] = "created_at",
};

struct crm_note_import {
	crm_db *db;
	const crm_clock *clock;
	enum crm_date_order dates;
	char *author;
	bool dry_run;
	int64_t first, next;
	char *fts_trigger; /* notes_fts_insert's SQL while it is set aside */
	crm_stmt *customer, *same, *insert, *category;
	crm_note_import_counts counts;
};

static const crm_value *field(const crm_record *rec, int f)
{
	const crm_value *v = crm_record_get(rec, field_names[f]);
	return v || f != N_CUSTOMER ? v : crm_record_get(rec, "id");
}

static const char *text(const crm_record *rec, int f)
{
	const crm_value *v = field(rec, f);
	return v && v->s && v->len ? v->s : NULL;
}

/* The text index takes the new notes once, in id order, at the end: a row
 * at a time through the trigger made a million notes 4 times slower. The
 * trigger is set aside inside the transaction, so a failure puts it back. */
static int set_index_aside(crm_note_import *imp, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(imp->db, &st, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND"
			   " name = 'notes_fts_insert'", err) != CRM_OK)
		return CRM_EDB;
	if (crm_stmt_step(st) == CRM_ROW)
		imp->fts_trigger = crm_xstrdup(crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	return imp->fts_trigger ? crm_db_exec(imp->db, "DROP TRIGGER notes_fts_insert", err) : CRM_OK;
}

static int index_new_notes(crm_note_import *imp, crm_error *err)
{
	if (!imp->fts_trigger)
		return CRM_OK;
	crm_sql q;
	crm_sql_init(&q, imp->db, NULL);
	crm_sql_add(&q, "INSERT INTO notes_fts (rowid, body) SELECT nid, body FROM notes WHERE nid >= ");
	crm_sql_int(&q, imp->first);
	crm_sql_add(&q, " ORDER BY nid");
	int rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc == CRM_OK ? crm_db_exec(imp->db, imp->fts_trigger, err) : rc;
}

int crm_note_import_begin(crm_note_import **out, crm_db *db, const char *author,
			  const crm_clock *clock, bool dry_run, crm_error *err)
{
	crm_note_import *imp = crm_xmalloc(sizeof *imp);
	*imp = (crm_note_import){.db = db, .clock = clock, .author = crm_xstrdup(author),
				 .dry_run = dry_run};
	*out = imp;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	long last = crm_db_count(db, "SELECT max(coalesce((SELECT max(nid) FROM notes), 0),"
				 " coalesce((SELECT max(nid) FROM note_deletions), 0))");
	imp->first = imp->next = last + 1;
	if (last < 0 || set_index_aside(imp, err) != CRM_OK ||
	    crm_db_prepare(db, &imp->customer, "SELECT cid FROM customers WHERE id = ?1", err) ||
	    crm_db_prepare(db, &imp->same, "SELECT 1 FROM notes WHERE cid = ?1 AND created_at = ?2"
			   " AND body = ?3", err) ||
	    crm_db_prepare(db, &imp->insert, "INSERT INTO notes (nid, cid, body, category, author,"
			   " created_at, updated_at, follow_up) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
			   err) ||
	    crm_db_prepare(db, &imp->category, "SELECT 1 FROM note_categories WHERE name = ?1", err))
		return crm_db_fail(db, err, NULL);
	return CRM_OK;
}

/* A record's values, checked and normalized. */
struct note_in {
	int64_t cid;
	const char *body, *category, *author;
	size_t body_len;
	char follow_up[32], created[32];
};

static int find_customer(crm_note_import *imp, const crm_record *rec, struct note_in *n,
			 crm_error *err)
{
	const char *id = text(rec, N_CUSTOMER);
	if (!id)
		return crm_error_set(err, CRM_EDATA, "customer_id: missing");
	crm_stmt_reset(imp->customer);
	crm_stmt_bind_text_copy(imp->customer, 1, id, -1);
	int rc = crm_stmt_step(imp->customer);
	if (rc == CRM_ROW) {
		n->cid = crm_stmt_int64(imp->customer, 0);
		return CRM_OK;
	}
	if (rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	char *target; /* a merged id: the customer it is merged into */
	if (crm_alias_of(imp->db, id, &target, err) != CRM_OK)
		return CRM_EDB;
	if (target) {
		crm_stmt_reset(imp->customer);
		crm_stmt_bind_text_copy(imp->customer, 1, target, -1);
		free(target);
		if (crm_stmt_step(imp->customer) == CRM_ROW) {
			n->cid = crm_stmt_int64(imp->customer, 0);
			return CRM_OK;
		}
	}
	return crm_error_set(err, CRM_EDATA, "customer_id: no customer '%s'", id);
}

static int check_category(crm_note_import *imp, const char *name, crm_error *err)
{
	crm_stmt_reset(imp->category);
	crm_stmt_bind_text_copy(imp->category, 1, name, -1);
	int rc = crm_stmt_step(imp->category);
	if (rc == CRM_ROW)
		return CRM_OK;
	if (rc != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	crm_note_category_check(imp->db, name, err); /* the message with the known ones */
	char why[sizeof err->msg];
	snprintf(why, sizeof why, "%s", err->msg);
	return crm_error_set(err, CRM_EDATA, "category: %s", why);
}

static int read_note(crm_note_import *imp, const crm_record *rec, struct note_in *n, crm_error *err)
{
	if (find_customer(imp, rec, n, err) != CRM_OK)
		return err->code;
	const char *body = text(rec, N_BODY);
	n->body_len = body ? strlen(body) : 0;
	n->body = body ? crm_trim(body, &n->body_len) : NULL;
	if (!n->body || !n->body_len)
		return crm_error_set(err, CRM_EDATA, "body: a note needs text");
	if (crm_note_text_check(n->body, n->body_len, err) != CRM_OK)
		return CRM_EDATA;
	n->category = text(rec, N_CATEGORY);
	if (!n->category)
		n->category = "其他";
	else if (check_category(imp, n->category, err) != CRM_OK)
		return err->code;
	n->author = text(rec, N_AUTHOR) ? text(rec, N_AUTHOR) : imp->author;
	const char *follow = text(rec, N_FOLLOW_UP), *created = text(rec, N_CREATED);
	crm_error why;
	n->follow_up[0] = '\0';
	if (follow && crm_norm_date_as(follow, imp->dates, n->follow_up, sizeof n->follow_up,
				       &why) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "follow_up: %s", why.msg);
	snprintf(n->created, sizeof n->created, "%s", imp->clock->now);
	if (created && crm_norm_timestamp_as(created, imp->dates, n->created, sizeof n->created,
					     &why) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "created_at: %s", why.msg);
	return CRM_OK;
}

static bool already_there(crm_note_import *imp, const struct note_in *n)
{
	crm_stmt_reset(imp->same);
	crm_stmt_bind_int64(imp->same, 1, n->cid);
	crm_stmt_bind_text(imp->same, 2, n->created, -1);
	crm_stmt_bind_text(imp->same, 3, n->body, (int)n->body_len);
	return crm_stmt_step(imp->same) == CRM_ROW;
}

static int store(crm_note_import *imp, const struct note_in *n, crm_error *err)
{
	crm_stmt *st = imp->insert;
	crm_stmt_reset(st);
	crm_stmt_bind_int64(st, 1, imp->next);
	crm_stmt_bind_int64(st, 2, n->cid);
	crm_stmt_bind_text(st, 3, n->body, (int)n->body_len);
	crm_stmt_bind_text(st, 4, n->category, -1);
	crm_stmt_bind_text(st, 5, n->author, -1);
	crm_stmt_bind_text(st, 6, n->created, -1);
	crm_stmt_bind_text_or_null(st, 7, n->follow_up);
	if (crm_stmt_step(st) != CRM_DONE)
		return crm_db_fail(imp->db, err, NULL);
	imp->next++;
	return CRM_OK;
}

int crm_note_import_record(crm_note_import *imp, const crm_record *rec, crm_error *err)
{
	crm_error_clear(err);
	struct note_in n;
	int rc = read_note(imp, rec, &n, err);
	if (rc == CRM_EDATA)
		imp->counts.rejected++;
	if (rc != CRM_OK)
		return rc;
	if (already_there(imp, &n)) {
		imp->counts.unchanged++;
		return CRM_OK;
	}
	rc = store(imp, &n, err);
	if (rc == CRM_OK)
		imp->counts.added++;
	return rc;
}

const char *crm_note_import_unknown(const crm_record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		bool known = !*rec->names[i] || !strcmp(rec->names[i], "id") ||
			     !strcmp(rec->names[i], "error");
		for (int f = 0; f < N_COUNT && !known; f++)
			known = !strcmp(rec->names[i], field_names[f]);
		if (!known)
			return rec->names[i];
	}
	return NULL;
}

void crm_note_import_dates(crm_note_import *imp, enum crm_date_order dates)
{
	imp->dates = dates;
}

int crm_note_import_end(crm_note_import *imp, bool commit, crm_note_import_counts *counts,
			crm_error *err)
{
	if (!imp)
		return CRM_OK;
	if (counts)
		*counts = imp->counts;
	crm_stmt_finalize(imp->customer);
	crm_stmt_finalize(imp->same);
	crm_stmt_finalize(imp->insert);
	crm_stmt_finalize(imp->category);
	crm_db *db = imp->db;
	bool keep = commit && !imp->dry_run;
	int rc = keep ? index_new_notes(imp, err) : CRM_OK;
	free(imp->fts_trigger);
	free(imp->author);
	free(imp);
	if (keep && rc == CRM_OK)
		return crm_db_commit(db, err);
	crm_db_rollback(db);
	return rc;
}
