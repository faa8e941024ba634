/* internal.h: what lib/ files share and the commands never see. */
#ifndef CRM_INTERNAL_H
#define CRM_INTERNAL_H

#include <sqlite3.h>
#include <time.h>

#include "crm.h"

/* A growable byte buffer, always NUL-terminated once anything was added. */
typedef struct crm_buf {
	char *p;
	size_t len, cap;
} crm_buf;

void crm_buf_reserve(crm_buf *b, size_t extra);
void crm_buf_add(crm_buf *b, const void *data, size_t len);
void crm_buf_adds(crm_buf *b, const char *s);
void crm_buf_addc(crm_buf *b, char c);
/* Adds s[0..len) and a NUL of its own: a string kept in b at the old length. */
void crm_buf_add_string(crm_buf *b, const char *s, size_t len);
void crm_buf_printf(crm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void crm_buf_reset(crm_buf *b);
void crm_buf_free(crm_buf *b);
/* Out of memory is not an error a command can act on: report and abort. */
void *crm_xmalloc(size_t n);
void *crm_xrealloc(void *p, size_t n);
char *crm_xstrdup(const char *s);

/* The record handed out: names and values live in one text buffer. */
struct crm_builder {
	crm_buf text;
	size_t n, cap;
	size_t *name_off; /* SIZE_MAX: the name comes from the header */
	size_t *val_off, *val_len;
	const char **ref; /* a value the builder does not hold (crm_builder_add_ref), or NULL */
	crm_type *type;
	const char **names;
	crm_value *values;
	crm_record rec;
};

void crm_builder_reset(struct crm_builder *b);
/* Adds a field; name NULL takes the name from the header given to finish. */
void crm_builder_add(struct crm_builder *b, const char *name, crm_type type,
		     const char *s, size_t len);
/* Adds a text value held elsewhere, NUL-terminated, that outlives the
 * record: a reader's queue hands its fields out so, without a copy. */
void crm_builder_add_ref(struct crm_builder *b, const char *s, size_t len);
const crm_record *crm_builder_finish(struct crm_builder *b, char **header,
				     size_t nheader, long line);
void crm_builder_free(struct crm_builder *b);

/* utf8.c */
size_t crm_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
int crm_codepoint_width(uint32_t cp);
/* The characters (code points) in valid UTF-8 text. */
size_t crm_utf8_chars(const char *str);

/* clock.c: days from 1970-01-01 to the date y-m-d (proleptic Gregorian). */
long long crm_days_from_civil(int y, int m, int d);
/* Days from day to the next birthday (YYYY-MM-DD both), 0 on it; 29 February
 * counts on 28 February in other years. -1 when either is no date, or the
 * birthday comes after day. */
int crm_days_to_birthday(const char *birthday, const char *day);

/* normalize.c: the days in a month (1-12) of a year. */
int crm_days_in_month(int year, int month);
/* normalize.c: parses a normalized YYYY-MM-DDTHH:MM:SS into t (local time). */
bool crm_parse_timestamp(const char *ts, struct tm *t);
/* Trims ASCII and ideographic spaces at both ends: returns the start, sets *len. */
const char *crm_trim(const char *s, size_t *len);

/* db.c */
struct crm_db {
	sqlite3 *sql;
	char *path;
	int schema_version;
	bool readonly;
	bool in_tx;
	int busy_ms; /* how long a command waits for another's write to end */
	sqlite3_stmt *choose; /* crm_chosen_add's insert, prepared once for a stream */
	sqlite3_stmt *chosen_has; /* crm_chosen_has's lookup, once for a pass-through */
	struct crm_audit *audit; /* who is changing the database, and what (audit.c) */
	struct crm_suppress *suppress; /* the suppression key and lookups (suppress.c) */
	void (*note)(void *ctx, const char *text); /* crm_db_on_note */
	void *note_ctx;
	struct crm_event_types { /* met and noted this command (event_types.c) */
		char **seen, **noted;
		size_t nseen, nnoted;
		bool whole; /* seen holds every type there is */
	} event_types;
};

/* Prepares sql or fills err (CRM_EDB) with SQLite's reason. */
int crm_db_prepare(crm_db *db, sqlite3_stmt **st, const char *sql, crm_error *err);
/* Fills err with the database's last error and returns CRM_EDB. */
int crm_db_fail(crm_db *db, crm_error *err, const char *what);
/* Runs SQL that takes no parameters and returns no rows. */
int crm_db_exec(crm_db *db, const char *sql, crm_error *err);
/* The one number a query without parameters returns (a count), or -1. */
long crm_db_count(crm_db *db, const char *sql);
long crm_db_count_text(crm_db *db, const char *sql, const char *text);

/* event_types.c: an expression names an event type; notes it, once, when
 * the database has none of that type. */
void crm_event_type_named(crm_db *db, const char *type);
void crm_event_types_free(crm_db *db);

/* Binds text, or NULL when s is NULL or empty. */
int crm_bind_text_or_null(sqlite3_stmt *st, int i, const char *s);

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

/* sha256.c: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104). */
typedef struct crm_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t used;
} crm_sha256;
void crm_sha256_init(crm_sha256 *s);
void crm_sha256_add(crm_sha256 *s, const void *data, size_t len);
void crm_sha256_end(crm_sha256 *s, unsigned char out[32]);
/* A key made ready once: crm_hmac_begin, crm_sha256_add the message, crm_hmac_end. */
typedef struct crm_hmac {
	crm_sha256 inner, outer;
} crm_hmac;
void crm_hmac_init(crm_hmac *h, const void *key, size_t keylen);
void crm_hmac_begin(const crm_hmac *h, crm_sha256 *s);
void crm_hmac_end(const crm_hmac *h, crm_sha256 *s, unsigned char out[32]);
void crm_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
		     unsigned char out[32]);

/* suppress.c: the suppression list and the aliases of merged customers. */
enum { CRM_SUP_ID, CRM_SUP_PHONE, CRM_SUP_EMAIL, CRM_SUP_WECHAT, CRM_SUP_OPENID, CRM_SUP_UNIONID,
       CRM_SUP_NFIELDS };
/* Their names, which are also the hashes' field tags. */
extern const char *const crm_suppress_fields[CRM_SUP_NFIELDS];
int crm_suppress_any(crm_db *db, bool *any, crm_error *err);
/* on: the day the first of values (by field; NULL or "" for none, stored
 * forms) that is suppressed was erased, or "" when none is. */
int crm_suppressed(crm_db *db, const char *const values[CRM_SUP_NFIELDS], char on[11],
		   crm_error *err);
/* Suppresses the customers of temp.erase_ids and their aliases, making the
 * key on first need. */
int crm_suppress_erased(crm_db *db, crm_error *err);
int crm_alias_any(crm_db *db, bool *any, crm_error *err);
/* temp.merge_dups' ids become aliases of their keep; theirs follow. */
int crm_alias_merged(crm_db *db, crm_error *err);
void crm_suppress_free(crm_db *db);

/* sql.c: one statement's text and the values bound to it. */
struct crm_param {
	int type; /* SQLITE_TEXT, SQLITE_INTEGER, SQLITE_FLOAT or SQLITE_NULL */
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
	int stage[3];      /* the stage thresholds in days, once read */
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
int crm_sql_prepare(crm_sql *q, sqlite3_stmt **st, crm_error *err);
/* A model's stored value for customer c: column is score, grade or code
 * (rfm's 545); model NULL is the default model (setting score.model). */
int crm_sql_model_value(crm_sql *q, const char *column, const char *model, crm_error *err);
/* Runs a statement that returns no rows; changes (or NULL): rows it changed. */
int crm_sql_exec(crm_sql *q, long *changes, crm_error *err);
/* Runs the statement and writes each row, the columns typed as given. */
int crm_sql_write(crm_sql *q, crm_writer *out, int ncols, const crm_type *types, crm_error *err);

/* match.c: the statement that finds the customers with a --match key's
 * value (?1): their ids, oldest first, two at most. */
const char *crm_match_sql(enum crm_match key);
/* Runs st (crm_match_sql's) for value: *id is the customer with it (caller
 * frees), or NULL for none; CRM_EDATA when two have it, hint ending the
 * message. */
int crm_match_find(crm_db *db, sqlite3_stmt *st, enum crm_match key, const char *value,
		   const char *hint, char **id, crm_error *err);

/* settings.c */
/* Days in a window: 90d, 12w, 6m (30 days a month), 1y (365 days). */
int crm_window_days(const char *text, int *days);
/* A size: 100K, 500M, 2G. */
int crm_size_bytes(const char *text, int64_t *bytes);
int crm_setting_days(crm_db *db, const char *key, int *days, crm_error *err);

/* error.c: the line of text (line and column 1-based, columns in
 * characters) with a caret under the column, as the error's context. */
void crm_error_caret(crm_error *err, const char *text, int line, int col);

/* models.c: a model's grades in order, ';'-joined (rfm: its segments, Others). */
void crm_model_grades(const crm_model *m, crm_buf *out);

/* rfm.c: the cut points per measure (R, F, M) over the n customers with a
 * purchase in the window. crm_rfm_prepare leaves those customers in
 * temp.rfm_base: cid, r, f, m (in cents), and their scores rs, fs, ms. */
typedef struct crm_rfm_cutpoints {
	long n;
	double cut[3][4];
} crm_rfm_cutpoints;
int crm_rfm_prepare(crm_db *db, const crm_clock *clock, crm_rfm_cutpoints *cuts, crm_error *err);
/* The segment of temp.rfm_base b's scores, as an SQL expression. */
void crm_rfm_segment_sql(crm_sql *q, const crm_model *m);
/* Scores the customers where chooses into temp.scored. */
int crm_rfm_score(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		  crm_error *err);

/* mask.c: value s of field masked into out (NUL-terminated, out->len
 * without it), by the rules of crm-export(1). */
void crm_mask_value(const char *field, const char *s, size_t len, crm_buf *out);

/* notes.c: CRM_EDATA when a note's (trimmed) text is too long, not UTF-8,
 * or holds control characters other than line breaks and tabs. */
int crm_note_text_check(const char *s, size_t n, crm_error *err);

/* expr.c */
/* Appends the expression as an SQL condition over customers c. */
int crm_expr_emit(const crm_expr *e, crm_sql *q, crm_error *err);
/* Appends a value expression (crm_expr_value_new) as an SQL value over
 * customers c; its aggregates come from temp.aggs while q->aggs is set. */
int crm_expr_emit_value(const crm_expr *e, crm_sql *q, crm_error *err);
/* Event aggregates (count, sum, ..., since) computed for every customer in
 * one pass over the events, when many expressions are run over everyone:
 * while crm_sql.aggs is set, crm_expr_emit writes each aggregate as a column
 * of temp.aggs, alias agg, which the statement must LEFT JOIN on agg.cid =
 * c.cid; crm_aggs_build then makes that table. Equal aggregates share one
 * column. */
typedef struct crm_aggs crm_aggs;
crm_aggs *crm_aggs_new(void);
void crm_aggs_free(crm_aggs *a);
/* chosen, when not NULL, limits the table to the customers it selects. */
int crm_aggs_build(crm_aggs *a, crm_db *db, const crm_clock *clock, const crm_expr *chosen,
		   crm_error *err);
/* " LEFT JOIN temp.aggs agg ON agg.cid = c.cid", or nothing with no aggregates. */
void crm_aggs_join(const crm_aggs *a, crm_sql *q);
/* True when e is the chosen set alone (crm_expr_chosen), whose customer ids
 * are in temp.chosen_ids: a statement can take them from there. */
bool crm_expr_is_chosen(const crm_expr *e);
/* "SELECT cid ..." of the customers where chooses (NULL: everyone). Ids given
 * or piped in are taken from the chosen set as they were looked up: reading
 * the customers table again for them would read most of its pages for a
 * tenth of the customers. Does nothing more once *rc is not OK. */
/* order.c: " ORDER BY ... LIMIT n" of customers c, o NULL for the order stored. */
int crm_order_sql(const crm_order *o, crm_sql *q, crm_error *err);
void crm_sql_chosen_cids(crm_sql *q, const crm_expr *where, crm_error *err, int *rc);
/* True when the expression text calls segment('name'). */
bool crm_expr_text_uses_segment(const char *text, const char *name);
/* True when the expression text calls tag('name'). */
bool crm_expr_text_uses_tag(const char *text, const char *name);

/* tags.c: tags given customer by customer, by hand (crm-add's tags column),
 * inside the caller's transaction. */
struct crm_tag_giver;
struct crm_tag_giver *crm_tag_giver_new(crm_db *db, const char *source, const crm_clock *clock,
					crm_error *err);
/* The ';'-joined tags of the next customer: their ids, the ones the catalog
 * lacks defined (CRM_EDATA, nothing defined, for a near-duplicate). Done
 * before the customer is written, so that a refusal leaves nothing. */
int crm_tag_giver_resolve(struct crm_tag_giver *g, const char *list, crm_error *err);
/* True when a customer could pass tags.max: the catalog, with more new
 * tags, would have more. */
bool crm_tag_giver_may_exceed(struct crm_tag_giver *g, size_t more);
/* After a rollback of the last resolve: forgets the tags it defined. */
void crm_tag_giver_forget(struct crm_tag_giver *g);
/* Gives cid the resolved tags it lacks; with replace, the ones it was given
 * by hand that are not listed go. *changed: anything did. */
int crm_tag_giver_set(struct crm_tag_giver *g, sqlite3_int64 cid, bool replace, bool *changed,
		      crm_error *err);
/* CRM_EDATA when cid now carries more than tags.max tags. */
int crm_tag_giver_check(struct crm_tag_giver *g, sqlite3_int64 cid, crm_error *err);
/* cid's tags now, ';'-joined; valid until the next call. */
const char *crm_tag_giver_tags(struct crm_tag_giver *g, sqlite3_int64 cid);
void crm_tag_giver_free(struct crm_tag_giver *g);

/* segments.c */
/* The expression text of a saved segment; caller frees. */
int crm_segment_expr(crm_db *db, const char *name, char **text, crm_error *err);

/* functions.c: the SQL functions libcrm registers on every connection. */
int crm_functions_register(sqlite3 *db);
/* CRM_EDATA with PCRE2's reason and where, when pattern does not compile. */
int crm_regex_check(const char *pattern, crm_error *err);
/* A run of 3 or more characters every match of pattern holds, for an index
 * to narrow the rows a pattern is run on; NULL when it cannot tell. Caller
 * frees. */
char *crm_regex_literal(const char *pattern);

/* headers.c */
/* A name as compared: trimmed, lower case, without spaces, _ - . and the
 * marks templates add (手机号*, 姓名(必填)). */
void crm_header_key(const char *name, char *out, size_t outsz);
/* The field a column of this name gives, or NULL when it is its own. */
const char *crm_header_field(enum crm_names names, const char *name);
/* True when field holds dates (*timestamp: with the time of day). */
bool crm_header_is_date(enum crm_names names, const char *field, bool *timestamp);

/* xlsx_write.c: a workbook of one sheet, written with libxlsxwriter. */
typedef struct crm_xlsx_out crm_xlsx_out;
crm_xlsx_out *crm_xlsx_out_new(size_t ncols, const char *const *names, crm_error *err);
int crm_xlsx_out_row(crm_xlsx_out *x, const crm_value *values, crm_error *err);
/* Closes the workbook and copies its bytes to out; nothing reaches out before this. */
int crm_xlsx_out_finish(crm_xlsx_out *x, FILE *out, crm_error *err);
void crm_xlsx_out_free(crm_xlsx_out *x);

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

struct crm_fields {
	enum crm_kind kind;
	size_t n;
	crm_field *f;
	const char **names;
};

/* The stored columns of customers and of events, in table order. */
extern const char *const crm_customer_columns[];
extern const size_t crm_customer_ncolumns;
extern const char *const crm_event_columns[];
extern const size_t crm_event_ncolumns;
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
/* Appends a customer field's SQL: stored, computed or custom. */
int crm_sql_field(crm_sql *q, const char *name, crm_error *err);
/* Appends a computed field's SQL. */
int crm_sql_computed(crm_sql *q, const char *name, crm_error *err);
/* The custom fields of kind, in first-seen order; caller frees all. */
int crm_custom_fields(crm_db *db, enum crm_kind kind, char ***names, size_t *n, crm_error *err);
/* Turns a result row (columns in field order) into values. */
void crm_fields_row(crm_fields *fields, sqlite3_stmt *st, crm_value *values);

#endif
