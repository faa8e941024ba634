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

struct cli_option {
	int key;          /* the short letter, or a key >= CLI_LONG */
	const char *name; /* the long name */
	const char *arg;  /* the argument's name, or NULL */
	const char *help; /* "(repeatable)" in it makes the option a list, crm(7) */
};

/* The options every command has, for the end of its table. */
#define CLI_COMMON_OPTIONS                                                           \
	{OPT_DB, "db", "FILE", "the database (default $CRM_DB, else ~/.local/share/crm/crm.db)"}, \
	{OPT_INPUT, "input", "FORMAT", "input format: csv, tsv, json, ndjson, ids, xlsx (default: detected)"}, \
	{OPT_OUTPUT, "output", "FORMAT", "output format: csv, tsv, json, ndjson, ids, table"}, \
	{OPT_AS_OF, "as-of", "DATE", "compute as of DATE (default $CRM_NOW, else now)"}, \
	{OPT_QUIET, "quiet", NULL, "no notes on stderr"},                                 \
	{OPT_VERBOSE, "verbose", NULL, "say how the database was opened (read-only)"},    \
	{OPT_HELP, "help", NULL, "show this help"},                                        \
	{OPT_VERSION, "version", NULL, "show the version"},                                \
	{0, NULL, NULL, NULL}

/* For commands that read records from files or stdin (crm(7), READING
 * RECORDS): what the input is, when detection cannot tell. */
#define CLI_INPUT_OPTIONS                                                            \
	{OPT_DELIMITER, "delimiter", "C", "the csv separator: , ; | or tab (default: found)"}, \
	{OPT_IN_ENCODING, "encoding", "NAME", "the input's encoding, such as gb18030 (default: found)"}, \
	{OPT_MAP, "map", "SRC=FIELD", "read column SRC as FIELD; SRC= leaves it out (repeatable)"}, \
	{OPT_SHEET, "sheet", "NAME", "the sheet of an .xlsx to read (default: the first)"}

struct cli {
	const char *prog;
	const char *usage;   /* "[options] [FILE...]" */
	const char *summary; /* one line: what the command does */
	const struct cli_option *options;
	bool xlsx;           /* -o xlsx is allowed (crm-export's workbook) */
	bool options_first;  /* options end at the first operand (crm's, before CMD) */
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

/* Parses argv. For each of the command's own options it calls take (which
 * returns false for a bad argument); common options are handled here. Returns
 * the index of the first operand. --help and --version exit 0; a usage error
 * exits 2. A hidden --crm-summary, alone on the line, prints the summary and
 * exits 0: crm help lists each command with its own line (cmd/crm.c). */
int cli_parse(struct cli *cli, int argc, char **argv,
	      bool (*take)(struct cli *cli, int key, const char *arg, void *ctx), void *ctx);

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
