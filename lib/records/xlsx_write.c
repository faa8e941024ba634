/* xlsx_write.c: -o xlsx, a workbook of one sheet written with libxlsxwriter.
 *
 * libxlsxwriter writes to a file name, so the workbook is made in a temporary
 * file (in $TMPDIR, else /tmp, as SQLite's own temporary files) that finish
 * copies to the output: nothing reaches the output before that, and a
 * workbook that fails (too many rows, too long a cell) leaves it empty. In
 * constant_memory mode each row goes to libxlsxwriter's own temporary file
 * once the next one starts, strings are written inline (no shared-string
 * table), and memory stays flat however many rows there are.
 *
 * Cells: text and lists are string cells (ids and phones stay text: Excel
 * never shows 1.38E+10), integers and reals are numbers (a real written with
 * exactly two decimals, money, in the format 0.00), text in crm's own date
 * forms (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS) that is a real date is a date cell,
 * a null is no cell. The header row is bold, frozen and has an autofilter. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "records/records.h"

#define XLSX_ROWS 1048576   /* an Excel sheet's rows, the header's included */
#define XLSX_COLS 16384     /* and columns */
#define XLSX_CELL 32767     /* characters (UTF-16 units) in a cell */
#define WIDTH_MAX 50
#define WIDTH_MIN 6

struct crm_xlsx_out {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *datetime, *money;
	size_t ncols;
	char **names;
	lxw_row_t row;     /* the next row to write; 0 is the header */
	double *widths;    /* each column's width so far, in characters */
	int fd;            /* the temporary file, -1 once closed */
	char path[4096];   /* its name while it has one */
	char fdname[32];   /* /dev/fd/N, its name once unlinked */
	char *tmpdir;      /* its folder, for libxlsxwriter's own temporary files */
	bool linked;       /* path still names it: unlink it when done */
	bool done;         /* finished: the workbook is closed */
	int failed;        /* a row was refused (its code): no workbook is written */
	crm_buf text;      /* a text cell as written */
};

/* ---- text ---- */

/* True when s starts with _xHHHH_, an escape to Excel. */
static bool escape_like(const char *s, size_t len)
{
	if (len < 7 || s[1] != 'x' || s[6] != '_')
		return false;
	for (size_t i = 2; i < 6; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* Text as the sheet's XML can hold it, NUL-terminated in x->text. Control
 * characters need nothing here: libxlsxwriter 1.1.4 writes those other than
 * tab and line feed as _xHHHH_, which Excel and LibreOffice read back as the
 * character. But it writes a literal "_x0041_" as it is, which they would
 * read as "A": its underscore is written _x005F_. U+FFFE and U+FFFF (and
 * bytes that are not UTF-8, which crm never stores) are no XML characters,
 * and a file holding one does not open: they become U+FFFD. So do NULs,
 * which would end the text early. */
static const char *sheet_text(crm_xlsx_out *x, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	crm_buf_reset(&x->text);
	crm_buf_reserve(&x->text, len);
	size_t i = 0;
	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x80 && u[i] != '_') {
			crm_buf_addc(&x->text, (char)u[i++]);
			continue;
		}
		uint32_t cp = 0;
		size_t n = crm_utf8_decode(u + i, len - i, &cp);
		if (n == 0 || cp == 0 || cp == 0xFFFE || cp == 0xFFFF) {
			crm_buf_adds(&x->text, "\xEF\xBF\xBD");
			i += n ? n : 1;
			continue;
		}
		if (cp == '_' && escape_like(s + i, len - i))
			crm_buf_adds(&x->text, "_x005F");
		crm_buf_add(&x->text, s + i, n);
		i += n;
	}
	if (!x->text.p)
		crm_buf_add(&x->text, "", 0);
	return x->text.p;
}

/* Characters as Excel counts them: UTF-16 units. */
static size_t excel_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		n += (c & 0xC0) != 0x80; /* a character starts here */
		n += c >= 0xF0;          /* one past U+FFFF: a surrogate pair */
	}
	return n;
}

/* The widest line of s, in columns (CJK characters two). */
static size_t text_width(const char *s, size_t len)
{
	size_t widest = 0;
	while (len) {
		const char *nl = memchr(s, '\n', len);
		size_t line = nl ? (size_t)(nl - s) : len;
		size_t w = crm_display_width(s, line);
		widest = w > widest ? w : widest;
		s += line;
		len -= line;
		if (nl) {
			s++;
			len--;
		}
	}
	return widest;
}

static void widen(crm_xlsx_out *x, size_t col, double width)
{
	if (width > x->widths[col])
		x->widths[col] = width;
}

/* ---- cells ---- */

/* 1 for a date YYYY-MM-DD, 2 for a timestamp YYYY-MM-DDTHH:MM:SS, 0 for
 * anything else, an impossible date included. Before 1900 Excel has no
 * dates: those stay text. */
static int date_form(const char *s, size_t len, lxw_datetime *dt)
{
	static const char date[] = "dddd-dd-dd", stamp[] = "dddd-dd-ddTdd:dd:dd";
	const char *form = len == 10 ? date : len == 19 ? stamp : NULL;
	if (!form)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
			return 0;
	int v[6] = {0};
	static const size_t at[6] = {0, 5, 8, 11, 14, 17}, digits[6] = {4, 2, 2, 2, 2, 2};
	for (size_t k = 0; k < (len == 10 ? 3u : 6u); k++)
		for (size_t i = 0; i < digits[k]; i++)
			v[k] = v[k] * 10 + (s[at[k] + i] - '0');
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
	if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
	    (v[1] == 2 && v[2] == 29 && !leap) || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return 0;
	*dt = (lxw_datetime){v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3], (uint8_t)v[4], v[5]};
	return len == 10 ? 1 : 2;
}

/* A number as Excel keeps it (15 significant digits), or false. */
static bool number(const char *s, size_t len, double *d)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	size_t digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] >= '0' && buf[i] <= '9')
			digits += digits || buf[i] != '0'; /* leading zeros do not count */
		else if (!strchr("+-.eE", buf[i]))
			return false;
	}
	char *end;
	*d = strtod(buf, &end);
	return *end == '\0' && isfinite(*d) && digits <= 15;
}

/* Exactly two decimals: money, as crm writes it ("1299.00"). */
static bool two_decimals(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	return dot && (size_t)(dot - s) + 3 == len && !memchr(s, 'e', len) && !memchr(s, 'E', len);
}

static int lxw_fail(crm_xlsx_out *x, crm_error *err, lxw_error rc)
{
	x->failed = CRM_EDB;
	return crm_error_set(err, CRM_EDB, "xlsx: %s", lxw_strerror(rc));
}

static int put_text(crm_xlsx_out *x, size_t col, const char *s, size_t len, lxw_format *f,
		    crm_error *err)
{
	/* libxlsxwriter counts characters too, but after the escapes above */
	lxw_error rc = LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED;
	if (excel_chars(s, len) <= XLSX_CELL)
		rc = worksheet_write_string(x->ws, x->row, (lxw_col_t)col, sheet_text(x, s, len), f);
	if (rc == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
		x->failed = CRM_EDATA;
		return crm_error_set(err, CRM_EDATA, "field '%s' in row %ld has more characters than an"
				     " Excel cell holds (32,767): write csv instead, or leave the"
				     " field out (-f)", x->names[col], (long)x->row + 1);
	}
	return rc == LXW_NO_ERROR ? CRM_OK : lxw_fail(x, err, rc);
}

static int put_cell(crm_xlsx_out *x, size_t col, const crm_value *v, crm_error *err)
{
	if (v->type == CRM_NULL || !v->s || !v->len)
		return CRM_OK;
	lxw_error rc = LXW_NO_ERROR;
	double d;
	lxw_datetime dt;
	int form;
	if ((v->type == CRM_INT || v->type == CRM_REAL) && number(v->s, v->len, &d)) {
		bool money = v->type == CRM_REAL && two_decimals(v->s, v->len);
		rc = worksheet_write_number(x->ws, x->row, (lxw_col_t)col, d, money ? x->money : NULL);
		widen(x, col, (double)v->len + 1);
	} else if (v->type == CRM_BOOL) {
		rc = worksheet_write_boolean(x->ws, x->row, (lxw_col_t)col, v->s[0] == 't', NULL);
		widen(x, col, 6);
	} else if (v->type == CRM_TEXT && (form = date_form(v->s, v->len, &dt))) {
		rc = worksheet_write_datetime(x->ws, x->row, (lxw_col_t)col, &dt,
					      form == 1 ? x->date : x->datetime);
		widen(x, col, form == 1 ? 11 : 20);
	} else {
		if (x->widths[col] < WIDTH_MAX) /* wide enough already: no need to measure */
			widen(x, col, (double)text_width(v->s, v->len) + 1);
		return put_text(x, col, v->s, v->len, NULL, err);
	}
	return rc == LXW_NO_ERROR ? CRM_OK : lxw_fail(x, err, rc);
}

/* ---- the workbook ---- */

/* The temporary file, already unlinked where /dev/fd lets libxlsxwriter
 * open it by descriptor: then nothing is left behind even by a kill. */
static int temp_open(crm_xlsx_out *x, const char **name, crm_error *err)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(x->path, sizeof x->path, "%s/crm-export-XXXXXX", dir) >= sizeof x->path)
		return crm_error_set(err, CRM_EDB, "TMPDIR: '%s' is too long a name", dir);
	x->fd = mkstemp(x->path);
	if (x->fd < 0)
		return crm_error_set(err, CRM_EDB, "cannot make a temporary file in '%s': %s:"
				     " set TMPDIR to a folder that can hold the workbook",
				     dir, strerror(errno));
	x->linked = true;
	struct stat a, b;
	snprintf(x->fdname, sizeof x->fdname, "/dev/fd/%d", x->fd);
	if (stat(x->fdname, &a) == 0 && fstat(x->fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino && unlink(x->path) == 0)
		x->linked = false;
	*name = x->linked ? x->path : x->fdname;
	return CRM_OK;
}

static lxw_format *number_format(lxw_workbook *wb, const char *num_format)
{
	lxw_format *f = workbook_add_format(wb);
	if (f)
		format_set_num_format(f, num_format);
	return f;
}

crm_xlsx_out *crm_xlsx_out_new(size_t ncols, const char *const *names, crm_error *err)
{
	if (ncols > XLSX_COLS) {
		crm_error_set(err, CRM_EDATA, "more fields than an Excel sheet has columns (16,384):"
			      " write csv instead, or choose fewer fields (-f)");
		return NULL;
	}
	crm_xlsx_out *x = calloc(1, sizeof *x);
	if (!x) {
		crm_error_set(err, CRM_EDB, "out of memory");
		return NULL;
	}
	x->fd = -1;
	x->ncols = ncols;
	x->names = crm_xmalloc((ncols ? ncols : 1) * sizeof *x->names);
	x->widths = crm_xmalloc((ncols ? ncols : 1) * sizeof *x->widths);
	for (size_t i = 0; i < ncols; i++)
		x->names[i] = crm_xstrdup(names[i]);
	const char *name = NULL;
	if (temp_open(x, &name, err) != CRM_OK) {
		crm_xlsx_out_free(x);
		return NULL;
	}
	x->tmpdir = crm_xstrdup(x->path);
	*strrchr(x->tmpdir, '/') = '\0';
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = x->tmpdir};
	x->wb = workbook_new_opt(name, &opt);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, NULL) : NULL;
	if (x->ws) {
		x->bold = workbook_add_format(x->wb);
		if (x->bold)
			format_set_bold(x->bold);
		x->date = number_format(x->wb, "yyyy-mm-dd");
		x->datetime = number_format(x->wb, "yyyy-mm-dd hh:mm:ss");
		x->money = number_format(x->wb, "0.00");
	}
	if (!x->ws || !x->bold || !x->date || !x->datetime || !x->money) {
		crm_error_set(err, CRM_EDB, "xlsx: cannot start a workbook: no room for temporary"
			      " files in '%s'? (set TMPDIR)", x->tmpdir);
		crm_xlsx_out_free(x);
		return NULL;
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	for (size_t i = 0; i < ncols; i++) {
		size_t len = strlen(names[i]);
		x->widths[i] = (double)text_width(names[i], len) + 3; /* bold, and the filter's button */
		if (put_text(x, i, names[i], len, x->bold, err) != CRM_OK) {
			crm_xlsx_out_free(x);
			return NULL;
		}
	}
	x->row = 1;
	return x;
}

int crm_xlsx_out_row(crm_xlsx_out *x, const crm_value *values, crm_error *err)
{
	if (x->failed) /* said once: the workbook will not be written */
		return CRM_OK;
	if (x->row >= XLSX_ROWS) {
		x->failed = CRM_EDATA;
		return crm_error_set(err, CRM_EDATA, "more rows than an Excel sheet holds (1,048,576):"
				     " write csv instead, or choose fewer customers");
	}
	for (size_t i = 0; i < x->ncols; i++) {
		int rc = put_cell(x, i, &values[i], err);
		if (rc != CRM_OK)
			return rc;
	}
	x->row++;
	return CRM_OK;
}

static int copy_out(crm_xlsx_out *x, FILE *out, crm_error *err)
{
	char buf[65536];
	if (lseek(x->fd, 0, SEEK_SET) < 0)
		return crm_error_set(err, CRM_EDB, "xlsx: temporary file: %s", strerror(errno));
	for (;;) {
		ssize_t n = read(x->fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return crm_error_set(err, CRM_EDB, "xlsx: temporary file: %s", strerror(errno));
		if (n == 0)
			break;
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			break;
	}
	if (fflush(out) != 0 || ferror(out))
		return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
	return CRM_OK;
}

int crm_xlsx_out_finish(crm_xlsx_out *x, FILE *out, crm_error *err)
{
	if (x->failed)
		return crm_error_set(err, x->failed, "no workbook written");
	if (x->done)
		return CRM_OK;
	x->done = true;
	/* The <cols> element is written when the sheet is assembled, at
	 * workbook_close, even in constant_memory mode: the widths can be set
	 * now, from every row (libxlsxwriter 1.1.4, tried). An autofilter's last
	 * row must not be before the row being written, which it is not. */
	for (size_t i = 0; i < x->ncols; i++) {
		double w = x->widths[i] > WIDTH_MAX ? WIDTH_MAX : x->widths[i];
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, w < WIDTH_MIN ? WIDTH_MIN : w,
				     NULL);
	}
	if (x->ncols)
		worksheet_autofilter(x->ws, 0, 0, x->row - 1, (lxw_col_t)(x->ncols - 1));
	lxw_error rc = workbook_close(x->wb); /* frees it */
	x->wb = NULL;
	if (rc != LXW_NO_ERROR)
		return crm_error_set(err, CRM_EDB, "xlsx: %s (temporary files go to TMPDIR, else /tmp)",
				     lxw_strerror(rc));
	if (x->linked && unlink(x->path) == 0)
		x->linked = false;
	return copy_out(x, out, err);
}

void crm_xlsx_out_free(crm_xlsx_out *x)
{
	if (!x)
		return;
	if (x->wb && x->ws && x->ws->optimize_tmpfile) {
		/* not finished: nothing to assemble. lxw_workbook_free (1.1.4)
		 * leaves the sheet's temporary file open: closed here. */
		fclose(x->ws->optimize_tmpfile);
		x->ws->optimize_tmpfile = x->ws->file = NULL;
	}
	lxw_workbook_free(x->wb);
	if (x->fd >= 0)
		close(x->fd);
	if (x->linked)
		unlink(x->path);
	for (size_t i = 0; i < x->ncols; i++)
		free(x->names[i]);
	free(x->names);
	free(x->widths);
	free(x->tmpdir);
	crm_buf_free(&x->text);
	free(x);
}
