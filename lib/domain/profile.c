/* profile.c: one customer's page (客户画像): everything the team knows of
 * it, a section at a time. Each section is one statement that reads only
 * this customer's rows, through the index that starts with its cid (the
 * events section is answered from events_by_customer alone). */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

/* A column's kind: t text, i integer, r real, m money (cents), l list. */
static crm_value column_value(crm_stmt *st, int col, char kind, char *money, size_t moneysz)
{
	if (crm_stmt_is_null(st, col))
		return (crm_value){CRM_NULL, NULL, 0};
	if (kind == 'm') {
		crm_format_amount(crm_stmt_int64(st, col), money, moneysz);
		return (crm_value){CRM_REAL, money, strlen(money)};
	}
	const char *s = crm_stmt_text(st, col);
	crm_type type = kind == 'i' ? CRM_INT : kind == 'r' ? CRM_REAL : kind == 'l' ? CRM_LIST : CRM_TEXT;
	return (crm_value){type, s, (size_t)crm_stmt_bytes(st, col)};
}

/* Runs q and puts each row into the section just begun; kinds has a
 * letter per column. */
static int put_rows(crm_sql *q, crm_page *page, const char *kinds, crm_error *err)
{
	size_t n = strlen(kinds);
	crm_stmt *st = NULL;
	int rc = crm_sql_prepare(q, &st, err);
	crm_value values[16];
	char money[16][32];
	int step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		for (size_t i = 0; i < n; i++)
			values[i] = column_value(st, (int)i, kinds[i], money[i], sizeof money[i]);
		rc = crm_page_put(page, values, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(q->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(q);
	return rc;
}

struct profile {
	crm_db *db;
	int64_t cid;
	const crm_profile_opts *o;
	const crm_clock *clock;
	crm_page *page;
};

static void this_customer(struct profile *p, crm_sql *q, const char *column)
{
	crm_sql_addf(q, "%s = ", column);
	crm_sql_int(q, p->cid);
}

/* A section of fields (stored, custom or computed) read as export reads them. */
static void last_contact_sql(crm_sql *q)
{
	crm_sql_add(q, ", (SELECT max(e.ts) FROM events e WHERE e.cid = c.cid AND e.type = 'contact'"
		       " AND e.ts < ");
	crm_sql_end(q);
	crm_sql_add(q, ")");
}

/* extra: a last column, last_contact (the value section's). */
static int fields_section(struct profile *p, const char *name, const char *spec, bool last_contact,
			  crm_error *err)
{
	const char *extra = last_contact ? "last_contact" : NULL;
	crm_fields *f;
	if (crm_fields_new(&f, p->db, CRM_CUSTOMERS, spec, err) != CRM_OK)
		return err->code;
	size_t n = crm_fields_count(f);
	const char **names = crm_xmalloc((n + 2) * sizeof *names);
	memcpy(names, crm_fields_names(f), n * sizeof *names);
	if (extra)
		names[n] = extra;
	int rc = crm_page_section(p->page, name, n + (extra != NULL), names, true, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT ");
	if (rc == CRM_OK)
		rc = crm_fields_sql(f, &q, err);
	if (extra)
		last_contact_sql(&q);
	crm_sql_add(&q, " FROM customers c WHERE ");
	this_customer(p, &q, "c.cid");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		crm_value *values = crm_xmalloc((n + 2) * sizeof *values);
		crm_fields_row(f, st, values);
		if (extra)
			values[n] = column_value(st, (int)n, 't', NULL, 0);
		rc = crm_page_put(p->page, values, err);
		free(values);
	} else if (rc == CRM_OK) {
		rc = crm_db_fail(p->db, err, NULL);
	}
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	free(names);
	crm_fields_free(f);
	return rc;
}

/* What is computed of a customer: every computed field but its tags, which
 * have a section of their own, and when it was last contacted. */
static int value_section(struct profile *p, crm_error *err)
{
	crm_buf spec = {0};
	for (size_t i = 0; crm_field_computed_name(i); i++)
		if (strcmp(crm_field_computed_name(i), "tags"))
			crm_buf_printf(&spec, "%s%s", spec.len ? "," : "", crm_field_computed_name(i));
	int rc = fields_section(p, "value", spec.p, true, err);
	crm_buf_free(&spec);
	return rc;
}

static int section(struct profile *p, const char *name, size_t n, const char *const *names,
		   crm_error *err)
{
	return crm_page_section(p->page, name, n, names, false, err);
}

static int scores_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"model", "score", "grade", "as_of"};
	int rc = section(p, "scores", 4, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	/* rfm's score is its code (545), its grade the segment */
	crm_sql_add(&q, "SELECT s.model, CASE WHEN s.model = 'rfm' THEN CAST(CAST(s.score AS INTEGER)"
		       " AS TEXT) WHEN s.score = CAST(s.score AS INTEGER) THEN CAST(s.score AS INTEGER)"
		       " ELSE s.score END, s.grade, s.as_of FROM scores s WHERE ");
	this_customer(p, &q, "s.cid");
	crm_sql_add(&q, " AND s.as_of <= "); /* a scoring after D has not happened yet */
	crm_sql_date(&q);
	crm_sql_add(&q, " ORDER BY s.model = 'rfm', s.model");
	return rc == CRM_OK ? put_rows(&q, p->page, "trtt", err) : (crm_sql_free(&q), rc);
}

static int grade_changes_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"model", "as_of", "from", "to"};
	int rc = section(p, "grade_changes", 4, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT g.model, g.as_of, g.from_grade, g.to_grade FROM grade_history g WHERE ");
	this_customer(p, &q, "g.cid");
	crm_sql_add(&q, " AND g.as_of <= ");
	crm_sql_date(&q);
	crm_sql_add(&q, " ORDER BY g.as_of DESC, g.model LIMIT ");
	crm_sql_int(&q, p->o->changes);
	return rc == CRM_OK ? put_rows(&q, p->page, "tttt", err) : (crm_sql_free(&q), rc);
}

/* Who set a tagging, or which rule: its source without "rule:", "user:"
 * or "import:". */
#define TAGGED_BY "substr(ct.source, CASE WHEN ct.source LIKE 'import:%' THEN 8 ELSE 6 END)"

/* How a tag was set: by a rule, by an import (crm-add's tags column), or
 * by hand; and by whom, or by which rule. */
static void tag_how(crm_sql *q)
{
	crm_sql_add(q, "CASE WHEN ct.source LIKE 'rule:%' THEN 'rule' WHEN ct.source LIKE 'import:%'"
		       " THEN 'import' ELSE 'hand' END, " TAGGED_BY);
}

static int tags_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"tag", "category", "how", "by", "tagged_at", "expires_on"};
	int rc = section(p, "tags", 6, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT t.name, t.category, ");
	tag_how(&q);
	crm_sql_add(&q, ", ct.tagged_at, ct.expires_on FROM customer_tags ct JOIN tags t ON t.tid = ct.tid"
		       " WHERE ");
	this_customer(p, &q, "ct.cid");
	crm_sql_add(&q, " AND ct.tagged_at < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " AND (ct.expires_on IS NULL OR ct.expires_on > ");
	crm_sql_date(&q);
	crm_sql_add(&q, ") ORDER BY t.name");
	return rc == CRM_OK ? put_rows(&q, p->page, "tttttt", err) : (crm_sql_free(&q), rc);
}

/* The windows of the events section: D and the N-1 days before it. */
static const int windows[] = {30, 90, 365};

static void window_count(struct profile *p, crm_sql *q, int days, const char *what)
{
	char from[11];
	crm_clock_day(p->clock, -(days - 1), from);
	crm_sql_addf(q, "%s(CASE WHEN e.ts >= ", what);
	crm_sql_text(q, from);
	crm_sql_addf(q, " THEN %s END), ", strcmp(what, "count") ? "e.amount_cents" : "1");
}

static int events_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"type",     "count_30d", "sum_30d", "count_90d",
					    "sum_90d",  "count_1y",  "sum_1y",  "count",
					    "sum",      "first",     "last"};
	int rc = section(p, "events", 11, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT e.type, ");
	for (size_t i = 0; i < sizeof windows / sizeof *windows; i++) {
		window_count(p, &q, windows[i], "count");
		window_count(p, &q, windows[i], "sum");
	}
	crm_sql_add(&q, "count(*), sum(e.amount_cents), min(e.ts), max(e.ts) FROM events e WHERE ");
	this_customer(p, &q, "e.cid");
	crm_sql_add(&q, " AND e.ts < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " GROUP BY e.type ORDER BY count(*) DESC, e.type");
	return rc == CRM_OK ? put_rows(&q, p->page, "timimimimtt", err) : (crm_sql_free(&q), rc);
}

static int products_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"product", "purchases", "amount", "last"};
	int rc = section(p, "products", 4, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT e.product, count(*), sum(e.amount_cents), max(e.ts) FROM events e WHERE ");
	this_customer(p, &q, "e.cid");
	crm_sql_add(&q, " AND e.type = 'purchase' AND e.product IS NOT NULL AND e.ts < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " GROUP BY e.product ORDER BY count(*) DESC, sum(e.amount_cents) DESC, e.product"
		       " LIMIT ");
	crm_sql_int(&q, p->o->top);
	return rc == CRM_OK ? put_rows(&q, p->page, "timt", err) : (crm_sql_free(&q), rc);
}

static int channels_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"channel", "events", "last"};
	int rc = section(p, "channels", 3, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT e.channel, count(*), max(e.ts) FROM events e WHERE ");
	this_customer(p, &q, "e.cid");
	crm_sql_add(&q, " AND e.channel IS NOT NULL AND e.ts < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " GROUP BY e.channel ORDER BY count(*) DESC, e.channel LIMIT ");
	crm_sql_int(&q, p->o->top);
	return rc == CRM_OK ? put_rows(&q, p->page, "tit", err) : (crm_sql_free(&q), rc);
}

static int notes_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"note_id", "created_at", "category", "author",
					    "follow_up", "done_at", "body"};
	int rc = section(p, "notes", 7, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT n.nid, n.created_at, n.category, n.author, n.follow_up, n.done_at, n.body"
		       " FROM notes n WHERE ");
	this_customer(p, &q, "n.cid");
	crm_sql_add(&q, " AND n.created_at < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " ORDER BY n.created_at DESC, n.nid DESC LIMIT ");
	crm_sql_int(&q, p->o->notes);
	return rc == CRM_OK ? put_rows(&q, p->page, "itttttt", err) : (crm_sql_free(&q), rc);
}

/* Open follow-ups, the soonest first: due (on or before D) and later. */
static int follow_ups_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"note_id", "follow_up", "due", "category", "body"};
	int rc = section(p, "follow_ups", 5, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT n.nid, n.follow_up, CASE WHEN n.follow_up < ");
	crm_sql_date(&q);
	crm_sql_add(&q, " THEN 'overdue' WHEN n.follow_up = ");
	crm_sql_date(&q);
	crm_sql_add(&q, " THEN 'today' ELSE 'later' END, n.category, n.body FROM notes n WHERE ");
	this_customer(p, &q, "n.cid");
	crm_sql_add(&q, " AND n.follow_up IS NOT NULL AND n.done_at IS NULL AND n.created_at < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " ORDER BY n.follow_up, n.nid");
	return rc == CRM_OK ? put_rows(&q, p->page, "itttt", err) : (crm_sql_free(&q), rc);
}

/* The campaigns it was put on (crm-export --campaign records a contact). */
static int campaigns_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"campaign", "contacts", "first", "last"};
	int rc = section(p, "campaigns", 4, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT x.campaign, count(*), min(x.ts), max(x.ts) FROM (SELECT ");
	crm_sql_json_field(&q, "e.attrs", "campaign");
	crm_sql_add(&q, " AS campaign, e.ts FROM events e WHERE ");
	this_customer(p, &q, "e.cid");
	crm_sql_add(&q, " AND e.type = 'contact' AND e.ts < ");
	crm_sql_end(&q);
	crm_sql_add(&q, ") x GROUP BY x.campaign ORDER BY max(x.ts) DESC, x.campaign");
	return rc == CRM_OK ? put_rows(&q, p->page, "titt", err) : (crm_sql_free(&q), rc);
}

/* The changes of this customer, newest first: what its rows say of when
 * they were made (created, tagged, graded, noted, contacted) and the
 * commands of the audit trail that named it. */
/* The ids that name the customer: its own, and those merged into it. */
static int names_of(struct profile *p, crm_buf *names, size_t *n, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	crm_sql_add(&q, "SELECT c.id FROM customers c WHERE c.cid = ");
	crm_sql_int(&q, p->cid);
	if (p->db->schema_version >= 5) {
		crm_sql_add(&q, " UNION ALL SELECT a.id FROM aliases a WHERE a.cid = ");
		crm_sql_int(&q, p->cid);
	}
	crm_stmt *st = NULL;
	int rc = crm_sql_prepare(&q, &st, err), step = CRM_DONE;
	for (*n = 0; rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW; ++*n) {
		crm_buf_adds(names, crm_stmt_text(st, 0));
		crm_buf_addc(names, '\0');
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(p->db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

/* The commands of the trail that named the customer, by its id or by an
 * id merged into it, the latest first: read from the newest row back, each
 * row tested first as text (quick), then by the arguments it holds. */
static int named_in_trail(struct profile *p, crm_sql *q, crm_error *err)
{
	crm_buf names = {0};
	size_t n;
	int rc = names_of(p, &names, &n, err);
	crm_sql_add(q, " UNION ALL SELECT * FROM (SELECT a.at, 'command', a.command, a.user, a.args"
		       " FROM audit a WHERE a.at < ");
	crm_sql_end(q);
	crm_sql_add(q, " AND (");
	const char *name = names.p;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1) {
		char *quoted = crm_audit_arg_json(name);
		crm_sql_add(q, i ? " OR " : "");
		crm_sql_text_contains(q, "a.args", quoted);
		free(quoted);
	}
	crm_sql_add(q, n ? ") AND " : "0) AND ");
	crm_sql_json_array_in_open(q, "a.args");
	name = names.p;
	for (size_t i = 0; i < n; i++, name += strlen(name) + 1) {
		crm_sql_add(q, i ? ", " : "");
		crm_sql_text(q, name);
	}
	crm_sql_json_array_in_close(q);
	crm_sql_add(q, " ORDER BY a.aid DESC LIMIT ");
	crm_sql_int(q, p->o->changes);
	crm_sql_add(q, ")");
	crm_buf_free(&names);
	return rc;
}

static int changes_sql(struct profile *p, crm_sql *q, crm_error *err)
{
	static const char *const parts[] = {
		"SELECT c.created_at AS at, 'created' AS what, NULL AS detail, NULL AS who, NULL AS args"
		" FROM customers c WHERE c.cid = ",
		" UNION ALL SELECT c.updated_at, 'updated', NULL, NULL, NULL FROM customers c"
		" WHERE c.updated_at > c.created_at AND c.cid = ",
		" UNION ALL SELECT ct.tagged_at, 'tagged', t.name,"
		" " TAGGED_BY ", NULL FROM customer_tags ct"
		" JOIN tags t ON t.tid = ct.tid WHERE ct.cid = ",
		" UNION ALL SELECT g.as_of, 'graded', g.model || ': ' || coalesce(g.from_grade, 'none')"
		" || ' -> ' || coalesce(g.to_grade, 'none'), NULL, NULL FROM grade_history g WHERE g.cid = ",
		" UNION ALL SELECT n.created_at, 'note', '#' || CAST(n.nid AS TEXT) || ' ' || n.category,"
		" n.author, NULL FROM notes n WHERE n.cid = ",
		" UNION ALL SELECT n.updated_at, 'note edited', '#' || CAST(n.nid AS TEXT), NULL, NULL"
		" FROM notes n WHERE n.updated_at > n.created_at AND n.cid = ",
		" UNION ALL SELECT n.done_at, 'follow-up done', '#' || CAST(n.nid AS TEXT), NULL, NULL"
		" FROM notes n WHERE n.done_at IS NOT NULL AND n.cid = ",
	};
	crm_sql_add(q, "SELECT at, what, detail, who, args FROM (");
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) { /* each ends "cid = " */
		crm_sql_add(q, parts[i]);
		crm_sql_int(q, p->cid);
	}
	crm_sql_add(q, " UNION ALL SELECT e.ts, 'contacted', ");
	crm_sql_json_field(q, "e.attrs", "campaign");
	crm_sql_add(q, ", NULL, NULL FROM events e WHERE e.type = 'contact' AND ");
	this_customer(p, q, "e.cid");
	int rc = p->db->schema_version >= 3 ? named_in_trail(p, q, err) : CRM_OK;
	crm_sql_add(q, ") x WHERE at < ");
	crm_sql_end(q);
	crm_sql_add(q, " ORDER BY at DESC, what LIMIT ");
	crm_sql_int(q, p->o->changes);
	return rc;
}

static int changes_section(struct profile *p, crm_error *err)
{
	static const char *const names[] = {"at", "what", "detail", "by"};
	int rc = section(p, "changes", 4, names, err);
	crm_sql q;
	crm_sql_init(&q, p->db, p->clock);
	if (rc == CRM_OK)
		rc = changes_sql(p, &q, err);
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	int step = CRM_DONE;
	crm_buf line = {0};
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW) {
		crm_value v[4];
		for (int i = 0; i < 4; i++)
			v[i] = column_value(st, i, 't', NULL, 0);
		/* a command: its line, as the trail shows it; masked, its name alone */
		if (!crm_stmt_is_null(st, 4) && !p->o->masked) {
			crm_buf_reset(&line);
			crm_audit_command_line(&line, crm_stmt_text(st, 2), crm_stmt_text(st, 4));
			v[2] = (crm_value){CRM_TEXT, line.p, line.len};
		}
		rc = crm_page_put(p->page, v, err);
	}
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(p->db, err, NULL);
	crm_buf_free(&line);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

/* The customer's cid: by id, else by an id merged into it. */
static int find(crm_db *db, const char *id, int64_t *cid, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT cid FROM customers WHERE id = ?1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, id, -1);
	int step = crm_stmt_step(st);
	*cid = step == CRM_ROW ? crm_stmt_int64(st, 0) : 0;
	crm_stmt_finalize(st);
	if (step != CRM_ROW && step != CRM_DONE)
		return crm_db_fail(db, err, NULL);
	if (!*cid && crm_alias_lookup(db, id, cid, NULL, err) != CRM_OK)
		return CRM_EDB;
	return *cid ? CRM_OK : crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
}

int crm_profile_write(crm_db *db, const char *id, const crm_profile_opts *o,
		      const crm_clock *clock, crm_page *page, crm_error *err)
{
	struct profile p = {.db = db, .o = o, .clock = clock, .page = page};
	int (*const sections[])(struct profile *, crm_error *) = {
		value_section,   scores_section,     grade_changes_section, tags_section,
		events_section,  products_section,   channels_section,      notes_section,
		follow_ups_section, campaigns_section, changes_section,
	};
	int rc = crm_db_snapshot(db, err);
	if (rc != CRM_OK)
		return rc;
	rc = find(db, id, &p.cid, err);
	if (rc == CRM_OK)
		rc = fields_section(&p, "customer", NULL, false, err);
	for (size_t i = 0; rc == CRM_OK && i < sizeof sections / sizeof *sections; i++)
		rc = sections[i](&p, err);
	crm_error ignored;
	if (crm_db_commit(db, rc == CRM_OK ? err : &ignored) != CRM_OK && rc == CRM_OK)
		rc = CRM_EDB;
	return rc;
}

int crm_profile_choose(crm_db *db, const crm_expr *where, const crm_clock *clock, char **id,
		       long *n, crm_error *err)
{
	*id = NULL;
	*n = 0;
	int rc = CRM_OK;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT c.id FROM customers c WHERE c.cid IN (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ") LIMIT 2");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	int step = CRM_DONE;
	while (rc == CRM_OK && (step = crm_stmt_step(st)) == CRM_ROW)
		if (++*n == 1)
			*id = crm_xstrdup(crm_stmt_text(st, 0));
	if (rc == CRM_OK && step != CRM_DONE)
		rc = crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}
