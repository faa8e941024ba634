/* select.c: choosing customers, the same way in every command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

/* -w again: the customers that every one matches. A '#' comment runs to
 * the end of its line, so the parentheses go on lines of their own then. */
static void take_where(struct selection *sel, const char *arg)
{
	sel->wheres = realloc(sel->wheres, (size_t)(sel->nwheres + 1) * sizeof *sel->wheres);
	if (!sel->wheres)
		abort();
	sel->wheres[sel->nwheres++] = arg;
	if (sel->nwheres == 1) {
		sel->where = arg;
		return;
	}
	const char *nl = strchr(sel->where, '#') || strchr(arg, '#') ? "\n" : "";
	size_t len = strlen(sel->where) + strlen(arg) + 16;
	char *both = cli_xcalloc(len, 1);
	snprintf(both, len, "(%s%s) and (%s%s)", sel->where, nl, arg, nl);
	free(sel->joined);
	sel->joined = both;
	sel->where = both;
}

/* --limit N: a whole number, 0 and up; no sign, spaces or exponent. */
static bool take_limit(struct selection *sel, const char *arg)
{
	char *end;
	if (!*arg || strspn(arg, "0123456789") != strlen(arg))
		return false;
	errno = 0;
	sel->limit = strtol(arg, &end, 10);
	sel->has_limit = true;
	return errno == 0;
}

bool select_take(struct selection *sel, int key, const char *arg)
{
	switch (key) {
	case OPT_ALL: sel->all = true; return true;
	case OPT_SEGMENT: sel->segment = arg; return true;
	case OPT_WHERE: take_where(sel, arg); return true;
	case OPT_SORT: sel->sort = arg; return true;
	case OPT_LIMIT: return take_limit(sel, arg);
	default: return false;
	}
}

void select_no_order(struct cli *cli, const struct selection *sel, const char *why)
{
	if (sel->sort || sel->has_limit)
		cli_usage_error(cli, "--sort and --limit %s", why);
}

/* --limit alone, with ids or a stream: the first N of them, as given. */
static bool select_full(const struct selection *sel)
{
	return sel->has_limit && !sel->sort && sel->taken >= sel->limit;
}

/* Compiles --sort and --limit; exits on error. */
static void prepare_order(struct cli *cli, struct selection *sel)
{
	if (!sel->sort && !sel->has_limit)
		return;
	crm_error err;
	if (crm_order_new(&sel->order, cli->db, sel->sort, sel->has_limit ? sel->limit : -1,
			  &err) != CRM_OK) {
		cli_error(cli, &err);
		exit(cli_exit(cli, err.code));
	}
}

bool select_take_match(struct selection *sel, const char *key)
{
	return crm_match_parse(key, &sel->match) == CRM_OK;
}

/* --match names the customers of records on stdin, and only those. */
static void check_match(struct cli *cli, const struct selection *sel)
{
	if (sel->match && (sel->nids || sel->all || sel->segment || sel->where))
		cli_usage_error(cli, "--match %s reads the customers from records on stdin: it takes no"
				" ids, -s, -w or --all", crm_match_name(sel->match));
	if (sel->match && !cli_stdin_is_stream())
		cli_usage_error(cli, "--match %s reads the customers from records on stdin: pipe them in",
				crm_match_name(sel->match));
}

void select_prepare(struct cli *cli, struct selection *sel, char **ids, int nids)
{
	sel->ids = ids;
	sel->nids = nids;
	check_match(cli, sel);
	if (sel->all && (nids || sel->segment || sel->where))
		cli_usage_error(cli, "--all takes no ids, -s or -w: they choose customers themselves");
	crm_error err;
	crm_expr *seg = NULL, *where = NULL;
	if (sel->segment && crm_expr_segment(&seg, cli->db, sel->segment, &err) != CRM_OK) {
		cli_error(cli, &err);
		exit(cli_exit(cli, err.code));
	}
	/* each on its own, so that an error points into the one given */
	for (int i = 0; i < sel->nwheres; i++) {
		crm_expr *one;
		if (crm_expr_new(&one, cli->db, sel->wheres[i], &err) != CRM_OK) {
			crm_expr_free(seg);
			crm_expr_free(where);
			cli_error(cli, &err);
			exit(cli_exit(cli, err.code));
		}
		where = crm_expr_and(where, one);
	}
	sel->expr = crm_expr_and(seg, where);
	prepare_order(cli, sel);
}

bool select_from_stdin(const struct selection *sel)
{
	return !sel->all && !sel->nids && !sel->segment && !sel->where && cli_stdin_is_stream();
}

void select_free(struct selection *sel)
{
	crm_expr_free(sel->expr);
	sel->expr = NULL;
	crm_order_free(sel->order);
	sel->order = NULL;
	free(sel->wheres);
	sel->wheres = NULL;
	sel->nwheres = 0;
	free(sel->joined);
	sel->joined = NULL;
	sel->where = NULL;
	crm_key_lookup_free(sel->keys);
	sel->keys = NULL;
}

/* Every record would fail alike: say it once, with what was read as names. */
static void no_id_column(struct cli *cli, const struct selection *sel, const crm_reader *r,
			 const crm_record *rec)
{
	crm_error err;
	if (sel->match)
		crm_error_set(&err, CRM_EDATA, "records need a column %s (--match %s); the names read were:",
			      crm_match_name(sel->match), crm_match_name(sel->match));
	else
		crm_error_set(&err, CRM_EDATA, "records need an id or customer_id column; the names read were:");
	for (size_t i = 0; i < rec->n && i < 8; i++)
		crm_error_add(&err, "  '%s'", crm_record_source_name(rec, i));
	bool header = crm_reader_format(r) == CRM_FMT_CSV || crm_reader_format(r) == CRM_FMT_TSV;
	if (header)
		crm_error_add(&err, "(the first line is the header: was it cut off, by grep perhaps?)");
	crm_error_at(&err, "stdin", header ? 1 : rec->line, 0);
	cli_error(cli, &err);
}

static bool has_id_column(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], "id") || !strcmp(names[i], "customer_id"))
			return true;
	return false;
}

/* The column that names a record's customer: with --match, its key's (a
 * bare list's one column is values of the key); else NULL, for id or
 * customer_id. */
static const char *key_column(const struct selection *sel, const crm_reader *r)
{
	if (!sel->match)
		return NULL;
	return crm_reader_format(r) == CRM_FMT_IDS ? "id" : crm_match_name(sel->match);
}

static bool names_customers(const struct selection *sel, const crm_reader *r,
			    const char *const *names, size_t n)
{
	const char *key = key_column(sel, r);
	for (size_t i = 0; key && i < n; i++)
		if (!strcmp(names[i], key))
			return true;
	return !key && has_id_column(names, n);
}

/* Calls fn for each id: an error in a record is shown and its status kept. */
typedef int (*id_fn)(struct cli *cli, const char *id, long line, void *ctx);

/* The copy of the stream, for a command that passes it through: as NDJSON
 * when it came as JSON (its values keep their types), else as CSV, which is
 * quicker to write and read again. */
static void keep_columns(struct selection *sel, const crm_reader *r, size_t ncols,
			 const char *const *columns)
{
	enum crm_format in = crm_reader_format(r);
	sel->kept_format = in == CRM_FMT_JSON || in == CRM_FMT_NDJSON ? CRM_FMT_NDJSON : CRM_FMT_CSV;
	const char **names = cli_xcalloc(ncols, sizeof *names);
	size_t n = 0;
	for (size_t i = 0; i < ncols; i++)
		if (*columns[i]) /* a column left out stays out */
			names[n++] = columns[i];
	if (sel->match && in == CRM_FMT_IDS) /* a bare list of phones is phones */
		names[0] = crm_match_name(sel->match);
	sel->kept = crm_writer_new(sel->keep, sel->kept_format, n, names, 0);
	free(names);
}

/* Copies a record of the stream. */
static int keep_record(struct cli *cli, struct selection *sel, const crm_reader *r,
		       const crm_record *rec)
{
	if (!sel->keep)
		return CRM_OK;
	crm_error err;
	if (!sel->kept)
		keep_columns(sel, r, rec->n, rec->names);
	bool renamed = sel->match && crm_reader_format(r) == CRM_FMT_IDS;
	int rc = renamed ? crm_writer_put(sel->kept, rec->values, &err)
			 : crm_writer_put_record(sel->kept, rec, &err);
	if (rc != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	return CRM_OK;
}

/* A record named by --match's key: the one customer with its value. */
static int by_key(struct cli *cli, struct selection *sel, const crm_value *value,
		  const char *named, long line, id_fn fn, void *ctx)
{
	crm_error err;
	const char *id;
	if (!sel->keys && crm_key_lookup_new(&sel->keys, cli->db, sel->match, &err) != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	int rc = crm_key_lookup_get(sel->keys, value && value->s ? value->s : "", &id, &err);
	if (rc == CRM_OK && named && *named && strcmp(named, id) != 0)
		rc = crm_error_set(&err, CRM_EDATA, "%s '%s' is customer %s's, but the record names %s:"
				   " drop one of the two columns", crm_match_name(sel->match),
				   value->s, id, named);
	if (rc == CRM_OK)
		return fn(cli, id, line, ctx);
	crm_error_at(&err, "stdin", line, 0);
	cli_record_error(cli, &err);
	return rc;
}

/* Customers named on stdin, one record each: by customer_id, else by id, or
 * by the key of --match. */
static int each_stdin_id(struct cli *cli, struct selection *sel, id_fn fn, void *ctx)
{
	crm_reader *r = cli_reader(cli, stdin, "stdin", CRM_NAMES_CUSTOMERS);
	const crm_record *rec;
	crm_error err;
	int status = CRM_OK;
	long n = 0;
	enum crm_read got;
	while ((got = crm_reader_next(r, &rec, &err)) != CRM_READ_END) {
		if (n == 0)
			cli_reader_found(cli, r);
		if (got == CRM_READ_FAIL) {
			cli_error(cli, &err);
			status = err.code;
			break;
		}
		n++;
		if (got == CRM_READ_BAD_ROW) {
			cli_record_error(cli, &err);
			status = status ? status : CRM_EDATA;
			continue;
		}
		if (!names_customers(sel, r, rec->names, rec->n)) {
			no_id_column(cli, sel, r, rec);
			status = CRM_EDATA;
			break;
		}
		if (select_full(sel)) { /* read to the end, so that the command before does not fail */
			if (sel->keep && !sel->kept) /* --limit 0: the header, passed through */
				keep_columns(sel, r, rec->n, rec->names);
			continue;
		}
		const char *id = crm_record_customer_id(rec);
		int rc;
		if (keep_record(cli, sel, r, rec) != CRM_OK) {
			status = CRM_EDB;
			break;
		}
		if (sel->match) {
			/* a bare list's one column is the key, not an id */
			rc = by_key(cli, sel, crm_record_get(rec, key_column(sel, r)),
				    rec->n > 1 ? id : NULL, rec->line, fn, ctx);
		} else if (id && *id) {
			rc = fn(cli, id, rec->line, ctx);
		} else {
			crm_error_set(&err, CRM_EDATA, "the record has an empty id");
			crm_error_at(&err, "stdin", rec->line, 0);
			cli_record_error(cli, &err);
			rc = CRM_EDATA;
		}
		status = status ? status : rc;
		if (rc == CRM_EDB)
			break;
	}
	size_t nheader;
	const char *const *header = crm_reader_header(r, &nheader);
	if (n == 0 && nheader && !names_customers(sel, r, header, nheader)) {
		size_t nsource;
		crm_record hdr = {nheader, header, NULL, 1, crm_reader_source_header(r, &nsource)};
		no_id_column(cli, sel, r, &hdr);
		status = CRM_EDATA;
	} else if (n == 0 && got != CRM_READ_FAIL) { /* a read that failed has said why */
		/* --all is no hint to give a command that erases */
		bool erases = !strcmp(cli->prog, "crm-rm");
		cli_note(cli, "no customers on stdin: nothing to do%s",
			 erases ? "" : " (use --all for everyone)");
		if (sel->keep && nheader) /* passed through: a header, and no records */
			keep_columns(sel, r, nheader, header);
	}
	sel->nread = n;
	if (got != CRM_READ_FAIL)
		cli_reader_skipped(cli, r);
	crm_reader_free(r);
	cli_hidden_errors(cli);
	return status;
}

static int each_arg_id(struct cli *cli, struct selection *sel, id_fn fn, void *ctx)
{
	int status = CRM_OK;
	for (int i = 0; i < sel->nids && status != CRM_EDB && !select_full(sel); i++) {
		int rc = fn(cli, sel->ids[i], 0, ctx);
		status = status ? status : rc;
	}
	return status;
}

/* In one read transaction: a hundred thousand ids take the lock once. */
static int each_id(struct cli *cli, struct selection *sel, id_fn fn, void *ctx)
{
	crm_error err;
	if (crm_db_snapshot(cli->db, &err) != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	int status = sel->nids ? each_arg_id(cli, sel, fn, ctx) : each_stdin_id(cli, sel, fn, ctx);
	if (crm_db_commit(cli->db, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = CRM_EDB;
	}
	return status;
}

static void report(struct cli *cli, crm_error *err, long line)
{
	if (line)
		crm_error_at(err, "stdin", line, 0);
	cli_record_error(cli, err);
}

/* The id of the customer an unknown id is merged into (crm-rm --merge-into),
 * said on stderr; NULL when it is none. Caller frees. */
static char *merged_into(struct cli *cli, const char *id)
{
	crm_error err;
	char *target;
	if (crm_alias_of(cli->db, id, &target, &err) != CRM_OK) {
		cli_error(cli, &err);
		return NULL;
	}
	if (target)
		cli_note(cli, "%s is merged into %s", id, target);
	return target;
}

static int write_one(struct cli *cli, const char *id, long line, void *ctx)
{
	void **args = ctx;
	struct selection *sel = args[2];
	crm_error err;
	bool matched;
	int rc = crm_query_one(args[0], id, args[1], &matched, &err);
	char *target = rc == CRM_EDATA ? merged_into(cli, id) : NULL;
	if (target)
		rc = crm_query_one(args[0], target, args[1], &matched, &err);
	free(target);
	if (rc != CRM_OK)
		report(cli, &err, line);
	sel->taken += rc == CRM_OK && matched;
	return rc;
}

static int choose_one(struct cli *cli, const char *id, long line, void *ctx)
{
	struct selection *sel = ctx;
	crm_error err;
	bool known;
	if (crm_chosen_add(cli->db, id, &known, &err) != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	char *target = known ? NULL : merged_into(cli, id);
	int rc = target ? crm_chosen_add(cli->db, target, &known, &err) : CRM_OK;
	free(target);
	if (rc != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	if (known) {
		sel->taken++;
		return CRM_OK;
	}
	crm_error_set(&err, CRM_EDATA, "unknown customer '%s'", id);
	report(cli, &err, line);
	return CRM_EDATA;
}

int select_as_expr(struct cli *cli, struct selection *sel, crm_expr **out)
{
	*out = NULL;
	int status = CRM_OK;
	if (sel->nids || select_from_stdin(sel)) {
		status = each_id(cli, sel, choose_one, sel);
		if (sel->kept) {
			crm_error err;
			if (crm_writer_finish(sel->kept, &err) != CRM_OK) {
				cli_error(cli, &err);
				status = CRM_EDB;
			}
			crm_writer_free(sel->kept);
			sel->kept = NULL;
		}
		sel->expr = crm_expr_and(crm_expr_chosen(cli->db), sel->expr);
	}
	*out = sel->expr;
	sel->expr = NULL;
	return status;
}

/* Ids and streams are written as given, one customer at a time; sorted,
 * they are the chosen set, written in one statement. */
int select_write(struct cli *cli, struct selection *sel, crm_fields *fields, crm_writer *out)
{
	crm_error err;
	crm_query *q;
	bool given = sel->nids || select_from_stdin(sel);
	int status = CRM_OK;
	if (given && sel->sort) {
		crm_expr *where;
		status = select_as_expr(cli, sel, &where);
		sel->expr = where;
		given = false;
	}
	if (crm_query_new(&q, cli->db, fields, sel->expr, sel->order, &cli->clock, &err) != CRM_OK) {
		cli_error(cli, &err);
		return err.code;
	}
	void *args[3] = {q, out, sel};
	int rc = CRM_OK;
	if (given)
		rc = each_id(cli, sel, write_one, args);
	else if ((rc = crm_query_all(q, out, NULL, &err)) != CRM_OK)
		cli_error(cli, &err);
	crm_query_free(q);
	return rc ? rc : status;
}

int select_limit(struct cli *cli, struct selection *sel, crm_expr **where)
{
	if (!sel->order || (!crm_order_sorts(sel->order) && (sel->nids || select_from_stdin(sel))))
		return CRM_OK; /* none, or the first N given, taken as they came */
	crm_error err;
	if (crm_order_choose(cli->db, *where, sel->order, &cli->clock, NULL, &err) != CRM_OK) {
		cli_error(cli, &err);
		return err.code;
	}
	crm_expr_free(*where);
	*where = crm_expr_chosen(cli->db);
	sel->limited = true;
	return CRM_OK;
}

/* The columns of the records passed through: theirs, then the extra ones
 * (replacing columns of the same names). */
static crm_writer *pass_writer(struct cli *cli, const crm_record *rec, size_t nextra,
			       const char *const *extra, const char ***names, size_t *ncols)
{
	*names = cli_xcalloc(rec->n + nextra, sizeof **names);
	*ncols = 0;
	for (size_t i = 0; i < rec->n; i++) {
		bool replaced = false;
		for (size_t k = 0; k < nextra; k++)
			replaced = replaced || !strcmp(rec->names[i], extra[k]);
		if (!replaced)
			(*names)[(*ncols)++] = rec->names[i];
	}
	for (size_t k = 0; k < nextra; k++)
		(*names)[(*ncols)++] = extra[k];
	return crm_writer_new(stdout, cli_output_format(cli), *ncols, *names, 0);
}

/* The id of the customer a record passed through names: its id, or the
 * customer its --match key names (NULL for none). */
static const char *record_id(const struct selection *sel, const crm_record *rec)
{
	if (!sel->match)
		return crm_record_customer_id(rec);
	const crm_value *v = crm_record_get(rec, crm_match_name(sel->match));
	const char *id;
	crm_error err;
	if (!sel->keys || !v || !v->s || crm_key_lookup_get(sel->keys, v->s, &id, &err) != CRM_OK)
		return NULL;
	return id;
}

/* One record again, its own values then the extra ones; with --sort and
 * --limit, only the records of the customers they kept. */
static int pass_record(const struct selection *sel, crm_db *db, crm_writer *out,
		       const crm_record *rec, const char *id, const char **names, size_t ncols,
		       size_t nextra, crm_value *values, extra_fn fill, void *ctx, crm_error *err)
{
	for (size_t i = 0; i + nextra < ncols; i++) {
		const crm_value *v = crm_record_get(rec, names[i]);
		values[i] = v ? *v : (crm_value){CRM_NULL, NULL, 0};
	}
	char *target = NULL; /* a merged id's columns are its customer's */
	if (id && crm_alias_of(db, id, &target, err) != CRM_OK)
		return CRM_EDB;
	const char *of = target ? target : id ? id : "";
	bool kept = true;
	int rc = sel->limited ? crm_chosen_has(db, of, &kept, err) : CRM_OK;
	if (rc == CRM_OK && kept) {
		fill(ctx, of, values + ncols - nextra);
		rc = crm_writer_put(out, values, err);
	}
	free(target);
	return rc;
}

int select_pass_through(struct cli *cli, struct selection *sel, size_t nextra,
			const char *const *extra, extra_fn fill, void *ctx)
{
	crm_error err;
	if (crm_db_snapshot(cli->db, &err) != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EDB;
	}
	rewind(sel->keep);
	crm_reader *r = crm_reader_new(sel->keep, "stdin", sel->kept_format);
	crm_writer *out = NULL;
	const crm_record *rec;
	const char **names = NULL;
	crm_value *values = NULL;
	size_t ncols = 0;
	int rc = CRM_OK;
	enum crm_read got;
	while (rc == CRM_OK && (got = crm_reader_next(r, &rec, &err)) != CRM_READ_END) {
		if (got != CRM_READ_OK) {
			rc = err.code;
			break;
		}
		if (!out) {
			out = pass_writer(cli, rec, nextra, extra, &names, &ncols);
			values = cli_xcalloc(ncols, sizeof *values);
		}
		rc = pass_record(sel, cli->db, out, rec, record_id(sel, rec), names, ncols, nextra,
				 values, fill, ctx, &err);
	}
	size_t nheader;
	const char *const *header = crm_reader_header(r, &nheader);
	if (!out && rc == CRM_OK && nheader) { /* no records: the header alone */
		crm_record columns = {nheader, header, NULL, 0, NULL};
		out = pass_writer(cli, &columns, nextra, extra, &names, &ncols);
	}
	if (rc == CRM_OK)
		rc = crm_db_commit(cli->db, &err);
	else
		crm_db_rollback(cli->db);
	rc = cli_finish(cli, out, rc, &err);
	free(names);
	free(values);
	crm_reader_free(r);
	return rc;
}
