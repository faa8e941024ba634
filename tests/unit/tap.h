/* tap.h: the unit tests' few macros. Each check prints one TAP line. */
#ifndef CRM_TAP_H
#define CRM_TAP_H

#include <stdio.h>
#include <string.h>

extern int tap_count, tap_failed;

#define CHECK(cond) tap_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) tap_check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) tap_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)

static inline void tap_check(int ok, const char *what, const char *file, int line)
{
	tap_count++;
	printf("%s %d - %s:%d: %s\n", ok ? "ok" : "not ok", tap_count, file, line, what);
	if (!ok)
		tap_failed++;
}

static inline void tap_check_str(const char *got, const char *want, const char *what,
				 const char *file, int line)
{
	int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
	tap_check(ok, what, file, line);
	if (!ok)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

static inline void tap_check_int(long long got, long long want, const char *what,
				 const char *file, int line)
{
	tap_check(got == want, what, file, line);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

/* Every test file's functions, run by main.c. */
void test_normalize(void);
void test_utf8(void);
void test_reader(void);
void test_writer(void);
void test_db(void);
void test_import(void);
void test_tags(void);
void test_models(void);
void test_notes(void);
void test_xlsx(void);
void test_hash(void);
void test_expr(void);
void test_profile(void);

#endif
