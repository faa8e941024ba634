/* settings.c: the settings of the commands, kept in the database, each with
 * its default and its check. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static const struct setting {
	const char *key, *fallback, *about;
	enum { S_DAYS, S_WINDOW, S_NAME, S_COUNT, S_SIZE } kind;
} settings[] = {
	{"stage.new", "30d", "first purchase fewer than this ago: stage new", S_DAYS},
	{"stage.active", "90d", "last purchase fewer than this ago: stage active", S_DAYS},
	{"stage.dormant", "180d", "last purchase at most this ago: dormant; longer: churned", S_DAYS},
	{"rfm.window", "365d", "purchases RFM looks at: a window, or all", S_WINDOW},
	{"score.model", "", "the model that the fields score and grade read", S_NAME},
	{"tags.max", "20", "a customer carries at most this many tags", S_COUNT},
	{"db.max_size", "", "the database file grows no bigger (500M, 2G; empty: no limit)", S_SIZE},
};

static const struct setting *find(const char *key)
{
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

static int check_value(const struct setting *s, const char *value, crm_error *err)
{
	int days;
	switch (s->kind) {
	case S_DAYS:
		if (crm_window_days(value, &days) == CRM_OK)
			return CRM_OK;
		return crm_error_set(err, CRM_EUSAGE, "%s: '%s' is not a number of days (30d, 12w, 6m, 1y)",
				     s->key, value);
	case S_WINDOW:
		if (strcmp(value, "all") == 0 || crm_window_days(value, &days) == CRM_OK)
			return CRM_OK;
		return crm_error_set(err, CRM_EUSAGE, "%s: '%s' is not a window (365d, 52w, 12m, 1y) or all",
				     s->key, value);
	case S_NAME:
		if (strlen(value) <= 64 && !strpbrk(value, "\t\n\r"))
			return CRM_OK;
		return crm_error_set(err, CRM_EUSAGE, "%s: '%s' is not a name", s->key, value);
	case S_COUNT: {
		char *end;
		long n = strtol(value, &end, 10);
		if (end != value && !*end && n >= 1 && n <= 10000)
			return CRM_OK;
		return crm_error_set(err, CRM_EUSAGE, "%s: '%s' is not a number from 1 to 10000", s->key, value);
	}
	case S_SIZE: {
		int64_t bytes;
		if (!*value || crm_size_bytes(value, &bytes) == CRM_OK)
			return CRM_OK;
		return crm_error_set(err, CRM_EUSAGE, "%s: '%s' is not a size (500M, 2G), or empty for none",
				     s->key, value);
	}
	}
	return CRM_OK;
}

int crm_setting_get(crm_db *db, const char *key, char **value, crm_error *err)
{
	const struct setting *s = find(key);
	if (!s)
		return crm_error_set(err, CRM_EUSAGE, "unknown setting '%s'", key);
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT value FROM settings WHERE key = ?1", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, key, -1);
	int rc = crm_stmt_step(st);
	*value = crm_xstrdup(rc == CRM_ROW ? crm_stmt_text(st, 0) : s->fallback);
	crm_stmt_finalize(st);
	if (rc != CRM_ROW && rc != CRM_DONE) {
		free(*value);
		*value = NULL;
		return crm_db_fail(db, err, NULL);
	}
	return CRM_OK;
}

int crm_setting_days(crm_db *db, const char *key, int *days, crm_error *err)
{
	char *value;
	if (crm_setting_get(db, key, &value, err) != CRM_OK)
		return err ? err->code : CRM_EDB;
	int rc = crm_window_days(value, days);
	free(value);
	return rc == CRM_OK ? CRM_OK : crm_error_set(err, CRM_EDB, "setting %s is damaged", key);
}

/* The stage thresholds must keep their order: new and active before dormant. */
static int check_stages(crm_db *db, crm_error *err)
{
	int active, dormant;
	if (crm_setting_days(db, "stage.active", &active, err) ||
	    crm_setting_days(db, "stage.dormant", &dormant, err))
		return CRM_EDB;
	if (active > dormant)
		return crm_error_set(err, CRM_EUSAGE,
				     "stage.active (%dd) must not be longer than stage.dormant (%dd)",
				     active, dormant);
	return CRM_OK;
}

/* A model the setting names must be there: rfm always is, the others once
 * crm-score --define stored them. Empty: no default. */
static int check_model(crm_db *db, const struct setting *s, const char *value, crm_error *err)
{
	if (s->kind != S_NAME || !*value || !strcmp(value, "rfm"))
		return CRM_OK;
	int64_t found;
	if (crm_name_find(db, CRM_CATALOG_MODEL, value, &found, err) != CRM_OK)
		return CRM_EDB;
	if (found)
		return CRM_OK;
	return crm_error_set(err, CRM_EUSAGE, "%s: no model '%s' (crm-score --models lists them)",
			     s->key, value);
}

int crm_setting_set(crm_db *db, const char *key, const char *value, const crm_clock *clock,
		    crm_error *err)
{
	const struct setting *s = find(key);
	if (!s)
		return crm_error_set(err, CRM_EUSAGE, "unknown setting '%s'", key);
	if (check_value(s, value, err) != CRM_OK)
		return CRM_EUSAGE;
	int checked = check_model(db, s, value, err);
	if (checked != CRM_OK)
		return checked;
	crm_stmt *st;
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_db_prepare(db, &st,
				"INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
				" ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
				" updated_at = excluded.updated_at", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, key, -1);
		crm_stmt_bind_text(st, 2, value, -1);
		crm_stmt_bind_text(st, 3, clock->now, -1);
		if (crm_stmt_step(st) != CRM_DONE)
			rc = crm_db_fail(db, err, NULL);
		crm_stmt_finalize(st);
	}
	if (rc == CRM_OK && strncmp(key, "stage.", 6) == 0)
		rc = check_stages(db, err);
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

int crm_setting_write(crm_db *db, const char *only, crm_writer *out, crm_error *err)
{
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
		const struct setting *s = &settings[i];
		if (only && strcmp(only, s->key) != 0)
			continue;
		char *value;
		if (crm_setting_get(db, s->key, &value, err) != CRM_OK)
			return CRM_EDB;
		crm_value row[4] = {
			{CRM_TEXT, s->key, strlen(s->key)},
			{*value ? CRM_TEXT : CRM_NULL, value, strlen(value)},
			{*s->fallback ? CRM_TEXT : CRM_NULL, s->fallback, strlen(s->fallback)},
			{CRM_TEXT, s->about, strlen(s->about)},
		};
		int rc = crm_writer_put(out, row, err);
		free(value);
		if (rc != CRM_OK)
			return rc;
	}
	if (only && !find(only))
		return crm_error_set(err, CRM_EUSAGE, "unknown setting '%s'", only);
	return CRM_OK;
}

const char *const crm_setting_columns[4] = {"key", "value", "default", "about"};
