/* hash.c: a keyed hash as an SQL function, for the statements of one
 * command (the suppression list's erasure). */
#include <sqlite3.h>
#include <stdlib.h>

#include "store/store.h"

struct keyed_hash {
	crm_hash_fn *fn;
	const void *key;
};

static void keyed_hash_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const struct keyed_hash *k = sqlite3_user_data(ctx);
	const char *field = (const char *)sqlite3_value_text(argv[0]);
	const char *value = (const char *)sqlite3_value_text(argv[1]);
	if (!field || !value) {
		sqlite3_result_null(ctx);
		return;
	}
	unsigned char h[32];
	k->fn(k->key, field, value, (size_t)sqlite3_value_bytes(argv[1]), h);
	sqlite3_result_blob(ctx, h, sizeof h, SQLITE_TRANSIENT);
}

/* Direct only: a key must not be reachable from a view or a trigger. */
int crm_db_hash_function(crm_db *db, const char *name, crm_hash_fn *fn, const void *key,
			 crm_error *err)
{
	struct keyed_hash *k = crm_xmalloc(sizeof *k);
	*k = (struct keyed_hash){fn, key};
	if (sqlite3_create_function_v2(db->sql, name, 2,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, k,
				       keyed_hash_fn, NULL, NULL, free) != SQLITE_OK)
		return crm_db_fail(db, err, "cannot register a function");
	return CRM_OK;
}
