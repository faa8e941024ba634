/* import.h: what the files of import/ share. The calls go one way, down:
 * import.c, the driver, sends each record to customers.c, events.c or
 * restore.c (which has the events waiting stored first, by events.c);
 * customers.c asks identity.c who a record is; all of them stand on
 * values.c and suppressed.c. dump.c and restore.c read the table of kinds.c. */
#ifndef CRM_IMPORT_H
#define CRM_IMPORT_H

#include <jansson.h>
#include <stdint.h>

#include "domain/domain.h"

/* How custom attributes are stored as JSON: numbers with the 15 digits a
 * double holds for sure, so that 19.99 stays 19.99 and not 19.989999999999998. */
#define ATTRS_DUMP (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* ---- kinds.c: the kinds of a dump's records ---- */

#define DUMP_FORMAT 1

/* How a restore reads a kind back. */
enum dump_read {
	READ_RECORD, /* customers and events: imported as any record is */
	READ_FIELD,  /* custom fields: into the catalog, with the time they came */
	READ_KEY,    /* the suppression key: the database's own when it has none */
	READ_ROW,    /* by its statement, the fields bound in order as ?1, ?2, ... */
};

struct dump_kind {
	char kind[24];             /* the records' "kind" */
	int since;                 /* the schema version its table came with */
	const char *select;        /* its rows: the fields in order, then attrs, if any */
	const char *const *fields; /* the records' fields */
	int nfields;
	enum dump_read read;
	const char *insert;        /* READ_ROW, READ_KEY: stores a record */
	bool after_events;         /* it names customers: the events waiting are stored first */
	bool may_be_there;         /* a record that changes nothing is no fault */
	/* A record that changes nothing names rows that are not there: the kind
	 * of each (noun, field of the record); none: it lacks fields. */
	const char *missing[4];
};

/* In the order a dump has them. */
#define DUMP_NKINDS 20
extern const struct dump_kind dump_kinds[DUMP_NKINDS];
/* The kind a dump's record names, or NULL. */
const struct dump_kind *dump_kind_named(const char *kind);

/* Where an input column goes, besides the stored columns (0..n-1). */
enum {
	SLOT_IGNORE = -1, /* the reject file's error column, a dump's kind */
	SLOT_CUSTOM = -2, /* a custom attribute */
	SLOT_ATTRS = -3,  /* a dump's nested object of custom attributes */
	SLOT_TAGS = -4,   /* customers' tags, given by hand */
};

/* Customer columns, in the order of crm_customer_columns. */
enum {
	C_ID, C_NAME, C_PHONE, C_EMAIL, C_WECHAT, C_GENDER, C_BIRTHDAY, C_CITY,
	C_PROVINCE, C_SOURCE, C_OWNER, C_CREATED, C_UPDATED, C_NCOLS
};

/* Event columns, in the order of crm_event_columns. */
enum { E_REF, E_CUSTOMER, E_TYPE, E_TS, E_AMOUNT, E_PRODUCT, E_CHANNEL, E_NCOLS };

/* How the columns of one input shape map; made again when the names change. */
struct import_map {
	size_t n;
	char **names; /* the input names it was made for */
	char **canon; /* the name each column is stored and written under */
	int *slot;
	int col[C_NCOLS]; /* input index of each stored column, or -1 */
	int attrs;        /* input index of a dump's attrs, or -1 */
	int tags;         /* input index of tags, or -1 */
	int openid, unionid; /* input index of WeChat's ids (custom attributes), or -1 */
	bool *known;      /* custom columns in custom_fields already */
	bool failed;
	crm_error err;
};

/* What earlier records of this import gave the customer a record names:
 * where a value came from is its source (an input's number) and line, as
 * one number (identity.c). */
struct import_met {
	bool checked, found;
	bool row;       /* it has a row of its own, not only its run's */
	int pending;    /* the row is this one waiting to be written, or -1 */
	long long at;   /* the customer's first record in this import */
	unsigned cols;  /* the stored columns that record gave a value */
	json_t *later;  /* field -> where: the others this import gave */
	json_t *adds;   /* field -> where: those the record being imported gives first */
};

/* Which rows stored before this import it has met: a bit a row, so the
 * memory is bounded by the table, not by the input. */
struct seen_rows {
	int64_t max_before; /* rows above this were added by this import */
	unsigned char *bits;
	size_t len;
};

/* Marks row as met; true when this import met it before (a duplicate). */
bool seen_before(struct seen_rows *s, int64_t row, bool added_now);

struct crm_import {
	crm_db *db;
	crm_import_opts opts;
	crm_import_counts counts[2];
	bool restore, seen_first;
	long restored[DUMP_NKINDS]; /* a restore's records, by kind (not customers, events) */
	struct import_map map[2];
	/* the record being imported: normalized values, one per input field */
	crm_buf arena;
	size_t *val; /* offsets into arena; SIZE_MAX for no value */
	size_t nval;
	struct crm_builder out;
	char **registered[2]; /* custom fields already in custom_fields */
	crm_buf new_fields;   /* the ones this shape of record added, for a note */
	size_t nregistered[2];
	/* customers */
	crm_stmt *c_get, *c_match, *c_insert, *c_update, *field_add;
	struct crm_tag_giver *tags; /* for a tags column, made at its first use */
	bool expect_new; /* the record before was a new customer */
	struct seen_rows customers_seen;
	bool c_bulk; /* a bulk load: the customer indexes were set aside */
	crm_buf c_index_sql; /* the CREATE INDEX statements set aside, to run at the end */
	/* identity and conflicts (identity.c) */
	crm_stmt *id_taken, *met_get, *met_add, *met_set, *run_get, *run_add;
	struct import_met met; /* of the record being imported */
	struct met_pending *pending; /* rows written a batch at a time */
	size_t npending;
	/* the run of new customers being added, one a line: where the next
	 * would be, and whether they give created_at */
	int64_t run_cid;
	long long run_at;
	bool run_created;
	char **sources;        /* the inputs, for messages about an earlier record */
	size_t nsources;
	/* events */
	bool events_started;
	crm_stmt *e_find, *e_create, *e_insert, *e_by_ref, *e_update, *e_same;
	struct seen_rows events_seen;
	struct event_batch *batch;
	long events_added;
	char *index_sql; /* events_by_customer while it is dropped for a bulk load */
	uint64_t *repeat_filter; /* a bulk load's events, to spot possible repeats */
	crm_stmt *e_maybe_repeat;
	char *last_customer;
	int64_t last_cid;
	/* asked once: the lookups below cost nothing while both are empty */
	bool suppressing, aliasing;
};

/* ---- values.c ---- */

/* The value of input field i ("" when empty, NULL when absent or null). */
const char *import_value(const struct crm_import *imp, int i);
/* Stores a normalized value for input field i. */
void import_set(struct crm_import *imp, int i, const char *s, size_t len);
void import_set_null(struct crm_import *imp, int i);
/* Makes room for n values, none given yet. */
void import_values_reset(struct crm_import *imp, size_t n);
/* A custom attribute's value as JSON, of the type it came as (a number
 * from JSON or a workbook stays a number); NULL for an empty one. */
json_t *import_attr_value(const crm_value *in, const char *text);
/* CRM_EDATA when a value is nested JSON or a list where crm takes neither. */
int import_flat(const char *field, const crm_value *in, bool list_ok, crm_error *err);
/* Text fields: trimmed; control characters other than line breaks refused. */
int import_text(struct crm_import *imp, int i, const char *in, size_t len, crm_error *err);
/* The merge rule of every import: a value replaces what is stored; an empty
 * cell keeps it, unless --replace, when it blanks it; NULL (no such column)
 * keeps it. */
void import_merge_text(char **stored, const char *in, bool replace);
/* Adds a custom field name to custom_fields once per import. */
int import_register_field(struct crm_import *imp, enum crm_kind kind, const char *name,
			  crm_error *err);
/* Puts the custom columns that hold a value in this record in the catalog
 * of custom fields (once each): a column only rejected records filled is
 * no field. */
int import_register_values(struct crm_import *imp, enum crm_kind kind,
			   const struct import_map *map, crm_error *err);
/* Reads a dump's attrs (a JSON object of text values) into a new object. */
json_t *import_attrs_from_text(const char *text, crm_error *err);
/* A custom attribute's JSON value as text, as a record holds it. */
void import_attr_text(json_t *v, crm_buf *text, crm_type *type);

/* ---- restore.c: the dumps crm-export --dump writes ---- */

/* The dump's header line: CRM_EDATA for a format this crm cannot read. */
int import_restore_start(struct crm_import *imp, const crm_record *in, crm_error *err);
/* Stores one record of a kind read by other means than READ_RECORD. */
int import_restore(struct crm_import *imp, const struct dump_kind *k, const crm_record *in,
		   crm_error *err);

/* ---- customers.c ---- */

/* Stores one customer: CRM_OK (*stored, when wanted, is the record as
 * stored), CRM_EDATA (rejected: err says why) or a failure that stops. */
int import_customer(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		    const crm_record **stored, crm_error *err);
int import_customers_prepare(struct crm_import *imp, crm_error *err);
/* Builds the indexes a bulk load set aside. */
int import_customers_finish(struct crm_import *imp, crm_error *err);
void import_customers_finalize(struct crm_import *imp);

/* ---- identity.c: customers without an identity, and records of one
 * customer that disagree within one import ---- */
int import_identity_prepare(struct crm_import *imp, crm_error *err);
int import_identity_finish(struct crm_import *imp, crm_error *err);
void import_identity_finalize(struct crm_import *imp);
/* Writes a 64-bit number as an id: 'c' and 12 letters and digits. */
void import_id_text(uint64_t h, char out[16]);
/* The id of a record with no id, phone, email, wechat_id, openid or
 * unionid: a new one with --new-ids when it has a name, else CRM_EDATA. */
int import_unidentified(struct crm_import *imp, const crm_record *in,
			const struct import_map *map, char **id, crm_error *err);
/* Forgets what was looked up for the record before. */
void import_met_reset(struct crm_import *imp);
/* Compares the record with what earlier records of this import gave the
 * stored customer (cid, its columns, its attributes): CRM_EDATA, naming
 * both lines, when they disagree and --on-conflict is reject; with first,
 * the record's disagreeing values are dropped. */
int import_conflicts(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		     const char *id, int64_t cid, char *const *stored, json_t *attrs,
		     crm_error *err);
/* Remembers what the record, now stored as cid, gave. */
int import_met_note(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		    int64_t cid, crm_error *err);

/* ---- events.c ---- */

/* Takes one event into the batch; results come when the batch is stored. */
int import_event(struct crm_import *imp, const crm_record *in, const struct import_map *map,
		 crm_error *err);
/* Puts a rejected record in line behind the events waiting in the batch. */
int import_event_reject(struct crm_import *imp, const crm_record *in, const crm_error *why,
			crm_error *err);
int import_events_prepare(struct crm_import *imp, crm_error *err);
/* Stores the batch and delivers its results. */
int import_events_flush(struct crm_import *imp, crm_error *err);
/* Flushes, and builds the index again after a bulk load. */
int import_events_finish(struct crm_import *imp, crm_error *err);
void import_events_finalize(struct crm_import *imp);
bool import_events_pending(const struct crm_import *imp);

/* ---- suppressed.c: erased customers and merged ids, in an import ---- */
int import_known_ids_prepare(struct crm_import *imp, crm_error *err);
/* Widens the days a count of suppressed records was erased between. */
void import_suppressed_day(crm_import_counts *n, const char *on);
/* A customer record of values (stored forms, by field; first the id given
 * or made, *id): *skip when it is of an erased customer (counted); *id
 * replaced by the id it is merged into when it is an alias (counted). */
int import_customer_identity(struct crm_import *imp, const char *const values[CRM_SUP_NFIELDS],
			     char **id, bool *skip, crm_error *err);
/* An event's customer id that no customer has: *cid the customer it is
 * merged into, -1 when it was erased (the event is dropped), or 0. */
int import_event_customer(struct crm_import *imp, const char *id, int64_t *cid,
			  crm_error *err);

#endif
