/* crm-profile: one customer's whole story, or a group's portrait against
 * everyone (客户画像). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

enum {
	OPT_PAGE = OPT_FIRST_COMMAND_KEY,
	OPT_PORTRAIT,
	OPT_VS,
	OPT_MAX_VALUES,
	OPT_TOP,
	OPT_MEASURE,
	OPT_NOTES,
	OPT_CHANGES,
	OPT_MASK,
};

static const struct cli_option options[] = {
	SELECT_OPTIONS,
	{OPT_PAGE, "page", NULL, NULL, "the page of the one customer chosen (by -w, -s or stdin)"},
	{OPT_PORTRAIT, "portrait", NULL, NULL, "a portrait, even of the customer of one id"},
	{OPT_VS, "vs", NULL, NULL, "the -s and -w after it choose the base (default: everyone)"},
	{OPT_MAX_VALUES, "max-values", "N", NULL,
	 "custom attributes with at most N values are shown (default 30)"},
	{OPT_TOP, "top", "N", NULL,
	 "values per field (default 10; 0: all); a page's products and channels (5)"},
	{OPT_MEASURE, "measure", "EXPR", NULL, "a number to give the quartiles of too (repeatable)"},
	{OPT_NOTES, "notes", "N", NULL, "a page's latest notes (default 5)"},
	{OPT_CHANGES, "changes", "N", NULL, "a page's last changes and grade changes (default 10)"},
	{OPT_MASK, "mask", "FIELDS", CLI_FIELDS, "mask these fields of a page: 138****8000, 张*"},
	CLI_COMMON_OPTIONS_FORMATS("csv tsv json ndjson table chart"),
};

/* A bar of -o chart, kept until its field's last: their labels line up. */
struct bar {
	char *label;
	crm_portrait_row row; /* its counts */
};

struct chart {
	struct bar *bars;
	size_t n, cap, width;
};

struct profile {
	struct selection sel, base;
	bool page, portrait, vs, vs_all;
	long max_values, top, notes, changes;
	bool top_given, notes_given, changes_given;
	const char **measures;
	size_t nmeasures;
	const char *mask;
	/* the portrait's output */
	crm_writer *out;
	crm_page *table;
	const char *section; /* of the last row, to see where one ends */
	char *field;
	long group_size, base_size;
	struct chart chart; /* -o chart's bars of the field being drawn */
};

static bool number(const char *arg, long max, long *out)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (!*arg || *end || n < 0 || n > max)
		return false;
	*out = n;
	return true;
}

static bool take(struct cli *cli, int key, const char *arg, void *ctx)
{
	struct profile *p = ctx;
	(void)cli;
	switch (key) {
	case OPT_PAGE:
		p->page = true;
		return true;
	case OPT_PORTRAIT:
		p->portrait = true;
		return true;
	case OPT_VS:
		p->vs = true;
		return true;
	case OPT_MAX_VALUES:
		return number(arg, 100000, &p->max_values) && p->max_values > 0;
	case OPT_TOP:
		p->top_given = true;
		return number(arg, 100000, &p->top);
	case OPT_NOTES:
		p->notes_given = true;
		return number(arg, 100000, &p->notes);
	case OPT_CHANGES:
		p->changes_given = true;
		return number(arg, 100000, &p->changes);
	case OPT_MEASURE:
		p->measures = realloc(p->measures, (p->nmeasures + 1) * sizeof *p->measures);
		if (!p->measures)
			abort();
		p->measures[p->nmeasures++] = arg;
		return true;
	case OPT_MASK:
		p->mask = arg;
		return true;
	case OPT_SEGMENT:
	case OPT_WHERE:
		return select_take(p->vs ? &p->base : &p->sel, key, arg);
	case OPT_ALL:
		p->vs_all |= p->vs;
		return select_take(&p->sel, key, arg);
	default:
		return select_take(&p->sel, key, arg);
	}
}

/* One id alone is a page; everything else a portrait, unless said. */
static bool is_page(const struct cli *cli, const struct profile *p)
{
	if (p->page)
		return true;
	return !p->portrait && cli->nargs == 1 && !p->sel.all && !p->sel.segment && !p->sel.where;
}

static void check(struct cli *cli, void *ctx)
{
	struct profile *p = ctx;
	select_no_order(cli, &p->sel, "go with crm-export");
	if (p->page && p->portrait)
		cli_usage_error(cli, "--page and --portrait: choose one");
	if (p->vs_all)
		cli_usage_error(cli, "--vs --all is the base without --vs: everyone");
	if (p->vs && !p->base.segment && !p->base.where)
		cli_usage_error(cli, "--vs needs -s NAME or -w EXPR after it: the base to compare with");
	if (p->page && cli->nargs > 1)
		cli_usage_error(cli, "--page shows one customer: give one id");
	if (p->page && !cli->nargs && !p->sel.segment && !p->sel.where && !p->sel.all &&
	    !cli_stdin_is_stream())
		cli_usage_error(cli, "--page needs an id, -w, -s or a record stream on stdin");
	enum crm_format fmt = cli_output_format(cli);
	if (is_page(cli, p)) {
		if (p->vs || p->nmeasures || p->max_values)
			cli_usage_error(cli, "--vs, --measure and --max-values go with a portrait");
		if (fmt != CRM_FMT_TABLE && fmt != CRM_FMT_JSON && fmt != CRM_FMT_CSV && fmt != CRM_FMT_TSV)
			cli_usage_error(cli, "a page is written as table, json, csv or tsv");
	} else {
		if (p->notes_given || p->changes_given || p->mask)
			cli_usage_error(cli, "--notes, --changes and --mask go with a customer's page");
	}
}

static unsigned db_flags(const struct cli *cli, const void *ctx)
{
	(void)cli;
	(void)ctx;
	return CRM_DB_READ;
}

/* ---- a customer's page ---- */

/* How many of a list a page shows: n as given, else the default; for
 * --top, 0 is all (as in a portrait), for the notes and changes none. */
static int shown(bool given, long n, int otherwise, bool zero_is_all)
{
	return !given ? otherwise : n || !zero_is_all ? (int)n : 1000000;
}

static int page(struct cli *cli, struct profile *p, const char *id)
{
	crm_error err;
	crm_page *page = crm_page_new(stdout, cli_output_format(cli));
	crm_fields *masked = NULL;
	int rc = CRM_OK;
	if (p->mask && (rc = crm_fields_new(&masked, cli->db, CRM_CUSTOMERS, p->mask, &err)) != CRM_OK) {
		char why[sizeof err.msg];
		snprintf(why, sizeof why, "%s", err.msg);
		crm_error_set(&err, CRM_EUSAGE, "--mask: %s", why);
	}
	if (rc == CRM_OK && p->mask)
		rc = crm_page_mask(page, p->mask, &err);
	crm_fields_free(masked);
	crm_profile_opts o = {
		.notes = shown(p->notes_given, p->notes, 5, false),
		.changes = shown(p->changes_given, p->changes, 10, false),
		.top = shown(p->top_given, p->top, 5, true),
		.masked = p->mask != NULL,
	};
	if (rc == CRM_OK)
		rc = crm_profile_write(cli->db, id, &o, &cli->clock, page, &err);
	if (rc == CRM_OK)
		rc = crm_page_finish(page, &err);
	crm_page_free(page);
	if (rc != CRM_OK)
		cli_error(cli, &err);
	return rc;
}

/* --page with -w, -s or a stream: the one customer they choose. */
static int page_of_chosen(struct cli *cli, struct profile *p)
{
	crm_expr *where;
	int status = select_as_expr(cli, &p->sel, &where);
	crm_error err;
	char *id = NULL;
	long n = 0;
	if (status == CRM_OK &&
	    crm_profile_choose(cli->db, where, &cli->clock, &id, &n, &err) != CRM_OK) {
		cli_error(cli, &err);
		status = err.code;
	} else if (status == CRM_OK && n != 1) {
		crm_error_set(&err, CRM_EDATA, "%s: a page is one customer's (--portrait draws them"
			      " together)", n ? "more than one customer is chosen" : "nobody is chosen");
		cli_error(cli, &err);
		status = CRM_EDATA;
	} else if (status == CRM_OK) {
		status = page(cli, p, id);
	}
	free(id);
	crm_expr_free(where);
	return status;
}

/* ---- a portrait ---- */

/* The order: what a spreadsheet reads first, then the counts
 * the shares come from, then the quartiles. */
static const char *const columns[16] = {
	"section",     "field",      "value",      "group_share", "base_share",   "index",
	"group_count", "group_total", "base_count", "base_total", "group_q1",     "group_median",
	"group_q3",    "base_q1",    "base_median", "base_q3",
};

/* Text of numbers, kept until the row is written. */
struct texts {
	char s[16][40];
	size_t n;
};

static crm_value text_value(struct texts *t, crm_type type, const char *fmt, double v)
{
	char *s = t->s[t->n++];
	snprintf(s, sizeof t->s[0], fmt, v);
	return (crm_value){type, s, strlen(s)};
}

static crm_value count_value(struct texts *t, long n)
{
	char *s = t->s[t->n++];
	snprintf(s, sizeof t->s[0], "%ld", n);
	return (crm_value){CRM_INT, s, strlen(s)};
}

static const crm_value null_value = {CRM_NULL, NULL, 0};

static crm_value share_value(struct texts *t, long count, long total, const char *fmt, double times)
{
	double share;
	return crm_portrait_share(count, total, &share) ? text_value(t, CRM_REAL, fmt, share * times)
							: null_value;
}

static crm_value index_value(struct texts *t, const crm_portrait_row *r, const char *fmt)
{
	double index;
	if (r->quartiles || !strcmp(r->section, "size") || !crm_portrait_index(r, &index))
		return null_value;
	return text_value(t, CRM_REAL, fmt, index);
}

/* A number for a person: two places at most. */
static const char *person_number(double v, char *out, size_t size)
{
	snprintf(out, size, "%.2f", v);
	char *end = out + strlen(out);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
	return out;
}

/* person: two places at most, for a table; else every digit, for records. */
static crm_value quartile_value(struct texts *t, const crm_portrait_row *r, bool group, int i,
				bool person)
{
	if (!r->quartiles || !(group ? r->group_count : r->base_count))
		return null_value;
	double v = group ? r->group_q[i] : r->base_q[i];
	if (!person)
		return text_value(t, CRM_REAL, "%.15g", v);
	char *s = t->s[t->n++];
	person_number(v, s, sizeof t->s[0]);
	return (crm_value){CRM_REAL, s, strlen(s)};
}

static crm_value value_of(const crm_portrait_row *r)
{
	return r->value ? (crm_value){r->type, r->value, strlen(r->value)} : null_value;
}

static int record_row(struct profile *p, const crm_portrait_row *r, crm_error *err)
{
	struct texts t = {.n = 0};
	crm_value v[16] = {
		{CRM_TEXT, r->section, strlen(r->section)},
		{CRM_TEXT, r->field, strlen(r->field)},
		value_of(r),
		share_value(&t, r->group_count, r->group_total, "%.6f", 1),
		share_value(&t, r->base_count, r->base_total, "%.6f", 1),
		index_value(&t, r, "%.1f"),
		count_value(&t, r->group_count),
		count_value(&t, r->group_total),
		count_value(&t, r->base_count),
		count_value(&t, r->base_total),
	};
	for (int i = 0; i < 3; i++) {
		v[10 + i] = quartile_value(&t, r, true, i, false);
		v[13 + i] = quartile_value(&t, r, false, i, false);
	}
	return crm_writer_put(p->out, v, err);
}

/* On a terminal: a table a section, shares as percentages. */
static int table_section(struct profile *p, const crm_portrait_row *r, crm_error *err)
{
	static const char *const size[] = {"customers", "share", "base", "base_share"};
	static const char *const values[] = {"field", "value", "group", "base", "index"};
	static const char *const nums[] = {"number", "group_n", "q1", "median", "q3",
					   "base_n", "base_q1", "base_median", "base_q3"};
	static const char *const products[] = {"product", "group_buyers", "base_buyers", "index"};
	if (!strcmp(r->section, "size"))
		return crm_page_section(p->table, "size", 4, size, true, err);
	if (!strcmp(r->section, "numbers"))
		return crm_page_section(p->table, "numbers", 9, nums, false, err);
	if (!strcmp(r->section, "products"))
		return crm_page_section(p->table, "products", 4, products, false, err);
	return crm_page_section(p->table, r->section, 5, values, false, err);
}

static crm_value label(const crm_portrait_row *r)
{
	return r->value ? value_of(r) : (crm_value){CRM_TEXT, "(none)", 6};
}

static int table_row(struct profile *p, const crm_portrait_row *r, crm_error *err)
{
	bool new_section = !p->section || strcmp(p->section, r->section);
	bool new_field = new_section || strcmp(p->field, r->field);
	int rc = new_section ? table_section(p, r, err) : CRM_OK;
	if (rc != CRM_OK)
		return rc;
	struct texts t = {.n = 0};
	crm_value field = new_field ? (crm_value){CRM_TEXT, r->field, strlen(r->field)} : null_value;
	if (!strcmp(r->section, "size")) {
		crm_value v[4] = {count_value(&t, r->group_count),
				  share_value(&t, r->group_count, r->group_total, "%.1f%%", 100),
				  count_value(&t, r->base_count),
				  share_value(&t, r->base_count, r->base_total, "%.1f%%", 100)};
		return crm_page_put(p->table, v, err);
	}
	if (r->quartiles) {
		crm_value v[9] = {field, count_value(&t, r->group_count)};
		for (int i = 0; i < 3; i++) {
			v[2 + i] = quartile_value(&t, r, true, i, true);
			v[6 + i] = quartile_value(&t, r, false, i, true);
		}
		v[5] = count_value(&t, r->base_count);
		return crm_page_put(p->table, v, err);
	}
	crm_value share[3] = {share_value(&t, r->group_count, r->group_total, "%.1f%%", 100),
			      share_value(&t, r->base_count, r->base_total, "%.1f%%", 100),
			      index_value(&t, r, "%.0f")};
	if (!strcmp(r->section, "products")) {
		crm_value v[4] = {label(r), share[0], share[1], share[2]};
		return crm_page_put(p->table, v, err);
	}
	crm_value v[5] = {field, label(r), share[0], share[1], share[2]};
	return crm_page_put(p->table, v, err);
}

#define BAR 30

static void chart_flush(struct chart *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const crm_portrait_row *r = &c->bars[i].row;
		double gs = 0, bs = 0, index;
		crm_portrait_share(r->group_count, r->group_total, &gs);
		crm_portrait_share(r->base_count, r->base_total, &bs);
		const char *label = c->bars[i].label;
		printf("  %s", label);
		for (size_t w = crm_display_width(label, strlen(label)); w < c->width + 2; w++)
			putchar(' ');
		int cells = (int)(gs * BAR + 0.5);
		if (cells == 0 && r->group_count)
			cells = 1;
		for (int k = 0; k < BAR; k++)
			fputs(k < cells ? "█" : " ", stdout);
		printf(" %5.1f%%  base %5.1f%%", gs * 100, bs * 100);
		if (crm_portrait_index(r, &index))
			printf("  index %.0f", index);
		putchar('\n');
		free(c->bars[i].label);
	}
	c->n = c->width = 0;
}

static void chart_quartiles(const char *who, const double q[3], long n)
{
	char a[40], b[40], m[40];
	printf("  %s  median %s  (q1 %s, q3 %s)  %ld with a value\n", who,
	       person_number(q[1], m, sizeof m), person_number(q[0], a, sizeof a),
	       person_number(q[2], b, sizeof b), n);
}

/* -o chart: a bar a value, as long as its share of the group. */
static void chart_row(struct chart *c, const crm_portrait_row *r, bool new_field)
{
	if (new_field)
		chart_flush(c);
	if (!strcmp(r->section, "size")) {
		double gs = 0, bs = 0;
		crm_portrait_share(r->group_count, r->group_total, &gs);
		crm_portrait_share(r->base_count, r->base_total, &bs);
		printf("%ld customers, %.1f%% of everyone", r->group_count, gs * 100);
		if (r->base_count != r->base_total)
			printf("; the base %ld, %.1f%%", r->base_count, bs * 100);
		putchar('\n');
		return;
	}
	if (new_field)
		printf("\n%s\n", r->field);
	if (r->quartiles) {
		if (r->group_count)
			chart_quartiles("group", r->group_q, r->group_count);
		if (r->base_count)
			chart_quartiles("base ", r->base_q, r->base_count);
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->bars = realloc(c->bars, c->cap * sizeof *c->bars);
		if (!c->bars)
			abort();
	}
	const char *label = r->value ? r->value : "(none)";
	struct bar *b = &c->bars[c->n++];
	b->label = strdup(label);
	if (!b->label)
		abort();
	b->row = *r;
	size_t width = crm_display_width(label, strlen(label));
	c->width = width > c->width ? width : c->width;
}

static int portrait_row(void *ctx, const crm_portrait_row *r, crm_error *err)
{
	struct profile *p = ctx;
	bool new_field = !p->field || strcmp(p->section, r->section) || strcmp(p->field, r->field);
	int rc = CRM_OK;
	if (p->out)
		rc = record_row(p, r, err);
	else if (p->table)
		rc = table_row(p, r, err);
	else
		chart_row(&p->chart, r, new_field);
	if (!strcmp(r->section, "size")) {
		p->group_size = r->group_count;
		p->base_size = r->base_count;
	}
	p->section = r->section; /* the library's own names */
	free(p->field);
	p->field = strdup(r->field);
	if (!p->field)
		abort();
	return rc;
}

/* The base of --vs: its -s and -w, checked. */
static crm_expr *base_expr(struct cli *cli, struct profile *p)
{
	if (!p->vs)
		return NULL;
	select_prepare(cli, &p->base, NULL, 0);
	crm_expr *e = p->base.expr;
	p->base.expr = NULL;
	return e;
}

static int portrait(struct cli *cli, struct profile *p)
{
	crm_expr *group;
	crm_expr *base = base_expr(cli, p);
	int status = select_as_expr(cli, &p->sel, &group);
	if (status != CRM_OK) {
		crm_expr_free(group);
		crm_expr_free(base);
		return status;
	}
	enum crm_format fmt = cli_output_format(cli);
	if (fmt == CRM_FMT_TABLE)
		p->table = crm_page_new(stdout, CRM_FMT_TABLE);
	else if (fmt != CRM_FMT_CHART)
		p->out = crm_writer_new(stdout, fmt, 16, columns, 0);
	crm_portrait_opts o = {
		.group = group,
		.base = base,
		.max_values = p->max_values ? (int)p->max_values : 30,
		.top = p->top_given ? (int)p->top : 10,
		.measures = p->measures,
		.nmeasures = p->nmeasures,
		.row = portrait_row,
		.ctx = p,
	};
	crm_error err;
	bool empty = false;
	int rc = crm_portrait_write(cli->db, &o, &cli->clock, &empty, &err);
	if (rc == CRM_OK && p->group_size == 1)
		cli_note(cli, "a group of one customer: crm-profile --page shows its page");
	if (rc == CRM_OK && empty)
		cli_note(cli, "%s", p->group_size ? "the base is empty: there is nothing to compare with"
						  : "the group is empty: nobody to draw");
	chart_flush(&p->chart);
	free(p->chart.bars);
	if (rc == CRM_OK && p->table)
		rc = crm_page_finish(p->table, &err);
	crm_page_free(p->table);
	free(p->field);
	crm_expr_free(group);
	crm_expr_free(base);
	return cli_finish(cli, p->out, rc, &err);
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm-profile",
		.usage = "[options] [ID...]",
		.summary = "Show one customer's whole story, or a group's portrait against everyone.",
		.options = options,
		.take = take,
		.again_after = OPT_VS,
		.check = check,
		.db_flags = db_flags,
	};
	struct profile p = {0};
	cli_start(&cli, argc, argv, &p);
	int status;
	bool chooses = p.sel.segment || p.sel.where;
	if (is_page(&cli, &p) && cli.nargs == 1 && !chooses) {
		status = page(&cli, &p, cli.args[0]);
	} else if (is_page(&cli, &p)) { /* --page: an id must be chosen by -s and -w too */
		select_prepare(&cli, &p.sel, cli.args, cli.nargs);
		status = page_of_chosen(&cli, &p);
	} else {
		select_prepare(&cli, &p.sel, cli.args, cli.nargs);
		status = portrait(&cli, &p);
	}
	select_free(&p.sel);
	select_free(&p.base);
	free(p.measures);
	return cli_exit(&cli, status);
}
