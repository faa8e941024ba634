/* functions.c: SQL functions that expressions compile to.
 *   crm_regexp(pattern, text): PCRE2 in UTF mode; 1, 0, or NULL for NULL text.
 *   crm_number(text): the number text spells, or NULL.
 *   crm_days_to_birthday(birthday, day): days to the next birthday, or NULL. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"

/* A pattern that backtracks without end is stopped, not left to hang. */
#define MATCH_LIMIT 10000000
#define DEPTH_LIMIT 100000

struct compiled {
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

static void compiled_free(void *p)
{
	struct compiled *c = p;
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mc);
	pcre2_code_free(c->re);
	free(c);
}

/* The pattern is compiled once a statement: SQLite keeps it with the
 * constant argument as auxiliary data, row after row. */
static struct compiled *pattern_for(sqlite3_context *ctx, sqlite3_value *arg)
{
	struct compiled *c = sqlite3_get_auxdata(ctx, 0);
	if (c)
		return c;
	const char *pattern = (const char *)sqlite3_value_text(arg);
	if (!pattern) {
		sqlite3_result_error(ctx, "a regular expression is missing", -1);
		return NULL;
	}
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_UCP, &code, &offset, NULL);
	if (!re) {
		sqlite3_result_error(ctx, "bad regular expression", -1);
		return NULL;
	}
	/* Faster where it can; fine where not. CRM_REGEX_JIT=0 turns it off for
	 * valgrind, which cannot see into JIT code (its vector reads past the
	 * end of a string look like errors). */
	const char *jit = getenv("CRM_REGEX_JIT");
	if (!jit || strcmp(jit, "0") != 0)
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	c = calloc(1, sizeof *c);
	if (!c) {
		pcre2_code_free(re);
		sqlite3_result_error_nomem(ctx);
		return NULL;
	}
	c->re = re;
	c->md = pcre2_match_data_create_from_pattern(re, NULL);
	c->mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(c->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(c->mc, DEPTH_LIMIT);
	sqlite3_set_auxdata(ctx, 0, c, compiled_free);
	c = sqlite3_get_auxdata(ctx, 0); /* NULL when SQLite could not keep it: it is freed */
	if (!c)
		sqlite3_result_error(ctx, "the regular expression must be a constant", -1);
	return c;
}

static void regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	struct compiled *c = pattern_for(ctx, argv[0]);
	if (!c)
		return; /* the error is set */
	const char *text = (const char *)sqlite3_value_text(argv[1]);
	int len = sqlite3_value_bytes(argv[1]);
	int rc = pcre2_match(c->re, (PCRE2_SPTR)text, (PCRE2_SIZE)len, 0, 0, c->md, c->mc);
	if (rc >= 0)
		sqlite3_result_int(ctx, 1);
	else if (rc == PCRE2_ERROR_NOMATCH)
		sqlite3_result_int(ctx, 0);
	else if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
		sqlite3_result_error(ctx, "the regular expression takes too long (it backtracks without end)", -1);
	else
		sqlite3_result_error(ctx, "the regular expression could not be matched", -1);
}

static void number_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	int type = sqlite3_value_type(argv[0]);
	if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char *end;
	if (!s || !*s) {
		sqlite3_result_null(ctx);
		return;
	}
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (*end)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_double(ctx, v);
}

/* crm_decimal(x): a real result of arithmetic to 15 significant digits,
 * which every double holds exactly: amounts are cents / 100.0, and 1311.81
 * - 139.18 is 1172.6299999999999 in binary; as a person reads it, and as
 * the literal 1172.63 parses, it is 1172.63. Integers and null pass. */
static void decimal_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_FLOAT) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	char text[32];
	snprintf(text, sizeof text, "%.15g", sqlite3_value_double(argv[0]));
	sqlite3_result_double(ctx, strtod(text, NULL));
}

static void days_to_birthday_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *birthday = (const char *)sqlite3_value_text(argv[0]);
	const char *day = (const char *)sqlite3_value_text(argv[1]);
	int days = birthday && day ? crm_days_to_birthday(birthday, day) : -1;
	if (days >= 0)
		sqlite3_result_int(ctx, days);
}

/* crm_valid(kind, value): 1 when value is what crm-add would store for it. */
static void valid_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *kind = (const char *)sqlite3_value_text(argv[0]);
	const char *value = (const char *)sqlite3_value_text(argv[1]);
	if (!kind || !value) {
		sqlite3_result_null(ctx);
		return;
	}
	char out[256];
	int rc = CRM_EDATA;
	if (strlen(value) < sizeof out - 40) {
		if (!strcmp(kind, "phone"))
			rc = crm_norm_phone(value, out, sizeof out, NULL);
		else if (!strcmp(kind, "email"))
			rc = crm_norm_email(value, out, sizeof out, NULL);
		else if (!strcmp(kind, "gender"))
			rc = crm_norm_gender(value, out, sizeof out, NULL);
		else if (!strcmp(kind, "date"))
			rc = crm_norm_date(value, out, sizeof out, NULL);
	}
	sqlite3_result_int(ctx, rc == CRM_OK && strcmp(out, value) == 0);
}

int crm_regex_check(const char *pattern, crm_error *err)
{
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
				       &code, &offset, NULL);
	if (re) {
		pcre2_code_free(re);
		return CRM_OK;
	}
	PCRE2_UCHAR reason[256];
	pcre2_get_error_message(code, reason, sizeof reason);
	return crm_error_set(err, CRM_EDATA, "bad regular expression: %s (at character %zu of the pattern)",
			     (const char *)reason, (size_t)offset + 1);
}

/* The bytes of the UTF-8 character at p. */
static size_t char_len(const char *p)
{
	unsigned char c = (unsigned char)*p;
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The longest run of plain characters that every match of a pattern holds,
 * when it can tell and the run has 3 characters or more. Conservative: no answer for
 * alternation at the top, inline options other than a leading (?i), \Q.
 * Groups, classes, escapes and metacharacters end a run; a quantifier takes
 * back the character before it (* ? {) or ends the run after it (+). */
char *crm_regex_literal(const char *p)
{
	crm_buf run = {0}, best = {0};
	size_t run_chars = 0, best_chars = 0;
	int depth = 0;
	if (!strncmp(p, "(?i)", 4))
		p += 4;
	bool ok = true;
	while (*p && ok) {
		char c = *p;
		size_t n = char_len(p);
		bool literal = depth == 0 && n == 1 ? !strchr("\\.^$|()[]{}*+?", c) : depth == 0;
		if (literal) {
			crm_buf_add(&run, p, n);
			run_chars++;
			p += n;
			continue;
		}
		if (strchr("*?{", c) && run_chars) { /* the last character may be absent */
			size_t k = run.len;
			while (k > 0 && ((unsigned char)run.p[k - 1] & 0xC0) == 0x80)
				k--;
			run.len = k ? k - 1 : 0;
			run_chars--;
		}
		if (run_chars > best_chars) {
			crm_buf_reset(&best);
			crm_buf_add(&best, run.p, run.len);
			best_chars = run_chars;
		}
		crm_buf_reset(&run);
		run_chars = 0;
		if (c == '\\') { /* \x41, \p{Han}, \k<n>, \cX: skip what may belong to it */
			ok = p[1] != 'Q' && p[1] != '\0';
			p += ok ? 1 + char_len(p + 1) : 0;
			while (ok && isalnum((unsigned char)*p))
				p++;
			const char *close = *p == '{' ? "}" : *p == '<' ? ">" : *p == '\'' ? "'" : NULL;
			if (ok && close) {
				p = strchr(p, *close);
				ok = p != NULL;
				p += ok;
			}
		} else if (c == '[') { /* to the end of the class: ] first is a member */
			p += p[1] == '^' ? 2 : 1;
			p += *p == ']';
			while (*p && *p != ']')
				p += *p == '\\' && p[1] ? 2 : 1;
			ok = *p == ']';
			p += ok;
		} else {
			ok = !(c == '|' && depth == 0) && !(c == '(' && p[1] == '?');
			depth += c == '(' ? 1 : c == ')' ? -1 : 0;
			p += n;
		}
	}
	if (ok && run_chars > best_chars) {
		crm_buf_reset(&best);
		crm_buf_add(&best, run.p, run.len);
		best_chars = run_chars;
	}
	crm_buf_free(&run);
	if (!ok || best_chars < 3 || depth != 0) {
		crm_buf_free(&best);
		return NULL;
	}
	crm_buf_addc(&best, '\0');
	return best.p;
}

/* crm_unhex(TEXT): the bytes hex() wrote, or NULL (SQLite 3.41 has unhex(),
 * Debian's 3.40 not yet). A dump's suppression hashes come back this way. */
static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
		: c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void unhex_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t len = s ? strlen(s) : 1;
	if (len % 2)
		return; /* NULL */
	unsigned char *out = sqlite3_malloc64(len / 2 + 1);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0) {
			sqlite3_free(out);
			return;
		}
		out[i / 2] = (unsigned char)(hi * 16 + lo);
	}
	sqlite3_result_blob(ctx, out, (int)(len / 2), sqlite3_free);
}

int crm_function_register(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	if (sqlite3_create_function(db, "crm_regexp", 2, flags, NULL, regexp_fn, NULL, NULL) ||
	    sqlite3_create_function(db, "crm_number", 1, flags, NULL, number_fn, NULL, NULL) ||
	    sqlite3_create_function(db, "crm_decimal", 1, flags, NULL, decimal_fn, NULL, NULL) ||
	    sqlite3_create_function(db, "crm_days_to_birthday", 2, flags, NULL, days_to_birthday_fn,
				    NULL, NULL) ||
	    sqlite3_create_function(db, "crm_valid", 2, flags, NULL, valid_fn, NULL, NULL) ||
	    sqlite3_create_function(db, "crm_unhex", 1, flags, NULL, unhex_fn, NULL, NULL))
		return CRM_EDB;
	return CRM_OK;
}
