/* models.c: score models (评分模型) as text a person keeps in version
 * control: `grade NAME FLOOR` and `rule POINTS EXPR [# LABEL]` lines, or, for
 * the built-in rfm, its segment table as `segment R F M NAME` lines. Every
 * version is kept; the latest is the one used. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

/* The segment table of the R rfm package, which SPEC makes the default. */
const char crm_rfm_default_text[] =
	"# rfm: its segment table. A customer is in the first segment whose ranges\n"
	"# hold its R, F and M scores (1 to 5), and in Others when none does.\n"
	"#       R   F   M   name\n"
	"segment 4-5 4-5 4-5 Champions\n"
	"segment 2-5 3-5 3-5 Loyal Customers\n"
	"segment 3-5 1-3 1-3 Potential Loyalist\n"
	"segment 4-5 1   1   New Customers\n"
	"segment 3-4 1   1   Promising\n"
	"segment 2-3 2-3 2-3 Need Attention\n"
	"segment 2-3 1-2 1-2 About To Sleep\n"
	"segment 1-2 2-5 2-5 At Risk\n"
	"segment 1   4-5 4-5 Can't Lose Them\n"
	"segment 1-2 1-2 1-2 Lost\n";

void crm_model_free(crm_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrules; i++) {
		free(m->rules[i].expr);
		free(m->rules[i].label);
	}
	for (size_t i = 0; i < m->ngrades; i++)
		free(m->grades[i].name);
	for (size_t i = 0; i < m->nsegments; i++)
		free(m->segments[i].name);
	free(m->rules);
	free(m->grades);
	free(m->segments);
	free(m->name);
	free(m->text);
	free(m);
}

int crm_model_name_check(const char *name, crm_error *err)
{
	size_t len = strlen(name);
	if (len == 0 || len > 64)
		return crm_error_set(err, CRM_EUSAGE, "a model's name has 1 to 64 bytes");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p <= 0x20 || *p == 0x7F || *p == ',')
			return crm_error_set(err, CRM_EUSAGE, "model '%s': no spaces, commas or control"
					     " characters in a model's name", name);
	return CRM_OK;
}

/* ---- parsing ---- */

struct parse {
	crm_db *db;
	crm_model *m;
	const char *source, *text;
	int line;
	const char *start; /* of the line */
	crm_error *err;
};

static int fail_at(struct parse *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An error at a place in the line: file:line:column, and the line with a caret. */
static int fail_at(struct parse *p, const char *at, const char *fmt, ...)
{
	if (!p->err)
		return CRM_EDATA;
	char msg[sizeof p->err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int col = 1;
	for (const unsigned char *c = (const unsigned char *)p->start; c < (const unsigned char *)at; c++)
		col += (*c & 0xC0) != 0x80;
	crm_error_set(p->err, CRM_EDATA, "%s", msg);
	crm_error_at(p->err, p->source, p->line, col);
	crm_error_caret(p->err, p->text, p->line, col);
	return CRM_EDATA;
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *word_end(const char *s, const char *end)
{
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	return s;
}

/* A number, the whole word; false when it is not one. */
static bool number_word(const char *s, const char *end, double *v)
{
	char buf[64];
	size_t len = (size_t)(end - s);
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *stop;
	*v = strtod(buf, &stop);
	return *stop == '\0' && (isdigit((unsigned char)buf[0]) || buf[0] == '-' || buf[0] == '+');
}

static char *dup_range(const char *s, const char *end)
{
	size_t len = (size_t)(end - s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	char *out = crm_xmalloc(len + 1);
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

/* Where a rule's expression ends: at a '#' outside quotes. */
static const char *expr_end(const char *s, const char *end)
{
	char quote = 0;
	for (; s < end; s++) {
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (!quote && *s == '#')
			return s;
	}
	return end;
}

static int parse_grade(struct parse *p, const char *s, const char *end)
{
	s = skip_space(s, end);
	const char *name_end = word_end(s, end);
	if (s == name_end)
		return fail_at(p, s, "a grade needs a name and a floor: grade A 80");
	const char *f = skip_space(name_end, end), *f_end = word_end(f, end);
	double floor;
	if (!number_word(f, f_end, &floor))
		return fail_at(p, f, "a grade's floor is a number: grade A 80");
	if (skip_space(f_end, end) != end && *skip_space(f_end, end) != '#')
		return fail_at(p, skip_space(f_end, end), "a grade line is: grade NAME FLOOR");
	char *name = dup_range(s, name_end);
	for (size_t i = 0; i < p->m->ngrades; i++)
		if (!strcmp(p->m->grades[i].name, name)) {
			free(name);
			return fail_at(p, s, "grade '%s' is given twice", p->m->grades[i].name);
		}
	p->m->grades = crm_xrealloc(p->m->grades, (p->m->ngrades + 1) * sizeof *p->m->grades);
	p->m->grades[p->m->ngrades++] = (struct crm_model_grade){name, floor};
	return CRM_OK;
}

/* The expression's own error, moved to its place in the file. */
static int expr_fail(struct parse *p, const char *expr_at, const crm_error *why)
{
	const char *at = expr_at;
	for (long c = 1; c < why->column && *at && *at != '\n'; c++) {
		at++;
		while (((unsigned char)*at & 0xC0) == 0x80)
			at++;
	}
	return fail_at(p, at, "%s", why->msg);
}

static int parse_rule(struct parse *p, const char *s, const char *end)
{
	s = skip_space(s, end);
	const char *pts_end = word_end(s, end);
	double points;
	if (!number_word(s, pts_end, &points))
		return fail_at(p, s, "a rule starts with its points: rule 40 sum(purchase, 365d) >= 5000");
	const char *e = skip_space(pts_end, end), *e_end = expr_end(e, end);
	char *expr = dup_range(e, e_end);
	if (!*expr) {
		free(expr);
		return fail_at(p, e, "a rule needs an expression after its points");
	}
	crm_expr *compiled;
	crm_error why;
	if (crm_expr_new(&compiled, p->db, expr, &why) != CRM_OK) {
		free(expr);
		return expr_fail(p, e, &why);
	}
	crm_expr_free(compiled);
	char *label = e_end < end ? dup_range(skip_space(e_end + 1, end), end) : NULL;
	if (label && !*label) {
		free(label);
		label = NULL;
	}
	p->m->rules = crm_xrealloc(p->m->rules, (p->m->nrules + 1) * sizeof *p->m->rules);
	p->m->rules[p->m->nrules++] = (struct crm_model_rule){points, expr, label, p->line};
	return CRM_OK;
}

/* A score range: 3, or 2-5, within 1 to 5. */
static bool score_range(const char *s, const char *end, int *lo, int *hi)
{
	if (end - s == 1 && s[0] >= '1' && s[0] <= '5') {
		*lo = *hi = s[0] - '0';
		return true;
	}
	if (end - s == 3 && s[1] == '-' && s[0] >= '1' && s[0] <= '5' && s[2] >= '1' && s[2] <= '5' &&
	    s[0] <= s[2]) {
		*lo = s[0] - '0';
		*hi = s[2] - '0';
		return true;
	}
	return false;
}

static int parse_segment(struct parse *p, const char *s, const char *end)
{
	struct crm_model_segment seg;
	for (int i = 0; i < 3; i++) {
		s = skip_space(s, end);
		const char *w = word_end(s, end);
		if (!score_range(s, w, &seg.lo[i], &seg.hi[i]))
			return fail_at(p, s, "a segment gives R, F and M as scores or ranges from 1 to 5,"
				       " then its name: segment 4-5 4-5 4-5 Champions");
		s = w;
	}
	s = skip_space(s, end);
	if (s == end)
		return fail_at(p, s, "a segment needs a name after its R, F and M ranges");
	seg.name = dup_range(s, end);
	p->m->segments = crm_xrealloc(p->m->segments, (p->m->nsegments + 1) * sizeof *p->m->segments);
	p->m->segments[p->m->nsegments++] = seg;
	return CRM_OK;
}

static int parse_line(struct parse *p, const char *s, const char *end)
{
	s = skip_space(s, end);
	if (s == end || *s == '#' || (*s == '\r' && s + 1 == end))
		return CRM_OK;
	const char *w = word_end(s, end);
	size_t len = (size_t)(w - s);
	if (p->m->rfm) {
		if (len == 7 && !memcmp(s, "segment", 7))
			return parse_segment(p, w, end);
		return fail_at(p, s, "the rfm model holds segment lines: segment R F M NAME");
	}
	if (len == 5 && !memcmp(s, "grade", 5))
		return parse_grade(p, w, end);
	if (len == 4 && !memcmp(s, "rule", 4))
		return parse_rule(p, w, end);
	return fail_at(p, s, "a line of a model is a grade, a rule or a # comment");
}

static int check_whole(struct parse *p)
{
	crm_model *m = p->m;
	p->line = 0;
	if (m->rfm && !m->nsegments)
		return crm_error_set(p->err, CRM_EDATA, "%s: the rfm model needs at least one segment line",
				     p->source);
	if (!m->rfm && (!m->nrules || !m->ngrades))
		return crm_error_set(p->err, CRM_EDATA, "%s: a model needs at least one grade line and"
				     " one rule line", p->source);
	return CRM_OK;
}

int crm_model_parse(crm_model **out, crm_db *db, const char *name, const char *text,
		    const char *source, crm_error *err)
{
	*out = NULL;
	if (crm_model_name_check(name, err) != CRM_OK)
		return CRM_EUSAGE;
	if (crm_utf8_valid_prefix(text, strlen(text)) != strlen(text))
		return crm_error_set(err, CRM_EDATA, "%s: not valid UTF-8", source);
	crm_model *m = crm_xmalloc(sizeof *m);
	*m = (crm_model){.name = crm_xstrdup(name), .text = crm_xstrdup(text)};
	m->rfm = !strcmp(name, "rfm");
	struct parse p = {db, m, source, text, 0, text, err};
	int rc = CRM_OK;
	for (const char *s = text; rc == CRM_OK && *s;) {
		const char *end = s + strcspn(s, "\n");
		p.line++;
		p.start = s;
		rc = parse_line(&p, s, end);
		s = *end ? end + 1 : end;
	}
	if (rc == CRM_OK)
		rc = check_whole(&p);
	if (rc != CRM_OK) {
		crm_model_free(m);
		return rc;
	}
	*out = m;
	return CRM_OK;
}

/* ---- storing ---- */

/* The latest text of a model (rfm: its default when none is stored). */
static int latest_text(crm_db *db, const char *name, char **text, int *version, crm_error *err)
{
	crm_stmt *st;
	*text = NULL;
	*version = 0;
	if (crm_db_prepare(db, &st, "SELECT body, version FROM models WHERE name = ?1"
			   " ORDER BY version DESC LIMIT 1", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	if (crm_stmt_step(st) == CRM_ROW) {
		*text = crm_xstrdup(crm_stmt_text(st, 0));
		*version = crm_stmt_int(st, 1);
	}
	crm_stmt_finalize(st);
	if (!*text && !strcmp(name, "rfm"))
		*text = crm_xstrdup(crm_rfm_default_text);
	if (!*text)
		return crm_name_missing(CRM_CATALOG_MODEL, name, err);
	return CRM_OK;
}

int crm_model_show(crm_db *db, const char *name, char **text, crm_error *err)
{
	int version;
	return latest_text(db, name, text, &version, err);
}

int crm_model_load(crm_model **m, crm_db *db, const char *name, crm_error *err)
{
	char *text;
	int version;
	*m = NULL;
	if (latest_text(db, name, &text, &version, err) != CRM_OK)
		return err ? err->code : CRM_EDATA;
	crm_error why;
	int rc = crm_model_parse(m, db, name, text, name, &why);
	free(text);
	if (rc != CRM_OK) /* a field it used was since dropped, say */
		return crm_error_set(err, CRM_EDATA, "model '%s' no longer compiles: %s", name, why.msg);
	(*m)->version = version;
	return CRM_OK;
}

/* The first model defined becomes the one the fields score and grade read. */
static int default_model(crm_db *db, const crm_model *m, const crm_clock *clock, bool *became,
			 crm_error *err)
{
	*became = false;
	if (m->rfm)
		return CRM_OK;
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "INSERT INTO settings (key, value, updated_at)"
			   " VALUES ('score.model', ?1, ?2) ON CONFLICT (key) DO UPDATE SET"
			   " value = excluded.value, updated_at = excluded.updated_at"
			   " WHERE settings.value = ''", err) != CRM_OK)
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, m->name, -1);
	crm_stmt_bind_text(st, 2, clock->now, -1);
	int rc = crm_stmt_step(st);
	*became = crm_db_changes(db) > 0;
	crm_stmt_finalize(st);
	return rc == CRM_DONE ? CRM_OK : crm_db_fail(db, err, NULL);
}

int crm_model_define(crm_db *db, const crm_model *m, const crm_clock *clock, int *version,
		     bool *became_default, crm_error *err)
{
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	crm_stmt *st;
	int rc = crm_db_prepare(db, &st,
				"INSERT INTO models (name, version, body, created_at) SELECT ?1,"
				" coalesce(max(version), 0) + 1, ?2, ?3 FROM models WHERE name = ?1"
				" RETURNING version", err);
	if (rc == CRM_OK) {
		crm_stmt_bind_text(st, 1, m->name, -1);
		crm_stmt_bind_text(st, 2, m->text, -1);
		crm_stmt_bind_text(st, 3, clock->now, -1);
		if (crm_stmt_step(st) == CRM_ROW)
			*version = crm_stmt_int(st, 0);
		else
			rc = crm_db_fail(db, err, NULL);
		crm_stmt_finalize(st);
	}
	if (rc == CRM_OK)
		rc = default_model(db, m, clock, became_default, err);
	if (rc != CRM_OK) {
		crm_db_rollback(db);
		return rc;
	}
	return crm_db_commit(db, err);
}

const char *const crm_model_list_columns[6] = {
	"model", "version", "rules", "grades", "customers", "defined_at",
};

/* A model's grades in order, ';'-joined; rfm's are its segments, then Others. */
void crm_model_grades(const crm_model *m, crm_buf *out)
{
	crm_buf_reset(out);
	size_t n = m->rfm ? m->nsegments : m->ngrades;
	for (size_t i = 0; i < n; i++)
		crm_buf_printf(out, "%s%s", i ? ";" : "", m->rfm ? m->segments[i].name : m->grades[i].name);
	if (m->rfm)
		crm_buf_adds(out, ";Others");
}

static int list_row(crm_writer *out, crm_stmt *st, const crm_model *m, crm_buf *grades,
		    crm_error *err)
{
	char nums[3][32];
	snprintf(nums[0], 32, "%d", crm_stmt_int(st, 1));
	snprintf(nums[1], 32, "%zu", m->nrules);
	snprintf(nums[2], 32, "%lld", (long long)crm_stmt_int64(st, 3));
	const char *at = crm_stmt_text(st, 2);
	crm_model_grades(m, grades);
	crm_value row[6] = {
		{CRM_TEXT, m->name, strlen(m->name)},
		{CRM_INT, nums[0], strlen(nums[0])},
		{m->rfm ? CRM_NULL : CRM_INT, m->rfm ? NULL : nums[1], m->rfm ? 0 : strlen(nums[1])},
		{CRM_LIST, grades->p, grades->len},
		{CRM_INT, nums[2], strlen(nums[2])},
		{at ? CRM_TEXT : CRM_NULL, at, at ? strlen(at) : 0},
	};
	return crm_writer_put(out, row, err);
}

int crm_model_list(crm_db *db, crm_writer *out, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st,
			   "SELECT name, max(version), max(created_at),"
			   " (SELECT count(*) FROM scores s WHERE s.model = m.name)"
			   " FROM models m GROUP BY name UNION ALL"
			   " SELECT 'rfm', 0, NULL, (SELECT count(*) FROM scores WHERE model = 'rfm')"
			   " WHERE NOT EXISTS (SELECT 1 FROM models WHERE name = 'rfm') ORDER BY 1",
			   err) != CRM_OK)
		return CRM_EDB;
	int rc = CRM_OK;
	crm_buf grades = {0};
	while (rc == CRM_OK && crm_stmt_step(st) == CRM_ROW) {
		crm_model *m;
		rc = crm_model_load(&m, db, crm_stmt_text(st, 0), err);
		if (rc == CRM_OK)
			rc = list_row(out, st, m, &grades, err);
		crm_model_free(m);
	}
	crm_buf_free(&grades);
	crm_stmt_finalize(st);
	return rc;
}
