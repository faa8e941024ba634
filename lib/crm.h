/*
 * crm.h: the public interface of libcrm, the library behind the crm commands.
 *
 * Rules that hold for every function here:
 * - Names: crm_noun_verb, the noun singular for one thing (crm_tag_list
 *   lists tags, crm_note_add adds one note).
 * - Memory: crm_x_new/crm_x_open return an object the caller owns and releases
 *   with crm_x_free/crm_x_close, which accept NULL. Getters return borrowed
 *   pointers, valid until the next call on the same object. A function that
 *   returns a fresh string says "caller frees".
 * - Errors: functions return a crm_status (0 is success) and fill the crm_error
 *   they are given. The library never exits, never prints and never reads the
 *   environment; the commands do that.
 * - SQL lives in lib/ only, and the database's own API in lib/store/ only
 *   (lib/README draws the layers).
 */
#ifndef CRM_H
#define CRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CRM_VERSION "0.1.0"

/* error.c: statuses double as the commands' exit codes (crm(7)). */
enum crm_status {
	CRM_OK = 0,
	CRM_EDATA = 1,  /* bad input data or expression */
	CRM_EUSAGE = 2, /* bad options or arguments */
	CRM_EDB = 3,    /* database or I/O failure */
};

typedef struct crm_error {
	int code;           /* a crm_status */
	char source[256];   /* file name, "stdin", "expression"; empty when none */
	long line;          /* 1-based; 0 when not about a line */
	long column;        /* 1-based; 0 when not about a column */
	char msg[2048];     /* one reason a line; several lines for several reasons */
	char context[512];  /* shown below the reasons as it is: the line, and a caret */
} crm_error;

void crm_error_clear(crm_error *err);
/* Fills err (when not NULL) and returns code, so that callers can write
 * `return crm_error_set(err, CRM_EDATA, "...", ...);`. */
int crm_error_set(crm_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds one more reason line to err->msg. */
void crm_error_add(crm_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void crm_error_at(crm_error *err, const char *source, long line, long column);

/* clock.c: "now" for every time-relative result and for what commands write. */
typedef struct crm_clock {
	char date[11];     /* D, YYYY-MM-DD */
	char end[20];      /* first instant after D: YYYY-MM-DDT00:00:00 of D+1 */
	char now[20];      /* the time written as "now": YYYY-MM-DDTHH:MM:SS */
} crm_clock;

/* spec: a date or timestamp (--as-of, $CRM_NOW), or NULL for the real now. */
int crm_clock_init(crm_clock *clock, const char *spec, crm_error *err);
/* The day offset days from D (negative: before), YYYY-MM-DD. */
void crm_clock_day(const crm_clock *clock, int offset, char out[11]);
/* --since: a date, or a window ending on D ("7d": D and the 6 days before). */
int crm_since_day(const crm_clock *clock, const char *when, char out[11], crm_error *err);
/* A day ahead: "30d", "4w", "6m" after D, or a date after D (on or after D
 * when today is allowed). option names the option in the error. */
int crm_day_ahead(const crm_clock *clock, const char *option, const char *when, bool today,
		  char out[11], crm_error *err);

/* normalize.c: the normalized forms of SPEC, "Normalized values".
 * Each writes the normalized text into out (NUL-terminated) and returns
 * CRM_OK, or CRM_EDATA with the reason in err. Empty input gives empty output. */
int crm_norm_phone(const char *in, char *out, size_t outsz, crm_error *err);
int crm_norm_email(const char *in, char *out, size_t outsz, crm_error *err);
int crm_norm_gender(const char *in, char *out, size_t outsz, crm_error *err);
int crm_norm_date(const char *in, char *out, size_t outsz, crm_error *err);
int crm_norm_timestamp(const char *in, char *out, size_t outsz, crm_error *err);
/* Dates written with the day or month first (05.01.2024, 1/5/2024): ISO
 * reads only those whose order shows (25/12/2024) and refuses the others;
 * DMY and MDY say which; YMD refuses all of them. */
enum crm_date_order { CRM_DATES_ISO, CRM_DATES_DMY, CRM_DATES_MDY, CRM_DATES_YMD };
int crm_date_order_parse(const char *name, enum crm_date_order *order);
int crm_norm_date_as(const char *in, enum crm_date_order order, char *out, size_t outsz,
		     crm_error *err);
int crm_norm_timestamp_as(const char *in, enum crm_date_order order, char *out, size_t outsz,
			  crm_error *err);
/* True for 1.38001E+10: a long number Excel shortened, its digits lost. */
bool crm_excel_shortened(const char *in);
/* An amount of money, kept exactly: *cents receives it in cents. */
int crm_norm_amount(const char *in, int64_t *cents, crm_error *err);
/* Formats cents as a decimal with two places ("1299.00"). */
void crm_format_amount(int64_t cents, char *out, size_t outsz);

/* utf8.c */
/* Length of the valid UTF-8 prefix of s[0..len): len when all of it is valid. */
size_t crm_utf8_valid_prefix(const char *s, size_t len);
/* Terminal columns that s[0..len) takes: CJK and emoji two, combining marks none. */
size_t crm_display_width(const char *s, size_t len);

/* Record formats (record.c) */
enum crm_format {
	CRM_FMT_AUTO,
	CRM_FMT_CSV,
	CRM_FMT_TSV,
	CRM_FMT_JSON,
	CRM_FMT_NDJSON,
	CRM_FMT_IDS,
	CRM_FMT_TABLE,
	CRM_FMT_CHART, /* bars, for counts: labels, then count and share columns */
	CRM_FMT_VCARD, /* vCard 4.0, a card per customer, from the columns it knows */
	CRM_FMT_WECHAT, /* WeChat batch tagging payloads from column openid (crm_writer_tagid) */
	CRM_FMT_XLSX,   /* an Excel workbook: read (the first sheet, or one named) and written */
};

int crm_format_parse(const char *name, enum crm_format *fmt);
const char *crm_format_name(enum crm_format fmt);

/* A value: its text form and its type. Text of CRM_NULL is NULL. */
typedef enum crm_type {
	CRM_NULL,
	CRM_TEXT,
	CRM_INT,
	CRM_REAL,
	CRM_LIST, /* ';'-joined text; an array in JSON */
	CRM_BOOL, /* "true" or "false" */
	CRM_JSON, /* a JSON object or array of objects, as its JSON text */
} crm_type;

typedef struct crm_value {
	crm_type type;
	const char *s;
	size_t len;
} crm_value;

typedef struct crm_record {
	size_t n;
	const char *const *names; /* n field names */
	const crm_value *values;  /* n values */
	long line;                /* input line where the record starts */
	const char *const *source_names; /* the n names as the input has them (手机号
					    for phone), or NULL when they are names */
} crm_record;

/* The name of field i as the input has it, for messages. */
const char *crm_record_source_name(const crm_record *rec, size_t i);

/* Returns the value of the named field, or NULL when the record has none. */
const crm_value *crm_record_get(const crm_record *rec, const char *name);

/* reader.c: streaming readers of csv, tsv, json, ndjson, ids and xlsx.
 * Memory does not grow with the input: one record is held at a time. */
typedef struct crm_reader crm_reader;

enum crm_read {
	CRM_READ_END = 0,  /* no more records */
	CRM_READ_OK,       /* *rec holds the next record */
	CRM_READ_BAD_ROW,  /* *rec holds a record that breaks a rule (err says
			      which); reading can go on */
	CRM_READ_FAIL,     /* the stream cannot be read further (err says why) */
};

/* headers.c: which names of columns a reader knows as fields. For
 * customers, 手机号, Mobile and Phone Number are phone; crm-add(1) has the
 * table. As is: names stay as they come. */
enum crm_names {
	CRM_NAMES_AS_IS,
	CRM_NAMES_CUSTOMERS,
	CRM_NAMES_EVENTS,
	CRM_NAMES_NOTES,
};

/* What a reader is told; zero values detect everything. The strings must
 * outlive the reader. */
typedef struct crm_reader_opts {
	enum crm_format format;   /* CRM_FMT_AUTO: detected from the content */
	char delimiter;           /* csv: the separator; 0: found in the header line */
	const char *encoding;     /* NULL: UTF-8, UTF-16 by its BOM, or GB18030 detected */
	const char *sheet;        /* xlsx: a sheet's name; NULL: the first */
	enum crm_names names;     /* the names read as fields */
	const char *const *map;   /* SRC=FIELD: column SRC (a name, or a number) gives
				     FIELD; SRC= leaves it out */
	size_t nmap;
} crm_reader_opts;

/* What a reader found, for notes and for rejects that match the input. */
typedef struct crm_reader_info {
	const char *encoding;     /* "UTF-8", "GB18030", "UTF-16LE", or as given */
	bool encoding_detected;   /* not UTF-8, not given: found by looking */
	bool bom;                 /* it began with a byte-order mark */
	bool crlf;                /* its lines end in CR LF */
	char delimiter;           /* csv: the separator */
	long empty_rows;          /* rows empty in every cell, skipped */
	long empty_columns;       /* columns without a name, empty in every row, skipped */
	long title_line;          /* a row taken for a title above the header, or 0 */
} crm_reader_info;

/* source names the input in messages ("customers.csv", "stdin"). The reader
 * does not close in. opts NULL: all detected, names as they are. */
crm_reader *crm_reader_open(FILE *in, const char *source, const crm_reader_opts *opts);
/* The same, with only the format given. */
crm_reader *crm_reader_new(FILE *in, const char *source, enum crm_format fmt);
void crm_reader_free(crm_reader *r);
enum crm_read crm_reader_next(crm_reader *r, const crm_record **rec, crm_error *err);
/* The format read (known after the first crm_reader_next). */
enum crm_format crm_reader_format(const crm_reader *r);
const char *crm_reader_source(const crm_reader *r);
/* The header of a csv, tsv or xlsx input as records name their fields
 * ("" for a column left out; "id" for ids); n is 0 for json. */
const char *const *crm_reader_header(const crm_reader *r, size_t *n);
/* The same, as the file has it. */
const char *const *crm_reader_source_header(const crm_reader *r, size_t *n);
const crm_reader_info *crm_reader_about(const crm_reader *r);

/* writer.c: streaming writers for every format. */
typedef struct crm_writer crm_writer;

enum crm_writer_flags {
	CRM_WRITE_NO_HEADER = 1, /* csv, tsv, table: no header line */
	/* csv for spreadsheets: a byte-order mark, CRLF, and a cell that starts
	 * with = + - @ tab or CR (a formula to Excel) starts with ' instead */
	CRM_WRITE_EXCEL = 4,
	CRM_WRITE_NO_BOM = 8, /* with CRM_WRITE_EXCEL, for an encoding other than UTF-8 */
	/* json: one object, each record a member named by its first column's
	 * value, its other columns an object (a report of one row per field) */
	CRM_WRITE_KEYED = 16,
	/* json: the one record as an object, not an array (null for none) */
	CRM_WRITE_OBJECT = 32,
};

/* Columns are fixed at creation; names are copied. */
crm_writer *crm_writer_new(FILE *out, enum crm_format fmt, size_t ncols,
			   const char *const *names, unsigned flags);
void crm_writer_free(crm_writer *w);
/* One record, values in column order. */
int crm_writer_put(crm_writer *w, const crm_value *values, crm_error *err);
/* One record given by field names; fields that are not columns are left out. */
int crm_writer_put_record(crm_writer *w, const crm_record *rec, crm_error *err);
/* The encoding out converts into (crm_encoding_writer): each record is
 * checked before it is written, so that none is written in part. */
int crm_writer_encoding(crm_writer *w, const char *encoding, crm_error *err);
/* Masks the named columns (a comma-separated list) from now on: CRM_EUSAGE
 * when one is not a column. */
int crm_writer_mask(crm_writer *w, const char *columns, crm_error *err);
/* The tag id of the WeChat payloads (CRM_FMT_WECHAT). */
void crm_writer_tagid(crm_writer *w, long tagid);
/* Records not written for want of a value: WeChat's customers without an openid. */
long crm_writer_skipped(const crm_writer *w);
/* Ends the output (closes a JSON array, lays out a short table) and flushes. */
int crm_writer_finish(crm_writer *w, crm_error *err);

/* Rejected records, written back in the format they came in (ids as csv),
 * with a last column "error", so that they can be fixed and imported again.
 * A record that had too few fields is padded; one with too many keeps them. */
/* workbook: written as an .xlsx (for a reject file named so). */
crm_writer *crm_reject_writer_new(FILE *out, const crm_reader *from, bool workbook);
/* True when the records of from can go where w writes: the same format,
 * encoding, separator and header as the reader it was made for. */
bool crm_reject_fits(const crm_writer *w, const crm_reader *from);
int crm_reject_put(crm_writer *w, const crm_record *rec, const char *reason, crm_error *err);

/* page.c: a page of sections (crm-profile): on a terminal (table) a
 * heading and a table each, a section of one record as lines of field and
 * value; json, one object with a member per section (an object for a
 * section of one record, else an array); csv and tsv, a record per value:
 * section, row, field, value. */
typedef struct crm_page crm_page;
crm_page *crm_page_new(FILE *out, enum crm_format fmt);
/* Masks the fields of these names (comma-separated) in every section. */
int crm_page_mask(crm_page *p, const char *fields, crm_error *err);
/* Starts the next section; one: it has one record. Names are copied. */
int crm_page_section(crm_page *p, const char *name, size_t ncols, const char *const *names,
		     bool one, crm_error *err);
int crm_page_put(crm_page *p, const crm_value *values, crm_error *err);
int crm_page_finish(crm_page *p, crm_error *err);
void crm_page_free(crm_page *p);

/* encoding.c: a stream that takes UTF-8 and writes it into base in another
 * encoding (gb18030), converting as it goes; base itself for UTF-8. Closing it
 * leaves base open. CRM_EUSAGE for an encoding iconv does not know. */
FILE *crm_encoding_writer(FILE *base, const char *encoding, crm_error *err);

/* db.c: the database. */
typedef struct crm_db crm_db;

enum crm_db_flags {
	CRM_DB_READ = 1,  /* the command only reads: a write-protected file is fine */
	CRM_DB_MKDIR = 2, /* create missing folders above the file (mode 0700) */
};

/* The default path by SPEC's rule, from the values of $CRM_DB, $XDG_DATA_HOME
 * and $HOME (each may be NULL). Caller frees. */
char *crm_db_default_path(const char *crm_db, const char *xdg_data_home, const char *home);
/* Opens or creates the database (mode 0600; a default folder is made 0700),
 * sets WAL and the busy timeout, and brings the schema up to date. */
int crm_db_open(crm_db **db, const char *path, unsigned flags, crm_error *err);
void crm_db_close(crm_db *db);
const char *crm_db_path(const crm_db *db);
/* Where the library's notes for a person go (an expression naming an event
 * type never seen): none until this is called. */
void crm_db_on_note(crm_db *db, void (*note)(void *ctx, const char *text), void *ctx);
/* True when it was opened read-only: this user may not write it, and the
 * command only reads (crm(7), Read-only databases). */
bool crm_db_read_only(const crm_db *db);
int crm_db_schema_version(const crm_db *db);
/* A write transaction: it takes the write lock at once (waiting for other
 * writers up to the busy timeout), so it cannot fail half-way for a lock. */
int crm_db_begin(crm_db *db, crm_error *err);
/* A read transaction: the reads that follow see one moment, and a stream of
 * small ones takes the file's lock once, not once each. Ended by
 * crm_db_commit; writers are not held up (WAL). */
int crm_db_snapshot(crm_db *db, crm_error *err);
int crm_db_commit(crm_db *db, crm_error *err);
void crm_db_rollback(crm_db *db);
void crm_db_set_busy_timeout(crm_db *db, int ms);
#define CRM_DB_BUSY_TIMEOUT_MS 60000

/* audit.c: the audit trail. From this call on, every transaction that changes
 * the database records who (user), when and the command line (argv) in the
 * same transaction. now: the time to record ($CRM_NOW), NULL for the real one. */
void crm_db_audit_as(crm_db *db, const char *user, const char *now, int argc, char *const *argv);
/* id, at, user, command_line, changes, erased */
extern const char *const crm_audit_columns[6];
/* Writes the trail, oldest first; since (YYYY-MM-DD, or NULL): from that day. */
int crm_audit_write(crm_db *db, const char *since, crm_writer *out, crm_error *err);

/* fields.c: the fields a customer or an event has. */
enum crm_kind {
	CRM_CUSTOMERS,
	CRM_EVENTS,
};

int crm_kind_parse(const char *name, enum crm_kind *kind);

/* A field list: stored, custom and computed fields by name. */
typedef struct crm_fields crm_fields;

/* spec: comma-separated names, or NULL for the default (every stored field
 * and every custom attribute). Unknown names are CRM_EUSAGE. */
int crm_fields_new(crm_fields **fields, crm_db *db, enum crm_kind kind,
		   const char *spec, crm_error *err);
void crm_fields_free(crm_fields *fields);
size_t crm_fields_count(const crm_fields *fields);
const char *const *crm_fields_names(const crm_fields *fields);
enum crm_kind crm_fields_kind(const crm_fields *fields);
/* Every field there is for kind, comma-separated: stored, custom, then
 * computed (for messages and completions). Caller frees. */
char *crm_fields_available(crm_db *db, enum crm_kind kind);

/* import.c: crm-add. */
typedef struct crm_import crm_import;

enum crm_match {
	CRM_MATCH_NONE,
	CRM_MATCH_PHONE,
	CRM_MATCH_EMAIL,
	CRM_MATCH_WECHAT,
	CRM_MATCH_OPENID,  /* WeChat's ids, custom attributes that name a customer */
	CRM_MATCH_UNIONID,
};

/* match.c */
int crm_match_parse(const char *name, enum crm_match *match);
/* The field a key is: "phone", "email", "wechat_id", "openid", "unionid";
 * NULL for CRM_MATCH_NONE. */
const char *crm_match_name(enum crm_match key);
/* The customers of a stream named by a key (--match): each value is read
 * as crm-add stores it (a phone normalized, an email lower-cased, the others
 * trimmed) and found through the key's index. */
typedef struct crm_key_lookup crm_key_lookup;
int crm_key_lookup_new(crm_key_lookup **l, crm_db *db, enum crm_match key, crm_error *err);
/* *id: the one customer whose key is value (valid until the next call).
 * CRM_EDATA, err saying why, when the value does not normalize, nobody has
 * it (an erased customer's is nobody's), or more than one customer has it. */
int crm_key_lookup_get(crm_key_lookup *l, const char *value, const char **id, crm_error *err);
void crm_key_lookup_free(crm_key_lookup *l);

/* Two records of one customer in one import that give a field different
 * values: the later is refused, or the first or the last value is kept. */
enum crm_on_conflict { CRM_CONFLICT_REJECT, CRM_CONFLICT_FIRST, CRM_CONFLICT_LAST };
int crm_on_conflict_parse(const char *name, enum crm_on_conflict *how);

typedef struct crm_import_opts {
	enum crm_kind kind;
	enum crm_match match;  /* customers without an id */
	bool new_ids;          /* a record with a name and no other identity is a new customer */
	enum crm_on_conflict on_conflict;
	bool replace;          /* empty cells blank stored values */
	bool create_missing;   /* events may name customers not yet stored */
	enum crm_date_order dates; /* dates written day or month first */
	const char *tagged_by; /* a tags column tags by hand, as this ("user:NAME") */
	const crm_clock *clock;
	/* A note for the person importing, such as a column that becomes a new
	 * custom attribute (once each). May be NULL. */
	void (*note)(void *ctx, const char *text);
	/* Results, in input order; events arrive in batches, so a result may come
	 * some records later (crm_import_flush delivers what is pending).
	 * stored may be NULL when nobody reads the stored records. */
	void (*stored)(void *ctx, const crm_record *stored);
	void (*rejected)(void *ctx, const crm_record *in, const crm_error *why);
	bool keep_rejected;    /* rejected gets events whole (a reject file), not just their line */
	void *ctx;
} crm_import_opts;

typedef struct crm_import_counts {
	long inserted, updated, unchanged, merged, rejected;
	long created; /* events: customers created for them (--create-missing) */
	/* records of erased customers, skipped (crm-rm(1)), and the days those
	 * were erased between; customers: records of merged ids, stored under
	 * the customer each is merged into */
	long suppressed, aliased;
	char suppressed_from[11], suppressed_to[11];
} crm_import_counts;

enum crm_import_end {
	CRM_IMPORT_COMMIT,
	CRM_IMPORT_DRY_RUN, /* finish the work to count it, then roll back */
	CRM_IMPORT_ABORT,   /* roll back at once */
};

/* Starts the import's transaction. */
int crm_import_begin(crm_import **imp, crm_db *db, const crm_import_opts *opts,
		     crm_error *err);
/* Imports one record. A dump (crm-export --dump) is recognised by its first
 * record and restored. A bad record goes to the rejected callback; the
 * return value is not CRM_OK only when the import cannot go on. */
int crm_import_record(crm_import *imp, const crm_record *in, crm_error *err);
/* A record the reader found bad (why says how), rejected in its turn. */
int crm_import_reject(crm_import *imp, const crm_record *in, const crm_error *why,
		      crm_error *err);
/* Names the input the records that follow come from, so that a message
 * about an earlier record of another input names it. */
void crm_import_source(crm_import *imp, const char *name);
/* Delivers the results of every record given so far. */
int crm_import_flush(crm_import *imp, crm_error *err);
/* True once the input turned out to be a dump being restored. */
bool crm_import_is_restore(const crm_import *imp);
/* The kinds of a dump's records besides customers and events, in the order
 * crm-add's summary names them: custom_field, setting, ..., audit, then the
 * suppression list (suppression_key, suppression, alias). */
#define CRM_RESTORE_KINDS 18
extern const char *const crm_restore_kinds[CRM_RESTORE_KINDS];
/* How many records of each of those the restore has stored so far. */
void crm_import_restored(const crm_import *imp, long counts[CRM_RESTORE_KINDS]);
/* Ends the import and frees imp. counts (may be NULL) receives the counts
 * per kind, indexed by enum crm_kind. */
int crm_import_end(crm_import *imp, enum crm_import_end how,
		   crm_import_counts counts[2], crm_error *err);
/* True when rec is the first record of a dump (crm-export --dump). */
bool crm_record_is_dump_header(const crm_record *rec);

/* expr.c: the expression language, crm-expr(7). */
typedef struct crm_expr crm_expr;

/* Parses and checks an expression (fields, functions, segments, regular
 * expressions): CRM_EDATA with line, column and a caret when it is wrong. */
int crm_expr_new(crm_expr **e, crm_db *db, const char *text, crm_error *err);
/* Parses and checks a value rather than a condition: a field, a number, an
 * aggregate, arithmetic (sum(purchase, 1y) - sum(refund, 1y)). A condition
 * is refused; so is text (city, grade) when numbers_only, which reads custom
 * attributes as numbers. Errors as crm_expr_new's. */
int crm_expr_value_new(crm_expr **e, crm_db *db, const char *text, bool numbers_only,
		       crm_error *err);
void crm_expr_free(crm_expr *e);
const char *crm_expr_text(const crm_expr *e);
/* The expression of saved segment name (CRM_EDATA when there is none). */
int crm_expr_segment(crm_expr **e, crm_db *db, const char *name, crm_error *err);
/* a and b together; takes both (either may be NULL) and returns the one left. */
crm_expr *crm_expr_and(crm_expr *a, crm_expr *b);
/* Writes the SQL an expression compiles to, then its parameters, as records
 * of two columns (what, value): for --explain. */
int crm_expr_sql(const crm_expr *e, crm_db *db, const crm_clock *clock, crm_writer *out,
		 crm_error *err);

/* chosen.c: the chosen set. */
/* The customers given one by one with crm_chosen_add (ids on the command
 * line, or a stream), as an expression that --by and --quality can use. */
crm_expr *crm_expr_chosen(crm_db *db);
/* Adds the customer with this id to the chosen set; *known is false when
 * there is no such customer. */
int crm_chosen_add(crm_db *db, const char *id, bool *known, crm_error *err);
/* Whether the customer with this id is in the chosen set. */
int crm_chosen_has(crm_db *db, const char *id, bool *has, crm_error *err);

/* segments.c: saved segments. */
/* Saves (or replaces) a segment, after checking its expression. */
int crm_segment_save(crm_db *db, const char *name, const char *expr, const char *description,
		     const crm_clock *clock, crm_error *err);
/* Deletes a segment; refused while another segment uses it. */
int crm_segment_delete(crm_db *db, const char *name, crm_error *err);
/* Writes name, description, expression, customers (now), snapshot_at. */
int crm_segment_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_segment_list_columns[5];
/* Who entered (+) and who left (-) segment name since its last snapshot, as
 * records: change, then fields; then the snapshot moves on. Runs inside the
 * caller's transaction (crm_db_begin), which commits once the output is
 * safely written, or rolls back. */
int crm_segment_diff(crm_db *db, const char *name, const crm_fields *fields,
		     const crm_clock *clock, crm_writer *out, crm_error *err);

/* query.c: customers out, or their events. */
typedef struct crm_query crm_query;

/* order.c: the order customers are written in, and how many (--sort, --limit). */
typedef struct crm_order crm_order;
/* sort (or NULL): fields or number expressions, comma-separated, each with a
 * leading '-' for descending; limit < 0 for all. Errors: CRM_EUSAGE for a
 * missing term, CRM_EDATA for an expression, with its column. */
int crm_order_new(crm_order **o, crm_db *db, const char *sort, long limit, crm_error *err);
void crm_order_free(crm_order *o);
long crm_order_limit(const crm_order *o);  /* < 0: none; o may be NULL */
bool crm_order_sorts(const crm_order *o);  /* it has fields to sort by */
/* Makes the first N of the customers where chooses, in the order o, the
 * chosen set (crm_expr_chosen); *chosen (or NULL): how many. */
int crm_order_choose(crm_db *db, const crm_expr *where, const crm_order *o,
		     const crm_clock *clock, long *chosen, crm_error *err);
/* How many customers where chooses, at most o's limit (o may be NULL). */
int crm_chosen_count(crm_db *db, const crm_expr *where, const crm_order *o,
		     const crm_clock *clock, long *count, crm_error *err);

/* A query of fields; where (may be NULL) chooses the customers, order (may
 * be NULL) sorts and limits them. */
int crm_query_new(crm_query **q, crm_db *db, const crm_fields *fields, const crm_expr *where,
		  const crm_order *order, const crm_clock *clock, crm_error *err);
void crm_query_free(crm_query *q);
/* Every matching customer (or their events), in the order given, else as
 * stored; count may be NULL. */
int crm_query_all(crm_query *q, crm_writer *out, long *count, crm_error *err);
/* The customer with this id, when it matches (*matched says); CRM_EDATA when
 * there is no such customer. */
int crm_query_one(crm_query *q, const char *id, crm_writer *out, bool *matched, crm_error *err);
/* The id a record names its customer by: customer_id when it has one, else id. */
const char *crm_record_customer_id(const crm_record *rec);

/* campaign.c: campaign exports (crm-export --campaign). */
/* The customers --cap lets through: "7d", no contact in the last 7 days;
 * "4/30d", fewer than 4 in the last 30. */
int crm_campaign_cap(crm_db *db, const char *cap, crm_expr **out, crm_error *err);
/* Writes the customers where chooses and, unless dry_run, records a contact
 * event for each (attribute campaign), inside the caller's transaction
 * (crm_db_begin), which commits only once the output is written in full. */
int crm_campaign_export(crm_db *db, const char *campaign, const crm_expr *where,
			const crm_fields *fields, const crm_order *order, const crm_clock *clock,
			bool dry_run, crm_writer *out, long *written, crm_error *err);

/* group.c: group and count (crm-segment --by). */
typedef struct crm_group crm_group;

/* by: comma-separated fields, or tag; bins (> 0) or edges ("18,25,35") cut
 * one numeric field into bands; where (may be NULL) chooses the customers. */
int crm_group_new(crm_group **g, crm_db *db, const char *by, int bins, const char *edges,
		  const crm_expr *where, const crm_clock *clock, crm_error *err);
void crm_group_free(crm_group *g);
/* The columns: the fields, then count and share (percent of the customers chosen). */
const char *const *crm_group_columns(const crm_group *g, size_t *n);
int crm_group_write(crm_group *g, crm_writer *out, crm_error *err);

/* profile.c: one customer's page (crm-profile ID): its fields, what is
 * computed of it, scores and grade changes, tags, events, products,
 * channels, notes, follow-ups, campaigns and its last changes, as the
 * sections of page. CRM_EDATA when there is no such customer. */
typedef struct crm_profile_opts {
	int notes;   /* the latest notes shown */
	int changes; /* the last changes and grade changes shown */
	int top;     /* products and channels shown */
	bool masked; /* the commands of the changes without their arguments */
} crm_profile_opts;
int crm_profile_write(crm_db *db, const char *id, const crm_profile_opts *o,
		      const crm_clock *clock, crm_page *page, crm_error *err);
/* The customer where chooses, for a page: *n is 0, 1, or 2 for more than
 * one, and *id (caller frees) the first. */
int crm_profile_choose(crm_db *db, const crm_expr *where, const crm_clock *clock, char **id,
		       long *n, crm_error *err);

/* portrait.c: a group's portrait against a base (crm-profile -s NAME):
 * for each field of few values, tags and products, how common each value
 * is in the group and in the base; for numbers, their quartiles. */
typedef struct crm_portrait_row {
	const char *section; /* size, fields, tags, numbers, products */
	const char *field;
	const char *value;   /* NULL: the customers without one */
	crm_type type;       /* value's */
	/* Shares are count / total. total: the customers counted (products:
	 * those who bought anything; size: everyone); numbers: count those
	 * with a value. */
	long group_count, group_total, base_count, base_total;
	bool quartiles;      /* numbers: q[0..2] are the 25%, 50% and 75% quantiles */
	double group_q[3], base_q[3];
} crm_portrait_row;
typedef struct crm_portrait_opts {
	const crm_expr *group;
	const crm_expr *base; /* NULL: everyone */
	int max_values;       /* custom attributes with at most this many values */
	int top;              /* values shown per field; 0: all */
	const char *const *measures; /* --measure: number expressions */
	size_t nmeasures;
	/* each row, in order; a status other than CRM_OK stops the portrait */
	int (*row)(void *ctx, const crm_portrait_row *row, crm_error *err);
	void *ctx;
} crm_portrait_opts;
/* *empty: the group or the base has nobody (only the size row was given). */
int crm_portrait_write(crm_db *db, const crm_portrait_opts *o, const crm_clock *clock,
		       bool *empty, crm_error *err);
/* count / total; the index is 100 times the group's share over the base's.
 * False when it is not defined (a total or the base's share is 0). */
bool crm_portrait_share(long count, long total, double *share);
bool crm_portrait_index(const crm_portrait_row *r, double *index);

/* quality.c: the data audit (crm-segment --quality). */
struct crm_quality_field {
	char *field;
	const char *check; /* how values are checked, or NULL */
	bool key;          /* duplicates are counted */
	long filled, missing, invalid, duplicates;
};

typedef struct crm_quality {
	long total;
	size_t n;
	struct crm_quality_field *f;
} crm_quality;

/* Counts, per field, over the customers where chooses (NULL: all). Duplicates
 * are the customers beyond the first with the same phone, email or wechat_id. */
int crm_quality_new(crm_quality **q, crm_db *db, const crm_expr *where, const crm_clock *clock,
		    crm_error *err);
void crm_quality_free(crm_quality *q);
double crm_quality_pct(long part, long total);
/* The report, a record a field: crm_quality_columns. */
int crm_quality_write(const crm_quality *q, crm_writer *out, crm_error *err);
extern const char *const crm_quality_columns[7];
/* The customers where chooses that share their value of key (one of
 * crm_duplicate_keys) with another, a record each: group, id and the value,
 * the writer's columns "group", "id" and key. Groups are numbered from 1 in
 * the order of their values; a group's customers come in the order stored.
 * CRM_EUSAGE for another key. */
int crm_quality_duplicates(crm_db *db, const char *key, const crm_expr *where,
			   const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_duplicate_keys[5];

/* tags.c: tags, the catalog, rules and the audit (crm-tag). */
/* The naming rules: no space at either end, no control characters, none of
 * , ; |, at most 30 characters. */
int crm_tag_name_check(const char *name, crm_error *err);
/* The key near-duplicates share: VIP, vip, ＶＩＰ and V I P have one key. */
void crm_tag_key(const char *name, char *out, size_t outsz);

typedef struct crm_tag_def {
	const char *name, *category, *description, *group; /* NULL keeps what is there */
	bool force;                                         /* keep near-duplicates */
} crm_tag_def;

int crm_tag_define(crm_db *db, const crm_tag_def *def, const crm_clock *clock, crm_error *err);
/* Renames a tag in one transaction; its taggings and rules keep it. A name
 * that exists is refused (CRM_EDATA, pointing at --merge-tags). */
int crm_tag_rename(crm_db *db, const char *from, const char *to, bool force, crm_error *err);
typedef struct crm_tag_merge_counts {
	long moved;  /* taggings that moved to the tag kept */
	long joined; /* customers who had both: one tagging of the tag kept stays */
	long rules;  /* rules that gave a tag merged, and now give the tag kept */
} crm_tag_merge_counts;
/* The taggings and rules of each tag of from move to keep, and those tags
 * leave the catalog, in one transaction. A customer who had both keeps one
 * tagging of keep: the earliest, lapsing with the later, a person's over a
 * rule's. CRM_EUSAGE for a tag given twice or keep among from. */
int crm_tag_merge(crm_db *db, const char *keep, const char *const *from, size_t n,
		  const crm_clock *clock, crm_tag_merge_counts *counts, crm_error *err);
/* The saved segments, tag rules and score models (their latest versions)
 * whose expressions call tag('name'), a line each: "segment 'NAME'", "rule
 * 'NAME'", "model 'NAME'"; NULL when none does. Caller frees. */
int crm_tag_mention_list(crm_db *db, const char *name, char **mentions, crm_error *err);
/* Refused while in use unless force; *removed: the taggings that went with it. */
int crm_tag_delete(crm_db *db, const char *name, bool force, long *removed, crm_error *err);
int crm_tag_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_tag_list_columns[5];

typedef struct crm_tagging {
	const char *const *add, *const *remove;
	size_t nadd, nremove;
	const char *source;     /* "user:NAME" */
	const char *expires_on; /* YYYY-MM-DD from which the taggings lapse, or NULL */
	bool strict;            /* a tag not in the catalog is an error */
	bool force;             /* a new tag may be a near-duplicate of another */
} crm_tagging;

/* Tags and untags the customers where chooses (NULL: all), in one
 * transaction: a tag of a group takes the place of the others of its group. */
int crm_tag_set(crm_db *db, const crm_expr *where, const crm_tagging *tagging,
		const crm_clock *clock, long *added, long *removed, crm_error *err);
/* Customers' tags now, ';'-joined ("" for none), one customer after another:
 * the text is valid until the next call. */
typedef struct crm_tag_lookup crm_tag_lookup;
crm_tag_lookup *crm_tag_lookup_new(crm_db *db, const crm_clock *clock, crm_error *err);
const char *crm_tag_lookup_get(crm_tag_lookup *l, const char *id);
void crm_tag_lookup_free(crm_tag_lookup *l);
/* --expires: "30d" (a window: lapses 30 days after D) or a date after D;
 * out is the first day the tagging no longer counts. */
int crm_tag_expiry(const crm_clock *clock, const char *when, char out[11], crm_error *err);

/* A rule: the tag it gives, and to whom. strict and force as for tagging,
 * when the tag is new. */
typedef struct crm_rule_def {
	const char *name, *tag, *expr;
	bool strict, force;
} crm_rule_def;
/* Defines or replaces a rule. */
int crm_rule_define(crm_db *db, const crm_rule_def *rule, const crm_clock *clock, crm_error *err);
/* Drops a rule and the taggings it made. */
int crm_rule_drop(crm_db *db, const char *name, long *removed, crm_error *err);
int crm_rule_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_rule_list_columns[4];
/* Runs every rule in one transaction and writes the changes
 * (crm_rule_change_columns) to out, which it finishes before committing.
 * dry_run writes the same and stores nothing. */
int crm_rule_apply(crm_db *db, const crm_clock *clock, crm_writer *out, bool dry_run, long *n,
		   crm_error *err);
extern const char *const crm_rule_change_columns[4];
/* --stale: the window (90d, 12w, 6m, 1y) in days; CRM_EUSAGE for another. */
#define CRM_TAG_STALE_DEFAULT "180d"
int crm_tag_stale_days(const char *when, int *days, crm_error *err);
/* Per tag: customers, coverage, by hand and by rule, last change, flags;
 * stale for a tag in use that nobody got in the stale_days ending on D. */
int crm_tag_audit(crm_db *db, const crm_clock *clock, int stale_days, crm_writer *out,
		  crm_error *err);
extern const char *const crm_tag_audit_columns[8];

/* models.c: score models (crm-score). A model is text: `grade NAME FLOOR`
 * and `rule POINTS EXPR [# LABEL]` lines; the built-in rfm's text is its
 * segment table, `segment R F M NAME` lines. */
typedef struct crm_model {
	char *name, *text;
	int version; /* as stored; 0 for rfm's built-in table */
	bool rfm;
	struct crm_model_rule {
		double points;
		char *expr, *label; /* label: the rule's comment, or NULL */
		int line;
	} *rules;
	size_t nrules;
	struct crm_model_grade {
		char *name;
		double floor;
	} *grades; /* in file order: the first whose floor a score reaches */
	size_t ngrades;
	struct crm_model_segment {
		char *name;
		int lo[3], hi[3]; /* R, F, M */
	} *segments;
	size_t nsegments;
} crm_model;

extern const char crm_rfm_default_text[];
int crm_model_name_check(const char *name, crm_error *err);
/* Parses and checks text (every expression compiled); errors are
 * source:line:column with the line and a caret. */
int crm_model_parse(crm_model **m, crm_db *db, const char *name, const char *text,
		    const char *source, crm_error *err);
void crm_model_free(crm_model *m);
/* Stores a parsed model as its next version; the first one defined becomes
 * the default (setting score.model) when there is none. */
int crm_model_define(crm_db *db, const crm_model *m, const crm_clock *clock, int *version,
		     bool *became_default, crm_error *err);
/* The latest version of a model, parsed. */
int crm_model_load(crm_model **m, crm_db *db, const char *name, crm_error *err);
/* Its latest text, as given; caller frees. */
int crm_model_show(crm_db *db, const char *name, char **text, crm_error *err);
int crm_model_list(crm_db *db, crm_writer *out, crm_error *err);
extern const char *const crm_model_list_columns[6];

/* scores.c: scoring (crm-score). Scores the customers where chooses (NULL:
 * all) as of the clock in one transaction, storing scores that changed and
 * each change of grade. The results wait in a temporary table for
 * crm_scored_write and crm_scored_lookup. */
typedef struct crm_score_counts {
	long scored, changed, regraded;
} crm_score_counts;
int crm_model_score(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		    crm_score_counts *counts, crm_error *err);
/* The last scoring's results: id, score, grade, previous_grade. */
int crm_scored_write(crm_db *db, crm_writer *out, crm_error *err);
extern const char *const crm_scored_columns[4];
/* One customer's score, grade and previous grade, by id, from the last scoring. */
typedef struct crm_scored_lookup crm_scored_lookup;
crm_scored_lookup *crm_scored_lookup_new(crm_db *db, crm_error *err);
/* values: 3 of them (score, grade, previous_grade), valid until the next call. */
void crm_scored_lookup_get(crm_scored_lookup *l, const char *id, crm_value *values);
void crm_scored_lookup_free(crm_scored_lookup *l);
/* How the grade counts as of the clock would move if m took the place of the
 * stored model of its name: grade, now (the stored model), new, change. */
int crm_model_preview(crm_db *db, const crm_model *m, const crm_clock *clock, crm_writer *out,
		      crm_error *err);
extern const char *const crm_preview_columns[4];
/* Why customer id scores what it does: each rule and whether it matched, or
 * rfm's values and cut points. */
int crm_score_explain(crm_db *db, const crm_model *m, const char *id, const crm_clock *clock,
		      crm_writer *out, crm_error *err);
extern const char *const crm_explain_columns[4];
extern const char *const crm_explain_rfm_columns[4];
/* Changes of grade: since a day (or NULL), from and to grades (NULL: any). */
typedef struct crm_changes_query {
	const crm_model *model;
	const char *since;       /* YYYY-MM-DD, or NULL */
	const char *const *from; /* grade names, "none" for no grade */
	size_t nfrom;
	const char *const *to;
	size_t nto;
} crm_changes_query;
int crm_grade_changes(crm_db *db, const crm_changes_query *q, crm_writer *out, crm_error *err);
extern const char *const crm_change_columns[5];
/* The same, counted from-grade by to-grade: the writer has the columns
 * "from" and then each grade of the model, then "none". */
int crm_grade_matrix(crm_db *db, const crm_changes_query *q, crm_writer *out, crm_error *err);
/* Those columns for a model; free with crm_strings_free. */
char **crm_matrix_columns(const crm_model *m, size_t *n);
void crm_strings_free(char **strings, size_t n);

/* settings.c: settings kept in the database (crm-segment --config). */
int crm_setting_get(crm_db *db, const char *key, char **value, crm_error *err);
/* Checks and stores one setting, in a transaction. */
int crm_setting_set(crm_db *db, const char *key, const char *value, const crm_clock *clock,
		    crm_error *err);
/* Writes settings as records key,value,default,about: all, or only one. */
int crm_setting_write(crm_db *db, const char *only, crm_writer *out, crm_error *err);
extern const char *const crm_setting_columns[4];

/* dump.c: everything, as NDJSON that crm-add restores. */
int crm_dump(crm_db *db, const crm_clock *clock, FILE *out, crm_error *err);

/* notes.c: notes and follow-ups (crm-note). A note's text is trimmed, not
 * empty, at most 64 KiB; line breaks are kept. Ids are never reused. */
typedef struct crm_note_def {
	const char *body;
	const char *category;  /* NULL: 其他 */
	const char *author;
	const char *follow_up; /* YYYY-MM-DD, or NULL */
} crm_note_def;
/* The same note for every customer where chooses, in one transaction;
 * *first is the id of the first, the others follow in customer order. */
int crm_note_add(crm_db *db, const crm_expr *where, const crm_note_def *note,
		 const crm_clock *clock, long *added, int64_t *first, crm_error *err);
/* CRM_EDATA naming the known categories when name is not one. */
int crm_note_category_check(crm_db *db, const char *name, crm_error *err);
int crm_note_category_add(crm_db *db, const char *name, crm_error *err);
int crm_note_category_list(crm_db *db, const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_note_category_columns[2];
/* The id of the note added for customer id since note first ("" for none);
 * valid until the next call. */
typedef struct crm_note_lookup crm_note_lookup;
crm_note_lookup *crm_note_lookup_new(crm_db *db, int64_t first, crm_error *err);
const char *crm_note_lookup_get(crm_note_lookup *l, const char *id);
void crm_note_lookup_free(crm_note_lookup *l);

/* What -l and --due show: notes of the customers where chooses (NULL: all),
 * written up to D, narrowed by each filter given. */
typedef struct crm_note_filter {
	const char *since;    /* YYYY-MM-DD: written on or after */
	const char *pattern;  /* PCRE2, UTF mode, over the text */
	const char *words;    /* every word in the text (FTS5 trigram index) */
	const char *category, *author;
} crm_note_filter;
/* Newest first. */
int crm_note_list(crm_db *db, const crm_expr *where, const crm_note_filter *f,
		  const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_note_columns[9];
/* Follow-ups due on or before D and not done, the most overdue first. */
int crm_note_due(crm_db *db, const crm_expr *where, const crm_note_filter *f,
		 const crm_clock *clock, crm_writer *out, crm_error *err);
extern const char *const crm_note_due_columns[9];
/* Closes a follow-up; done_at is set to when it was done before, if it was. */
int crm_note_done(crm_db *db, int64_t nid, const crm_clock *clock, char done_at[20],
		  crm_error *err);
/* The earlier text is kept as a revision; *changed is false for the same text. */
int crm_note_edit(crm_db *db, int64_t nid, const char *body, const char *author,
		  const crm_clock *clock, bool *changed, crm_error *err);
int crm_note_history(crm_db *db, int64_t nid, crm_writer *out, crm_error *err);
extern const char *const crm_note_history_columns[4];
/* Moves the note, with its revisions, to note_deletions, with who and when. */
int crm_note_delete(crm_db *db, int64_t nid, const char *who, const crm_clock *clock,
		    crm_error *err);
int crm_note_deleted(crm_db *db, crm_writer *out, crm_error *err);

/* import/notes.c: records of customer_id, body, and optionally category,
 * author (default: author), follow_up and created_at (default: now), in one
 * transaction that crm_note_import_end commits (not with dry_run). */
typedef struct crm_note_import crm_note_import;
typedef struct crm_note_import_counts {
	long added, unchanged, rejected;
} crm_note_import_counts;
int crm_note_import_begin(crm_note_import **imp, crm_db *db, const char *author,
			  const crm_clock *clock, bool dry_run, crm_error *err);
/* CRM_EDATA: the record is bad (err says why), nothing of it is stored. */
int crm_note_import_record(crm_note_import *imp, const crm_record *rec, crm_error *err);
/* How dates written day or month first are read (default: CRM_DATES_ISO). */
void crm_note_import_dates(crm_note_import *imp, enum crm_date_order dates);
/* The first field of rec that is not a note's, or NULL. */
const char *crm_note_import_unknown(const crm_record *rec);
int crm_note_import_end(crm_note_import *imp, bool commit, crm_note_import_counts *counts,
			crm_error *err);
extern const char *const crm_note_deleted_columns[8];

/* erase.c: erasure (crm-rm). Erasing runs in a transaction that
 * crm_erase_begin opens (with secure_delete, so that deleted values are
 * zeroed) and crm_erase_commit ends (writing the log back into the file, so
 * that no erased value stays in it); crm_db_rollback undoes it. */
int crm_erase_begin(crm_db *db, crm_error *err);
/* Writes what goes with each customer where chooses (crm_erase_columns),
 * then, unless dry_run, erases them with their events, tags, notes, earlier
 * and deleted notes, scores, history, segment memberships and aliases, and
 * puts them on the suppression list. */
int crm_erase(crm_db *db, const crm_expr *where, bool dry_run, crm_writer *out, long *erased,
	      crm_error *err);
extern const char *const crm_erase_columns[7];
int crm_erase_commit(crm_db *db, crm_error *err);
/* Writes the log back into the file; an error when a reader holds it. */
int crm_checkpoint(crm_db *db, crm_error *err);
/* Merges the duplicates into keep, inside crm_erase_begin's transaction:
 * keep's empty fields and attributes are filled from the duplicates in the
 * order given, their events, notes, history and tags (but one of a group
 * keep has) move to keep, then they are erased; out gets what went with
 * them, as crm_erase writes it. */
typedef struct crm_merge_counts {
	long events, notes, filled, erased;
	long groups; /* crm_merge_duplicates: the customers kept */
} crm_merge_counts;
int crm_merge(crm_db *db, const char *keep, const char *const *dups, size_t n, crm_writer *out,
	      crm_merge_counts *counts, crm_error *err);
/* True for the fields crm_merge_duplicates finds duplicates by: phone,
 * email, wechat_id, openid. */
bool crm_merge_field_known(const char *field);
/* Merges each group of customers that share a value of field into its
 * oldest (created_at, then cid), as crm_merge does, inside crm_erase_begin's
 * transaction; out gets a record a group: crm_merge_group_columns. */
int crm_merge_duplicates(crm_db *db, const char *field, crm_writer *out, crm_merge_counts *counts,
			 crm_error *err);
/* field, value, keep, duplicates (a list, oldest first) */
extern const char *const crm_merge_group_columns[4];

/* suppress.c: the suppression list and aliases (crm-rm(1)). */
typedef struct crm_unsuppressed {
	long customers, entries; /* erased customers lifted, and their entries */
	char fields[64];         /* what value was of them: "phone", "id/wechat_id" */
	char erased_on[11];      /* the last day of their erasure */
} crm_unsuppressed;
/* Lifts the suppression of the erased customers one of whose values (as
 * each field normalizes it) is value, inside the caller's transaction: all
 * of their entries go. CRM_EDATA when none is suppressed. The trail shows
 * the argument as "[suppressed phone]", not as given. */
int crm_unsuppress(crm_db *db, const char *value, crm_unsuppressed *out, crm_error *err);
/* The id of the customer id is merged into (caller frees), or NULL. */
int crm_alias_of(crm_db *db, const char *id, char **target, crm_error *err);

#endif
