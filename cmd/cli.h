/* cli.h: what every crm command shares: one option table per command that
 * drives parsing and --help, the database and clock by SPEC's rules,
 * messages in one shape, and a checked stdout. No SQL here: that is lib's. */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "crm.h"

/* Long-only options take keys from here up. */
#define CLI_LONG 256

enum cli_common_key {
	OPT_HELP = 'h',
	OPT_DB = 'd',
	OPT_QUIET = 'q',
	OPT_VERBOSE = 'v',
	OPT_INPUT = 'i',
	OPT_OUTPUT = 'o',
	OPT_VERSION = CLI_LONG,
	OPT_AS_OF,
	OPT_FIRST_COMMAND_KEY, /* a command's own long-only keys start here */
	/* the input options, clear of each command's own keys and select's */
	OPT_DELIMITER = OPT_FIRST_COMMAND_KEY + 80,
	OPT_IN_ENCODING,
	OPT_MAP,
	OPT_SHEET,
};

/* What an option's argument (or an operand) completes to, for the shells'
 * completions (completions/), which read it from the hidden --complete
 * (cli_parse): fixed values, space-separated ("csv tsv json"), or one of
 * these kinds, which the completions list when asked (a kind starts with
 * '@', a value never does). NULL: nothing to offer (a text, a date, an id). */
#define CLI_FILE "@file"
#define CLI_SEGMENT "@segment"        /* a saved segment */
#define CLI_TAG "@tag"                /* a tag of the catalog */
#define CLI_RULE "@rule"              /* a tag rule */
#define CLI_MODEL "@model"            /* a score model */
#define CLI_NOTE_CATEGORY "@category" /* a category of notes */
#define CLI_SETTING "@setting"        /* a setting's key (crm-segment --config) */
#define CLI_FIELDS "@fields"          /* field names, comma-separated */
#define CLI_SORT_FIELDS "@sort"       /* the same, each perhaps -FIELD (--sort) */
#define CLI_BY_FIELDS "@by"           /* tag, or field names, comma-separated (--by) */
#define CLI_FIELD_IS "@field="        /* FIELD=..., a field name then '=' */
#define CLI_MAP "@map"                /* SRC=FIELD: a field name on each side */
#define CLI_COMMAND "@command"        /* a command of crm's (crm help lists them) */
/* The keys that name a customer besides the id (--match). */
#define CLI_MATCH_KEYS "phone email wechat_id openid unionid"

struct cli_option {
	int key;              /* the short letter, or a key >= CLI_LONG */
	const char *name;     /* the long name */
	const char *arg;      /* the argument's name, or NULL */
	const char *complete; /* what the argument completes to (above), or NULL */
	const char *help;     /* "(repeatable)" in it makes the option a list, crm(7) */
};

/* The output formats of -o, for completions; a command that writes more
 * ends its table with CLI_COMMON_OPTIONS_FORMATS(CLI_FORMATS " vcard"). */
#define CLI_FORMATS "csv tsv json ndjson ids table"

/* The options every command has, for the end of its table. */
#define CLI_COMMON_OPTIONS CLI_COMMON_OPTIONS_FORMATS(CLI_FORMATS)
#define CLI_COMMON_OPTIONS_FORMATS(formats)                                                 \
	{OPT_DB, "db", "FILE", CLI_FILE,                                                    \
	 "the database (default $CRM_DB, else ~/.local/share/crm/crm.db)"},                 \
	{OPT_INPUT, "input", "FORMAT", "csv tsv json ndjson ids xlsx",                      \
	 "input format: csv, tsv, json, ndjson, ids, xlsx (default: detected)"},            \
	{OPT_OUTPUT, "output", "FORMAT", formats, "output format: " formats},               \
	{OPT_AS_OF, "as-of", "DATE", NULL,                                                  \
	 "compute as of DATE (default $CRM_NOW, else now)"},                                \
	{OPT_QUIET, "quiet", NULL, NULL, "no notes on stderr"},                             \
	{OPT_VERBOSE, "verbose", NULL, NULL,                                                \
	 "say how the database was opened (read-only)"},                                    \
	{OPT_HELP, "help", NULL, NULL, "show this help"},                                   \
	{OPT_VERSION, "version", NULL, NULL, "show the version"},                           \
	{0, NULL, NULL, NULL, NULL}

/* For commands that read records from files or stdin (crm(7), READING
 * RECORDS): what the input is, when detection cannot tell. */
#define CLI_INPUT_OPTIONS                                                                   \
	{OPT_DELIMITER, "delimiter", "C", ", ; | tab",                                      \
	 "the csv separator: , ; | or tab (default: found)"},                               \
	{OPT_IN_ENCODING, "encoding", "NAME", "gb18030 gbk utf-16 utf-8",                   \
	 "the input's encoding, such as gb18030 (default: found)"},                         \
	{OPT_MAP, "map", "SRC=FIELD", CLI_MAP,                                              \
	 "read column SRC as FIELD; SRC= leaves it out (repeatable)"},                      \
	{OPT_SHEET, "sheet", "NAME", NULL, "the sheet of an .xlsx to read (default: the first)"}

/* What the operands complete to once an option is on the line (crm-tag
 * --rename OLD NEW: a tag). A table of them ends with {0, NULL}. */
struct cli_operands_after {
	int key;
	const char *complete;
};

struct cli {
	const char *prog;
	const char *usage;   /* "[options] [FILE...]" */
	const char *summary; /* one line: what the command does */
	const struct cli_option *options;
	bool xlsx;           /* -o xlsx is allowed (crm-export's workbook) */
	bool options_first;  /* options end at the first operand (crm's, before CMD) */
	/* An option after which the command's own options may be given again,
	 * for another thing (crm-profile --vs: the base's -s and -w); 0: none. */
	int again_after;
	/* What the operands complete to (as an option's argument, NULL:
	 * nothing), and after one of these options (NULL: none), for
	 * --complete. */
	const char *operands;
	const struct cli_operands_after *operands_after;
	/* Takes each of the command's own options (common ones are cli's),
	 * returning false for a bad argument; NULL: it has none. */
	bool (*take)(struct cli *cli, int key, const char *arg, void *ctx);
	/* Checks the options and operands against each other: a usage error
	 * exits 2 (cli_usage_error). NULL: anything goes. */
	void (*check)(struct cli *cli, void *ctx);
	/* How to open the database (CRM_DB_READ when it only reads); NULL: 0. */
	unsigned (*db_flags)(const struct cli *cli, const void *ctx);
	/* the operands, after the options */
	char **args;
	int nargs;
	/* common options as given */
	const char *db_path;
	const char *as_of;
	bool quiet;
	bool verbose;
	enum crm_format input_format;
	crm_reader_opts input; /* -i and the input options */
	const char **maps;     /* --map, as given */
	enum crm_format output_format;
	bool output_format_given;
	/* state */
	int argc; /* the command line, for the audit trail */
	char **argv;
	crm_clock clock;
	crm_db *db;
	long errors_shown;
	long errors_hidden;
};

/* Parses argv. For each of the command's own options it calls cli->take
 * with ctx; common options are handled here. Sets cli->args and nargs and
 * returns the index of the first operand. --help and --version exit 0; a
 * usage error exits 2. Two hidden options, each alone on the line, exit 0:
 * --crm-summary prints the summary, for crm help's list (cmd/crm.c);
 * --complete prints the options for the shells' completions, a line each,
 * five fields separated by tabs, "-" where one has nothing:
 *     -s  --segment  NAME  @segment  the customers of a saved segment
 * the short option, the long one, the argument's name, what it completes to
 * (struct cli_option's complete), the help; then what the operands complete
 * to, a line "--  --rename  -  @tag  -" for each of operands_after, and last
 * "--  -  -  @file  -" (or "-") for the operands otherwise. */
int cli_parse(struct cli *cli, int argc, char **argv, void *ctx);
/* The start of a command's main: cli_parse, cli->check, then cli_open with
 * cli->db_flags. ctx goes to each. */
void cli_start(struct cli *cli, int argc, char **argv, void *ctx);

noreturn void cli_usage_error(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints err as "prog: source:line:column: reason", a line for each reason. */
void cli_error(struct cli *cli, const crm_error *err);
/* The same for a record's reasons, showing at most a hundred records. */
void cli_record_error(struct cli *cli, const crm_error *err);
/* Says how many record errors were not shown. */
void cli_hidden_errors(struct cli *cli);
void cli_note(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends a command's output: finishes out (NULL: none) when rc is CRM_OK,
 * reports err when anything failed, frees out; returns the status. */
int cli_finish(struct cli *cli, crm_writer *out, int rc, crm_error *err);

/* A reader of in with the input options, reading names as names says. */
crm_reader *cli_reader(struct cli *cli, FILE *in, const char *source, enum crm_names names);
/* Says what the reader found that a person should know (an encoding that
 * was not UTF-8), once, after its first record. */
void cli_reader_found(struct cli *cli, const crm_reader *r);
/* Says what it skipped (empty rows, empty columns without a name). */
void cli_reader_skipped(struct cli *cli, const crm_reader *r);

/* Sets the clock and opens the database; exits 2 or 3 on failure. */
void cli_open(struct cli *cli, unsigned db_flags);
/* The output format: -o, else table on a terminal, else csv. */
enum crm_format cli_output_format(struct cli *cli);
/* Closes the database, checks that stdout reached its reader, and returns the
 * exit status (3 when writing failed). */
int cli_exit(struct cli *cli, int status);
/* True when stdin is a record stream: a pipe, a regular file or a socket
 * (crm(7), SELECTING CUSTOMERS). */
bool cli_stdin_is_stream(void);
/* calloc, or exit 3 when memory is out. */
void *cli_xcalloc(size_t n, size_t size);
bool cli_stdout_is_null(void);
/* Copies what waited in a temporary file to stdout: CRM_EDB when it did
 * not all get there. */
int cli_copy_to_stdout(FILE *from, crm_error *err);
/* The person running the command: $USER, else $LOGNAME, else the login name. */
const char *cli_user(void);
/* Shows progress on a terminal: "prog: 120000 records, 40% of file.csv" (the
 * percentage when the input is a regular file, as cli_reader opened it). */
void cli_progress(struct cli *cli, long count, bool done);

/* --reject FILE: bad records written back as they came, each with its
 * reasons in a last column "error", ready to fix and import again. */
struct cli_rejects {
	const char *path; /* NULL: no --reject */
	FILE *file;       /* opened at the first bad record */
	FILE *converted;  /* file, or a stream into the input's encoding */
	crm_writer *out;
};
/* Writes one; on failure fills err and returns its code. */
int cli_reject(struct cli_rejects *r, const crm_reader *from, const crm_record *rec,
	       const crm_error *why, crm_error *err);
/* Finishes and closes the file; notes a failure to write it. */
void cli_rejects_close(struct cli *cli, struct cli_rejects *r);
/* Closes it without a word (when giving up). */
void cli_rejects_free(struct cli_rejects *r);

#endif
