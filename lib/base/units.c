/* units.c: the units a person writes on a command line or in a setting:
 * windows of days and sizes in bytes. */
#include <ctype.h>
#include <stdlib.h>

#include "base/base.h"

int crm_size_bytes(const char *text, int64_t *bytes)
{
	char *end;
	long long n = strtoll(text, &end, 10);
	int64_t unit = end[0] == 'K' ? 1 << 10 : end[0] == 'M' ? 1 << 20 : end[0] == 'G' ? 1 << 30 : 0;
	if (end == text || !isdigit((unsigned char)text[0]) || !unit || end[1] || n < 1 ||
	    n > (INT64_C(1) << 40) / unit)
		return CRM_EDATA;
	*bytes = n * unit;
	return CRM_OK;
}

int crm_window_days(const char *text, int *days)
{
	char *end;
	long n = strtol(text, &end, 10);
	int unit = end[0] == 'd' ? 1 : end[0] == 'w' ? 7 : end[0] == 'm' ? 30 : end[0] == 'y' ? 365 : 0;
	if (end == text || text[0] == '-' || text[0] == '+' || !unit || end[1] || n < 1 ||
	    n > 100000 / unit)
		return CRM_EDATA;
	*days = (int)n * unit;
	return CRM_OK;
}
