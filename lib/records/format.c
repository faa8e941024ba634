/* format.c: the names of the record formats, for readers and writers alike. */
#include <string.h>

#include "records/records.h"

int crm_format_parse(const char *name, enum crm_format *fmt)
{
	static const struct {
		const char *name;
		enum crm_format fmt;
	} formats[] = {
		{"csv", CRM_FMT_CSV},   {"tsv", CRM_FMT_TSV},       {"json", CRM_FMT_JSON},
		{"ndjson", CRM_FMT_NDJSON}, {"ids", CRM_FMT_IDS},   {"table", CRM_FMT_TABLE},
		{"chart", CRM_FMT_CHART}, {"vcard", CRM_FMT_VCARD}, {"wechat", CRM_FMT_WECHAT},
		{"xlsx", CRM_FMT_XLSX},
	};
	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*fmt = formats[i].fmt;
			return CRM_OK;
		}
	}
	return CRM_EUSAGE;
}

const char *crm_format_name(enum crm_format fmt)
{
	static const char *const names[] = {"auto", "csv", "tsv", "json", "ndjson", "ids", "table",
					    "chart", "vcard", "wechat", "xlsx"};
	return names[fmt];
}
