/* A libFuzzer target for the record readers: the first byte chooses the
 * format (csv, tsv, json, ndjson, ids, or detected) and the header names
 * read (as they are, customers', events', notes'), the rest is the input,
 * in whatever encoding it turns out to be.
 * Every record read is written out again as csv and as json. No input may
 * crash, leak or hang a reader, and memory must not grow with the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "crm.h"

static const enum crm_format formats[] = {CRM_FMT_AUTO, CRM_FMT_CSV, CRM_FMT_TSV, CRM_FMT_JSON,
					  CRM_FMT_NDJSON, CRM_FMT_IDS};

static void write_again(FILE *sink, const crm_record *rec)
{
	crm_error err;
	crm_writer *csv = crm_writer_new(sink, CRM_FMT_CSV, rec->n, rec->names, 0);
	crm_writer *json = crm_writer_new(sink, CRM_FMT_JSON, rec->n, rec->names, 0);
	crm_writer_put_record(csv, rec, &err);
	crm_writer_put_record(json, rec, &err);
	crm_writer_finish(csv, &err);
	crm_writer_finish(json, &err);
	crm_writer_free(csv);
	crm_writer_free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	if (size < 1)
		return 0;
	size_t nformats = sizeof formats / sizeof *formats;
	crm_reader_opts opts = {
		.format = formats[data[0] % nformats],
		.names = (enum crm_names)(data[0] / nformats % 4),
	};
	FILE *in = fmemopen((void *)(data + 1), size - 1, "r");
	if (!in)
		return 0;
	crm_reader *r = crm_reader_open(in, "fuzz", &opts);
	const crm_record *rec;
	crm_error err;
	enum crm_read got;
	while ((got = crm_reader_next(r, &rec, &err)) != CRM_READ_END && got != CRM_READ_FAIL)
		if (got == CRM_READ_OK)
			write_again(sink, rec);
	crm_reader_free(r);
	fclose(in);
	return 0;
}
