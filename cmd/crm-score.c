/* crm-score: score and grade customers with a model; models; explanations;
 * the changes of grade. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_MODEL = 'm',
	OPT_DEFINE = OPT_FIRST_COMMAND_KEY,
	OPT_DRY_RUN,
	OPT_MODELS,
	OPT_SHOW,
	OPT_EXPLAIN,
	OPT_CHANGES,
	OPT_SINCE,
	OPT_FROM,
	OPT_TO,
	OPT_MATRIX,
};

static const struct cli_option options[] = {
	{OPT_MODEL, "model", "NAME", CLI_MODEL, "the model (default: the setting score.model)"},
	SELECT_OPTIONS,
	ORDER_OPTIONS,
	{OPT_DEFINE, "define", "NAME", CLI_MODEL, "store the FILE given after it as model NAME"},
	{OPT_DRY_RUN, "dry-run", NULL, NULL,
	 "with --define: how the grades would move; store nothing"},
	{OPT_MODELS, "models", NULL, NULL, "the models"},
	{OPT_SHOW, "show", "NAME", CLI_MODEL, "a model's text, as it was given"},
	{OPT_EXPLAIN, "explain", "ID", NULL, "why a customer scores what it does"},
	{OPT_CHANGES, "changes", NULL, NULL, "the changes of grade, as records"},
	{OPT_SINCE, "since", "WHEN", NULL, "with --changes: since a date, or in the last 7d"},
	{OPT_FROM, "from", "GRADES", NULL, "with --changes: from these grades (none: no grade)"},
	{OPT_TO, "to", "GRADES", NULL, "with --changes: to these grades"},
	{OPT_MATRIX, "matrix", NULL, NULL, "with --changes: counted, from-grade by to-grade"},
	CLI_COMMON_OPTIONS,
};

struct score {
	struct selection sel;
	const char *model, *define, *show, *explain, *since, *from, *to;
	bool dry_run, models, changes, matrix;
};

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct score *s = ctx;
	(void)cli;
	switch (key) {
	case OPT_MODEL: s->model = arg; return true;
	case OPT_DEFINE: s->define = arg; return true;
	case OPT_DRY_RUN: s->dry_run = true; return true;
	case OPT_MODELS: s->models = true; return true;
	case OPT_SHOW: s->show = arg; return true;
	case OPT_EXPLAIN: s->explain = arg; return true;
	case OPT_CHANGES: s->changes = true; return true;
	case OPT_SINCE: s->since = arg; return true;
	case OPT_FROM: s->from = arg; return true;
	case OPT_TO: s->to = arg; return true;
	case OPT_MATRIX: s->matrix = true; return true;
	default: return select_take(&s->sel, key, arg);
	}
}

static int fail(struct cli *cli, const crm_error *err)
{
	cli_error(cli, err);
	return err->code;
}

/* The model of -m, else the default one; exits when there is none. */
static crm_model *model_of(struct cli *cli, const struct score *s)
{
	crm_error err;
	char *name = NULL;
	if (!s->model && crm_setting_get(cli->db, "score.model", &name, &err) != CRM_OK)
		exit(cli_exit(cli, fail(cli, &err)));
	if (!s->model && !*name) {
		free(name);
		cli_usage_error(cli, "which model? give -m NAME (crm-score --models), or set the default"
				     " with crm-segment --config score.model=NAME");
	}
	crm_model *m;
	int rc = crm_model_load(&m, cli->db, s->model ? s->model : name, &err);
	free(name);
	if (rc != CRM_OK)
		exit(cli_exit(cli, fail(cli, &err)));
	return m;
}

/* ---- models ---- */

/* The whole of a model file ("-": stdin); models are small. */
static char *read_file(struct cli *cli, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		crm_error err;
		crm_error_set(&err, CRM_EDATA, "%s: %s", path, strerror(errno));
		exit(cli_exit(cli, fail(cli, &err)));
	}
	size_t cap = 4096, len = 0;
	char *text = cli_xcalloc(cap, 1);
	size_t got;
	while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			if (cap >= (1u << 24))
				cli_usage_error(cli, "%s: a model file is at most 16 MB", path);
			char *bigger = cli_xcalloc(cap * 2, 1);
			memcpy(bigger, text, len);
			free(text);
			text = bigger;
			cap *= 2;
		}
	}
	text[len] = '\0';
	if (f != stdin)
		fclose(f);
	if (memchr(text, '\0', len))
		cli_usage_error(cli, "%s: a model is text; this file holds NUL bytes", path);
	return text;
}

static int do_define(struct cli *cli, struct score *s, char **args, int nargs)
{
	if (nargs != 1)
		cli_usage_error(cli, "--define NAME needs the model's FILE after it (- for stdin)");
	char *text = read_file(cli, args[0]);
	crm_error err;
	crm_model *m;
	int rc = crm_model_parse(&m, cli->db, s->define, text, args[0], &err);
	free(text);
	if (rc != CRM_OK)
		return fail(cli, &err);
	if (s->dry_run) {
		crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 4, crm_preview_columns, 0);
		rc = crm_model_preview(cli->db, m, &cli->clock, out, &err);
		if (rc == CRM_OK)
			rc = crm_writer_finish(out, &err);
		crm_writer_free(out);
		if (rc == CRM_OK)
			cli_note(cli, "a dry run: model '%s' was not stored", m->name);
	} else {
		int version;
		bool became_default;
		rc = crm_model_define(cli->db, m, &cli->clock, &version, &became_default, &err);
		if (rc == CRM_OK)
			cli_note(cli, "model '%s' version %d stored%s", m->name, version,
				 became_default ? "; it is the default model (score.model)" : "");
	}
	crm_model_free(m);
	return rc == CRM_OK ? CRM_OK : fail(cli, &err);
}

static int do_show(struct cli *cli, const struct score *s)
{
	char *text;
	crm_error err;
	if (crm_model_show(cli->db, s->show, &text, &err) != CRM_OK)
		return fail(cli, &err);
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		crm_error_set(&err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
		return fail(cli, &err);
	}
	return CRM_OK;
}

static int do_models(struct cli *cli)
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 6, crm_model_list_columns, 0);
	int rc = crm_model_list(cli->db, out, &err);
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, &err);
	crm_writer_free(out);
	return rc == CRM_OK ? CRM_OK : fail(cli, &err);
}

static int do_explain(struct cli *cli, const struct score *s)
{
	crm_error err;
	crm_model *m = model_of(cli, s);
	const char *const *columns = m->rfm ? crm_explain_rfm_columns : crm_explain_columns;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 4, columns, 0);
	int rc = crm_score_explain(cli->db, m, s->explain, &cli->clock, out, &err);
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, &err);
	crm_writer_free(out);
	crm_model_free(m);
	return rc == CRM_OK ? CRM_OK : fail(cli, &err);
}

/* ---- scoring ---- */

static void scored_of(void *ctx, const char *id, crm_value *values)
{
	crm_scored_lookup_get(ctx, id, values);
}

static int write_scored(struct cli *cli, struct selection *sel)
{
	crm_error err;
	if (sel->keep) {
		/* nothing was scored for an empty stream: its header alone is written */
		crm_scored_lookup *l = sel->nread ? crm_scored_lookup_new(cli->db, &err) : NULL;
		if (sel->nread && !l)
			return fail(cli, &err);
		int rc = select_pass_through(cli, sel, 3, crm_scored_columns + 1, scored_of, l);
		crm_scored_lookup_free(l);
		return rc;
	}
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 4, crm_scored_columns, 0);
	int rc = crm_scored_write(cli->db, out, &err);
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, &err);
	crm_writer_free(out);
	return rc == CRM_OK ? CRM_OK : fail(cli, &err);
}

static int do_score(struct cli *cli, struct score *s, char **ids, int nids)
{
	crm_error err;
	if (!s->sel.all && !s->sel.segment && !s->sel.where && !nids && !cli_stdin_is_stream())
		cli_usage_error(cli, "which customers? give ids, -s, -w, --all, or pipe records in");
	crm_model *m = model_of(cli, s);
	select_prepare(cli, &s->sel, ids, nids);
	bool stream = select_from_stdin(&s->sel);
	if (stream && !cli_stdout_is_null() && !(s->sel.keep = tmpfile())) {
		crm_error_set(&err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
		crm_model_free(m);
		return fail(cli, &err);
	}
	crm_expr *where;
	int rc = select_as_expr(cli, &s->sel, &where);
	if (rc == CRM_OK)
		rc = select_limit(cli, &s->sel, &where);
	crm_score_counts n;
	if (rc != CRM_OK && rc != CRM_EDB)
		cli_note(cli, "nothing was scored: fix the selection first");
	else if (rc == CRM_OK && !(stream && s->sel.nread == 0) &&
		 (rc = crm_model_score(cli->db, m, where, &cli->clock, &n, &err)) != CRM_OK)
		cli_error(cli, &err);
	else if (rc == CRM_OK && !(stream && s->sel.nread == 0))
		cli_note(cli, "%s: %ld scored, %ld stored anew, %ld changed grade", m->name, n.scored,
			 n.changed, n.regraded);
	crm_expr_free(where);
	if (rc == CRM_OK && (!stream || s->sel.keep))
		rc = write_scored(cli, &s->sel);
	if (s->sel.keep)
		fclose(s->sel.keep);
	crm_model_free(m);
	return rc;
}

/* ---- changes ---- */

/* Comma-separated grades, split in place. */
static size_t split(char *list, const char **out, size_t max)
{
	size_t n = 0;
	for (char *p = strtok(list, ","); p && n < max; p = strtok(NULL, ","))
		out[n++] = p;
	return n;
}

static int do_changes(struct cli *cli, struct score *s)
{
	crm_error err;
	crm_model *m = model_of(cli, s);
	char since[11], *from = s->from ? strdup(s->from) : NULL, *to = s->to ? strdup(s->to) : NULL;
	const char *froms[64], *tos[64];
	crm_changes_query q = {.model = m, .from = froms, .to = tos};
	q.nfrom = from ? split(from, froms, 64) : 0;
	q.nto = to ? split(to, tos, 64) : 0;
	if (s->since && crm_since_day(&cli->clock, s->since, since, &err) != CRM_OK)
		exit(cli_exit(cli, fail(cli, &err)));
	q.since = s->since ? since : NULL;
	crm_writer *out;
	int rc;
	if (s->matrix) {
		size_t n;
		char **names = crm_matrix_columns(m, &n);
		out = crm_writer_new(stdout, cli_output_format(cli), n, (const char *const *)names, 0);
		crm_strings_free(names, n);
		rc = crm_grade_matrix(cli->db, &q, out, &err);
	} else {
		out = crm_writer_new(stdout, cli_output_format(cli), 5, crm_change_columns, 0);
		rc = crm_grade_changes(cli->db, &q, out, &err);
	}
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, &err);
	crm_writer_free(out);
	crm_model_free(m);
	free(from);
	free(to);
	return rc == CRM_OK ? CRM_OK : fail(cli, &err);
}

/* ---- main ---- */

static void check_options(struct cli *cli, void *ctx)
{
	const struct score *s = ctx;
	int nargs = cli->nargs;
	int jobs = !!s->define + s->models + !!s->show + !!s->explain + s->changes;
	if (jobs > 1)
		cli_usage_error(cli, "give one job: scoring, --define, --models, --show, --explain or --changes");
	if (s->dry_run && !s->define)
		cli_usage_error(cli, "--dry-run goes with --define");
	if ((s->since || s->from || s->to || s->matrix) && !s->changes)
		cli_usage_error(cli, "--since, --from, --to and --matrix go with --changes");
	bool chooses = s->sel.all || s->sel.segment || s->sel.where;
	if (jobs && (chooses || (nargs && !s->define)))
		cli_usage_error(cli, "customers are chosen only for scoring");
	if (jobs)
		select_no_order(cli, &s->sel, "choose the customers scored");
	if (s->model && (s->define || s->models || s->show))
		cli_usage_error(cli, "-m goes with scoring, --explain and --changes");
}

static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct score *s = ctx;
	(void)cli;
	return s->models || s->show || s->explain || s->changes || (s->define && s->dry_run)
		       ? CRM_DB_READ
		       : 0;
}

/* --define NAME FILE */
static const struct cli_operands_after operands_after[] = {
	{OPT_DEFINE, CLI_FILE},
	{0, NULL},
};

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-score",
		.usage = "[options] [ID...]",
		.summary = "Score and grade customers with a model; explain a score; list changes of grade.",
		.options = options,
		.operands_after = operands_after,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct score s = {0};
	cli_start(&cli, argc, argv, &s);
	int status;
	if (s.define)
		status = do_define(&cli, &s, cli.args, cli.nargs);
	else if (s.models)
		status = do_models(&cli);
	else if (s.show)
		status = do_show(&cli, &s);
	else if (s.explain)
		status = do_explain(&cli, &s);
	else if (s.changes)
		status = do_changes(&cli, &s);
	else
		status = do_score(&cli, &s, cli.args, cli.nargs);
	select_free(&s.sel);
	return cli_exit(&cli, status);
}
