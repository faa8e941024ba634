/* writer.c: streaming record writers. libcsv quotes CSV fields, jansson writes
 * JSON; a table is laid out from its first rows, then streamed. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "records/records.h"

/* A table's column widths come from its first TABLE_SAMPLE rows; later rows
 * are cut to fit, so memory stays bounded however long the table. */
#define TABLE_SAMPLE 1000
#define TABLE_MAX_WIDTH 40

struct crm_writer {
	FILE *out;
	enum crm_format fmt;
	unsigned flags;
	size_t ncols;
	char **names;
	long rows;
	size_t ids_col;
	crm_value *mapped;  /* put_record's values in column order */
	/* table */
	crm_buf cells;      /* buffered rows: each cell's text, NUL-terminated */
	crm_type *types;    /* type of each buffered cell */
	size_t ncells;
	size_t *widths;
	bool *numeric;
	bool laid_out;
	bool reject;        /* columns come from the first rejected record */
	char delim;         /* csv's separator: ',', or a reject file's input's */
	bool bom, crlf;     /* a reject file's, as its input had them */
	bool *masked;       /* columns masked (crm_writer_mask), or NULL */
	crm_buf *mask_text; /* the masked text of each column of the row */
	crm_value *shown;   /* the row as written, masks applied */
	/* wechat */
	long tagid, skipped;
	json_t *openids;
	crm_xlsx_out *xlsx; /* made at the first row, or at finish (xlsx_write.c) */
	/* crm_writer_encoding: every value is tried in it before its record is written */
	iconv_t cd;
	char *encoding;
};

static size_t pick_ids_column(crm_writer *w)
{
	for (size_t i = 0; i < w->ncols; i++)
		if (strcmp(w->names[i], "id") == 0)
			return i;
	for (size_t i = 0; i < w->ncols; i++)
		if (strcmp(w->names[i], "customer_id") == 0)
			return i;
	return 0;
}

crm_writer *crm_writer_new(FILE *out, enum crm_format fmt, size_t ncols,
			   const char *const *names, unsigned flags)
{
	crm_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->out = out;
	w->fmt = fmt == CRM_FMT_AUTO ? CRM_FMT_CSV : fmt;
	w->flags = flags;
	w->ncols = ncols;
	w->names = crm_xmalloc((ncols ? ncols : 1) * sizeof *w->names);
	for (size_t i = 0; i < ncols; i++)
		w->names[i] = crm_xstrdup(names[i]);
	w->mapped = crm_xmalloc((ncols ? ncols : 1) * sizeof *w->mapped);
	w->ids_col = pick_ids_column(w);
	w->delim = w->fmt == CRM_FMT_TSV ? '\t' : ',';
	w->cd = (iconv_t)-1;
	return w;
}

void crm_writer_free(crm_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ncols; i++)
		free(w->names[i]);
	free(w->names);
	free(w->mapped);
	for (size_t i = 0; w->mask_text && i < w->ncols; i++)
		crm_buf_free(&w->mask_text[i]);
	free(w->mask_text);
	free(w->masked);
	free(w->shown);
	json_decref(w->openids);
	crm_xlsx_out_free(w->xlsx);
	if (w->cd != (iconv_t)-1)
		iconv_close(w->cd);
	free(w->encoding);
	crm_buf_free(&w->cells);
	free(w->types);
	free(w->widths);
	free(w->numeric);
	free(w);
}

static int write_error(crm_error *err)
{
	if (errno == EILSEQ) /* from a stream converting to another encoding */
		return crm_error_set(err, CRM_EDATA, "a character has no form in the encoding given"
				     " (--encoding): written up to it");
	return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
}

static int check_output(crm_writer *w, crm_error *err)
{
	return ferror(w->out) ? write_error(err) : CRM_OK;
}

static int flush_output(crm_writer *w, crm_error *err)
{
	if (fflush(w->out) != 0 || ferror(w->out))
		return write_error(err);
	return CRM_OK;
}

/* ---- csv and tsv ---- */

static bool csv_needs_quotes(const char *s, size_t len, char delim)
{
	if (len && (s[0] == ' ' || s[len - 1] == ' '))
		return true;
	for (size_t i = 0; i < len; i++)
		if (s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

static void csv_cell_in(FILE *out, const char *s, size_t len, bool excel, char delim)
{
	if (excel && len && strchr("=+-@\t\r", s[0])) {
		crm_buf cell = {0}; /* a formula to a spreadsheet: text instead */
		crm_buf_addc(&cell, '\'');
		crm_buf_add(&cell, s, len);
		csv_cell_in(out, cell.p, cell.len, false, delim);
		crm_buf_free(&cell);
	} else if (csv_needs_quotes(s, len, delim))
		csv_fwrite(out, s, len);
	else
		fwrite(s, 1, len, out);
}

static void csv_cell(FILE *out, const char *s, size_t len, bool excel)
{
	csv_cell_in(out, s, len, excel, ',');
}

static void tsv_cell(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\t': fputs("\\t", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\\': fputs("\\\\", out); break;
		default: putc(s[i], out);
		}
	}
}

static void line_end(crm_writer *w)
{
	if ((w->flags & CRM_WRITE_EXCEL) || w->crlf)
		putc('\r', w->out);
	putc('\n', w->out);
}

static void delimited_line(crm_writer *w, const char *const *texts, const size_t *lens)
{
	for (size_t i = 0; i < w->ncols; i++) {
		if (i)
			putc(w->delim, w->out);
		if (w->fmt == CRM_FMT_CSV)
			csv_cell_in(w->out, texts[i], lens[i], w->flags & CRM_WRITE_EXCEL, w->delim);
		else
			tsv_cell(w->out, texts[i], lens[i]);
	}
	line_end(w);
}

static void delimited_header(crm_writer *w)
{
	if (((w->flags & CRM_WRITE_EXCEL) && !(w->flags & CRM_WRITE_NO_BOM)) || w->bom)
		fputs("\xEF\xBB\xBF", w->out); /* Excel reads UTF-8 only with it */
	size_t *lens = crm_xmalloc((w->ncols + 1) * sizeof *lens);
	for (size_t i = 0; i < w->ncols; i++)
		lens[i] = strlen(w->names[i]);
	delimited_line(w, (const char *const *)w->names, lens);
	free(lens);
}

static void delimited_row(crm_writer *w, const crm_value *values)
{
	for (size_t i = 0; i < w->ncols; i++) {
		if (i)
			putc(w->delim, w->out);
		const char *s = values[i].s ? values[i].s : "";
		if (w->fmt == CRM_FMT_CSV)
			csv_cell(w->out, s, values[i].len, w->flags & CRM_WRITE_EXCEL);
		else
			tsv_cell(w->out, s, values[i].len);
	}
	line_end(w);
}

/* ---- json and ndjson ---- */

/* True for a number as JSON writes one (RFC 8259): -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?. */
static bool json_number(const char *s, size_t len)
{
	size_t i = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < len && s[i] == '.') {
		size_t digits = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == digits)
			return false;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t digits = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == digits)
			return false;
	}
	return i == len;
}

/* Writes j (taken) as compact JSON, a nested number with the 15 digits a
 * double holds for sure (19.99, not 19.989999999999998); null when it could
 * not be made (text that is not UTF-8). */
static void json_out(FILE *out, json_t *j)
{
	if (!j || json_dumpf(j, out, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) != 0)
		fputs("null", out);
	json_decref(j);
}

static void list_out(FILE *out, const char *s, size_t len)
{
	json_t *a = json_array();
	const char *end = s + len;
	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *stop = semi ? semi : end;
		json_array_append_new(a, json_stringn(s, (size_t)(stop - s)));
		s = semi ? semi + 1 : end;
	}
	json_out(out, a);
}

/* A number is written as its text, the digits every other format shows
 * (20, 19.99, 20.00): not as a double, which would make 20.0 of 20. */
static void value_out(FILE *out, const crm_value *v)
{
	switch (v->type) {
	case CRM_NULL:
		fputs("null", out);
		return;
	case CRM_INT:
	case CRM_REAL:
		if (!v->s || !json_number(v->s, v->len))
			break;
		fwrite(v->s, 1, v->len, out);
		return;
	case CRM_LIST:
		list_out(out, v->s ? v->s : "", v->len);
		return;
	case CRM_BOOL:
		fputs(v->len == 4 && !memcmp(v->s, "true", 4) ? "true" : "false", out);
		return;
	case CRM_JSON: {
		json_t *j = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);
		if (j) {
			json_out(out, j);
			return;
		}
		break;
	}
	case CRM_TEXT:
		break;
	}
	json_out(out, v->s ? json_stringn(v->s, v->len) : NULL);
}

static void member_out(FILE *out, bool first, const char *name, const crm_value *v)
{
	if (!first)
		putc(',', out);
	json_out(out, json_string(name));
	putc(':', out);
	value_out(out, v);
}

/* Starts the next element of a JSON array, or an NDJSON line. */
static void json_begin(crm_writer *w)
{
	if (w->fmt == CRM_FMT_JSON)
		fputs(w->rows ? ",\n" : "[\n", w->out);
}

static void json_end(crm_writer *w)
{
	if (w->fmt == CRM_FMT_NDJSON)
		putc('\n', w->out);
}

static bool keyed(const crm_writer *w)
{
	return (w->flags & CRM_WRITE_KEYED) && w->fmt == CRM_FMT_JSON && w->ncols;
}

static void json_row(crm_writer *w, const crm_value *values)
{
	size_t first = 0;
	if (keyed(w)) {
		fputs(w->rows ? ",\n" : "{\n", w->out);
		const crm_value *key = &values[first++];
		json_out(w->out, json_stringn(key->s ? key->s : "", key->len));
		putc(':', w->out);
	} else if (!(w->flags & CRM_WRITE_OBJECT)) {
		json_begin(w);
	}
	putc('{', w->out);
	for (size_t i = first; i < w->ncols; i++)
		member_out(w->out, i == first, w->names[i], &values[i]);
	putc('}', w->out);
	json_end(w);
}

/* ---- table ---- */

/* Control characters show as a space each, so they take a column. */
static size_t control_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += (unsigned char)*s < 0x20 || *s == 0x7F;
	return n;
}

/* Writes s cut to width columns, control characters shown as spaces;
 * returns the columns used. */
static size_t table_text(FILE *out, const char *str, size_t width, bool write)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), used = 0, i = 0;
	size_t total = crm_display_width(str, len) + control_chars(str);
	bool cut = total > width;
	size_t room = cut ? width - 1 : width;
	while (i < len) {
		uint32_t cp;
		size_t n = crm_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			cp = 0xFFFD;
			n = 1;
		}
		int cw = cp < 0x20 || cp == 0x7F ? 1 : crm_codepoint_width(cp);
		if (used + (size_t)cw > room)
			break;
		if (write) {
			if (cp < 0x20 || cp == 0x7F)
				putc(' ', out);
			else
				fwrite(s + i, 1, n, out);
		}
		used += (size_t)cw;
		i += n;
	}
	if (cut) {
		if (write)
			fputs("…", out);
		used++;
	}
	return used;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		putc(' ', out);
}

static void table_line(crm_writer *w, const char *const *texts, const crm_type *types)
{
	size_t end = w->ncols; /* no trailing blanks: stop after the last non-empty cell */
	while (end > 1 && !texts[end - 1][0])
		end--;
	for (size_t i = 0; i < end; i++) {
		bool last = i + 1 == end;
		size_t width = table_text(w->out, texts[i], w->widths[i], false);
		bool right = types && (types[i] == CRM_INT || types[i] == CRM_REAL);
		if (right)
			pad(w->out, w->widths[i] - width);
		table_text(w->out, texts[i], w->widths[i], true);
		if (!right && !last)
			pad(w->out, w->widths[i] - width);
		if (!last)
			fputs("  ", w->out);
	}
	putc('\n', w->out);
}

static void table_buffer(crm_writer *w, const crm_value *values)
{
	w->types = crm_xrealloc(w->types, (w->ncells + w->ncols) * sizeof *w->types);
	for (size_t i = 0; i < w->ncols; i++) {
		const char *s = values[i].s ? values[i].s : "";
		crm_buf_add(&w->cells, s, values[i].len);
		crm_buf_addc(&w->cells, '\0');
		w->types[w->ncells++] = values[i].type;
	}
}

#define CHART_BAR 40

/* A chart line: the labels (all columns but count and share), a bar as long
 * as the count is to the largest, the count, the share. */
static void chart_line(crm_writer *w, const char *const *texts, size_t label_width, double max)
{
	size_t nlabels = w->ncols >= 2 ? w->ncols - 2 : 0, used = 0;
	for (size_t i = 0; i < nlabels; i++) {
		const char *t = texts[i][0] ? texts[i] : "(none)";
		if (i)
			used += (size_t)fprintf(w->out, " / ");
		used += table_text(w->out, t, TABLE_MAX_WIDTH, true);
	}
	pad(w->out, label_width - used + 2);
	double count = w->ncols >= 2 ? strtod(texts[w->ncols - 2], NULL) : 0;
	int cells = max > 0 ? (int)(count / max * CHART_BAR + 0.5) : 0;
	if (cells == 0 && count > 0)
		cells = 1;
	for (int i = 0; i < cells; i++)
		fputs("█", w->out);
	pad(w->out, (size_t)(CHART_BAR - cells) + 2);
	if (w->ncols >= 2)
		fprintf(w->out, "%8s  %5s%%", texts[w->ncols - 2], texts[w->ncols - 1]);
	putc('\n', w->out);
}

static size_t chart_label_width(crm_writer *w, const char *const *texts)
{
	size_t width = 0, nlabels = w->ncols >= 2 ? w->ncols - 2 : 0;
	for (size_t i = 0; i < nlabels; i++)
		width += (i ? 3 : 0) + table_text(w->out, texts[i][0] ? texts[i] : "(none)", TABLE_MAX_WIDTH, false);
	return width;
}

static void chart_layout(crm_writer *w)
{
	const char **row = crm_xmalloc((w->ncols + 1) * sizeof *row);
	size_t label = 0;
	double max = 0;
	const char *p = w->cells.p;
	for (size_t c = 0; c < w->ncells; c += w->ncols) {
		for (size_t i = 0; i < w->ncols; i++) {
			row[i] = p;
			p += strlen(p) + 1;
		}
		size_t width = chart_label_width(w, row);
		label = width > label ? width : label;
		double count = w->ncols >= 2 ? strtod(row[w->ncols - 2], NULL) : 0;
		max = count > max ? count : max;
	}
	p = w->cells.p;
	for (size_t c = 0; c < w->ncells; c += w->ncols) {
		for (size_t i = 0; i < w->ncols; i++) {
			row[i] = p;
			p += strlen(p) + 1;
		}
		chart_line(w, row, label, max);
	}
	free(row);
	crm_buf_free(&w->cells);
	w->ncells = 0;
	w->laid_out = true;
}

static void table_layout(crm_writer *w)
{
	w->widths = crm_xmalloc((w->ncols + 1) * sizeof *w->widths);
	for (size_t i = 0; i < w->ncols; i++)
		w->widths[i] = table_text(w->out, w->names[i], SIZE_MAX - 1, false);
	const char *p = w->cells.p;
	for (size_t c = 0; c < w->ncells; c++) {
		size_t len = strlen(p), width = table_text(w->out, p, SIZE_MAX - 1, false);
		size_t col = c % w->ncols;
		if (width > w->widths[col])
			w->widths[col] = width;
		p += len + 1;
	}
	for (size_t i = 0; i < w->ncols; i++)
		if (w->widths[i] > TABLE_MAX_WIDTH)
			w->widths[i] = TABLE_MAX_WIDTH;
	if (!(w->flags & CRM_WRITE_NO_HEADER))
		table_line(w, (const char *const *)w->names, NULL);
	const char **row = crm_xmalloc((w->ncols + 1) * sizeof *row);
	p = w->cells.p;
	for (size_t c = 0; c < w->ncells; c += w->ncols) {
		for (size_t i = 0; i < w->ncols; i++) {
			row[i] = p;
			p += strlen(p) + 1;
		}
		table_line(w, row, w->types + c);
	}
	free(row);
	crm_buf_free(&w->cells);
	w->ncells = 0;
	w->laid_out = true;
}

static void table_row(crm_writer *w, const crm_value *values)
{
	if (!w->laid_out) {
		table_buffer(w, values);
		if (w->rows + 1 >= TABLE_SAMPLE)
			table_layout(w);
		return;
	}
	const char **texts = crm_xmalloc((w->ncols + 1) * sizeof *texts);
	crm_type *types = crm_xmalloc((w->ncols + 1) * sizeof *types);
	for (size_t i = 0; i < w->ncols; i++) {
		texts[i] = values[i].s ? values[i].s : "";
		types[i] = values[i].type;
	}
	table_line(w, texts, types);
	free(texts);
	free(types);
}

/* ---- the writer ---- */

/* ---- vCard 4.0 (RFC 6350) ---- */

/* The value of the column of this name, or NULL. */
static const crm_value *column(const crm_writer *w, const crm_value *values, const char *name)
{
	for (size_t i = 0; i < w->ncols; i++)
		if (!strcmp(w->names[i], name))
			return values[i].s && values[i].len ? &values[i] : NULL;
	return NULL;
}

/* Text with , ; \ and line breaks escaped, as a property value holds it. */
static void vcard_text(crm_buf *line, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			crm_buf_add(line, "\\n", 2);
		} else if (s[i] != '\r') {
			if (strchr(",;\\", s[i]))
				crm_buf_addc(line, '\\');
			crm_buf_addc(line, s[i]);
		}
	}
}

/* A content line, folded after 75 octets, never inside a character. */
static void vcard_line(crm_writer *w, const crm_buf *line)
{
	size_t taken = 0, width = 0;
	while (taken < line->len) {
		size_t n = 1;
		while (taken + n < line->len && ((unsigned char)line->p[taken + n] & 0xC0) == 0x80)
			n++;
		if (width + n > 75) {
			fputs("\r\n ", w->out);
			width = 1;
		}
		fwrite(line->p + taken, 1, n, w->out);
		taken += n;
		width += n;
	}
	fputs("\r\n", w->out);
}

static void vcard_property(crm_writer *w, const char *name, const crm_value *v, bool escape)
{
	if (!v)
		return;
	crm_buf line = {0};
	crm_buf_add(&line, name, strlen(name));
	if (escape)
		vcard_text(&line, v->s, v->len);
	else
		crm_buf_add(&line, v->s, v->len);
	vcard_line(w, &line);
	crm_buf_free(&line);
}

static void vcard_row(crm_writer *w, const crm_value *values)
{
	const crm_value *id = column(w, values, "id"), *name = column(w, values, "name");
	const crm_value *gender = column(w, values, "gender"), *bday = column(w, values, "birthday");
	const crm_value *city = column(w, values, "city"), *province = column(w, values, "province");
	const crm_value *tags = column(w, values, "tags");
	fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", w->out);
	vcard_property(w, "UID:crm:", id, false);
	vcard_property(w, "FN:", name ? name : id, true); /* a card must have a name */
	vcard_property(w, "TEL;TYPE=cell;VALUE=uri:tel:", column(w, values, "phone"), false);
	vcard_property(w, "EMAIL:", column(w, values, "email"), true);
	if (gender) {
		crm_value g = {CRM_TEXT, strncmp(gender->s, "男", gender->len) ? "F" : "M", 1};
		vcard_property(w, "GENDER:", &g, false);
	}
	if (bday && bday->len == 10) {
		char basic[9] = {0}; /* YYYYMMDD */
		memcpy(basic, bday->s, 4);
		memcpy(basic + 4, bday->s + 5, 2);
		memcpy(basic + 6, bday->s + 8, 2);
		vcard_property(w, "BDAY:", &(crm_value){CRM_TEXT, basic, 8}, false);
	}
	if (city || province) { /* ADR: box; extended; street; locality; region; code; country */
		crm_buf line = {0};
		crm_buf_add(&line, "ADR;TYPE=home:;;;", 17);
		if (city)
			vcard_text(&line, city->s, city->len);
		crm_buf_addc(&line, ';');
		if (province)
			vcard_text(&line, province->s, province->len);
		crm_buf_add(&line, ";;", 2);
		vcard_line(w, &line);
		crm_buf_free(&line);
	}
	if (tags) { /* a tag's name holds no , or ; (crm-tag's naming rules) */
		crm_buf list = {0};
		for (size_t i = 0; i < tags->len; i++)
			crm_buf_addc(&list, tags->s[i] == ';' ? ',' : tags->s[i]);
		vcard_property(w, "CATEGORIES:", &(crm_value){CRM_TEXT, list.p, list.len}, false);
		crm_buf_free(&list);
	}
	fputs("END:VCARD\r\n", w->out);
}

/* ---- WeChat Official Account batch tagging ---- */

void crm_writer_tagid(crm_writer *w, long tagid)
{
	w->tagid = tagid;
}

long crm_writer_skipped(const crm_writer *w)
{
	return w->skipped;
}

/* {"openid_list":[...],"tagid":N}: one call of the API, a line. */
static void wechat_payload(crm_writer *w)
{
	if (!w->openids || !json_array_size(w->openids))
		return;
	json_t *payload = json_pack("{s:O, s:I}", "openid_list", w->openids, "tagid",
				    (json_int_t)w->tagid);
	json_dumpf(payload, w->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	putc('\n', w->out);
	json_decref(payload);
	json_array_clear(w->openids);
}

#define WECHAT_BATCH 50 /* the most openids the API takes at once */

static void wechat_row(crm_writer *w, const crm_value *values)
{
	const crm_value *openid = column(w, values, "openid");
	if (!openid) {
		w->skipped++;
		return;
	}
	if (!w->openids)
		w->openids = json_array();
	json_array_append_new(w->openids, json_stringn(openid->s, openid->len));
	if (json_array_size(w->openids) == WECHAT_BATCH)
		wechat_payload(w);
}

static int xlsx_open(crm_writer *w, crm_error *err)
{
	if (!w->xlsx && !(w->xlsx = crm_xlsx_out_new(w->ncols, (const char *const *)w->names, err)))
		return err ? err->code : CRM_EDB;
	return CRM_OK;
}

int crm_writer_mask(crm_writer *w, const char *columns, crm_error *err)
{
	if (!w->masked) {
		w->masked = calloc(w->ncols + 1, sizeof *w->masked);
		w->mask_text = calloc(w->ncols + 1, sizeof *w->mask_text);
		w->shown = crm_xmalloc((w->ncols + 1) * sizeof *w->shown);
		if (!w->masked || !w->mask_text)
			return crm_error_set(err, CRM_EDB, "out of memory");
	}
	char *list = crm_xstrdup(columns);
	int rc = CRM_OK;
	for (char *name = strtok(list, ","); name && rc == CRM_OK; name = strtok(NULL, ",")) {
		size_t i = 0;
		while (i < w->ncols && strcmp(w->names[i], name) != 0)
			i++;
		if (i == w->ncols)
			rc = crm_error_set(err, CRM_EUSAGE, "--mask: '%s' is not among the fields written", name);
		else
			w->masked[i] = true;
	}
	free(list);
	return rc;
}

/* The row with its masked columns masked. */
static const crm_value *masked_row(crm_writer *w, const crm_value *values)
{
	if (!w->masked)
		return values;
	for (size_t i = 0; i < w->ncols; i++) {
		w->shown[i] = values[i];
		if (!w->masked[i] || !values[i].s || values[i].type == CRM_NULL)
			continue;
		crm_mask_value(w->names[i], values[i].s, values[i].len, &w->mask_text[i]);
		w->shown[i] = (crm_value){CRM_TEXT, w->mask_text[i].p, w->mask_text[i].len};
	}
	return w->shown;
}

static bool converts(iconv_t cd, const char *s, size_t len);

int crm_writer_encoding(crm_writer *w, const char *encoding, crm_error *err)
{
	w->cd = iconv_open(encoding, "UTF-8");
	if (w->cd == (iconv_t)-1)
		return crm_error_set(err, CRM_EUSAGE, "--encoding %s: not an encoding this system converts"
				     " (iconv -l lists them; gb18030 is the one for Chinese Excel)", encoding);
	w->encoding = crm_xstrdup(encoding);
	for (size_t i = 0; i < w->ncols; i++) /* the header is written too */
		if (!converts(w->cd, w->names[i], strlen(w->names[i])))
			return crm_error_set(err, CRM_EDATA, "column '%s' has characters %s cannot hold"
					     " (gb18030 holds every one)", w->names[i], encoding);
	return CRM_OK;
}

/* True when s converts; iconv's state is reset for the next value. */
static bool converts(iconv_t cd, const char *s, size_t len)
{
	char out[256];
	char *in = (char *)s;
	size_t left = len;
	bool ok = true;
	while (left && ok) {
		char *o = out;
		size_t room = sizeof out;
		ok = iconv(cd, &in, &left, &o, &room) != (size_t)-1 || errno == E2BIG;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	return ok;
}

/* A record is written whole or not at all: a value the encoding cannot
 * hold (an emoji in GBK) is found before any of it is. */
static int check_encoding(crm_writer *w, const crm_value *values, crm_error *err)
{
	for (size_t i = 0; i < w->ncols; i++) {
		const crm_value *v = &values[i];
		if (!v->s || v->type == CRM_NULL || converts(w->cd, v->s, v->len))
			continue;
		const char *col = w->names[w->ids_col];
		bool named = !strcmp(col, "id") || !strcmp(col, "customer_id");
		const crm_value *id = named ? &values[w->ids_col] : &(crm_value){CRM_NULL, NULL, 0};
		size_t shown = crm_utf8_valid_prefix(v->s, v->len > 60 ? 60 : v->len);
		return crm_error_set(err, CRM_EDATA, "%s%.*s%s%s: '%.*s' has characters %s cannot"
				     " hold (gb18030 holds every one)", id->s ? "customer '" : "",
				     id->s ? (int)id->len : 0, id->s ? id->s : "", id->s ? "', " : "",
				     w->names[i], (int)shown, v->s, w->encoding);
	}
	return CRM_OK;
}

int crm_writer_put(crm_writer *w, const crm_value *values, crm_error *err)
{
	values = masked_row(w, values);
	if (w->cd != (iconv_t)-1 && check_encoding(w, values, err) != CRM_OK)
		return err->code;
	if (w->rows == 0 && !(w->flags & CRM_WRITE_NO_HEADER) &&
	    (w->fmt == CRM_FMT_CSV || w->fmt == CRM_FMT_TSV))
		delimited_header(w);
	switch (w->fmt) {
	case CRM_FMT_CSV:
	case CRM_FMT_TSV:
		delimited_row(w, values);
		break;
	case CRM_FMT_JSON:
	case CRM_FMT_NDJSON:
		json_row(w, values);
		break;
	case CRM_FMT_IDS:
		if (w->ncols && values[w->ids_col].s) {
			fwrite(values[w->ids_col].s, 1, values[w->ids_col].len, w->out);
			putc('\n', w->out);
		}
		break;
	case CRM_FMT_TABLE:
		table_row(w, values);
		break;
	case CRM_FMT_CHART:
		table_buffer(w, values); /* a chart is of groups: few rows, laid out at the end */
		break;
	case CRM_FMT_VCARD:
		vcard_row(w, values);
		break;
	case CRM_FMT_WECHAT:
		wechat_row(w, values);
		break;
	case CRM_FMT_XLSX: {
		int rc = xlsx_open(w, err);
		if (rc != CRM_OK || (rc = crm_xlsx_out_row(w->xlsx, values, err)) != CRM_OK)
			return rc;
		break;
	}
	case CRM_FMT_AUTO:
		break;
	}
	w->rows++;
	return check_output(w, err);
}

int crm_writer_put_record(crm_writer *w, const crm_record *rec, crm_error *err)
{
	static const crm_value null_value = {CRM_NULL, NULL, 0};
	for (size_t i = 0; i < w->ncols; i++) {
		const crm_value *v = crm_record_get(rec, w->names[i]);
		w->mapped[i] = v ? *v : null_value;
	}
	return crm_writer_put(w, w->mapped, err);
}

int crm_writer_finish(crm_writer *w, crm_error *err)
{
	bool header = !(w->flags & CRM_WRITE_NO_HEADER) && !w->reject;
	if (w->rows == 0 && header && (w->fmt == CRM_FMT_CSV || w->fmt == CRM_FMT_TSV))
		delimited_header(w);
	if (keyed(w))
		fputs(w->rows ? "\n}\n" : "{}\n", w->out);
	else if (w->fmt == CRM_FMT_JSON && (w->flags & CRM_WRITE_OBJECT))
		fputs(w->rows ? "\n" : "null\n", w->out);
	else if (w->fmt == CRM_FMT_JSON && !(w->reject && w->rows == 0))
		fputs(w->rows ? "\n]\n" : "[]\n", w->out);
	if (w->fmt == CRM_FMT_TABLE && !w->laid_out)
		table_layout(w);
	if (w->fmt == CRM_FMT_CHART)
		chart_layout(w);
	if (w->fmt == CRM_FMT_WECHAT)
		wechat_payload(w);
	if (w->fmt == CRM_FMT_XLSX) {
		int rc = xlsx_open(w, err);
		if (rc != CRM_OK || (rc = crm_xlsx_out_finish(w->xlsx, w->out, err)) != CRM_OK)
			return rc;
	}
	return flush_output(w, err);
}

/* ---- rejected records ---- */

static enum crm_format reject_format(const crm_reader *from, bool workbook)
{
	enum crm_format fmt = crm_reader_format(from);
	if (workbook)
		return CRM_FMT_XLSX;
	if (fmt != CRM_FMT_TSV && fmt != CRM_FMT_JSON && fmt != CRM_FMT_NDJSON)
		return CRM_FMT_CSV;
	return fmt;
}

crm_writer *crm_reject_writer_new(FILE *out, const crm_reader *from, bool workbook)
{
	enum crm_format fmt = reject_format(from, workbook);
	size_t n;
	const char *const *header = crm_reader_source_header(from, &n);
	crm_writer *w = crm_writer_new(out, fmt, 0, NULL, 0);
	if (!w)
		return NULL;
	/* As the input was, so that Excel opens it as it opened the input. */
	const crm_reader_info *info = crm_reader_about(from);
	w->reject = true;
	w->bom = info->bom && fmt != CRM_FMT_JSON && fmt != CRM_FMT_NDJSON;
	w->crlf = info->crlf;
	if (fmt == CRM_FMT_CSV && info->delimiter)
		w->delim = info->delimiter;
	w->names = crm_xrealloc(w->names, (n + 2) * sizeof *w->names);
	for (size_t i = 0; i < n; i++)
		w->names[w->ncols++] = crm_xstrdup(header[i]);
	w->names[w->ncols++] = crm_xstrdup("error");
	w->encoding = crm_xstrdup(info->encoding);
	w->mapped = crm_xrealloc(w->mapped, w->ncols * sizeof *w->mapped);
	return w;
}

bool crm_reject_fits(const crm_writer *w, const crm_reader *from)
{
	const crm_reader_info *info = crm_reader_about(from);
	enum crm_format fmt = reject_format(from, w->fmt == CRM_FMT_XLSX);
	if (fmt != w->fmt)
		return false;
	if (fmt == CRM_FMT_JSON || fmt == CRM_FMT_NDJSON)
		return true;
	size_t n;
	const char *const *header = crm_reader_source_header(from, &n);
	if (n + 1 != w->ncols || strcmp(info->encoding, w->encoding) ||
	    (fmt == CRM_FMT_CSV && (info->delimiter ? info->delimiter : ',') != w->delim))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(header[i], w->names[i]))
			return false;
	return true;
}

/* A workbook's row: the fields under the header, then the reasons. */
static int reject_xlsx(crm_writer *w, const crm_record *rec, const char *reason, crm_error *err)
{
	size_t data = w->ncols - 1;
	for (size_t i = 0; i < data; i++) {
		const char *s = i < rec->n && rec->values[i].s ? rec->values[i].s : "";
		w->mapped[i] = (crm_value){CRM_TEXT, s, i < rec->n ? rec->values[i].len : 0};
	}
	w->mapped[data] = (crm_value){CRM_TEXT, reason, strlen(reason)};
	return crm_writer_put(w, w->mapped, err);
}

static void reject_delimited(crm_writer *w, const crm_record *rec, const char *reason)
{
	size_t data_cols = w->ncols - 1;
	size_t n = rec->n > data_cols ? rec->n : data_cols;
	for (size_t i = 0; i < n; i++) {
		const char *s = i < rec->n && rec->values[i].s ? rec->values[i].s : "";
		size_t len = i < rec->n ? rec->values[i].len : 0;
		if (w->fmt == CRM_FMT_CSV)
			csv_cell_in(w->out, s, len, false, w->delim);
		else
			tsv_cell(w->out, s, len);
		putc(w->delim, w->out);
	}
	if (w->fmt == CRM_FMT_CSV)
		csv_cell_in(w->out, reason, strlen(reason), false, w->delim);
	else
		tsv_cell(w->out, reason, strlen(reason));
	line_end(w);
}

static void reject_json(crm_writer *w, const crm_record *rec, const char *reason)
{
	json_begin(w);
	putc('{', w->out);
	bool first = true;
	for (size_t i = 0; i < rec->n; i++) {
		/* a key left out with --map stays out; an earlier error gives way */
		if (!*rec->names[i] || !strcmp(rec->names[i], "error"))
			continue;
		member_out(w->out, first, rec->names[i], &rec->values[i]);
		first = false;
	}
	member_out(w->out, first, "error", &(crm_value){CRM_TEXT, reason, strlen(reason)});
	putc('}', w->out);
	json_end(w);
}

int crm_reject_put(crm_writer *w, const crm_record *rec, const char *reason, crm_error *err)
{
	if (w->fmt == CRM_FMT_XLSX)
		return reject_xlsx(w, rec, reason, err);
	if (w->fmt == CRM_FMT_CSV || w->fmt == CRM_FMT_TSV) {
		if (w->rows == 0)
			delimited_header(w);
		reject_delimited(w, rec, reason);
	} else {
		reject_json(w, rec, reason);
	}
	w->rows++;
	return check_output(w, err);
}
