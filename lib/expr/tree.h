/* tree.h: what the files of the expression language share, and no other
 * folder sees. Each file calls only those before it:
 *
 *   parse.c    tokens, the lexer, the parser and its tree
 *   check.c    types, and what the names in a tree mean
 *   catalog.c  what a tree names that the database holds, loaded before
 *   compile.c  the tree to SQL, from the tree and its catalog alone
 *   aggs.c     event aggregates computed once for everyone (crm_aggs)
 *   expr.c     the interface: crm_expr_new, crm_expr_and, ...
 */
#ifndef CRM_EXPR_TREE_H
#define CRM_EXPR_TREE_H

#include <stdarg.h>

#include "expr/expr.h"

#define SEGMENT_DEPTH_MAX 16
/* Conditions nest (and, or, not, segments) at most this deep in the SQL:
 * SQLite's parser refuses SQL nested much deeper ("parser stack overflow"). */
#define NEST_MAX 30

/* ---- parse.c: tokens and the tree ---- */

enum tok {
	T_END, T_IDENT, T_STRING, T_NUMBER, T_WINDOW, T_LPAREN, T_RPAREN, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NOMATCH,
	T_AND, T_OR, T_NOT, T_IN, T_BETWEEN, T_IS, T_NULL,
	T_PLUS, T_MINUS, T_STAR, T_SLASH,
};

struct token {
	enum tok kind;
	int line, col;
	char *text;  /* identifiers and strings, unescaped */
	double num;
	int days;    /* windows */
	bool quoted; /* a `field name` in backquotes */
};

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

/* The tree of text, or NULL and err (a caret under the place, source naming
 * the text) when it does not parse. */
struct node *expr_parse(const char *text, const char *source, crm_error *err);
struct node *expr_node_new(enum node_kind kind, const struct token *at);
void expr_node_add(struct node *n, struct node *kid);
void expr_node_free(struct node *n);
/* An expression error: the reason, where in src, and the line with a caret. */
void expr_error(crm_error *err, const char *source, const char *src, int line, int col,
		const char *fmt, va_list ap);

/* ---- check.c: types, and what names mean ---- */

enum vtype { V_BOOL, V_NUM, V_TEXT };

enum vtype expr_type_of(const struct node *n);
/* Both sides numbers when either is: 'age > 30', 'visits >= 3'. */
enum vtype expr_common_type(const struct node *const *kids, size_t n);
bool expr_is_aggregate(const char *name);
struct expr_catalog;
/* A custom field, of those in the catalog loaded with the expression. */
bool expr_is_custom(const struct expr_catalog *cat, const char *name);
/* A stored, computed or custom field. */
bool expr_known_field(const struct expr_catalog *cat, const char *name);
bool expr_is_date(const struct expr_catalog *cat, const char *name);
/* Conditions that read only the customer's row. */
bool expr_cheap(const struct node *n);
/* Where a value or a condition starts, for a caret: a + b and a > b at a. */
const struct node *expr_start_of(const struct node *n);
/* What a value is called in a message: city, grade(), 'x'. */
void expr_value_name(const struct node *n, char *out, size_t size);
/* The start of a window of days ending on the clock's day D. */
void expr_window_start(const crm_clock *clock, int days, char out[11]);
/* The one name a call takes, as segment('高价值'), tag(VIP) or
 * grade('value'); NULL when it takes no name or more than one thing. */
const char *expr_name_arg(const struct node *call);
/* The event type an argument names (purchase, '购买'), lower-cased; NULL
 * when it names none. Caller frees. */
char *expr_event_type(const struct node *arg);

/* ---- catalog.c: what a tree names that the database holds ---- */

/* A saved segment that segment() names, as it was when loaded. */
struct saved_segment {
	char *name;
	char *text;         /* its expression */
	struct node *root;  /* parsed; NULL when it could not be read or parsed */
	char *why;          /* then why: said where segment() names it */
};

struct expr_catalog {
	crm_field_catalog fields; /* custom fields and the settings computed fields read */
	struct saved_segment *segments; /* those root names, and those they name... */
	size_t nsegments;
};

/* Loads what root and the segments it names (to any depth) need: the
 * fields' catalog, the segments' texts and trees, and the event types they
 * name (crm_event_type_load). CRM_EDB when the fields cannot be read; a
 * segment that cannot be read or parsed is said when it is compiled. */
int expr_catalog_load(struct expr_catalog *cat, crm_db *db, const struct node *root,
		      crm_error *err);
void expr_catalog_free(struct expr_catalog *cat);
/* Adds to into what from holds that into lacks, leaving from empty. */
void expr_catalog_merge(struct expr_catalog *into, struct expr_catalog *from);
const struct saved_segment *expr_catalog_segment(const struct expr_catalog *cat,
						 const char *name);

/* ---- the expression, and its aggregates ---- */

struct crm_expr {
	char *text;
	struct node *root;
	crm_db *db;
	bool numbers; /* a value that must be a number (crm_expr_value_new) */
	struct expr_catalog catalog;
};

/* crm_aggs: the aggregates the SQL emitted so far reads from temp.aggs. */
struct crm_aggs {
	struct agg {
		char func[8]; /* count, sum, avg, min, max, since */
		char *type;
		int days;     /* 0: no window */
	} *a;
	size_t n;
};

#endif
