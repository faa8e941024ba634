/* mask.c: values masked for lists that leave the team (crm-export --mask).
 *   phone: the first 3 and the last 4 digits kept: 138****8000
 *   email: the first character of the name kept: z***@example.com
 *   name:  the first character kept, a * for each other: 张*, 欧阳** -> 欧***
 *   other fields: the first and the last character kept, a * for each one
 *   between; a value of one or two characters keeps only its first. */
#include <string.h>

#include "base/base.h"

/* The byte offsets of the characters of s, and their count. */
static size_t char_starts(const char *s, size_t len, size_t *starts, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < max; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			starts[n++] = i;
	return n;
}

static void stars(crm_buf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crm_buf_addc(out, '*');
}

/* Keeps the first `head` and the last `tail` characters, a * for each other. */
static void keep(const char *s, size_t len, size_t head, size_t tail, crm_buf *out)
{
	size_t starts[1024];
	size_t n = char_starts(s, len, starts, sizeof starts / sizeof *starts);
	if (head + tail >= n) { /* too short to show that much: show less */
		tail = 0;
		head = n > 1 ? 1 : 0;
	}
	size_t head_end = head < n ? starts[head] : len;
	crm_buf_add(out, s, head_end);
	stars(out, n - head - tail);
	if (tail)
		crm_buf_add(out, s + starts[n - tail], len - starts[n - tail]);
}

void crm_mask_value(const char *field, const char *s, size_t len, crm_buf *out)
{
	crm_buf_reset(out);
	if (!strcmp(field, "phone")) {
		keep(s, len, 3, 4, out);
	} else if (!strcmp(field, "email") && memchr(s, '@', len)) {
		const char *at = memchr(s, '@', len);
		size_t first = at > s ? (size_t)(at - s) : 0;
		size_t starts[2];
		size_t n = char_starts(s, first, starts, 2);
		crm_buf_add(out, s, n > 1 ? starts[1] : first);
		crm_buf_add(out, "***", 3);
		crm_buf_add(out, at, len - (size_t)(at - s));
	} else if (!strcmp(field, "name")) {
		keep(s, len, 1, 0, out);
	} else {
		keep(s, len, 1, 1, out);
	}
	crm_buf_addc(out, '\0');
	out->len--;
}
