/* match.c: customers named by a key other than their id (--match): phone,
 * email, wechat_id, or WeChat's openid and unionid. Each is found through
 * its own index, so a stream of a million phones costs a million index
 * searches, never a scan. crm-add finds a record's customer so; crm-tag,
 * the customers of a list on stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

static const char *const key_names[] = {
	[CRM_MATCH_PHONE] = "phone", [CRM_MATCH_EMAIL] = "email", [CRM_MATCH_WECHAT] = "wechat_id",
	[CRM_MATCH_OPENID] = "openid", [CRM_MATCH_UNIONID] = "unionid",
};

int crm_match_parse(const char *name, enum crm_match *match)
{
	for (int k = CRM_MATCH_PHONE; k <= CRM_MATCH_UNIONID; k++)
		if (strcmp(name, key_names[k]) == 0) {
			*match = (enum crm_match)k;
			return CRM_OK;
		}
	return CRM_EUSAGE;
}

const char *crm_match_name(enum crm_match key)
{
	return key >= CRM_MATCH_PHONE && key <= CRM_MATCH_UNIONID ? key_names[key] : NULL;
}

void crm_match_sql(crm_sql *q, enum crm_match key)
{
	static const char *const column[] = {
		[CRM_MATCH_PHONE] = "phone", [CRM_MATCH_EMAIL] = "email",
		[CRM_MATCH_WECHAT] = "wechat_id",
	};
	crm_sql_add(q, "SELECT id FROM customers WHERE ");
	if (key == CRM_MATCH_OPENID || key == CRM_MATCH_UNIONID) {
		/* the conditions of their partial indexes, so that the indexes serve */
		crm_sql_add(q, "attrs IS NOT NULL AND ");
		crm_sql_json_key(q, "attrs", crm_match_name(key));
	} else {
		crm_sql_add(q, column[key]);
	}
	crm_sql_add(q, " = ?1 ORDER BY cid LIMIT 2");
}

int crm_match_prepare(crm_db *db, enum crm_match key, crm_stmt **st, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_match_sql(&q, key);
	int rc = crm_db_prepare(db, st, q.text.p, err);
	crm_sql_free(&q);
	return rc;
}

int crm_match_find(crm_db *db, crm_stmt *st, enum crm_match key, const char *value,
		   const char *hint, char **id, crm_error *err)
{
	*id = NULL;
	crm_stmt_reset(st);
	crm_stmt_bind_text_copy(st, 1, value, -1);
	char *found[2] = {NULL, NULL};
	int n = 0, rc;
	while (n < 2 && (rc = crm_stmt_step(st)) == CRM_ROW)
		found[n++] = crm_xstrdup(crm_stmt_text(st, 0));
	bool failed = n < 2 && rc != CRM_DONE;
	crm_stmt_reset(st);
	if (failed) {
		free(found[0]);
		return crm_db_fail(db, err, NULL);
	}
	if (n == 2) {
		crm_error_set(err, CRM_EDATA, "%s: '%s' matches more than one customer ('%s', '%s')%s",
			      crm_match_name(key), value, found[0], found[1], hint);
		free(found[0]);
		free(found[1]);
		return CRM_EDATA;
	}
	*id = found[0];
	return CRM_OK;
}

/* ---- a stream's customers, by key ---- */

struct crm_key_lookup {
	crm_db *db;
	enum crm_match key;
	crm_stmt *find;
	char *id; /* the last answer */
};

int crm_key_lookup_new(crm_key_lookup **out, crm_db *db, enum crm_match key, crm_error *err)
{
	*out = NULL;
	if (!crm_match_name(key))
		return crm_error_set(err, CRM_EUSAGE, "no such key to match customers by");
	crm_key_lookup *l = crm_xmalloc(sizeof *l);
	*l = (crm_key_lookup){.db = db, .key = key};
	if (crm_match_prepare(db, key, &l->find, err) != CRM_OK) {
		free(l);
		return CRM_EDB;
	}
	*out = l;
	return CRM_OK;
}

/* The value as crm-add stores it: a phone normalized, an email trimmed and
 * lower-cased, the others trimmed. Caller frees *out. */
static int normalized(enum crm_match key, const char *value, char **out, crm_error *err)
{
	size_t size = strlen(value) + 40;
	*out = crm_xmalloc(size);
	crm_error why;
	int rc = CRM_OK;
	if (key == CRM_MATCH_PHONE)
		rc = crm_norm_phone(value, *out, size, &why);
	else if (key == CRM_MATCH_EMAIL)
		rc = crm_norm_email(value, *out, size, &why);
	else {
		size_t len = strlen(value);
		const char *s = crm_trim(value, &len);
		memcpy(*out, s, len);
		(*out)[len] = '\0';
	}
	if (rc != CRM_OK)
		crm_error_set(err, CRM_EDATA, "%s: %s", crm_match_name(key), why.msg);
	else if (!**out)
		rc = crm_error_set(err, CRM_EDATA, "the record has an empty %s", crm_match_name(key));
	if (rc != CRM_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int crm_key_lookup_get(crm_key_lookup *l, const char *value, const char **id, crm_error *err)
{
	*id = NULL;
	free(l->id);
	l->id = NULL;
	char *v;
	if (normalized(l->key, value, &v, err) != CRM_OK)
		return CRM_EDATA;
	/* more than one: which of them was meant, only an id says */
	char hint[80];
	snprintf(hint, sizeof hint, ": name them by id (crm-segment --duplicates %s lists them)",
		 crm_match_name(l->key));
	int rc = crm_match_find(l->db, l->find, l->key, v, hint, &l->id, err);
	if (rc == CRM_OK && !l->id)
		rc = crm_error_set(err, CRM_EDATA, "no customer has %s '%s'", crm_match_name(l->key), v);
	free(v);
	*id = l->id;
	return rc;
}

void crm_key_lookup_free(crm_key_lookup *l)
{
	if (!l)
		return;
	crm_stmt_finalize(l->find);
	free(l->id);
	free(l);
}
