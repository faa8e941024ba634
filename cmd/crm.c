/* crm: one command to start from. `crm CMD ARGS` runs crm-CMD as git runs
 * git-CMD: an exec, so that its output, exit status and signals are the
 * command's own. `crm help` lists the commands, each with the line it gives
 * of itself; `crm help CMD` opens CMD's manual. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static const struct cli_option options[] = {
	{OPT_HELP, "help", NULL, NULL, "show this help"},
	{OPT_VERSION, "version", NULL, NULL, "show the version"},
	{0, NULL, NULL, NULL, NULL},
};

/* ---- finding the commands ---- */

/* The running crm, from /proc: its folder is searched before PATH, so that
 * a build folder and an install work without PATH naming them. */
static bool self_path(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return false;
	path[n] = '\0';
	return strchr(path, '/') != NULL;
}

/* Calls found(dir, ctx) for crm's folder, then for each folder of PATH (an
 * empty one is the current folder, as for execvp), until it returns true. */
static bool each_folder(bool (*found)(const char *dir, void *ctx), void *ctx)
{
	char self[PATH_MAX];
	if (self_path(self, sizeof self)) {
		*strrchr(self, '/') = '\0';
		if (found(self, ctx))
			return true;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin"; /* execvp's default */
	for (const char *p = path;;) {
		size_t len = strcspn(p, ":");
		char dir[PATH_MAX];
		if (len < sizeof dir) {
			snprintf(dir, sizeof dir, "%.*s", (int)len, len ? p : ".");
			if (found(dir, ctx))
				return true;
		}
		if (!p[len])
			return false;
		p += len + 1;
	}
}

static bool is_program(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

struct lookup {
	const char *name; /* "tag" */
	char path[PATH_MAX];
};

static bool lookup_in(const char *dir, void *ctx)
{
	struct lookup *l = ctx;
	int n = snprintf(l->path, sizeof l->path, "%s/crm-%s", dir, l->name);
	return n > 0 && (size_t)n < sizeof l->path && is_program(l->path);
}

/* The program `crm name` runs: crm-NAME beside crm, else in PATH. */
static bool find_command(struct lookup *l)
{
	if (!*l->name || strchr(l->name, '/'))
		return false;
	return each_folder(lookup_in, l);
}

/* Starts argv[0] (found in PATH when it has no '/') quietly: stdin and
 * stderr /dev/null, stdout to out (-1: /dev/null). Returns posix_spawnp's
 * error, 0 when it started. */
static int spawn_quiet(pid_t *pid, char *const argv[], int out)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (out >= 0) {
		posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, out);
	} else {
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	}
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Its exit status, or -1 when a signal ended it. */
static int exit_status(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The line a command gives of itself (cli_parse's hidden --crm-summary), or
 * NULL when it gives none: so crm-gen, the bench's generator beside the
 * commands in build/, or another program named crm-something, is not listed
 * as a command, while a new command is, with no list to keep up to date. */
static char *ask_summary(const char *path)
{
	int fds[2];
	if (pipe(fds) != 0)
		return NULL;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	char *argv[] = {(char *)path, "--crm-summary", NULL};
	pid_t pid;
	int rc = spawn_quiet(&pid, argv, fds[1]);
	close(fds[1]);
	char line[512];
	size_t len = 0;
	ssize_t got;
	while (rc == 0 && len < sizeof line - 1 &&
	       ((got = read(fds[0], line + len, sizeof line - 1 - len)) > 0 || (got < 0 && errno == EINTR)))
		len += got > 0 ? (size_t)got : 0;
	close(fds[0]); /* a longer answer dies of SIGPIPE: no summary */
	if (rc != 0 || exit_status(pid) != 0)
		return NULL;
	line[len] = '\0';
	if (len < 2 || strchr(line, '\n') != line + len - 1)
		return NULL; /* one line, or it is not an answer */
	line[len - 1] = '\0';
	return strdup(line);
}

struct command {
	char *name;    /* "tag" */
	char *summary; /* NULL: it did not answer, and is not listed */
};

struct commands {
	struct command *v;
	size_t n;
};

static bool known(const struct commands *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return true;
	return false;
}

/* Adds the crm-* programs of dir not seen in a folder before: the first of
 * a name is the one crm runs, and the one asked. */
static bool commands_in(const char *dir, void *ctx)
{
	struct commands *c = ctx;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	const struct dirent *e;
	while ((e = readdir(d))) {
		const char *name = e->d_name + 4;
		if (strncmp(e->d_name, "crm-", 4) || !*name || known(c, name))
			continue;
		char path[PATH_MAX];
		int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof path || !is_program(path))
			continue;
		struct command *v = realloc(c->v, (c->n + 1) * sizeof *c->v);
		char *copy = strdup(name);
		if (!v || !copy) {
			fputs("crm: out of memory\n", stderr);
			exit(CRM_EDB);
		}
		c->v = v;
		c->v[c->n++] = (struct command){copy, ask_summary(path)};
	}
	closedir(d);
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct command *)a)->name, ((const struct command *)b)->name);
}

static void commands_find(struct commands *c)
{
	each_folder(commands_in, c);
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, by_name);
}

static void commands_free(struct commands *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].summary);
	}
	free(c->v);
}

/* ---- crm help ---- */

/* The list's lines "  NAME  SUMMARY" are what the completions read
 * (completions/crm.bash, _crm, crm.fish): two spaces, then the name. */
static int list_commands(struct cli *cli)
{
	struct commands c = {0};
	commands_find(&c);
	int width = 0, listed = 0;
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].summary && (int)strlen(c.v[i].name) > width)
			width = (int)strlen(c.v[i].name);
	printf("usage: crm CMD [ARGS...]\n");
	for (size_t i = 0; i < c.n; i++) {
		if (!c.v[i].summary)
			continue;
		if (!listed++)
			printf("Runs crm-CMD with ARGS. The commands:\n\n");
		printf("  %-*s  %s\n", width, c.v[i].name, c.v[i].summary);
	}
	if (!listed)
		printf("No crm commands were found beside crm or in PATH.\n");
	printf("\n'crm help CMD' shows CMD's manual; crm(7) says what every command shares,\n"
	       "crm-expr(7) the expression language ('crm help expr').\n");
	commands_free(&c);
	return cli_exit(cli, 0);
}

/* Edits from a to b: a letter left out, added, changed, or two swapped
 * (optimal string alignment); SIZE_MAX for names too long to be typos. */
static size_t edits(const char *a, const char *b)
{
	enum { LONGEST = 32 };
	size_t la = strlen(a), lb = strlen(b), d[LONGEST + 1][LONGEST + 1];
	if (la > LONGEST || lb > LONGEST)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			if (!i || !j) {
				d[i][j] = i + j;
				continue;
			}
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* Whether name is what typed likely meant, least edits away. */
static bool meant(const char *typed, const char *name, size_t least)
{
	if (!strncmp(typed, "crm-", 4))
		return !strcmp(typed + 4, name); /* crm crm-tag: crm tag */
	if (least == SIZE_MAX)
		return *typed && !strncmp(typed, name, strlen(typed)); /* crm seg: segment */
	return edits(typed, name) == least;
}

/* What a typo likely meant: the listed commands the fewest edits away, at
 * most one edit (two for a name of four letters or more); else those it
 * begins. */
static void suggest(const struct commands *c, const char *typed)
{
	size_t least = SIZE_MAX, most = strlen(typed) < 4 ? 1 : 2;
	for (size_t i = 0; i < c->n; i++) {
		size_t e = edits(typed, c->v[i].name);
		if (c->v[i].summary && e <= most && e < least)
			least = e;
	}
	int shown = 0;
	for (size_t i = 0; i < c->n; i++) {
		const char *name = c->v[i].name;
		if (!c->v[i].summary || !meant(typed, name, least))
			continue;
		fprintf(stderr, shown++ ? " or 'crm %s'" : "crm: did you mean 'crm %s'", name);
	}
	if (shown)
		fputs("?\n", stderr);
}

static noreturn void unknown_command(struct cli *cli, const char *name)
{
	fprintf(stderr, "crm: '%s' is not a crm command (crm help lists them)\n", name);
	struct commands c = {0};
	commands_find(&c);
	suggest(&c, name);
	commands_free(&c);
	exit(cli_exit(cli, CRM_EUSAGE));
}

/* The page's file beside the program's folder: an install's share/man next
 * to its bin, or the source tree's man/ next to build/; so that crm help
 * shows the page of the commands it runs, installed or not. */
static bool page_beside(const char *program, const char *page, const char *section, char *file,
			size_t size)
{
	const char *slash = strrchr(program, '/');
	int dir = (int)(slash - program);
	int n = snprintf(file, size, "%.*s/../share/man/man%s/%s.%s", dir, program, section, page,
			 section);
	if (n > 0 && (size_t)n < size && access(file, R_OK) == 0)
		return true;
	n = snprintf(file, size, "%.*s/../man/%s.%s", dir, program, page, section);
	return n > 0 && (size_t)n < size && access(file, R_OK) == 0;
}

enum man_answer { MAN_HAS_PAGE, MAN_HAS_NONE, MAN_MISSING };

/* Asks `man -w` whether it has the page, quietly. */
static enum man_answer man_has(char *const what[2])
{
	char *argv[] = {"man", "-w", what[0], what[1], NULL};
	pid_t pid;
	if (spawn_quiet(&pid, argv, -1) != 0)
		return MAN_MISSING;
	int status = exit_status(pid);
	return status == 0 ? MAN_HAS_PAGE : status == 127 ? MAN_MISSING : MAN_HAS_NONE;
}

/* Opens page(section) with man, the page beside program `beside` first;
 * without man, or when man has not got the page, stand_in's --help is
 * shown instead (stand_in NULL: nothing is). */
static noreturn void show_manual(struct cli *cli, const char *beside, const char *page,
				 const char *section, const char *stand_in)
{
	char file[PATH_MAX];
	char *what[2] = {(char *)section, (char *)page};
	if (beside && page_beside(beside, page, section, file, sizeof file))
		what[0] = file, what[1] = NULL;
	enum man_answer answer = man_has(what);
	if (answer == MAN_HAS_PAGE) {
		char *argv[] = {"man", what[0], what[1], NULL};
		execvp("man", argv);
		answer = MAN_MISSING;
	}
	if (answer == MAN_MISSING)
		fputs("crm: man is not installed", stderr);
	else
		fprintf(stderr, "crm: man has no page %s(%s) (is MANPATH right?)", page, section);
	if (!stand_in) {
		if (answer == MAN_MISSING)
			fprintf(stderr, ": %s(%s) cannot be shown", page, section);
		fputc('\n', stderr);
		exit(cli_exit(cli, CRM_EDB));
	}
	const char *name = strrchr(stand_in, '/') + 1;
	fprintf(stderr, ": here is %s --help instead\n", name);
	char *argv[] = {(char *)name, "--help", NULL};
	execv(stand_in, argv);
	fprintf(stderr, "crm: cannot run %s: %s\n", stand_in, strerror(errno));
	exit(cli_exit(cli, CRM_EDB));
}

/* crm help [CMD]: the list, CMD's manual, or a manual that is no command's. */
static int help(struct cli *cli, int argc, char **argv)
{
	if (argc == 0)
		return list_commands(cli);
	if (argc > 1)
		cli_usage_error(cli, "help takes one command, or none");
	const char *name = argv[0];
	char buf[PATH_MAX];
	const char *self = self_path(buf, sizeof buf) ? buf : NULL;
	if (!strcmp(name, "expr"))
		show_manual(cli, self, "crm-expr", "7", NULL);
	if (!strcmp(name, "crm") || !strcmp(name, "help"))
		show_manual(cli, self, "crm", "1", self);
	struct lookup l = {.name = name};
	if (!find_command(&l))
		unknown_command(cli, name);
	show_manual(cli, l.path, strrchr(l.path, '/') + 1, "1", l.path);
}

/* ---- crm CMD ---- */

/* Runs crm-NAME with the arguments after it, in crm's place. */
static noreturn void run(struct cli *cli, char **argv)
{
	struct lookup l = {.name = argv[0]};
	if (!find_command(&l))
		unknown_command(cli, argv[0]);
	argv[0] = strrchr(l.path, '/') + 1; /* "crm-tag", as if typed so */
	execv(l.path, argv);
	fprintf(stderr, "crm: cannot run %s: %s\n", l.path, strerror(errno));
	exit(cli_exit(cli, CRM_EDB));
}

int main(int argc, char **argv)
{
	struct cli cli = {
		.prog = "crm",
		.usage = "CMD [ARGS...] | help [CMD]",
		.summary = "Run crm-CMD with ARGS; 'crm help' lists the commands, 'crm help CMD' opens"
			   " CMD's manual.",
		.options = options,
		.options_first = true,
		.operands = CLI_COMMAND,
	};
	/* crm has only the common options, which cli_parse takes itself. */
	int first = cli_parse(&cli, argc, argv, NULL);
	if (first == argc)
		return list_commands(&cli); /* a newcomer's first try: the list, as help */
	if (!strcmp(argv[first], "help"))
		return help(&cli, argc - first - 1, argv + first + 1);
	run(&cli, argv + first);
}
