/* suppress.c: erased stays erased, merged stays merged.
 *
 * The suppression list holds, for each erased customer, a keyed hash
 * (HMAC-SHA-256 under the database's own random key) of each of its ids,
 * phone, email and WeChat ids: enough to know a record of that customer when
 * an import brings it back, and no readable value. Aliases are the ids of
 * customers merged into others, which go on naming them.
 *
 * An import asks once whether either table holds anything: the bulk loads,
 * where both are empty, pay nothing per record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "domain/domain.h"

const char *const crm_suppress_fields[CRM_SUP_NFIELDS] = {
	"id", "phone", "email", "wechat_id", "openid", "unionid",
};

struct crm_suppress {
	unsigned char key[32];
	crm_hmac hmac; /* the key's pads, hashed once */
	bool have_key;
	int aliases; /* any at all: -1 not asked yet, for selections' lookups */
	crm_stmt *find, *alias;
};

static struct crm_suppress *state(crm_db *db)
{
	if (!db->suppress) {
		db->suppress = crm_xmalloc(sizeof *db->suppress);
		*db->suppress = (struct crm_suppress){.aliases = -1};
		crm_db_on_close(db, crm_suppress_free);
	}
	return db->suppress;
}

void crm_suppress_free(crm_db *db)
{
	if (!db->suppress)
		return;
	crm_stmt_finalize(db->suppress->find);
	crm_stmt_finalize(db->suppress->alias);
	memset(db->suppress, 0, sizeof *db->suppress);
	free(db->suppress);
	db->suppress = NULL;
}

/* ---- the key ---- */

static int random_key(unsigned char *key, size_t n, crm_error *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(key + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return CRM_OK;
	/* a kernel without getrandom(2) */
	FILE *f = fopen("/dev/urandom", "rb");
	bool ok = f && fread(key, 1, n, f) == n;
	if (f)
		fclose(f);
	return ok ? CRM_OK : crm_error_set(err, CRM_EDB, "cannot read random bytes for the key of"
					   " the suppression list: %s", strerror(errno));
}

static int read_key(crm_db *db, struct crm_suppress *s, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT key FROM suppression_key WHERE one = 1", err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW && crm_stmt_bytes(st, 0) == (int)sizeof s->key) {
		memcpy(s->key, crm_stmt_blob(st, 0), sizeof s->key);
		s->have_key = true;
	}
	crm_stmt_finalize(st);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

/* In the caller's transaction: a failed erasure leaves no key behind. */
static int make_key(crm_db *db, struct crm_suppress *s, crm_error *err)
{
	char day[11];
	crm_stmt *st;
	if (random_key(s->key, sizeof s->key, err) != CRM_OK)
		return CRM_EDB;
	crm_audit_today(db, day);
	if (crm_db_prepare(db, &st, "INSERT INTO suppression_key (one, key, created_at)"
			   " VALUES (1, ?1, ?2)", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_blob_copy(st, 1, s->key, sizeof s->key);
	crm_stmt_bind_text(st, 2, day, -1);
	int rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	s->have_key = rc == CRM_OK;
	return rc;
}

/* Reads the key; with create, makes it when there is none. *found is
 * false when there is none. */
static int load_key(crm_db *db, bool create, bool *found, crm_error *err)
{
	struct crm_suppress *s = state(db);
	*found = s->have_key;
	if (s->have_key || db->schema_version < 5)
		return CRM_OK;
	if (read_key(db, s, err) != CRM_OK || (!s->have_key && create && make_key(db, s, err) != CRM_OK))
		return CRM_EDB;
	if (s->have_key)
		crm_hmac_init(&s->hmac, s->key, sizeof s->key);
	*found = s->have_key;
	return CRM_OK;
}

/* ---- the hash ---- */

/* HMAC-SHA-256 of "field\0value": the field's name keeps a phone and an id
 * of the same digits apart. */
static void hash_value(const void *key, const char *field, const char *value, size_t len,
		       unsigned char out[32])
{
	const struct crm_suppress *s = key;
	crm_sha256 h;
	crm_hmac_begin(&s->hmac, &h);
	crm_sha256_add(&h, field, strlen(field) + 1);
	crm_sha256_add(&h, value, len);
	crm_hmac_end(&s->hmac, &h, out);
}

/* ---- the list ---- */

static int exists(crm_db *db, const char *sql, bool *any, crm_error *err)
{
	*any = false;
	if (db->schema_version < 5)
		return CRM_OK; /* a database from before, opened read-only */
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_stmt_step(st);
	*any = rc == CRM_ROW;
	crm_stmt_finalize(st);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_suppress_any(crm_db *db, bool *any, crm_error *err)
{
	return exists(db, "SELECT 1 FROM suppressions LIMIT 1", any, err);
}

/* The statement that puts the erased customers' hashes in the list: ?1 the
 * day, ?2 the person numbers' base. In the key's order: no random inserts. */
static int erased_hashes(crm_db *db, crm_stmt **st, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_add(&q, "INSERT OR REPLACE INTO suppressions (hash, field, person, erased_on)"
		       " SELECT crm_suppress_hash(f, v), f, ?2 + cid, ?1 FROM ("
		       "  SELECT cid, 'id' f, id v FROM customers WHERE cid IN temp.erase_ids"
		       "  UNION ALL SELECT cid, 'phone', phone FROM customers WHERE cid IN temp.erase_ids"
		       "  UNION ALL SELECT cid, 'email', email FROM customers WHERE cid IN temp.erase_ids"
		       "  UNION ALL SELECT cid, 'wechat_id', wechat_id FROM customers WHERE cid IN"
		       " temp.erase_ids");
	for (const char *const *key = (const char *const[]){"openid", "unionid", NULL}; *key; key++) {
		crm_sql_addf(&q, "  UNION ALL SELECT cid, '%s', ", *key);
		crm_sql_json_key(&q, "attrs", *key);
		crm_sql_add(&q, " FROM customers   WHERE cid IN temp.erase_ids AND attrs IS NOT NULL");
	}
	crm_sql_add(&q, "  UNION ALL SELECT cid, 'id', id FROM aliases WHERE cid IN temp.erase_ids)"
		       " WHERE v IS NOT NULL AND v <> '' ORDER BY 1");
	int rc = crm_db_prepare(db, st, q.text.p, err);
	crm_sql_free(&q);
	return rc;
}

int crm_suppress_erased(crm_db *db, crm_error *err)
{
	bool found;
	if (load_key(db, true, &found, err) != CRM_OK)
		return CRM_EDB;
	/* for this statement only: lookups hash in C */
	if (crm_db_hash_function(db, "crm_suppress_hash", hash_value, db->suppress, err) != CRM_OK)
		return CRM_EDB;
	char day[11];
	crm_audit_today(db, day);
	/* person: one per erased customer, its cid above every one there */
	long base = crm_db_count(db, "SELECT coalesce(max(person), 0) FROM suppressions");
	crm_stmt *st;
	int rc = base < 0 ? crm_db_fail(db, err, NULL) : erased_hashes(db, &st, err);
	if (rc != CRM_OK)
		return rc;
	crm_stmt_bind_text_copy(st, 1, day, -1);
	crm_stmt_bind_int64(st, 2, base);
	rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}

/* The day the entry of field's value was erased on, or "". */
static int lookup(crm_db *db, int field, const char *value, char on[11], crm_error *err)
{
	struct crm_suppress *s = db->suppress;
	on[0] = '\0';
	if (!s->find && crm_db_prepare(db, &s->find, "SELECT erased_on FROM suppressions"
				       " WHERE hash = ?1", err) != CRM_OK)
		return CRM_EDB;
	unsigned char h[32];
	hash_value(s, crm_suppress_fields[field], value, strlen(value), h);
	crm_stmt_bind_blob_copy(s->find, 1, h, sizeof h);
	int rc = crm_stmt_step(s->find);
	if (rc == CRM_ROW)
		snprintf(on, 11, "%s", crm_stmt_text(s->find, 0));
	crm_stmt_reset(s->find);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_suppressed(crm_db *db, const char *const values[CRM_SUP_NFIELDS], char on[11],
		   crm_error *err)
{
	bool found;
	on[0] = '\0';
	if (load_key(db, false, &found, err) != CRM_OK)
		return CRM_EDB;
	for (int f = 0; found && f < CRM_SUP_NFIELDS && !on[0]; f++)
		if (values[f] && *values[f] && lookup(db, f, values[f], on, err) != CRM_OK)
			return CRM_EDB;
	return CRM_OK;
}

/* ---- lifting a suppression ---- */

/* value as field would store it, in out; false when it cannot be one. */
static bool normalized_as(int field, const char *value, char *out, size_t size)
{
	size_t len = strlen(value);
	const char *s = crm_trim(value, &len);
	if (!len || len >= size)
		return false;
	if (field == CRM_SUP_PHONE || field == CRM_SUP_EMAIL) {
		char *copy = crm_xstrdup(s);
		copy[len] = '\0';
		int rc = (field == CRM_SUP_PHONE ? crm_norm_phone : crm_norm_email)(copy, out, size, NULL);
		free(copy);
		return rc == CRM_OK && *out;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/* Adds the erased customer the entry of field's value belongs to, if any. */
static int persons_of(crm_db *db, int field, const char *value, crm_unsuppressed *u,
		      crm_error *err)
{
	unsigned char h[32];
	hash_value(db->suppress, crm_suppress_fields[field], value, strlen(value), h);
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "INSERT OR REPLACE INTO temp.lifted SELECT person FROM"
			   " suppressions WHERE hash = ?1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_blob_copy(st, 1, h, sizeof h);
	int rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	if (rc == CRM_OK && crm_db_changes(db) > 0) {
		size_t len = strlen(u->fields);
		snprintf(u->fields + len, sizeof u->fields - len, "%s%s", len ? "/" : "",
			 crm_suppress_fields[field]);
	}
	crm_stmt_finalize(st);
	return rc;
}

static int lift(crm_db *db, crm_unsuppressed *u, crm_error *err)
{
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st, "SELECT count(*), max(erased_on) FROM suppressions"
				" WHERE person IN temp.lifted", err);
	if (rc != CRM_OK)
		return rc;
	if (crm_stmt_step(st) == CRM_ROW) {
		u->entries = crm_stmt_int64(st, 0);
		const char *on = crm_stmt_text(st, 1);
		snprintf(u->erased_on, sizeof u->erased_on, "%s", on ? on : "");
	}
	crm_stmt_finalize(st);
	u->customers = crm_db_count(db, "SELECT count(*) FROM temp.lifted");
	return crm_db_exec(db, "DELETE FROM suppressions WHERE person IN temp.lifted;"
			   " DROP TABLE temp.lifted", err);
}

int crm_unsuppress(crm_db *db, const char *value, crm_unsuppressed *u, crm_error *err)
{
	*u = (crm_unsuppressed){0};
	bool found;
	if (load_key(db, false, &found, err) != CRM_OK)
		return CRM_EDB;
	int rc = found ? crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS lifted (person INTEGER"
				     " PRIMARY KEY); DELETE FROM temp.lifted", err) : CRM_OK;
	size_t size = strlen(value) + 64;
	char *norm = crm_xmalloc(size);
	for (int f = 0; found && f < CRM_SUP_NFIELDS && rc == CRM_OK; f++)
		if (normalized_as(f, value, norm, size))
			rc = persons_of(db, f, norm, u, err);
	memset(norm, 0, size);
	free(norm);
	if (rc == CRM_OK && found)
		rc = lift(db, u, err);
	if (rc == CRM_OK && !u->entries)
		return crm_error_set(err, CRM_EDATA, "'%s' is not suppressed: no erased customer had it"
				     " as id, phone, email, wechat_id, openid or unionid", value);
	if (rc == CRM_OK) {
		char shown[sizeof u->fields + 16];
		snprintf(shown, sizeof shown, "[suppressed %s]", u->fields);
		crm_audit_hide(db, value, shown);
	}
	return rc;
}

/* ---- aliases ---- */

int crm_alias_any(crm_db *db, bool *any, crm_error *err)
{
	return exists(db, "SELECT 1 FROM aliases LIMIT 1", any, err);
}

/* The cid and id of the customer id is merged into; *cid 0 when none. */
int crm_alias_lookup(crm_db *db, const char *id, int64_t *cid, char **target,
			crm_error *err)
{
	struct crm_suppress *s = state(db);
	*cid = 0;
	if (target)
		*target = NULL;
	if (db->schema_version < 5)
		return CRM_OK;
	if (!s->alias && crm_db_prepare(db, &s->alias, "SELECT c.cid, c.id FROM aliases a JOIN"
					" customers c ON c.cid = a.cid WHERE a.id = ?1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text_copy(s->alias, 1, id, -1);
	int rc = crm_stmt_step(s->alias);
	if (rc == CRM_ROW) {
		*cid = crm_stmt_int64(s->alias, 0);
		if (target)
			*target = crm_xstrdup(crm_stmt_text(s->alias, 1));
	}
	crm_stmt_reset(s->alias);
	return rc == CRM_ROW || rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_alias_of(crm_db *db, const char *id, char **target, crm_error *err)
{
	struct crm_suppress *s = state(db);
	bool any;
	*target = NULL;
	if (s->aliases < 0 && crm_alias_any(db, &any, err) != CRM_OK)
		return CRM_EDB;
	if (s->aliases < 0)
		s->aliases = any;
	int64_t cid;
	return s->aliases ? crm_alias_lookup(db, id, &cid, target, err) : CRM_OK;
}

int crm_alias_merged(crm_db *db, crm_error *err)
{
	char day[11];
	crm_audit_today(db, day);
	state(db)->aliases = 1;
	crm_stmt *st;
	/* the duplicates' own aliases follow them to keep, then their ids join */
	int rc = crm_db_exec(db, "UPDATE aliases SET cid = (SELECT keep FROM temp.merge_dups m"
			     " WHERE m.cid = aliases.cid) WHERE cid IN (SELECT cid FROM temp.merge_dups)",
			     err);
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &st, "INSERT INTO aliases (id, cid, merged_at) SELECT d.id,"
				    " m.keep, ?1 FROM temp.merge_dups m JOIN customers d ON d.cid = m.cid",
				    err);
	if (rc != CRM_OK)
		return rc;
	crm_stmt_bind_text_copy(st, 1, day, -1);
	rc = crm_stmt_step(st) == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
	crm_stmt_finalize(st);
	return rc;
}
