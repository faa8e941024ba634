/* crm-export: write customers (or their events) out, or dump everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_FIELDS = 'f',
	OPT_KIND = 'k',
	OPT_DUMP = OPT_FIRST_COMMAND_KEY,
	OPT_LIST_FIELDS,
};

static const struct cli_option options[] = {
	{OPT_FIELDS, "fields", "FIELDS", "comma-separated fields to write (default: all stored)"},
	{OPT_KIND, "kind", "KIND", "write customers (default) or their events"},
	SELECT_OPTIONS,
	{OPT_DUMP, "dump", NULL, "everything, as NDJSON that crm-add restores"},
	{OPT_LIST_FIELDS, "list-fields", NULL, "list the fields there are, one a line"},
	CLI_COMMON_OPTIONS,
};

struct export {
	const char *fields;
	enum crm_kind kind;
	bool dump, list_fields;
	struct selection sel;
};

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct export *ex = ctx;
	(void)cli;
	switch (key) {
	case OPT_FIELDS:
		ex->fields = arg;
		return true;
	case OPT_KIND:
		return crm_kind_parse(arg, &ex->kind) == CRM_OK;
	case OPT_DUMP:
		ex->dump = true;
		return true;
	case OPT_LIST_FIELDS:
		ex->list_fields = true;
		return true;
	default:
		return select_take(&ex->sel, key, arg);
	}
}

static int list_fields(struct cli *cli, enum crm_kind kind)
{
	char *all = crm_fields_available(cli->db, kind);
	if (!all)
		return CRM_EDB;
	for (char *p = all; *p; p++)
		if (*p == ',')
			*p = '\n';
	puts(all);
	free(all);
	return CRM_OK;
}

static int export(struct cli *cli, struct export *opt)
{
	crm_fields *fields;
	crm_error err;
	if (crm_fields_new(&fields, cli->db, opt->kind, opt->fields, &err) != CRM_OK) {
		char *all = err.code == CRM_EUSAGE ? crm_fields_available(cli->db, opt->kind) : NULL;
		if (all)
			crm_error_add(&err, "fields: %s", all);
		free(all);
		cli_error(cli, &err);
		return err.code;
	}
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), crm_fields_count(fields),
					 crm_fields_names(fields), 0);
	int status = select_write(cli, &opt->sel, fields, out);
	if (crm_writer_finish(out, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = CRM_EDB;
	}
	crm_writer_free(out);
	crm_fields_free(fields);
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-export",
		.usage = "[options] [ID...]",
		.summary = "Write customers (or their events) out, or dump the whole database.",
		.options = options,
	};
	struct export opt = {.kind = CRM_CUSTOMERS};
	int first = cli_parse(&cli, argc, argv, take, &opt);
	int nids = argc - first;
	if (opt.dump && (nids || opt.sel.all || opt.sel.segment || opt.sel.where || opt.fields ||
			 cli.output_format_given))
		cli_usage_error(&cli, "--dump writes everything, as NDJSON: it takes no selection, -f or -o");
	cli_open(&cli, CRM_DB_READ);
	crm_error err;
	int status;
	if (opt.list_fields) {
		status = list_fields(&cli, opt.kind);
	} else if (opt.dump) {
		status = crm_dump(cli.db, &cli.clock, stdout, &err);
		if (status != CRM_OK)
			cli_error(&cli, &err);
	} else {
		select_prepare(&cli, &opt.sel, argv + first, nids);
		status = export(&cli, &opt);
		select_free(&opt.sel);
	}
	return cli_exit(&cli, status);
}
