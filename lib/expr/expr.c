/* expr.c: the expression language of crm-expr(7). A lexer and a recursive-
 * descent parser build a tree; the compiler turns it into one SQL condition
 * over customers (alias c), every value from the user a bound parameter. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr/expr.h"

#define SEGMENT_DEPTH_MAX 16
/* Conditions nest (and, or, not, segments) at most this deep in the SQL:
 * SQLite's parser refuses SQL nested much deeper ("parser stack overflow").
 * The parser here recurses once a level of parentheses or not: it stops at
 * three times that, long before the stack could matter. */
#define NEST_MAX 30
#define PARSE_NEST_MAX (3 * NEST_MAX)

/* ---- tokens ---- */

enum tok {
	T_END, T_IDENT, T_STRING, T_NUMBER, T_WINDOW, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NOMATCH,
	T_AND, T_OR, T_NOT, T_IN, T_BETWEEN, T_IS, T_NULL,
	T_PLUS, T_MINUS, T_STAR, T_SLASH,
};

static const char *const tok_names[] = {
	"the end", "a name", "a string", "a number", "a window", "'('", "')'", "','",
	"'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'~'", "'!~'",
	"'and'", "'or'", "'not'", "'in'", "'between'", "'is'", "'null'",
	"'+'", "'-'", "'*'", "'/'",
};

struct token {
	enum tok kind;
	int line, col;
	char *text;  /* identifiers and strings, unescaped */
	double num;
	int days;    /* windows */
	bool quoted; /* a `field name` in backquotes */
};

struct lexer {
	const char *src, *p, *line_start;
	int line;
	struct token tok;
	crm_error *err;
	const char *source;
	bool failed;
	int nest; /* parentheses and nots open */
};

/* ---- the tree ---- */

enum node_kind {
	N_OR, N_AND, N_NOT, N_CMP, N_IN, N_BETWEEN, N_ISNULL, N_MATCH,
	N_FIELD, N_STRING, N_NUMBER, N_CALL, N_WINDOW,
	N_ARITH, /* a + b, a - b, a * b, a / b */
	N_UNARY, /* -a, +a */
	N_CHOSEN, /* the customers loaded with crm_chosen_add */
};

struct node {
	enum node_kind kind;
	enum tok op;   /* N_CMP, N_MATCH, N_ARITH, N_UNARY */
	bool negated;  /* not in, not between, is not null, !~ */
	int line, col;
	char *text;    /* field or function name, string value */
	double num;
	int days;
	struct node **kids;
	size_t nkids;
};

struct crm_expr {
	char *text;
	struct node *root;
	crm_db *db;
	bool numbers; /* a value that must be a number (crm_expr_value_new) */
};

/* ---- errors ---- */

/* Columns count characters, not bytes; the caret line counts terminal cells. */
static int column_of(const char *line_start, const char *at)
{
	int col = 1;
	for (const unsigned char *p = (const unsigned char *)line_start; p < (const unsigned char *)at; p++)
		col += (*p & 0xC0) != 0x80;
	return col;
}

/* An expression error: the reason, where, and the line with a caret. */
static void expr_error(crm_error *err, const char *source, const char *src, int line, int col,
		       const char *fmt, va_list ap)
{
	if (!err)
		return;
	char msg[sizeof err->msg];
	vsnprintf(msg, sizeof msg, fmt, ap);
	crm_error_set(err, CRM_EDATA, "%s", msg);
	crm_error_at(err, source, line, col);
	crm_error_caret(err, src, line, col);
}

static void fail_at(struct lexer *lx, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_at(struct lexer *lx, int line, int col, const char *fmt, ...)
{
	if (lx->failed)
		return;
	lx->failed = true;
	va_list ap;
	va_start(ap, fmt);
	expr_error(lx->err, lx->source, lx->src, line, col, fmt, ap);
	va_end(ap);
}

/* ---- lexer ---- */

static bool ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static void skip_blank(struct lexer *lx)
{
	for (;;) {
		char c = *lx->p;
		if (c == '\n') {
			lx->line++;
			lx->line_start = ++lx->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '#') {
			while (*lx->p && *lx->p != '\n')
				lx->p++;
		} else {
			return;
		}
	}
}

static enum tok keyword(const char *s, size_t len)
{
	static const struct {
		const char *word;
		enum tok kind;
	} words[] = {
		{"and", T_AND}, {"or", T_OR}, {"not", T_NOT}, {"in", T_IN},
		{"between", T_BETWEEN}, {"is", T_IS}, {"null", T_NULL},
	};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i].word) == len && strncasecmp(s, words[i].word, len) == 0)
			return words[i].kind;
	return T_IDENT;
}

static char *copy_text(const char *s, size_t len)
{
	char *t = crm_xmalloc(len + 1);
	memcpy(t, s, len);
	t[len] = '\0';
	return t;
}

static void lex_quoted(struct lexer *lx, char quote)
{
	crm_buf b = {0};
	lx->p++;
	for (;;) {
		if (!*lx->p) {
			fail_at(lx, lx->tok.line, lx->tok.col, "this string is not closed");
			break;
		}
		if (*lx->p == quote && lx->p[1] == quote) { /* 'O''Brien' */
			crm_buf_addc(&b, quote);
			lx->p += 2;
			continue;
		}
		if (*lx->p == quote) {
			lx->p++;
			break;
		}
		if (*lx->p == '\n') {
			lx->line++;
			lx->line_start = lx->p + 1;
		}
		crm_buf_addc(&b, *lx->p++);
	}
	lx->tok.kind = T_STRING;
	lx->tok.text = b.p ? b.p : crm_xstrdup("");
}

static void lex_backquoted(struct lexer *lx)
{
	const char *start = ++lx->p;
	while (*lx->p && *lx->p != '`' && *lx->p != '\n')
		lx->p++;
	if (*lx->p != '`') {
		fail_at(lx, lx->tok.line, lx->tok.col, "this `field name` is not closed");
		return;
	}
	lx->tok.kind = T_IDENT;
	lx->tok.quoted = true;
	lx->tok.text = copy_text(start, (size_t)(lx->p - start));
	lx->p++;
}

static void lex_number(struct lexer *lx)
{
	const char *start = lx->p;
	if (*lx->p == '-')
		lx->p++;
	while (isdigit((unsigned char)*lx->p))
		lx->p++;
	if (*lx->p == '.' && isdigit((unsigned char)lx->p[1])) {
		lx->p++;
		while (isdigit((unsigned char)*lx->p))
			lx->p++;
	}
	char *text = copy_text(start, (size_t)(lx->p - start));
	lx->tok.kind = T_NUMBER;
	lx->tok.num = strtod(text, NULL);
	if (strchr("dwmy", *lx->p) && *lx->p && !ident_char((unsigned char)lx->p[1])) {
		char window[64];
		snprintf(window, sizeof window, "%s%c", text, *lx->p);
		lx->p++;
		lx->tok.kind = T_WINDOW;
		if (crm_window_days(window, &lx->tok.days) != CRM_OK)
			fail_at(lx, lx->tok.line, lx->tok.col,
				"'%s' is not a window: a whole number of days, weeks, months or years (90d, 12w, 6m, 1y)",
				window);
	} else if (ident_char((unsigned char)*lx->p)) {
		fail_at(lx, lx->tok.line, lx->tok.col, "'%s%c...' is neither a number nor a window (90d)",
			text, *lx->p);
	}
	free(text);
}

static bool lex_operator(struct lexer *lx)
{
	static const struct {
		const char *text;
		enum tok kind;
	} ops[] = {
		{"!=", T_NE}, {"<>", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"==", T_EQ}, {"!~", T_NOMATCH},
		{"=", T_EQ}, {"<", T_LT}, {">", T_GT}, {"~", T_MATCH}, {"(", T_LPAREN}, {")", T_RPAREN},
		{",", T_COMMA}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH},
	};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(lx->p, ops[i].text, n) == 0) {
			lx->tok.kind = ops[i].kind;
			lx->p += n;
			return true;
		}
	}
	return false;
}

/* After a value, '-' subtracts (a-1, since(purchase)-1); elsewhere it may
 * start a negative number (> -1, in (-1, 2)) or a window (-90d, refused). */
static bool ends_value(enum tok kind)
{
	return kind == T_IDENT || kind == T_STRING || kind == T_NUMBER || kind == T_WINDOW ||
	       kind == T_RPAREN;
}

static void next(struct lexer *lx)
{
	enum tok before = lx->tok.kind;
	free(lx->tok.text);
	memset(&lx->tok, 0, sizeof lx->tok);
	skip_blank(lx);
	lx->tok.line = lx->line;
	lx->tok.col = column_of(lx->line_start, lx->p);
	unsigned char c = (unsigned char)*lx->p;
	if (!c) {
		lx->tok.kind = T_END;
	} else if (c == '\'' || c == '"') {
		lex_quoted(lx, (char)c);
	} else if (c == '`') {
		lex_backquoted(lx);
	} else if (isdigit(c) || (c == '-' && isdigit((unsigned char)lx->p[1]) && !ends_value(before))) {
		lex_number(lx);
	} else if (ident_start(c)) {
		const char *start = lx->p;
		while (ident_char((unsigned char)*lx->p))
			lx->p++;
		size_t len = (size_t)(lx->p - start);
		lx->tok.kind = keyword(start, len);
		if (lx->tok.kind == T_IDENT)
			lx->tok.text = copy_text(start, len);
	} else if (!lex_operator(lx)) {
		uint32_t cp;
		size_t n = crm_utf8_decode((const unsigned char *)lx->p, strlen(lx->p), &cp);
		fail_at(lx, lx->tok.line, lx->tok.col, "unexpected character '%.*s'", (int)(n ? n : 1), lx->p);
		lx->tok.kind = T_END;
	}
	if (lx->failed)
		lx->tok.kind = T_END;
}

/* ---- parser ---- */

static struct node *new_node(enum node_kind kind, const struct token *at)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		abort();
	n->kind = kind;
	n->line = at->line;
	n->col = at->col;
	return n;
}

static void add_kid(struct node *n, struct node *kid)
{
	n->kids = crm_xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

static void free_node(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		free_node(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static struct node *parse_or(struct lexer *lx);

static bool expect(struct lexer *lx, enum tok kind, const char *what)
{
	if (lx->tok.kind == kind) {
		next(lx);
		return true;
	}
	fail_at(lx, lx->tok.line, lx->tok.col, "expected %s%s%s", tok_names[kind],
		what ? " " : "", what ? what : "");
	return false;
}

/* A function's argument: a name, a string, a number or a window. */
static struct node *parse_arg(struct lexer *lx)
{
	struct token *t = &lx->tok;
	struct node *n = NULL;
	switch (t->kind) {
	case T_IDENT: n = new_node(N_FIELD, t); n->text = t->text; t->text = NULL; break;
	case T_STRING: n = new_node(N_STRING, t); n->text = t->text; t->text = NULL; break;
	case T_NUMBER: n = new_node(N_NUMBER, t); n->num = t->num; break;
	case T_WINDOW: n = new_node(N_WINDOW, t); n->days = t->days; break;
	default:
		fail_at(lx, t->line, t->col, "expected an argument, found %s", tok_names[t->kind]);
		return NULL;
	}
	next(lx);
	return n;
}

static struct node *parse_call(struct lexer *lx, struct node *call)
{
	next(lx); /* ( */
	if (lx->tok.kind != T_RPAREN) {
		for (;;) {
			struct node *arg = parse_arg(lx);
			if (!arg)
				break;
			add_kid(call, arg);
			if (lx->tok.kind != T_COMMA)
				break;
			next(lx);
		}
	}
	if (!lx->failed)
		expect(lx, T_RPAREN, "to close the arguments");
	return call;
}

/* One more level open (a parenthesis, a not, an operator): false, and the
 * parse failed, past the most there may be. */
static bool parse_nest(struct lexer *lx)
{
	if (++lx->nest <= PARSE_NEST_MAX)
		return true;
	fail_at(lx, lx->tok.line, lx->tok.col, "the expression nests deeper than %d levels", NEST_MAX);
	return false;
}

/* A value: a field, a function call, a string, a number, or ( expression ):
 * what the parentheses hold, a condition or a value, the compiler tells. */
static struct node *parse_operand(struct lexer *lx, const char *after)
{
	struct token *t = &lx->tok;
	struct node *n;
	switch (t->kind) {
	case T_LPAREN:
		if (!parse_nest(lx))
			return NULL;
		next(lx);
		n = parse_or(lx);
		if (n && !lx->failed)
			expect(lx, T_RPAREN, NULL);
		lx->nest--;
		return n;
	case T_IDENT:
		n = new_node(N_FIELD, t);
		n->text = t->text;
		t->text = NULL;
		bool quoted = t->quoted;
		next(lx);
		if (lx->tok.kind == T_LPAREN && !quoted) {
			n->kind = N_CALL;
			return parse_call(lx, n);
		}
		if (!quoted && (!strcmp(n->text, "true") || !strcmp(n->text, "false"))) {
			n->kind = N_NUMBER; /* a boolean attribute is 1 or 0 in SQL */
			n->num = n->text[0] == 't';
			free(n->text);
			n->text = NULL;
		}
		return n;
	case T_STRING:
		n = new_node(N_STRING, t);
		n->text = t->text;
		t->text = NULL;
		next(lx);
		return n;
	case T_NUMBER:
		n = new_node(N_NUMBER, t);
		n->num = t->num;
		next(lx);
		return n;
	case T_WINDOW:
		fail_at(lx, t->line, t->col, "a window goes inside count(), sum(), avg(), min() or max()");
		return NULL;
	default:
		if (after)
			fail_at(lx, t->line, t->col, "expected a value after %s", after);
		else
			fail_at(lx, t->line, t->col, "expected a value, found %s", tok_names[t->kind]);
		return NULL;
	}
}

/* -a and +a, which bind tighter than * and /, as in SQL. */
static struct node *parse_unary(struct lexer *lx, const char *after)
{
	if (lx->tok.kind != T_MINUS && lx->tok.kind != T_PLUS)
		return parse_operand(lx, after);
	if (!parse_nest(lx))
		return NULL;
	struct node *n = new_node(N_UNARY, &lx->tok);
	n->op = lx->tok.kind;
	next(lx);
	struct node *kid = parse_unary(lx, tok_names[n->op]);
	lx->nest--;
	if (kid)
		add_kid(n, kid);
	return n;
}

static bool arith_op(enum tok kind, bool sum)
{
	return sum ? kind == T_PLUS || kind == T_MINUS : kind == T_STAR || kind == T_SLASH;
}

/* A sum (terms joined by + and -) or a term (factors joined by * and /),
 * left to right. Each operator is a level of nesting: the tree is one level
 * deeper for each, and so is the SQL. */
static struct node *parse_arith(struct lexer *lx, const char *after, bool sum)
{
	struct node *left = sum ? parse_arith(lx, after, false) : parse_unary(lx, after);
	int open = 0;
	while (left && !lx->failed && arith_op(lx->tok.kind, sum)) {
		if (!parse_nest(lx))
			break;
		open++;
		struct node *n = new_node(N_ARITH, &lx->tok);
		n->op = lx->tok.kind;
		add_kid(n, left);
		left = n;
		next(lx);
		const char *op = tok_names[n->op];
		struct node *right = sum ? parse_arith(lx, op, false) : parse_unary(lx, op);
		if (right)
			add_kid(n, right);
	}
	lx->nest -= open;
	return left;
}

static struct node *parse_value(struct lexer *lx, const char *after)
{
	return parse_arith(lx, after, true);
}

static struct node *parse_list(struct lexer *lx, struct node *in)
{
	if (!expect(lx, T_LPAREN, "after 'in'"))
		return in;
	for (;;) {
		struct token *t = &lx->tok;
		if (t->kind != T_STRING && t->kind != T_NUMBER) {
			fail_at(lx, t->line, t->col, "expected a string or a number in the list");
			return in;
		}
		struct node *v = new_node(t->kind == T_STRING ? N_STRING : N_NUMBER, t);
		v->text = t->text;
		v->num = t->num;
		t->text = NULL;
		add_kid(in, v);
		next(lx);
		if (lx->tok.kind != T_COMMA)
			break;
		next(lx);
	}
	expect(lx, T_RPAREN, "to close the list");
	return in;
}

static struct node *parse_predicate(struct lexer *lx)
{
	struct node *left = parse_value(lx, NULL);
	if (!left || lx->failed)
		return left;
	struct token *t = &lx->tok;
	struct node *n;
	bool negated = false;
	switch (t->kind) {
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
	case T_MATCH: case T_NOMATCH: {
		enum tok op = t->kind;
		n = new_node(op == T_MATCH || op == T_NOMATCH ? N_MATCH : N_CMP, t);
		n->op = op;
		n->negated = op == T_NOMATCH;
		add_kid(n, left);
		next(lx);
		struct node *right = parse_value(lx, tok_names[op]);
		if (right)
			add_kid(n, right);
		return n;
	}
	case T_NOT:
		next(lx);
		if (lx->tok.kind != T_IN && lx->tok.kind != T_BETWEEN) {
			fail_at(lx, lx->tok.line, lx->tok.col, "expected 'in' or 'between' after 'not'");
			return left;
		}
		negated = true;
		/* fall through */
	case T_IN:
	case T_BETWEEN: {
		bool is_in = lx->tok.kind == T_IN;
		n = new_node(is_in ? N_IN : N_BETWEEN, &lx->tok);
		n->negated = negated;
		add_kid(n, left);
		next(lx);
		if (is_in)
			return parse_list(lx, n);
		struct node *lo = parse_value(lx, "'between'");
		if (lo)
			add_kid(n, lo);
		if (!lx->failed && expect(lx, T_AND, "in 'between ... and ...'")) {
			struct node *hi = parse_value(lx, "'and'");
			if (hi)
				add_kid(n, hi);
		}
		return n;
	}
	case T_IS:
		n = new_node(N_ISNULL, t);
		add_kid(n, left);
		next(lx);
		if (lx->tok.kind == T_NOT) {
			n->negated = true;
			next(lx);
		}
		expect(lx, T_NULL, "after 'is'");
		return n;
	default:
		return left;
	}
}

static struct node *parse_not(struct lexer *lx)
{
	if (lx->tok.kind != T_NOT)
		return parse_predicate(lx);
	if (!parse_nest(lx))
		return NULL;
	struct node *n = new_node(N_NOT, &lx->tok);
	next(lx);
	struct node *kid = parse_not(lx);
	lx->nest--;
	if (kid)
		add_kid(n, kid);
	else if (!lx->failed)
		fail_at(lx, lx->tok.line, lx->tok.col, "expected a condition after 'not'");
	return n;
}

static struct node *parse_binary(struct lexer *lx, enum tok op, enum node_kind kind,
				 struct node *(*operand)(struct lexer *))
{
	struct node *left = operand(lx);
	while (left && !lx->failed && lx->tok.kind == op) {
		/* a chain (a and b and c) is one node: its SQL does not nest */
		struct node *n = left->kind == kind ? left : new_node(kind, &lx->tok);
		if (n != left)
			add_kid(n, left);
		const char *name = tok_names[op];
		next(lx);
		if (lx->tok.kind == T_END) {
			fail_at(lx, lx->tok.line, lx->tok.col, "expected a condition after %s", name);
			return n;
		}
		struct node *right = operand(lx);
		if (right)
			add_kid(n, right);
		left = n;
	}
	return left;
}

static struct node *parse_and(struct lexer *lx)
{
	return parse_binary(lx, T_AND, N_AND, parse_not);
}

static struct node *parse_or(struct lexer *lx)
{
	return parse_binary(lx, T_OR, N_OR, parse_and);
}

static struct node *parse_text(const char *text, const char *source, crm_error *err)
{
	struct lexer lx = {.src = text, .p = text, .line_start = text, .line = 1, .err = err,
			   .source = source};
	next(&lx);
	struct node *root = NULL;
	if (lx.tok.kind == T_END && !lx.failed)
		fail_at(&lx, 1, 1, "the expression is empty");
	else
		root = parse_or(&lx);
	if (!lx.failed && lx.tok.kind != T_END)
		fail_at(&lx, lx.tok.line, lx.tok.col, "unexpected %s after the expression%s",
			tok_names[lx.tok.kind],
			lx.tok.kind == T_IDENT || lx.tok.kind == T_STRING ? " (missing 'and' or 'or'?)" : "");
	free(lx.tok.text);
	if (lx.failed) {
		free_node(root);
		return NULL;
	}
	return root;
}

/* ---- the compiler ---- */

enum vtype { V_BOOL, V_NUM, V_TEXT };

struct compiler {
	crm_sql *q;
	const char *src;    /* the text being compiled, for carets */
	const char *source; /* its name in messages */
	crm_error *err;
	bool failed;
	char **custom;
	size_t ncustom;
	const char *segments[SEGMENT_DEPTH_MAX]; /* segment() being compiled, for cycles */
	int depth;
	int nest; /* conditions open, across segments */
};

static void cfail(struct compiler *c, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cfail(struct compiler *c, const struct node *n, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	expr_error(c->err, c->source, c->src, n->line, n->col, fmt, ap);
	va_end(ap);
}

static bool is_custom(struct compiler *c, const char *name)
{
	for (size_t i = 0; i < c->ncustom; i++)
		if (strcmp(c->custom[i], name) == 0)
			return true;
	return false;
}

static enum vtype field_type(const struct node *n)
{
	crm_type t;
	if (crm_field_computed_type(n->text, &t))
		return t == CRM_INT || t == CRM_REAL ? V_NUM : V_TEXT;
	return V_TEXT;
}

static bool known_field(struct compiler *c, const char *name)
{
	crm_type t;
	return crm_field_is_stored(name) || crm_field_computed_type(name, &t) || is_custom(c, name);
}

/* Fields that hold dates: the stored and custom ones whose values crm-add
 * reads as dates (birthday, created_at, a *_date attribute), and the
 * computed days. */
static bool is_date(struct compiler *c, const char *name)
{
	static const char *const computed[] = {"first_purchase", "last_purchase", "next_follow_up"};
	for (size_t i = 0; i < sizeof computed / sizeof *computed; i++)
		if (!strcmp(name, computed[i]))
			return true;
	bool stamp;
	return (crm_field_is_stored(name) || is_custom(c, name)) &&
	       crm_header_is_date(CRM_NAMES_CUSTOMERS, name, &stamp);
}

static void emit_field(struct compiler *c, const struct node *n)
{
	crm_type t;
	if (crm_field_is_stored(n->text)) {
		crm_sql_addf(c->q, "c.%s", n->text); /* a name from our own list */
	} else if (crm_field_computed_type(n->text, &t)) {
		crm_error e;
		if (crm_sql_computed(c->q, n->text, &e) != CRM_OK)
			cfail(c, n, "%s", e.msg);
	} else if (is_custom(c, n->text)) {
		char path[256];
		snprintf(path, sizeof path, "$.\"%s\"", n->text);
		crm_sql_add(c->q, "json_extract(c.attrs, ");
		crm_sql_text(c->q, path);
		crm_sql_add(c->q, ")");
	} else {
		cfail(c, n, "unknown field '%s' (crm-export --list-fields lists them)", n->text);
	}
}

static bool is_aggregate(const char *name)
{
	return !strcmp(name, "count") || !strcmp(name, "sum") || !strcmp(name, "avg") ||
	       !strcmp(name, "min") || !strcmp(name, "max");
}

static enum vtype type_of(const struct node *n)
{
	switch (n->kind) {
	case N_FIELD: return field_type(n);
	case N_STRING: return V_TEXT;
	case N_NUMBER: case N_ARITH: case N_UNARY: return V_NUM;
	case N_CALL:
		if (!strcmp(n->text, "tag") || !strcmp(n->text, "segment"))
			return V_BOOL;
		if (!strcmp(n->text, "grade"))
			return V_TEXT;
		return V_NUM;
	default: return V_BOOL;
	}
}

/* The start of a window of days ending on D: D and the days-1 before it. */
static void window_start(const crm_clock *clock, int days, char out[11])
{
	crm_clock_day(clock, -(days - 1), out);
}

/* An event type: a word (purchase) or a string ('购买'), lower-cased. */
static bool event_type(struct compiler *c, const struct node *call, const struct node *arg,
		       char **type)
{
	if (arg->kind != N_FIELD && arg->kind != N_STRING) {
		cfail(c, arg, "%s() takes an event type first, such as purchase", call->text);
		return false;
	}
	*type = crm_xstrdup(arg->text);
	for (char *p = *type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	crm_event_type_named(c->q->db, *type);
	return true;
}

static void emit_events_where(struct compiler *c, const char *type, int days)
{
	crm_sql_add(c->q, " FROM events e WHERE e.cid = c.cid AND e.type = ");
	crm_sql_text(c->q, type);
	if (days) {
		char start[11];
		window_start(c->q->clock, days, start);
		crm_sql_add(c->q, " AND e.ts >= ");
		crm_sql_text(c->q, start);
	}
	crm_sql_add(c->q, " AND e.ts < ");
	crm_sql_end(c->q);
	crm_sql_add(c->q, ")");
}

/* ---- aggregates computed once for everyone (crm_aggs) ---- */

struct crm_aggs {
	struct agg {
		char func[8]; /* count, sum, avg, min, max, since */
		char *type;
		int days;     /* 0: no window */
	} *a;
	size_t n;
};

crm_aggs *crm_aggs_new(void)
{
	crm_aggs *a = crm_xmalloc(sizeof *a);
	*a = (crm_aggs){0};
	return a;
}

void crm_aggs_free(crm_aggs *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->a[i].type);
	free(a->a);
	free(a);
}

/* The column of an aggregate, added when it is new. */
static size_t agg_column(crm_aggs *a, const char *func, const char *type, int days)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->a[i].func, func) && !strcmp(a->a[i].type, type) && a->a[i].days == days)
			return i;
	a->a = crm_xrealloc(a->a, (a->n + 1) * sizeof *a->a);
	struct agg *g = &a->a[a->n];
	snprintf(g->func, sizeof g->func, "%s", func);
	g->type = crm_xstrdup(type);
	g->days = days;
	return a->n++;
}

/* A reference to it: count and sum are 0 for a customer with no events. */
static void emit_agg_column(crm_sql *q, const char *func, const char *type, int days)
{
	size_t k = agg_column(q->aggs, func, type, days);
	if (!strcmp(func, "count"))
		crm_sql_addf(q, "coalesce(agg.a%zu, 0)", k);
	else if (!strcmp(func, "sum"))
		crm_sql_addf(q, "coalesce(agg.a%zu, 0.0)", k);
	else
		crm_sql_addf(q, "agg.a%zu", k);
}

/* An aggregate's column of temp.aggs, over the events e of one customer. */
static void agg_sql(crm_sql *q, const struct agg *g)
{
	if (!strcmp(g->func, "since")) {
		crm_sql_add(q, "CAST(julianday(");
		crm_sql_date(q);
		crm_sql_add(q, ") - julianday(substr(max(CASE WHEN e.type = ");
		crm_sql_text(q, g->type);
		crm_sql_add(q, " THEN e.ts END), 1, 10)) AS INTEGER)");
		return;
	}
	bool count = !strcmp(g->func, "count");
	crm_sql_addf(q, "%s(CASE WHEN e.type = ", g->func);
	crm_sql_text(q, g->type);
	if (g->days) {
		char start[11];
		window_start(q->clock, g->days, start);
		crm_sql_add(q, " AND e.ts >= ");
		crm_sql_text(q, start);
	}
	crm_sql_add(q, count ? " THEN 1 END)" : " THEN e.amount_cents END) / 100.0");
}

/* One pass over the events, by customer: with the covering index on (cid,
 * type, ts, amount_cents) SQLite walks it in order, with no sort. With a
 * selection, only the chosen customers' events are read. */
int crm_aggs_build(crm_aggs *a, crm_db *db, const crm_clock *clock, const crm_expr *chosen,
		   crm_error *err)
{
	if (!a->n)
		return CRM_OK;
	crm_buf cols = {0};
	for (size_t i = 0; i < a->n; i++)
		crm_buf_printf(&cols, ", a%zu", i);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_addf(&q, "DROP TABLE IF EXISTS temp.aggs; CREATE TEMP TABLE aggs (cid INTEGER PRIMARY KEY%s)",
		     cols.p);
	int rc = crm_db_exec(db, q.text.p, err);
	crm_sql_free(&q);
	crm_sql_init(&q, db, clock);
	crm_sql_addf(&q, "INSERT INTO temp.aggs (cid%s) SELECT e.cid", cols.p);
	for (size_t i = 0; i < a->n; i++) {
		crm_sql_add(&q, ", ");
		agg_sql(&q, &a->a[i]);
	}
	crm_sql_add(&q, " FROM events e WHERE e.ts < ");
	crm_sql_end(&q);
	crm_sql_add(&q, " AND e.type IN (");
	for (size_t i = 0; i < a->n; i++) {
		crm_sql_add(&q, i ? ", " : "");
		crm_sql_text(&q, a->a[i].type);
	}
	crm_sql_add(&q, ")");
	if (chosen && rc == CRM_OK) {
		crm_sql_add(&q, " AND e.cid IN (SELECT c.cid FROM customers c WHERE ");
		rc = crm_expr_emit(chosen, &q, err);
		crm_sql_add(&q, ")");
	}
	crm_sql_add(&q, " GROUP BY e.cid");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	crm_buf_free(&cols);
	return rc;
}

void crm_aggs_join(const crm_aggs *a, crm_sql *q)
{
	if (a && a->n)
		crm_sql_add(q, " LEFT JOIN temp.aggs agg ON agg.cid = c.cid");
}

/* count/sum/avg/min/max(TYPE[, WINDOW]): amounts in currency units. */
static void emit_aggregate(struct compiler *c, const struct node *n)
{
	char *type;
	if (n->nkids < 1 || n->nkids > 2) {
		cfail(c, n, "%s() takes an event type and a window: %s(purchase, 90d)", n->text, n->text);
		return;
	}
	if (n->nkids == 2 && n->kids[1]->kind != N_WINDOW) {
		cfail(c, n->kids[1], "expected a window such as 90d, 12w, 6m or 1y");
		return;
	}
	if (!event_type(c, n, n->kids[0], &type))
		return;
	int days = n->nkids == 2 ? n->kids[1]->days : 0;
	if (c->q->aggs) {
		emit_agg_column(c->q, n->text, type, days);
		free(type);
		return;
	}
	if (!strcmp(n->text, "count"))
		crm_sql_add(c->q, "(SELECT count(*)");
	else if (!strcmp(n->text, "sum"))
		crm_sql_add(c->q, "(SELECT coalesce(sum(e.amount_cents), 0) / 100.0");
	else
		crm_sql_addf(c->q, "(SELECT %s(e.amount_cents) / 100.0", n->text);
	emit_events_where(c, type, days);
	free(type);
}

static void emit_since(struct compiler *c, const struct node *n)
{
	char *type;
	if (n->nkids != 1) {
		cfail(c, n, "since() takes an event type: since(purchase)");
		return;
	}
	if (!event_type(c, n, n->kids[0], &type))
		return;
	if (c->q->aggs) {
		emit_agg_column(c->q, "since", type, 0);
		free(type);
		return;
	}
	crm_sql_add(c->q, "(SELECT CAST(julianday(");
	crm_sql_date(c->q);
	crm_sql_add(c->q, ") - julianday(substr(max(e.ts), 1, 10)) AS INTEGER)");
	emit_events_where(c, type, 0);
	free(type);
}

static void emit_days(struct compiler *c, const struct node *n)
{
	if (n->nkids != 1 || n->kids[0]->kind != N_FIELD) {
		cfail(c, n, "days() takes a date field: days(signup_date)");
		return;
	}
	crm_sql_add(c->q, "CAST(julianday(");
	crm_sql_date(c->q);
	crm_sql_add(c->q, ") - julianday(substr(");
	emit_field(c, n->kids[0]);
	crm_sql_add(c->q, ", 1, 10)) AS INTEGER)");
}

/* month(FIELD) and year(FIELD) of a date field, as numbers. */
static void emit_date_part(struct compiler *c, const struct node *n)
{
	const struct node *field = n->nkids == 1 ? n->kids[0] : NULL;
	if (!field || field->kind != N_FIELD) {
		cfail(c, n, "%s() takes a date field: %s(birthday)", n->text, n->text);
		return;
	}
	if (known_field(c, field->text) && !is_date(c, field->text)) {
		cfail(c, field, "%s is not a date: %s() takes a date field, such as %s(birthday)",
		      field->text, n->text, n->text);
		return;
	}
	crm_sql_add(c->q, n->text[0] == 'm' ? "CAST(strftime('%m', " : "CAST(strftime('%Y', ");
	emit_field(c, field);
	crm_sql_add(c->q, ") AS INTEGER)");
}

static void emit_bool(struct compiler *c, const struct node *n);

static void emit_segment(struct compiler *c, const struct node *n)
{
	if (n->nkids != 1 || (n->kids[0]->kind != N_STRING && n->kids[0]->kind != N_FIELD)) {
		cfail(c, n, "segment() takes a segment's name: segment('高价值')");
		return;
	}
	const char *name = n->kids[0]->text;
	for (int i = 0; i < c->depth; i++)
		if (strcmp(c->segments[i], name) == 0) {
			cfail(c, n, "segment '%s' refers to itself", name);
			return;
		}
	if (c->depth == SEGMENT_DEPTH_MAX) {
		cfail(c, n, "segments nest deeper than %d", SEGMENT_DEPTH_MAX);
		return;
	}
	char *text = NULL;
	crm_error e;
	if (crm_segment_expr(c->q->db, name, &text, &e) != CRM_OK) {
		cfail(c, n, "%s", e.msg);
		return;
	}
	struct node *root = parse_text(text, name, &e);
	if (!root) {
		cfail(c, n, "segment '%s' does not parse: %s", name, e.msg);
		free(text);
		return;
	}
	const char *src = c->src, *source = c->source;
	c->segments[c->depth++] = name;
	c->src = text;
	c->source = name;
	crm_sql_add(c->q, "(");
	emit_bool(c, root);
	crm_sql_add(c->q, ")");
	c->depth--;
	c->src = src;
	c->source = source;
	free_node(root);
	free(text);
}

static void emit_tag(struct compiler *c, const struct node *n)
{
	if (n->nkids != 1 || (n->kids[0]->kind != N_STRING && n->kids[0]->kind != N_FIELD)) {
		cfail(c, n, "tag() takes a tag's name: tag('VIP')");
		return;
	}
	crm_sql_add(c->q, "EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.tid = ct.tid"
			  " WHERE ct.cid = c.cid AND t.name = ");
	crm_sql_text(c->q, n->kids[0]->text);
	crm_sql_add(c->q, " AND (ct.expires_on IS NULL OR ct.expires_on > ");
	crm_sql_date(c->q);
	crm_sql_add(c->q, "))");
}

/* grade('MODEL') and score('MODEL'): what the model stored for the customer. */
static void emit_model_value(struct compiler *c, const struct node *n)
{
	if (n->nkids != 1 || (n->kids[0]->kind != N_STRING && n->kids[0]->kind != N_FIELD)) {
		cfail(c, n, "%s() takes a model's name: %s('value')", n->text, n->text);
		return;
	}
	crm_error e;
	if (crm_sql_model_value(c->q, n->text, n->kids[0]->text, &e) != CRM_OK)
		cfail(c, n, "%s", e.msg);
}

static void emit_value(struct compiler *c, const struct node *n);

static void emit_call(struct compiler *c, const struct node *n)
{
	if (is_aggregate(n->text))
		emit_aggregate(c, n);
	else if (!strcmp(n->text, "since"))
		emit_since(c, n);
	else if (!strcmp(n->text, "days"))
		emit_days(c, n);
	else if (!strcmp(n->text, "month") || !strcmp(n->text, "year"))
		emit_date_part(c, n);
	else if (!strcmp(n->text, "tag"))
		emit_tag(c, n);
	else if (!strcmp(n->text, "segment"))
		emit_segment(c, n);
	else if (!strcmp(n->text, "grade") || !strcmp(n->text, "score"))
		emit_model_value(c, n);
	else
		cfail(c, n, "unknown function '%s' (count, sum, avg, min, max, since, days, month, year,"
		      " tag, segment, grade, score)", n->text);
}

static void emit_number(struct compiler *c, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		crm_sql_int(c->q, (int64_t)v);
	else
		crm_sql_real(c->q, v);
}

/* A value compared with numbers: text fields are read as numbers. */
static void emit_as(struct compiler *c, const struct node *n, enum vtype want)
{
	enum vtype have = type_of(n);
	if (have == V_BOOL) {
		cfail(c, n, "a condition cannot be compared: it is true or false");
		return;
	}
	if (want == V_NUM && n->kind == N_STRING) {
		char *end;
		double v = strtod(n->text, &end);
		if (!*n->text || *end) {
			cfail(c, n, "'%s' is not a number, and it is compared with one", n->text);
			return;
		}
		emit_number(c, v);
		return;
	}
	if (want == V_NUM && have == V_TEXT) {
		crm_sql_add(c->q, "crm_number(");
		emit_value(c, n);
		crm_sql_add(c->q, ")");
		return;
	}
	if (want == V_TEXT && n->kind == N_FIELD && is_custom(c, n->text)) {
		/* imported as a number from JSON or a workbook, compared as text */
		crm_sql_add(c->q, "CAST(");
		emit_value(c, n);
		crm_sql_add(c->q, " AS TEXT)");
		return;
	}
	emit_value(c, n);
}

/* Where a value or a condition starts, for a caret: a + b and a > b at a. */
static const struct node *start_of(const struct node *n)
{
	while (n->nkids && n->kind != N_NOT && n->kind != N_UNARY && n->kind != N_CALL)
		n = n->kids[0];
	return n;
}

/* What a value is called in a message: city, grade(), 'x'. */
static void value_name(const struct node *n, char *out, size_t size)
{
	if (n->kind == N_FIELD)
		snprintf(out, size, "%.100s", n->text);
	else if (n->kind == N_CALL)
		snprintf(out, size, "%.100s()", n->text);
	else if (n->kind == N_STRING)
		snprintf(out, size, "'%.100s'", n->text);
	else
		snprintf(out, size, "this");
}

/* A value that must be a number: a number, or a custom attribute read as
 * one (crm_number, as comparisons read it). Text, dates and conditions are
 * refused, saying what was needed. */
static void emit_numeric(struct compiler *c, const struct node *n, const char *need)
{
	char name[128];
	value_name(n, name, sizeof name);
	enum vtype t = type_of(n);
	if (t == V_BOOL) {
		cfail(c, start_of(n), "%s is a condition: %s", name, need);
	} else if (n->kind == N_FIELD && known_field(c, n->text) && is_date(c, n->text)) {
		cfail(c, n, "%s is a date: %s (days(%s) is one)", name, need, name);
	} else if (n->kind == N_FIELD && is_custom(c, n->text)) {
		crm_sql_add(c->q, "crm_number(");
		emit_field(c, n);
		crm_sql_add(c->q, ")");
	} else if (t == V_TEXT && (n->kind != N_FIELD || known_field(c, n->text))) {
		cfail(c, n, "%s is text: %s", name, need);
	} else {
		emit_value(c, n);
	}
}

/* One more level of nesting, conditions and arithmetic alike, across the
 * segments named: false, and the compile failed, past NEST_MAX. The caller
 * closes it (c->nest--) either way. */
static bool nest_in(struct compiler *c, const struct node *n)
{
	if (++c->nest <= NEST_MAX)
		return true;
	cfail(c, n, "the expression nests deeper than %d levels%s", NEST_MAX,
	      c->depth ? ", with the segments it names" : "");
	return false;
}

/* SQL's arithmetic and its null rules (null in, null out; x / 0 is null),
 * but / always divides as decimals: 7 / 2 is 3.5, as a person reads it. */
static void emit_arith(struct compiler *c, const struct node *n)
{
	static const char need[] = "arithmetic takes numbers";
	if (nest_in(c, n) && n->kind == N_UNARY) {
		crm_sql_add(c->q, n->op == T_MINUS ? "(- " : "(+ ");
		emit_numeric(c, n->kids[0], need);
		crm_sql_add(c->q, ")");
	} else if (!c->failed) { /* exact to 15 digits: sums of amounts compare to the cent */
		crm_sql_add(c->q, "crm_decimal(");
		emit_numeric(c, n->kids[0], need);
		crm_sql_add(c->q, n->op == T_PLUS ? " + " : n->op == T_MINUS ? " - "
				  : n->op == T_STAR ? " * " : " * 1.0 / ");
		emit_numeric(c, n->kids[1], need);
		crm_sql_add(c->q, ")");
	}
	c->nest--;
}

static void emit_value(struct compiler *c, const struct node *n)
{
	switch (n->kind) {
	case N_FIELD: emit_field(c, n); break;
	case N_STRING: crm_sql_text(c->q, n->text); break;
	case N_NUMBER: emit_number(c, n->num); break;
	case N_ARITH: case N_UNARY: emit_arith(c, n); break;
	case N_CALL:
		if (type_of(n) == V_BOOL) {
			cfail(c, n, "%s() is a condition, not a value", n->text);
			return;
		}
		emit_call(c, n);
		break;
	default:
		cfail(c, n, "expected a value, found a condition");
	}
}

/* Both sides numbers when either is: 'age > 30', 'visits >= 3'. */
static enum vtype common_type(const struct node *const *kids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kids[i]->kind != N_STRING && type_of(kids[i]) == V_NUM)
			return V_NUM;
	return V_TEXT;
}

static const char *sql_op(enum tok op)
{
	switch (op) {
	case T_EQ: return " = ";
	case T_NE: return " <> ";
	case T_LT: return " < ";
	case T_LE: return " <= ";
	case T_GT: return " > ";
	default: return " >= ";
	}
}

static void emit_cmp(struct compiler *c, const struct node *n)
{
	enum vtype t = common_type((const struct node *const *)n->kids, 2);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, sql_op(n->op));
	emit_as(c, n->kids[1], t);
	crm_sql_add(c->q, ")");
}

static void emit_in(struct compiler *c, const struct node *n)
{
	enum vtype t = common_type((const struct node *const *)n->kids, n->nkids);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, n->negated ? " NOT IN (" : " IN (");
	for (size_t i = 1; i < n->nkids; i++) {
		if (i > 1)
			crm_sql_add(c->q, ", ");
		emit_as(c, n->kids[i], t);
	}
	crm_sql_add(c->q, "))");
}

static void emit_between(struct compiler *c, const struct node *n)
{
	enum vtype t = common_type((const struct node *const *)n->kids, 3);
	crm_sql_add(c->q, "(");
	emit_as(c, n->kids[0], t);
	crm_sql_add(c->q, n->negated ? " NOT BETWEEN " : " BETWEEN ");
	emit_as(c, n->kids[1], t);
	crm_sql_add(c->q, " AND ");
	emit_as(c, n->kids[2], t);
	crm_sql_add(c->q, ")");
}

/* A pattern is checked here, so that a bad one is an expression error with
 * its column, before any row is read. */
static void emit_match(struct compiler *c, const struct node *n)
{
	const struct node *pattern = n->kids[1];
	if (pattern->kind != N_STRING) {
		cfail(c, pattern, "a regular expression is a string: phone ~ '^1(3[5-9])'");
		return;
	}
	crm_error why;
	if (crm_regex_check(pattern->text, &why) != CRM_OK) {
		cfail(c, pattern, "%s", why.msg);
		return;
	}
	crm_sql_add(c->q, n->negated ? "(NOT crm_regexp(" : "(crm_regexp(");
	crm_sql_text(c->q, pattern->text);
	crm_sql_add(c->q, ", ");
	emit_value(c, n->kids[0]);
	crm_sql_add(c->q, "))");
}

/* Conditions that read only the customer's row go first in an 'and', so that
 * SQLite skips the event subqueries for the rows they reject. */
static bool cheap(const struct node *n)
{
	if (n->kind == N_CALL)
		return false;
	if (n->kind == N_FIELD) {
		crm_type t;
		return !crm_field_computed_type(n->text, &t);
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (!cheap(n->kids[i]))
			return false;
	return true;
}

static void emit_junction(struct compiler *c, const struct node *n, const char *word)
{
	crm_sql_add(c->q, "(");
	bool first = true;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n->nkids; i++) {
			bool now = n->kind == N_AND ? cheap(n->kids[i]) == (pass == 0) : pass == 0;
			if (!now)
				continue;
			if (!first)
				crm_sql_add(c->q, word);
			first = false;
			emit_bool(c, n->kids[i]);
		}
	}
	crm_sql_add(c->q, ")");
}

static void emit_bool_node(struct compiler *c, const struct node *n);

static void emit_bool(struct compiler *c, const struct node *n)
{
	if (c->failed)
		return;
	if (nest_in(c, n))
		emit_bool_node(c, n);
	c->nest--;
}

static void emit_bool_node(struct compiler *c, const struct node *n)
{
	switch (n->kind) {
	case N_OR: emit_junction(c, n, " OR "); break;
	case N_AND: emit_junction(c, n, " AND "); break;
	case N_NOT:
		crm_sql_add(c->q, "(NOT ");
		emit_bool(c, n->kids[0]);
		crm_sql_add(c->q, ")");
		break;
	case N_CMP: emit_cmp(c, n); break;
	case N_IN: emit_in(c, n); break;
	case N_BETWEEN: emit_between(c, n); break;
	case N_MATCH: emit_match(c, n); break;
	case N_ISNULL:
		crm_sql_add(c->q, "(");
		emit_value(c, n->kids[0]);
		crm_sql_add(c->q, n->negated ? " IS NOT NULL)" : " IS NULL)");
		break;
	case N_CALL:
		if (type_of(n) != V_BOOL) {
			cfail(c, n, "%s() is a value: compare it (%s(...) > 0)", n->text, n->text);
			return;
		}
		emit_call(c, n);
		break;
	case N_CHOSEN:
		crm_sql_add(c->q, "c.cid IN (SELECT cid FROM temp.chosen_ids)");
		break;
	case N_ARITH:
	case N_UNARY:
		emit_arith(c, n); /* a bad operand is the first thing to say */
		cfail(c, start_of(n), "this is a value, not a condition: compare it (city = '上海')");
		break;
	default:
		if (n->kind == N_FIELD && !known_field(c, n->text))
			cfail(c, n, "unknown field '%s' (crm-export --list-fields lists them)", n->text);
		else
			cfail(c, n, "this is a value, not a condition: compare it (city = '上海')");
	}
}

/* ---- the interface ---- */

static int load_custom(struct compiler *c, crm_db *db, crm_error *err)
{
	return crm_custom_fields(db, CRM_CUSTOMERS, &c->custom, &c->ncustom, err);
}

static void free_custom(struct compiler *c)
{
	for (size_t i = 0; i < c->ncustom; i++)
		free(c->custom[i]);
	free(c->custom);
}

void crm_sql_chosen_cids(crm_sql *q, const crm_expr *where, crm_error *err, int *rc)
{
	if (crm_expr_is_chosen(where)) {
		crm_sql_add(q, "SELECT cid FROM temp.chosen_ids");
		return;
	}
	crm_sql_add(q, "SELECT c.cid FROM customers c");
	if (where && *rc == CRM_OK) {
		crm_sql_add(q, " WHERE ");
		*rc = crm_expr_emit(where, q, err);
	}
}

/* The expression as a condition, or as a value. */
static int emit(const crm_expr *e, bool value, crm_sql *q, crm_error *err)
{
	struct compiler c = {.q = q, .src = e->text, .source = "expression", .err = err};
	if (load_custom(&c, q->db, err) != CRM_OK)
		return CRM_EDB;
	if (!value)
		emit_bool(&c, e->root);
	else if (type_of(e->root) == V_BOOL)
		cfail(&c, start_of(e->root), "expected %s, found a condition",
		      e->numbers ? "a number" : "a value");
	else if (e->numbers)
		emit_numeric(&c, e->root, "expected a number");
	else
		emit_value(&c, e->root);
	free_custom(&c);
	return c.failed ? CRM_EDATA : CRM_OK;
}

int crm_expr_emit(const crm_expr *e, crm_sql *q, crm_error *err)
{
	return emit(e, false, q, err);
}

int crm_expr_emit_value(const crm_expr *e, crm_sql *q, crm_error *err)
{
	return emit(e, true, q, err);
}

static int expr_new(crm_expr **out, crm_db *db, const char *text, bool value, bool numbers,
		    crm_error *err)
{
	*out = NULL;
	struct node *root = parse_text(text, "expression", err);
	if (!root)
		return CRM_EDATA;
	crm_expr *e = calloc(1, sizeof *e);
	if (!e)
		abort();
	e->text = crm_xstrdup(text);
	e->root = root;
	e->db = db;
	e->numbers = numbers;
	/* Compiled once now, so that every error shows before any work starts. */
	crm_clock clock;
	crm_clock_init(&clock, "2000-01-01", NULL);
	crm_sql q;
	crm_sql_init(&q, db, &clock);
	int rc = emit(e, value, &q, err);
	crm_sql_free(&q);
	if (rc != CRM_OK) {
		crm_expr_free(e);
		return rc;
	}
	*out = e;
	return CRM_OK;
}

int crm_expr_new(crm_expr **out, crm_db *db, const char *text, crm_error *err)
{
	return expr_new(out, db, text, false, false, err);
}

int crm_expr_value_new(crm_expr **out, crm_db *db, const char *text, bool numbers_only,
		       crm_error *err)
{
	return expr_new(out, db, text, true, numbers_only, err);
}

/* True when n calls fn('name'), as segment('高价值') or tag('VIP'). */
static bool node_calls(const struct node *n, const char *fn, const char *name)
{
	if (n->kind == N_CALL && strcmp(n->text, fn) == 0 && n->nkids == 1 &&
	    n->kids[0]->text && strcmp(n->kids[0]->text, name) == 0)
		return true;
	for (size_t i = 0; i < n->nkids; i++)
		if (node_calls(n->kids[i], fn, name))
			return true;
	return false;
}

static bool text_calls(const char *text, const char *fn, const char *name)
{
	struct node *root = parse_text(text, "expression", NULL);
	bool uses = root && node_calls(root, fn, name);
	free_node(root);
	return uses;
}

bool crm_expr_text_uses_segment(const char *text, const char *name)
{
	return text_calls(text, "segment", name);
}

bool crm_expr_text_uses_tag(const char *text, const char *name)
{
	return text_calls(text, "tag", name);
}

crm_expr *crm_expr_and(crm_expr *a, crm_expr *b)
{
	if (!a || !b)
		return a ? a : b;
	struct token at = {.line = 1, .col = 1};
	struct node *and = new_node(N_AND, &at);
	add_kid(and, a->root);
	add_kid(and, b->root);
	a->root = and;
	crm_buf text = {0};
	crm_buf_printf(&text, "(%s) and (%s)", a->text, b->text);
	free(a->text);
	a->text = text.p;
	b->root = NULL;
	crm_expr_free(b);
	return a;
}

crm_expr *crm_expr_chosen(crm_db *db)
{
	/* Made now, so that an empty selection is an empty table, not a missing one. */
	crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS chosen_ids (cid INTEGER PRIMARY KEY)", NULL);
	crm_expr *e = calloc(1, sizeof *e);
	struct token at = {.line = 1, .col = 1};
	if (!e)
		abort();
	e->root = new_node(N_CHOSEN, &at);
	e->text = crm_xstrdup("(the customers given)");
	e->db = db;
	return e;
}

bool crm_expr_is_chosen(const crm_expr *e)
{
	return e && e->root && e->root->kind == N_CHOSEN;
}

int crm_chosen_add(crm_db *db, const char *id, bool *known, crm_error *err)
{
	if (!db->choose &&
	    (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS chosen_ids (cid INTEGER PRIMARY KEY)",
			 err) != CRM_OK ||
	     crm_db_prepare(db, &db->choose, "INSERT OR IGNORE INTO temp.chosen_ids SELECT cid"
			    " FROM customers WHERE id = ?1", err) != CRM_OK))
		return CRM_EDB;
	crm_stmt *st = db->choose;
	crm_stmt_bind_text(st, 1, id, -1);
	int rc = crm_stmt_step(st);
	*known = crm_db_changes(db) > 0;
	crm_stmt_reset(st);
	if (rc != CRM_DONE)
		return crm_db_fail(db, err, NULL);
	if (!*known) { /* a repeat of a known id is not unknown */
		if (crm_db_prepare(db, &st, "SELECT 1 FROM customers WHERE id = ?1", err) != CRM_OK)
			return CRM_EDB;
		crm_stmt_bind_text(st, 1, id, -1);
		*known = crm_stmt_step(st) == CRM_ROW;
		crm_stmt_finalize(st);
	}
	return CRM_OK;
}

int crm_expr_segment(crm_expr **out, crm_db *db, const char *name, crm_error *err)
{
	char *text;
	if (crm_segment_expr(db, name, &text, err) != CRM_OK)
		return err ? err->code : CRM_EDATA;
	free(text);
	crm_buf call = {0};
	crm_buf_adds(&call, "segment('");
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			crm_buf_addc(&call, '\'');
		crm_buf_addc(&call, *p);
	}
	crm_buf_adds(&call, "')");
	int rc = crm_expr_new(out, db, call.p, err);
	crm_buf_free(&call);
	return rc;
}

int crm_expr_sql(const crm_expr *e, crm_db *db, const crm_clock *clock, crm_writer *out,
		 crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, clock);
	int rc = crm_expr_emit(e, &q, err);
	if (rc == CRM_OK) {
		crm_value row[2] = {{CRM_TEXT, "sql", 3}, {CRM_TEXT, q.text.p, q.text.len}};
		rc = crm_writer_put(out, row, err);
		for (size_t i = 0; rc == CRM_OK && i < q.nparams; i++) {
			const struct crm_param *p = &q.params[i];
			char name[32], value[64];
			snprintf(name, sizeof name, "?%zu", i + 1);
			const char *v = p->text;
			if (p->type == CRM_INT)
				snprintf(value, sizeof value, "%lld", (long long)p->i), v = value;
			else if (p->type == CRM_REAL)
				snprintf(value, sizeof value, "%.17g", p->d), v = value;
			crm_value param[2] = {{CRM_TEXT, name, strlen(name)},
					      {v ? CRM_TEXT : CRM_NULL, v, v ? strlen(v) : 0}};
			rc = crm_writer_put(out, param, err);
		}
	}
	crm_sql_free(&q);
	return rc;
}

void crm_expr_free(crm_expr *e)
{
	if (!e)
		return;
	free_node(e->root);
	free(e->text);
	free(e);
}

const char *crm_expr_text(const crm_expr *e)
{
	return e->text;
}
