/* parse.c: the expression language of crm-expr(7), read: a lexer and a
 * recursive-descent parser build a tree (tree.h), or say where and why the
 * text is wrong. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr/tree.h"

/* The parser recurses once a level of parentheses or not: it stops at three
 * times the nesting the SQL may have (NEST_MAX), long before the stack could
 * matter. */
#define PARSE_NEST_MAX (3 * NEST_MAX)

static const char *const tok_names[] = {
	"the end", "a name", "a string", "a number", "a window", "'('", "')'", "','",
	"'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'~'", "'!~'",
	"'and'", "'or'", "'not'", "'in'", "'between'", "'is'", "'null'",
	"'+'", "'-'", "'*'", "'/'",
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

/* ---- errors ---- */

/* Columns count characters, not bytes; the caret line counts terminal cells. */
static int column_of(const char *line_start, const char *at)
{
	int col = 1;
	for (const unsigned char *p = (const unsigned char *)line_start; p < (const unsigned char *)at; p++)
		col += (*p & 0xC0) != 0x80;
	return col;
}

void expr_error(crm_error *err, const char *source, const char *src, int line, int col,
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

struct node *expr_node_new(enum node_kind kind, const struct token *at)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n)
		abort();
	n->kind = kind;
	n->line = at->line;
	n->col = at->col;
	return n;
}

void expr_node_add(struct node *n, struct node *kid)
{
	n->kids = crm_xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

void expr_node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		expr_node_free(n->kids[i]);
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
	case T_IDENT: n = expr_node_new(N_FIELD, t); n->text = t->text; t->text = NULL; break;
	case T_STRING: n = expr_node_new(N_STRING, t); n->text = t->text; t->text = NULL; break;
	case T_NUMBER: n = expr_node_new(N_NUMBER, t); n->num = t->num; break;
	case T_WINDOW: n = expr_node_new(N_WINDOW, t); n->days = t->days; break;
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
			expr_node_add(call, arg);
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
		n = expr_node_new(N_FIELD, t);
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
		n = expr_node_new(N_STRING, t);
		n->text = t->text;
		t->text = NULL;
		next(lx);
		return n;
	case T_NUMBER:
		n = expr_node_new(N_NUMBER, t);
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
	struct node *n = expr_node_new(N_UNARY, &lx->tok);
	n->op = lx->tok.kind;
	next(lx);
	struct node *kid = parse_unary(lx, tok_names[n->op]);
	lx->nest--;
	if (kid)
		expr_node_add(n, kid);
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
		struct node *n = expr_node_new(N_ARITH, &lx->tok);
		n->op = lx->tok.kind;
		expr_node_add(n, left);
		left = n;
		next(lx);
		const char *op = tok_names[n->op];
		struct node *right = sum ? parse_arith(lx, op, false) : parse_unary(lx, op);
		if (right)
			expr_node_add(n, right);
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
		struct node *v = expr_node_new(t->kind == T_STRING ? N_STRING : N_NUMBER, t);
		v->text = t->text;
		v->num = t->num;
		t->text = NULL;
		expr_node_add(in, v);
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
		n = expr_node_new(op == T_MATCH || op == T_NOMATCH ? N_MATCH : N_CMP, t);
		n->op = op;
		n->negated = op == T_NOMATCH;
		expr_node_add(n, left);
		next(lx);
		struct node *right = parse_value(lx, tok_names[op]);
		if (right)
			expr_node_add(n, right);
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
		n = expr_node_new(is_in ? N_IN : N_BETWEEN, &lx->tok);
		n->negated = negated;
		expr_node_add(n, left);
		next(lx);
		if (is_in)
			return parse_list(lx, n);
		struct node *lo = parse_value(lx, "'between'");
		if (lo)
			expr_node_add(n, lo);
		if (!lx->failed && expect(lx, T_AND, "in 'between ... and ...'")) {
			struct node *hi = parse_value(lx, "'and'");
			if (hi)
				expr_node_add(n, hi);
		}
		return n;
	}
	case T_IS:
		n = expr_node_new(N_ISNULL, t);
		expr_node_add(n, left);
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
	struct node *n = expr_node_new(N_NOT, &lx->tok);
	next(lx);
	struct node *kid = parse_not(lx);
	lx->nest--;
	if (kid)
		expr_node_add(n, kid);
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
		struct node *n = left->kind == kind ? left : expr_node_new(kind, &lx->tok);
		if (n != left)
			expr_node_add(n, left);
		const char *name = tok_names[op];
		next(lx);
		if (lx->tok.kind == T_END) {
			fail_at(lx, lx->tok.line, lx->tok.col, "expected a condition after %s", name);
			return n;
		}
		struct node *right = operand(lx);
		if (right)
			expr_node_add(n, right);
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

struct node *expr_parse(const char *text, const char *source, crm_error *err)
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
		expr_node_free(root);
		return NULL;
	}
	return root;
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
	struct node *root = expr_parse(text, "expression", NULL);
	bool uses = root && node_calls(root, fn, name);
	expr_node_free(root);
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
