/* select.h: how a command chooses customers (crm(7), SELECTING CUSTOMERS):
 * ids as arguments, --all, -s SEGMENT, -w EXPR, or a record stream on stdin. */
#ifndef CRM_SELECT_H
#define CRM_SELECT_H

#include "cli.h"

enum {
	OPT_SEGMENT = 's',
	OPT_WHERE = 'w',
	OPT_ALL = OPT_FIRST_COMMAND_KEY + 64, /* clear of each command's own keys */
	OPT_SORT,
	OPT_LIMIT,
};

#define SELECT_OPTIONS                                                                      \
	{OPT_ALL, "all", NULL, NULL, "every customer"},                                     \
	{OPT_SEGMENT, "segment", "NAME", CLI_SEGMENT, "the customers of a saved segment"},  \
	{OPT_WHERE, "where", "EXPR", NULL, "the customers EXPR matches, crm-expr(7) (repeatable: and)"}

/* For the commands that write customers, and those that pass them through. */
#define ORDER_OPTIONS                                                                       \
	{OPT_SORT, "sort", "FIELDS", CLI_SORT_FIELDS,                                       \
	 "order by fields or number expressions, -FIELD from the largest"},                 \
	{OPT_LIMIT, "limit", "N", NULL, "at most N customers (the first N of --sort)"}

struct selection {
	bool all;
	const char *segment;
	const char *where; /* -w; given more than once, the and of them all */
	const char **wheres; /* each -w, as given */
	int nwheres;
	char *joined;      /* where, when it is the and of several */
	char **ids;
	int nids;
	crm_expr *expr; /* -s and -w together, once checked */
	const char *sort; /* --sort, as given */
	long limit;       /* --limit, when has_limit */
	bool has_limit;
	crm_order *order; /* --sort and --limit, once checked */
	long taken;       /* the customers of ids or stdin taken, for --limit alone */
	bool limited;     /* the chosen set is the first N of --sort (select_limit) */
	FILE *keep;     /* when set, records read from stdin are copied here */
	enum crm_format kept_format; /* as this: CSV, or NDJSON for JSON input */
	long nread;     /* the records read from stdin */
	crm_writer *kept;
	/* --match: records on stdin name their customers by this key, not by id */
	enum crm_match match;
	crm_key_lookup *keys; /* its lookup, made with the first record */
};

/* Takes -s, -w, --all, --sort and --limit; false for another option. */
bool select_take(struct selection *sel, int key, const char *arg);
/* Refuses --sort and --limit, saying what they go with; for the modes of a
 * command that write no list of customers. */
void select_no_order(struct cli *cli, const struct selection *sel, const char *why);
/* For a command that changes customers: the first N of --sort (or --limit)
 * become the chosen customers, *where replaced by them, and only their
 * records are passed through. Returns the exit status. */
int select_limit(struct cli *cli, struct selection *sel, crm_expr **where);
/* --match KEY, for a command that offers it: false for a key there is not. */
bool select_take_match(struct selection *sel, const char *key);
/* Checks the options against each other and compiles the expression;
 * exits on error. */
void select_prepare(struct cli *cli, struct selection *sel, char **ids, int nids);
/* True when the customers come from stdin: no ids, --all, -s or -w, and
 * stdin is a record stream (cli_stdin_is_stream). */
bool select_from_stdin(const struct selection *sel);
/* Writes the fields of the chosen customers. Returns the exit status. */
int select_write(struct cli *cli, struct selection *sel, crm_fields *fields, crm_writer *out);
/* The selection as one expression (NULL: everyone), for grouping and audits:
 * ids and streams are loaded as the chosen set. The caller frees it. */
int select_as_expr(struct cli *cli, struct selection *sel, crm_expr **out);
/* Fills the extra columns of the record of customer id. */
typedef void (*extra_fn)(void *ctx, const char *id, crm_value *values);
/* Writes the kept stream (keep) again, each record with the extra columns
 * that fill gives it, in one read transaction. Returns the exit status. */
int select_pass_through(struct cli *cli, struct selection *sel, size_t nextra,
			const char *const *extra, extra_fn fill, void *ctx);
void select_free(struct selection *sel);

#endif
