/* buf.c: a growable buffer and allocation that never returns NULL. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void *crm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("crm: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *crm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("crm: out of memory\n", stderr);
		abort();
	}
	return q;
}

char *crm_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(crm_xmalloc(n), s, n);
}

static void grow(crm_buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = crm_xrealloc(b->p, cap);
	b->cap = cap;
}

void crm_buf_reserve(crm_buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		grow(b, extra);
}

/* The readers add every field through here and crm_buf_addc: the room is
 * checked in place, as a call to crm_buf_reserve for each was 2% of an import. */
void crm_buf_add(crm_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap)
		grow(b, len);
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void crm_buf_add_string(crm_buf *b, const char *s, size_t len)
{
	if (b->len + len + 2 > b->cap)
		grow(b, len + 1);
	if (len)
		memcpy(b->p + b->len, s, len);
	b->p[b->len + len] = '\0';
	b->len += len + 1;
	b->p[b->len] = '\0';
}

void crm_buf_adds(crm_buf *b, const char *s)
{
	crm_buf_add(b, s, strlen(s));
}

void crm_buf_addc(crm_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void crm_buf_printf(crm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	crm_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void crm_buf_reset(crm_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void crm_buf_free(crm_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
