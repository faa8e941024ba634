/* normalize.c: one reading of phones, emails, genders, dates, times and amounts,
 * so that every command stores and prints the same form (SPEC, "Normalized values"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm.h"
#include "base/base.h"

/* Long input is cut in messages: a reason must fit on a line. */
#define EXCERPT_MAX 60

static const char *excerpt(const char *s, char *buf, size_t bufsz)
{
	size_t len = strlen(s);
	if (len <= EXCERPT_MAX)
		return s;
	size_t cut = crm_utf8_valid_prefix(s, EXCERPT_MAX);
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	snprintf(buf, bufsz, "%.*s...", (int)cut, s);
	return buf;
}

static bool is_space_at(const unsigned char *s, size_t len, size_t *n)
{
	if (len >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
		*n = 1;
		return true;
	}
	if (len >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) { /* U+3000 */
		*n = 3;
		return true;
	}
	if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0) { /* U+00A0 */
		*n = 2;
		return true;
	}
	return false;
}

const char *crm_trim(const char *str, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = *len, k;
	while (n && is_space_at(s, n, &k)) {
		s += k;
		n -= k;
	}
	for (;;) {
		if (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
			n--;
		else if (n >= 3 && s[n - 3] == 0xE3 && s[n - 2] == 0x80 && s[n - 1] == 0x80)
			n -= 3;
		else if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
			n -= 2;
		else
			break;
	}
	*len = n;
	return (const char *)s;
}

/* Copies s into out when it fits; these run on every imported cell, where
 * snprintf was a tenth of an import's time. */
static void put_text(char *out, size_t outsz, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na + nb >= outsz) {
		out[0] = '\0';
		return;
	}
	memcpy(out, a, na);
	memcpy(out + na, b, nb + 1);
}

static char *put_digits(char *p, int value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + width;
}

/* YYYY-MM-DD, and with time THH:MM:SS; outsz is at least 11 or 20. */
static void put_date(char *out, size_t outsz, int y, int m, int d, const int *hms)
{
	if (outsz < (hms ? 20u : 11u)) {
		out[0] = '\0';
		return;
	}
	char *p = put_digits(out, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	if (hms) {
		*p++ = 'T';
		p = put_digits(p, hms[0], 2);
		*p++ = ':';
		p = put_digits(p, hms[1], 2);
		*p++ = ':';
		p = put_digits(p, hms[2], 2);
	}
	*p = '\0';
}

/* Copies the trimmed input into a bounded buffer. False when it does not fit. */
static bool trimmed_copy(const char *in, char *out, size_t outsz)
{
	size_t len = strlen(in);
	const char *s = crm_trim(in, &len);
	if (len >= outsz)
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

static bool phone_separator(uint32_t cp)
{
	switch (cp) {
	case ' ': case '\t': case '-': case '.': case '(': case ')':
	case 0x2013: case 0x2014:                 /* dashes */
	case 0x3000:                              /* ideographic space */
	case 0xFF08: case 0xFF09: case 0xFF0D: case 0xFF0E: /* full-width ( ) - . */
		return true;
	default:
		return false;
	}
}

/* Phone: separators go, full-width digits become ASCII, then SPEC's rules. */
static int phone_digits(const char *in, char *digits, size_t sz, bool *plus)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, n = 0;
	*plus = false;
	while (i < len) {
		uint32_t cp = s[i];
		size_t k = cp < 0x80 ? 1 : crm_utf8_decode(s + i, len - i, &cp);
		if (!k)
			return -1;
		i += k;
		if (cp >= 0xFF10 && cp <= 0xFF19)
			cp = '0' + (cp - 0xFF10);
		if (cp >= '0' && cp <= '9') {
			if (n + 1 >= sz)
				return -1;
			digits[n++] = (char)cp;
		} else if ((cp == '+' || cp == 0xFF0B) && n == 0 && !*plus) {
			*plus = true;
		} else if (!phone_separator(cp)) {
			return -1;
		}
	}
	digits[n] = '\0';
	return (int)n;
}

/* 1.38001E+10: how Excel shows a long number in a narrow General column, and
 * what it writes to CSV. The digits after the sixth are gone. */
bool crm_excel_shortened(const char *in)
{
	size_t len = strlen(in), i = 0;
	const char *s = crm_trim(in, &len);
	if (len < 5 || !isdigit((unsigned char)s[i++]))
		return false;
	if (s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			;
	if (i >= len || (s[i] != 'E' && s[i] != 'e') || i + 1 >= len || s[i + 1] != '+')
		return false; /* Excel writes the sign: 1E1234 is an id, not a number */
	i += 2;
	size_t exp = i;
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	return i == len && i > exp;
}

/* A mobile number as stored (13800138000): most imports carry them so. */
static bool stored_mobile(const char *in)
{
	if (in[0] != '1' || in[1] < '3' || in[1] > '9')
		return false;
	for (int i = 2; i < 11; i++)
		if (in[i] < '0' || in[i] > '9')
			return false;
	return in[11] == '\0';
}

int crm_norm_phone(const char *in, char *out, size_t outsz, crm_error *err)
{
	char x[80], digits[64];
	bool plus;
	out[0] = '\0';
	if (stored_mobile(in)) {
		put_text(out, outsz, "", in);
		return CRM_OK;
	}
	if (crm_excel_shortened(in))
		return crm_error_set(err, CRM_EDATA, "'%s' is a number Excel shortened: its last digits"
				     " were lost when the file was saved (in Excel, format the column"
				     " as Text, or save the sheet as .xlsx, and export it again)",
				     excerpt(in, x, sizeof x));
	int n = phone_digits(in, digits, sizeof digits, &plus);
	if (n == 0 && !plus) {
		size_t len = strlen(in);
		crm_trim(in, &len);
		if (len == 0)
			return CRM_OK;
	}
	if (n < 0 || n == 0)
		return crm_error_set(err, CRM_EDATA, "'%s' is not a phone number",
				     excerpt(in, x, sizeof x));
	/* After +86 or 0086, a number starting with 1 is a mobile, except Beijing's
	 * landlines: area code 10 is the only one that starts with 1. */
	const char *mobile = NULL;
	if (plus && strncmp(digits, "86", 2) == 0 && digits[2] == '1' && digits[3] != '0')
		mobile = digits + 2;
	else if (!plus && strncmp(digits, "0086", 4) == 0 && digits[4] == '1' && digits[5] != '0')
		mobile = digits + 4;
	else if (!plus && digits[0] == '1')
		mobile = digits;
	if (mobile) {
		if (strlen(mobile) != 11 || mobile[1] < '3' || mobile[1] > '9')
			return crm_error_set(err, CRM_EDATA, "'%s' is not a mobile number",
					     excerpt(in, x, sizeof x));
		put_text(out, outsz, "", mobile);
		return CRM_OK;
	}
	if (n < 7 || n > 15)
		return crm_error_set(err, CRM_EDATA,
				     "'%s' is not a phone number (7 to 15 digits)",
				     excerpt(in, x, sizeof x));
	put_text(out, outsz, plus ? "+" : "", digits);
	return CRM_OK;
}

/* A byte no address holds, outside quotes (which are not accepted either). */
static bool email_forbidden(unsigned char c)
{
	switch (c) {
	case ',': case ';': case '<': case '>': case '"': case '(': case ')':
	case '[': case ']': case '\\':
		return true;
	default:
		return c <= ' ' || c == 0x7F;
	}
}

int crm_norm_email(const char *in, char *out, size_t outsz, crm_error *err)
{
	char x[80];
	if (!trimmed_copy(in, out, outsz))
		return crm_error_set(err, CRM_EDATA, "'%s' is too long for an email address",
				     excerpt(in, x, sizeof x));
	if (!*out)
		return CRM_OK;
	const char *at = strchr(out, '@');
	bool ok = at && at != out && !strchr(at + 1, '@');
	for (char *p = out; *p && ok; p++) {
		unsigned char c = (unsigned char)*p;
		if (email_forbidden(c))
			ok = false;
		*p = (char)tolower(c);
	}
	if (ok) {
		const char *domain = at + 1;
		const char *dot = strchr(domain, '.');
		size_t dlen = strlen(domain);
		ok = dot && domain[0] != '.' && domain[dlen - 1] != '.' &&
		     !strstr(domain, "..");
	}
	if (!ok)
		return crm_error_set(err, CRM_EDATA, "'%s' is not an email address",
				     excerpt(in, x, sizeof x));
	return CRM_OK;
}

/* Forms of address and words for "not known", as forms and exports write them. */
static const char *const male[] = {"男", "男性", "m", "male", "先生", "男士", "男生", "mr", "mr.", NULL};
static const char *const female[] = {"女", "女性", "f", "female", "女士", "小姐", "女生", "太太",
				     "夫人", "mrs", "mrs.", "ms", "ms.", "miss", NULL};
static const char *const unknown[] = {"未知", "保密", "不详", "不明", "未填", "未填写", "未设置",
				      "unknown", "n/a", "-", NULL};

static bool among_words(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

int crm_norm_gender(const char *in, char *out, size_t outsz, crm_error *err)
{
	char s[32], x[80];
	out[0] = '\0';
	if (strcmp(in, "男") == 0 || strcmp(in, "女") == 0) { /* as stored */
		put_text(out, outsz, "", in);
		return CRM_OK;
	}
	if (!trimmed_copy(in, s, sizeof s))
		goto bad;
	if (!*s || among_words(s, unknown))
		return CRM_OK;
	if (among_words(s, male)) {
		put_text(out, outsz, "", "男");
		return CRM_OK;
	}
	if (among_words(s, female)) {
		put_text(out, outsz, "", "女");
		return CRM_OK;
	}
bad:
	return crm_error_set(err, CRM_EDATA, "'%s' is not a gender (男 or 女)",
			     excerpt(in, x, sizeof x));
}

/* A date and time as read, before it is checked. */
struct datetime {
	int year, month, day, hour, min, sec;
	bool has_time;
	bool has_zone;
	int zone_minutes; /* east of UTC */
};

/* Reads min to max digits; on failure *p stays where it was. */
static int read_digits(const char **p, int min, int max, int *value)
{
	const char *s = *p;
	int n = 0, v = 0;
	while (isdigit((unsigned char)*s) && n < max) {
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	if (n < min || isdigit((unsigned char)*s))
		return -1;
	*p = s;
	*value = v;
	return n;
}

static bool skip(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool read_date_part(const char **p, struct datetime *dt)
{
	const char *s = *p;
	int n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (n == 8) { /* 20240105 */
		dt->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		dt->month = (s[4] - '0') * 10 + (s[5] - '0');
		dt->day = (s[6] - '0') * 10 + (s[7] - '0');
		*p = s + 8;
		return true;
	}
	if (read_digits(&s, 4, 4, &dt->year) < 0)
		return false;
	if (skip(&s, "年")) {
		if (read_digits(&s, 1, 2, &dt->month) < 0 || !skip(&s, "月") ||
		    read_digits(&s, 1, 2, &dt->day) < 0)
			return false;
		if (!skip(&s, "日"))
			skip(&s, "号");
		*p = s;
		return true;
	}
	char sep = *s;
	if (sep != '-' && sep != '/' && sep != '.')
		return false;
	s++;
	if (read_digits(&s, 1, 2, &dt->month) < 0 || *s != sep)
		return false;
	s++;
	if (read_digits(&s, 1, 2, &dt->day) < 0)
		return false;
	*p = s;
	return true;
}

static bool read_zone(const char **p, struct datetime *dt)
{
	const char *s = *p;
	if (*s == 'Z' || *s == 'z') {
		dt->has_zone = true;
		*p = s + 1;
		return true;
	}
	if (*s != '+' && *s != '-')
		return true;
	int sign = *s == '-' ? -1 : 1, h, m = 0;
	s++;
	if (read_digits(&s, 2, 2, &h) < 0) {
		/* ±HHMM */
		if (read_digits(&s, 4, 4, &h) < 0)
			return false;
		m = h % 100;
		h /= 100;
	} else if (*s == ':') {
		s++;
		if (read_digits(&s, 2, 2, &m) < 0)
			return false;
	}
	if (h > 14 || m > 59)
		return false;
	dt->has_zone = true;
	dt->zone_minutes = sign * (h * 60 + m);
	*p = s;
	return true;
}

static bool read_time_part(const char **p, struct datetime *dt)
{
	const char *s = *p;
	if (*s != ' ' && *s != 'T' && *s != 't')
		return *s == '\0';
	while (*s == ' ')
		s++;
	if (*s == 'T' || *s == 't')
		s++;
	if (read_digits(&s, 1, 2, &dt->hour) < 0 || *s++ != ':' ||
	    read_digits(&s, 2, 2, &dt->min) < 0)
		return false;
	if (*s == ':') {
		s++;
		if (read_digits(&s, 2, 2, &dt->sec) < 0)
			return false;
		if (*s == '.' || *s == ',') { /* fractions of a second are dropped */
			s++;
			if (!isdigit((unsigned char)*s))
				return false;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	dt->has_time = true;
	while (*s == ' ')
		s++;
	if (!read_zone(&s, dt))
		return false;
	*p = s;
	return *s == '\0';
}

int crm_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* 05.01.2024 or 1/5/2024: day and month in some order, then the year. */
enum dmy { DMY_NOT, DMY_OK, DMY_AMBIGUOUS, DMY_SHORT_YEAR, DMY_NOT_YMD };

static enum dmy read_day_first(const char **p, struct datetime *dt, enum crm_date_order order)
{
	const char *s = *p;
	int a, b, year;
	if (read_digits(&s, 1, 2, &a) < 0)
		return DMY_NOT;
	char sep = *s;
	if ((sep != '-' && sep != '/' && sep != '.') || (s++, read_digits(&s, 1, 2, &b)) < 0 ||
	    *s++ != sep)
		return DMY_NOT;
	int n = read_digits(&s, 2, 4, &year);
	if (n == 2)
		return DMY_SHORT_YEAR;
	if (n != 4)
		return DMY_NOT;
	if (order == CRM_DATES_YMD)
		return DMY_NOT_YMD;
	if (order == CRM_DATES_ISO && a <= 12 && b <= 12 && a != b)
		return DMY_AMBIGUOUS;
	bool day_first = order == CRM_DATES_DMY || (order == CRM_DATES_ISO && a > 12);
	dt->year = year;
	dt->day = day_first ? a : b;
	dt->month = day_first ? b : a;
	*p = s;
	return DMY_OK;
}

/* 45296 in a date column: Excel's day number, saved as a number. */
static bool looks_like_day_number(const char *s)
{
	size_t n = strspn(s, "0123456789");
	return n == 5 && s[n] == '\0' && s[0] >= '2' && s[0] <= '7';
}

static int date_part(const char **p, struct datetime *dt, enum crm_date_order order,
		     const char *in, const char *what, crm_error *err)
{
	char x[80];
	if (read_date_part(p, dt))
		return CRM_OK;
	switch (read_day_first(p, dt, order)) {
	case DMY_OK:
		return CRM_OK;
	case DMY_AMBIGUOUS:
		return crm_error_set(err, CRM_EDATA, "'%s' is day-month or month-day: say which with"
				     " --date-format DMY or MDY", excerpt(in, x, sizeof x));
	case DMY_SHORT_YEAR:
		return crm_error_set(err, CRM_EDATA, "'%s' has a two-digit year: write it in full"
				     " (in Excel, format the column as yyyy-mm-dd)",
				     excerpt(in, x, sizeof x));
	case DMY_NOT_YMD:
		return crm_error_set(err, CRM_EDATA, "'%s' does not start with the year"
				     " (--date-format YMD)", excerpt(in, x, sizeof x));
	case DMY_NOT:
		break;
	}
	if (looks_like_day_number(*p))
		return crm_error_set(err, CRM_EDATA, "'%s' is not a %s (an Excel day number? save the"
				     " sheet as .xlsx, which crm reads, or format the column as a"
				     " date)", excerpt(in, x, sizeof x), what);
	return crm_error_set(err, CRM_EDATA, "'%s' is not a %s (use YYYY-MM-DD)",
			     excerpt(in, x, sizeof x), what);
}

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* A real date (and time) already in the stored form, 2024-01-05 or
 * 2024-01-05T09:30:00, as most imports carry them: copied without parsing. */
static bool stored_form(const char *in, bool with_time)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t n = with_time ? 19 : 10;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? in[i] < '0' || in[i] > '9' : in[i] != shape[i])
			return false;
	if (in[n] != '\0')
		return false;
	int year = two_digits(in) * 100 + two_digits(in + 2), month = two_digits(in + 5);
	int day = two_digits(in + 8);
	if (year < 1 || month < 1 || month > 12 || day < 1 || day > crm_days_in_month(year, month))
		return false;
	return !with_time ||
	       (two_digits(in + 11) <= 23 && two_digits(in + 14) <= 59 && two_digits(in + 17) <= 59);
}

/* Reads any accepted form; CRM_EDATA says what is wrong with it. */
static int parse_datetime(const char *in, struct datetime *dt, const char *what,
			  enum crm_date_order order, crm_error *err)
{
	char s[96], x[80];
	memset(dt, 0, sizeof *dt);
	if (!trimmed_copy(in, s, sizeof s))
		return crm_error_set(err, CRM_EDATA, "'%s' is not a %s",
				     excerpt(in, x, sizeof x), what);
	const char *p = s;
	if (date_part(&p, dt, order, in, what, err) != CRM_OK)
		return CRM_EDATA;
	if (!read_time_part(&p, dt))
		return crm_error_set(err, CRM_EDATA, "'%s' is not a %s (use YYYY-MM-DD)",
				     excerpt(in, x, sizeof x), what);
	if (dt->year < 1 || dt->month < 1 || dt->month > 12 || dt->day < 1 ||
	    dt->day > crm_days_in_month(dt->year, dt->month))
		return crm_error_set(err, CRM_EDATA, "'%s' is not a real date",
				     excerpt(in, x, sizeof x));
	if (dt->hour > 23 || dt->min > 59 || dt->sec > 59)
		return crm_error_set(err, CRM_EDATA, "'%s' is not a real time of day",
				     excerpt(in, x, sizeof x));
	return CRM_OK;
}

static bool is_blank(const char *in)
{
	size_t len = strlen(in);
	crm_trim(in, &len);
	return len == 0;
}

int crm_norm_date(const char *in, char *out, size_t outsz, crm_error *err)
{
	return crm_norm_date_as(in, CRM_DATES_ISO, out, outsz, err);
}

int crm_norm_date_as(const char *in, enum crm_date_order order, char *out, size_t outsz,
		     crm_error *err)
{
	struct datetime dt;
	out[0] = '\0';
	if (stored_form(in, false)) {
		put_text(out, outsz, "", in);
		return CRM_OK;
	}
	if (is_blank(in))
		return CRM_OK;
	if (parse_datetime(in, &dt, "date", order, err) != CRM_OK)
		return CRM_EDATA;
	put_date(out, outsz, dt.year, dt.month, dt.day, NULL);
	return CRM_OK;
}

/* Moves a time given with a zone into local time. */
static bool to_local(struct datetime *dt)
{
	struct tm t = {
		.tm_year = dt->year - 1900, .tm_mon = dt->month - 1, .tm_mday = dt->day,
		.tm_hour = dt->hour, .tm_min = dt->min, .tm_sec = dt->sec,
	};
	time_t secs = timegm(&t) - (time_t)dt->zone_minutes * 60;
	struct tm local;
	if (!localtime_r(&secs, &local))
		return false;
	dt->year = local.tm_year + 1900;
	dt->month = local.tm_mon + 1;
	dt->day = local.tm_mday;
	dt->hour = local.tm_hour;
	dt->min = local.tm_min;
	dt->sec = local.tm_sec;
	return true;
}

int crm_norm_timestamp(const char *in, char *out, size_t outsz, crm_error *err)
{
	return crm_norm_timestamp_as(in, CRM_DATES_ISO, out, outsz, err);
}

int crm_norm_timestamp_as(const char *in, enum crm_date_order order, char *out, size_t outsz,
			  crm_error *err)
{
	struct datetime dt;
	char x[80];
	out[0] = '\0';
	if (stored_form(in, true)) {
		put_text(out, outsz, "", in);
		return CRM_OK;
	}
	if (is_blank(in))
		return CRM_OK;
	if (parse_datetime(in, &dt, "time", order, err) != CRM_OK)
		return CRM_EDATA;
	if (dt.has_zone && !to_local(&dt))
		return crm_error_set(err, CRM_EDATA, "'%s' is out of range",
				     excerpt(in, x, sizeof x));
	if (dt.year > 9999 || dt.year < 1)
		return crm_error_set(err, CRM_EDATA, "'%s' is out of range",
				     excerpt(in, x, sizeof x));
	int hms[3] = {dt.hour, dt.min, dt.sec};
	put_date(out, outsz, dt.year, dt.month, dt.day, hms);
	return CRM_OK;
}

bool crm_parse_timestamp(const char *ts, struct tm *t)
{
	int y, mo, d, h, mi, s;
	if (sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
		return false;
	memset(t, 0, sizeof *t);
	t->tm_year = y - 1900;
	t->tm_mon = mo - 1;
	t->tm_mday = d;
	t->tm_hour = h;
	t->tm_min = mi;
	t->tm_sec = s;
	t->tm_isdst = -1;
	return true;
}

/* Strips one currency mark at the start or the end of s[0..*len). */
static const char *strip_currency(const char *s, size_t *len)
{
	static const char *const marks[] = {"¥", "￥", "元", "RMB", "CNY", NULL};
	for (size_t i = 0; marks[i]; i++) {
		size_t m = strlen(marks[i]);
		if (*len >= m && strncmp(s, marks[i], m) == 0) {
			s += m;
			*len -= m;
			return crm_trim(s, len);
		}
		if (*len >= m && strncmp(s + *len - m, marks[i], m) == 0) {
			*len -= m;
			return crm_trim(s, len);
		}
	}
	return s;
}

/* An amount as stored (1299.00, -12.5, 88): most imports carry them so. */
static bool stored_amount(const char *s, int64_t *cents)
{
	bool negative = *s == '-';
	s += negative;
	int64_t whole = 0;
	int digits = 0, frac = 0, places = 0;
	for (; *s >= '0' && *s <= '9' && digits < 15; s++, digits++)
		whole = whole * 10 + (*s - '0');
	if (!digits)
		return false;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && places < 2; s++, places++)
			frac = frac * 10 + (*s - '0');
	if (*s || (places == 0 && s[-1] == '.'))
		return false;
	*cents = (whole * 100 + (places == 1 ? frac * 10 : frac)) * (negative ? -1 : 1);
	return true;
}

int crm_norm_amount(const char *in, int64_t *cents, crm_error *err)
{
	if (stored_amount(in, cents))
		return CRM_OK;
	char x[80];
	size_t len = strlen(in);
	const char *s = crm_trim(in, &len);
	bool negative = false;
	if (len && (*s == '-' || *s == '+')) {
		negative = *s == '-';
		s++;
		len--;
	}
	s = strip_currency(s, &len);
	if (len && !negative && *s == '-') { /* ¥-12 */
		negative = true;
		s++;
		len--;
	}
	int64_t whole = 0;
	int frac = 0, frac_digits = 0, digits = 0;
	bool dot = false, ok = len > 0;
	for (size_t i = 0; i < len && ok; i++) {
		char c = s[i];
		if (c == ',' && !dot && digits > 0)
			continue;
		if (c == '.' && !dot) {
			dot = true;
		} else if (c >= '0' && c <= '9') {
			if (!dot) {
				if (whole > (INT64_MAX / 100 - 9) / 10)
					ok = false;
				whole = whole * 10 + (c - '0');
				digits++;
			} else if (frac_digits < 2) {
				frac = frac * 10 + (c - '0');
				frac_digits++;
			} else if (c != '0') {
				return crm_error_set(err, CRM_EDATA,
						     "'%s' has more than two decimals",
						     excerpt(in, x, sizeof x));
			}
		} else {
			ok = false;
		}
	}
	if (!ok || (digits == 0 && frac_digits == 0))
		return crm_error_set(err, CRM_EDATA, "'%s' is not an amount",
				     excerpt(in, x, sizeof x));
	if (frac_digits == 1)
		frac *= 10;
	*cents = (whole * 100 + frac) * (negative ? -1 : 1);
	return CRM_OK;
}

void crm_format_amount(int64_t cents, char *out, size_t outsz)
{
	uint64_t abs = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	char digits[24];
	int n = 0;
	uint64_t whole = abs / 100;
	do
		digits[n++] = (char)('0' + whole % 10);
	while ((whole /= 10));
	if ((size_t)n + 5 > outsz) { /* snprintf was a tenth of an event import */
		out[0] = '\0';
		return;
	}
	char *p = out;
	if (cents < 0)
		*p++ = '-';
	while (n)
		*p++ = digits[--n];
	*p++ = '.';
	*p++ = (char)('0' + abs % 100 / 10);
	*p++ = (char)('0' + abs % 10);
	*p = '\0';
}

int crm_date_order_parse(const char *name, enum crm_date_order *order)
{
	static const char *const names[] = {NULL, "DMY", "MDY", "YMD"};
	for (int i = 1; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0) {
			*order = (enum crm_date_order)i;
			return CRM_OK;
		}
	return CRM_EUSAGE;
}
