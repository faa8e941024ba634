/* encoding.c: text written in another encoding than UTF-8 (GB18030, which
 * older Excel in China reads), converted by iconv as it streams: a FILE that
 * takes UTF-8 and writes it into base in that encoding. (Reading converts in
 * input.c, which finds the encoding first.) */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define CHUNK 65536

struct converter {
	FILE *base;
	iconv_t cd;
};

/* Writing: converts the UTF-8 in buf and writes it to base. */
static ssize_t convert_write(void *cookie, const char *buf, size_t size)
{
	struct converter *c = cookie;
	char *in = (char *)buf;
	size_t in_left = size;
	while (in_left > 0) {
		char out[CHUNK], *o = out;
		size_t out_left = sizeof out;
		size_t rc = iconv(c->cd, &in, &in_left, &o, &out_left);
		if (fwrite(out, 1, sizeof out - out_left, c->base) != sizeof out - out_left)
			return -1;
		/* A flush of this stream must reach the file: a campaign commits on it. */
		if (fflush(c->base) != 0)
			return -1;
		if (rc == (size_t)-1 && errno != E2BIG) {
			if (errno != EINVAL || in_left == size)
				return errno = EILSEQ, -1;
			break; /* a character cut in two: its start waits for the next call */
		}
	}
	return (ssize_t)(size - in_left);
}

static int convert_close(void *cookie)
{
	struct converter *c = cookie;
	int rc = fflush(c->base) == 0 && !ferror(c->base) ? 0 : -1;
	iconv_close(c->cd);
	free(c);
	return rc;
}

FILE *crm_encoding_writer(FILE *base, const char *encoding, crm_error *err)
{
	if (!strcmp(encoding, "utf-8") || !strcmp(encoding, "UTF-8") || !strcmp(encoding, "utf8"))
		return base;
	struct converter *c = calloc(1, sizeof *c);
	if (!c) {
		crm_error_set(err, CRM_EDB, "out of memory");
		return NULL;
	}
	c->base = base;
	c->cd = iconv_open(encoding, "UTF-8");
	if (c->cd == (iconv_t)-1) {
		free(c);
		crm_error_set(err, CRM_EUSAGE, "--encoding %s: not an encoding this system converts"
			      " (iconv -l lists them; gb18030 is the one for Chinese Excel)", encoding);
		return NULL;
	}
	cookie_io_functions_t io = {NULL, convert_write, NULL, convert_close};
	FILE *f = fopencookie(c, "w", io);
	if (!f) {
		iconv_close(c->cd);
		free(c);
		crm_error_set(err, CRM_EDB, "cannot convert: %s", strerror(errno));
	}
	return f;
}
