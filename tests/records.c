/* test-records: reads records with libcrm's reader and writes them with its
 * writer, for tests that compare readers with published cases.
 *   test-records IN_FORMAT OUT_FORMAT < input
 * Exit status: 0 read to the end, 1 bad input (the reason on stderr). */
#include <stdio.h>
#include <string.h>

#include "crm.h"

int main(int argc, char **argv)
{
	enum crm_format in, out;
	if (argc != 3 || crm_format_parse(argv[2], &out) != CRM_OK ||
	    (strcmp(argv[1], "auto") != 0 && crm_format_parse(argv[1], &in) != CRM_OK)) {
		fputs("usage: test-records auto|FORMAT FORMAT < input\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "auto") == 0)
		in = CRM_FMT_AUTO;
	crm_reader *r = crm_reader_new(stdin, "stdin", in);
	crm_writer *w = NULL;
	const crm_record *rec;
	crm_error err;
	enum crm_read rc;
	int status = 0;
	while ((rc = crm_reader_next(r, &rec, &err)) != CRM_READ_END) {
		if (rc != CRM_READ_OK) {
			fprintf(stderr, "test-records: %s:%ld: %s\n", err.source, err.line, err.msg);
			status = 1;
			if (rc == CRM_READ_FAIL)
				break;
			continue;
		}
		if (!w)
			w = crm_writer_new(stdout, out, rec->n, rec->names, 0);
		crm_writer_put_record(w, rec, &err);
	}
	if (!w)
		w = crm_writer_new(stdout, out, 0, NULL, 0);
	crm_writer_finish(w, &err);
	crm_writer_free(w);
	crm_reader_free(r);
	return status;
}
