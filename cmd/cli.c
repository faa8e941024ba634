/* cli.c: options, messages, database and stdout for every crm command. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Record errors beyond this many are counted, not shown: a million bad rows
 * should not bury the summary. */
#define ERRORS_SHOWN_MAX 100

/* ---- usage and options ---- */

static void print_option(FILE *out, const struct cli_option *o)
{
	char left[64];
	if (o->key < CLI_LONG)
		snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	fprintf(out, "  %-26s %s\n", left, o->help);
}

static noreturn void print_help(struct cli *cli)
{
	printf("usage: %s %s\n%s\n\n", cli->prog, cli->usage, cli->summary);
	for (const struct cli_option *o = cli->options; o->name; o++)
		print_option(stdout, o);
	printf("\nSee %s(1) and crm(7).\n", cli->prog);
	exit(cli_exit(cli, 0));
}

noreturn void cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", cli->prog);
	exit(CRM_EUSAGE);
}

/* --delimiter: one character, or "tab". */
static bool take_delimiter(struct cli *cli, const char *arg)
{
	if (!strcmp(arg, "tab") || !strcmp(arg, "\\t") || !strcmp(arg, "\t")) {
		cli->input.delimiter = '\t';
		return true;
	}
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r' ||
	    (unsigned char)arg[0] >= 0x80 || isalnum((unsigned char)arg[0]))
		cli_usage_error(cli, "--delimiter '%s': give one character, such as ';' or '|', or tab",
				arg);
	cli->input.delimiter = arg[0];
	return true;
}

/* The formats -o takes, as the command's option table lists them. */
static const char *output_formats(const struct cli *cli)
{
	for (const struct cli_option *o = cli->options; o->name; o++)
		if (o->key == OPT_OUTPUT)
			return o->complete;
	return CLI_FORMATS;
}

static bool writes(const struct cli *cli, const char *name)
{
	const char *list = output_formats(cli);
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static bool take_common(struct cli *cli, int key, const char *arg)
{
	switch (key) {
	case OPT_DB:
		cli->db_path = arg;
		return true;
	case OPT_QUIET:
		cli->quiet = true;
		return true;
	case OPT_VERBOSE:
		cli->verbose = true;
		return true;
	case OPT_AS_OF:
		if (!*arg)
			cli_usage_error(cli, "--as-of needs a date (YYYY-MM-DD), or a date and a time");
		cli->as_of = arg;
		return true;
	case OPT_INPUT:
		if (crm_format_parse(arg, &cli->input_format) != CRM_OK ||
		    (cli->input_format > CRM_FMT_IDS && cli->input_format != CRM_FMT_XLSX))
			cli_usage_error(cli, "'%s' is not an input format (csv, tsv, json, ndjson, ids, xlsx)",
					arg);
		cli->input.format = cli->input_format;
		return true;
	case OPT_DELIMITER:
		return take_delimiter(cli, arg);
	case OPT_IN_ENCODING:
		cli->input.encoding = arg;
		return true;
	case OPT_SHEET:
		cli->input.sheet = arg;
		return true;
	case OPT_MAP:
		if (!strchr(arg, '=') || arg[0] == '=')
			cli_usage_error(cli, "--map %s: say SRC=FIELD (a column's name or number, then the"
					" field; SRC= leaves it out)", arg);
		cli->maps = realloc(cli->maps, (cli->input.nmap + 1) * sizeof *cli->maps);
		if (!cli->maps)
			abort();
		cli->maps[cli->input.nmap++] = arg;
		cli->input.map = cli->maps;
		return true;
	case OPT_OUTPUT:
		if (crm_format_parse(arg, &cli->output_format) == CRM_OK &&
		    cli->output_format == CRM_FMT_XLSX && !cli->xlsx)
			cli_usage_error(cli, "-o xlsx is crm-export's: pipe the records into"
					" crm-export -o xlsx > customers.xlsx");
		if (crm_format_parse(arg, &cli->output_format) != CRM_OK || !writes(cli, arg))
			cli_usage_error(cli, "'%s' is not an output format of %s (%s)", arg, cli->prog,
					output_formats(cli));
		cli->output_format_given = true;
		return true;
	case OPT_HELP:
		print_help(cli);
	case OPT_VERSION:
		printf("%s (crm) %s\n", cli->prog, CRM_VERSION);
		exit(cli_exit(cli, 0));
	default:
		return false;
	}
}

static bool is_common(int key)
{
	return key == OPT_DB || key == OPT_QUIET || key == OPT_VERBOSE || key == OPT_AS_OF ||
	       key == OPT_INPUT || key == OPT_OUTPUT || key == OPT_HELP || key == OPT_VERSION ||
	       key == OPT_DELIMITER || key == OPT_IN_ENCODING || key == OPT_MAP || key == OPT_SHEET;
}

/* getopt_long's tables, made from ours. */
static void getopt_tables(const struct cli *cli, char *shorts, struct option *longs)
{
	size_t s = 0, l = 0;
	if (cli->options_first)
		shorts[s++] = '+'; /* stop at the first operand: crm CMD -x is CMD's -x */
	shorts[s++] = ':';         /* report a missing argument as ':' */
	const struct cli_option *opts = cli->options;
	for (const struct cli_option *o = opts; o->name; o++) {
		if (o->key < CLI_LONG) {
			shorts[s++] = (char)o->key;
			if (o->arg)
				shorts[s++] = ':';
		}
		longs[l++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
					     o->key};
	}
	shorts[s] = '\0';
	longs[l] = (struct option){0, 0, 0, 0};
}

static const char *option_name(struct cli *cli, int key, char *buf, size_t sz)
{
	for (const struct cli_option *o = cli->options; o->name; o++)
		if (o->key == key) {
			snprintf(buf, sz, "--%s", o->name);
			return buf;
		}
	snprintf(buf, sz, "-%c", key);
	return buf;
}

/* An option with a value means one thing: given again, it would silently
 * replace the first, so it is refused. Lists by design say "(repeatable)"
 * in their help, which makes them so: --help and the parser cannot differ. */
static void check_repeat(struct cli *cli, int key, bool *seen)
{
	size_t i = 0;
	const struct cli_option *o = cli->options;
	while (o->name && o->key != key)
		o++, i++;
	if (!o->name || !o->arg || strstr(o->help, "(repeatable"))
		return;
	if (seen[i]) {
		char name[64];
		cli_usage_error(cli, "%s is given twice: it takes one value",
				option_name(cli, key, name, sizeof name));
	}
	seen[i] = true;
}

/* ---- the hidden --complete, for the shells' completions ---- */

/* A field of --complete: "-" where there is nothing. */
static const char *field(const char *text)
{
	return text && *text ? text : "-";
}

static const char *long_name(const struct cli *cli, int key)
{
	const struct cli_option *o = cli->options;
	while (o->name && o->key != key)
		o++;
	if (!o->name)
		abort(); /* a programming error: operands_after names no option */
	return o->name;
}

/* The format is cli_parse's, in cli.h. */
static noreturn void print_completion(struct cli *cli)
{
	for (const struct cli_option *o = cli->options; o->name; o++) {
		char s[3] = "-";
		if (o->key < CLI_LONG)
			snprintf(s, sizeof s, "-%c", o->key);
		printf("%s\t--%s\t%s\t%s\t%s\n", s, o->name, field(o->arg),
		       field(o->arg ? o->complete : NULL), o->help);
	}
	for (const struct cli_operands_after *a = cli->operands_after; a && a->complete; a++)
		printf("--\t--%s\t-\t%s\t-\n", long_name(cli, a->key), a->complete);
	printf("--\t-\t-\t%s\t-\n", field(cli->operands));
	exit(cli_exit(cli, 0));
}

/* Enough for any command's table; checked below. */
#define OPTIONS_MAX 64

int cli_parse(struct cli *cli, int argc, char **argv, void *ctx)
{
	cli->argc = argc;
	cli->argv = argv;
	size_t n = 0;
	for (const struct cli_option *o = cli->options; o->name; o++)
		n++;
	if (n >= OPTIONS_MAX)
		abort(); /* a programming error: raise OPTIONS_MAX */
	/* Not in the table, so neither --help nor the completions show them. */
	if (argc == 2 && !strcmp(argv[1], "--crm-summary")) {
		printf("%s\n", cli->summary);
		exit(cli_exit(cli, 0));
	}
	if (argc == 2 && !strcmp(argv[1], "--complete"))
		print_completion(cli);
	char shorts[2 * OPTIONS_MAX + 3];
	struct option longs[OPTIONS_MAX + 1];
	getopt_tables(cli, shorts, longs);
	opterr = 0;
	int key;
	char name[64];
	bool seen[OPTIONS_MAX] = {0};
	while ((key = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (key == '?') {
			if (optopt)
				cli_usage_error(cli, "unknown option '-%c'", optopt);
			cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		}
		if (key == ':')
			cli_usage_error(cli, "option '%s' needs an argument",
					option_name(cli, optopt, name, sizeof name));
		if (key == cli->again_after && key) /* the command's own options start over */
			for (size_t i = 0; cli->options[i].name; i++)
				seen[i] = seen[i] && is_common(cli->options[i].key);
		check_repeat(cli, key, seen);
		bool ok = is_common(key) ? take_common(cli, key, optarg)
					 : cli->take && cli->take(cli, key, optarg, ctx);
		if (!ok)
			cli_usage_error(cli, "bad argument '%s' for %s", optarg ? optarg : "",
					option_name(cli, key, name, sizeof name));
	}
	cli->args = argv + optind;
	cli->nargs = argc - optind;
	return optind;
}

void cli_start(struct cli *cli, int argc, char **argv, void *ctx)
{
	cli_parse(cli, argc, argv, ctx);
	if (cli->check)
		cli->check(cli, ctx);
	cli_open(cli, cli->db_flags ? cli->db_flags(cli, ctx) : 0);
}

/* ---- messages ---- */

static void print_lines(struct cli *cli, const crm_error *err);

static void print_reasons(struct cli *cli, const crm_error *err)
{
	print_lines(cli, err);
	if (err->context[0])
		fprintf(stderr, "%s\n", err->context);
}

static void print_lines(struct cli *cli, const crm_error *err)
{
	const char *line = err->msg;
	do {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);
		fprintf(stderr, "%s: ", cli->prog);
		if (err->source[0]) {
			fprintf(stderr, "%s:", err->source);
			if (err->line)
				fprintf(stderr, "%ld:", err->line);
			if (err->column)
				fprintf(stderr, "%ld:", err->column);
			fputc(' ', stderr);
		}
		fprintf(stderr, "%.*s\n", len, line);
		line = nl ? nl + 1 : NULL;
	} while (line);
}

void cli_error(struct cli *cli, const crm_error *err)
{
	print_reasons(cli, err);
}

void cli_record_error(struct cli *cli, const crm_error *err)
{
	if (cli->errors_shown >= ERRORS_SHOWN_MAX) {
		cli->errors_hidden++;
		return;
	}
	cli->errors_shown++;
	print_reasons(cli, err);
}

void cli_hidden_errors(struct cli *cli)
{
	if (cli->errors_hidden)
		fprintf(stderr, "%s: %ld more bad records not shown\n", cli->prog, cli->errors_hidden);
}

void cli_note(struct cli *cli, const char *fmt, ...)
{
	if (cli->quiet)
		return;
	va_list ap;
	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_finish(struct cli *cli, crm_writer *out, int rc, crm_error *err)
{
	if (out && rc == CRM_OK)
		rc = crm_writer_finish(out, err);
	if (rc != CRM_OK)
		cli_error(cli, err);
	crm_writer_free(out);
	return rc;
}

/* ---- reading records ---- */

/* The input the progress line measures: the reader read(2)s a regular file
 * in order, so its offset says how far along it is; a pipe's size is not
 * known, and libzip reads a workbook out of order. */
static struct {
	int fd; /* -1: no percentage */
	const char *source;
} progress_in = {-1, NULL};

crm_reader *cli_reader(struct cli *cli, FILE *in, const char *source, enum crm_names names)
{
	crm_reader_opts opts = cli->input;
	opts.names = names;
	crm_reader *r = crm_reader_open(in, source, &opts);
	if (!r) {
		fprintf(stderr, "%s: out of memory\n", cli->prog);
		exit(cli_exit(cli, CRM_EDB));
	}
	struct stat st;
	int fd = fileno(in);
	progress_in.fd = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fd : -1;
	progress_in.source = source;
	return r;
}

void cli_reader_found(struct cli *cli, const crm_reader *r)
{
	const crm_reader_info *info = crm_reader_about(r);
	if (crm_reader_format(r) == CRM_FMT_XLSX)
		progress_in.fd = -1;
	if (info->encoding_detected)
		cli_note(cli, "%s: read as %s, since it is not UTF-8 (--encoding says otherwise)",
			 crm_reader_source(r), info->encoding);
	else if (info->bom && strcmp(info->encoding, "UTF-8") && !cli->input.encoding)
		cli_note(cli, "%s: read as %s, as its byte-order mark says", crm_reader_source(r),
			 info->encoding);
	if (info->title_line)
		cli_note(cli, "%s:%ld: a title above the table, skipped: the header is the next row",
			 crm_reader_source(r), info->title_line);
}

void cli_reader_skipped(struct cli *cli, const crm_reader *r)
{
	const crm_reader_info *info = crm_reader_about(r);
	long rows = info->empty_rows, cols = info->empty_columns;
	if (rows && cols)
		cli_note(cli, "%s: %ld empty row%s and %ld empty column%s without a name skipped",
			 crm_reader_source(r), rows, rows == 1 ? "" : "s", cols, cols == 1 ? "" : "s");
	else if (rows)
		cli_note(cli, "%s: %ld empty row%s skipped", crm_reader_source(r), rows,
			 rows == 1 ? "" : "s");
	else if (cols)
		cli_note(cli, "%s: %ld empty column%s without a name skipped", crm_reader_source(r),
			 cols, cols == 1 ? "" : "s");
}

/* ---- database, clock, output ---- */

static void db_note(void *ctx, const char *text)
{
	cli_note(ctx, "%s", text);
}

void cli_open(struct cli *cli, unsigned db_flags)
{
	crm_error err;
	const char *now = cli->as_of ? cli->as_of : getenv("CRM_NOW");
	if (crm_clock_init(&cli->clock, now, &err) != CRM_OK) {
		if (cli->as_of)
			cli_usage_error(cli, "--as-of: %s", err.msg);
		fprintf(stderr, "%s: CRM_NOW: %s\n", cli->prog, err.msg);
		exit(CRM_EUSAGE);
	}
	char *path = NULL;
	const char *env_db = getenv("CRM_DB");
	if (cli->db_path)
		path = strdup(cli->db_path);
	else
		path = crm_db_default_path(env_db, getenv("XDG_DATA_HOME"), getenv("HOME"));
	if (!cli->db_path && !(env_db && *env_db))
		db_flags |= CRM_DB_MKDIR;
	int rc = crm_db_open(&cli->db, path, db_flags, &err);
	if (rc != CRM_OK) {
		free(path);
		cli_error(cli, &err);
		exit(rc);
	}
	crm_db_on_note(cli->db, db_note, cli);
	if (cli->verbose && crm_db_read_only(cli->db))
		cli_note(cli, "%s: opened read-only: you may not write it, and this command only reads",
			 path);
	free(path);
	const char *busy = getenv("CRM_BUSY_TIMEOUT");
	if (busy && *busy) {
		char *end;
		long seconds = strtol(busy, &end, 10);
		if (*end || seconds < 0 || seconds > 86400) {
			fprintf(stderr, "%s: CRM_BUSY_TIMEOUT: '%s' is not a number of seconds\n", cli->prog, busy);
			exit(CRM_EUSAGE);
		}
		crm_db_set_busy_timeout(cli->db, (int)seconds * 1000);
	}
	/* The trail records when a change happened, not the --as-of it used. */
	crm_clock real;
	bool fixed = getenv("CRM_NOW") && crm_clock_init(&real, getenv("CRM_NOW"), &err) == CRM_OK;
	crm_db_audit_as(cli->db, cli_user(), fixed ? real.now : NULL, cli->argc, cli->argv);
}

void *cli_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		fputs("crm: out of memory\n", stderr);
		exit(CRM_EDB);
	}
	return p;
}

/* A pipe, a file or a socket: what a person or a program gave. A terminal
 * or a character device (/dev/null under cron, systemd and ssh -n) is
 * where stdin points when nobody gave anything. */
bool cli_stdin_is_stream(void)
{
	struct stat in;
	return fstat(STDIN_FILENO, &in) == 0 &&
	       (S_ISFIFO(in.st_mode) || S_ISREG(in.st_mode) || S_ISSOCK(in.st_mode));
}

bool cli_stdout_is_null(void)
{
	struct stat out, null;
	return fstat(STDOUT_FILENO, &out) == 0 && stat("/dev/null", &null) == 0 &&
	       S_ISCHR(out.st_mode) && out.st_rdev == null.st_rdev;
}

enum crm_format cli_output_format(struct cli *cli)
{
	if (cli->output_format_given)
		return cli->output_format;
	return isatty(STDOUT_FILENO) ? CRM_FMT_TABLE : CRM_FMT_CSV;
}

int cli_exit(struct cli *cli, int status)
{
	crm_db_close(cli->db);
	cli->db = NULL;
	free(cli->maps);
	cli->maps = NULL;
	/* A full disk or a closed pipe must not pass for success. A command
	 * that failed has said why already. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (status == CRM_OK && errno != EPIPE)
			fprintf(stderr, "%s: write error: %s\n", cli->prog, strerror(errno));
		return status ? status : CRM_EDB;
	}
	return status;
}

static bool progress_wanted(struct cli *cli)
{
	static int wanted = -1;
	if (wanted < 0) {
		const char *term = getenv("TERM");
		wanted = !cli->quiet && isatty(STDERR_FILENO) && !getenv("NO_COLOR") &&
			 !(term && strcmp(term, "dumb") == 0);
	}
	return wanted;
}

/* The share of the input's bytes read so far, or -1 when it is not known. */
static int progress_percent(void)
{
	struct stat st;
	off_t at;
	if (progress_in.fd < 0 || fstat(progress_in.fd, &st) != 0 || st.st_size <= 0 ||
	    (at = lseek(progress_in.fd, 0, SEEK_CUR)) < 0)
		return -1;
	return (int)((at < st.st_size ? at : st.st_size) * 100 / st.st_size);
}

void cli_progress(struct cli *cli, long count, bool done)
{
	static time_t last;
	if (!done && count % 4096)
		return;
	if (!progress_wanted(cli))
		return;
	if (done) {
		if (last)
			fputs("\r\033[K", stderr);
		return;
	}
	time_t now = time(NULL);
	if (now == last)
		return;
	last = now;
	fprintf(stderr, "\r%s: %ld records", cli->prog, count);
	int percent = progress_percent();
	if (percent >= 0)
		fprintf(stderr, ", %d%% of %s", percent, progress_in.source);
	fputs("\033[K", stderr); /* what a longer line before left */
}

/* One reason a line in err.msg becomes "a; b" in the error cell. */
static void join_reasons(const char *msg, char *out, size_t outsz)
{
	size_t n = 0;
	for (const char *p = msg; *p && n + 3 < outsz; p++) {
		if (*p == '\n') {
			out[n++] = ';';
			out[n++] = ' ';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

int cli_reject(struct cli_rejects *r, const crm_reader *from, const crm_record *rec,
	       const crm_error *why, crm_error *err)
{
	if (!r->path || !from)
		return CRM_OK;
	size_t len = strlen(r->path);
	bool workbook = len > 5 && !strcasecmp(r->path + len - 5, ".xlsx");
	if (!r->out) {
		if (!(r->file = fopen(r->path, "w")))
			return crm_error_set(err, CRM_EDB, "%s: %s", r->path, strerror(errno));
		/* in the input's encoding, so that what opened it opens this */
		const char *encoding = workbook ? "UTF-8" : crm_reader_about(from)->encoding;
		r->converted = crm_encoding_writer(r->file, encoding, err);
		if (!r->converted)
			return err->code;
		r->out = crm_reject_writer_new(r->converted, from, workbook);
	} else if (!crm_reject_fits(r->out, from)) {
		return crm_error_set(err, CRM_EDATA, "%s: its bad records cannot go in %s with those of"
				     " a file of other columns or encoding: give each file its own --reject",
				     crm_reader_source(from), r->path);
	}
	char reason[sizeof why->msg + 64];
	join_reasons(why->msg, reason, sizeof reason);
	return crm_reject_put(r->out, rec, reason, err);
}

void cli_rejects_close(struct cli *cli, struct cli_rejects *r)
{
	crm_error err;
	if (r->out && crm_writer_finish(r->out, &err) != CRM_OK)
		cli_error(cli, &err);
	crm_writer_free(r->out);
	r->out = NULL;
	bool failed = r->converted && r->converted != r->file && fclose(r->converted) != 0;
	r->converted = NULL;
	if ((r->file && fclose(r->file) != 0) || failed)
		cli_note(cli, "%s: write error", r->path);
	r->file = NULL;
}

void cli_rejects_free(struct cli_rejects *r)
{
	crm_writer_free(r->out);
	if (r->converted && r->converted != r->file)
		fclose(r->converted);
	r->converted = NULL;
	if (r->file)
		fclose(r->file);
	r->out = NULL;
	r->file = NULL;
}

int cli_copy_to_stdout(FILE *from, crm_error *err)
{
	char buf[65536];
	size_t n;
	rewind(from);
	while ((n = fread(buf, 1, sizeof buf, from)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	if (ferror(from) || fflush(stdout) != 0 || ferror(stdout))
		return crm_error_set(err, CRM_EDB, "write error: %s", strerror(errno ? errno : EIO));
	return CRM_OK;
}

const char *cli_user(void)
{
	const char *name = getenv("USER");
	if (!name || !*name)
		name = getenv("LOGNAME");
	if (!name || !*name) {
		const struct passwd *pw = getpwuid(getuid());
		name = pw ? pw->pw_name : "unknown";
	}
	return name;
}
