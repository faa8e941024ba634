/* reader.h: what the three files of the record reader share. input.c turns
 * the bytes of a file into UTF-8 (detecting its encoding), reader.c parses
 * them into records (csv, tsv, json, ndjson, ids, xlsx), and columns.c maps
 * the names of their columns to fields and reads the values people write. */
#ifndef CRM_READER_H
#define CRM_READER_H

#include <csv.h>
#include <iconv.h>
#include <jansson.h>

#include "records/records.h"
#include "xlsx.h"

#define CHUNK (64 * 1024)
/* Bounds on one record, so that a hostile or broken file (a quote never
 * closed, a column per cell of a sheet) costs bounded memory: it is
 * refused, with the line where it starts. A note holds at most 64 KiB. */
#define RECORD_BYTES_MAX (8 << 20)
#define RECORD_FIELDS_MAX 1000

enum json_state { J_START, J_ARRAY_FIRST, J_ARRAY_NEXT, J_ARRAY_DONE, J_NDJSON };

/* How the values of a column are read before they are handed out. */
enum column_read {
	COL_AS_IS,
	COL_UNNAMED,   /* no name: must stay empty (then it is skipped) */
	COL_SEX,       /* WeChat's sex: 1 man, 2 woman, 0 unknown */
	COL_UNIX_TIME, /* WeChat's subscribe_time: seconds since 1970 */
	COL_DATE,      /* xlsx: a number in a date column is Excel's day count */
	COL_STAMP,     /* the same, with the time of day */
};

/* The names of one shape of record and what they map to (json: per object). */
struct column_map {
	size_t n;
	char **source;  /* the names as they came, trimmed */
	char **field;   /* the field each one gives; "" when dropped */
	enum column_read *how;
	bool converts;  /* some column is not COL_AS_IS */
};

struct crm_reader {
	FILE *in;
	char *source;
	crm_reader_opts opts;
	enum crm_format fmt;
	bool started, done;
	crm_reader_info info;
	/* bytes as they come from the file */
	unsigned char *raw;
	size_t raw_pos, raw_len;
	bool raw_eof;
	iconv_t cd; /* (iconv_t)-1 when the input is UTF-8 */
	char encoding[32];
	/* UTF-8 text, parsed from here */
	unsigned char *buf;
	size_t pos, len;
	bool eof;
	int io_errno;
	long line; /* line of buf[pos], for tsv, ids and json */
	/* csv, tsv and xlsx: the header */
	struct column_map header;
	char **names;   /* header.field, as records name their values */
	size_t nheader;
	bool has_unnamed;
	/* csv: libcsv pushes fields and rows into a queue we pop from */
	struct csv_parser csv;
	crm_buf queue;
	size_t q_read, q_done, q_row; /* next row to pop, end of complete rows, open row */
	bool q_in_row;
	long newlines;   /* newlines libcsv has consumed */
	long row_line;   /* line where the row being parsed started */
	long chunk_line; /* line at the start of the chunk being parsed */
	bool csv_fini_done;
	long wide_line; /* where a row has more than RECORD_FIELDS_MAX fields */
	size_t value_bytes; /* json: bytes of the value being decoded */
	/* tsv */
	crm_buf linebuf;
	/* json */
	enum json_state jstate;
	bool in_envelope; /* in WeChat's {"user_info_list": [...]} */
	struct column_map keys; /* the last object's keys */
	/* xlsx */
	crm_xlsx *xlsx;
	FILE *spool; /* a pipe's workbook, copied to a file libzip can seek in */
	struct crm_builder b;
	struct crm_builder title_row; /* a first row of one cell, until the next is seen */
	bool pending; /* b holds a row read while finding the header, not handed out yet */
	crm_buf *scratch; /* converted values, one buffer a column */
	size_t nscratch;
};

/* input.c */
/* Reads the first bytes, finds the encoding (BOM, UTF-8, GB18030) or opens
 * the one given, and makes the UTF-8 text ready for fill(). */
int input_start(crm_reader *r, crm_error *err);
/* True when the input starts as a zip (xlsx) or an OLE file (xls). */
bool input_is_workbook(const crm_reader *r);
/* The workbook as a file libzip can read: fd, or -1 with err set. */
int input_workbook_fd(crm_reader *r, crm_error *err);
bool fill(crm_reader *r);
long count_newlines(const unsigned char *s, size_t len);
int peek(crm_reader *r);
int get(crm_reader *r);
void input_free(crm_reader *r);
enum crm_read reader_fail(crm_reader *r, crm_error *err, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
enum crm_read reader_io_fail(crm_reader *r, crm_error *err);

/* columns.c */
/* Maps the header's names (row): fields, dropped columns, conflicts. */
enum crm_read columns_header(crm_reader *r, const crm_record *row, crm_error *err);
/* Checks a row of a header's shape and reads its values; BAD_ROW when it
 * does not fit (handed out still, for a reject file), SKIP when it is empty
 * in every cell, FAIL when an unnamed column holds a value. */
enum crm_read columns_row(crm_reader *r, struct crm_builder *b, crm_error *err);
#define CRM_READ_SKIP (-1)
/* The field a json key gives (NULL: dropped), for the object being read. */
int columns_json_keys(crm_reader *r, json_t *obj, crm_error *err);
const char *columns_json_field(const crm_reader *r, size_t i);
/* Reads the values of a json record built with the keys' fields. */
void columns_json_values(crm_reader *r, struct crm_builder *b);
void columns_free(struct column_map *m);

#endif
