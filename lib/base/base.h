/* base.h: the lowest layer: buffers, UTF-8, errors, normalizers, masks,
 * encodings, time and units. It knows nothing of records or the database. */
#ifndef CRM_BASE_H
#define CRM_BASE_H

#include <stdint.h>
#include <time.h>

#include "crm.h"

/* A growable byte buffer, always NUL-terminated once anything was added. */
typedef struct crm_buf {
	char *p;
	size_t len, cap;
} crm_buf;

void crm_buf_reserve(crm_buf *b, size_t extra);
void crm_buf_add(crm_buf *b, const void *data, size_t len);
void crm_buf_adds(crm_buf *b, const char *s);
void crm_buf_addc(crm_buf *b, char c);
/* Adds s[0..len) and a NUL of its own: a string kept in b at the old length. */
void crm_buf_add_string(crm_buf *b, const char *s, size_t len);
void crm_buf_printf(crm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void crm_buf_reset(crm_buf *b);
void crm_buf_free(crm_buf *b);
/* Out of memory is not an error a command can act on: report and abort. */
void *crm_xmalloc(size_t n);
void *crm_xrealloc(void *p, size_t n);
char *crm_xstrdup(const char *s);

/* utf8.c */
size_t crm_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
int crm_codepoint_width(uint32_t cp);
/* The characters (code points) in valid UTF-8 text. */
size_t crm_utf8_chars(const char *str);

/* clock.c: days from 1970-01-01 to the date y-m-d (proleptic Gregorian). */
long long crm_days_from_civil(int y, int m, int d);
/* Days from day to the next birthday (YYYY-MM-DD both), 0 on it; 29 February
 * counts on 28 February in other years. -1 when either is no date, or the
 * birthday comes after day. */
int crm_days_to_birthday(const char *birthday, const char *day);

/* normalize.c: the days in a month (1-12) of a year. */
int crm_days_in_month(int year, int month);
/* normalize.c: parses a normalized YYYY-MM-DDTHH:MM:SS into t (local time). */
bool crm_parse_timestamp(const char *ts, struct tm *t);
/* Trims ASCII and ideographic spaces at both ends: returns the start, sets *len. */
const char *crm_trim(const char *s, size_t *len);

/* sha256.c: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104). */
typedef struct crm_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t used;
} crm_sha256;
void crm_sha256_init(crm_sha256 *s);
void crm_sha256_add(crm_sha256 *s, const void *data, size_t len);
void crm_sha256_end(crm_sha256 *s, unsigned char out[32]);
/* A key made ready once: crm_hmac_begin, crm_sha256_add the message, crm_hmac_end. */
typedef struct crm_hmac {
	crm_sha256 inner, outer;
} crm_hmac;
void crm_hmac_init(crm_hmac *h, const void *key, size_t keylen);
void crm_hmac_begin(const crm_hmac *h, crm_sha256 *s);
void crm_hmac_end(const crm_hmac *h, crm_sha256 *s, unsigned char out[32]);
void crm_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
		     unsigned char out[32]);

/* error.c: the line of text (line and column 1-based, columns in
 * characters) with a caret under the column, as the error's context. */
void crm_error_caret(crm_error *err, const char *text, int line, int col);

/* mask.c: value s of field masked into out (NUL-terminated, out->len
 * without it), by the rules of crm-export(1). */
void crm_mask_value(const char *field, const char *s, size_t len, crm_buf *out);

/* units.c */
/* Days in a window: 90d, 12w, 6m (30 days a month), 1y (365 days). */
int crm_window_days(const char *text, int *days);
/* A size: 100K, 500M, 2G. */
int crm_size_bytes(const char *text, int64_t *bytes);

#endif
