/* The unit tests of libcrm: TAP on stdout, exit status 1 on any failure. */
#include <stdlib.h>

#include "tap.h"

int tap_count, tap_failed;

int main(void)
{
	/* Time zone fixed so that conversions are the same on every machine. */
	setenv("TZ", "Asia/Shanghai", 1);
	setvbuf(stdout, NULL, _IOLBF, 0); /* a crash must not swallow the lines before it */
	test_normalize();
	test_utf8();
	test_reader();
	test_writer();
	test_db();
	test_import();
	test_tags();
	test_models();
	test_notes();
	test_xlsx();
	test_hash();
	test_expr();
	test_profile();
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
