/* error.c: the one error shape every libcrm function fills. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

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

void crm_error_caret(crm_error *err, const char *text, int line, int col)
{
	if (!err)
		return;
	const char *start = text;
	for (int l = 1; l < line && strchr(start, '\n'); l++)
		start = strchr(start, '\n') + 1;
	size_t len = strcspn(start, "\n");
	const char *at = start;
	for (int c = 1; c < col && at < start + len; c++) {
		at++;
		while (at < start + len && ((unsigned char)*at & 0xC0) == 0x80)
			at++;
	}
	size_t pad = crm_display_width(start, (size_t)(at - start));
	int n = snprintf(err->context, sizeof err->context, "  %.*s\n  ", (int)len, start);
	for (size_t i = 0; i < pad && n > 0 && (size_t)n + 2 < sizeof err->context; i++)
		err->context[n++] = ' ';
	if (n > 0 && (size_t)n + 2 < sizeof err->context) {
		err->context[n++] = '^';
		err->context[n] = '\0';
	}
}
