/* crm-tag: tag and untag customers; the tag catalog; rules; the audit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "select.h"

enum {
	OPT_ADD = 'a',
	OPT_REMOVE = 'r',
	OPT_EXPIRES = OPT_FIRST_COMMAND_KEY,
	OPT_STRICT,
	OPT_DEFINE,
	OPT_CATEGORY,
	OPT_DESC,
	OPT_GROUP,
	OPT_FORCE,
	OPT_LIST,
	OPT_RENAME,
	OPT_MERGE,
	OPT_DELETE,
	OPT_RULE,
	OPT_TAG,
	OPT_RULES,
	OPT_DROP_RULE,
	OPT_APPLY,
	OPT_DRY_RUN,
	OPT_AUDIT,
	OPT_MATCH,
	OPT_STALE,
	OPT_MERGE_TAGS,
};

static const struct cli_option options[] = {
	{OPT_ADD, "add", "TAG", CLI_TAG, "tag the chosen customers (repeatable)"},
	{OPT_REMOVE, "remove", "TAG", CLI_TAG, "untag the chosen customers (repeatable)"},
	{OPT_EXPIRES, "expires", "WHEN", NULL,
	 "with -a: the tagging lapses after 30d, or on a date"},
	{OPT_STRICT, "strict", NULL, NULL, "refuse tags that are not in the catalog"},
	SELECT_OPTIONS,
	ORDER_OPTIONS,
	{OPT_MATCH, "match", "KEY", CLI_MATCH_KEYS,
	 "stdin names customers by KEY: phone, email, wechat_id, openid, unionid"},
	{OPT_DEFINE, "define", "TAG", CLI_TAG, "define a tag in the catalog, or change it"},
	{OPT_CATEGORY, "category", "CAT", "basic behavior interest relationship custom",
	 "basic, behavior, interest, relationship or custom"},
	{OPT_DESC, "desc", "TEXT", NULL, "what the tag means"},
	{OPT_GROUP, "group", "GROUP", NULL, "tags of a group exclude each other"},
	{OPT_FORCE, "force", NULL, NULL, "keep a near-duplicate name; delete a tag in use"},
	{OPT_LIST, "list", NULL, NULL, "the catalog, with how many customers carry each tag"},
	{OPT_RENAME, "rename", "OLD", CLI_TAG, "rename tag OLD to the NEW given after it"},
	{OPT_MERGE_TAGS, "merge-tags", "TAG", CLI_TAG,
	 "merge the tags given after it into TAG, deleting them"},
	{OPT_MERGE, "merge", "FROM", CLI_TAG,
	 "older spelling: --merge FROM INTO is --merge-tags INTO FROM"},
	{OPT_DELETE, "delete", "TAG", CLI_TAG,
	 "delete a tag (refused while in use, unless --force)"},
	{OPT_RULE, "rule", "NAME", CLI_RULE, "define or replace a rule: --tag TAG -w EXPR"},
	{OPT_TAG, "tag", "TAG", CLI_TAG, "with --rule: the tag the rule gives"},
	{OPT_RULES, "rules", NULL, NULL, "the rules"},
	{OPT_DROP_RULE, "drop-rule", "NAME", CLI_RULE, "drop a rule and the taggings it made"},
	{OPT_APPLY, "apply", NULL, NULL, "run every rule; write the changes"},
	{OPT_DRY_RUN, "dry-run", NULL, NULL, "with --apply: write the changes, store nothing"},
	{OPT_AUDIT, "audit", NULL, NULL, "per tag: customers, coverage, sources, flags"},
	{OPT_STALE, "stale", "WINDOW", "30d 90d 180d 1y",
	 "with --audit: flag tags nobody got in WINDOW (default 180d)"},
	CLI_INPUT_OPTIONS,
	CLI_COMMON_OPTIONS,
};

#define TAGS_MAX 64

struct tag {
	struct selection sel;
	const char *add[TAGS_MAX], *remove[TAGS_MAX];
	size_t nadd, nremove;
	const char *expires, *define, *category, *desc, *group, *rename, *merge, *merge_tags, *delete;
	const char *rule, *rule_tag, *drop_rule, *stale;
	int stale_days;
	bool strict, force, list, rules, apply, dry_run, audit;
};

static bool push(const char **list, size_t *n, const char *tag)
{
	if (*n == TAGS_MAX)
		return false;
	list[(*n)++] = tag;
	return true;
}

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct tag *t = ctx;
	(void)cli;
	switch (key) {
	case OPT_ADD: return push(t->add, &t->nadd, arg);
	case OPT_REMOVE: return push(t->remove, &t->nremove, arg);
	case OPT_EXPIRES: t->expires = arg; return true;
	case OPT_STRICT: t->strict = true; return true;
	case OPT_DEFINE: t->define = arg; return true;
	case OPT_CATEGORY: t->category = arg; return true;
	case OPT_DESC: t->desc = arg; return true;
	case OPT_GROUP: t->group = arg; return true;
	case OPT_FORCE: t->force = true; return true;
	case OPT_LIST: t->list = true; return true;
	case OPT_RENAME: t->rename = arg; return true;
	case OPT_MERGE: t->merge = arg; return true;
	case OPT_DELETE: t->delete = arg; return true;
	case OPT_RULE: t->rule = arg; return true;
	case OPT_TAG: t->rule_tag = arg; return true;
	case OPT_RULES: t->rules = true; return true;
	case OPT_DROP_RULE: t->drop_rule = arg; return true;
	case OPT_APPLY: t->apply = true; return true;
	case OPT_DRY_RUN: t->dry_run = true; return true;
	case OPT_AUDIT: t->audit = true; return true;
	case OPT_MATCH: return select_take_match(&t->sel, arg);
	case OPT_STALE: t->stale = arg; return true;
	case OPT_MERGE_TAGS: t->merge_tags = arg; return true;
	default: return select_take(&t->sel, key, arg);
	}
}

static int fail(struct cli *cli, const crm_error *err)
{
	cli_error(cli, err);
	return err->code;
}

static int write_all(struct cli *cli, size_t n, const char *const *names,
		     int (*fn)(crm_db *, const crm_clock *, crm_writer *, crm_error *))
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), n, names, 0);
	int rc = fn(cli->db, &cli->clock, out, &err);
	return cli_finish(cli, out, rc, &err);
}

/* ---- tagging ---- */

/* The tags column of a record passed through. */
static void tags_of(void *ctx, const char *id, crm_value *values)
{
	const char *list = crm_tag_lookup_get(ctx, id);
	values[0] = (crm_value){CRM_LIST, list, strlen(list)};
}

/* The records of the stream, again, with their tags now. */
static int pass_through(struct cli *cli, struct selection *sel)
{
	crm_error err;
	crm_tag_lookup *tags = crm_tag_lookup_new(cli->db, &cli->clock, &err);
	if (!tags)
		return fail(cli, &err);
	static const char *const extra[1] = {"tags"};
	int rc = select_pass_through(cli, sel, 1, extra, tags_of, tags);
	crm_tag_lookup_free(tags);
	return rc;
}

/* The source of a tagging by hand: the person, as the system knows them. */
static void who(char *out, size_t size)
{
	snprintf(out, size, "user:%s", cli_user());
}

/* Tags the chosen customers; notes what was done. */
static int tag_chosen(struct cli *cli, struct tag *t, const crm_expr *where, const char *expires)
{
	crm_error err;
	char user[160];
	who(user, sizeof user);
	crm_tagging tagging = {
		.add = t->add, .nadd = t->nadd, .remove = t->remove, .nremove = t->nremove,
		.source = user, .expires_on = t->expires ? expires : NULL, .strict = t->strict,
		.force = t->force,
	};
	long added, removed;
	if (crm_tag_set(cli->db, where, &tagging, &cli->clock, &added, &removed, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "%ld tagging%s set, %ld removed", added, added == 1 ? "" : "s", removed);
	return CRM_OK;
}

static int do_tagging(struct cli *cli, struct tag *t, char **ids, int nids)
{
	crm_error err;
	char expires[11] = "";
	if (t->expires && crm_tag_expiry(&cli->clock, t->expires, expires, &err) != CRM_OK)
		return fail(cli, &err);
	/* --match has its own word for this (select_prepare) */
	if (!t->sel.all && !t->sel.segment && !t->sel.where && !nids && !cli_stdin_is_stream() &&
	    !t->sel.match)
		cli_usage_error(cli, "which customers? give ids, -s, -w, --all, or pipe records in");
	select_prepare(cli, &t->sel, ids, nids);
	bool stream = select_from_stdin(&t->sel);
	/* The stream is kept to be written again once the tags are set. */
	if (stream && !cli_stdout_is_null() && !(t->sel.keep = tmpfile())) {
		crm_error_set(&err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
		return fail(cli, &err);
	}
	crm_expr *where;
	int rc = select_as_expr(cli, &t->sel, &where);
	if (rc == CRM_OK)
		rc = select_limit(cli, &t->sel, &where);
	if (rc != CRM_OK && rc != CRM_EDB)
		cli_note(cli, "nothing was tagged: fix the selection first");
	else if (rc == CRM_OK && !(stream && t->sel.nread == 0))
		rc = tag_chosen(cli, t, where, expires);
	crm_expr_free(where);
	if (rc == CRM_OK && t->sel.keep)
		rc = pass_through(cli, &t->sel);
	if (t->sel.keep)
		fclose(t->sel.keep);
	return rc;
}

/* ---- the catalog and rules ---- */

static int do_define(struct cli *cli, struct tag *t)
{
	crm_error err;
	crm_tag_def d = {t->define, t->category, t->desc, t->group, t->force};
	if (crm_tag_define(cli->db, &d, &cli->clock, &err) != CRM_OK)
		return fail(cli, &err);
	return CRM_OK;
}

/* Expressions keep their text: those that call tag('GONE') match nobody
 * now, and say so even with -q. */
static int warn_mentions(struct cli *cli, const char *gone, const char *now)
{
	crm_error err;
	char *list;
	if (crm_tag_mention_list(cli->db, gone, &list, &err) != CRM_OK)
		return fail(cli, &err);
	crm_error_clear(&err);
	for (char *line = list, *nl; line; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		crm_error_add(&err, "%s still says tag('%s'), which no customer has now: change it to"
			      " tag('%s')", line, gone, now);
	}
	if (list)
		cli_error(cli, &err);
	free(list);
	return CRM_OK;
}

static int do_rename(struct cli *cli, struct tag *t, char **args, int nargs)
{
	crm_error err;
	if (nargs != 1)
		cli_usage_error(cli, "--rename OLD needs the new name after it");
	if (crm_tag_rename(cli->db, t->rename, args[0], t->force, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "renamed '%s' to '%s'", t->rename, args[0]);
	return warn_mentions(cli, t->rename, args[0]);
}

/* The tags of from into keep: says what moved, and what still names them. */
static int merge(struct cli *cli, const char *keep, const char *const *from, size_t n)
{
	crm_error err;
	crm_tag_merge_counts c;
	if (crm_tag_merge(cli->db, keep, from, n, &cli->clock, &c, &err) != CRM_OK)
		return fail(cli, &err);
	char names[512] = "", joined[64] = "", rules[600] = "";
	for (size_t i = 0, len = 0; i < n && len < sizeof names; i++)
		len += (size_t)snprintf(names + len, sizeof names - len, "%s'%s'", i ? ", " : "", from[i]);
	if (c.joined)
		snprintf(joined, sizeof joined, ", %ld joined with one the customer had", c.joined);
	if (c.rules)
		snprintf(rules, sizeof rules, "; %ld rule%s now give%s '%s'", c.rules,
			 c.rules == 1 ? "" : "s", c.rules == 1 ? "s" : "", keep);
	cli_note(cli, "merged %s into '%s': %ld tagging%s moved%s%s", names, keep, c.moved,
		 c.moved == 1 ? "" : "s", joined, rules);
	int rc = CRM_OK;
	for (size_t i = 0; i < n && rc == CRM_OK; i++)
		rc = warn_mentions(cli, from[i], keep);
	return rc;
}

static int do_merge(struct cli *cli, struct tag *t, char **args, int nargs)
{
	if (t->merge && nargs != 1)
		cli_usage_error(cli, "--merge FROM needs the INTO name after it (or: --merge-tags INTO FROM)");
	if (t->merge)
		return merge(cli, args[0], (const char *const[]){t->merge}, 1);
	if (nargs < 1)
		cli_usage_error(cli, "--merge-tags %s needs the tags to merge into it after it", t->merge_tags);
	return merge(cli, t->merge_tags, (const char *const *)args, (size_t)nargs);
}

static int do_delete(struct cli *cli, struct tag *t)
{
	crm_error err;
	long removed;
	if (crm_tag_delete(cli->db, t->delete, t->force, &removed, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "deleted tag '%s'%s", t->delete, removed ? " and its taggings" : "");
	return CRM_OK;
}

static int do_rule(struct cli *cli, struct tag *t)
{
	crm_error err;
	if (!t->rule_tag || !t->sel.where)
		cli_usage_error(cli, "--rule NAME needs --tag TAG and -w EXPR");
	crm_rule_def r = {t->rule, t->rule_tag, t->sel.where, t->strict, t->force};
	if (crm_rule_define(cli->db, &r, &cli->clock, &err) != CRM_OK)
		return fail(cli, &err);
	return CRM_OK;
}

static int do_drop_rule(struct cli *cli, struct tag *t)
{
	crm_error err;
	long removed;
	if (crm_rule_drop(cli->db, t->drop_rule, &removed, &err) != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "dropped rule '%s' and its %ld tagging%s", t->drop_rule, removed,
		 removed == 1 ? "" : "s");
	return CRM_OK;
}

static int do_apply(struct cli *cli, struct tag *t)
{
	crm_error err;
	long n;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 4, crm_rule_change_columns, 0);
	int rc = crm_rule_apply(cli->db, &cli->clock, out, t->dry_run, &n, &err);
	crm_writer_free(out);
	if (rc != CRM_OK)
		return fail(cli, &err);
	cli_note(cli, "%ld change%s%s", n, n == 1 ? "" : "s", t->dry_run ? " (a dry run: none stored)" : "");
	return CRM_OK;
}

/* ---- main ---- */

static int jobs(const struct tag *t)
{
	return (t->nadd || t->nremove) + !!t->define + t->list + !!t->rename + !!t->merge +
	       !!t->merge_tags + !!t->delete + !!t->rule + t->rules + !!t->drop_rule + t->apply + t->audit;
}

static void check_options(struct cli *cli, void *ctx)
{
	struct tag *t = ctx;
	int nargs = cli->nargs;
	if (jobs(t) != 1)
		cli_usage_error(cli, "give one job: -a/-r, --define, --list, --rename, --merge-tags, --delete,"
				     " --rule, --rules, --drop-rule, --apply or --audit");
	if ((t->category || t->desc || t->group) && !t->define)
		cli_usage_error(cli, "--category, --desc and --group go with --define");
	if (t->dry_run && !t->apply)
		cli_usage_error(cli, "--dry-run goes with --apply");
	if (t->expires && !t->nadd)
		cli_usage_error(cli, "--expires goes with -a");
	if (t->rule_tag && !t->rule)
		cli_usage_error(cli, "--tag goes with --rule");
	if (t->stale && !t->audit)
		cli_usage_error(cli, "--stale goes with --audit");
	crm_error err;
	if (crm_tag_stale_days(t->stale ? t->stale : CRM_TAG_STALE_DEFAULT, &t->stale_days, &err) != CRM_OK)
		cli_usage_error(cli, "%s", err.msg);
	bool tagging = t->nadd || t->nremove;
	if (t->sel.match && !tagging)
		cli_usage_error(cli, "--match goes with -a and -r");
	bool chooses = t->sel.all || t->sel.segment || (t->sel.where && !t->rule);
	if (!tagging && (chooses || (nargs && !t->rename && !t->merge && !t->merge_tags)))
		cli_usage_error(cli, "customers are chosen only for -a and -r");
	if (!tagging)
		select_no_order(cli, &t->sel, "choose the customers of -a and -r");
}

static int do_audit(struct cli *cli, struct tag *t)
{
	crm_error err;
	crm_writer *out = crm_writer_new(stdout, cli_output_format(cli), 8, crm_tag_audit_columns, 0);
	int rc = crm_tag_audit(cli->db, &cli->clock, t->stale_days, out, &err);
	return cli_finish(cli, out, rc, &err);
}

static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	const struct tag *t = ctx;
	(void)cli;
	return t->list || t->rules || t->audit || (t->apply && t->dry_run) ? CRM_DB_READ : 0;
}

/* After --rename OLD, --merge FROM and --merge-tags INTO come tags. */
static const struct cli_operands_after operands_after[] = {
	{OPT_RENAME, CLI_TAG},
	{OPT_MERGE, CLI_TAG},
	{OPT_MERGE_TAGS, CLI_TAG},
	{0, NULL},
};

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-tag",
		.usage = "[options] [ID...]",
		.summary = "Tag customers by hand or by rule; keep the tag catalog; audit the tags.",
		.options = options,
		.operands_after = operands_after,
		.take = take,
		.check = check_options,
		.db_flags = db_flags,
	};
	struct tag t = {0};
	cli_start(&cli, argc, argv, &t);
	int status;
	if (t.nadd || t.nremove)
		status = do_tagging(&cli, &t, cli.args, cli.nargs);
	else if (t.define)
		status = do_define(&cli, &t);
	else if (t.list)
		status = write_all(&cli, 5, crm_tag_list_columns, crm_tag_list);
	else if (t.rename)
		status = do_rename(&cli, &t, cli.args, cli.nargs);
	else if (t.merge || t.merge_tags)
		status = do_merge(&cli, &t, cli.args, cli.nargs);
	else if (t.delete)
		status = do_delete(&cli, &t);
	else if (t.rule)
		status = do_rule(&cli, &t);
	else if (t.rules)
		status = write_all(&cli, 4, crm_rule_list_columns, crm_rule_list);
	else if (t.drop_rule)
		status = do_drop_rule(&cli, &t);
	else if (t.apply)
		status = do_apply(&cli, &t);
	else
		status = do_audit(&cli, &t);
	select_free(&t.sel);
	return cli_exit(&cli, status);
}
