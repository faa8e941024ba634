/* store.h: the database: the connection, schema and migrations, the SQL
 * builder, SQL functions, settings, the audit hook, the field catalog. */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include "records/records.h"

/* ---- the seam: how every layer above talks to the database (stmt.c) ----
 * A prepared statement, its parameters bound (1-based) and its columns read
 * (0-based) through these alone, so that a second backend is one more
 * stmt.c. Only store/ includes <sqlite3.h> or looks inside crm_db.sql. */
typedef struct crm_stmt crm_stmt;

/* What a step gave: a row, the end, or a failure (crm_db_fail says which). */
enum crm_step {
	CRM_STEP_FAILED = -1,
	CRM_ROW = 1,
	CRM_DONE = 2,
	CRM_STEP_CONSTRAINT = 3, /* a value the schema refuses: the record's fault */
};

enum crm_step crm_stmt_step(crm_stmt *st);
/* Ready to run again with new values; bindings stay until rebound. */
void crm_stmt_reset(crm_stmt *st);
void crm_stmt_finalize(crm_stmt *st);
/* Text is bound as is: s must outlive the step (len -1: up to the NUL). */
void crm_stmt_bind_text(crm_stmt *st, int i, const char *s, int len);
/* Text copied at once, for a buffer reused before the step. */
void crm_stmt_bind_text_copy(crm_stmt *st, int i, const char *s, int len);
/* Binds a copy of text, or null when s is NULL or empty. */
void crm_stmt_bind_text_or_null(crm_stmt *st, int i, const char *s);
void crm_stmt_bind_int64(crm_stmt *st, int i, int64_t v);
void crm_stmt_bind_double(crm_stmt *st, int i, double v);
void crm_stmt_bind_null(crm_stmt *st, int i);
void crm_stmt_bind_blob_copy(crm_stmt *st, int i, const void *p, int len);
int crm_stmt_param_count(crm_stmt *st);
int crm_stmt_column_count(crm_stmt *st);
/* A column of the row: text NULL for null; bytes of text or blob. */
const char *crm_stmt_text(crm_stmt *st, int col);
int64_t crm_stmt_int64(crm_stmt *st, int col);
int crm_stmt_int(crm_stmt *st, int col);
double crm_stmt_double(crm_stmt *st, int col);
const void *crm_stmt_blob(crm_stmt *st, int col);
int crm_stmt_bytes(crm_stmt *st, int col);
bool crm_stmt_is_null(crm_stmt *st, int col);
/* CRM_NULL, CRM_INT, CRM_REAL or CRM_TEXT (a blob too). */
crm_type crm_stmt_type(crm_stmt *st, int col);
/* Rows the last INSERT, UPDATE or DELETE changed. */
long crm_db_changes(crm_db *db);
/* The rowid the last INSERT gave. */
int64_t crm_db_last_id(crm_db *db);
/* Random bytes from the database engine's generator. */
void crm_db_random(crm_db *db, void *out, size_t n);

/* db.c: opening, closing, transactions. */
struct sqlite3;
struct crm_db {
	struct sqlite3 *sql; /* only store/ looks inside */
	char *path;
	int schema_version;
	bool readonly;
	bool in_tx;
	int busy_ms; /* how long a command waits for another's write to end */
	struct crm_audit *audit; /* who is changing the database, and what (audit.c) */
	/* What layers above keep with the connection, opaque here and let go
	 * by the hooks they give crm_db_on_close. */
	struct crm_chosen *chosen; /* domain/chosen.c: the chosen set's statements */
	struct crm_suppress *suppress; /* domain/suppress.c: the key and lookups */
	void (*on_close[4])(crm_db *db);
	int non_close;
	void (*note)(void *ctx, const char *text); /* crm_db_on_note */
	void *note_ctx;
	struct crm_event_types { /* met and noted this command (event_types.c) */
		char **seen, **noted;
		size_t nseen, nnoted;
		bool whole; /* seen holds every type there is */
	} event_types;
};

/* fn(db) runs when db closes, the last given first; given twice, once. */
void crm_db_on_close(crm_db *db, void (*fn)(crm_db *db));

/* conn.c */
/* Prepares sql or fills err (CRM_EDB) with SQLite's reason. */
int crm_db_prepare(crm_db *db, crm_stmt **st, const char *sql, crm_error *err);
/* Fills err with the database's last error and returns CRM_EDB. */
int crm_db_fail(crm_db *db, crm_error *err, const char *what);
/* CRM_EDATA with the database's reason: a value the schema refused. */
int crm_db_refused(crm_db *db, crm_error *err);
/* indexes.c: drops the indexes of table that no lookup needs (not unique)
 * and appends to rebuild the SQL that makes them again. */
int crm_db_indexes_aside(crm_db *db, const char *table, crm_buf *rebuild, crm_error *err);
/* hash.c: a keyed hash of (field, value) as the SQL function name
 * (2 arguments, a 32-byte blob), for one command's statements. */
typedef void crm_hash_fn(const void *key, const char *field, const char *value, size_t len,
			 unsigned char out[32]);
int crm_db_hash_function(crm_db *db, const char *name, crm_hash_fn *fn, const void *key,
			 crm_error *err);
/* Runs SQL that takes no parameters and returns no rows. */
int crm_db_exec(crm_db *db, const char *sql, crm_error *err);
/* The one number a query without parameters returns (a count), or -1. */
long crm_db_count(crm_db *db, const char *sql);
long crm_db_count_text(crm_db *db, const char *sql, const char *text);

/* event_types.c: an expression names an event type; notes it, once, when
 * the database has none of that type. crm_event_type_load looks the type
 * up before the expression is compiled (when there is a note to say);
 * crm_event_type_named, called as its SQL is emitted, says the note from
 * what was looked up, and reads nothing. */
void crm_event_type_load(crm_db *db, const char *type);
void crm_event_type_named(crm_db *db, const char *type);
void crm_event_type_free(crm_db *db);


/* audit.c */
/* Starts counting the rows a transaction changes. */
void crm_audit_begin(crm_db *db);
/* Records the transaction's changes, if any, just before it commits. */
int crm_audit_record(crm_db *db, crm_error *err);
/* Keeps the values of temp.erase_ids' customers so that the commit takes
 * them out of every command line in the trail, and counts them as erased. */
/* Rows a transaction added and removed again are no change to the trail. */
void crm_audit_unsay(crm_db *db, const char *table, long rows);
int crm_audit_erasing(crm_db *db, long customers, crm_error *err);
void crm_audit_free(crm_db *db);
/* The day the trail dates this change with ($CRM_NOW's, else today). */
void crm_audit_today(crm_db *db, char day[11]);
/* Records shown instead of every argument that is value (or ends in =value). */
void crm_audit_hide(crm_db *db, const char *value, const char *shown);
/* The command line of a row of the trail, its args (a JSON array) quoted
 * as a shell would need them. */
void crm_audit_command_line(crm_buf *b, const char *command, const char *args);
/* An argument as the trail's args hold it, a JSON string (caller frees). */
char *crm_audit_arg_json(const char *arg);

/* sql.c: one statement's text and the values bound to it. */
struct crm_param {
	crm_type type; /* CRM_TEXT, CRM_INT, CRM_REAL or CRM_NULL */
	char *text;
	int64_t i;
	double d;
};

typedef struct crm_sql {
	crm_db *db;
	const crm_clock *clock;
	crm_buf text;
	struct crm_param *params;
	size_t nparams, cap;
	int p_date, p_end; /* parameters holding D and the end of D, once used */
	struct crm_aggs *aggs; /* when set, event aggregates are columns of temp.aggs */
	/* What the fields' SQL takes from the database, loaded before it is
	 * built (crm_field_catalog_load): set by whoever emits fields. */
	const struct crm_field_catalog *catalog;
} crm_sql;

void crm_sql_init(crm_sql *q, crm_db *db, const crm_clock *clock);
void crm_sql_free(crm_sql *q);
/* SQL text from libcrm's own code: never user text. */
void crm_sql_add(crm_sql *q, const char *text);
void crm_sql_addf(crm_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A value: appends a parameter and binds the value to it. */
void crm_sql_text(crm_sql *q, const char *value);
void crm_sql_int(crm_sql *q, int64_t value);
void crm_sql_real(crm_sql *q, double value);
/* The as-of day D (YYYY-MM-DD), and the first instant after it. */
void crm_sql_date(crm_sql *q);
void crm_sql_end(crm_sql *q);
int crm_sql_prepare(crm_sql *q, crm_stmt **st, crm_error *err);
/* A model's stored value for customer c: column is score, grade or code
 * (rfm's 545); model NULL is the default model (setting score.model, from
 * q->catalog). */
int crm_sql_model_value(crm_sql *q, const char *column, const char *model, crm_error *err);
/* Runs a statement that returns no rows; changes (or NULL): rows it changed. */
int crm_sql_exec(crm_sql *q, long *changes, crm_error *err);
/* Runs the statement and writes each row, the columns typed as given. */
int crm_sql_write(crm_sql *q, crm_writer *out, int ncols, const crm_type *types, crm_error *err);

/* dialect.c: what differs between SQL dialects, appended to q. Names given
 * (columns, tables, keys) are libcrm's own, never user text. */
/* The custom attribute name of column's JSON object, its path bound. */
void crm_sql_json_field(crm_sql *q, const char *column, const char *name);
/* The same for one of libcrm's keys, its path in the SQL text, as the
 * expression indexes on attrs spell it (openid, unionid). */
void crm_sql_json_key(crm_sql *q, const char *column, const char *key);
/* Days from a day to D, the as-of day, as a number: open, the day's SQL,
 * close; crm_sql_days_since does the three with the day's SQL given. */
void crm_sql_days_since_open(crm_sql *q);
void crm_sql_days_since_close(crm_sql *q);
void crm_sql_days_since(crm_sql *q, const char *day_sql);
/* The month (1-12) or the year of the date whose SQL comes between. */
enum crm_date_part { CRM_MONTH, CRM_YEAR };
void crm_sql_date_part_open(crm_sql *q, enum crm_date_part part);
void crm_sql_date_part_close(crm_sql *q);
/* 1 when pattern (bound) matches the text's SQL that comes between, 0 when
 * not, null for null text. */
void crm_sql_regexp_open(crm_sql *q, const char *pattern);
void crm_sql_regexp_close(crm_sql *q);
/* "SELECT rowid ..." of the rows of a full-text table that query (bound) finds. */
void crm_sql_fts_rowids(crm_sql *q, const char *table, const char *query);
/* The start of an insert into table that skips the rows already there. */
void crm_sql_insert_ignore(crm_sql *q, const char *table);
/* A condition: the JSON array in column holds an element that the query
 * written between open and close gives. */
void crm_sql_json_array_in_open(crm_sql *q, const char *column);
/* A condition: the text of column holds text. */
void crm_sql_text_contains(crm_sql *q, const char *column, const char *text);
void crm_sql_json_array_in_close(crm_sql *q);
/* A temporary table's name, as statements refer to it. */
void crm_sql_temp(crm_sql *q, const char *table);

/* names.c: things found by their name in a catalog. */
enum crm_catalog {
	CRM_CATALOG_TAG, CRM_CATALOG_RULE, CRM_CATALOG_MODEL, CRM_CATALOG_NOTE_CATEGORY,
};
/* *id: the number of the thing named (a tag's tid; 1 for a rule, a model
 * or a note category), or 0 when the catalog lacks it. */
int crm_name_find(crm_db *db, enum crm_catalog in, const char *name, int64_t *id, crm_error *err);
/* The same, a name the catalog lacks CRM_EDATA: "no tag 'VIP' (crm-tag --list)". */
int crm_name_need(crm_db *db, enum crm_catalog in, const char *name, int64_t *id, crm_error *err);
/* That message, for a name missed by other means (a DELETE that deleted nothing). */
int crm_name_missing(enum crm_catalog in, const char *name, crm_error *err);

/* settings.c */
int crm_setting_days(crm_db *db, const char *key, int *days, crm_error *err);

/* functions.c: the SQL functions libcrm registers on every connection. */
int crm_function_register(struct sqlite3 *db);
/* CRM_EDATA with PCRE2's reason and where, when pattern does not compile. */
int crm_regex_check(const char *pattern, crm_error *err);
/* A run of 3 or more characters every match of pattern holds, for an index
 * to narrow the rows a pattern is run on; NULL when it cannot tell. Caller
 * frees. */
char *crm_regex_literal(const char *pattern);

/* fields.c */
enum crm_field_source {
	CRM_FIELD_STORED,   /* a column of the table */
	CRM_FIELD_CUSTOM,   /* a key of the attrs JSON object */
	CRM_FIELD_COMPUTED, /* an SQL expression over the row and its events */
};

typedef struct crm_field {
	const char *name;
	enum crm_field_source source;
	crm_type type;
	const char *sql;    /* event columns: their SQL; otherwise NULL */
	char *path;         /* custom: the JSON path bound as a parameter */
	bool money;         /* integer cents, written as a decimal */
	char scratch[32];   /* the decimal text of a money value */
	crm_buf text;       /* custom: a value taken out of its JSON */
} crm_field;

/* What the SQL of fields takes from the database, loaded before any of it is
 * built so that building it reads nothing: the custom fields, and the
 * settings that computed fields take. A statement's builder points
 * crm_sql.catalog at one while it emits fields. */
typedef struct crm_field_catalog {
	bool loaded;
	char **custom;       /* the custom fields of the kind loaded, first seen first */
	size_t ncustom;
	int stage[3];        /* stage.new, stage.active, stage.dormant, in days */
	char *score_model;   /* score.model: what the fields score and grade read; "" for none */
	/* why those settings could not be read (NULL: they were), said by the
	 * field that needs them, as when they were read there */
	crm_error *stage_err, *model_err;
} crm_field_catalog;

/* CRM_EDB when the custom fields cannot be read. */
int crm_field_catalog_load(crm_db *db, enum crm_kind kind, crm_field_catalog *cat,
			   crm_error *err);
void crm_field_catalog_free(crm_field_catalog *cat);
/* True when name is one of cat's custom fields. */
bool crm_field_catalog_has(const crm_field_catalog *cat, const char *name);

struct crm_fields {
	enum crm_kind kind;
	size_t n;
	crm_field *f;
	const char **names;
	crm_field_catalog catalog; /* what their SQL reads */
};

/* The field a column name from input means, or NULL when it is custom.
 * Accepts the Chinese header names that exports from other tools use. */
const char *crm_field_canonical(enum crm_kind kind, const char *name);
/* Checks a custom attribute name. */
int crm_field_name_check(const char *name, crm_error *err);
/* Appends the SELECT list for fields (table alias c for customers, e for
 * events joined with their customer c). */
int crm_fields_sql(const crm_fields *fields, crm_sql *q, crm_error *err);
bool crm_field_is_stored(const char *name);
/* True when name is a computed customer field; *type is its type. */
bool crm_field_computed_type(const char *name, crm_type *type);
/* The computed fields' names, in order: NULL past the last. */
const char *crm_field_computed_name(size_t i);
/* Appends a customer field's SQL: stored, computed or custom (from
 * q->catalog, which computed fields read too). */
int crm_sql_field(crm_sql *q, const char *name, crm_error *err);
/* Appends a computed field's SQL. */
int crm_sql_computed(crm_sql *q, const char *name, crm_error *err);
/* crm_sql_field, reading what cat loaded (a catalog that outlives q's own). */
int crm_sql_field_in(crm_sql *q, const crm_field_catalog *cat, const char *name, crm_error *err);
/* The custom fields of kind, in first-seen order; caller frees all. */
int crm_custom_field_list(crm_db *db, enum crm_kind kind, char ***names, size_t *n, crm_error *err);
/* Turns a result row (columns in field order) into values. */
void crm_fields_row(crm_fields *fields, crm_stmt *st, crm_value *values);

#endif
