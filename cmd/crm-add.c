/* crm-add: import or update customers and their events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdnoreturn.h>

#include "cli.h"

enum {
	OPT_KIND = 'k',
	OPT_MATCH = OPT_FIRST_COMMAND_KEY,
	OPT_REPLACE,
	OPT_CREATE_MISSING,
	OPT_REJECT,
	OPT_DRY_RUN,
	OPT_SET,
	OPT_DATE_FORMAT,
	OPT_NEW_IDS,
	OPT_ON_CONFLICT,
};

static const struct cli_option options[] = {
	{OPT_KIND, "kind", "KIND", "customers events",
	 "what the records are: customers (default) or events"},
	{OPT_MATCH, "match", "FIELD", CLI_MATCH_KEYS,
	 "find customers without an id by phone, email, wechat_id, openid or unionid"},
	{OPT_NEW_IDS, "new-ids", NULL, NULL,
	 "add records with only a name as new customers, each time"},
	{OPT_ON_CONFLICT, "on-conflict", "HOW", "reject first last",
	 "records of one customer that disagree: reject (default), first, last"},
	{OPT_REPLACE, "replace", NULL, NULL, "let empty cells blank stored values"},
	{OPT_CREATE_MISSING, "create-missing", NULL, NULL, "create the customers that events name"},
	{OPT_REJECT, "reject", "FILE", CLI_FILE,
	 "store the good records, write the bad ones to FILE"},
	{OPT_DRY_RUN, "dry-run", NULL, NULL, "report what would be stored, store nothing"},
	{OPT_SET, "set", "FIELD=VALUE", CLI_FIELD_IS,
	 "a field of one record given here (repeatable)"},
	{OPT_DATE_FORMAT, "date-format", "ORDER", "DMY MDY YMD",
	 "dates like 05.01.2024 are DMY, MDY or YMD"},
	CLI_INPUT_OPTIONS,
	CLI_COMMON_OPTIONS,
};

struct add {
	crm_import_opts opts;
	struct cli_rejects rejects;
	char tagged_by[128]; /* "user:NAME", as crm-tag gives tags */
	bool dry_run;
	bool on_conflict; /* --on-conflict was given */
	char **set;
	size_t nset;
	/* while importing */
	crm_import *imp;
	crm_writer *out;     /* stored records, to a temporary file until commit */
	FILE *out_file;
	long bad;
	long count;
	struct cli *cli;
	crm_reader *reader; /* the input being read, for rejections */
	const char *source;
};

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct add *add = ctx;
	(void)cli;
	switch (key) {
	case OPT_KIND:
		return crm_kind_parse(arg, &add->opts.kind) == CRM_OK;
	case OPT_MATCH:
		return crm_match_parse(arg, &add->opts.match) == CRM_OK;
	case OPT_NEW_IDS:
		add->opts.new_ids = true;
		return true;
	case OPT_ON_CONFLICT:
		add->on_conflict = true;
		return crm_on_conflict_parse(arg, &add->opts.on_conflict) == CRM_OK;
	case OPT_REPLACE:
		add->opts.replace = true;
		return true;
	case OPT_CREATE_MISSING:
		add->opts.create_missing = true;
		return true;
	case OPT_REJECT:
		add->rejects.path = arg;
		return true;
	case OPT_DRY_RUN:
		add->dry_run = true;
		return true;
	case OPT_DATE_FORMAT:
		return crm_date_order_parse(arg, &add->opts.dates) == CRM_OK;
	case OPT_SET:
		if (!strchr(arg, '=') || arg[0] == '=')
			return false;
		add->set = realloc(add->set, (add->nset + 1) * sizeof *add->set);
		if (!add->set)
			abort();
		add->set[add->nset++] = (char *)arg;
		return true;
	default:
		return false;
	}
}

static void add_free(struct add *add)
{
	crm_reader_free(add->reader);
	add->reader = NULL;
	crm_writer_free(add->out);
	cli_rejects_free(&add->rejects);
	if (add->out_file)
		fclose(add->out_file);
	free(add->set);
	add->out = NULL;
	add->out_file = NULL;
	add->set = NULL;
}

/* Rolls back, frees, and exits with err's status. */
static noreturn void stop(struct cli *cli, struct add *add, int status)
{
	crm_import_end(add->imp, CRM_IMPORT_ABORT, NULL, NULL);
	add->imp = NULL;
	add_free(add);
	exit(cli_exit(cli, status));
}

static noreturn void fail(struct cli *cli, struct add *add, const crm_error *err)
{
	cli_error(cli, err);
	stop(cli, add, err->code ? err->code : CRM_EDB);
}

static void write_stored(struct cli *cli, struct add *add, const crm_record *stored)
{
	crm_error err;
	if (!add->out)
		add->out = crm_writer_new(add->out_file, cli_output_format(cli), stored->n,
					  stored->names, 0);
	if (crm_writer_put_record(add->out, stored, &err) != CRM_OK)
		fail(cli, add, &err);
}

static void on_stored(void *ctx, const crm_record *stored)
{
	struct add *add = ctx;
	write_stored(add->cli, add, stored);
}

static void on_rejected(void *ctx, const crm_record *in, const crm_error *why)
{
	struct add *add = ctx;
	crm_error shown = *why;
	crm_error_at(&shown, add->source, in->line, 0);
	cli_record_error(add->cli, &shown);
	crm_error err;
	if (cli_reject(&add->rejects, add->reader, in, why, &err) != CRM_OK)
		fail(add->cli, add, &err);
	add->bad++;
}

static void on_note(void *ctx, const char *text)
{
	struct add *add = ctx;
	cli_note(add->cli, "%s", text);
}

static void import_stream(struct cli *cli, struct add *add, FILE *in, const char *source)
{
	enum crm_names names = add->opts.kind == CRM_EVENTS ? CRM_NAMES_EVENTS : CRM_NAMES_CUSTOMERS;
	crm_reader *r = cli_reader(cli, in, source, names);
	add->reader = r;
	add->source = source;
	crm_import_source(add->imp, source);
	const crm_record *rec;
	crm_error err, why;
	for (long n = 0;; n++) {
		enum crm_read got = crm_reader_next(r, &rec, &err);
		int rc = CRM_OK;
		if (n == 0)
			cli_reader_found(cli, r);
		if (got == CRM_READ_END) {
			rc = crm_import_flush(add->imp, &why);
			if (rc != CRM_OK)
				fail(cli, add, &why);
			break;
		}
		if (got == CRM_READ_FAIL) {
			cli_error(cli, &err);
			if (err.code != CRM_EUSAGE)
				cli_note(cli, "nothing was stored");
			stop(cli, add, err.code ? err.code : CRM_EDATA);
		}
		if (got == CRM_READ_OK)
			rc = crm_import_record(add->imp, rec, &why);
		else
			rc = crm_import_reject(add->imp, rec, &err, &why);
		if (rc != CRM_OK) {
			crm_error_at(&why, source, rec->line, 0);
			fail(cli, add, &why);
		}
		cli_progress(cli, ++add->count, false);
	}
	cli_reader_skipped(cli, r);
	add->reader = NULL;
	crm_reader_free(r);
}

static void import_file(struct cli *cli, struct add *add, const char *path)
{
	if (strcmp(path, "-") == 0) {
		import_stream(cli, add, stdin, "stdin");
		return;
	}
	FILE *in = fopen(path, "r");
	if (!in) {
		crm_error err;
		crm_error_set(&err, CRM_EDB, "%s: %s", path, strerror(errno));
		fail(cli, add, &err);
	}
	import_stream(cli, add, in, path);
	fclose(in);
}

/* A usage error found once the import has begun: it is ended, and the
 * database closed, before the exit. */
static noreturn void set_usage_error(struct cli *cli, struct add *add, const char *what,
				     const char *name)
{
	fprintf(stderr, "%s: --set %s: %s\nTry '%s --help'.\n", cli->prog, name, what, cli->prog);
	stop(cli, add, CRM_EUSAGE);
}

/* --set name=value ...: one record, imported like any other. */
static void import_set(struct cli *cli, struct add *add)
{
	const char **names = calloc(add->nset, sizeof *names);
	crm_value *values = calloc(add->nset, sizeof *values);
	if (!names || !values)
		abort();
	const char *bad = NULL;
	for (size_t i = 0; i < add->nset && !bad; i++) {
		char *eq = strchr(add->set[i], '=');
		*eq = '\0';
		names[i] = add->set[i];
		values[i] = (crm_value){CRM_TEXT, eq + 1, strlen(eq + 1)};
		for (size_t k = 0; k < i && !bad; k++)
			if (strcmp(names[k], names[i]) == 0)
				bad = "given twice";
		if (!bad && crm_utf8_valid_prefix(values[i].s, values[i].len) != values[i].len)
			bad = "invalid UTF-8";
		if (bad) {
			const char *name = names[i];
			free(names);
			free(values);
			set_usage_error(cli, add, bad, name);
		}
	}
	crm_record rec = {add->nset, names, values, 0, NULL};
	crm_error err;
	add->source = "--set";
	if (crm_import_record(add->imp, &rec, &err) != CRM_OK ||
	    crm_import_flush(add->imp, &err) != CRM_OK)
		fail(cli, add, &err);
	free(names);
	free(values);
}

static void print_counts(struct cli *cli, const char *kind, const crm_import_counts *n,
			 bool dry)
{
	cli_note(cli, "%s: %ld %s, %ld %s, %ld unchanged, %ld merged, %ld rejected", kind,
		 n->inserted, dry ? "to insert" : "inserted", n->updated, dry ? "to update" : "updated",
		 n->unchanged, n->merged, n->rejected);
	if (n->created)
		cli_note(cli, "%ld customer%s %s for events", n->created, n->created == 1 ? "" : "s",
			 dry ? "would be created" : "created");
	if (n->suppressed) /* records of erased customers (crm-rm(1)) */
		cli_note(cli, "%s: %ld suppressed: erased on %s%s%s", kind, n->suppressed,
			 n->suppressed_from, strcmp(n->suppressed_from, n->suppressed_to) ? " to " : "",
			 strcmp(n->suppressed_from, n->suppressed_to) ? n->suppressed_to : "");
	if (n->aliased)
		cli_note(cli, "%s: %ld by a merged id, %s under the customer it is merged into", kind,
			 n->aliased, dry ? "to be stored" : "stored");
}

/* A restore's other tables, every one named: "custom field 3, setting 1, ...". */
static void print_restored(struct cli *cli, const long restored[CRM_RESTORE_KINDS], bool dry)
{
	char line[1024];
	size_t n = 0;
	for (int i = 0; i < CRM_RESTORE_KINDS && n < sizeof line; i++) {
		n += (size_t)snprintf(line + n, sizeof line - n, "%s", i ? ", " : "");
		for (const char *p = crm_restore_kinds[i]; *p && n + 1 < sizeof line; p++)
			line[n++] = *p == '_' ? ' ' : *p;
		n += (size_t)snprintf(line + n, sizeof line - n, " %ld", restored[i]);
	}
	cli_note(cli, "%s: %s", dry ? "to restore" : "restored", line);
}

static void summary(struct cli *cli, struct add *add, const crm_import_counts counts[2],
		    const long *restored)
{
	if (restored || add->opts.kind == CRM_CUSTOMERS)
		print_counts(cli, "customers", &counts[CRM_CUSTOMERS], add->dry_run);
	if (restored || add->opts.kind == CRM_EVENTS)
		print_counts(cli, "events", &counts[CRM_EVENTS], add->dry_run);
	if (restored)
		print_restored(cli, restored, add->dry_run);
}

static void copy_output(struct cli *cli, struct add *add)
{
	crm_error err;
	if (!add->out_file)
		return;
	if (add->out && crm_writer_finish(add->out, &err) != CRM_OK) {
		cli_error(cli, &err);
		return;
	}
	cli_copy_to_stdout(add->out_file, &err); /* a failure is cli_exit's to report */
}

static int finish(struct cli *cli, struct add *add)
{
	crm_error err;
	cli_progress(cli, 0, true);
	cli_hidden_errors(cli);
	bool restore = crm_import_is_restore(add->imp);
	long restored[CRM_RESTORE_KINDS];
	crm_import_restored(add->imp, restored);
	crm_import_counts counts[2];
	if (add->bad && !add->rejects.path && !add->dry_run) {
		crm_import_end(add->imp, CRM_IMPORT_ABORT, counts, NULL);
		add->imp = NULL;
		cli_note(cli, "%ld bad record%s: nothing was stored (fix %s, or store the good "
			 "ones with --reject FILE)", add->bad, add->bad == 1 ? "" : "s",
			 add->bad == 1 ? "it" : "them");
		return CRM_EDATA;
	}
	enum crm_import_end how = add->dry_run ? CRM_IMPORT_DRY_RUN : CRM_IMPORT_COMMIT;
	int ended = crm_import_end(add->imp, how, counts, &err);
	add->imp = NULL;
	if (ended != CRM_OK) {
		cli_error(cli, &err);
		return err.code ? err.code : CRM_EDB;
	}
	cli_rejects_close(cli, &add->rejects);
	copy_output(cli, add);
	summary(cli, add, counts, restore ? restored : NULL);
	if (add->bad && add->rejects.path)
		cli_note(cli, "%ld bad record%s written to %s", add->bad, add->bad == 1 ? "" : "s",
			 add->rejects.path);
	return add->bad ? CRM_EDATA : CRM_OK;
}

static void check_options(struct cli *cli, void *ctx)
{
	const struct add *add = ctx;
	bool files = cli->nargs > 0;
	if (add->nset && files)
		cli_usage_error(cli, "give records with --set or in FILEs, not both");
	if (!add->nset && !files && !cli_stdin_is_stream())
		cli_usage_error(cli, "no input: give FILEs, pipe records in, or use --set");
	if (add->opts.match != CRM_MATCH_NONE && add->opts.kind == CRM_EVENTS)
		cli_usage_error(cli, "--match is for customers");
	if (add->opts.kind == CRM_EVENTS && (add->opts.new_ids || add->on_conflict))
		cli_usage_error(cli, "%s is for customers", add->opts.new_ids ? "--new-ids" : "--on-conflict");
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-add",
		.usage = "[options] [FILE...]",
		.summary = "Import or update customers (or their events) from FILEs or stdin.",
		.options = options,
		.operands = CLI_FILE,
		.take = take,
		.check = check_options,
	};
	struct add add = {.opts.kind = CRM_CUSTOMERS};
	cli_start(&cli, argc, argv, &add);
	add.opts.clock = &cli.clock;
	add.cli = &cli;
	add.opts.ctx = &add;
	add.opts.rejected = on_rejected;
	add.opts.keep_rejected = add.rejects.path != NULL;
	add.opts.note = on_note;
	snprintf(add.tagged_by, sizeof add.tagged_by, "import:%s", cli_user());
	add.opts.tagged_by = add.tagged_by;
	crm_error err;
	/* Stored records wait in a temporary file until the commit: what
	 * reaches stdout was stored. Nobody reads them when stdout is /dev/null. */
	if (!cli_stdout_is_null()) {
		if (!(add.out_file = tmpfile())) {
			crm_error_set(&err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
			cli_error(&cli, &err);
			return cli_exit(&cli, CRM_EDB);
		}
		add.opts.stored = on_stored;
	}
	if (crm_import_begin(&add.imp, cli.db, &add.opts, &err) != CRM_OK) {
		cli_error(&cli, &err);
		return cli_exit(&cli, err.code);
	}
	if (add.nset)
		import_set(&cli, &add);
	else if (!cli.nargs)
		import_stream(&cli, &add, stdin, "stdin");
	for (int i = 0; i < cli.nargs; i++)
		import_file(&cli, &add, cli.args[i]);
	int status = finish(&cli, &add);
	add_free(&add);
	return cli_exit(&cli, status);
}
