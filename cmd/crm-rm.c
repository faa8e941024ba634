/* crm-rm: erase customers for good (the right to be forgotten), or merge
 * duplicates into one; lift the suppression of an erased customer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_DRY_RUN = OPT_FIRST_COMMAND_KEY,
	OPT_FORCE,
	OPT_MERGE_INTO,
	OPT_CHECKPOINT,
	OPT_MERGE_DUPLICATES,
	OPT_UNSUPPRESS,
};

static const struct cli_option options[] = {
	SELECT_OPTIONS,
	{OPT_DRY_RUN, "dry-run", NULL, NULL, "write what would go, erase nothing"},
	{OPT_FORCE, "force", NULL, NULL, "with --all: erase everyone"},
	{OPT_MERGE_INTO, "merge-into", "KEEP", NULL,
	 "merge the duplicates given after it into KEEP"},
	{OPT_MERGE_DUPLICATES, "merge-duplicates", "KEY", "phone email wechat_id openid",
	 "merge customers sharing a phone, email, wechat_id or openid into the oldest"},
	{OPT_UNSUPPRESS, "unsuppress", "VALUE", NULL,
	 "let an erased customer with this id, phone... back in"},
	{OPT_CHECKPOINT, "checkpoint", NULL, NULL,
	 "write the log into the file (after a busy erasure)"},
	CLI_COMMON_OPTIONS,
};

struct rm {
	struct selection sel;
	const char *keep, *by, *unsuppress;
	bool dry_run, force, checkpoint;
};

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct rm *r = ctx;
	switch (key) {
	case OPT_DRY_RUN: r->dry_run = true; return true;
	case OPT_FORCE: r->force = true; return true;
	case OPT_MERGE_INTO: r->keep = arg; return true;
	case OPT_CHECKPOINT: r->checkpoint = true; return true;
	case OPT_MERGE_DUPLICATES:
		if (!crm_merge_field_known(arg))
			cli_usage_error(cli, "--merge-duplicates: '%s' is not a key duplicates share"
					" (phone, email, wechat_id, openid)", arg);
		if (r->by)
			cli_usage_error(cli, "--merge-duplicates is given twice");
		r->by = arg;
		return true;
	case OPT_UNSUPPRESS:
		if (r->unsuppress)
			cli_usage_error(cli, "--unsuppress is given twice: lift one value at a time");
		r->unsuppress = arg;
		return *arg != '\0';
	default: return select_take(&r->sel, key, arg);
	}
}

/* Ends the transaction: kept only when the report was written in full. */
static int end(struct cli *cli, struct rm *r, crm_writer *out, int rc, crm_error *err)
{
	if (rc == CRM_OK)
		rc = crm_writer_finish(out, err);
	if (rc == CRM_OK && !r->dry_run)
		rc = crm_erase_commit(cli->db, err);
	crm_db_rollback(cli->db); /* a dry run or a failure; nothing once committed */
	crm_writer_free(out);
	if (rc != CRM_OK)
		cli_error(cli, err);
	return rc;
}

static int do_erase(struct cli *cli, struct rm *r, char **ids, int nids)
{
	crm_error err;
	select_prepare(cli, &r->sel, ids, nids);
	crm_expr *where;
	int rc = select_as_expr(cli, &r->sel, &where);
	if (rc != CRM_OK) {
		crm_expr_free(where);
		cli_note(cli, "nothing was erased: fix the selection first");
		return rc;
	}
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 7, crm_erase_columns, 0);
	long erased = 0;
	rc = crm_erase_begin(cli->db, &err);
	if (rc == CRM_OK)
		rc = crm_erase(cli->db, where, r->dry_run, out, &erased, &err);
	crm_expr_free(where);
	rc = end(cli, r, out, rc, &err);
	if (rc == CRM_OK)
		cli_note(cli, "%ld customer%s %s", erased, erased == 1 ? "" : "s",
			 r->dry_run ? "would be erased (a dry run: nothing was)" : "erased");
	return rc;
}

static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

static int do_merge(struct cli *cli, struct rm *r, char **dups, int ndups)
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 7, crm_erase_columns, 0);
	crm_merge_counts n;
	int rc = crm_erase_begin(cli->db, &err);
	if (rc == CRM_OK)
		rc = crm_merge(cli->db, r->keep, (const char *const *)dups, (size_t)ndups, out, &n, &err);
	rc = end(cli, r, out, rc, &err);
	if (rc == CRM_OK)
		cli_note(cli, "%s %ld duplicate%s into %s: %ld event%s and %ld note%s moved, %ld field%s"
			 " filled%s", r->dry_run ? "would merge" : "merged", n.erased, plural(n.erased),
			 r->keep, n.events, plural(n.events), n.notes, plural(n.notes), n.filled,
			 plural(n.filled), r->dry_run ? " (a dry run: nothing was)" : "");
	return rc;
}

static int do_merge_duplicates(struct cli *cli, struct rm *r)
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 4, crm_merge_group_columns, 0);
	crm_merge_counts n;
	int rc = crm_erase_begin(cli->db, &err);
	if (rc == CRM_OK)
		rc = crm_merge_duplicates(cli->db, r->by, out, &n, &err);
	rc = end(cli, r, out, rc, &err);
	if (rc == CRM_OK && !n.groups)
		cli_note(cli, "no customers share %s %s: nothing to merge", !strcmp(r->by, "email") ?
			 "an" : "a", r->by);
	else if (rc == CRM_OK)
		cli_note(cli, "%s %ld duplicate%s into %ld customer%s by %s: %ld event%s and %ld note%s"
			 " moved, %ld field%s filled%s", r->dry_run ? "would merge" : "merged", n.erased,
			 plural(n.erased), n.groups, plural(n.groups), r->by, n.events, plural(n.events),
			 n.notes, plural(n.notes), n.filled, plural(n.filled),
			 r->dry_run ? " (a dry run: nothing was)" : "");
	return rc;
}

/* In a transaction of its own, which the trail records without the value. */
static int do_unsuppress(struct cli *cli, const char *value)
{
	crm_error err;
	crm_unsuppressed u;
	int rc = crm_db_begin(cli->db, &err);
	if (rc == CRM_OK)
		rc = crm_unsuppress(cli->db, value, &u, &err);
	if (rc == CRM_OK)
		rc = crm_db_commit(cli->db, &err);
	crm_db_rollback(cli->db); /* a failure; nothing once committed */
	if (rc != CRM_OK) {
		cli_error(cli, &err);
		return rc;
	}
	cli_note(cli, "suppression lifted: %ld erased customer%s (by %s, erased on %s) may be imported"
		 " again", u.customers, plural(u.customers), u.fields, u.erased_on);
	return CRM_OK;
}

static void check_options(struct cli *cli, void *ctx)
{
	const struct rm *r = ctx;
	int nargs = cli->nargs;
	bool chooses = r->sel.all || r->sel.segment || r->sel.where;
	if (r->sel.all && !r->force)
		cli_usage_error(cli, "--all erases every customer: say --force too");
	if (r->force && !r->sel.all)
		cli_usage_error(cli, "--force goes with --all");
	if (r->keep && (chooses || !nargs))
		cli_usage_error(cli, "--merge-into KEEP takes the duplicates' ids after it, and no -s, -w or --all");
	for (int i = 0; r->keep && i < nargs; i++)
		if (!strcmp(cli->args[i], r->keep))
			cli_usage_error(cli, "--merge-into %s: a customer cannot be merged into itself", r->keep);
	if (r->checkpoint && (chooses || nargs || r->keep || r->dry_run))
		cli_usage_error(cli, "--checkpoint goes alone");
	if (r->by && (chooses || nargs || r->keep || r->checkpoint))
		cli_usage_error(cli, "--merge-duplicates KEY merges every group of duplicates: give no"
				" ids, -s, -w, --all or --merge-into");
	if (r->unsuppress && (chooses || nargs || r->keep || r->checkpoint || r->by || r->dry_run))
		cli_usage_error(cli, "--unsuppress VALUE goes alone");
	bool alone = r->keep || r->checkpoint || r->by || r->unsuppress;
	if (!alone && !chooses && !nargs && !cli_stdin_is_stream())
		cli_usage_error(cli, "which customers? give ids, -s, -w, or pipe records in");
}

/* A dry run only reads; anything else writes, and a database that cannot be
 * written stops it with 3 before any report. */
static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct rm *r = ctx;
	(void)cli;
	return r->dry_run ? CRM_DB_READ : 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-rm",
		.usage = "[options] ID... | --merge-into KEEP DUP... | --merge-duplicates KEY"
			 " | --unsuppress VALUE",
		.summary = "Erase customers and all that is kept about them, or merge duplicates.",
		.options = options,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct rm r = {0};
	cli_start(&cli, argc, argv, &r);
	int status;
	crm_error err;
	if (r.checkpoint) {
		status = crm_checkpoint(cli.db, &err);
		if (status != CRM_OK)
			cli_error(&cli, &err);
	} else if (r.keep) {
		status = do_merge(&cli, &r, cli.args, cli.nargs);
	} else if (r.by) {
		status = do_merge_duplicates(&cli, &r);
	} else if (r.unsuppress) {
		status = do_unsuppress(&cli, r.unsuppress);
	} else {
		status = do_erase(&cli, &r, cli.args, cli.nargs);
	}
	select_free(&r.sel);
	return cli_exit(&cli, status);
}
