/* reader.c: streaming record readers. libcsv parses CSV, jansson parses JSON,
 * xlsx.c reads workbooks; this file feeds them bounded chunks and hands out
 * one record at a time, so memory stays the same whatever the size of the
 * input. The bytes come as UTF-8 from input.c; the columns' names and values
 * are read in columns.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader.h"

static enum crm_read too_many_fields(crm_reader *r, crm_error *err, long line)
{
	return reader_fail(r, err, line, "more than %d fields in one record: is this the right file?",
			   RECORD_FIELDS_MAX);
}

static enum crm_read too_long(crm_reader *r, crm_error *err, long line)
{
	return reader_fail(r, err, line, "a record longer than %d MiB%s", RECORD_BYTES_MAX >> 20,
			   r->fmt == CRM_FMT_CSV ? ": is a quote not closed?" : "");
}

static void skip_space(crm_reader *r)
{
	int c;
	while ((c = peek(r)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		get(r);
}

/* ---- format detection ---- */

/* The separators a header line may use, by how many of each it has outside
 * quotes; on a tie, the first of ", \t ; |". */
static char header_delimiter(const unsigned char *s, size_t end)
{
	static const char seps[] = ",\t;|";
	size_t count[4] = {0};
	bool quoted = false;
	for (size_t i = 0; i < end; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		for (int k = 0; !quoted && k < 4; k++)
			count[k] += s[i] == (unsigned char)seps[k];
	}
	int best = -1;
	for (int k = 0; k < 4; k++)
		if (count[k] && (best < 0 || count[k] > count[best]))
			best = k;
	return best < 0 ? 0 : seps[best];
}

/* A single name on the first line is a header when it is a field's name. */
static bool first_line_is_header_name(const unsigned char *s, size_t len)
{
	char name[128];
	size_t n = len < sizeof name - 1 ? len : sizeof name - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	return crm_header_field(CRM_NAMES_CUSTOMERS, name) || crm_header_field(CRM_NAMES_EVENTS, name) ||
	       crm_header_field(CRM_NAMES_NOTES, name);
}

/* A field that starts with a quote, as Excel and WPS quote a tab-separated
 * cell holding a tab, a quote or a line break (crm's own TSV escapes them). */
static bool quotes_fields(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '"' && (i == 0 || s[i - 1] == '\t' || s[i - 1] == '\n'))
			return true;
	return false;
}

/* The first line tells: it is waited for, not a whole chunk. Returns its
 * length, without the line break. */
static size_t first_line(crm_reader *r)
{
	while (r->len < CHUNK && !memchr(r->buf + r->pos, '\n', r->len - r->pos) && fill(r))
		;
	const unsigned char *s = r->buf + r->pos;
	size_t len = r->len - r->pos, end = 0;
	while (end < len && s[end] != '\n')
		end++;
	return end;
}

static enum crm_format detect(crm_reader *r)
{
	first_line(r);
	const unsigned char *s = r->buf + r->pos;
	size_t len = r->len - r->pos, i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	if (i < len && s[i] == '[')
		return CRM_FMT_JSON;
	if (i < len && s[i] == '{')
		return CRM_FMT_NDJSON;
	size_t end = 0;
	while (end < len && s[end] != '\n')
		end++;
	r->info.crlf = end && end < len && s[end - 1] == '\r';
	char delim = header_delimiter(s, end);
	/* A tab-separated file is crm's own linear TSV, but for one that quotes
	 * its cells as CSV does: Excel's and WPS's text, and "Unicode text"
	 * (UTF-16), which Excel always writes so. */
	if (delim == '\t' && !(r->info.bom && r->cd != (iconv_t)-1) && !quotes_fields(s, len))
		return CRM_FMT_TSV;
	if (delim) {
		r->info.delimiter = delim;
		return CRM_FMT_CSV;
	}
	size_t n = end && s[end - 1] == '\r' ? end - 1 : end;
	if (memchr(s, '"', end) || first_line_is_header_name(s, n))
		return CRM_FMT_CSV;
	return CRM_FMT_IDS;
}

/* A UTF-8 BOM that conversion made (or a file that had two). */
static void skip_bom(crm_reader *r)
{
	while (r->len - r->pos < 3 && fill(r))
		;
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
		r->pos += 3;
}

/* ---- csv (libcsv) ---- */

static void q_put_size(crm_buf *q, size_t v)
{
	crm_buf_add(q, &v, sizeof v);
}

static size_t q_get_size(const crm_buf *q, size_t at)
{
	size_t v;
	memcpy(&v, q->p + at, sizeof v);
	return v;
}

/* Queue layout per row: line, field count, then each field as length, bytes
 * and a NUL: the record handed out points into the queue, which stays as
 * it is until the records parsed from a chunk are all read. */
static void csv_on_field(void *data, size_t len, void *ctx)
{
	crm_reader *r = ctx;
	if (!r->q_in_row) {
		r->q_in_row = true;
		r->q_row = r->queue.len;
		q_put_size(&r->queue, (size_t)r->row_line);
		q_put_size(&r->queue, 0);
	}
	size_t count = q_get_size(&r->queue, r->q_row + sizeof(size_t)) + 1;
	if (count > RECORD_FIELDS_MAX && !r->wide_line)
		r->wide_line = r->row_line;
	memcpy(r->queue.p + r->q_row + sizeof(size_t), &count, sizeof count);
	q_put_size(&r->queue, len);
	crm_buf_add_string(&r->queue, data ? data : "", len);
	if (len) /* quoted fields may hold line breaks */
		r->newlines += count_newlines(data, len);
}

static void csv_on_row(int c, void *ctx)
{
	crm_reader *r = ctx;
	if (c == '\n')
		r->newlines++;
	if (r->q_in_row) {
		r->q_in_row = false;
		r->q_done = r->queue.len;
	}
	if (c == '\n' || c == -1)
		r->row_line = r->newlines + 1;
}

static const crm_record *csv_pop(crm_reader *r)
{
	size_t at = r->q_read;
	long line = (long)q_get_size(&r->queue, at);
	size_t count = q_get_size(&r->queue, at + sizeof(size_t));
	at += 2 * sizeof(size_t);
	crm_builder_reset(&r->b);
	for (size_t i = 0; i < count; i++) {
		size_t len = q_get_size(&r->queue, at);
		at += sizeof(size_t);
		crm_builder_add_ref(&r->b, r->queue.p + at, len);
		at += len + 1;
	}
	r->q_read = at;
	return crm_builder_finish(&r->b, r->names, r->nheader, line);
}

/* Moves the unfinished row to the front of the queue before more parsing. */
static void csv_compact(crm_reader *r)
{
	size_t keep = r->q_in_row ? r->queue.len - r->q_row : 0;
	size_t from = r->q_in_row ? r->q_row : r->queue.len;
	if (keep)
		memmove(r->queue.p, r->queue.p + from, keep);
	r->queue.len = keep;
	r->q_read = r->q_done = 0;
	r->q_row = 0;
}

static enum crm_read csv_parse_more(crm_reader *r, crm_error *err)
{
	csv_compact(r);
	if (r->pos >= r->len && !fill(r)) {
		if (r->io_errno)
			return reader_io_fail(r, err);
		if (r->csv_fini_done)
			return CRM_READ_END;
		r->csv_fini_done = true;
		if (csv_fini(&r->csv, csv_on_field, csv_on_row, r) != 0)
			return reader_fail(r, err, r->row_line,
				    "malformed CSV: a quoted field is not closed");
		return r->q_done > 0 ? CRM_READ_OK : CRM_READ_END;
	}
	size_t len = r->len - r->pos;
	size_t used = csv_parse(&r->csv, r->buf + r->pos, len, csv_on_field, csv_on_row, r);
	if (used < len) {
		long line = r->chunk_line + count_newlines(r->buf + r->pos, used);
		return reader_fail(r, err, line, "malformed CSV: %s", csv_strerror(csv_error(&r->csv)));
	}
	if (r->wide_line)
		return too_many_fields(r, err, r->wide_line);
	/* libcsv holds the field being parsed; the queue, the row so far */
	if (r->csv.entry_pos > RECORD_BYTES_MAX ||
	    (r->q_in_row && r->queue.len - r->q_row > RECORD_BYTES_MAX))
		return too_long(r, err, r->row_line);
	r->chunk_line += count_newlines(r->buf + r->pos, len);
	r->pos = r->len;
	return CRM_READ_OK;
}

static enum crm_read csv_next_row(crm_reader *r, const crm_record **rec, crm_error *err)
{
	while (r->q_read >= r->q_done) {
		enum crm_read rc = csv_parse_more(r, err);
		if (rc != CRM_READ_OK)
			return rc;
	}
	*rec = csv_pop(r);
	return CRM_READ_OK;
}

/* ---- tsv and ids: line by line ---- */

static bool read_line(crm_reader *r, long *line)
{
	crm_buf_reset(&r->linebuf);
	*line = r->line;
	for (;;) {
		if (r->pos >= r->len && !fill(r))
			return r->linebuf.len > 0;
		unsigned char *s = r->buf + r->pos;
		unsigned char *nl = memchr(s, '\n', r->len - r->pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
		crm_buf_add(&r->linebuf, s, n);
		r->pos += n;
		if (r->linebuf.len > RECORD_BYTES_MAX)
			return false;
		if (nl) {
			r->pos++;
			r->line++;
			if (r->linebuf.len && r->linebuf.p[r->linebuf.len - 1] == '\r')
				r->linebuf.p[--r->linebuf.len] = '\0';
			return true;
		}
	}
}

/* Why read_line found no line: the end, a read error, or a line too long. */
static enum crm_read no_line(crm_reader *r, crm_error *err, long line)
{
	if (r->linebuf.len > RECORD_BYTES_MAX)
		return too_long(r, err, line);
	return r->io_errno ? reader_io_fail(r, err) : CRM_READ_END;
}

static bool tabs_over(const char *s, size_t len)
{
	size_t fields = 1;
	for (const char *p = s; (p = memchr(p, '\t', (size_t)(s + len - p))); p++)
		if (++fields > RECORD_FIELDS_MAX)
			return true;
	return false;
}

/* Linear TSV: \t \n \r and \\ stand for the characters a field cannot hold. */
static void tsv_unescape(crm_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			char e = s[++i];
			c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
			if (e != 't' && e != 'n' && e != 'r' && e != '\\')
				crm_buf_addc(out, '\\');
		}
		crm_buf_addc(out, c);
	}
}

static enum crm_read tsv_next_row(crm_reader *r, const crm_record **rec, crm_error *err)
{
	long line;
	crm_buf field = {0};
	do {
		if (!read_line(r, &line)) {
			crm_buf_free(&field);
			return no_line(r, err, line);
		}
	} while (r->linebuf.len == 0);
	if (tabs_over(r->linebuf.p, r->linebuf.len)) {
		crm_buf_free(&field);
		return too_many_fields(r, err, line);
	}
	crm_builder_reset(&r->b);
	const char *s = r->linebuf.p, *end = s + r->linebuf.len;
	for (;;) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *stop = tab ? tab : end;
		crm_buf_reset(&field);
		tsv_unescape(&field, s, (size_t)(stop - s));
		crm_builder_add(&r->b, NULL, CRM_TEXT, field.p, field.len);
		if (!tab)
			break;
		s = tab + 1;
	}
	crm_buf_free(&field);
	*rec = crm_builder_finish(&r->b, r->names, r->nheader, line);
	return CRM_READ_OK;
}

static enum crm_read ids_next(crm_reader *r, const crm_record **rec, crm_error *err)
{
	long line;
	size_t len;
	const char *id;
	do {
		if (!read_line(r, &line))
			return no_line(r, err, line);
		len = r->linebuf.len;
		id = crm_trim(r->linebuf.p, &len);
	} while (len == 0);
	crm_builder_reset(&r->b);
	crm_builder_add(&r->b, NULL, CRM_TEXT, id, len);
	*rec = crm_builder_finish(&r->b, r->names, r->nheader, line);
	if (crm_utf8_valid_prefix(id, len) != len) {
		crm_error_set(err, CRM_EDATA, "id: invalid UTF-8");
		crm_error_at(err, r->source, line, 0);
		return CRM_READ_BAD_ROW;
	}
	return CRM_READ_OK;
}

/* ---- json and ndjson (jansson) ---- */

/* jansson pulls bytes one at a time, so that it never reads past the value
 * it decodes and the next one stays in our buffer. */
static size_t json_feed(void *buffer, size_t buflen, void *data)
{
	(void)buflen;
	crm_reader *r = data;
	if (++r->value_bytes > RECORD_BYTES_MAX)
		return (size_t)-1;
	int c = get(r);
	if (c == EOF)
		return 0;
	*(unsigned char *)buffer = (unsigned char)c;
	return 1;
}

static void number_text(json_t *v, char *out, size_t outsz)
{
	double d = json_real_value(v);
	snprintf(out, outsz, "%.15g", d);
	if (strtod(out, NULL) != d)
		snprintf(out, outsz, "%.17g", d);
}

static bool is_scalar_array(json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (json_is_object(v) || json_is_array(v))
			return false;
	}
	return true;
}

static void add_json_value(struct crm_builder *b, const char *key, json_t *v);

static void scalar_text(json_t *v, crm_buf *out)
{
	char num[64];
	if (json_is_string(v)) {
		crm_buf_add(out, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		crm_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		number_text(v, num, sizeof num);
		crm_buf_adds(out, num);
	} else if (json_is_boolean(v)) {
		crm_buf_adds(out, json_is_true(v) ? "true" : "false");
	}
}

static void add_json_value(struct crm_builder *b, const char *key, json_t *v)
{
	crm_buf text = {0};
	crm_type type = CRM_TEXT;
	if (json_is_null(v)) {
		type = CRM_NULL;
	} else if (json_is_array(v) && is_scalar_array(v)) {
		size_t i;
		json_t *item;
		type = CRM_LIST;
		json_array_foreach(v, i, item) {
			if (i)
				crm_buf_addc(&text, ';');
			scalar_text(item, &text);
		}
	} else if (json_is_array(v) || json_is_object(v)) {
		char *dump = json_dumps(v, JSON_COMPACT);
		type = CRM_JSON;
		crm_buf_adds(&text, dump);
		free(dump);
	} else {
		type = json_is_integer(v) ? CRM_INT : json_is_real(v) ? CRM_REAL
		     : json_is_boolean(v) ? CRM_BOOL : CRM_TEXT;
		scalar_text(v, &text);
	}
	crm_builder_add(b, key, type, text.p, text.len);
	crm_buf_free(&text);
}

/* An object as a record: its keys read as a header's names are. Takes obj. */
static enum crm_read json_record(crm_reader *r, json_t *obj, long line, const crm_record **rec,
				 crm_error *err)
{
	crm_error why;
	if (json_object_get(obj, "crm_dump"))
		r->opts.names = CRM_NAMES_AS_IS; /* a dump names everything by crm's own names */
	if (columns_json_keys(r, obj, &why) != CRM_OK) {
		json_decref(obj);
		return reader_fail(r, err, line, "%s", why.msg);
	}
	crm_builder_reset(&r->b);
	size_t i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const char *field = columns_json_field(r, i++);
		if (!*field && !*key && !json_is_null(v) &&
		    !(json_is_string(v) && !json_string_length(v))) {
			json_decref(obj);
			return reader_fail(r, err, line, "a key without a name holds a value: name it, or"
					   " drop the key");
		}
		add_json_value(&r->b, field, v);
	}
	json_decref(obj);
	*rec = crm_builder_finish(&r->b, NULL, 0, line);
	columns_json_values(r, &r->b);
	return CRM_READ_OK;
}

/* WeChat's user list comes as {"user_info_list": [{...}, ...]}, of any
 * length: its start is stepped over and its array read as a JSON input's. */
static const char envelope_key[] = "\"user_info_list\"";

static const unsigned char *skip_blank(const unsigned char *s, const unsigned char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

static bool enter_envelope(crm_reader *r)
{
	while (r->len - r->pos < 256 && fill(r))
		;
	const unsigned char *start = r->buf + r->pos, *end = r->buf + r->len;
	const unsigned char *s = skip_blank(start + 1, end);
	size_t klen = sizeof envelope_key - 1;
	if ((size_t)(end - s) < klen || memcmp(s, envelope_key, klen))
		return false;
	s = skip_blank(s + klen, end);
	if (s == end || *s != ':')
		return false;
	s = skip_blank(s + 1, end);
	if (s == end || *s != '[')
		return false;
	s++;
	r->line += count_newlines(start, (size_t)(s - start));
	r->pos = (size_t)(s - r->buf);
	r->in_envelope = true;
	r->jstate = J_ARRAY_FIRST;
	return true;
}

/* Valid JSON that crm cannot take is not called malformed. */
static enum crm_read json_fail(crm_reader *r, crm_error *err, json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_duplicate_key:
		return reader_fail(r, err, r->line, "a key appears twice in one object (%s): which value is meant?",
			    jerr->text);
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return reader_fail(r, err, r->line, "text holds a NUL character (\\u0000), which crm cannot store");
	default:
		return reader_fail(r, err, r->line, "malformed JSON: %s", jerr->text);
	}
}

static enum crm_read json_next(crm_reader *r, const crm_record **rec, crm_error *err);

static enum crm_read json_object_record(crm_reader *r, const crm_record **rec,
					crm_error *err)
{
	long line = r->line;
	json_error_t jerr;
	/* Any value decodes, so that valid JSON of the wrong shape is named as
	 * such, not as malformed. A scalar may have read one byte past its end:
	 * that does not matter, as reading stops there. */
	r->value_bytes = 0;
	json_t *obj = json_load_callback(json_feed, r, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY |
					 JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		if (r->io_errno)
			return reader_io_fail(r, err);
		if (r->value_bytes > RECORD_BYTES_MAX)
			return too_long(r, err, line);
		return json_fail(r, err, &jerr);
	}
	if (!json_is_object(obj)) {
		const char *what = json_is_array(obj) ? "an array" : json_is_string(obj) ? "a string"
				 : json_is_number(obj) ? "a number" : json_is_null(obj) ? "null" : "a boolean";
		json_decref(obj);
		return reader_fail(r, err, line, "expected an object, found %s "
			    "(JSON input is an array of objects, or one object a line)", what);
	}
	if (json_object_size(obj) > RECORD_FIELDS_MAX) {
		json_decref(obj);
		return too_many_fields(r, err, line);
	}
	return json_record(r, obj, line, rec, err);
}

static enum crm_read json_next(crm_reader *r, const crm_record **rec, crm_error *err)
{
	for (;;) {
		skip_space(r);
		int c = peek(r);
		if (r->io_errno)
			return reader_io_fail(r, err);
		switch (r->jstate) {
		case J_START:
			if (c == '[') {
				get(r);
				r->jstate = J_ARRAY_FIRST;
				continue;
			}
			if (c == EOF)
				return CRM_READ_END;
			if (c == '{' && enter_envelope(r))
				continue;
			r->jstate = J_NDJSON;
			continue;
		case J_ARRAY_FIRST:
			if (c == ']') {
				get(r);
				r->jstate = J_ARRAY_DONE;
				continue;
			}
			r->jstate = J_ARRAY_NEXT;
			break;
		case J_ARRAY_NEXT:
			if (c == ']') {
				get(r);
				r->jstate = J_ARRAY_DONE;
				continue;
			}
			if (c != ',')
				return reader_fail(r, err, r->line, "malformed JSON: expected ',' or ']'");
			get(r);
			skip_space(r);
			break;
		case J_ARRAY_DONE:
			if (r->in_envelope && c == '}') { /* the end of a user list: another may follow */
				get(r);
				r->in_envelope = false;
				r->jstate = J_START;
				continue;
			}
			if (r->in_envelope)
				return reader_fail(r, err, r->line, "malformed JSON: expected the '}' that ends"
						   " the user list");
			if (c == EOF)
				return CRM_READ_END;
			return reader_fail(r, err, r->line, "malformed JSON: text after the array");
		case J_NDJSON:
			if (c == EOF)
				return CRM_READ_END;
			break;
		}
		return json_object_record(r, rec, err);
	}
}

/* ---- xlsx ---- */

static enum crm_read xlsx_start(crm_reader *r, crm_error *err)
{
	int fd = input_workbook_fd(r, err);
	if (fd < 0) {
		crm_error_at(err, r->source, 0, 0);
		r->done = true;
		return CRM_READ_FAIL;
	}
	if (crm_xlsx_open(&r->xlsx, fd, r->source, r->opts.sheet, err) != CRM_OK) {
		crm_error_at(err, r->source, err->line, 0);
		r->done = true;
		return CRM_READ_FAIL;
	}
	r->info.bom = r->info.crlf = true; /* its rejects go to CSV that Excel opens */
	return CRM_READ_OK;
}

static enum crm_read xlsx_next_row(crm_reader *r, const crm_record **rec, crm_error *err)
{
	long row;
	crm_builder_reset(&r->b);
	enum crm_read rc = crm_xlsx_next(r->xlsx, &r->b, &row, err);
	if (rc == CRM_READ_FAIL)
		r->done = true;
	if (rc != CRM_READ_OK)
		return rc;
	if (r->b.n > RECORD_FIELDS_MAX)
		return too_many_fields(r, err, row);
	while (r->b.n && r->b.n < r->nheader) /* a workbook leaves empty cells out */
		crm_builder_add(&r->b, NULL, CRM_TEXT, "", 0);
	*rec = crm_builder_finish(&r->b, r->names, r->nheader, row);
	return CRM_READ_OK;
}

/* ---- the reader ---- */

crm_reader *crm_reader_open(FILE *in, const char *source, const crm_reader_opts *opts)
{
	crm_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->in = in;
	r->source = crm_xstrdup(source ? source : "stdin");
	if (opts)
		r->opts = *opts;
	r->fmt = r->opts.format;
	r->raw = crm_xmalloc(CHUNK);
	r->buf = crm_xmalloc(CHUNK);
	r->line = 1;
	r->row_line = 1;
	r->chunk_line = 1;
	r->cd = (iconv_t)-1;
	return r;
}

crm_reader *crm_reader_new(FILE *in, const char *source, enum crm_format fmt)
{
	crm_reader_opts opts = {.format = fmt};
	return crm_reader_open(in, source, &opts);
}

void crm_reader_free(crm_reader *r)
{
	if (!r)
		return;
	if (r->fmt == CRM_FMT_CSV && r->started)
		csv_free(&r->csv);
	columns_free(&r->header);
	columns_free(&r->keys);
	if (r->fmt == CRM_FMT_IDS && r->names) {
		free(r->names[0]);
		free(r->names);
	}
	crm_xlsx_close(r->xlsx);
	input_free(r);
	free(r->source);
	crm_buf_free(&r->queue);
	crm_buf_free(&r->linebuf);
	crm_builder_free(&r->b);
	crm_builder_free(&r->title_row);
	for (size_t i = 0; i < r->nscratch; i++)
		crm_buf_free(&r->scratch[i]);
	free(r->scratch);
	free(r);
}

enum crm_format crm_reader_format(const crm_reader *r)
{
	return r->fmt;
}

const char *crm_reader_source(const crm_reader *r)
{
	return r->source;
}

const char *const *crm_reader_header(const crm_reader *r, size_t *n)
{
	*n = r->nheader;
	return (const char *const *)r->names;
}

const char *const *crm_reader_source_header(const crm_reader *r, size_t *n)
{
	if (r->fmt == CRM_FMT_IDS)
		return crm_reader_header(r, n);
	*n = r->header.n;
	return (const char *const *)r->header.source;
}

const crm_reader_info *crm_reader_about(const crm_reader *r)
{
	return &r->info;
}

static enum crm_read next_row(crm_reader *r, const crm_record **rec, crm_error *err)
{
	switch (r->fmt) {
	case CRM_FMT_CSV: return csv_next_row(r, rec, err);
	case CRM_FMT_XLSX: return xlsx_next_row(r, rec, err);
	default: return tsv_next_row(r, rec, err);
	}
}

static void csv_start(crm_reader *r)
{
	csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	/* libcsv grows a field's buffer by this much at a time: by its
	 * default of 128 bytes, a long field costs a realloc every 128. */
	csv_set_blk_size(&r->csv, CHUNK);
	if (r->opts.delimiter)
		r->info.delimiter = r->opts.delimiter;
	if (!r->info.delimiter) { /* -i csv: the separator is still the header's */
		size_t end = first_line(r);
		r->info.delimiter = header_delimiter(r->buf + r->pos, end);
	}
	if (!r->info.delimiter)
		r->info.delimiter = ',';
	csv_set_delim(&r->csv, (unsigned char)r->info.delimiter);
}

/* The format: given, detected by content, or a workbook by its first bytes. */
static enum crm_read choose_format(crm_reader *r, crm_error *err)
{
	bool workbook = input_is_workbook(r);
	if (r->fmt == CRM_FMT_XLSX || (r->fmt == CRM_FMT_AUTO && workbook)) {
		r->fmt = CRM_FMT_XLSX;
		return xlsx_start(r, err);
	}
	if (workbook)
		return reader_fail(r, err, 0, "a spreadsheet workbook, not %s (leave -i out, or say -i xlsx)",
				   crm_format_name(r->fmt));
	skip_bom(r);
	if (r->fmt == CRM_FMT_AUTO)
		r->fmt = detect(r);
	/* --delimiter: CSV's quoting, with that separator */
	if (r->opts.delimiter && r->opts.format == CRM_FMT_AUTO && r->fmt != CRM_FMT_JSON &&
	    r->fmt != CRM_FMT_NDJSON)
		r->fmt = CRM_FMT_CSV;
	else if (r->opts.delimiter && r->fmt == CRM_FMT_TSV)
		r->fmt = CRM_FMT_CSV;
	if (r->fmt == CRM_FMT_TABLE || r->fmt > CRM_FMT_IDS)
		return reader_fail(r, err, 0, "%s is an output format only", crm_format_name(r->fmt));
	if (r->fmt == CRM_FMT_CSV)
		csv_start(r);
	return CRM_READ_OK;
}

static size_t filled_cells(const crm_record *rec)
{
	size_t n = 0;
	for (size_t i = 0; i < rec->n; i++) {
		size_t len = rec->values[i].len;
		if (rec->values[i].s && (crm_trim(rec->values[i].s, &len), len))
			n++;
	}
	return n;
}

/* The first row that is not empty, or NULL. Empty rows above it (a sheet
 * that starts lower, a CSV of ,,,) are counted as skipped. */
static enum crm_read first_row(crm_reader *r, const crm_record **row, crm_error *err)
{
	enum crm_read rc;
	while ((rc = next_row(r, row, err)) == CRM_READ_OK && !filled_cells(*row))
		if ((*row)->n)
			r->info.empty_rows++;
	return rc;
}

/* The row the builder holds, again with the header's names: it was read
 * before the header was known. */
static const crm_record *rename_row(crm_reader *r)
{
	while (r->fmt == CRM_FMT_XLSX && r->b.n && r->b.n < r->nheader)
		crm_builder_add(&r->b, NULL, CRM_TEXT, "", 0);
	return crm_builder_finish(&r->b, r->names, r->nheader, r->b.rec.line);
}

/* The header: the first row that is not empty, unless that row is a title
 * (one cell filled, as sheets put a name above their table) and the next
 * has more: then that is the header. A row looked at and not taken waits
 * in the builder to be read first. */
static enum crm_read read_header(crm_reader *r, crm_error *err)
{
	const crm_record *row, *next;
	enum crm_read rc = first_row(r, &row, err);
	if (rc != CRM_READ_OK || filled_cells(row) != 1)
		return rc == CRM_READ_OK ? columns_header(r, row, err) : rc;
	struct crm_builder *saved = &r->title_row;
	crm_builder_reset(saved);
	for (size_t i = 0; i < row->n; i++)
		crm_builder_add(saved, NULL, row->values[i].type, row->values[i].s, row->values[i].len);
	const crm_record *first = crm_builder_finish(saved, NULL, 0, row->line);
	rc = first_row(r, &next, err);
	if (rc == CRM_READ_FAIL)
		return rc;
	if (rc == CRM_READ_OK && filled_cells(next) >= 2) {
		r->info.title_line = first->line;
		return columns_header(r, next, err);
	}
	enum crm_read taken = columns_header(r, first, err);
	r->pending = taken == CRM_READ_OK && rc == CRM_READ_OK;
	if (r->pending)
		rename_row(r);
	return taken;
}

static enum crm_read start(crm_reader *r, crm_error *err)
{
	r->started = true;
	if (input_start(r, err) != CRM_OK) {
		r->done = true;
		return CRM_READ_FAIL;
	}
	enum crm_read rc = choose_format(r, err);
	if (rc != CRM_READ_OK)
		return rc;
	if (r->fmt == CRM_FMT_IDS) {
		r->names = crm_xmalloc(sizeof *r->names);
		r->names[0] = crm_xstrdup("id");
		r->nheader = 1;
	}
	if (r->fmt != CRM_FMT_CSV && r->fmt != CRM_FMT_TSV && r->fmt != CRM_FMT_XLSX)
		return CRM_READ_OK;
	return read_header(r, err);
}

/* The next row of a header's shape that is not empty in every cell. */
static enum crm_read next_of_header(crm_reader *r, const crm_record **rec, crm_error *err)
{
	for (;;) {
		enum crm_read rc = CRM_READ_OK;
		if (r->pending) {
			r->pending = false;
			*rec = &r->b.rec;
		} else {
			rc = next_row(r, rec, err);
		}
		if (rc != CRM_READ_OK)
			return rc;
		rc = columns_row(r, &r->b, err);
		if ((int)rc != CRM_READ_SKIP)
			return rc;
	}
}

enum crm_read crm_reader_next(crm_reader *r, const crm_record **rec, crm_error *err)
{
	*rec = NULL;
	if (r->done)
		return CRM_READ_END;
	if (!r->started) {
		enum crm_read rc = start(r, err);
		if (rc != CRM_READ_OK) {
			r->done = true;
			return rc;
		}
	}
	enum crm_read rc;
	switch (r->fmt) {
	case CRM_FMT_CSV:
	case CRM_FMT_TSV:
	case CRM_FMT_XLSX:
		rc = next_of_header(r, rec, err);
		break;
	case CRM_FMT_IDS:
		rc = ids_next(r, rec, err);
		break;
	default:
		rc = json_next(r, rec, err);
		break;
	}
	if (rc == CRM_READ_END || rc == CRM_READ_FAIL)
		r->done = true;
	return rc;
}
