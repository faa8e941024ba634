/* columns.c: the columns of a record stream, as fields. A header's names are
 * read through the table of headers.c and --map; columns that a spreadsheet
 * leaves behind (no name, nothing in them) are skipped; a column crm cannot
 * place is refused, naming it. Values people write in their own ways are
 * read here too: WeChat's sex codes and Unix times, Excel's day numbers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader.h"

void columns_free(struct column_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->source[i]);
		free(m->field[i]);
	}
	free(m->source);
	free(m->field);
	free(m->how);
	memset(m, 0, sizeof *m);
}

/* "column 4 (D)": where a spreadsheet shows it. */
static const char *column_label(size_t i, char out[32])
{
	char letters[8];
	size_t n = 0, k = i + 1;
	while (k && n < sizeof letters) {
		letters[n++] = (char)('A' + (k - 1) % 26);
		k = (k - 1) / 26;
	}
	int len = snprintf(out, 32, "column %zu (", i + 1);
	while (n && len < 30)
		out[len++] = letters[--n];
	out[len++] = ')';
	out[len] = '\0';
	return out;
}

/* --map SRC=FIELD: SRC is a column's name, or its number (for a column
 * without a name). *field is NULL when no --map names the column. */
static bool mapped_by_option(const crm_reader *r, const char *name, size_t i, const char **field,
			     size_t *len)
{
	char number[24];
	snprintf(number, sizeof number, "%zu", i + 1);
	for (size_t k = 0; k < r->opts.nmap; k++) {
		const char *m = r->opts.map[k], *eq = strchr(m, '=');
		size_t slen = eq ? (size_t)(eq - m) : strlen(m);
		if (!eq)
			continue;
		if ((strlen(name) == slen && !strncmp(m, name, slen)) ||
		    (!*name && strlen(number) == slen && !strncmp(m, number, slen))) {
			*field = eq + 1;
			*len = strlen(eq + 1);
			return true;
		}
	}
	return false;
}

/* given: the FIELD of a --map, or NULL. WeChat's codes are read in a column
 * named sex, or one given as sex (--map 性别=sex). */
static enum column_read reading_of(const crm_reader *r, const char *source, const char *field,
				   const char *given)
{
	char key[64], as[64];
	crm_header_key(source, key, sizeof key);
	crm_header_key(given ? given : "", as, sizeof as);
	bool stamp;
	if (r->opts.names == CRM_NAMES_CUSTOMERS && !strcmp(field, "gender") &&
	    (!strcmp(key, "sex") || !strcmp(as, "sex")))
		return COL_SEX;
	if (r->opts.names == CRM_NAMES_CUSTOMERS && !strcmp(field, "subscribe_time"))
		return COL_UNIX_TIME;
	if (r->fmt == CRM_FMT_XLSX && crm_header_is_date(r->opts.names, field, &stamp))
		return stamp ? COL_STAMP : COL_DATE;
	return COL_AS_IS;
}

/* The field of one column: --map, else the table, else its own name. */
static void map_one(const crm_reader *r, struct column_map *m, size_t i, const char *name)
{
	const char *field = NULL;
	size_t len = 0;
	m->source[i] = crm_xstrdup(name);
	if (mapped_by_option(r, name, i, &field, &len)) {
		const char *known = len ? crm_header_field(r->opts.names, field) : NULL;
		m->field[i] = known ? crm_xstrdup(known) : crm_xstrdup(field);
	} else if (!*name) {
		m->field[i] = crm_xstrdup("");
		m->how[i] = COL_UNNAMED;
		return;
	} else {
		const char *known = crm_header_field(r->opts.names, name);
		m->field[i] = crm_xstrdup(known ? known : name);
	}
	m->how[i] = *m->field[i] ? reading_of(r, name, m->field[i], field) : COL_AS_IS;
}

static void map_names(const crm_reader *r, struct column_map *m, const char *const *names, size_t n)
{
	columns_free(m);
	m->n = n;
	m->source = crm_xmalloc((n + 1) * sizeof *m->source);
	m->field = crm_xmalloc((n + 1) * sizeof *m->field);
	m->how = crm_xmalloc((n + 1) * sizeof *m->how);
	for (size_t i = 0; i < n; i++) {
		map_one(r, m, i, names[i]);
		m->converts |= m->how[i] != COL_AS_IS && m->how[i] != COL_UNNAMED;
	}
}

/* Two columns that give one field: which one is meant cannot be guessed. */
static int conflicts(const struct column_map *m, crm_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < i && *m->field[i]; k++) {
			if (strcmp(m->field[i], m->field[k]) != 0)
				continue;
			if (!strcmp(m->source[i], m->source[k]))
				return crm_error_set(err, CRM_EDATA, "column '%s' appears twice in the header",
						     m->source[i]);
			return crm_error_set(err, CRM_EDATA, "columns '%s' and '%s' both give %s: keep one"
					     " (--map '%s=' leaves it out) or store it apart (--map '%s=%s2')",
					     m->source[k], m->source[i], m->field[i], m->source[i],
					     m->source[i], m->field[i]);
		}
	}
	return CRM_OK;
}

/* Each --map must name a column of the header: a typo must not pass. */
static int unused_maps(const crm_reader *r, const struct column_map *m, crm_error *err)
{
	for (size_t k = 0; k < r->opts.nmap; k++) {
		const char *opt = r->opts.map[k], *eq = strchr(opt, '=');
		size_t slen = eq ? (size_t)(eq - opt) : strlen(opt);
		bool found = false;
		for (size_t i = 0; i < m->n && !found; i++) {
			const char *f;
			size_t len;
			found = mapped_by_option(r, m->source[i], i, &f, &len) && f == eq + 1;
		}
		if (!found)
			return crm_error_set(err, CRM_EUSAGE, "--map %s: the header has no column '%.*s'",
					     opt, (int)slen, opt);
	}
	return CRM_OK;
}

/* A header that is one column holding a separator is a file read with the
 * wrong one: its header line would otherwise be stored as a record. */
static int one_column_of_many(const struct column_map *m, crm_error *err)
{
	static const char seps[] = ",;\t|";
	if (m->n != 1)
		return CRM_OK;
	for (const char *s = seps; *s; s++)
		if (strchr(m->source[0], *s)) {
			char shown[8];
			snprintf(shown, sizeof shown, *s == '\t' ? "tab" : "'%c'", *s);
			return crm_error_set(err, CRM_EDATA, "the header is one column, '%s', which holds %s:"
					     " is the file separated by %s? (--delimiter says which)",
					     m->source[0], shown, shown);
		}
	return CRM_OK;
}

enum crm_read columns_header(crm_reader *r, const crm_record *row, crm_error *err)
{
	if (row->n > RECORD_FIELDS_MAX)
		return reader_fail(r, err, row->line, "more than %d fields in one record: is this the right"
				   " file?", RECORD_FIELDS_MAX);
	const char **names = crm_xmalloc((row->n + 1) * sizeof *names);
	char **trimmed = crm_xmalloc((row->n + 1) * sizeof *trimmed);
	bool named = false;
	enum crm_read rc = CRM_READ_OK;
	for (size_t i = 0; i < row->n; i++) {
		size_t len = row->values[i].len;
		const char *s = crm_trim(row->values[i].s, &len);
		trimmed[i] = crm_xmalloc(len + 1);
		memcpy(trimmed[i], s, len);
		trimmed[i][len] = '\0';
		names[i] = trimmed[i];
		named |= len > 0;
		if (crm_utf8_valid_prefix(s, len) != len && rc == CRM_READ_OK)
			rc = reader_fail(r, err, row->line, "invalid UTF-8 in the header (give the file's"
					 " encoding with --encoding)");
	}
	if (rc == CRM_READ_OK && !named)
		rc = reader_fail(r, err, row->line, "the header line has no names: the first line must"
				 " name the columns");
	if (rc == CRM_READ_OK) {
		map_names(r, &r->header, names, row->n);
		int bad = unused_maps(r, &r->header, err);
		if (bad == CRM_OK)
			bad = conflicts(&r->header, err);
		if (bad == CRM_OK && r->fmt != CRM_FMT_IDS)
			bad = one_column_of_many(&r->header, err);
		if (bad != CRM_OK) {
			int code = err->code;
			rc = reader_fail(r, err, row->line, "%s", err->msg);
			err->code = code;
		}
	}
	for (size_t i = 0; i < row->n; i++)
		free(trimmed[i]);
	free(trimmed);
	free(names);
	if (rc != CRM_READ_OK)
		return rc;
	r->names = r->header.field;
	r->nheader = r->header.n;
	for (size_t i = 0; i < r->nheader; i++)
		if (r->header.how[i] == COL_UNNAMED) {
			r->has_unnamed = true;
			r->info.empty_columns++;
		}
	return CRM_READ_OK;
}

/* ---- values ---- */

static crm_buf *scratch(crm_reader *r, size_t i)
{
	if (i >= r->nscratch) {
		size_t n = i + 16;
		r->scratch = crm_xrealloc(r->scratch, n * sizeof *r->scratch);
		memset(r->scratch + r->nscratch, 0, (n - r->nscratch) * sizeof *r->scratch);
		r->nscratch = n;
	}
	crm_buf_reset(&r->scratch[i]);
	return &r->scratch[i];
}

static bool all_digits(const crm_value *v, size_t min, size_t max)
{
	size_t len = v->len;
	const char *s = crm_trim(v->s, &len);
	if (len < min || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void set_text(crm_value *v, crm_buf *b)
{
	*v = (crm_value){CRM_TEXT, b->p ? b->p : "", b->len};
}

/* WeChat's sex: 1 man, 2 woman, 0 not known. Other values go on as given. */
static void read_sex(crm_value *v, crm_buf *b)
{
	size_t len = v->len;
	const char *s = crm_trim(v->s, &len);
	if (len != 1 || s[0] < '0' || s[0] > '2')
		return;
	crm_buf_adds(b, s[0] == '1' ? "男" : s[0] == '2' ? "女" : "");
	set_text(v, b);
}

static void read_unix_time(crm_value *v, crm_buf *b)
{
	if (!all_digits(v, 1, 12))
		return;
	time_t t = (time_t)strtoll(v->s, NULL, 10);
	struct tm tm;
	char text[24];
	if (!localtime_r(&t, &tm) || !strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	crm_buf_adds(b, text);
	set_text(v, b);
}

/* A number in a date column of a workbook is Excel's count of days. */
static void read_serial(const crm_reader *r, crm_value *v, crm_buf *b, bool stamp)
{
	if (v->type != CRM_INT && v->type != CRM_REAL)
		return;
	char text[20];
	double serial = strtod(v->s, NULL);
	if (crm_xlsx_serial_text(serial, crm_xlsx_date1904(r->xlsx), stamp, text) != CRM_OK)
		return;
	crm_buf_adds(b, text);
	set_text(v, b);
}

static void read_value(crm_reader *r, enum column_read how, size_t i, crm_value *v)
{
	if (!v->s || how == COL_AS_IS || how == COL_UNNAMED)
		return;
	crm_buf *b = scratch(r, i);
	switch (how) {
	case COL_SEX: read_sex(v, b); break;
	case COL_UNIX_TIME: read_unix_time(v, b); break;
	case COL_DATE: read_serial(r, v, b, false); break;
	case COL_STAMP: read_serial(r, v, b, true); break;
	case COL_AS_IS:
	case COL_UNNAMED: break;
	}
}

static bool blank(const crm_value *v)
{
	size_t len = v->len;
	if (!v->s)
		return true;
	crm_trim(v->s, &len);
	return len == 0;
}

/* ---- rows of a header's shape ---- */

static enum crm_read unnamed_value(crm_reader *r, const crm_record *rec, size_t i, crm_error *err)
{
	char label[32], shown[48];
	size_t len = rec->values[i].len;
	const char *s = crm_trim(rec->values[i].s, &len);
	size_t cut = crm_utf8_valid_prefix(s, len < 30 ? len : 30);
	snprintf(shown, sizeof shown, "%.*s%s", (int)cut, s, cut < len ? "..." : "");
	return reader_fail(r, err, rec->line, "%s has no name in the header, but holds '%s' here:"
			   " name it in the header, or give it a field with --map %zu=FIELD (--map %zu="
			   " leaves it out)", column_label(i, label), shown, i + 1, i + 1);
}

enum crm_read columns_row(crm_reader *r, struct crm_builder *b, crm_error *err)
{
	crm_record *rec = &b->rec;
	crm_error_clear(err);
	bool empty = true;
	for (size_t i = 0; i < rec->n && empty; i++)
		empty = blank(&rec->values[i]);
	if (empty) {
		r->info.empty_rows++;
		return (enum crm_read)CRM_READ_SKIP;
	}
	/* Cells past the header that are empty are a spreadsheet's, not data. */
	while (rec->n > r->nheader && blank(&rec->values[rec->n - 1]))
		rec->n--;
	if (r->fmt == CRM_FMT_XLSX && rec->n > r->nheader)
		return unnamed_value(r, rec, r->nheader, err);
	for (size_t i = 0; r->has_unnamed && i < rec->n && i < r->nheader; i++)
		if (r->header.how[i] == COL_UNNAMED && !blank(&rec->values[i]))
			return unnamed_value(r, rec, i, err);
	size_t need = r->nheader; /* a spreadsheet's row may stop before its unnamed columns */
	while (need > rec->n && r->header.how[need - 1] == COL_UNNAMED)
		need--;
	if (rec->n != need) {
		crm_error_set(err, CRM_EDATA, "expected %zu fields, found %zu", r->nheader, rec->n);
		crm_error_at(err, r->source, rec->line, 0);
		return CRM_READ_BAD_ROW;
	}
	for (size_t i = 0; i < rec->n; i++) {
		const crm_value *v = &rec->values[i];
		if (crm_utf8_valid_prefix(v->s, v->len) != v->len) {
			crm_error_set(err, CRM_EDATA, "%s: invalid UTF-8 (give the file's encoding with"
				      " --encoding, such as gb18030)", *rec->names[i] ? rec->names[i]
				      : r->header.source[i]);
			crm_error_at(err, r->source, rec->line, 0);
			return CRM_READ_BAD_ROW;
		}
	}
	for (size_t i = 0; r->header.converts && i < rec->n; i++)
		read_value(r, r->header.how[i], i, &b->values[i]);
	rec->source_names = (const char *const *)r->header.source;
	return CRM_READ_OK;
}

/* ---- json objects: their keys are a header of their own ---- */

static bool same_keys(const struct column_map *m, json_t *obj)
{
	if (!m->source || m->n != json_object_size(obj))
		return false;
	size_t i = 0;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (strcmp(m->source[i++], key) != 0)
			return false;
	}
	return true;
}

int columns_json_keys(crm_reader *r, json_t *obj, crm_error *err)
{
	if (same_keys(&r->keys, obj))
		return CRM_OK;
	size_t n = json_object_size(obj), i = 0;
	const char **names = crm_xmalloc((n + 1) * sizeof *names);
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		names[i++] = key;
	}
	map_names(r, &r->keys, names, n);
	free(names);
	for (i = 0; i < n; i++) /* a key is not trimmed: "" is the only unnamed one */
		if (r->keys.how[i] == COL_UNNAMED && *r->keys.source[i])
			r->keys.how[i] = COL_AS_IS;
	return conflicts(&r->keys, err);
}

const char *columns_json_field(const crm_reader *r, size_t i)
{
	return r->keys.field[i];
}

void columns_json_values(crm_reader *r, struct crm_builder *b)
{
	for (size_t i = 0; r->keys.converts && i < b->rec.n; i++)
		read_value(r, r->keys.how[i], i, &b->values[i]);
	b->rec.source_names = (const char *const *)r->keys.source;
}
