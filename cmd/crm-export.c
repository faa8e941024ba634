/* crm-export: write customers (or their events) out, or dump everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_FIELDS = 'f',
	OPT_KIND = 'k',
	OPT_ALL = OPT_FIRST_COMMAND_KEY,
	OPT_DUMP,
	OPT_LIST_FIELDS,
};

static const struct cli_option options[] = {
	{OPT_FIELDS, "fields", "FIELDS", "comma-separated fields to write (default: all stored)"},
	{OPT_KIND, "kind", "KIND", "write customers (default) or their events"},
	{OPT_ALL, "all", NULL, "every customer (the default when stdin is a terminal)"},
	{OPT_DUMP, "dump", NULL, "everything, as NDJSON that crm-add restores"},
	{OPT_LIST_FIELDS, "list-fields", NULL, "list the fields there are, one a line"},
	CLI_COMMON_OPTIONS,
};

struct export {
	const char *fields;
	enum crm_kind kind;
	bool all, dump, list_fields;
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
	case OPT_ALL:
		ex->all = true;
		return true;
	case OPT_DUMP:
		ex->dump = true;
		return true;
	case OPT_LIST_FIELDS:
		ex->list_fields = true;
		return true;
	default:
		return false;
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

/* Every record would fail alike: say it once, with what was read as names. */
static void no_id_column(struct cli *cli, const crm_reader *r, const crm_record *rec)
{
	crm_error err;
	crm_error_set(&err, CRM_EDATA, "records need an id or customer_id column; the names read were:");
	for (size_t i = 0; i < rec->n && i < 8; i++)
		crm_error_add(&err, "  '%s'", rec->names[i]);
	if (crm_reader_format(r) == CRM_FMT_CSV || crm_reader_format(r) == CRM_FMT_TSV)
		crm_error_add(&err, "(the first line is the header: was it cut off, by grep perhaps?)");
	bool header = crm_reader_format(r) == CRM_FMT_CSV || crm_reader_format(r) == CRM_FMT_TSV;
	crm_error_at(&err, "stdin", header ? 1 : rec->line, 0);
	cli_error(cli, &err);
}

/* Customers named on stdin, one record each: by customer_id, else by id. */
static int export_stdin(struct cli *cli, crm_export *ex, crm_writer *out)
{
	crm_reader *r = crm_reader_new(stdin, "stdin", cli->input_format);
	const crm_record *rec;
	crm_error err;
	int status = CRM_OK;
	long n = 0;
	enum crm_read rc;
	while ((rc = crm_reader_next(r, &rec, &err)) != CRM_READ_END) {
		if (rc == CRM_READ_FAIL) {
			cli_error(cli, &err);
			status = err.code;
			break;
		}
		n++;
		if (rc == CRM_READ_OK && !crm_record_get(rec, "id") && !crm_record_get(rec, "customer_id")) {
			no_id_column(cli, r, rec);
			status = CRM_EDATA;
			break;
		}
		const char *id = rc == CRM_READ_OK ? crm_record_customer_id(rec) : NULL;
		if (rc == CRM_READ_OK && !id)
			crm_error_set(&err, CRM_EDATA, "the record has an empty id");
		int one = id ? crm_export_one(ex, id, out, &err) : CRM_EDATA;
		if (one != CRM_OK) {
			crm_error_at(&err, "stdin", rec ? rec->line : 0, 0);
			cli_record_error(cli, &err);
			status = status ? status : one;
			if (one == CRM_EDB)
				break;
		}
	}
	size_t nheader;
	const char *const *header = crm_reader_header(r, &nheader);
	bool has_id = false;
	for (size_t i = 0; i < nheader; i++)
		has_id = has_id || !strcmp(header[i], "id") || !strcmp(header[i], "customer_id");
	if (n == 0 && nheader && !has_id) {
		crm_record hdr = {nheader, header, NULL, 1};
		no_id_column(cli, r, &hdr);
		status = CRM_EDATA;
	} else if (n == 0) {
		cli_note(cli, "no customers on stdin: nothing to export (use --all for everyone)");
	}
	crm_reader_free(r);
	cli_hidden_errors(cli);
	return status;
}

static int export_ids(struct cli *cli, crm_export *ex, crm_writer *out, char **ids, int n)
{
	int status = CRM_OK;
	crm_error err;
	for (int i = 0; i < n; i++) {
		int rc = crm_export_one(ex, ids[i], out, &err);
		if (rc != CRM_OK) {
			cli_error(cli, &err);
			status = status ? status : rc;
			if (rc == CRM_EDB)
				break;
		}
	}
	return status;
}

static int export(struct cli *cli, struct export *opt, char **ids, int nids)
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
	int status;
	if (opt->all || (nids == 0 && cli_stdin_is_terminal())) {
		status = crm_export_all(cli->db, fields, &cli->clock, out, &err);
		if (status != CRM_OK)
			cli_error(cli, &err);
	} else {
		crm_export *ex;
		status = crm_export_new(&ex, cli->db, fields, &cli->clock, &err);
		if (status != CRM_OK)
			cli_error(cli, &err);
		else if (nids)
			status = export_ids(cli, ex, out, ids, nids);
		else
			status = export_stdin(cli, ex, out);
		crm_export_free(ex);
	}
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
	if (opt.all && nids)
		cli_usage_error(&cli, "give IDs or --all, not both");
	if (opt.dump && (nids || opt.all || opt.fields || cli.output_format_given))
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
		status = export(&cli, &opt, argv + first, nids);
	}
	return cli_exit(&cli, status);
}
