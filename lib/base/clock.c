/* clock.c: the day D that every time-relative result is computed as of. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crm.h"
#include "base/base.h"

static void clock_fill(crm_clock *clock, const struct tm *t)
{
	strftime(clock->date, sizeof clock->date, "%Y-%m-%d", t);
	strftime(clock->now, sizeof clock->now, "%Y-%m-%dT%H:%M:%S", t);
	struct tm next = *t;
	next.tm_mday += 1;
	next.tm_hour = 12; /* noon: a DST shift cannot move it to another day */
	next.tm_isdst = -1;
	time_t secs = mktime(&next);
	struct tm day;
	localtime_r(&secs, &day);
	strftime(clock->end, sizeof clock->end, "%Y-%m-%dT00:00:00", &day);
}

int crm_clock_init(crm_clock *clock, const char *spec, crm_error *err)
{
	struct tm t;
	if (!spec || !*spec) {
		time_t secs = time(NULL);
		localtime_r(&secs, &t);
		clock_fill(clock, &t);
		return CRM_OK;
	}
	char ts[32];
	crm_error e;
	if (crm_norm_timestamp(spec, ts, sizeof ts, &e) != CRM_OK)
		return crm_error_set(err, CRM_EUSAGE,
				     "'%s' is not a date or time (use YYYY-MM-DD)", spec);
	if (!crm_parse_timestamp(ts, &t))
		return crm_error_set(err, CRM_EUSAGE, "'%s' is not a date or time", spec);
	clock_fill(clock, &t);
	return CRM_OK;
}

void crm_clock_day(const crm_clock *clock, int offset, char out[11])
{
	struct tm t;
	char ts[32];
	snprintf(ts, sizeof ts, "%sT12:00:00", clock->date);
	crm_parse_timestamp(ts, &t);
	t.tm_mday += offset;
	t.tm_isdst = -1; /* noon: a DST shift cannot move it to another day */
	time_t secs = mktime(&t);
	struct tm day;
	localtime_r(&secs, &day);
	strftime(out, 11, "%Y-%m-%d", &day);
}

int crm_since_day(const crm_clock *clock, const char *when, char out[11], crm_error *err)
{
	int days;
	if (crm_window_days(when, &days) == CRM_OK) {
		crm_clock_day(clock, -(days - 1), out);
		return CRM_OK;
	}
	char date[32];
	crm_error why;
	if (crm_norm_date(when, date, sizeof date, &why) != CRM_OK || strlen(date) != 10)
		return crm_error_set(err, CRM_EUSAGE, "--since '%s': give a date, or days (7d, 4w)", when);
	memcpy(out, date, 11);
	return CRM_OK;
}

int crm_day_ahead(const crm_clock *clock, const char *option, const char *when, bool today,
		  char out[11], crm_error *err)
{
	int days;
	if (crm_window_days(when, &days) == CRM_OK) {
		crm_clock_day(clock, days, out);
		return CRM_OK;
	}
	char date[32];
	crm_error why;
	if (crm_norm_date(when, date, sizeof date, &why) != CRM_OK || strlen(date) != 10)
		return crm_error_set(err, CRM_EUSAGE, "%s '%s': give days (30d, 4w, 6m) or a date",
				     option, when);
	int order = strcmp(date, clock->date);
	if (order < 0 || (order == 0 && !today))
		return crm_error_set(err, CRM_EUSAGE, "%s %s: the day must come %s %s", option, date,
				     today ? "on or after" : "after", clock->date);
	memcpy(out, date, 11);
	return CRM_OK;
}

/* Howard Hinnant's days_from_civil. */
long long crm_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* A real date YYYY-MM-DD at the start of s (a time may follow). */
static bool read_date(const char *s, int *y, int *m, int *d)
{
	int n = 0;
	return sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && n == 10 && *m >= 1 && *m <= 12 &&
	       *d >= 1 && *d <= crm_days_in_month(*y, *m);
}

int crm_days_to_birthday(const char *birthday, const char *day)
{
	int by, bm, bd, y, m, d;
	if (!read_date(birthday, &by, &bm, &bd) || !read_date(day, &y, &m, &d))
		return -1;
	long long today = crm_days_from_civil(y, m, d);
	if (crm_days_from_civil(by, bm, bd) > today)
		return -1; /* not born yet: no age, no birthday */
	for (int year = y;; year++) {
		/* 29 February comes on the 28th in a year without one */
		int on = bm == 2 && bd == 29 ? crm_days_in_month(year, 2) : bd;
		long long next = crm_days_from_civil(year, bm, on);
		if (next >= today)
			return (int)(next - today);
	}
}
