/* crm-segment: select customers by expression, save segments, group and
 * count, see who entered and left, audit the data, change settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_FIELDS = 'f',
	OPT_SAVE = OPT_FIRST_COMMAND_KEY,
	OPT_DESC,
	OPT_LIST,
	OPT_DELETE,
	OPT_BY,
	OPT_BINS,
	OPT_EDGES,
	OPT_DIFF,
	OPT_QUALITY,
	OPT_MAX_MISSING,
	OPT_MAX_DUPLICATES,
	OPT_DUPLICATES,
	OPT_CONFIG,
	OPT_EXPLAIN,
	OPT_COUNT,
};

static const struct cli_option options[] = {
	SELECT_OPTIONS,
	ORDER_OPTIONS,
	{OPT_FIELDS, "fields", "FIELDS", CLI_FIELDS, "fields to write (default: all stored)"},
	{OPT_COUNT, "count", NULL, NULL, "the number of customers chosen, and nothing else"},
	{OPT_SAVE, "save", "NAME", NULL, "save -w EXPR as a segment"},
	{OPT_DESC, "desc", "TEXT", NULL, "with --save: what the segment is for"},
	{OPT_LIST, "list", NULL, NULL, "the saved segments, with how many customers each has"},
	{OPT_DELETE, "delete", "NAME", CLI_SEGMENT, "delete a saved segment"},
	{OPT_BY, "by", "FIELDS", CLI_BY_FIELDS, "count the customers by fields, or by tag"},
	{OPT_BINS, "bins", "N", NULL, "with --by a number: cut it into about N bands"},
	{OPT_EDGES, "edges", "LIST", NULL, "with --by a number: bands at these edges (18,25,35)"},
	{OPT_DIFF, "diff", "NAME", CLI_SEGMENT,
	 "who entered (+) and left (-) a segment since last time"},
	{OPT_QUALITY, "quality", NULL, NULL, "audit: missing, invalid and duplicate values"},
	{OPT_MAX_MISSING, "max-missing", "FIELD=N%", CLI_FIELD_IS,
	 "with --quality: fail when more are missing (repeatable)"},
	{OPT_MAX_DUPLICATES, "max-duplicates", "N%", NULL,
	 "with --quality: fail at more duplicates"},
	{OPT_DUPLICATES, "duplicates", "FIELD", CLI_MATCH_KEYS,
	 "the customers who share a value of FIELD, by group"},
	{OPT_CONFIG, "config", NULL, NULL,
	 "show settings; with KEY or KEY=VALUE, one, or change it"},
	{OPT_EXPLAIN, "explain", NULL, NULL, "the SQL that -w and -s compile to"},
	CLI_COMMON_OPTIONS_FORMATS(CLI_FORMATS " chart"),
};

#define THRESHOLDS_MAX 32

struct segment {
	struct selection sel;
	const char *fields, *save, *desc, *delete, *by, *edges, *diff, *duplicates;
	int bins;
	bool list, quality, config, explain, count;
	const char *max_missing[THRESHOLDS_MAX];
	int nmax_missing;
	double max_duplicates; /* percent; < 0 when not given */
};

static bool duplicate_key(const char *name)
{
	for (size_t i = 0; i < sizeof crm_duplicate_keys / sizeof *crm_duplicate_keys; i++)
		if (!strcmp(name, crm_duplicate_keys[i]))
			return true;
	return false;
}

/* A percentage: digits with a decimal point perhaps, from 0 to 100, the '%'
 * optional; no sign, spaces, exponent, hex, inf or nan. */
static bool percent(const char *text, double *pct)
{
	size_t n = strspn(text, "0123456789"), digits = n;
	if (text[n] == '.') {
		size_t fraction = strspn(text + n + 1, "0123456789");
		digits += fraction;
		n += 1 + fraction;
	}
	if (!digits || (text[n] && strcmp(text + n, "%")))
		return false;
	*pct = strtod(text, NULL);
	return *pct <= 100;
}

/* --max-missing FIELD=N%, each field once. */
static void take_max_missing(struct cli *cli, struct segment *s, const char *arg)
{
	const char *eq = strchr(arg, '=');
	double pct;
	if (!eq || eq == arg || !percent(eq + 1, &pct))
		cli_usage_error(cli, "--max-missing '%s': give FIELD=N%%, N a percentage from 0 to 100", arg);
	for (int i = 0; i < s->nmax_missing; i++)
		if (!strncmp(s->max_missing[i], arg, (size_t)(eq - arg) + 1))
			cli_usage_error(cli, "--max-missing %.*s is given twice", (int)(eq - arg), arg);
	if (s->nmax_missing == THRESHOLDS_MAX)
		cli_usage_error(cli, "--max-missing: at most %d fields", THRESHOLDS_MAX);
	s->max_missing[s->nmax_missing++] = arg;
}

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct segment *s = ctx;
	char *end;
	switch (key) {
	case OPT_FIELDS: s->fields = arg; return true;
	case OPT_SAVE: s->save = arg; return true;
	case OPT_DESC: s->desc = arg; return true;
	case OPT_LIST: s->list = true; return true;
	case OPT_DELETE: s->delete = arg; return true;
	case OPT_BY: s->by = arg; return true;
	case OPT_BINS:
		s->bins = (int)strtol(arg, &end, 10);
		return !*end && s->bins >= 1 && s->bins <= 50;
	case OPT_EDGES: s->edges = arg; return true;
	case OPT_DIFF: s->diff = arg; return true;
	case OPT_QUALITY: s->quality = true; return true;
	case OPT_DUPLICATES:
		if (!duplicate_key(arg))
			cli_usage_error(cli, "--duplicates %s: give phone, email, wechat_id, openid or"
					" unionid", arg);
		s->duplicates = arg;
		return true;
	case OPT_MAX_MISSING:
		take_max_missing(cli, s, arg);
		return true;
	case OPT_MAX_DUPLICATES:
		if (!percent(arg, &s->max_duplicates))
			cli_usage_error(cli, "--max-duplicates '%s': give N%%, a percentage from 0 to 100", arg);
		return true;
	case OPT_CONFIG: s->config = true; return true;
	case OPT_EXPLAIN: s->explain = true; return true;
	case OPT_COUNT: s->count = true; return true;
	default: return select_take(&s->sel, key, arg);
	}
}

static crm_writer *writer(struct cli *cli, size_t n, const char *const *names)
{
	return crm_writer_new(stdout, cli_output_format(cli), n, names, 0);
}

/* Ends the output; a write error turns the status into 3. A usage error
 * writes nothing, not even a header. */
static int finish(struct cli *cli, crm_writer *out, int status)
{
	crm_error err;
	if (status != CRM_EUSAGE && crm_writer_finish(out, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = CRM_EDB;
	}
	crm_writer_free(out);
	return status;
}

static int fail(struct cli *cli, const crm_error *err)
{
	cli_error(cli, err);
	return err->code;
}

/* ---- the modes ---- */

static int do_select(struct cli *cli, struct segment *s)
{
	crm_fields *fields;
	crm_error err;
	if (crm_fields_new(&fields, cli->db, CRM_CUSTOMERS, s->fields, &err) != CRM_OK)
		return fail(cli, &err);
	crm_writer *out = writer(cli, crm_fields_count(fields), crm_fields_names(fields));
	int status = finish(cli, out, select_write(cli, &s->sel, fields, out));
	crm_fields_free(fields);
	return status;
}

/* How many, as a bare number: `n=$(crm-segment -s 沉睡 --count)`. */
static int do_count(struct cli *cli, struct segment *s)
{
	crm_expr *where;
	crm_error err;
	int status = select_as_expr(cli, &s->sel, &where);
	long n;
	int rc = crm_chosen_count(cli->db, where, s->sel.order, &cli->clock, &n, &err);
	crm_expr_free(where);
	if (rc != CRM_OK) {
		cli_error(cli, &err);
		return rc;
	}
	printf("%ld\n", n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		crm_error_set(&err, CRM_EDB, "write error on stdout");
		cli_error(cli, &err);
		return CRM_EDB;
	}
	return status;
}

static int do_save(struct cli *cli, struct segment *s)
{
	crm_error err;
	if (!s->sel.where)
		cli_usage_error(cli, "--save NAME needs -w EXPR: the segment's expression");
	if (crm_segment_save(cli->db, s->save, s->sel.where, s->desc, &cli->clock, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "saved segment '%s'", s->save);
	return CRM_OK;
}

static int do_list(struct cli *cli)
{
	crm_error err;
	crm_writer *out = writer(cli, 5, crm_segment_list_columns);
	int rc = crm_segment_list(cli->db, &cli->clock, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	return finish(cli, out, rc);
}

static int do_delete(struct cli *cli, struct segment *s)
{
	crm_error err;
	if (crm_segment_delete(cli->db, s->delete, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "deleted segment '%s'", s->delete);
	return CRM_OK;
}

static int do_by(struct cli *cli, struct segment *s)
{
	crm_expr *where;
	crm_error err;
	int status = select_as_expr(cli, &s->sel, &where);
	crm_group *g;
	if (crm_group_new(&g, cli->db, s->by, s->bins, s->edges, where, &cli->clock, &err) != CRM_OK) {
		crm_expr_free(where);
		return fail(cli, &err);
	}
	size_t n;
	const char *const *names = crm_group_columns(g, &n);
	crm_writer *out = writer(cli, n, names);
	int rc = crm_group_write(g, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	crm_group_free(g);
	crm_expr_free(where);
	rc = finish(cli, out, rc);
	return rc ? rc : status;
}

/* The snapshot moves on only once the changes are written out in full:
 * a cron job that fails to mail them sees them again next time. */
static int do_diff(struct cli *cli, struct segment *s)
{
	crm_fields *fields;
	crm_error err;
	if (crm_fields_new(&fields, cli->db, CRM_CUSTOMERS, s->fields ? s->fields : "id,name,phone,city",
			   &err) != CRM_OK)
		return fail(cli, &err);
	size_t n = crm_fields_count(fields);
	const char **names = calloc(n + 1, sizeof *names);
	if (!names)
		abort();
	names[0] = "change";
	memcpy(names + 1, crm_fields_names(fields), n * sizeof *names);
	crm_writer *out = writer(cli, n + 1, names);
	int rc = crm_db_begin(cli->db, &err);
	if (rc == CRM_OK)
		rc = crm_segment_diff(cli->db, s->diff, fields, &cli->clock, out, &err);
	if (rc == CRM_OK && (rc = crm_writer_finish(out, &err)) == CRM_OK)
		rc = crm_db_commit(cli->db, &err);
	if (rc != CRM_OK) {
		crm_db_rollback(cli->db);
		cli_error(cli, &err);
	}
	crm_writer_free(out);
	free(names);
	crm_fields_free(fields);
	return rc;
}

/* --max-missing names fields of the report: checked before it is written,
 * since a usage error writes nothing. */
static void check_gate_fields(struct cli *cli, const struct segment *s, const crm_quality *q)
{
	for (int i = 0; i < s->nmax_missing; i++) {
		size_t len = (size_t)(strchr(s->max_missing[i], '=') - s->max_missing[i]);
		size_t k = 0;
		while (k < q->n && (strlen(q->f[k].field) != len ||
				    strncmp(q->f[k].field, s->max_missing[i], len)))
			k++;
		if (k == q->n)
			cli_usage_error(cli, "--max-missing: unknown field '%.*s'", (int)len,
					s->max_missing[i]);
	}
}

/* --max-missing FIELD=N% and --max-duplicates N%: exit 1 when exceeded. */
static int check_thresholds(struct cli *cli, struct segment *s, const crm_quality *q)
{
	int status = CRM_OK;
	for (int i = 0; i < s->nmax_missing; i++) {
		char field[128];
		const char *eq = strchr(s->max_missing[i], '=');
		snprintf(field, sizeof field, "%.*s", (int)(eq - s->max_missing[i]), s->max_missing[i]);
		double max = strtod(eq + 1, NULL);
		for (size_t k = 0; k < q->n; k++) {
			if (strcmp(q->f[k].field, field) != 0)
				continue;
			double pct = crm_quality_pct(q->f[k].missing, q->total);
			if (pct > max) {
				fprintf(stderr, "%s: %s is missing for %.1f%% of customers (at most %g%%)\n",
					cli->prog, field, pct, max);
				status = CRM_EDATA;
			}
		}
	}
	for (size_t k = 0; s->max_duplicates >= 0 && k < q->n; k++) {
		double pct = crm_quality_pct(q->f[k].duplicates, q->total);
		if (q->f[k].key && pct > s->max_duplicates) {
			fprintf(stderr, "%s: %.1f%% of customers repeat another's %s (at most %g%%)\n",
				cli->prog, pct, q->f[k].field, s->max_duplicates);
			status = CRM_EDATA;
		}
	}
	/* A gate that saw nobody has proven nothing: a nightly check fed an
	 * empty file must not pass. */
	bool both = s->nmax_missing && s->max_duplicates >= 0;
	if ((s->nmax_missing || s->max_duplicates >= 0) && q->total == 0) {
		fprintf(stderr, "%s: the selection is empty: %s checked nobody, so %s\n", cli->prog,
			both ? "--max-missing and --max-duplicates" : s->nmax_missing ? "--max-missing"
			: "--max-duplicates", both ? "they fail" : "it fails");
		status = CRM_EDATA;
	}
	return status;
}

/* The report, a record a field in every format; in JSON one object, with a
 * member for each field. */
static int do_quality(struct cli *cli, struct segment *s)
{
	crm_expr *where;
	crm_error err;
	int status = select_as_expr(cli, &s->sel, &where);
	crm_quality *q;
	if (crm_quality_new(&q, cli->db, where, &cli->clock, &err) != CRM_OK) {
		crm_expr_free(where);
		return fail(cli, &err);
	}
	check_gate_fields(cli, s, q);
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 7, crm_quality_columns,
					 CRM_WRITE_KEYED);
	int rc = crm_quality_write(q, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	rc = finish(cli, out, rc);
	if (rc == CRM_OK)
		rc = check_thresholds(cli, s, q);
	crm_quality_free(q);
	crm_expr_free(where);
	return rc ? rc : status;
}

/* The customers who share a value of the field, group by group, for merging. */
static int do_duplicates(struct cli *cli, struct segment *s)
{
	crm_expr *where;
	crm_error err;
	int status = select_as_expr(cli, &s->sel, &where);
	const char *const names[3] = {"group", "id", s->duplicates};
	crm_writer *out = writer(cli, 3, names);
	int rc = crm_quality_duplicates(cli->db, s->duplicates, where, &cli->clock, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	rc = finish(cli, out, rc);
	crm_expr_free(where);
	return rc ? rc : status;
}

static int do_config(struct cli *cli, char **args, int nargs)
{
	crm_error err;
	if (nargs > 1)
		cli_usage_error(cli, "--config takes one KEY or KEY=VALUE");
	const char *eq = nargs ? strchr(args[0], '=') : NULL;
	if (eq) {
		char key[128];
		snprintf(key, sizeof key, "%.*s", (int)(eq - args[0]), args[0]);
		if (crm_setting_set(cli->db, key, eq + 1, &cli->clock, &err) != CRM_OK)
			return fail(cli, &err);
		cli_note(cli, "%s = %s", key, eq + 1);
		return CRM_OK;
	}
	crm_writer *out = writer(cli, 4, crm_setting_columns);
	int rc = crm_setting_write(cli->db, nargs ? args[0] : NULL, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	return finish(cli, out, rc);
}

static int do_explain(struct cli *cli, struct segment *s)
{
	static const char *const names[] = {"what", "value"};
	crm_error err;
	if (!s->sel.expr)
		cli_usage_error(cli, "--explain shows what -w EXPR or -s NAME compiles to");
	crm_writer *out = writer(cli, 2, names);
	int rc = crm_expr_sql(s->sel.expr, cli->db, &cli->clock, out, &err);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	return finish(cli, out, rc);
}

/* ---- main ---- */

static int modes(const struct segment *s)
{
	return !!s->save + s->list + !!s->delete + !!s->by + !!s->diff + s->quality +
	       !!s->duplicates + s->config + s->explain + s->count;
}

static void check_options(struct cli *cli, void *ctx)
{
	struct segment *s = ctx;
	int nargs = cli->nargs;
	if (modes(s) > 1)
		cli_usage_error(cli, "--save, --list, --delete, --by, --diff, --quality, --duplicates,"
				     " --config, --explain and --count are each a job of their own: give one");
	if (modes(s) && !s->count)
		select_no_order(cli, &s->sel, "go with a list of customers (and --limit with --count)");
	if (s->count && (s->fields || s->sel.sort))
		cli_usage_error(cli, "--count prints the number of customers: it takes no -f or --sort");
	if ((s->bins || s->edges) && !s->by)
		cli_usage_error(cli, "--bins and --edges go with --by");
	if (s->desc && !s->save)
		cli_usage_error(cli, "--desc goes with --save");
	if ((s->nmax_missing || s->max_duplicates >= 0) && !s->quality)
		cli_usage_error(cli, "--max-missing and --max-duplicates go with --quality");
	if (cli_output_format(cli) == CRM_FMT_CHART && !s->by)
		cli_usage_error(cli, "-o chart draws the counts of --by");
	bool chooses = s->sel.all || s->sel.segment || s->sel.where;
	if ((s->list || s->delete || s->diff) && (chooses || nargs))
		cli_usage_error(cli, "--list, --delete and --diff take no selection");
	if (s->config && chooses)
		cli_usage_error(cli, "--config takes KEY or KEY=VALUE, no selection");
	if (s->save && (s->sel.segment || s->sel.all || nargs))
		cli_usage_error(cli, "--save NAME takes -w EXPR and nothing else");
}

static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct segment *s = ctx;
	bool writes = s->save || s->delete || s->diff ||
		      (s->config && cli->nargs && strchr(cli->args[0], '='));
	return writes ? 0 : CRM_DB_READ;
}

/* --config KEY, or KEY=VALUE */
static const struct cli_operands_after operands_after[] = {
	{OPT_CONFIG, CLI_SETTING},
	{0, NULL},
};

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-segment",
		.usage = "[options] [ID...]",
		.summary = "Select customers by expression, save segments, group and count, audit.",
		.options = options,
		.operands_after = operands_after,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct segment s = {.max_duplicates = -1};
	cli_start(&cli, argc, argv, &s);
	int status;
	if (s.config) {
		status = do_config(&cli, cli.args, cli.nargs);
	} else if (s.list) {
		status = do_list(&cli);
	} else if (s.delete) {
		status = do_delete(&cli, &s);
	} else if (s.diff) {
		status = do_diff(&cli, &s);
	} else if (s.save) {
		status = do_save(&cli, &s);
	} else {
		select_prepare(&cli, &s.sel, cli.args, cli.nargs);
		status = s.by ? do_by(&cli, &s) : s.quality ? do_quality(&cli, &s)
			: s.duplicates ? do_duplicates(&cli, &s)
			: s.explain ? do_explain(&cli, &s) : s.count ? do_count(&cli, &s)
			: do_select(&cli, &s);
	}
	select_free(&s.sel);
	return cli_exit(&cli, status);
}
