/* input.c: the bytes of a record stream, as UTF-8. Files come from Excel and
 * WPS in GB18030 (older Excel in China) or UTF-16 (Excel's "Unicode text"),
 * so the first bytes are looked at: a byte-order mark says, and text that is
 * not UTF-8 but is GB18030 is read as that. --encoding says it outright.
 * iconv converts as the text streams; memory stays a chunk or two. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"

/* How much of the start of a file the encoding is judged on: the header
 * and the first records, so that a header in ASCII does not hide them. */
#define SAMPLE_LINES 3

enum crm_read reader_fail(crm_reader *r, crm_error *err, long line, const char *fmt, ...)
{
	char msg[sizeof err->msg]; /* the arguments may be err->msg itself */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	crm_error_set(err, CRM_EDATA, "%s", msg);
	crm_error_at(err, r->source, line, 0);
	r->done = true;
	return CRM_READ_FAIL;
}

enum crm_read reader_io_fail(crm_reader *r, crm_error *err)
{
	if (r->io_errno == EILSEQ && r->info.encoding_detected)
		crm_error_set(err, CRM_EDATA, "not %s text here, though it began as such: give the file's"
			      " encoding with --encoding", r->encoding);
	else if (r->io_errno == EILSEQ)
		crm_error_set(err, CRM_EDATA, "not %s text (--encoding %s)", r->encoding,
			      r->opts.encoding ? r->opts.encoding : "");
	else
		crm_error_set(err, CRM_EDB, "read error: %s", strerror(r->io_errno));
	crm_error_at(err, r->source, r->fmt == CRM_FMT_CSV ? r->row_line : r->line, 0);
	r->done = true;
	return CRM_READ_FAIL;
}

/* read(2) returns what a pipe holds now, so records flow through a pipeline
 * as they come; fread would wait for a whole chunk. */
static size_t read_some(FILE *in, unsigned char *buf, size_t want, int *io_errno)
{
	int fd = fileno(in);
	if (fd < 0) { /* a stream without a file (fmemopen, a converting stream) */
		errno = 0;
		size_t got = fread(buf, 1, want, in);
		if (!got && ferror(in))
			*io_errno = errno ? errno : EIO;
		return got;
	}
	for (;;) {
		ssize_t got = read(fd, buf, want);
		if (got >= 0)
			return (size_t)got;
		if (errno != EINTR) {
			*io_errno = errno;
			return 0;
		}
	}
}

/* More raw bytes after the ones not used yet; false at the end. */
static bool raw_more(crm_reader *r)
{
	if (r->raw_eof)
		return false;
	if (r->raw_pos)
		memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
	r->raw_len -= r->raw_pos;
	r->raw_pos = 0;
	size_t got = read_some(r->in, r->raw + r->raw_len, CHUNK - r->raw_len, &r->io_errno);
	r->raw_len += got;
	if (got == 0)
		r->raw_eof = true;
	return got > 0;
}

/* Converts raw bytes into dst: the bytes made, 0 at the end or on a
 * character the encoding does not have (io_errno EILSEQ). */
static size_t convert_some(crm_reader *r, unsigned char *dst, size_t want)
{
	size_t made = 0;
	while (made == 0) {
		if (r->raw_pos == r->raw_len && !raw_more(r))
			return 0;
		char *in = (char *)r->raw + r->raw_pos, *out = (char *)dst;
		size_t in_left = r->raw_len - r->raw_pos, out_left = want;
		size_t rc = iconv(r->cd, &in, &in_left, &out, &out_left);
		int why = errno;
		made = want - out_left;
		r->raw_pos = r->raw_len - in_left;
		if (rc != (size_t)-1 || made || why == E2BIG)
			continue;
		if (why == EINVAL && raw_more(r)) /* a character cut by the chunk */
			continue;
		r->io_errno = EILSEQ; /* a bad character, or one cut off by the end */
		return 0;
	}
	return made;
}

/* UTF-8 text: what detection read first, then straight from the file. */
static size_t take_some(crm_reader *r, unsigned char *dst, size_t want)
{
	if (r->cd != (iconv_t)-1)
		return convert_some(r, dst, want);
	if (r->raw_pos < r->raw_len) {
		size_t n = r->raw_len - r->raw_pos < want ? r->raw_len - r->raw_pos : want;
		memcpy(dst, r->raw + r->raw_pos, n);
		r->raw_pos += n;
		return n;
	}
	if (r->raw_eof)
		return 0;
	size_t got = read_some(r->in, dst, want, &r->io_errno);
	if (got == 0)
		r->raw_eof = true;
	return got;
}

bool fill(crm_reader *r)
{
	if (r->eof)
		return false;
	if (r->pos < r->len)
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	size_t got = take_some(r, r->buf + r->len, CHUNK - r->len);
	r->len += got;
	if (got == 0)
		r->eof = true;
	return got > 0;
}

int peek(crm_reader *r)
{
	if (r->pos >= r->len && !fill(r))
		return EOF;
	return r->buf[r->pos];
}

int get(crm_reader *r)
{
	int c = peek(r);
	if (c != EOF) {
		r->pos++;
		if (c == '\n')
			r->line++;
	}
	return c;
}

/* ---- what the encoding is ---- */

long count_newlines(const unsigned char *s, size_t len)
{
	long n = 0;
	for (const unsigned char *p = s; (p = memchr(p, '\n', (size_t)(s + len - p))); p++)
		n++;
	return n;
}

/* The first lines of the file (or a chunk of it, or all of it). */
static void read_sample(crm_reader *r)
{
	while (r->raw_len < CHUNK && count_newlines(r->raw, r->raw_len) < SAMPLE_LINES && raw_more(r))
		;
}

/* Valid UTF-8, but for a character the end of the sample may have cut. */
static bool sample_is_utf8(const crm_reader *r)
{
	size_t valid = crm_utf8_valid_prefix((const char *)r->raw, r->raw_len);
	if (valid == r->raw_len)
		return true;
	return !r->raw_eof && r->raw_len - valid < 4 && (r->raw[valid] & 0xC0) == 0xC0;
}

/* Chinese text in UTF-8 before the first bad byte: a file of two encodings
 * (lines appended from elsewhere), which no one encoding reads right. */
static bool sample_has_utf8_chinese(const crm_reader *r)
{
	size_t valid = crm_utf8_valid_prefix((const char *)r->raw, r->raw_len);
	for (size_t i = 0; i < valid;) {
		uint32_t cp;
		size_t n = crm_utf8_decode(r->raw + i, valid - i, &cp);
		if (cp >= 0x4E00 && cp <= 0x9FFF)
			return true;
		i += n ? n : 1;
	}
	return false;
}

static bool sample_converts(const crm_reader *r, const char *from)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return false;
	char *in = (char *)r->raw, out[4096];
	size_t in_left = r->raw_len;
	bool ok = true;
	while (in_left && ok) {
		char *o = out;
		size_t o_left = sizeof out;
		if (iconv(cd, &in, &in_left, &o, &o_left) != (size_t)-1 || errno == E2BIG)
			continue;
		ok = errno == EINVAL && !r->raw_eof; /* a character cut by the end of the sample */
		break;
	}
	iconv_close(cd);
	return ok;
}

static int open_converter(crm_reader *r, const char *from, crm_error *err)
{
	snprintf(r->encoding, sizeof r->encoding, "%s", from);
	r->info.encoding = r->encoding;
	r->cd = iconv_open("UTF-8", from);
	if (r->cd == (iconv_t)-1)
		return crm_error_set(err, CRM_EUSAGE, "--encoding %s: not an encoding this system"
				     " converts (iconv -l lists them; gb18030 is the one for Chinese"
				     " Excel)", from);
	return CRM_OK;
}

static bool is_utf8_name(const char *name)
{
	return !strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8");
}

/* A byte-order mark: UTF-8's is dropped, UTF-16's chooses the converter. */
static const char *bom_encoding(crm_reader *r)
{
	const unsigned char *s = r->raw;
	if (r->raw_len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		r->raw_pos = 3;
		r->info.bom = true;
		return NULL;
	}
	if (r->raw_len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		r->raw_pos = 2;
		r->info.bom = true;
		return s[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
	}
	return NULL;
}

int input_start(crm_reader *r, crm_error *err)
{
	r->cd = (iconv_t)-1;
	snprintf(r->encoding, sizeof r->encoding, "UTF-8");
	r->info.encoding = r->encoding;
	read_sample(r);
	if (r->io_errno) {
		crm_error_set(err, CRM_EDB, "read error: %s", strerror(r->io_errno));
		crm_error_at(err, r->source, 0, 0);
		return CRM_EDB;
	}
	if (input_is_workbook(r))
		return CRM_OK;
	const char *given = r->opts.encoding;
	const char *bom = bom_encoding(r);
	if (given && !is_utf8_name(given)) {
		r->raw_pos = 0; /* iconv keeps or drops a BOM as the encoding says */
		return open_converter(r, given, err);
	}
	if (bom && !given)
		return open_converter(r, bom, err);
	if (given || sample_is_utf8(r) || sample_has_utf8_chinese(r) || !sample_converts(r, "GB18030"))
		return CRM_OK; /* UTF-8, or bad UTF-8 that each line will report */
	r->info.encoding_detected = true;
	return open_converter(r, "GB18030", err);
}

bool input_is_workbook(const crm_reader *r)
{
	const unsigned char *s = r->raw;
	return r->raw_len >= 4 && ((!memcmp(s, "PK\3\4", 4)) || !memcmp(s, "\xD0\xCF\x11\xE0", 4));
}

/* libzip reads a workbook from its end: a pipe's bytes go to a file first. */
int input_workbook_fd(crm_reader *r, crm_error *err)
{
	int fd = fileno(r->in);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return fd;
	if (!(r->spool = tmpfile())) {
		crm_error_set(err, CRM_EDB, "cannot make a temporary file: %s", strerror(errno));
		return -1;
	}
	do {
		size_t n = r->raw_len - r->raw_pos;
		if (fwrite(r->raw + r->raw_pos, 1, n, r->spool) != n) {
			crm_error_set(err, CRM_EDB, "cannot copy the workbook to a temporary file: %s",
				      strerror(errno));
			return -1;
		}
		r->raw_pos = r->raw_len;
	} while (raw_more(r));
	if (r->io_errno || fflush(r->spool) != 0) {
		crm_error_set(err, CRM_EDB, "read error: %s", strerror(r->io_errno ? r->io_errno : errno));
		return -1;
	}
	return fileno(r->spool);
}

void input_free(crm_reader *r)
{
	if (r->started && r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	if (r->spool)
		fclose(r->spool);
	free(r->raw);
	free(r->buf);
}
