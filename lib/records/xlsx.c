/* xlsx.c: the cells of one sheet of an .xlsx workbook, streamed. libzip reads
 * the zip, expat the XML of its parts: the workbook (its sheets, its date
 * system), the relationships (which part holds which sheet), the styles (which
 * cells show dates), the shared strings, then the sheet itself, parsed only
 * until the next row is complete, so that memory does not grow with the rows.
 *
 * The shared strings are the one thing held whole: cells anywhere in the sheet
 * refer to them by number. They take one buffer and four bytes of offset each,
 * and are bounded, as is everything a hostile file could make us keep: expat's
 * own memory for any part, a cell, a row, the lists of sheets and styles. */
#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "xlsx.h"

#define CHUNK (64 * 1024)
/* reader.c's bounds on a record: a sheet is refused where its CSV would be. */
#define FIELDS_MAX 1000
#define RECORD_BYTES_MAX (8 << 20)
/* What the parts of a hostile workbook can make us hold. */
#define STRINGS_BYTES_MAX ((size_t)512 << 20) /* the shared strings, offsets counted */
#define PARSER_BYTES_MAX ((size_t)32 << 20)   /* expat's memory for one part */
#define LIST_BYTES_MAX (1 << 20)              /* the sheets' names, the relationships */
#define SHEETS_MAX 4096
#define RELS_MAX 65536
#define STYLES_MAX 65536 /* Excel itself holds at most 64000 cell formats */
#define COLUMNS 16384    /* A to XFD */
#define RESAVE "open it in Excel or LibreOffice and save it again"

/* ---- strings one after another ---- */

/* Each NUL-terminated in one buffer, found by its offset: 4 bytes a string
 * beyond its text, for the shared strings, which can be millions. */
struct strtab {
	crm_buf text;
	uint32_t *off;
	size_t n, cap;
};

/* Ends the string that started at offset start of the text. */
static void strtab_end(struct strtab *t, size_t start)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->off = crm_xrealloc(t->off, t->cap * sizeof *t->off);
	}
	t->off[t->n++] = (uint32_t)start;
	crm_buf_addc(&t->text, '\0');
}

static void strtab_add(struct strtab *t, const char *s)
{
	size_t start = t->text.len;
	crm_buf_adds(&t->text, s);
	strtab_end(t, start);
}

static const char *strtab_get(const struct strtab *t, size_t i, size_t *len)
{
	size_t end = i + 1 < t->n ? t->off[i + 1] : t->text.len;
	if (len)
		*len = end - t->off[i] - 1;
	return t->text.p + t->off[i];
}

static size_t strtab_bytes(const struct strtab *t)
{
	return t->text.len + t->n * sizeof *t->off;
}

/* Gives back what doubling left unused, once the table is complete. */
static void strtab_shrink(struct strtab *t)
{
	if (!t->n)
		return;
	t->text.p = crm_xrealloc(t->text.p, t->text.len + 1);
	t->text.cap = t->text.len + 1;
	t->off = crm_xrealloc(t->off, t->n * sizeof *t->off);
	t->cap = t->n;
}

static void strtab_free(struct strtab *t)
{
	crm_buf_free(&t->text);
	free(t->off);
}

/* ---- the workbook being read ---- */

/* One part of the workbook: a zip entry, or (crm_xlsx_open_xml) text in memory. */
struct part {
	char *name; /* its path in the zip, for messages */
	zip_file_t *zf;
	const char *mem;
	size_t len, pos;
};

/* An expat parser over one part. The handlers get local names (writers
 * differ in prefixes: x:row, row) and depth is the element's own. */
struct xml {
	XML_Parser p;
	crm_xlsx *x;
	const char *part;
	size_t mem; /* what expat holds for this parser */
	int depth;
	void (*start)(struct xml *xm, const char *name, const char **atts);
	void (*end)(struct xml *xm, const char *name);
	void (*text)(struct xml *xm, const char *s, size_t len);
};

enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_INLINE, CELL_STR, CELL_BOOL, CELL_ERROR, CELL_DATE,
		 CELL_OTHER };

struct slot {
	uint32_t off, len; /* in the row's text */
	crm_type type;
	bool set;
};

/* The sheet, parsed a row at a time. A *_depth is the depth of the element
 * of that name being read, 0 outside it. */
struct sheet {
	struct xml xml;
	int data_depth, row_depth, c_depth, v_depth, is_depth, t_depth, rph_depth;
	long row;           /* the row being read, or the last one */
	long col, next_col; /* the cell being read; the next one without r= */
	enum cell_type type;
	unsigned long style;
	crm_buf cell;       /* the cell's text as it comes */
	crm_buf text;       /* the row's values */
	struct slot slots[FIELDS_MAX];
	size_t ncols;       /* up to the last column with a value */
	bool ready;         /* a row is complete */
};

struct crm_xlsx {
	char *source;
	zip_t *zip;
	bool date1904;
	struct strtab names; /* the sheets, in workbook order */
	const char **name_list;
	struct strtab strings;
	bool *xf_date; /* per cell style: whether it shows numbers as dates */
	size_t nxf;
	char *chunk;
	struct part part; /* the sheet's */
	struct sheet sheet;
	bool pk;      /* the file starts as a zip does */
	bool failed, done;
	crm_error why; /* what failed, for every later call */
};

static int fail(crm_xlsx *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(crm_xlsx *x, int code, const char *fmt, ...)
{
	crm_error_set(&x->why, code, "%s", "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why.msg, sizeof x->why.msg, fmt, ap);
	va_end(ap);
	x->failed = true;
	return code;
}

/* libzip's reason, as a damaged workbook (CRM_EDATA) or an I/O failure
 * (CRM_EDB). what: the part being read, or NULL for the zip itself. */
static int zip_fail(crm_xlsx *x, zip_error_t *ze, const char *what)
{
	int code = zip_error_code_zip(ze);
	const char *sep = what ? ": " : "";
	what = what ? what : "";
	if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP)
		return fail(x, CRM_EDATA, "a password-protected workbook: save it without a password first");
	if (zip_error_system_type(ze) == ZIP_ET_SYS || code == ZIP_ER_MEMORY)
		return fail(x, CRM_EDB, "%s%s%s", what, sep, zip_error_strerror(ze));
	if (code == ZIP_ER_COMPNOTSUPP)
		return fail(x, CRM_EDATA, "%s%scompressed in a way this reader does not know: %s", what,
			    sep, RESAVE);
	return fail(x, CRM_EDATA, "%s%sa damaged workbook (%s): %s", what, sep,
		    zip_error_strerror(ze), RESAVE);
}

/* Up to n bytes of the part; -1 with the reason in x->why. */
static zip_int64_t part_read(crm_xlsx *x, struct part *p, char *buf, size_t n)
{
	if (!p->zf) {
		size_t k = p->len - p->pos < n ? p->len - p->pos : n;
		if (k)
			memcpy(buf, p->mem + p->pos, k);
		p->pos += k;
		return (zip_int64_t)k;
	}
	zip_int64_t got = zip_fread(p->zf, buf, n);
	if (got < 0)
		zip_fail(x, zip_file_get_error(p->zf), p->name);
	return got;
}

static bool has_entry(crm_xlsx *x, const char *name)
{
	return zip_name_locate(x->zip, name, ZIP_FL_NOCASE) >= 0;
}

static int part_open(crm_xlsx *x, const char *name, struct part *p)
{
	memset(p, 0, sizeof *p);
	p->name = crm_xstrdup(name);
	zip_int64_t i = zip_name_locate(x->zip, name, ZIP_FL_NOCASE);
	if (i < 0)
		return fail(x, CRM_EDATA, "'%s' is missing: the workbook is damaged (%s)", name, RESAVE);
	if (!(p->zf = zip_fopen_index(x->zip, (zip_uint64_t)i, 0)))
		return zip_fail(x, zip_get_error(x->zip), name);
	return CRM_OK;
}

static void part_memory(struct part *p, const char *name, const char *text, size_t len)
{
	memset(p, 0, sizeof *p);
	p->name = crm_xstrdup(name);
	p->mem = text;
	p->len = len;
}

static void part_close(struct part *p)
{
	if (p->zf)
		zip_fclose(p->zf);
	free(p->name);
	memset(p, 0, sizeof *p);
}

/* ---- expat, its memory counted ---- */

/* Each parser's allocations are counted, so that no part makes expat hold
 * more than PARSER_BYTES_MAX (a tag a gigabyte long; millions of distinct
 * element names, each of which it keeps): past that an allocation fails, and
 * the parse with it (XML_ERROR_NO_MEMORY). expat's allocator takes no context:
 * the parser being created or fed is named here. */
static _Thread_local size_t *counting;

union head {
	struct {
		size_t *count, size;
	} h;
	max_align_t align;
};

static bool over_bound(const size_t *count, size_t more)
{
	return count && (more > PARSER_BYTES_MAX || *count > PARSER_BYTES_MAX - more);
}

static void *counted_malloc(size_t n)
{
	size_t *count = counting;
	if (over_bound(count, n))
		return NULL;
	union head *p = malloc(sizeof *p + n);
	if (!p)
		return NULL;
	p->h.count = count;
	p->h.size = n;
	if (count)
		*count += n;
	return p + 1;
}

static void *counted_realloc(void *ptr, size_t n)
{
	if (!ptr)
		return counted_malloc(n);
	union head *p = (union head *)ptr - 1;
	size_t *count = p->h.count, old = p->h.size;
	if (n > old && over_bound(count, n - old))
		return NULL;
	union head *q = realloc(p, sizeof *q + n);
	if (!q)
		return NULL;
	q->h.size = n;
	if (count)
		*count = *count - old + n;
	return q + 1;
}

static void counted_free(void *ptr)
{
	if (!ptr)
		return;
	union head *p = (union head *)ptr - 1;
	if (p->h.count)
		*p->h.count -= p->h.size;
	free(p);
}

static const XML_Memory_Handling_Suite counted = {counted_malloc, counted_realloc, counted_free};

static const char *local(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (; atts[0]; atts += 2)
		if (strcmp(local(atts[0]), name) == 0)
			return atts[1];
	return NULL;
}

static void xml_fail(struct xml *xm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xml_fail(struct xml *xm, const char *fmt, ...)
{
	crm_xlsx *x = xm->x;
	fail(x, CRM_EDATA, "%s", "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why.msg, sizeof x->why.msg, fmt, ap);
	va_end(ap);
	XML_StopParser(xm->p, XML_FALSE);
}

/* After a stop, expat may still call a handler or two: they do nothing. */
static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **atts)
{
	struct xml *xm = data;
	xm->depth++;
	if (!xm->x->failed && xm->start)
		xm->start(xm, local(name), atts);
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
	struct xml *xm = data;
	if (!xm->x->failed && xm->end)
		xm->end(xm, local(name));
	xm->depth--;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
	struct xml *xm = data;
	if (!xm->x->failed && xm->text)
		xm->text(xm, s, (size_t)len);
}

/* No part of a workbook has a DTD, which would only bring entities to expand. */
static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	struct xml *xm = data;
	xml_fail(xm, "%s: a DOCTYPE, which workbooks do not have: is this the right file?", xm->part);
}

static void xml_init(struct xml *xm, crm_xlsx *x, const char *part)
{
	memset(xm, 0, sizeof *xm);
	xm->x = x;
	xm->part = part;
	counting = &xm->mem;
	xm->p = XML_ParserCreate_MM(NULL, &counted, NULL);
	counting = NULL;
	if (!xm->p) {
		fputs("crm: out of memory\n", stderr);
		abort();
	}
	XML_SetUserData(xm->p, xm);
	XML_SetElementHandler(xm->p, on_start, on_end);
	XML_SetCharacterDataHandler(xm->p, on_text);
	XML_SetStartDoctypeDeclHandler(xm->p, on_doctype);
}

static void xml_free(struct xml *xm)
{
	if (xm->p)
		XML_ParserFree(xm->p);
	xm->p = NULL;
}

static enum XML_Status feed(struct xml *xm, const char *s, size_t len, bool final)
{
	counting = &xm->mem;
	enum XML_Status st = XML_Parse(xm->p, s, (int)len, final);
	counting = NULL;
	return st;
}

static enum XML_Status resume(struct xml *xm)
{
	counting = &xm->mem;
	enum XML_Status st = XML_ResumeParser(xm->p);
	counting = NULL;
	return st;
}

/* Why a parse stopped: a handler's reason, or expat's. */
static int xml_error(struct xml *xm)
{
	crm_xlsx *x = xm->x;
	if (x->failed)
		return x->why.code;
	enum XML_Error e = XML_GetErrorCode(xm->p);
	if (e == XML_ERROR_NO_MEMORY)
		return fail(x, CRM_EDATA, "%s: XML too large to read (over %zu MiB in one tag, "
			    "or in names): is this the right file?", xm->part, PARSER_BYTES_MAX >> 20);
	return fail(x, CRM_EDATA, "%s: malformed XML at line %lu: %s", xm->part,
		    (unsigned long)XML_GetCurrentLineNumber(xm->p), XML_ErrorString(e));
}

/* Parses a whole part with xm's handlers. */
static int parse_part(crm_xlsx *x, struct xml *xm, struct part *p)
{
	for (;;) {
		zip_int64_t n = part_read(x, p, x->chunk, CHUNK);
		if (n < 0)
			return x->why.code;
		if (feed(xm, x->chunk, (size_t)n, n == 0) == XML_STATUS_ERROR || x->failed)
			return xml_error(xm);
		if (n == 0)
			return CRM_OK;
	}
}

/* ---- small parsers ---- */

/* Decimal digits only, at most max; false otherwise. */
static bool parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d > 9 || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* _xHHHH_ at s, its code unit in *u. */
static bool escape_at(const char *s, size_t len, uint32_t *u)
{
	if (len < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return false;
	*u = 0;
	for (int i = 2; i < 6; i++) {
		int h = hex(s[i]);
		if (h < 0)
			return false;
		*u = *u << 4 | (uint32_t)h;
	}
	return true;
}

static size_t utf8_put(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Excel writes what XML cannot hold (control characters, a CR that XML
 * would turn into LF) as _xHHHH_, and a literal "_x" that would read as one
 * as _x005F_x. Decodes them in place (the text only shrinks); returns the new
 * length. NUL and lone surrogates stay as written. */
static size_t unescape(char *s, size_t len)
{
	if (!len || !memchr(s, '_', len))
		return len;
	size_t r = 0, w = 0;
	while (r < len) {
		uint32_t cp, lo;
		if (!escape_at(s + r, len - r, &cp) || cp == 0 || (cp >= 0xDC00 && cp < 0xE000)) {
			s[w++] = s[r++];
			continue;
		}
		if (cp >= 0xD800 && cp < 0xDC00) {
			if (!escape_at(s + r + 7, len - r - 7, &lo) || lo < 0xDC00 || lo >= 0xE000) {
				s[w++] = s[r++];
				continue;
			}
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			r += 7;
		}
		r += 7;
		w += utf8_put(s + w, cp);
	}
	s[w] = '\0';
	return w;
}

/* ---- numbers and dates ---- */

static bool parse_number(const char *s, double *d)
{
	char *end;
	*d = strtod(s, &end);
	if (end == s)
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return !*end && isfinite(*d);
}

/* Integral values a double holds exactly as digits (13800138000, never
 * 1.38E+10), others as the shortest text that reads back the same. */
static crm_type number_text(double d, char out[32])
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		snprintf(out, 32, "%lld", (long long)d);
		return CRM_INT;
	}
	snprintf(out, 32, "%.15g", d);
	if (strtod(out, NULL) != d)
		snprintf(out, 32, "%.17g", d);
	return CRM_REAL;
}

/* Howard Hinnant's civil_from_days: crm_days_from_civil's inverse. */
static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

static char *put_digits(char *p, long v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/* YYYY-MM-DD, then THH:MM:SS with_time; secs within the day. */
static void format_ymd(int y, int m, int d, long secs, bool with_time, char out[20])
{
	char *p = put_digits(out, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	if (with_time) {
		*p++ = 'T';
		p = put_digits(p, secs / 3600, 2);
		*p++ = ':';
		p = put_digits(p, secs / 60 % 60, 2);
		*p++ = ':';
		p = put_digits(p, secs % 60, 2);
	}
	*p = '\0';
}

/* days since 1970-01-01 and seconds after (a whole day of them carries). */
static int format_instant(long long days, long long secs, bool with_time, char out[20])
{
	days += secs / 86400;
	secs %= 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 1 || y > 9999)
		return CRM_EDATA;
	format_ymd(y, m, d, (long)secs, with_time, out);
	return CRM_OK;
}

int crm_xlsx_serial_text(double serial, bool date1904, bool with_time, char out[20])
{
	/* 3e6 days is past 9999 in either system: checked before llround */
	if (!(serial >= (date1904 ? 0.0 : 1.0)) || !(serial < 3e6))
		return CRM_EDATA;
	long long total = llround(serial * 86400.0);
	long long days = total / 86400, secs = total % 86400;
	if (!date1904 && days < 61) {
		/* Excel counts 1900 as a leap year, as Lotus 1-2-3 did: serial 60
		 * is 1900-02-29, which never was, and the serials before it are a
		 * day later than the days since 1899-12-30 say. */
		if (days == 60) {
			format_ymd(1900, 2, 29, (long)secs, with_time, out);
			return CRM_OK;
		}
		days++;
	}
	long long epoch = date1904 ? crm_days_from_civil(1904, 1, 1) : crm_days_from_civil(1899, 12, 30);
	return format_instant(epoch + days, secs, with_time, out);
}

static bool take_digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return false;
		*v = *v * 10 + (**s - '0');
	}
	return true;
}

static bool take(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

/* HH:MM[:SS[.fff]] then a zone, dropped (Excel's dates have none); *round:
 * the fraction reaches half a second. */
static bool take_time(const char **s, int *h, int *mi, int *sec, bool *round)
{
	*sec = 0;
	*round = false;
	if (!take_digits(s, 2, h) || !take(s, ':') || !take_digits(s, 2, mi))
		return false;
	if (take(s, ':')) {
		if (!take_digits(s, 2, sec))
			return false;
		if (take(s, '.') || take(s, ',')) {
			*round = **s >= '5' && **s <= '9';
			while (**s >= '0' && **s <= '9')
				(*s)++;
		}
	}
	if (take(s, 'Z'))
		return true;
	int zh, zm;
	if (take(s, '+') || take(s, '-')) {
		if (!take_digits(s, 2, &zh))
			return false;
		take(s, ':');
		return !**s || take_digits(s, 2, &zm);
	}
	return true;
}

/* t="d" cells hold ISO 8601 text: the date, and the time unless it is
 * midnight, in crm's forms. False when it is not one. */
static bool iso_text(const char *s, char out[20])
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	bool round = false;
	if (!take_digits(&s, 4, &y) || !take(&s, '-') || !take_digits(&s, 2, &mo) || !take(&s, '-') ||
	    !take_digits(&s, 2, &d))
		return false;
	if ((take(&s, 'T') || take(&s, ' ')) && !take_time(&s, &h, &mi, &sec, &round))
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 59)
		return false;
	long long secs = h * 3600L + mi * 60L + sec + round;
	return format_instant(crm_days_from_civil(y, mo, d), secs, secs != 0, out) == CRM_OK;
}

/* 46 is [h]:mm:ss, elapsed time: a number, as in format_is_date. */
static bool builtin_date(unsigned long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || id == 45 || id == 47 ||
	       (id >= 50 && id <= 58);
}

/* [h], [mm], [ss]: elapsed time, a duration, not a moment. */
static bool elapsed(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!strchr("hHmMsS", *s))
			return false;
	return true;
}

/* Whether a number format shows a date or a time: d, m, y, h or s outside
 * quoted text, escapes (\x, _x, *x) and [...] (colours, conditions, locales
 * such as [$-804]). Only the first section counts, the one for positive
 * numbers; elapsed time ([h]:mm) is a number. */
static bool format_is_date(const char *f)
{
	for (; *f && *f != ';'; f++) {
		const char *end;
		switch (*f) {
		case '"':
			if (!(f = strchr(f + 1, '"')))
				return false;
			break;
		case '\\':
		case '_':
		case '*':
			if (!*++f)
				return false;
			break;
		case '[':
			if (!(end = strchr(f, ']')) || elapsed(f + 1, end))
				return false;
			f = end;
			break;
		default:
			if (strchr("dDmMyYhHsS", *f))
				return true;
		}
	}
	return false;
}

/* ---- xl/workbook.xml: the sheets and the date system ---- */

struct workbook {
	struct xml xml;
	struct strtab *rids; /* each sheet's relationship */
};

static void workbook_start(struct xml *xm, const char *name, const char **atts)
{
	struct workbook *w = (struct workbook *)xm;
	crm_xlsx *x = xm->x;
	if (xm->depth == 1 && strcmp(name, "workbook") != 0) { /* a .docx or .pptx, say */
		xml_fail(xm, "a zip file, not an .xlsx workbook");
	} else if (strcmp(name, "workbookPr") == 0) {
		const char *v = attr(atts, "date1904");
		x->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(name, "sheet") == 0) {
		const char *sheet = attr(atts, "name"), *rid = attr(atts, "id");
		if (!sheet || !rid)
			return;
		if (x->names.n == SHEETS_MAX ||
		    strtab_bytes(&x->names) + strtab_bytes(w->rids) > LIST_BYTES_MAX) {
			xml_fail(xm, "%s: more than %d sheets, or 1 MiB of names: is this the right file?",
				 xm->part, SHEETS_MAX);
			return;
		}
		strtab_add(&x->names, sheet);
		strtab_add(w->rids, rid);
	}
}

static int read_sheet_list(crm_xlsx *x, const char *path, struct strtab *rids)
{
	struct workbook w = {.rids = rids};
	struct part p;
	int rc = part_open(x, path, &p);
	if (rc == CRM_OK) {
		xml_init(&w.xml, x, path);
		w.xml.start = workbook_start;
		rc = parse_part(x, &w.xml, &p);
		xml_free(&w.xml);
	}
	part_close(&p);
	x->name_list = crm_xmalloc((x->names.n ? x->names.n : 1) * sizeof *x->name_list);
	for (size_t i = 0; i < x->names.n; i++)
		x->name_list[i] = strtab_get(&x->names, i, NULL);
	return rc;
}

/* ---- relationships: which part is what ---- */

enum rel_kind { REL_OTHER, REL_DOCUMENT, REL_WORKSHEET, REL_CHARTSHEET, REL_STYLES, REL_STRINGS };

struct rels {
	struct xml xml;
	const char *dir; /* where relative targets start: "xl/", or "" */
	struct strtab ids, targets;
	unsigned char *kinds;
	size_t cap;
};

/* The last word of the type's URI: Excel's and Strict OOXML's differ before it. */
static enum rel_kind rel_kind(const char *type)
{
	static const struct {
		const char *name;
		enum rel_kind kind;
	} kinds[] = {{"officeDocument", REL_DOCUMENT}, {"worksheet", REL_WORKSHEET},
		     {"chartsheet", REL_CHARTSHEET}, {"styles", REL_STYLES},
		     {"sharedStrings", REL_STRINGS}};
	const char *slash = strrchr(type, '/');
	const char *word = slash ? slash + 1 : type;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(word, kinds[i].name) == 0)
			return kinds[i].kind;
	return REL_OTHER;
}

/* A target as a zip entry name: absolute (/xl/styles.xml) or relative to dir. */
static char *resolve(const char *dir, const char *target)
{
	crm_buf out = {0};
	crm_buf_adds(&out, *target == '/' ? "" : dir);
	for (const char *s = target; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (out.len)
				out.len--;
			while (out.len && out.p[out.len - 1] != '/')
				out.len--;
			out.p[out.len] = '\0';
		} else if (n && !(n == 1 && *s == '.')) {
			crm_buf_add(&out, s, n);
			if (s[n] == '/')
				crm_buf_addc(&out, '/');
		}
		s += n;
		if (*s == '/')
			s++;
	}
	return out.p;
}

static void rels_start(struct xml *xm, const char *name, const char **atts)
{
	struct rels *r = (struct rels *)xm;
	if (strcmp(name, "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id"), *type = attr(atts, "Type"),
		   *target = attr(atts, "Target"), *mode = attr(atts, "TargetMode");
	if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
		return;
	if (r->ids.n == RELS_MAX || strtab_bytes(&r->ids) + strtab_bytes(&r->targets) > 4 * LIST_BYTES_MAX) {
		xml_fail(xm, "%s: more than %d relationships, or 4 MiB of them: is this the right file?",
			 xm->part, RELS_MAX);
		return;
	}
	if (r->ids.n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->kinds = crm_xrealloc(r->kinds, r->cap);
	}
	r->kinds[r->ids.n] = (unsigned char)rel_kind(type);
	char *path = resolve(r->dir, target);
	strtab_add(&r->ids, id);
	strtab_add(&r->targets, path);
	free(path);
}

/* A part's relationships, in _rels/ beside it; none when it has none. */
static int read_rels(crm_xlsx *x, const char *path, const char *dir, struct rels *r)
{
	r->dir = dir;
	if (!has_entry(x, path))
		return CRM_OK;
	struct part p;
	int rc = part_open(x, path, &p);
	if (rc == CRM_OK) {
		xml_init(&r->xml, x, path);
		r->xml.start = rels_start;
		rc = parse_part(x, &r->xml, &p);
		xml_free(&r->xml);
	}
	part_close(&p);
	return rc;
}

static void rels_free(struct rels *r)
{
	strtab_free(&r->ids);
	strtab_free(&r->targets);
	free(r->kinds);
}

static long rels_find(const struct rels *r, const char *id)
{
	for (size_t i = 0; i < r->ids.n; i++)
		if (strcmp(strtab_get(&r->ids, i, NULL), id) == 0)
			return (long)i;
	return -1;
}

static const char *rels_target(const struct rels *r, enum rel_kind kind)
{
	for (size_t i = 0; i < r->ids.n; i++)
		if (r->kinds[i] == kind)
			return strtab_get(&r->targets, i, NULL);
	return NULL;
}

/* ---- xl/styles.xml: which cell styles show dates ---- */

struct numfmt {
	unsigned long id;
	bool date;
};

struct styles {
	struct xml xml;
	int fmts_depth, xfs_depth;
	struct numfmt *fmts;
	size_t nfmts, fmts_cap;
	unsigned long *xf_fmt; /* each cell style's numFmtId */
	size_t nxf, xf_cap;
};

static void styles_start(struct xml *xm, const char *name, const char **atts)
{
	struct styles *st = (struct styles *)xm;
	unsigned long id;
	const char *v = attr(atts, "numFmtId"), *code;
	if (!st->fmts_depth && !st->xfs_depth) {
		if (strcmp(name, "numFmts") == 0)
			st->fmts_depth = xm->depth;
		else if (strcmp(name, "cellXfs") == 0)
			st->xfs_depth = xm->depth;
	} else if (st->fmts_depth && xm->depth == st->fmts_depth + 1 && strcmp(name, "numFmt") == 0) {
		if (!v || !parse_ulong(v, ULONG_MAX, &id) || !(code = attr(atts, "formatCode")) ||
		    st->nfmts == STYLES_MAX)
			return;
		if (st->nfmts == st->fmts_cap) {
			st->fmts_cap = st->fmts_cap ? st->fmts_cap * 2 : 16;
			st->fmts = crm_xrealloc(st->fmts, st->fmts_cap * sizeof *st->fmts);
		}
		st->fmts[st->nfmts++] = (struct numfmt){id, format_is_date(code)};
	} else if (st->xfs_depth && xm->depth == st->xfs_depth + 1 && strcmp(name, "xf") == 0) {
		if (st->nxf == STYLES_MAX) /* the ones past it show numbers */
			return;
		if (st->nxf == st->xf_cap) {
			st->xf_cap = st->xf_cap ? st->xf_cap * 2 : 16;
			st->xf_fmt = crm_xrealloc(st->xf_fmt, st->xf_cap * sizeof *st->xf_fmt);
		}
		st->xf_fmt[st->nxf++] = v && parse_ulong(v, ULONG_MAX, &id) ? id : 0;
	}
}

static void styles_end(struct xml *xm, const char *name)
{
	(void)name;
	struct styles *st = (struct styles *)xm;
	if (xm->depth == st->fmts_depth)
		st->fmts_depth = 0;
	else if (xm->depth == st->xfs_depth)
		st->xfs_depth = 0;
}

static int cmp_fmt(const void *a, const void *b)
{
	unsigned long x = ((const struct numfmt *)a)->id, y = ((const struct numfmt *)b)->id;
	return (x > y) - (x < y);
}

/* A workbook may give its own code for a built-in id: that one counts. */
static bool fmt_is_date(const struct styles *st, unsigned long id)
{
	struct numfmt key = {id, false};
	const struct numfmt *f = st->nfmts ? bsearch(&key, st->fmts, st->nfmts, sizeof *st->fmts, cmp_fmt)
					   : NULL;
	return f ? f->date : builtin_date(id);
}

static int read_styles(crm_xlsx *x, struct part *p)
{
	struct styles st = {0};
	xml_init(&st.xml, x, p->name);
	st.xml.start = styles_start;
	st.xml.end = styles_end;
	int rc = parse_part(x, &st.xml, p);
	xml_free(&st.xml);
	if (st.nfmts)
		qsort(st.fmts, st.nfmts, sizeof *st.fmts, cmp_fmt);
	x->xf_date = crm_xmalloc((st.nxf ? st.nxf : 1) * sizeof *x->xf_date);
	x->nxf = st.nxf;
	for (size_t i = 0; i < st.nxf; i++)
		x->xf_date[i] = fmt_is_date(&st, st.xf_fmt[i]);
	free(st.fmts);
	free(st.xf_fmt);
	return rc;
}

/* ---- xl/sharedStrings.xml ---- */

/* <si> holds <t>, or rich text runs <r><t>, whose texts join; <rPh> runs are
 * phonetic readings (furigana), not the text. */
struct strings {
	struct xml xml;
	int si_depth, t_depth, rph_depth;
	size_t start; /* of the string being read */
};

static void strings_start(struct xml *xm, const char *name, const char **atts)
{
	(void)atts;
	struct strings *ss = (struct strings *)xm;
	if (!ss->si_depth) {
		if (strcmp(name, "si") == 0) {
			ss->si_depth = xm->depth;
			ss->start = xm->x->strings.text.len;
		}
	} else if (!ss->rph_depth && strcmp(name, "rPh") == 0) {
		ss->rph_depth = xm->depth;
	} else if (!ss->rph_depth && !ss->t_depth && strcmp(name, "t") == 0) {
		ss->t_depth = xm->depth;
	}
}

static void strings_too_big(struct xml *xm)
{
	xml_fail(xm, "%s: more than %zu MiB of shared strings: is this the right file?", xm->part,
		 STRINGS_BYTES_MAX >> 20);
}

static void strings_end(struct xml *xm, const char *name)
{
	(void)name;
	struct strings *ss = (struct strings *)xm;
	struct strtab *t = &xm->x->strings;
	if (xm->depth == ss->t_depth) {
		ss->t_depth = 0;
	} else if (xm->depth == ss->rph_depth) {
		ss->rph_depth = 0;
	} else if (xm->depth == ss->si_depth) {
		ss->si_depth = 0;
		if (t->text.len > ss->start)
			t->text.len = ss->start + unescape(t->text.p + ss->start, t->text.len - ss->start);
		strtab_end(t, ss->start);
		if (strtab_bytes(t) > STRINGS_BYTES_MAX)
			strings_too_big(xm);
	}
}

static void strings_text(struct xml *xm, const char *s, size_t len)
{
	struct strings *ss = (struct strings *)xm;
	if (!ss->t_depth || ss->rph_depth)
		return;
	crm_buf_add(&xm->x->strings.text, s, len);
	if (strtab_bytes(&xm->x->strings) > STRINGS_BYTES_MAX)
		strings_too_big(xm);
}

static int read_strings(crm_xlsx *x, struct part *p)
{
	struct strings ss = {0};
	xml_init(&ss.xml, x, p->name);
	ss.xml.start = strings_start;
	ss.xml.end = strings_end;
	ss.xml.text = strings_text;
	int rc = parse_part(x, &ss.xml, p);
	xml_free(&ss.xml);
	strtab_shrink(&x->strings);
	return rc;
}

/* ---- the sheet ---- */

/* The column of a cell reference (C5: 3), or 0 when it is not one. */
static long ref_column(const char *r)
{
	long col = 0;
	int n = 0;
	for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++) {
		if (++n > 3)
			return 0;
		col = col * 26 + ((*r | 0x20) - 'a' + 1);
	}
	while (*r >= '0' && *r <= '9')
		r++;
	return n && !*r && col <= COLUMNS ? col : 0;
}

/* B2, for messages. */
static void cell_name(long col, long row, char out[32])
{
	char letters[8];
	int n = 0;
	for (; col > 0 && n < 7; col = (col - 1) / 26)
		letters[n++] = (char)('A' + (col - 1) % 26);
	int k = 0;
	while (n)
		out[k++] = letters[--n];
	snprintf(out + k, 32 - (size_t)k, "%ld", row);
}

static enum cell_type cell_type(const char *t)
{
	static const struct {
		const char *name;
		enum cell_type type;
	} types[] = {{"n", CELL_NUMBER}, {"s", CELL_SHARED}, {"inlineStr", CELL_INLINE},
		     {"str", CELL_STR}, {"b", CELL_BOOL}, {"e", CELL_ERROR}, {"d", CELL_DATE}};
	if (!t)
		return CELL_NUMBER;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(t, types[i].name) == 0)
			return types[i].type;
	return CELL_OTHER;
}

static void row_start(struct sheet *s, const char **atts)
{
	const char *r = attr(atts, "r");
	unsigned long n;
	s->row = r && parse_ulong(r, INT_MAX, &n) && n > 0 ? (long)n : s->row + 1;
	s->row_depth = s->xml.depth;
	memset(s->slots, 0, s->ncols * sizeof *s->slots);
	s->ncols = 0;
	s->next_col = 1;
	crm_buf_reset(&s->text);
}

static void cell_start(struct sheet *s, const char **atts)
{
	const char *r = attr(atts, "r"), *style = attr(atts, "s");
	long col = r ? ref_column(r) : s->next_col;
	if (!col) {
		xml_fail(&s->xml, "'%.40s' is not a cell reference: the workbook is damaged (%s)", r,
			 RESAVE);
		return;
	}
	s->col = col;
	s->next_col = col + 1;
	s->type = cell_type(attr(atts, "t"));
	if (!style || !parse_ulong(style, ULONG_MAX, &s->style))
		s->style = 0;
	s->c_depth = s->xml.depth;
	crm_buf_reset(&s->cell);
}

static bool shared_string(struct sheet *s, const char **v, size_t *len)
{
	const struct strtab *t = &s->xml.x->strings;
	unsigned long i;
	if (parse_ulong(s->cell.p, ULONG_MAX, &i) && i < t->n) {
		*v = strtab_get(t, i, len);
		return true;
	}
	char ref[32];
	cell_name(s->col, s->row, ref);
	xml_fail(&s->xml, "cell '%s': no shared string '%.20s' in the workbook (it has %zu): "
		 "the workbook is damaged (%s)", ref, s->cell.p, t->n, RESAVE);
	return false;
}

/* A number, or a date when the cell's style shows one; CRM_TEXT as stored
 * when it is not a number. */
static crm_type number_value(const crm_xlsx *x, unsigned long style, const char **v, size_t *len,
			     char out[32])
{
	double d;
	if (!parse_number(*v, &d))
		return CRM_TEXT;
	crm_type type = CRM_TEXT;
	bool date = style < x->nxf && x->xf_date[style];
	if (!date || crm_xlsx_serial_text(d, x->date1904, d != floor(d), out) != CRM_OK)
		type = number_text(d, out);
	*v = out;
	*len = strlen(out);
	return type;
}

static void put_value(struct sheet *s, crm_type type, const char *v, size_t len)
{
	if (s->col > FIELDS_MAX) {
		xml_fail(&s->xml, "more than %d fields in one record: is this the right file?", FIELDS_MAX);
		return;
	}
	if (s->text.len + len > RECORD_BYTES_MAX) {
		xml_fail(&s->xml, "a record longer than %d MiB: is this the right file?",
			 RECORD_BYTES_MAX >> 20);
		return;
	}
	struct slot *slot = &s->slots[s->col - 1];
	*slot = (struct slot){(uint32_t)s->text.len, (uint32_t)len, type, true};
	crm_buf_add(&s->text, v, len);
	if ((size_t)s->col > s->ncols)
		s->ncols = (size_t)s->col;
}

static void cell_end(struct sheet *s)
{
	const char *v = s->cell.p;
	size_t len = s->cell.len;
	char out[32];
	crm_type type = CRM_TEXT;
	if (!len)
		return;
	switch (s->type) {
	case CELL_SHARED:
		if (!shared_string(s, &v, &len))
			return;
		break;
	case CELL_INLINE:
	case CELL_STR:
		len = s->cell.len = unescape(s->cell.p, len);
		break;
	case CELL_BOOL:
		if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0) {
			v = *v == '1' ? "true" : "false";
			len = strlen(v);
			type = CRM_BOOL;
		}
		break;
	case CELL_DATE:
		if (iso_text(v, out)) {
			v = out;
			len = strlen(out);
		}
		break;
	case CELL_NUMBER:
		type = number_value(s->xml.x, s->style, &v, &len, out);
		break;
	case CELL_ERROR:
	case CELL_OTHER:
		break;
	}
	if (len)
		put_value(s, type, v, len);
}

static void sheet_start(struct xml *xm, const char *name, const char **atts)
{
	struct sheet *s = (struct sheet *)xm;
	if (!s->data_depth) {
		if (strcmp(name, "sheetData") == 0)
			s->data_depth = xm->depth;
	} else if (!s->row_depth) {
		if (strcmp(name, "row") == 0)
			row_start(s, atts);
	} else if (!s->c_depth) {
		if (strcmp(name, "c") == 0)
			cell_start(s, atts);
	} else if (!s->v_depth && !s->is_depth) {
		if (strcmp(name, "v") == 0) {
			s->v_depth = xm->depth;
		} else if (strcmp(name, "is") == 0) {
			s->is_depth = xm->depth;
			s->type = CELL_INLINE;
			crm_buf_reset(&s->cell);
		}
	} else if (s->is_depth && !s->rph_depth) {
		if (strcmp(name, "rPh") == 0)
			s->rph_depth = xm->depth;
		else if (!s->t_depth && strcmp(name, "t") == 0)
			s->t_depth = xm->depth;
	}
}

/* The states open are nested in one another: their depths differ. */
static void sheet_end(struct xml *xm, const char *name)
{
	(void)name;
	struct sheet *s = (struct sheet *)xm;
	int d = xm->depth;
	if (d == s->t_depth) {
		s->t_depth = 0;
	} else if (d == s->rph_depth) {
		s->rph_depth = 0;
	} else if (d == s->v_depth) {
		s->v_depth = 0;
	} else if (d == s->is_depth) {
		s->is_depth = 0;
	} else if (d == s->c_depth) {
		s->c_depth = 0;
		cell_end(s);
	} else if (d == s->row_depth) {
		/* the row is complete: expat waits until crm_xlsx_next has handed it out */
		s->row_depth = 0;
		s->ready = true;
		XML_StopParser(xm->p, XML_TRUE);
	} else if (d == s->data_depth) {
		s->data_depth = 0;
	}
}

static void sheet_text(struct xml *xm, const char *str, size_t len)
{
	struct sheet *s = (struct sheet *)xm;
	if (!s->v_depth && !(s->t_depth && !s->rph_depth))
		return;
	if (s->cell.len + len > RECORD_BYTES_MAX) {
		char ref[32];
		cell_name(s->col, s->row, ref);
		xml_fail(xm, "cell '%s' holds more than %d MiB of text: is this the right file?", ref,
			 RECORD_BYTES_MAX >> 20);
		return;
	}
	crm_buf_add(&s->cell, str, len);
}

static void sheet_begin(crm_xlsx *x)
{
	struct sheet *s = &x->sheet;
	xml_init(&s->xml, x, x->part.name);
	s->xml.start = sheet_start;
	s->xml.end = sheet_end;
	s->xml.text = sheet_text;
}

/* Parses on: resumes after the last row, or feeds the next chunk. */
static void sheet_more(crm_xlsx *x)
{
	struct xml *xm = &x->sheet.xml;
	XML_ParsingStatus status;
	XML_GetParsingStatus(xm->p, &status);
	enum XML_Status st;
	if (status.parsing == XML_SUSPENDED) {
		st = resume(xm);
	} else {
		zip_int64_t n = part_read(x, &x->part, x->chunk, CHUNK);
		if (n < 0)
			return;
		st = feed(xm, x->chunk, (size_t)n, n == 0);
	}
	if (st == XML_STATUS_ERROR || x->failed) {
		xml_error(xm);
		return;
	}
	XML_GetParsingStatus(xm->p, &status);
	x->done = status.parsing == XML_FINISHED;
}

enum crm_read crm_xlsx_next(crm_xlsx *x, struct crm_builder *b, long *row, crm_error *err)
{
	struct sheet *s = &x->sheet;
	crm_error_clear(err);
	crm_builder_reset(b);
	for (;;) {
		if (x->failed) {
			if (err) {
				*err = x->why;
				crm_error_at(err, x->source, s->row, 0);
			}
			return CRM_READ_FAIL;
		}
		if (s->ready)
			break;
		if (x->done)
			return CRM_READ_END;
		sheet_more(x);
	}
	s->ready = false;
	for (size_t i = 0; i < s->ncols; i++) {
		const struct slot *slot = &s->slots[i];
		if (slot->set)
			crm_builder_add(b, NULL, slot->type, s->text.p + slot->off, slot->len);
		else
			crm_builder_add(b, NULL, CRM_TEXT, "", 0);
	}
	*row = s->row;
	return CRM_READ_OK;
}

/* ---- opening ---- */

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

#define OLE_END 0xFFFFFFFAu /* sector numbers from here on end a chain */

/* The sector after sect in its chain, from the FAT (only the first 109 FAT
 * sectors, those the header lists: enough for a directory). */
static uint32_t ole_next(int fd, const unsigned char *h, unsigned shift, uint32_t sect)
{
	uint32_t per = (1u << shift) / 4, fat = sect / per;
	unsigned char v[4];
	if (fat >= 109 || (fat = le32(h + 76 + 4 * fat)) >= OLE_END)
		return OLE_END;
	off_t at = (((off_t)fat + 1) << shift) + (off_t)(sect % per) * 4;
	return pread(fd, v, 4, at) == 4 ? le32(v) : OLE_END;
}

static bool ole_entry_is(const unsigned char *e, const char *name)
{
	size_t n = strlen(name);
	if (le16(e + 64) != (n + 1) * 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (le16(e + 2 * i) != (unsigned char)name[i])
			return false;
	return true;
}

/* Excel saves a workbook with a password as an OLE compound file (as an .xls
 * is) holding EncryptionInfo and EncryptedPackage: looks for them in its
 * directory, a chain of sectors. */
static bool ole_encrypted(int fd)
{
	unsigned char h[512];
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
		return false;
	unsigned shift = le16(h + 30);
	if (shift != 9 && shift != 12)
		return false;
	size_t size = (size_t)1 << shift;
	unsigned char *sector = crm_xmalloc(size);
	bool found = false;
	uint32_t sect = le32(h + 48);
	for (int i = 0; i < 4096 && sect < OLE_END && !found; i++) {
		if (pread(fd, sector, size, ((off_t)sect + 1) << shift) != (ssize_t)size)
			break;
		for (size_t e = 0; e + 128 <= size && !found; e += 128)
			found = ole_entry_is(sector + e, "EncryptionInfo") ||
				ole_entry_is(sector + e, "EncryptedPackage");
		sect = ole_next(fd, h, shift, sect);
	}
	free(sector);
	return found;
}

/* What the first bytes say: an OLE compound file is an .xls, or a workbook
 * with a password; libzip tells a zip. */
static int sniff(crm_xlsx *x, int fd)
{
	unsigned char magic[8];
	ssize_t n = pread(fd, magic, sizeof magic, 0);
	if (n < 0 && errno == ESPIPE)
		return fail(x, CRM_EDB, "an .xlsx workbook cannot be read from a pipe: give the file's name");
	if (n < 0)
		return fail(x, CRM_EDB, "read error: %s", strerror(errno));
	if (n == 0)
		return fail(x, CRM_EDATA, "not an .xlsx workbook (the file is empty)");
	x->pk = n >= 4 && memcmp(magic, "PK\3\4", 4) == 0;
	if (n == 8 && memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
		if (ole_encrypted(fd))
			return fail(x, CRM_EDATA, "a password-protected workbook: save it without a password first");
		return fail(x, CRM_EDATA, "an .xls workbook (Excel 97-2003): save it as .xlsx or CSV and try again");
	}
	return CRM_OK;
}

static int zip_start(crm_xlsx *x, int fd)
{
	int copy = dup(fd); /* libzip closes what it is given */
	if (copy < 0)
		return fail(x, CRM_EDB, "%s", strerror(errno));
	int code = 0;
	if ((x->zip = zip_fdopen(copy, 0, &code)))
		return CRM_OK;
	close(copy);
	if (code == ZIP_ER_NOZIP && x->pk) /* a zip's directory is at its end */
		return fail(x, CRM_EDATA, "a zip file cut short (its end is missing): was it copied in full?");
	if (code == ZIP_ER_NOZIP)
		return fail(x, CRM_EDATA, "not an .xlsx workbook");
	zip_error_t ze;
	zip_error_init_with_code(&ze, code);
	int rc = zip_fail(x, &ze, NULL);
	zip_error_fini(&ze);
	return rc;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcasecmp(s + n - m, end) == 0;
}

/* A zip without a workbook: say what it is when that can be told. */
static int not_a_workbook(crm_xlsx *x, const char *path)
{
	static const char ods[] = "application/vnd.oasis.opendocument.spreadsheet";
	char mime[sizeof ods];
	struct part p;
	zip_int64_t n = 0;
	if (ends_with(path, ".bin") || has_entry(x, "xl/workbook.bin"))
		return fail(x, CRM_EDATA, "an .xlsb workbook (Excel binary): save it as .xlsx or CSV");
	if (has_entry(x, "mimetype")) {
		if (part_open(x, "mimetype", &p) == CRM_OK)
			n = part_read(x, &p, mime, sizeof mime - 1);
		part_close(&p);
		if (n == (zip_int64_t)sizeof mime - 1 && memcmp(mime, ods, sizeof mime - 1) == 0)
			return fail(x, CRM_EDATA, "an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV");
	}
	return fail(x, CRM_EDATA, "a zip file, not an .xlsx workbook");
}

static size_t find_sheet(const crm_xlsx *x, const char *want)
{
	for (size_t i = 0; i < x->names.n; i++)
		if (strcmp(x->name_list[i], want) == 0)
			return i;
	for (size_t i = 0; i < x->names.n; i++) /* Excel's names ignore case */
		if (strcasecmp(x->name_list[i], want) == 0)
			return i;
	return SIZE_MAX;
}

static int no_sheet(crm_xlsx *x, const char *want)
{
	crm_buf list = {0};
	for (size_t i = 0; i < x->names.n; i++) {
		if (list.len > 1500) {
			crm_buf_adds(&list, ", ...");
			break;
		}
		crm_buf_printf(&list, "%s'%s'", i ? ", " : "", x->name_list[i]);
	}
	if (x->names.n)
		fail(x, CRM_EUSAGE, "no sheet '%s' in the workbook (its sheets: %s)", want, list.p);
	else
		fail(x, CRM_EUSAGE, "no sheet '%s' in the workbook (it has none)", want);
	crm_buf_free(&list);
	return CRM_EDATA;
}

/* The part of the sheet asked for, or of the first that holds cells (not a chart). */
static int choose_sheet(crm_xlsx *x, const char *want, const struct strtab *rids,
			const struct rels *rels, const char **path)
{
	size_t i = want ? find_sheet(x, want) : 0;
	long r = -1;
	if (want && i == SIZE_MAX)
		return no_sheet(x, want);
	for (; !want && i < rids->n; i++)
		if ((r = rels_find(rels, strtab_get(rids, i, NULL))) >= 0 &&
		    rels->kinds[r] == REL_WORKSHEET)
			break;
	if (i >= rids->n)
		return fail(x, CRM_EDATA, "no sheet of cells in the workbook");
	if ((r = rels_find(rels, strtab_get(rids, i, NULL))) < 0)
		return fail(x, CRM_EDATA, "sheet '%s' has no part: the workbook is damaged (%s)",
			    x->name_list[i], RESAVE);
	if (rels->kinds[r] != REL_WORKSHEET)
		return fail(x, CRM_EDATA, "sheet '%s' holds no cells (a chart, or a dialog): choose another sheet",
			    x->name_list[i]);
	*path = strtab_get(&rels->targets, (size_t)r, NULL);
	return CRM_OK;
}

/* Styles or shared strings: from the relationships, else where Excel puts them. */
static int read_optional(crm_xlsx *x, const struct rels *rels, enum rel_kind kind,
			 const char *dir, const char *name, int (*reader)(crm_xlsx *, struct part *))
{
	const char *target = rels_target(rels, kind);
	char *path = target ? crm_xstrdup(target) : resolve(dir, name);
	int rc = CRM_OK;
	if (has_entry(x, path)) {
		struct part p;
		rc = part_open(x, path, &p);
		if (rc == CRM_OK)
			rc = reader(x, &p);
		part_close(&p);
	}
	free(path);
	return rc;
}

/* The workbook's part: the root relationships say, or Excel's place. */
static char *workbook_path(crm_xlsx *x, int *rc)
{
	struct rels root = {0};
	*rc = read_rels(x, "_rels/.rels", "", &root);
	const char *target = rels_target(&root, REL_DOCUMENT);
	char *path = crm_xstrdup(target ? target : "xl/workbook.xml");
	rels_free(&root);
	return path;
}

static int read_workbook(crm_xlsx *x, const char *want)
{
	struct strtab rids = {0};
	struct rels rels = {0};
	char *dir = NULL, *rels_path = NULL;
	const char *sheet_path = NULL;
	int rc;
	char *wb = workbook_path(x, &rc);
	if (rc == CRM_OK && (ends_with(wb, ".bin") || !has_entry(x, wb)))
		rc = not_a_workbook(x, wb);
	if (rc == CRM_OK)
		rc = read_sheet_list(x, wb, &rids);
	if (rc == CRM_OK) {
		const char *slash = strrchr(wb, '/');
		size_t n = slash ? (size_t)(slash + 1 - wb) : 0;
		dir = crm_xmalloc(n + 1);
		memcpy(dir, wb, n);
		dir[n] = '\0';
		rels_path = crm_xmalloc(strlen(wb) + sizeof "_rels/.rels");
		snprintf(rels_path, strlen(wb) + sizeof "_rels/.rels", "%s_rels/%s.rels", dir, wb + n);
		rc = read_rels(x, rels_path, dir, &rels);
	}
	if (rc == CRM_OK)
		rc = choose_sheet(x, want, &rids, &rels, &sheet_path);
	if (rc == CRM_OK)
		rc = read_optional(x, &rels, REL_STYLES, dir, "styles.xml", read_styles);
	if (rc == CRM_OK)
		rc = read_optional(x, &rels, REL_STRINGS, dir, "sharedStrings.xml", read_strings);
	if (rc == CRM_OK && (rc = part_open(x, sheet_path, &x->part)) == CRM_OK)
		sheet_begin(x);
	strtab_free(&rids);
	rels_free(&rels);
	free(dir);
	free(rels_path);
	free(wb);
	return rc;
}

static crm_xlsx *xlsx_new(const char *source)
{
	crm_xlsx *x = crm_xmalloc(sizeof *x);
	memset(x, 0, sizeof *x);
	x->source = crm_xstrdup(source ? source : "");
	x->chunk = crm_xmalloc(CHUNK);
	return x;
}

static int opened(crm_xlsx *x, int rc, crm_xlsx **out, crm_error *err)
{
	if (rc == CRM_OK) {
		crm_error_clear(err);
		*out = x;
		return CRM_OK;
	}
	if (err) {
		*err = x->why;
		crm_error_at(err, x->source, 0, 0);
	}
	crm_xlsx_close(x);
	*out = NULL;
	return rc;
}

int crm_xlsx_open(crm_xlsx **out, int fd, const char *source, const char *sheet, crm_error *err)
{
	crm_xlsx *x = xlsx_new(source);
	int rc = sniff(x, fd);
	if (rc == CRM_OK)
		rc = zip_start(x, fd);
	if (rc == CRM_OK)
		rc = read_workbook(x, sheet);
	return opened(x, rc, out, err);
}

int crm_xlsx_open_xml(crm_xlsx **out, const struct crm_xlsx_parts *parts, const char *source,
		      crm_error *err)
{
	crm_xlsx *x = xlsx_new(source);
	struct part p;
	int rc = CRM_OK;
	x->date1904 = parts->date1904;
	if (parts->styles) {
		part_memory(&p, "xl/styles.xml", parts->styles, parts->styles_len);
		rc = read_styles(x, &p);
		part_close(&p);
	}
	if (rc == CRM_OK && parts->strings) {
		part_memory(&p, "xl/sharedStrings.xml", parts->strings, parts->strings_len);
		rc = read_strings(x, &p);
		part_close(&p);
	}
	if (rc == CRM_OK) {
		part_memory(&x->part, "xl/worksheets/sheet1.xml", parts->sheet, parts->sheet_len);
		sheet_begin(x);
	}
	return opened(x, rc, out, err);
}

bool crm_xlsx_date1904(const crm_xlsx *x)
{
	return x && x->date1904;
}

size_t crm_xlsx_sheets(const crm_xlsx *x, const char *const **names)
{
	*names = x->name_list;
	return x->names.n;
}

void crm_xlsx_close(crm_xlsx *x)
{
	if (!x)
		return;
	xml_free(&x->sheet.xml);
	part_close(&x->part);
	if (x->zip)
		zip_discard(x->zip);
	strtab_free(&x->names);
	strtab_free(&x->strings);
	crm_buf_free(&x->sheet.cell);
	crm_buf_free(&x->sheet.text);
	free(x->name_list);
	free(x->xf_date);
	free(x->chunk);
	free(x->source);
	free(x);
}
