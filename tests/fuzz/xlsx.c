/* A libFuzzer target for the .xlsx reader. The first byte chooses:
 *   0: the rest is a workbook file, read through crm_xlsx_open (first sheet);
 *   1: the same, asking for the sheet named "Sheet2";
 *   2, 3: the rest is XML parts, "SHEET\0SHARED STRINGS\0STYLES" (parts
 *      missing are none), read through crm_xlsx_open_xml, 3 in the 1904
 *      date system. Mutations of a zip mostly break the zip: this mode
 *      reaches the XML handlers.
 * Every row is read to the end. No input may crash, leak or hang the reader,
 * and memory must stay bounded whatever the input says. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "records/xlsx.h"

static void read_rows(crm_xlsx *x)
{
	struct crm_builder b = {0};
	crm_error err;
	long row;
	size_t bytes = 0;
	while (crm_xlsx_next(x, &b, &row, &err) == CRM_READ_OK) {
		const crm_record *rec = crm_builder_finish(&b, NULL, 0, row);
		for (size_t i = 0; i < rec->n; i++)
			bytes += strlen(rec->values[i].s) == rec->values[i].len; /* touch every value */
	}
	const char *const *names;
	size_t n = crm_xlsx_sheets(x, &names);
	for (size_t i = 0; i < n; i++)
		bytes += strlen(names[i]);
	crm_builder_free(&b);
	(void)bytes;
}

static void from_file(const uint8_t *data, size_t size, const char *sheet)
{
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("fuzz-xlsx", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	crm_xlsx *x;
	crm_error err;
	if (crm_xlsx_open(&x, fd, "fuzz.xlsx", sheet, &err) == CRM_OK) {
		read_rows(x);
		crm_xlsx_close(x);
	}
}

/* The next part, up to a NUL or the end; NULL when there is none. */
static const char *part(const uint8_t **data, size_t *size, size_t *len)
{
	if (!*data)
		return NULL;
	const char *s = (const char *)*data;
	const uint8_t *nul = memchr(*data, 0, *size);
	*len = nul ? (size_t)(nul - *data) : *size;
	*data = nul ? nul + 1 : NULL;
	*size = nul ? *size - *len - 1 : 0;
	return s;
}

static void from_xml(const uint8_t *data, size_t size, bool date1904)
{
	struct crm_xlsx_parts parts = {.date1904 = date1904};
	parts.sheet = part(&data, &size, &parts.sheet_len);
	parts.strings = part(&data, &size, &parts.strings_len);
	parts.styles = part(&data, &size, &parts.styles_len);
	crm_xlsx *x;
	crm_error err;
	if (crm_xlsx_open_xml(&x, &parts, "fuzz.xlsx", &err) == CRM_OK) {
		read_rows(x);
		crm_xlsx_close(x);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		from_file(data + 1, size - 1, NULL);
		break;
	case 1:
		from_file(data + 1, size - 1, "Sheet2");
		break;
	default:
		from_xml(data + 1, size - 1, data[0] % 4 == 3);
	}
	return 0;
}
