/* crm-note: notes and follow-ups on customers (备注, 回访). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_CATEGORY = 'c',
	OPT_AUTHOR = 'a',
	OPT_LIST = 'l',
	OPT_FOLLOW_UP = OPT_FIRST_COMMAND_KEY,
	OPT_SEARCH,
	OPT_TEXT,
	OPT_SINCE,
	OPT_DUE,
	OPT_DONE,
	OPT_EDIT,
	OPT_HISTORY,
	OPT_DELETE,
	OPT_FORCE,
	OPT_DELETED,
	OPT_CATEGORIES,
	OPT_ADD_CATEGORY,
	OPT_IMPORT,
	OPT_REJECT,
	OPT_DRY_RUN,
	OPT_DATE_FORMAT,
};

static const struct cli_option options[] = {
	{OPT_CATEGORY, "category", "CAT", CLI_NOTE_CATEGORY,
	 "the note's category (default 其他); with -l, --due: only these"},
	{OPT_AUTHOR, "author", "NAME", NULL,
	 "who wrote it (default $USER); with -l, --due: only theirs"},
	{OPT_FOLLOW_UP, "follow-up", "WHEN", NULL, "call back on a date, or in 3d, 2w"},
	SELECT_OPTIONS,
	ORDER_OPTIONS,
	{OPT_LIST, "list", NULL, NULL, "list the chosen customers' notes, newest first"},
	{OPT_SEARCH, "search", "PATTERN", NULL,
	 "with -l: notes whose text a PCRE2 pattern matches"},
	{OPT_TEXT, "text", "WORDS", NULL, "with -l: notes holding every word (full-text index)"},
	{OPT_SINCE, "since", "WHEN", NULL,
	 "with -l: notes written since a date, or in the last 7d"},
	{OPT_DUE, "due", NULL, NULL, "follow-ups due or overdue, the most overdue first"},
	{OPT_DONE, "done", "NOTE_ID", NULL, "close a note's follow-up"},
	{OPT_EDIT, "edit", "NOTE_ID", NULL, "replace a note's text, keeping the earlier one"},
	{OPT_HISTORY, "history", "NOTE_ID", NULL, "every text a note has had"},
	{OPT_DELETE, "delete", "NOTE_ID", NULL,
	 "delete a note (with --force); a record of it is kept"},
	{OPT_FORCE, "force", NULL, NULL, "with --delete: really delete"},
	{OPT_DELETED, "deleted", NULL, NULL, "the deleted notes: what, by whom, when"},
	{OPT_CATEGORIES, "categories", NULL, NULL, "the categories, with their notes"},
	{OPT_ADD_CATEGORY, "add-category", "NAME", NULL, "add a category"},
	{OPT_IMPORT, "import", NULL, NULL,
	 "import notes from FILEs or stdin (customer_id, body, ...)"},
	{OPT_REJECT, "reject", "FILE", CLI_FILE,
	 "with --import: store the good, write the bad to FILE"},
	{OPT_DRY_RUN, "dry-run", NULL, NULL, "with --import: check and count, store nothing"},
	{OPT_DATE_FORMAT, "date-format", "ORDER", "DMY MDY YMD",
	 "with --import: dates like 05.01.2024 are DMY, MDY or YMD"},
	CLI_INPUT_OPTIONS,
	CLI_COMMON_OPTIONS,
};

struct note {
	struct selection sel;
	const char *category, *author, *follow_up, *search, *text, *since;
	const char *done, *edit, *history, *delete, *add_category;
	struct cli_rejects rejects;
	bool list, due, force, deleted, categories, import, dry_run;
	enum crm_date_order dates;
	char follow_day[11], since_day[11];
};

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct note *n = ctx;
	(void)cli;
	switch (key) {
	case OPT_CATEGORY: n->category = arg; return true;
	case OPT_AUTHOR: n->author = arg; return true;
	case OPT_FOLLOW_UP: n->follow_up = arg; return true;
	case OPT_DATE_FORMAT: return crm_date_order_parse(arg, &n->dates) == CRM_OK;
	case OPT_LIST: n->list = true; return true;
	case OPT_SEARCH: n->search = arg; return true;
	case OPT_TEXT: n->text = arg; return true;
	case OPT_SINCE: n->since = arg; return true;
	case OPT_DUE: n->due = true; return true;
	case OPT_DONE: n->done = arg; return true;
	case OPT_EDIT: n->edit = arg; return true;
	case OPT_HISTORY: n->history = arg; return true;
	case OPT_DELETE: n->delete = arg; return true;
	case OPT_FORCE: n->force = true; return true;
	case OPT_DELETED: n->deleted = true; return true;
	case OPT_CATEGORIES: n->categories = true; return true;
	case OPT_ADD_CATEGORY: n->add_category = arg; return true;
	case OPT_IMPORT: n->import = true; return true;
	case OPT_REJECT: n->rejects.path = arg; return true;
	case OPT_DRY_RUN: n->dry_run = true; return true;
	default: return select_take(&n->sel, key, arg);
	}
}

static int fail(struct cli *cli, const crm_error *err)
{
	cli_error(cli, err);
	return err->code;
}

/* A note id as given: a positive whole number. */
static int64_t note_id(struct cli *cli, const char *text)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v <= 0)
		cli_usage_error(cli, "'%s' is not a note id (crm-note -l shows them)", text);
	return (int64_t)v;
}

/* The text of a note: the words given, joined by spaces, or stdin for "-". */
static char *note_text(struct cli *cli, char **words, int n)
{
	crm_error err;
	if (n == 1 && !strcmp(words[0], "-")) {
		if (!cli_stdin_is_stream())
			cli_usage_error(cli, "'-' reads the text from stdin: pipe it in");
		char *text = NULL;
		size_t len = 0, cap = 0, got;
		do {
			if (len + 4096 + 1 > cap)
				text = realloc(text, cap = 2 * cap + 4096 + 1);
			if (!text)
				abort();
			got = fread(text + len, 1, cap - len - 1, stdin);
			len += got;
		} while (got > 0 && len < (1u << 20));
		text[len] = '\0';
		if (ferror(stdin) || strlen(text) != len) {
			free(text);
			crm_error_set(&err, CRM_EDATA, "stdin: %s", ferror(stdin) ? strerror(errno)
					: "the text holds a NUL byte");
			exit(cli_exit(cli, fail(cli, &err)));
		}
		return text;
	}
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	char *text = cli_xcalloc(len, 1);
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(text, " ");
		strcat(text, words[i]);
	}
	return text;
}

/* ---- adding ---- */

static void note_id_of(void *ctx, const char *id, crm_value *values)
{
	const char *nid = crm_note_lookup_get(ctx, id);
	values[0] = (crm_value){*nid ? CRM_INT : CRM_NULL, nid, strlen(nid)};
}

static int pass_through(struct cli *cli, struct note *n, int64_t first)
{
	crm_error err;
	crm_note_lookup *l = crm_note_lookup_new(cli->db, first, &err);
	if (!l)
		return fail(cli, &err);
	static const char *const extra[1] = {"note_id"};
	int rc = select_pass_through(cli, &n->sel, 1, extra, note_id_of, l);
	crm_note_lookup_free(l);
	return rc;
}

static int add_to(struct cli *cli, struct note *n, const char *text, const crm_expr *where,
		  int64_t *first)
{
	crm_error err;
	crm_note_def def = {text, n->category, n->author ? n->author : cli_user(),
			    n->follow_up ? n->follow_day : NULL};
	long added;
	if (crm_note_add(cli->db, where, &def, &cli->clock, &added, first, &err) != CRM_OK)
		return fail(cli, &err);
	if (added == 1)
		cli_note(cli, "note %lld added", (long long)*first);
	else if (added)
		cli_note(cli, "%ld notes added (%lld to %lld)", added, (long long)*first,
			 (long long)(*first + added - 1));
	else
		cli_note(cli, "no customers chosen: no note added");
	return CRM_OK;
}

/* ID TEXT..., or TEXT... for the customers of -s, -w, --all or a stream
 * (the ID "-", or a single TEXT argument with records piped in). */
static int do_add(struct cli *cli, struct note *n, char **args, int nargs)
{
	bool chooses = n->sel.all || n->sel.segment || n->sel.where;
	char **ids = NULL;
	int nids = 0;
	if (!chooses && nargs >= 2 && strcmp(args[0], "-") != 0) {
		ids = args;
		nids = 1;
	}
	if (!chooses && (nids || (nargs >= 2 && !strcmp(args[0], "-")))) {
		args++;
		nargs--;
	}
	if (nargs < 1)
		cli_usage_error(cli, "what does the note say? crm-note ID TEXT...");
	if (!chooses && !nids && !cli_stdin_is_stream())
		cli_usage_error(cli, "which customer? crm-note ID TEXT..., or -s, -w, --all, or pipe records in");
	select_prepare(cli, &n->sel, ids, nids);
	bool stream = select_from_stdin(&n->sel);
	if (stream && nargs == 1 && !strcmp(args[0], "-"))
		cli_usage_error(cli, "stdin holds the customers: give the text as arguments");
	char *text = note_text(cli, args, nargs);
	crm_error err;
	if (stream && !cli_stdout_is_null() && !(n->sel.keep = tmpfile())) {
		free(text);
		crm_error_set(&err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
		return fail(cli, &err);
	}
	crm_expr *where;
	int64_t first = 0;
	int rc = select_as_expr(cli, &n->sel, &where);
	if (rc == CRM_OK)
		rc = select_limit(cli, &n->sel, &where);
	if (rc != CRM_OK && rc != CRM_EDB)
		cli_note(cli, "no note was added: fix the selection first");
	else if (rc == CRM_OK && !(stream && n->sel.nread == 0))
		rc = add_to(cli, n, text, where, &first);
	crm_expr_free(where);
	free(text);
	if (rc == CRM_OK && n->sel.keep && (first || !n->sel.nread))
		rc = pass_through(cli, n, first);
	if (n->sel.keep)
		fclose(n->sel.keep);
	return rc;
}

/* ---- reading ---- */

static int do_read(struct cli *cli, struct note *n, char **ids, int nids)
{
	select_prepare(cli, &n->sel, ids, nids);
	crm_expr *where;
	int rc = select_as_expr(cli, &n->sel, &where);
	if (rc != CRM_OK) {
		crm_expr_free(where);
		return rc;
	}
	crm_error err;
	crm_note_filter f = {n->since ? n->since_day : NULL, n->search, n->text, n->category,
			     n->author};
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 9,
					 n->due ? crm_note_due_columns : crm_note_columns, 0);
	rc = n->due ? crm_note_due(cli->db, where, &f, &cli->clock, out, &err)
		    : crm_note_list(cli->db, where, &f, &cli->clock, out, &err);
	rc = cli_finish(cli, out, rc, &err);
	crm_expr_free(where);
	return rc;
}

static int write_table(struct cli *cli, size_t ncols, const char *const *names, int64_t nid)
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), ncols, names, 0);
	int rc = nid ? crm_note_history(cli->db, nid, out, &err)
	     : names == crm_note_deleted_columns ? crm_note_deleted(cli->db, out, &err)
						 : crm_note_category_list(cli->db, &cli->clock, out, &err);
	return cli_finish(cli, out, rc, &err);
}

/* ---- one note ---- */

static int do_done(struct cli *cli, struct note *n)
{
	crm_error err;
	char before[20];
	int64_t nid = note_id(cli, n->done);
	if (crm_note_done(cli->db, nid, &cli->clock, before, &err) != CRM_OK)
		return fail(cli, &err);
	if (before[0])
		cli_note(cli, "note %lld: its follow-up was done already, on %.10s", (long long)nid, before);
	else
		cli_note(cli, "note %lld: follow-up done", (long long)nid);
	return CRM_OK;
}

static int do_edit(struct cli *cli, struct note *n, char **args, int nargs)
{
	crm_error err;
	int64_t nid = note_id(cli, n->edit);
	if (nargs < 1)
		cli_usage_error(cli, "--edit NOTE_ID needs the new text after it");
	char *text = note_text(cli, args, nargs);
	bool changed;
	int rc = crm_note_edit(cli->db, nid, text, n->author ? n->author : cli_user(), &cli->clock,
			       &changed, &err);
	free(text);
	if (rc != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, changed ? "note %lld changed; crm-note --history %lld shows the earlier text"
			      : "note %lld already says that: nothing changed", (long long)nid,
		 (long long)nid);
	return CRM_OK;
}

static int do_delete(struct cli *cli, struct note *n)
{
	crm_error err;
	int64_t nid = note_id(cli, n->delete);
	if (!n->force)
		cli_usage_error(cli, "deleting a note needs --force (crm-note --edit changes one instead)");
	if (crm_note_delete(cli->db, nid, cli_user(), &cli->clock, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "note %lld deleted; crm-note --deleted shows it", (long long)nid);
	return CRM_OK;
}

static int do_add_category(struct cli *cli, struct note *n)
{
	crm_error err;
	if (crm_note_category_add(cli->db, n->add_category, &err) != CRM_OK)
		return fail(cli, &err);
	return CRM_OK;
}

/* ---- importing ---- */

struct import {
	crm_note_import *imp;
	long bad;
	bool warned;
};

static int import_stream(struct cli *cli, struct note *n, struct import *im, FILE *in,
			 const char *source)
{
	crm_reader *r = cli_reader(cli, in, source, CRM_NAMES_NOTES);
	const crm_record *rec;
	crm_error err, why;
	enum crm_read got;
	int rc = CRM_OK;
	long count = 0;
	while (rc == CRM_OK && (got = crm_reader_next(r, &rec, &why)) != CRM_READ_END) {
		if (count == 0)
			cli_reader_found(cli, r);
		if (got == CRM_READ_FAIL) {
			rc = fail(cli, &why);
			break;
		}
		const char *unknown = crm_note_import_unknown(rec);
		if (got == CRM_READ_OK && unknown && !im->warned) {
			im->warned = true;
			cli_note(cli, "%s: column '%s' is not a note's: it is not stored", source, unknown);
		}
		int status = got == CRM_READ_OK ? crm_note_import_record(im->imp, rec, &why) : CRM_EDATA;
		if (status == CRM_EDATA) {
			crm_error shown = why;
			crm_error_at(&shown, source, rec->line, 0);
			cli_record_error(cli, &shown);
			im->bad++;
			if (cli_reject(&n->rejects, r, rec, &why, &err) != CRM_OK)
				rc = fail(cli, &err);
		} else if (status != CRM_OK) {
			rc = fail(cli, &why);
		}
		cli_progress(cli, ++count, false);
	}
	if (rc == CRM_OK)
		cli_reader_skipped(cli, r);
	crm_reader_free(r);
	return rc;
}

static int import_file(struct cli *cli, struct note *n, struct import *im, const char *path)
{
	if (!strcmp(path, "-"))
		return import_stream(cli, n, im, stdin, "stdin");
	FILE *in = fopen(path, "r");
	if (!in) {
		crm_error err;
		crm_error_set(&err, CRM_EDB, "%s: %s", path, strerror(errno));
		return fail(cli, &err);
	}
	int rc = import_stream(cli, n, im, in, path);
	fclose(in);
	return rc;
}

static int import_end(struct cli *cli, struct note *n, struct import *im, int rc)
{
	crm_error err;
	crm_note_import_counts counts;
	cli_progress(cli, 0, true);
	cli_hidden_errors(cli);
	bool keep = rc == CRM_OK && (!im->bad || n->rejects.path);
	if (crm_note_import_end(im->imp, keep, &counts, &err) != CRM_OK)
		return fail(cli, &err);
	if (rc != CRM_OK) {
		cli_note(cli, "nothing was stored");
		return rc;
	}
	if (im->bad && !n->rejects.path && !n->dry_run) {
		cli_note(cli, "%ld bad record%s: nothing was stored (fix %s, or store the good ones with"
			 " --reject FILE)", im->bad, im->bad == 1 ? "" : "s", im->bad == 1 ? "it" : "them");
		return CRM_EDATA;
	}
	cli_rejects_close(cli, &n->rejects);
	cli_note(cli, "notes: %ld %s, %ld unchanged, %ld rejected", counts.added,
		 n->dry_run ? "to add" : "added", counts.unchanged, counts.rejected);
	if (im->bad && n->rejects.path)
		cli_note(cli, "%ld bad record%s written to %s", im->bad, im->bad == 1 ? "" : "s",
			 n->rejects.path);
	return im->bad ? CRM_EDATA : CRM_OK;
}

static int do_import(struct cli *cli, struct note *n, char **files, int nfiles)
{
	crm_error err;
	struct import im = {0};
	if (!nfiles && !cli_stdin_is_stream())
		cli_usage_error(cli, "no input: give FILEs or pipe records in");
	int rc = crm_note_import_begin(&im.imp, cli->db, n->author ? n->author : cli_user(),
				       &cli->clock, n->dry_run, &err);
	if (rc != CRM_OK) {
		crm_note_import_end(im.imp, false, NULL, NULL);
		return fail(cli, &err);
	}
	crm_note_import_dates(im.imp, n->dates);
	if (!nfiles)
		rc = import_stream(cli, n, &im, stdin, "stdin");
	for (int i = 0; i < nfiles && rc == CRM_OK; i++)
		rc = import_file(cli, n, &im, files[i]);
	rc = import_end(cli, n, &im, rc);
	cli_rejects_free(&n->rejects);
	return rc;
}

/* ---- main ---- */

static int jobs(const struct note *n)
{
	return n->list + n->due + !!n->done + !!n->edit + !!n->history + !!n->delete + n->deleted +
	       n->categories + !!n->add_category + n->import;
}

static void check_options(struct cli *cli, void *ctx)
{
	struct note *n = ctx;
	if (jobs(n) > 1)
		cli_usage_error(cli, "give one job: a note to add, -l, --due, --done, --edit, --history,"
				     " --delete, --deleted, --categories, --add-category or --import");
	bool reads = n->list || n->due;
	if ((n->search || n->text || n->since) && !reads)
		cli_usage_error(cli, "--search, --text and --since go with -l or --due");
	if (n->follow_up && jobs(n))
		cli_usage_error(cli, "--follow-up goes with a note to add");
	if ((n->rejects.path || n->dry_run || n->dates) && !n->import)
		cli_usage_error(cli, "--reject, --dry-run and --date-format go with --import");
	if (n->force && !n->delete)
		cli_usage_error(cli, "--force goes with --delete");
	bool chooses = n->sel.all || n->sel.segment || n->sel.where;
	if (chooses && jobs(n) && !reads)
		cli_usage_error(cli, "customers are chosen only to add notes, for -l and for --due");
	if (jobs(n))
		select_no_order(cli, &n->sel, "choose the customers a note is added to");
	if (cli->nargs && (n->done || n->history || n->delete || n->deleted || n->categories ||
			   n->add_category))
		cli_usage_error(cli, "unexpected argument '%s'", cli->args[0]);
}

/* The days of --follow-up and --since, which need the clock. */
static void parse_days(struct cli *cli, struct note *n)
{
	crm_error err;
	if (n->follow_up && crm_day_ahead(&cli->clock, "--follow-up", n->follow_up, true,
					  n->follow_day, &err) != CRM_OK) {
		cli_error(cli, &err);
		exit(cli_exit(cli, CRM_EUSAGE));
	}
	if (n->since && crm_since_day(&cli->clock, n->since, n->since_day, &err) != CRM_OK) {
		cli_error(cli, &err);
		exit(cli_exit(cli, CRM_EUSAGE));
	}
}

static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct note *n = ctx;
	(void)cli;
	bool reads = n->list || n->due || n->history || n->deleted || n->categories ||
		     (n->import && n->dry_run);
	return reads ? CRM_DB_READ : 0;
}

/* --import FILE... */
static const struct cli_operands_after operands_after[] = {
	{OPT_IMPORT, CLI_FILE},
	{0, NULL},
};

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-note",
		.usage = "[options] ID TEXT... | [options] -l [ID...]",
		.summary = "Add notes and follow-ups to customers; list, search, edit and close them.",
		.options = options,
		.operands_after = operands_after,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct note n = {0};
	cli_start(&cli, argc, argv, &n);
	parse_days(&cli, &n);
	int status;
	if (n.list || n.due)
		status = do_read(&cli, &n, cli.args, cli.nargs);
	else if (n.done)
		status = do_done(&cli, &n);
	else if (n.edit)
		status = do_edit(&cli, &n, cli.args, cli.nargs);
	else if (n.history)
		status = write_table(&cli, 4, crm_note_history_columns, note_id(&cli, n.history));
	else if (n.delete)
		status = do_delete(&cli, &n);
	else if (n.deleted)
		status = write_table(&cli, 8, crm_note_deleted_columns, 0);
	else if (n.categories)
		status = write_table(&cli, 2, crm_note_category_columns, 0);
	else if (n.add_category)
		status = do_add_category(&cli, &n);
	else if (n.import)
		status = do_import(&cli, &n, cli.args, cli.nargs);
	else
		status = do_add(&cli, &n, cli.args, cli.nargs);
	select_free(&n.sel);
	return cli_exit(&cli, status);
}
