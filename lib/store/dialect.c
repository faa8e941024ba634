/* dialect.c: the SQL that differs from one database engine to another,
 * written in one place. Everything else in lib/ writes SQL that engines
 * share (SELECT, JOIN, GROUP BY, CASE, window functions, CREATE TEMP TABLE)
 * and asks the builder for these: JSON fields, day arithmetic, regular
 * expressions, full-text search, an insert that skips rows already there,
 * and the name of a temporary table. A second backend gives each its own
 * spelling here (PostgreSQL: attrs->>'k', date - date, ~, tsvector @@,
 * ON CONFLICT DO NOTHING, pg_temp.name). */
#include "store/store.h"

void crm_sql_json_field(crm_sql *q, const char *column, const char *name)
{
	crm_buf path = {0};
	crm_buf_printf(&path, "$.\"%s\"", name);
	crm_sql_addf(q, "json_extract(%s, ", column);
	crm_sql_text(q, path.p);
	crm_sql_add(q, ")");
	crm_buf_free(&path);
}

void crm_sql_json_key(crm_sql *q, const char *column, const char *key)
{
	crm_sql_addf(q, "json_extract(%s, '$.%s')", column, key);
}

void crm_sql_days_since_open(crm_sql *q)
{
	crm_sql_add(q, "julianday(");
	crm_sql_date(q);
	crm_sql_add(q, ") - julianday(");
}

void crm_sql_days_since_close(crm_sql *q)
{
	crm_sql_add(q, ")");
}

void crm_sql_days_since(crm_sql *q, const char *day_sql)
{
	crm_sql_days_since_open(q);
	crm_sql_add(q, day_sql);
	crm_sql_days_since_close(q);
}

void crm_sql_date_part_open(crm_sql *q, enum crm_date_part part)
{
	crm_sql_add(q, part == CRM_MONTH ? "CAST(strftime('%m', " : "CAST(strftime('%Y', ");
}

void crm_sql_date_part_close(crm_sql *q)
{
	crm_sql_add(q, ") AS INTEGER)");
}

void crm_sql_regexp_open(crm_sql *q, const char *pattern)
{
	crm_sql_add(q, "crm_regexp(");
	crm_sql_text(q, pattern);
	crm_sql_add(q, ", ");
}

void crm_sql_regexp_close(crm_sql *q)
{
	crm_sql_add(q, ")");
}

void crm_sql_fts_rowids(crm_sql *q, const char *table, const char *query)
{
	crm_sql_addf(q, "SELECT rowid FROM %s WHERE %s MATCH ", table, table);
	crm_sql_text(q, query);
}

void crm_sql_insert_ignore(crm_sql *q, const char *table)
{
	crm_sql_addf(q, "INSERT OR IGNORE INTO %s", table);
}

void crm_sql_temp(crm_sql *q, const char *table)
{
	crm_sql_addf(q, "temp.%s", table);
}

void crm_sql_json_array_in_open(crm_sql *q, const char *column)
{
	crm_sql_addf(q, "EXISTS (SELECT 1 FROM json_each(%s) j WHERE j.value IN (", column);
}

void crm_sql_json_array_in_close(crm_sql *q)
{
	crm_sql_add(q, "))");
}

void crm_sql_text_contains(crm_sql *q, const char *column, const char *text)
{
	crm_sql_addf(q, "instr(%s, ", column);
	crm_sql_text(q, text);
	crm_sql_add(q, ") > 0");
}
