/* crm-export: write customers (or their events) out, the audit trail, or dump everything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "select.h"

enum {
	OPT_FIELDS = 'f',
	OPT_KIND = 'k',
	OPT_DUMP = OPT_FIRST_COMMAND_KEY,
	OPT_LIST_FIELDS,
	OPT_CAMPAIGN,
	OPT_CAP,
	OPT_DRY_RUN,
	OPT_MASK,
	OPT_EXCEL,
	OPT_ENCODING,
	OPT_TAGID,
	OPT_SINCE,
};

static const struct cli_option options[] = {
	{OPT_FIELDS, "fields", "FIELDS", CLI_FIELDS,
	 "comma-separated fields to write (default: all stored)"},
	{OPT_KIND, "kind", "KIND", "customers events audit",
	 "write customers (default), their events, or the audit trail (audit)"},
	{OPT_SINCE, "since", "DATE", NULL,
	 "with -k audit: the changes from DATE (or 7d: the last 7 days) on"},
	SELECT_OPTIONS,
	ORDER_OPTIONS,
	{OPT_CAMPAIGN, "campaign", "NAME", NULL,
	 "a campaign's list: record each customer written as contacted"},
	{OPT_CAP, "cap", "CAP", "7d 30d 4/30d",
	 "with --campaign: skip customers contacted in 7d, or 4 times in 30d (4/30d)"},
	{OPT_DRY_RUN, "dry-run", NULL, NULL,
	 "with --campaign: who would be written; record nothing"},
	{OPT_MASK, "mask", "FIELDS", CLI_FIELDS,
	 "mask these fields: 138****8000, z***@example.com, 张*"},
	{OPT_EXCEL, "excel", NULL, NULL, "csv for Excel: BOM, CRLF, formulas neutralized"},
	{OPT_ENCODING, "encoding", "NAME", "gb18030 utf-8",
	 "write in this encoding, such as gb18030 (default utf-8)"},
	{OPT_TAGID, "tagid", "N", NULL, "with -o wechat: the WeChat tag to give the customers"},
	{OPT_DUMP, "dump", NULL, NULL, "everything, as NDJSON that crm-add restores"},
	{OPT_LIST_FIELDS, "list-fields", NULL, NULL, "list the fields there are, one a line"},
	CLI_COMMON_OPTIONS_FORMATS(CLI_FORMATS " vcard wechat xlsx"),
};

struct export {
	const char *fields, *campaign, *cap, *mask, *encoding, *since;
	FILE *out; /* stdout, or a stream converting to --encoding into spool */
	FILE *spool; /* --encoding: the output, until it is written in full */
	long tagid;
	enum crm_kind kind;
	bool dump, list_fields, dry_run, excel, audit;
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
		ex->audit = strcmp(arg, "audit") == 0;
		return ex->audit || crm_kind_parse(arg, &ex->kind) == CRM_OK;
	case OPT_SINCE:
		ex->since = arg;
		return true;
	case OPT_DUMP:
		ex->dump = true;
		return true;
	case OPT_LIST_FIELDS:
		ex->list_fields = true;
		return true;
	case OPT_CAMPAIGN:
		ex->campaign = arg;
		return true;
	case OPT_CAP:
		ex->cap = arg;
		return true;
	case OPT_DRY_RUN:
		ex->dry_run = true;
		return true;
	case OPT_MASK:
		ex->mask = arg;
		return true;
	case OPT_EXCEL:
		ex->excel = true;
		return true;
	case OPT_ENCODING:
		ex->encoding = arg;
		return true;
	case OPT_TAGID: {
		char *end;
		ex->tagid = strtol(arg, &end, 10);
		return *arg && !*end && ex->tagid > 0;
	}
	default:
		return select_take(&ex->sel, key, arg);
	}
}

/* Who changed what, when, with which command line: oldest first. */
static int audit(struct cli *cli, const struct export *opt)
{
	crm_error err;
	char since[11];
	if (opt->since && crm_since_day(&cli->clock, opt->since, since, &err) != CRM_OK) {
		cli_error(cli, &err);
		return CRM_EUSAGE;
	}
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 6, crm_audit_columns, 0);
	int rc = crm_audit_write(cli->db, opt->since ? since : NULL, out, &err);
	return cli_finish(cli, out, rc, &err);
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

/* With --encoding the output waits in a file until it is complete: a value
 * the encoding cannot hold fails the export before anything is written. */
static int deliver(struct export *opt, crm_error *err)
{
	if (!opt->spool)
		return CRM_OK;
	if (fflush(opt->out) != 0)
		return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno));
	return cli_copy_to_stdout(opt->spool, err);
}

/* The list, and a contact recorded for each customer on it, in one
 * transaction that commits only once the list is written in full: a list
 * cut short (a full disk, a closed pipe) records nobody. */
static int campaign(struct cli *cli, struct export *opt, crm_fields *fields, crm_writer *out)
{
	crm_error err;
	crm_expr *where, *cap = NULL;
	int rc = select_as_expr(cli, &opt->sel, &where); /* says what is wrong itself */
	if (rc != CRM_OK) {
		crm_expr_free(where);
		return rc;
	}
	long written = 0;
	if (opt->cap)
		rc = crm_campaign_cap(cli->db, opt->cap, &cap, &err);
	where = crm_expr_and(where, cap);
	if (rc == CRM_OK)
		rc = crm_db_begin(cli->db, &err);
	if (rc == CRM_OK && (rc = select_limit(cli, &opt->sel, &where)) != CRM_OK) {
		crm_db_rollback(cli->db);
		crm_expr_free(where);
		return rc; /* said */
	}
	if (rc == CRM_OK)
		rc = crm_campaign_export(cli->db, opt->campaign, where, fields, opt->sel.order,
					 &cli->clock, opt->dry_run, out, &written, &err);
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, &err);
	if (rc == CRM_OK)
		rc = deliver(opt, &err);
	if (rc == CRM_OK && !opt->dry_run)
		rc = crm_db_commit(cli->db, &err);
	crm_db_rollback(cli->db); /* a dry run, or a failure; nothing once committed */
	crm_expr_free(where);
	if (rc != CRM_OK) {
		cli_error(cli, &err);
		return rc;
	}
	cli_note(cli, "campaign %s: %ld customer%s written, %s", opt->campaign, written,
		 written == 1 ? "" : "s", opt->dry_run ? "none recorded (a dry run)"
						   : "each recorded as contacted");
	return CRM_OK;
}

/* The fields a vCard or a WeChat payload is made of, unless -f says. */
static const char *format_fields(struct cli *cli, const struct export *opt)
{
	if (opt->fields)
		return opt->fields;
	enum crm_format format = cli_output_format(cli);
	if (format == CRM_FMT_VCARD)
		return "id,name,phone,email,gender,birthday,city,province,tags";
	return format == CRM_FMT_WECHAT ? "id,openid" : NULL;
}

static int export(struct cli *cli, struct export *opt)
{
	crm_fields *fields;
	crm_error err;
	bool wechat = cli_output_format(cli) == CRM_FMT_WECHAT;
	if (crm_fields_new(&fields, cli->db, opt->kind, format_fields(cli, opt), &err) != CRM_OK) {
		if (wechat) {
			crm_error_set(&err, CRM_EDATA, "no customer has an openid: import it with crm-add,"
				      " as a column openid");
			cli_error(cli, &err);
			return err.code;
		}
		char *all = err.code == CRM_EUSAGE ? crm_fields_available(cli->db, opt->kind) : NULL;
		if (all)
			crm_error_add(&err, "fields: %s", all);
		free(all);
		cli_error(cli, &err);
		return err.code;
	}
	enum crm_format format = opt->excel ? CRM_FMT_CSV : cli_output_format(cli);
	unsigned flags = opt->excel ? CRM_WRITE_EXCEL : 0;
	if (opt->out != stdout && opt->out != opt->spool) /* a BOM says UTF-8 */
		flags |= CRM_WRITE_NO_BOM;
	crm_writer *out = crm_writer_new(opt->out, format, crm_fields_count(fields),
					 crm_fields_names(fields), flags);
	crm_writer_tagid(out, opt->tagid);
	int status;
	if (opt->encoding && crm_writer_encoding(out, opt->encoding, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = err.code;
	} else if (opt->mask && crm_writer_mask(out, opt->mask, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = err.code;
	} else if (opt->campaign) {
		status = campaign(cli, opt, fields, out);
	} else {
		status = select_write(cli, &opt->sel, fields, out);
	}
	if (status == CRM_OK && opt->campaign) {
		/* written in full before the contacts are committed (campaign) */
	} else if (format == CRM_FMT_XLSX && (opt->campaign || status == CRM_EDB)) {
		/* a workbook cut short, or of a campaign that failed, is not written */
	} else if ((status != CRM_OK && opt->spool) || status == CRM_EUSAGE) {
		/* nothing of a list that failed is written, nor after a usage error */
	} else if (crm_writer_finish(out, &err) != CRM_OK || deliver(opt, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = err.code;
	}
	if (wechat && crm_writer_skipped(out))
		cli_note(cli, "%ld customer%s without an openid left out", crm_writer_skipped(out),
			 crm_writer_skipped(out) == 1 ? "" : "s");
	crm_writer_free(out);
	crm_fields_free(fields);
	return status;
}

static void check_options(struct cli *cli, void *ctx)
{
	const struct export *o = ctx;
	int nids = cli->nargs;
	if (o->dump && (nids || o->sel.all || o->sel.segment || o->sel.where || o->fields ||
			cli->output_format_given))
		cli_usage_error(cli, "--dump writes everything, as NDJSON: it takes no selection, -f or -o");
	if (o->audit && (nids || o->sel.all || o->sel.segment || o->sel.where || o->fields ||
			 o->dump || o->list_fields || o->campaign || o->mask || o->excel ||
			 o->encoding || o->tagid))
		cli_usage_error(cli, "-k audit writes the whole trail: it takes only --since and -o");
	if (o->audit || o->dump || o->list_fields)
		select_no_order(cli, &o->sel, "go with a list of customers");
	if (o->kind == CRM_EVENTS && o->sel.sort)
		cli_usage_error(cli, "--sort orders customers: events are written in the order stored"
				      " (--limit N takes the first N)");
	if (o->since && !o->audit)
		cli_usage_error(cli, "--since goes with -k audit");
	if ((o->cap || o->dry_run) && !o->campaign)
		cli_usage_error(cli, "--cap and --dry-run go with --campaign");
	if (o->campaign && o->kind != CRM_CUSTOMERS)
		cli_usage_error(cli, "--campaign writes customers");
	if (o->campaign && !nids && !o->sel.all && !o->sel.segment && !o->sel.where &&
	    !cli_stdin_is_stream())
		cli_usage_error(cli, "which customers? give ids, -s, -w, --all, or pipe records in");
	bool wechat = cli->output_format_given && cli->output_format == CRM_FMT_WECHAT;
	if (wechat != (o->tagid > 0))
		cli_usage_error(cli, "-o wechat and --tagid N go together");
	if (wechat && o->campaign)
		cli_usage_error(cli, "a campaign's list is not written as WeChat payloads: record it with"
				      " --campaign -f id,openid, then send it");
	if (o->excel && cli->output_format_given)
		cli_usage_error(cli, "--excel writes csv: it takes no -o");
	bool xlsx = cli->output_format_given && cli->output_format == CRM_FMT_XLSX;
	if (xlsx && o->encoding)
		cli_usage_error(cli, "-o xlsx holds UTF-8, which every Excel reads: it takes no --encoding");
	if (xlsx && isatty(STDOUT_FILENO))
		cli_usage_error(cli, "xlsx is a binary file: redirect it, e.g. crm-export -o xlsx > customers.xlsx");
	if ((o->dump || o->list_fields) && (o->mask || o->excel || o->campaign || o->encoding))
		cli_usage_error(cli, "--mask, --excel and --campaign go with a list of customers");
}

/* Only a campaign's list is written down. */
static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct export *o = ctx;
	(void)cli;
	return o->campaign && !o->dry_run ? 0 : CRM_DB_READ;
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-export",
		.usage = "[options] [ID...]",
		.summary = "Write customers (or their events) out, or dump the whole database.",
		.options = options,
		.xlsx = true,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct export opt = {.kind = CRM_CUSTOMERS};
	cli_start(&cli, argc, argv, &opt);
	crm_error err;
	int status;
	if (opt.audit) {
		status = audit(&cli, &opt);
	} else if (opt.list_fields) {
		status = list_fields(&cli, opt.kind);
	} else if (opt.dump) {
		status = crm_dump(cli.db, &cli.clock, stdout, &err);
		if (status != CRM_OK)
			cli_error(&cli, &err);
	} else {
		select_prepare(&cli, &opt.sel, cli.args, cli.nargs);
		opt.out = stdout;
		if (opt.encoding && !(opt.spool = tmpfile())) {
			crm_error_set(&err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
			cli_error(&cli, &err);
			select_free(&opt.sel);
			return cli_exit(&cli, err.code);
		}
		if (opt.encoding)
			opt.out = crm_encoding_writer(opt.spool, opt.encoding, &err);
		if (!opt.out) {
			cli_error(&cli, &err);
			select_free(&opt.sel);
			return cli_exit(&cli, err.code);
		}
		status = export(&cli, &opt);
		if (opt.out != stdout && opt.out != opt.spool && fclose(opt.out) != 0 &&
		    status == CRM_OK) {
			crm_error_set(&err, CRM_EDB, "write error: %s", strerror(errno));
			cli_error(&cli, &err);
			status = CRM_EDB;
		}
		if (opt.spool)
			fclose(opt.spool);
	}
	select_free(&opt.sel);
	return cli_exit(&cli, status);
}
