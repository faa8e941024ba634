/* error.c: the one error shape every libcrm function fills. */
#include <stdarg.h>
#include <string.h>

#include "crm.h"

/* Cheap on purpose: it runs once a record. */
void crm_error_clear(crm_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->source[0] = '\0';
	err->line = err->column = 0;
	err->msg[0] = '\0';
	err->context[0] = '\0';
}

int crm_error_set(crm_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	crm_error_clear(err);
	err->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void crm_error_add(crm_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	size_t used = strlen(err->msg);
	if (used && used + 1 < sizeof err->msg)
		err->msg[used++] = '\n';
	if (used >= sizeof err->msg - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
	va_end(ap);
}

void crm_error_at(crm_error *err, const char *source, long line, long column)
{
	if (!err)
		return;
	snprintf(err->source, sizeof err->source, "%s", source ? source : "");
	err->line = line;
	err->column = column;
}
