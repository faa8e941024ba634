/* tags.c: tags (标签管理): the catalog, tagging by hand, rules applied as set
 * operations, and the audit. A tagging remembers its source ("user:NAME" or
 * "rule:NAME"), when, and the day it lapses. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

#define TAG_CHARS_MAX 30

static const char *const categories[] = {"basic", "behavior", "interest", "relationship", "custom"};

/* A tagging counts while it has not lapsed: expires_on is the first day it
 * no longer does. Conditions over customer_tags ct, D bound. */
static void active(crm_sql *q, const char *alias)
{
	crm_sql_addf(q, "(%s.expires_on IS NULL OR %s.expires_on > ", alias, alias);
	crm_sql_date(q);
	crm_sql_add(q, ")");
}

/* ---- names ---- */

int crm_tag_name_check(const char *name, crm_error *err)
{
	size_t len = strlen(name), chars = 0;
	if (!len)
		return crm_error_set(err, CRM_EDATA, "a tag needs a name");
	if (crm_utf8_valid_prefix(name, len) != len)
		return crm_error_set(err, CRM_EDATA, "tag '%s': invalid UTF-8", name);
	size_t trimmed = len;
	const char *t = crm_trim(name, &trimmed);
	if (t != name || trimmed != len)
		return crm_error_set(err, CRM_EDATA, "tag '%s': no space at its start or end", name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			return crm_error_set(err, CRM_EDATA, "tag '%s': control characters are not allowed", name);
		if (*p == ',' || *p == ';' || *p == '|')
			return crm_error_set(err, CRM_EDATA, "tag '%s': '%c' is not allowed in a tag name",
					     name, *p);
		chars += (*p & 0xC0) != 0x80;
	}
	if (chars > TAG_CHARS_MAX)
		return crm_error_set(err, CRM_EDATA, "tag '%s': longer than %d characters", name,
				     TAG_CHARS_MAX);
	return CRM_OK;
}

/* The key names are compared by for near-duplicates: full-width forms made
 * half-width, ASCII lower-cased, spaces dropped (VIP, vip, ＶＩＰ, V I P). */
void crm_tag_key(const char *name, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name), i = 0, n = 0;
	while (i < len && n + 5 < outsz) {
		uint32_t cp;
		size_t k = crm_utf8_decode(s + i, len - i, &cp);
		if (!k) {
			cp = s[i];
			k = 1;
		}
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		if (cp == 0x3000 || cp == ' ' || cp == '\t') {
			i += k;
			continue;
		}
		if (cp < 0x80) {
			out[n++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		} else {
			memcpy(out + n, s + i, k);
			n += k;
		}
		i += k;
	}
	out[n] = '\0';
}

/* The existing tag that name is a near-duplicate of, or NULL; caller frees. */
static int near_duplicate(crm_db *db, const char *name, char **other, crm_error *err)
{
	char key[256], k2[256];
	*other = NULL;
	crm_tag_key(name, key, sizeof key);
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT name FROM tags WHERE name <> ?1 ORDER BY tid", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	while (!*other && crm_stmt_step(st) == CRM_ROW) {
		const char *n = crm_stmt_text(st, 0);
		crm_tag_key(n, k2, sizeof k2);
		if (!strcmp(key, k2))
			*other = crm_xstrdup(n);
	}
	crm_stmt_finalize(st);
	return CRM_OK;
}

/* ---- the catalog ---- */

static bool known_category(const char *c)
{
	for (size_t i = 0; i < sizeof categories / sizeof *categories; i++)
		if (!strcmp(categories[i], c))
			return true;
	return false;
}

/* Defines a tag (or changes its category, description or group). Inside the
 * caller's transaction. */
static int define(crm_db *db, const crm_tag_def *d, const crm_clock *clock, crm_error *err)
{
	if (crm_tag_name_check(d->name, err) != CRM_OK)
		return CRM_EDATA;
	if (d->category && !known_category(d->category))
		return crm_error_set(err, CRM_EUSAGE,
				     "'%s' is not a category (basic, behavior, interest, relationship, custom)",
				     d->category);
	int64_t tid;
	if (crm_name_find(db, CRM_CATALOG_TAG, d->name, &tid, err) != CRM_OK)
		return CRM_EDB;
	if (!tid && !d->force) {
		char *other;
		if (near_duplicate(db, d->name, &other, err) != CRM_OK)
			return CRM_EDB;
		if (other) {
			crm_error_set(err, CRM_EDATA, "tag '%s' is too close to the existing tag '%s' (use that,"
				      " or --force to keep both)", d->name, other);
			free(other);
			return CRM_EDATA;
		}
	}
	crm_stmt *st;
	if (crm_db_prepare(db, &st,
			   "INSERT INTO tags (name, category, description, grp, created_at)"
			   " VALUES (?1, coalesce(?2, 'custom'), ?3, ?4, ?5) ON CONFLICT (name) DO UPDATE SET"
			   " category = coalesce(?2, category), description = coalesce(?3, description),"
			   " grp = coalesce(?4, grp)", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, d->name, -1);
	crm_stmt_bind_text_or_null(st, 2, d->category);
	crm_stmt_bind_text_or_null(st, 3, d->description);
	crm_stmt_bind_text_or_null(st, 4, d->group);
	crm_stmt_bind_text(st, 5, clock->now, -1);
	int rc = crm_stmt_step(st);
	crm_stmt_finalize(st);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

/* Runs fn in a transaction: committed when it succeeds, else rolled back. */
static int in_transaction(crm_db *db, int rc, crm_error *err)
{
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

int crm_tag_define(crm_db *db, const crm_tag_def *d, const crm_clock *clock, crm_error *err)
{
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	return in_transaction(db, define(db, d, clock, err), err);
}

/* Runs one statement over two ids (?1, ?2) and an optional text (?3). */
static int run_bound(crm_db *db, const char *sql, int64_t a, int64_t b,
		     const char *text, long *changes, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	int params = crm_stmt_param_count(st);
	crm_stmt_bind_int64(st, 1, a);
	if (params >= 2)
		crm_stmt_bind_int64(st, 2, b);
	if (params >= 3)
		crm_stmt_bind_text_or_null(st, 3, text);
	int rc = crm_stmt_step(st);
	if (changes)
		*changes = crm_db_changes(db);
	crm_stmt_finalize(st);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_tag_rename(crm_db *db, const char *from, const char *to, bool force, crm_error *err)
{
	int64_t tid, exists;
	if (!strcmp(from, to))
		return crm_error_set(err, CRM_EUSAGE, "--rename %s %s: that is its name already", from, to);
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_name_need(db, CRM_CATALOG_TAG, from, &tid, err);
	if (rc == CRM_OK)
		rc = crm_tag_name_check(to, err);
	if (rc == CRM_OK && (rc = crm_name_find(db, CRM_CATALOG_TAG, to, &exists, err)) == CRM_OK &&
	    exists)
		rc = crm_error_set(err, CRM_EDATA, "tag '%s' exists: --merge-tags %s %s moves the customers"
				   " of '%s' to it", to, to, from, from);
	char *other = NULL;
	if (rc == CRM_OK && !force && (rc = near_duplicate(db, to, &other, err)) == CRM_OK && other &&
	    strcmp(other, from) != 0)
		rc = crm_error_set(err, CRM_EDATA, "tag '%s' is too close to the existing tag '%s' (use that,"
				   " or --force)", to, other);
	free(other);
	if (rc == CRM_OK)
		rc = run_bound(db, "UPDATE tags SET name = ?3 WHERE tid = ?1", tid, 0, to, NULL, err);
	return in_transaction(db, rc, err);
}

/* A tagging that lapsed before D, as of ?3 (it counts for nothing). */
#define LAPSED(t) "(" t ".expires_on IS NOT NULL AND " t ".expires_on <= ?3)"

/* A customer who has both keeps one tagging of the tag kept: the earliest
 * (they have carried what it means since then), lapsing with the later of
 * the two (never, if either never lapses), and a person's rather than a
 * rule's, so that no rule takes away what a person gave. A lapsed tagging
 * gives nothing to the other. ?1 the tag merged, ?2 the one kept, ?3 D. */
static const char join_sql[] =
	"UPDATE customer_tags AS k SET"
	" source = CASE WHEN " LAPSED("k") " THEN f.source WHEN " LAPSED("f") " THEN k.source"
	" WHEN k.source LIKE 'rule:%' AND f.source NOT LIKE 'rule:%' THEN f.source ELSE k.source END,"
	" tagged_at = CASE WHEN " LAPSED("k") " THEN f.tagged_at WHEN " LAPSED("f") " THEN k.tagged_at"
	" ELSE min(k.tagged_at, f.tagged_at) END,"
	" expires_on = CASE WHEN " LAPSED("k") " THEN f.expires_on WHEN " LAPSED("f") " THEN k.expires_on"
	" WHEN k.expires_on IS NULL OR f.expires_on IS NULL THEN NULL"
	" ELSE max(k.expires_on, f.expires_on) END"
	" FROM customer_tags AS f WHERE k.tid = ?2 AND f.tid = ?1 AND f.cid = k.cid";

/* One tag's taggings and rules move to the tag kept; the tag goes. Inside
 * the caller's transaction. */
static int merge_one(crm_db *db, int64_t from, int64_t keep, const crm_clock *clock,
		     crm_tag_merge_counts *counts, crm_error *err)
{
	long joined = 0, moved = 0, rules = 0;
	/* The customers who get the tag kept lose its group's other tags, as
	 * when a person tags them with it. */
	int rc = run_bound(db, "DELETE FROM customer_tags WHERE tid IN (SELECT o.tid FROM tags o, tags t"
			   " WHERE t.tid = ?2 AND o.grp = t.grp AND o.tid NOT IN (?1, ?2)) AND cid IN"
			   " (SELECT cid FROM customer_tags WHERE tid = ?1 AND (expires_on IS NULL OR"
			   " expires_on > ?3))", from, keep, clock->date, NULL, err);
	if (rc == CRM_OK)
		rc = run_bound(db, join_sql, from, keep, clock->date, &joined, err);
	if (rc == CRM_OK)
		rc = run_bound(db, "DELETE FROM customer_tags WHERE tid = ?1 AND cid IN"
			       " (SELECT cid FROM customer_tags WHERE tid = ?2)", from, keep, NULL, NULL, err);
	if (rc == CRM_OK)
		rc = run_bound(db, "UPDATE customer_tags SET tid = ?2 WHERE tid = ?1", from, keep, NULL,
			       &moved, err);
	if (rc == CRM_OK)
		rc = run_bound(db, "UPDATE tag_rules SET tid = ?2 WHERE tid = ?1", from, keep, NULL, &rules,
			       err);
	if (rc == CRM_OK)
		rc = run_bound(db, "DELETE FROM tags WHERE tid = ?1", from, 0, NULL, NULL, err);
	counts->joined += joined;
	counts->moved += moved;
	counts->rules += rules;
	return rc;
}

/* Each tag once, and not the one kept: a usage error otherwise. */
static int merge_check(const char *keep, const char *const *from, size_t n, crm_error *err)
{
	if (!n)
		return crm_error_set(err, CRM_EUSAGE, "no tag to merge into '%s'", keep);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(from[i], keep))
			return crm_error_set(err, CRM_EUSAGE, "a tag cannot be merged into itself ('%s')", keep);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(from[i], from[j]))
				return crm_error_set(err, CRM_EUSAGE, "tag '%s' is given twice", from[i]);
	}
	return CRM_OK;
}

int crm_tag_merge(crm_db *db, const char *keep, const char *const *from, size_t n,
		  const crm_clock *clock, crm_tag_merge_counts *counts, crm_error *err)
{
	*counts = (crm_tag_merge_counts){0};
	if (merge_check(keep, from, n, err) != CRM_OK)
		return CRM_EUSAGE;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int64_t kept, tid;
	int rc = crm_name_need(db, CRM_CATALOG_TAG, keep, &kept, err);
	for (size_t i = 0; rc == CRM_OK && i < n; i++)
		if ((rc = crm_name_need(db, CRM_CATALOG_TAG, from[i], &tid, err)) == CRM_OK)
			rc = merge_one(db, tid, kept, clock, counts, err);
	return in_transaction(db, rc, err);
}

/* Where text in a table (name, text) calls tag('name'): a line "kind 'NAME'"
 * each. */
static int mentions_in(crm_db *db, const char *sql, const char *kind, const char *name,
		       crm_buf *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	int rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		if (crm_expr_text_uses_tag(crm_stmt_text(st, 1), name))
			crm_buf_printf(out, "%s%s '%s'", out->len ? "\n" : "", kind,
				       crm_stmt_text(st, 0));
	rc = rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

/* The models whose latest version has a rule that calls tag('name'). A
 * model that no longer compiles is left to say so where it is used. */
static int model_mentions(crm_db *db, const char *name, crm_buf *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT DISTINCT name FROM models ORDER BY name", err) != CRM_OK)
		return CRM_EDB;
	int rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *model = crm_stmt_text(st, 0);
		crm_model *m;
		if (crm_model_load(&m, db, model, NULL) != CRM_OK)
			continue;
		bool uses = false;
		for (size_t i = 0; i < m->nrules && !uses; i++)
			uses = crm_expr_text_uses_tag(m->rules[i].expr, name);
		if (uses)
			crm_buf_printf(out, "%smodel '%s'", out->len ? "\n" : "", model);
		crm_model_free(m);
	}
	rc = rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

int crm_tag_mention_list(crm_db *db, const char *name, char **mentions, crm_error *err)
{
	crm_buf out = {0};
	*mentions = NULL;
	int rc = mentions_in(db, "SELECT name, expr FROM segments ORDER BY name", "segment", name, &out,
			     err);
	if (rc == CRM_OK)
		rc = mentions_in(db, "SELECT name, expr FROM tag_rules ORDER BY name", "rule", name, &out,
				 err);
	if (rc == CRM_OK)
		rc = model_mentions(db, name, &out, err);
	if (rc == CRM_OK)
		*mentions = out.p;
	else
		crm_buf_free(&out);
	return rc;
}

int crm_tag_delete(crm_db *db, const char *name, bool force, long *removed, crm_error *err)
{
	int64_t tid;
	*removed = 0;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_name_need(db, CRM_CATALOG_TAG, name, &tid, err);
	crm_stmt *st;
	long used = 0, rules = 0;
	if (rc == CRM_OK && (rc = crm_db_prepare(db, &st,
			"SELECT (SELECT count(*) FROM customer_tags WHERE tid = ?1),"
			" (SELECT count(*) FROM tag_rules WHERE tid = ?1)", err)) == CRM_OK) {
		crm_stmt_bind_int64(st, 1, tid);
		if (crm_stmt_step(st) == CRM_ROW) {
			used = (long)crm_stmt_int64(st, 0);
			rules = (long)crm_stmt_int64(st, 1);
		}
		crm_stmt_finalize(st);
	}
	if (rc == CRM_OK && (used || rules) && !force)
		rc = crm_error_set(err, CRM_EDATA, "tag '%s' is in use (%ld customers, %ld rules):"
				   " --force deletes it with them", name, used, rules);
	if (rc == CRM_OK) {
		*removed = used;
		rc = run_bound(db, "DELETE FROM tags WHERE tid = ?1", tid, 0, NULL, NULL, err);
	}
	return in_transaction(db, rc, err);
}

const char *const crm_tag_list_columns[5] = {"tag", "category", "group", "description", "customers"};

int crm_tag_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT t.name, t.category, t.grp, t.description, (SELECT count(*) FROM"
		       " customer_tags ct WHERE ct.tid = t.tid AND ");
	active(&q, "ct");
	crm_sql_add(&q, ") FROM tags t ORDER BY t.category, t.grp IS NULL, t.grp, t.name");
	int rc = crm_sql_write(&q, out, 5, (crm_type[]){CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_INT}, err);
	crm_sql_free(&q);
	return rc;
}

/* ---- tagging by hand ---- */

static long tags_max(crm_db *db, crm_error *err)
{
	char *value;
	if (crm_setting_get(db, "tags.max", &value, err) != CRM_OK)
		return -1;
	long n = strtol(value, NULL, 10);
	free(value);
	return n;
}

static long catalog_size(crm_db *db)
{
	return crm_db_count(db, "SELECT count(*) FROM tags");
}

/* No customer among the ones just tagged may carry more than tags.max tags:
 * those the selection chooses, or (rules) those a change added a tag to. */
enum check_over { CHECK_CHOSEN, CHECK_CHANGES };

static int check_max(crm_db *db, const crm_clock *clock, const crm_expr *where,
		     enum check_over over, crm_error *err)
{
	long max = tags_max(db, err), ntags = catalog_size(db);
	if (max < 0)
		return CRM_EDB;
	if (ntags <= max) /* no customer can carry more tags than there are */
		return CRM_OK;
	int rc = CRM_OK;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT c.id, count(*) FROM customer_tags ct JOIN customers c ON c.cid = ct.cid"
		       " WHERE ");
	active(&q, "ct");
	crm_sql_add(&q, " AND ct.cid IN (");
	if (over == CHECK_CHANGES)
		crm_sql_add(&q, "SELECT cid FROM temp.tag_changes WHERE change = '+'");
	else
		crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ") GROUP BY ct.cid HAVING count(*) > ");
	crm_sql_int(&q, max);
	crm_sql_add(&q, " LIMIT 1");
	crm_stmt *st = NULL;
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &st, err);
	if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW)
		rc = crm_error_set(err, CRM_EDATA, "customer '%s' would have %lld tags (tags.max is %ld:"
				   " crm-segment --config tags.max=N)", crm_stmt_text(st, 0),
				   (long long)crm_stmt_int64(st, 1), max);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

/* The tag, defined as custom if it is new (refused under strict). */
static int tag_for_use(crm_db *db, const char *name, bool strict, bool force,
		       const crm_clock *clock, int64_t *tid, crm_error *err)
{
	if (crm_name_find(db, CRM_CATALOG_TAG, name, tid, err) != CRM_OK)
		return CRM_EDB;
	if (*tid)
		return CRM_OK;
	if (strict)
		return crm_error_set(err, CRM_EDATA, "no tag '%s' in the catalog (--strict): define it with"
				     " crm-tag --define", name);
	crm_tag_def d = {.name = name, .force = force};
	if (define(db, &d, clock, err) != CRM_OK)
		return err->code;
	return crm_name_find(db, CRM_CATALOG_TAG, name, tid, err);
}

/* Adds one tag to the chosen customers, in place of the others of its group. */
static bool in_a_group(crm_db *db, int64_t tid)
{
	crm_stmt *st;
	bool grouped = false;
	if (crm_db_prepare(db, &st, "SELECT grp IS NOT NULL FROM tags WHERE tid = ?1", NULL) != CRM_OK)
		return true; /* the DELETE that follows will say what is wrong */
	crm_stmt_bind_int64(st, 1, tid);
	if (crm_stmt_step(st) == CRM_ROW)
		grouped = crm_stmt_int(st, 0);
	crm_stmt_finalize(st);
	return grouped;
}

/* The chosen customers' other tags of tid's group go (a person chooses, so
 * that takes any source). */
static int remove_siblings(crm_db *db, const crm_expr *where, int64_t tid,
			   const crm_clock *clock, crm_error *err)
{
	if (!in_a_group(db, tid))
		return CRM_OK;
	int rc = CRM_OK;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "DELETE FROM customer_tags WHERE tid IN (SELECT o.tid FROM tags o, tags t"
		       " WHERE t.tid = ");
	crm_sql_int(&q, tid);
	crm_sql_add(&q, " AND o.grp = t.grp AND o.tid <> t.tid) AND cid IN (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ")");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

static int add_tag(crm_db *db, const crm_expr *where, int64_t tid, const crm_tagging *t,
		   const crm_clock *clock, long *added, crm_error *err)
{
	int rc = remove_siblings(db, where, tid, clock, err);
	crm_sql q;
	/* Set where missing or lapsed; a rule's tagging becomes the person's. */
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO customer_tags (cid, tid, source, tagged_at, expires_on) SELECT cid, ");
	crm_sql_int(&q, tid);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, t->source);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ", ");
	crm_sql_text(&q, t->expires_on);
	crm_sql_add(&q, " FROM (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ") WHERE true ON CONFLICT (cid, tid) DO UPDATE SET source = excluded.source,"
		       " tagged_at = CASE WHEN NOT (customer_tags.expires_on IS NULL OR"
		       " customer_tags.expires_on > ");
	crm_sql_date(&q);
	crm_sql_add(&q, ") THEN excluded.tagged_at ELSE customer_tags.tagged_at END,"
		       " expires_on = excluded.expires_on");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, added, err);
	crm_sql_free(&q);
	return rc;
}

static int remove_tag(crm_db *db, const crm_expr *where, int64_t tid, const crm_clock *clock,
		      long *removed, crm_error *err)
{
	int rc = CRM_OK;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "DELETE FROM customer_tags WHERE tid = ");
	crm_sql_int(&q, tid);
	crm_sql_add(&q, " AND cid IN (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ")");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, removed, err);
	crm_sql_free(&q);
	return rc;
}

int crm_tag_set(crm_db *db, const crm_expr *where, const crm_tagging *t, const crm_clock *clock,
		long *added, long *removed, crm_error *err)
{
	*added = *removed = 0;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < t->nremove; i++) {
		int64_t tid;
		long n = 0;
		rc = crm_name_need(db, CRM_CATALOG_TAG, t->remove[i], &tid, err);
		if (rc == CRM_OK)
			rc = remove_tag(db, where, tid, clock, &n, err);
		*removed += n;
	}
	for (size_t i = 0; rc == CRM_OK && i < t->nadd; i++) {
		int64_t tid;
		long n = 0;
		rc = tag_for_use(db, t->add[i], t->strict, t->force, clock, &tid, err);
		if (rc == CRM_OK)
			rc = add_tag(db, where, tid, t, clock, &n, err);
		*added += n;
	}
	if (rc == CRM_OK && t->nadd)
		rc = check_max(db, clock, where, CHECK_CHOSEN, err);
	return in_transaction(db, rc, err);
}

/* ---- tags given record by record (a tags column of crm-add) ---- */

struct crm_tag_giver {
	crm_db *db;
	const crm_clock *clock;
	char *source;
	crm_stmt *active, *siblings, *give, *by_hand, *take, *count, *names_of;
	char **names; /* the catalog's tags met, with their ids: a file names few, many times */
	int64_t *tids;
	size_t n;
	long max;     /* tags.max */
	long catalog; /* tags in the catalog */
	size_t kept;  /* tags met before the list being given: what a rollback keeps */
	int64_t *listed; /* the ids of the list being given */
	size_t nlisted, cap;
	crm_buf text; /* crm_tag_giver_tags' answer */
};

static int giver_prepare(struct crm_tag_giver *g, crm_error *err)
{
	crm_db *db = g->db;
	return crm_db_prepare(db, &g->active, "SELECT 1 FROM customer_tags WHERE cid = ?1 AND tid = ?2"
			      " AND (expires_on IS NULL OR expires_on > ?3)", err) ||
	       crm_db_prepare(db, &g->siblings, "DELETE FROM customer_tags WHERE cid = ?1 AND tid IN"
			      " (SELECT o.tid FROM tags o, tags t WHERE t.tid = ?2 AND o.grp = t.grp"
			      " AND o.tid <> t.tid)", err) ||
	       crm_db_prepare(db, &g->give, "INSERT INTO customer_tags (cid, tid, source, tagged_at,"
			      " expires_on) VALUES (?1, ?2, ?3, ?4, NULL) ON CONFLICT (cid, tid) DO UPDATE"
			      " SET source = excluded.source, tagged_at = excluded.tagged_at,"
			      " expires_on = NULL", err) ||
	       crm_db_prepare(db, &g->by_hand, "SELECT tid FROM customer_tags WHERE cid = ?1 AND"
			      " source NOT LIKE 'rule:%'", err) ||
	       crm_db_prepare(db, &g->take, "DELETE FROM customer_tags WHERE cid = ?1 AND tid = ?2", err) ||
	       crm_db_prepare(db, &g->count, "SELECT count(*) FROM customer_tags WHERE cid = ?1 AND"
			      " (expires_on IS NULL OR expires_on > ?2)", err) ||
	       crm_db_prepare(db, &g->names_of, "SELECT group_concat(name, ';') FROM (SELECT t.name"
			      " FROM customer_tags ct JOIN tags t USING (tid) WHERE ct.cid = ?1 AND"
			      " (ct.expires_on IS NULL OR ct.expires_on > ?2) ORDER BY t.name)", err);
}

struct crm_tag_giver *crm_tag_giver_new(crm_db *db, const char *source, const crm_clock *clock,
					crm_error *err)
{
	struct crm_tag_giver *g = calloc(1, sizeof *g);
	if (!g) {
		crm_error_set(err, CRM_EDB, "out of memory");
		return NULL;
	}
	g->db = db;
	g->clock = clock;
	g->source = crm_xstrdup(source);
	g->catalog = catalog_size(db);
	if ((g->max = tags_max(db, err)) < 0 || giver_prepare(g, err) != CRM_OK) {
		crm_tag_giver_free(g);
		return NULL;
	}
	return g;
}

void crm_tag_giver_free(struct crm_tag_giver *g)
{
	if (!g)
		return;
	crm_stmt *st[] = {g->active, g->siblings, g->give, g->by_hand, g->take, g->count,
			      g->names_of};
	for (size_t i = 0; i < sizeof st / sizeof *st; i++)
		crm_stmt_finalize(st[i]);
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->tids);
	free(g->listed);
	free(g->source);
	crm_buf_free(&g->text);
	free(g);
}

static int64_t known_tid(const struct crm_tag_giver *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->names[i], name))
			return g->tids[i];
	return 0;
}

static void remember(struct crm_tag_giver *g, const char *name, int64_t tid)
{
	g->names = crm_xrealloc(g->names, (g->n + 1) * sizeof *g->names);
	g->tids = crm_xrealloc(g->tids, (g->n + 1) * sizeof *g->tids);
	g->names[g->n] = crm_xstrdup(name);
	g->tids[g->n++] = tid;
}

static void listed_add(struct crm_tag_giver *g, int64_t tid)
{
	if (g->nlisted == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->listed = crm_xrealloc(g->listed, g->cap * sizeof *g->listed);
	}
	g->listed[g->nlisted++] = tid;
}

/* A name the catalog lacks may not be a near-duplicate of a tag there, nor
 * of another new name of the list: checked for all before any is defined. */
static int check_new_names(struct crm_tag_giver *g, char **names, size_t n, crm_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int64_t tid;
		if (known_tid(g, names[i]) ||
		    crm_name_find(g->db, CRM_CATALOG_TAG, names[i], &tid, err) != CRM_OK || tid)
			continue;
		char *other = NULL;
		if (near_duplicate(g->db, names[i], &other, err) != CRM_OK)
			return CRM_EDB;
		char k1[256], k2[256];
		crm_tag_key(names[i], k1, sizeof k1);
		for (size_t j = 0; j < i && !other; j++) {
			crm_tag_key(names[j], k2, sizeof k2);
			if (!strcmp(k1, k2) && strcmp(names[i], names[j]))
				other = crm_xstrdup(names[j]);
		}
		if (other) {
			crm_error_set(err, CRM_EDATA, "tag '%s' is too close to the tag '%s' (use that, or"
				      " define it first with crm-tag --define --force)", names[i], other);
			free(other);
			return CRM_EDATA;
		}
	}
	return CRM_OK;
}

int crm_tag_giver_resolve(struct crm_tag_giver *g, const char *list, crm_error *err)
{
	char *copy = crm_xstrdup(list), **names = NULL;
	size_t n = 0;
	for (char *name = strtok(copy, ";"); name; name = strtok(NULL, ";")) {
		names = crm_xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = name;
	}
	g->nlisted = 0;
	g->kept = g->n;
	int rc = check_new_names(g, names, n, err);
	for (size_t i = 0; i < n && rc == CRM_OK; i++) {
		int64_t tid = known_tid(g, names[i]);
		if (!tid && (rc = tag_for_use(g->db, names[i], false, true, g->clock, &tid, err)) == CRM_OK) {
			remember(g, names[i], tid);
			g->catalog = catalog_size(g->db);
		}
		if (rc == CRM_OK)
			listed_add(g, tid);
	}
	free(names);
	free(copy);
	return rc;
}

bool crm_tag_giver_may_exceed(struct crm_tag_giver *g, size_t more)
{
	return g->catalog + (long)more > g->max;
}

void crm_tag_giver_forget(struct crm_tag_giver *g)
{
	while (g->n > g->kept)
		free(g->names[--g->n]);
	g->catalog = catalog_size(g->db);
}

static int step_done(crm_db *db, crm_stmt *st, crm_error *err)
{
	int rc = crm_stmt_step(st);
	crm_stmt_reset(st);
	return rc == CRM_DONE || rc == CRM_ROW ? CRM_OK : crm_db_fail(db, err, NULL);
}

/* One tag for cid, in place of the others of its group; one it has stays
 * as it is (a rule's tagging stays the rule's). */
static int give_one(struct crm_tag_giver *g, int64_t cid, int64_t tid, bool *changed,
		    crm_error *err)
{
	crm_stmt_bind_int64(g->active, 1, cid);
	crm_stmt_bind_int64(g->active, 2, tid);
	crm_stmt_bind_text(g->active, 3, g->clock->date, -1);
	int has = crm_stmt_step(g->active);
	crm_stmt_reset(g->active);
	if (has == CRM_ROW)
		return CRM_OK;
	if (has != CRM_DONE)
		return crm_db_fail(g->db, err, NULL);
	crm_stmt_bind_int64(g->siblings, 1, cid);
	crm_stmt_bind_int64(g->siblings, 2, tid);
	crm_stmt_bind_int64(g->give, 1, cid);
	crm_stmt_bind_int64(g->give, 2, tid);
	crm_stmt_bind_text(g->give, 3, g->source, -1);
	crm_stmt_bind_text(g->give, 4, g->clock->now, -1);
	*changed = true;
	return step_done(g->db, g->siblings, err) || step_done(g->db, g->give, err) ? CRM_EDB : CRM_OK;
}

static bool listed(const struct crm_tag_giver *g, int64_t tid)
{
	for (size_t i = 0; i < g->nlisted; i++)
		if (g->listed[i] == tid)
			return true;
	return false;
}

/* --replace: the tags given by hand that the list leaves out go. */
static int take_others(struct crm_tag_giver *g, int64_t cid, bool *changed, crm_error *err)
{
	int64_t *gone = NULL;
	size_t ngone = 0;
	int rc;
	crm_stmt_bind_int64(g->by_hand, 1, cid);
	while ((rc = crm_stmt_step(g->by_hand)) == CRM_ROW) {
		int64_t tid = crm_stmt_int64(g->by_hand, 0);
		if (listed(g, tid))
			continue;
		gone = crm_xrealloc(gone, (ngone + 1) * sizeof *gone);
		gone[ngone++] = tid;
	}
	crm_stmt_reset(g->by_hand);
	rc = rc == CRM_DONE ? CRM_OK : crm_db_fail(g->db, err, NULL);
	for (size_t i = 0; i < ngone && rc == CRM_OK; i++) {
		crm_stmt_bind_int64(g->take, 1, cid);
		crm_stmt_bind_int64(g->take, 2, gone[i]);
		rc = step_done(g->db, g->take, err);
		*changed = true;
	}
	free(gone);
	return rc;
}

int crm_tag_giver_set(struct crm_tag_giver *g, int64_t cid, bool replace, bool *changed,
		      crm_error *err)
{
	*changed = false;
	int rc = CRM_OK;
	for (size_t i = 0; i < g->nlisted && rc == CRM_OK; i++)
		rc = give_one(g, cid, g->listed[i], changed, err);
	if (rc == CRM_OK && replace)
		rc = take_others(g, cid, changed, err);
	return rc;
}

int crm_tag_giver_check(struct crm_tag_giver *g, int64_t cid, crm_error *err)
{
	crm_stmt_bind_int64(g->count, 1, cid);
	crm_stmt_bind_text(g->count, 2, g->clock->date, -1);
	long n = crm_stmt_step(g->count) == CRM_ROW ? (long)crm_stmt_int64(g->count, 0) : -1;
	crm_stmt_reset(g->count);
	if (n < 0)
		return crm_db_fail(g->db, err, NULL);
	if (n > g->max)
		return crm_error_set(err, CRM_EDATA, "the customer would have %ld tags (tags.max is %ld:"
				     " crm-segment --config tags.max=N)", n, g->max);
	return CRM_OK;
}

const char *crm_tag_giver_tags(struct crm_tag_giver *g, int64_t cid)
{
	crm_buf_reset(&g->text);
	crm_stmt_bind_int64(g->names_of, 1, cid);
	crm_stmt_bind_text(g->names_of, 2, g->clock->date, -1);
	if (crm_stmt_step(g->names_of) == CRM_ROW && crm_stmt_text(g->names_of, 0))
		crm_buf_adds(&g->text, crm_stmt_text(g->names_of, 0));
	crm_stmt_reset(g->names_of);
	return g->text.p ? g->text.p : "";
}

int crm_tag_expiry(const crm_clock *clock, const char *when, char out[11], crm_error *err)
{
	return crm_day_ahead(clock, "--expires", when, false, out, err);
}

/* ---- rules ---- */

static bool rule_name_ok(const char *name, crm_error *err)
{
	size_t len = strlen(name);
	if (len == 0 || len > 64 || strpbrk(name, "\t\n\r")) {
		crm_error_set(err, CRM_EUSAGE, "a rule's name has 1 to 64 characters on one line");
		return false;
	}
	return true;
}

int crm_rule_define(crm_db *db, const crm_rule_def *r, const crm_clock *clock, crm_error *err)
{
	if (!rule_name_ok(r->name, err))
		return CRM_EUSAGE;
	crm_expr *e;
	if (crm_expr_new(&e, db, r->expr, err) != CRM_OK)
		return CRM_EDATA;
	crm_expr_free(e);
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int64_t tid;
	int rc = tag_for_use(db, r->tag, r->strict, r->force, clock, &tid, err);
	crm_stmt *st;
	if (rc == CRM_OK && (rc = crm_db_prepare(db, &st,
			"INSERT INTO tag_rules (name, tid, expr, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)"
			" ON CONFLICT (name) DO UPDATE SET tid = excluded.tid, expr = excluded.expr,"
			" updated_at = excluded.updated_at", err)) == CRM_OK) {
		crm_stmt_bind_text(st, 1, r->name, -1);
		crm_stmt_bind_int64(st, 2, tid);
		crm_stmt_bind_text(st, 3, r->expr, -1);
		crm_stmt_bind_text(st, 4, clock->now, -1);
		if (crm_stmt_step(st) != CRM_DONE)
			rc = crm_db_fail(db, err, NULL);
		crm_stmt_finalize(st);
	}
	return in_transaction(db, rc, err);
}

/* Drops a rule and the taggings it made: no rule would ever take them away. */
int crm_rule_drop(crm_db *db, const char *name, long *removed, crm_error *err)
{
	*removed = 0;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, "DELETE FROM tag_rules WHERE name = ?1", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, name, -1);
		rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
		if (rc == CRM_OK && crm_db_changes(db) == 0)
			rc = crm_name_missing(CRM_CATALOG_RULE, name, err);
		crm_stmt_finalize(st);
	}
	if (rc == CRM_OK && (rc = crm_db_prepare(db, &st,
			"DELETE FROM customer_tags WHERE source = 'rule:' || ?1", err)) == CRM_OK) {
		crm_stmt_bind_text(st, 1, name, -1);
		rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
		*removed = crm_db_changes(db);
		crm_stmt_finalize(st);
	}
	return in_transaction(db, rc, err);
}

const char *const crm_rule_list_columns[4] = {"rule", "tag", "expr", "tagged"};

int crm_rule_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT r.name, t.name, r.expr, (SELECT count(*) FROM customer_tags ct"
		       " WHERE ct.source = 'rule:' || r.name) FROM tag_rules r JOIN tags t ON t.tid = r.tid"
		       " ORDER BY r.name");
	int rc = crm_sql_write(&q, out, 4, (crm_type[]){CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_INT}, err);
	crm_sql_free(&q);
	return rc;
}

struct rule {
	char *name, *expr;
	int64_t tid;
	bool grouped; /* its tag belongs to a group */
};

static int load_rules(crm_db *db, struct rule **rules, size_t *n, crm_error *err)
{
	crm_stmt *st;
	*rules = NULL;
	*n = 0;
	if (crm_db_prepare(db, &st, "SELECT r.name, r.expr, r.tid, t.grp IS NOT NULL FROM tag_rules r"
			   " JOIN tags t USING (tid) ORDER BY r.name", err))
		return CRM_EDB;
	while (crm_stmt_step(st) == CRM_ROW) {
		*rules = crm_xrealloc(*rules, (*n + 1) * sizeof **rules);
		struct rule *r = &(*rules)[(*n)++];
		r->name = crm_xstrdup(crm_stmt_text(st, 0));
		r->expr = crm_xstrdup(crm_stmt_text(st, 1));
		r->tid = crm_stmt_int64(st, 2);
		r->grouped = crm_stmt_int(st, 3);
	}
	crm_stmt_finalize(st);
	return CRM_OK;
}

static void free_rules(struct rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rules[i].name);
		free(rules[i].expr);
	}
	free(rules);
}

/* A rule's expression, compiled; a rule broken since (a field dropped)
 * names itself in the error. */
static int rule_expr(crm_db *db, const struct rule *r, crm_expr **e, crm_error *err)
{
	crm_error why;
	if (crm_expr_new(e, db, r->expr, &why) != CRM_OK)
		return crm_error_set(err, CRM_EDATA, "rule '%s': %s", r->name, why.msg);
	return CRM_OK;
}

/* '-': the rule's own taggings where it matches no more. */
static int rule_removals(crm_db *db, const struct rule *r, const crm_clock *clock, crm_error *err)
{
	crm_expr *e;
	if (rule_expr(db, r, &e, err) != CRM_OK)
		return CRM_EDATA;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO temp.tag_changes (cid, tid, change, rule) SELECT ct.cid, ct.tid, '-', ");
	crm_sql_text(&q, r->name);
	crm_sql_add(&q, " FROM customer_tags ct WHERE ct.tid = ");
	crm_sql_int(&q, r->tid);
	crm_sql_add(&q, " AND ct.source = 'rule:' || ");
	crm_sql_text(&q, r->name);
	crm_sql_add(&q, " AND ct.cid NOT IN (SELECT c.cid FROM customers c WHERE ");
	int rc = crm_expr_emit(e, &q, err);
	crm_sql_add(&q, ")");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	crm_expr_free(e);
	return rc;
}

/* The last change so far: the next rule's are after it. */
static int changes_mark(crm_db *db, int64_t *mark, crm_error *err)
{
	crm_stmt *st;
	*mark = 0;
	if (crm_db_prepare(db, &st, "SELECT coalesce(max(rowid), 0) FROM temp.tag_changes", err))
		return CRM_EDB;
	if (crm_stmt_step(st) == CRM_ROW)
		*mark = crm_stmt_int64(st, 0);
	crm_stmt_finalize(st);
	return CRM_OK;
}

/* The additions after mark become taggings, over a lapsed tagging (which
 * counts for nothing). */
static int store_additions(crm_db *db, const crm_clock *clock, int64_t mark, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT OR REPLACE INTO customer_tags (cid, tid, source, tagged_at, expires_on)"
		       " SELECT cid, tid, 'rule:' || rule, ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ", NULL FROM temp.tag_changes WHERE rowid > ");
	crm_sql_int(&q, mark);
	int rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* '+': customers the rule matches who have neither its tag nor another of
 * its group (whoever set that one: a rule never takes away a tag it did not
 * set). Made at once, so that a later rule of the same group sees it. */
static int rule_additions(crm_db *db, const struct rule *r, const crm_clock *clock, crm_error *err)
{
	crm_expr *e;
	int64_t mark;
	if (rule_expr(db, r, &e, err) != CRM_OK)
		return CRM_EDATA;
	if (changes_mark(db, &mark, err) != CRM_OK) {
		crm_expr_free(e);
		return CRM_EDB;
	}
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO temp.tag_changes (cid, tid, change, rule) SELECT c.cid, ");
	crm_sql_int(&q, r->tid);
	crm_sql_add(&q, ", '+', ");
	crm_sql_text(&q, r->name);
	crm_sql_add(&q, " FROM customers c WHERE ");
	int rc = crm_expr_emit(e, &q, err);
	crm_sql_add(&q, " AND NOT EXISTS (SELECT 1 FROM customer_tags ct WHERE ct.cid = c.cid AND ");
	active(&q, "ct");
	if (r->grouped) {
		crm_sql_add(&q, " AND ct.tid IN (SELECT o.tid FROM tags o, tags t WHERE t.tid = ");
		crm_sql_int(&q, r->tid);
		crm_sql_add(&q, " AND o.grp = t.grp))");
	} else {
		crm_sql_add(&q, " AND ct.tid = ");
		crm_sql_int(&q, r->tid);
		crm_sql_add(&q, ")");
	}
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	crm_expr_free(e);
	return rc == CRM_OK ? store_additions(db, clock, mark, err) : rc;
}

static int remove_changed(crm_db *db, const crm_clock *clock, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "DELETE FROM customer_tags WHERE (cid, tid) IN"
		       " (SELECT cid, tid FROM temp.tag_changes WHERE change = '-')");
	int rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

/* Every rule's removals first, then each rule's additions in name order:
 * a customer who moves from one tag of a group to another gets there in
 * one run, and a second run finds nothing to do. */
static int rules_run(crm_db *db, const crm_clock *clock, crm_error *err)
{
	struct rule *rules;
	size_t n;
	int rc = load_rules(db, &rules, &n, err);
	for (size_t i = 0; rc == CRM_OK && i < n; i++)
		rc = rule_removals(db, &rules[i], clock, err);
	if (rc == CRM_OK)
		rc = remove_changed(db, clock, err);
	for (size_t i = 0; rc == CRM_OK && i < n; i++)
		rc = rule_additions(db, &rules[i], clock, err);
	free_rules(rules, n);
	return rc;
}

const char *const crm_rule_change_columns[4] = {"customer_id", "tag", "change", "rule"};

static int write_changes(crm_db *db, const crm_clock *clock, crm_writer *out, long *n,
			 crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT c.id, t.name, x.change, x.rule FROM temp.tag_changes x"
		       " JOIN customers c ON c.cid = x.cid JOIN tags t ON t.tid = x.tid"
		       " ORDER BY x.rule, x.change DESC, c.cid");
	int rc = crm_sql_write(&q, out, 4, (crm_type[]){CRM_TEXT, CRM_TEXT, CRM_TEXT, CRM_TEXT}, err);
	crm_sql_free(&q);
	crm_stmt *st;
	if (rc == CRM_OK && crm_db_prepare(db, &st, "SELECT count(*) FROM temp.tag_changes", err) == CRM_OK) {
		if (crm_stmt_step(st) == CRM_ROW)
			*n = (long)crm_stmt_int64(st, 0);
		crm_stmt_finalize(st);
	}
	return rc;
}

int crm_rule_apply(crm_db *db, const crm_clock *clock, crm_writer *out, bool dry_run, long *n,
		   crm_error *err)
{
	*n = 0;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS tag_changes (cid INTEGER,"
			     " tid INTEGER, change TEXT, rule TEXT); DELETE FROM temp.tag_changes", err);
	if (rc == CRM_OK)
		rc = rules_run(db, clock, err);
	if (rc == CRM_OK)
		rc = check_max(db, clock, NULL, CHECK_CHANGES, err);
	if (rc == CRM_OK)
		rc = write_changes(db, clock, out, n, err);
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, err);
	crm_db_exec(db, "DROP TABLE IF EXISTS temp.tag_changes", NULL);
	if (dry_run && rc == CRM_OK) {
		crm_db_rollback(db);
		return CRM_OK;
	}
	return in_transaction(db, rc, err);
}

/* ---- the audit ---- */

const char *const crm_tag_audit_columns[8] = {
	"tag", "category", "customers", "coverage_pct", "by_hand", "by_rule", "last_change", "flags",
};

int crm_tag_stale_days(const char *when, int *days, crm_error *err)
{
	if (crm_window_days(when, days) != CRM_OK)
		return crm_error_set(err, CRM_EUSAGE, "--stale '%s': give days (90d, 12w, 6m, 1y)", when);
	return CRM_OK;
}

/* What the audit knows of a tag, for its flags. */
struct audit_tag {
	const char *name;
	const char *last;  /* its newest tagging that counts, or NULL */
	long customers, total, rules, idle_rules;
};

/* Flags a tag: unused, and then also an orphan when no rule gives it;
 * stale, in use but given to nobody since the first day of the window; on
 * almost everyone; close to another; a rule of it that matches nobody. */
static void audit_flags(crm_db *db, const struct audit_tag *t, const char *stale_from,
			crm_buf *flags)
{
	char *other = NULL;
	crm_buf_reset(flags);
	if (t->customers == 0)
		crm_buf_adds(flags, t->rules ? "unused" : "unused;orphan");
	if (t->customers && t->last && strcmp(t->last, stale_from) < 0)
		crm_buf_printf(flags, "%sstale", flags->len ? ";" : "");
	if (t->total && t->customers * 100 >= t->total * 95)
		crm_buf_printf(flags, "%severyone", flags->len ? ";" : "");
	if (near_duplicate(db, t->name, &other, NULL) == CRM_OK && other)
		crm_buf_printf(flags, "%snear:%s", flags->len ? ";" : "", other);
	free(other);
	if (t->idle_rules)
		crm_buf_printf(flags, "%sidle-rule", flags->len ? ";" : "");
}

/* Rules of each tag whose expression matches nobody now. */
static int idle_rules(crm_db *db, const crm_clock *clock, int64_t tid, long *idle,
		      crm_error *err)
{
	struct rule *rules;
	size_t n;
	*idle = 0;
	if (load_rules(db, &rules, &n, err) != CRM_OK)
		return CRM_EDB;
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < n; i++) {
		if (rules[i].tid != tid)
			continue;
		crm_expr *e;
		if (crm_expr_new(&e, db, rules[i].expr, NULL) != CRM_OK) {
			(*idle)++;
			continue;
		}
		crm_sql q;
		crm_sql_init(&q, db, clock);
		crm_sql_add(&q, "SELECT EXISTS (SELECT 1 FROM customers c WHERE ");
		rc = crm_expr_emit(e, &q, err);
		crm_sql_add(&q, ")");
		crm_stmt *st = NULL;
		if (rc == CRM_OK)
			rc = crm_sql_prepare(&q, &st, err);
		if (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW && !crm_stmt_int(st, 0))
			(*idle)++;
		crm_stmt_finalize(st);
		crm_sql_free(&q);
		crm_expr_free(e);
	}
	free_rules(rules, n);
	return rc;
}

/* One tag's line of the audit, from the row of the statement below. */
static int audit_row(crm_writer *out, crm_stmt *st, const crm_buf *flags, crm_error *err)
{
	const char *name = crm_stmt_text(st, 1);
	const char *category = crm_stmt_text(st, 2);
	const char *last = crm_stmt_text(st, 6);
	long customers = (long)crm_stmt_int64(st, 3), total = (long)crm_stmt_int64(st, 7);
	char num[4][32];
	snprintf(num[0], 32, "%ld", customers);
	snprintf(num[1], 32, "%.1f", total ? customers * 100.0 / total : 0.0);
	snprintf(num[2], 32, "%lld", (long long)crm_stmt_int64(st, 4));
	snprintf(num[3], 32, "%lld", (long long)crm_stmt_int64(st, 5));
	crm_value row[8] = {
		{CRM_TEXT, name, strlen(name)},
		{CRM_TEXT, category, strlen(category)},
		{CRM_INT, num[0], strlen(num[0])},
		{CRM_REAL, num[1], strlen(num[1])},
		{CRM_INT, num[2], strlen(num[2])},
		{CRM_INT, num[3], strlen(num[3])},
		{last ? CRM_TEXT : CRM_NULL, last, last ? strlen(last) : 0},
		{CRM_LIST, flags->p ? flags->p : "", flags->len},
	};
	return crm_writer_put(out, row, err);
}

int crm_tag_audit(crm_db *db, const crm_clock *clock, int stale_days, crm_writer *out,
		  crm_error *err)
{
	char stale_from[11]; /* the window's first day: a tagging on it is recent */
	crm_clock_day(clock, -(stale_days - 1), stale_from);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT t.tid, t.name, t.category, count(ct.cid), sum(ct.source NOT LIKE 'rule:%'),"
		       " sum(ct.source LIKE 'rule:%'), max(ct.tagged_at),"
		       " (SELECT count(*) FROM customers),"
		       " (SELECT count(*) FROM tag_rules r WHERE r.tid = t.tid)"
		       " FROM tags t LEFT JOIN customer_tags ct ON ct.tid = t.tid AND ");
	active(&q, "ct");
	crm_sql_add(&q, " GROUP BY t.tid ORDER BY count(ct.cid) DESC, t.name");
	crm_stmt *st;
	int rc = crm_sql_prepare(&q, &st, err);
	crm_buf flags = {0};
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		struct audit_tag t = {
			.name = crm_stmt_text(st, 1),
			.last = crm_stmt_text(st, 6),
			.customers = (long)crm_stmt_int64(st, 3),
			.total = (long)crm_stmt_int64(st, 7),
			.rules = (long)crm_stmt_int64(st, 8),
		};
		rc = idle_rules(db, clock, crm_stmt_int64(st, 0), &t.idle_rules, err);
		if (rc != CRM_OK)
			break;
		audit_flags(db, &t, stale_from, &flags);
		rc = audit_row(out, st, &flags, err);
	}
	crm_buf_free(&flags);
	crm_stmt_finalize(st);
	crm_sql_free(&q);
	return rc;
}

struct crm_tag_lookup {
	crm_stmt *st;
	crm_buf tags;
	char **names;
	size_t n, cap;
};

/* One statement, prepared once, for the records of a stream. The names are
 * sorted here: an ORDER BY would build a sorter for each customer. */
crm_tag_lookup *crm_tag_lookup_new(crm_db *db, const crm_clock *clock, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "SELECT t.name FROM customers c JOIN customer_tags ct ON ct.cid = c.cid"
		       " JOIN tags t ON t.tid = ct.tid WHERE c.id = ");
	crm_sql_text(&q, ""); /* the id: the first parameter, rebound for each record */
	crm_sql_add(&q, " AND ");
	active(&q, "ct");
	crm_tag_lookup *l = crm_xmalloc(sizeof *l);
	*l = (crm_tag_lookup){0};
	int rc = crm_sql_prepare(&q, &l->st, err);
	crm_sql_free(&q);
	if (rc != CRM_OK) {
		free(l);
		return NULL;
	}
	return l;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void forget_names(crm_tag_lookup *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	l->n = 0;
}

const char *crm_tag_lookup_get(crm_tag_lookup *l, const char *id)
{
	forget_names(l);
	crm_stmt_reset(l->st);
	crm_stmt_bind_text_copy(l->st, 1, id, -1);
	while (crm_stmt_step(l->st) == CRM_ROW) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->names = crm_xrealloc(l->names, l->cap * sizeof *l->names);
		}
		l->names[l->n++] = crm_xstrdup(crm_stmt_text(l->st, 0));
	}
	if (l->n > 1) /* names is NULL until a customer has a tag */
		qsort(l->names, l->n, sizeof *l->names, by_name);
	crm_buf_reset(&l->tags);
	for (size_t i = 0; i < l->n; i++)
		crm_buf_printf(&l->tags, "%s%s", i ? ";" : "", l->names[i]);
	return l->tags.len ? l->tags.p : "";
}

void crm_tag_lookup_free(crm_tag_lookup *l)
{
	if (!l)
		return;
	crm_stmt_finalize(l->st);
	forget_names(l);
	free(l->names);
	crm_buf_free(&l->tags);
	free(l);
}
