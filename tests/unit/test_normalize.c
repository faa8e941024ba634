/* Normalized values, as SPEC writes them. */
#include <time.h>

#include "crm.h"
#include "tap.h"

static const char *phone(const char *in)
{
	static char out[64];
	static crm_error err;
	return crm_norm_phone(in, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void phones(void)
{
	CHECK_STR(phone("13800138000"), "13800138000");
	CHECK_STR(phone("+86 138-0013-8000"), "13800138000");
	CHECK_STR(phone("0086 138 0013 8000"), "13800138000");
	CHECK_STR(phone("(138) 0013.8000"), "13800138000");
	CHECK_STR(phone("１３８００１３８０００"), "13800138000");
	CHECK_STR(phone("+86 10 8888 6666"), "+861088886666");
	CHECK_STR(phone("021-1234 5678"), "02112345678");
	CHECK_STR(phone("+1 415 555 0100"), "+14155550100");
	CHECK_STR(phone(""), "");
	CHECK_STR(phone("  "), "");
	CHECK_STR(phone("12345"), "'12345' is not a mobile number");
	CHECK_STR(phone("12800138000"), "'12800138000' is not a mobile number");
	CHECK_STR(phone("+86 138 0013 800"), "'+86 138 0013 800' is not a mobile number");
	CHECK_STR(phone("123456"), "'123456' is not a mobile number");
	CHECK_STR(phone("654321"), "'654321' is not a phone number (7 to 15 digits)");
	CHECK_STR(phone("9876543210987654"), "'9876543210987654' is not a phone number (7 to 15 digits)");
	CHECK_STR(phone("138abc"), "'138abc' is not a phone number");
	CHECK_STR(phone("1+38"), "'1+38' is not a phone number");
}

static const char *email(const char *in)
{
	static char out[128];
	static crm_error err;
	return crm_norm_email(in, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void emails(void)
{
	CHECK_STR(email(" Zhang.San@Example.COM "), "zhang.san@example.com");
	CHECK_STR(email(""), "");
	CHECK_STR(email("a@b"), "'a@b' is not an email address");
	CHECK_STR(email("a@@b.com"), "'a@@b.com' is not an email address");
	CHECK_STR(email("a@b@c.com"), "'a@b@c.com' is not an email address");
	CHECK_STR(email("@b.com"), "'@b.com' is not an email address");
	CHECK_STR(email("a b@c.com"), "'a b@c.com' is not an email address");
	CHECK_STR(email("a@.com"), "'a@.com' is not an email address");
	CHECK_STR(email("a@c.com."), "'a@c.com.' is not an email address");
	CHECK_STR(email("a@c..com"), "'a@c..com' is not an email address");
}

static const char *gender(const char *in)
{
	static char out[16];
	static crm_error err;
	return crm_norm_gender(in, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void genders(void)
{
	CHECK_STR(gender("男"), "男");
	CHECK_STR(gender("女性"), "女");
	CHECK_STR(gender("M"), "男");
	CHECK_STR(gender("female"), "女");
	CHECK_STR(gender("FEMALE"), "女");
	CHECK_STR(gender(" f "), "女");
	CHECK_STR(gender(""), "");
	CHECK_STR(gender("x"), "'x' is not a gender (男 or 女)");
	CHECK_STR(gender("先生"), "男"); /* forms of address, as forms write them */
	CHECK_STR(gender("女士"), "女");
	CHECK_STR(gender("小姐"), "女");
	CHECK_STR(gender("Mr."), "男");
	CHECK_STR(gender("Ms"), "女");
	CHECK_STR(gender("未知"), ""); /* not known: nothing to store */
	CHECK_STR(gender("保密"), "");
	CHECK_STR(gender("不详"), "");
	CHECK_STR(gender("1"), "'1' is not a gender (男 or 女)"); /* WeChat's codes only in a column sex */
}

static const char *dated(const char *in, enum crm_date_order order)
{
	static char out[32];
	static crm_error err;
	return crm_norm_date_as(in, order, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static const char *stamped(const char *in, enum crm_date_order order)
{
	static char out[32];
	static crm_error err;
	return crm_norm_timestamp_as(in, order, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void date_orders(void)
{
	CHECK_STR(dated("05.01.2024", CRM_DATES_DMY), "2024-01-05");
	CHECK_STR(dated("1/5/2024", CRM_DATES_MDY), "2024-01-05");
	CHECK_STR(dated("2024-01-05", CRM_DATES_DMY), "2024-01-05"); /* year first is never in doubt */
	CHECK_STR(dated("31/12/2024", CRM_DATES_MDY), "'31/12/2024' is not a real date");
	CHECK_STR(dated("05/01/2024", CRM_DATES_YMD), "'05/01/2024' does not start with the year (--date-format YMD)");
	CHECK_STR(dated("2024/1/5", CRM_DATES_YMD), "2024-01-05");
	CHECK_STR(stamped("05.01.2024 14:30", CRM_DATES_DMY), "2024-01-05T14:30:00");
	CHECK_STR(stamped("1/5/2024 9:05:07", CRM_DATES_MDY), "2024-01-05T09:05:07");
	CHECK_STR(stamped("1/5/2024", CRM_DATES_ISO), "'1/5/2024' is day-month or month-day: say which with --date-format DMY or MDY");
	enum crm_date_order order;
	CHECK(crm_date_order_parse("dmy", &order) == CRM_OK && order == CRM_DATES_DMY);
	CHECK(crm_date_order_parse("YMD", &order) == CRM_OK && order == CRM_DATES_YMD);
	CHECK(crm_date_order_parse("ISO", &order) == CRM_EUSAGE);
}

static void excel_numbers(void)
{
	CHECK_STR(phone("1.38001E+10"), "'1.38001E+10' is a number Excel shortened: its last digits were lost when the file was saved (in Excel, format the column as Text, or save the sheet as .xlsx, and export it again)");
	CHECK_STR(phone("1.38E+10"), "'1.38E+10' is a number Excel shortened: its last digits were lost when the file was saved (in Excel, format the column as Text, or save the sheet as .xlsx, and export it again)");
	CHECK(!crm_excel_shortened("1.3800138E10")); /* Excel writes E+ */
	CHECK(!crm_excel_shortened("1E1234"));
	CHECK(crm_excel_shortened(" 1E+10 "));
	CHECK(!crm_excel_shortened("13800138000"));
	CHECK(!crm_excel_shortened("1.5"));
	CHECK(!crm_excel_shortened("E+10"));
}

static const char *date(const char *in)
{
	static char out[32];
	static crm_error err;
	return crm_norm_date(in, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void dates(void)
{
	CHECK_STR(date("2024-01-05"), "2024-01-05");
	CHECK_STR(date("2024/1/5"), "2024-01-05");
	CHECK_STR(date("2024.1.5"), "2024-01-05");
	CHECK_STR(date("2024年1月5日"), "2024-01-05");
	CHECK_STR(date("2024年1月5号"), "2024-01-05");
	CHECK_STR(date("20240105"), "2024-01-05");
	CHECK_STR(date("2024-01-05 14:30"), "2024-01-05");
	CHECK_STR(date("2024-01-05T14:30:00Z"), "2024-01-05");
	CHECK_STR(date("2024-02-29"), "2024-02-29");
	CHECK_STR(date(""), "");
	CHECK_STR(date("2023-02-29"), "'2023-02-29' is not a real date");
	CHECK_STR(date("2024-13-01"), "'2024-13-01' is not a real date");
	CHECK_STR(date("2024-04-31"), "'2024-04-31' is not a real date");
	CHECK_STR(date("2024-1/5"), "'2024-1/5' is not a date (use YYYY-MM-DD)");
	CHECK_STR(date("5/1/2024"), "'5/1/2024' is day-month or month-day: say which with --date-format DMY or MDY");
	CHECK_STR(date("25/12/2024"), "2024-12-25"); /* the order shows */
	CHECK_STR(date("12/25/2024"), "2024-12-25");
	CHECK_STR(date("05.05.2024"), "2024-05-05");
	CHECK_STR(date("1/5/24"), "'1/5/24' has a two-digit year: write it in full (in Excel, format the column as yyyy-mm-dd)");
	CHECK_STR(date("45296"), "'45296' is not a date (an Excel day number? save the sheet as .xlsx, which crm reads, or format the column as a date)");
	CHECK_STR(date("tomorrow"), "'tomorrow' is not a date (use YYYY-MM-DD)");
	CHECK_STR(date("2024-01-05 25:00"), "'2024-01-05 25:00' is not a real time of day");
}

static const char *timestamp(const char *in)
{
	static char out[32];
	static crm_error err;
	return crm_norm_timestamp(in, out, sizeof out, &err) == CRM_OK ? out : err.msg;
}

static void timestamps(void)
{
	/* TZ is Asia/Shanghai (UTC+8) in the tests */
	CHECK_STR(timestamp("2024-01-05"), "2024-01-05T00:00:00");
	CHECK_STR(timestamp("2024-01-05 9:05"), "2024-01-05T09:05:00");
	CHECK_STR(timestamp("2024-01-05T09:05:07"), "2024-01-05T09:05:07");
	CHECK_STR(timestamp("2024-01-05T09:05:07.123"), "2024-01-05T09:05:07");
	CHECK_STR(timestamp("2024-01-05T20:00:00Z"), "2024-01-06T04:00:00");
	CHECK_STR(timestamp("2024-01-05T20:00:00+08:00"), "2024-01-05T20:00:00");
	CHECK_STR(timestamp("2024-01-05T20:00:00-0500"), "2024-01-06T09:00:00");
	CHECK_STR(timestamp("2024年1月5日 08:00"), "2024-01-05T08:00:00");
	CHECK_STR(timestamp("20240105 08:00"), "2024-01-05T08:00:00");
	CHECK_STR(timestamp("2024-01-05T20:00:00+25:00"), "'2024-01-05T20:00:00+25:00' is not a time (use YYYY-MM-DD)");
	CHECK_STR(timestamp("2024-01-05 8"), "'2024-01-05 8' is not a time (use YYYY-MM-DD)");
}

static const char *amount(const char *in)
{
	static char out[64];
	static crm_error err;
	int64_t cents;
	if (crm_norm_amount(in, &cents, &err) != CRM_OK)
		return err.msg;
	crm_format_amount(cents, out, sizeof out);
	return out;
}

static void amounts(void)
{
	CHECK_STR(amount("1299"), "1299.00");
	CHECK_STR(amount("1,299.00"), "1299.00");
	CHECK_STR(amount("¥1299"), "1299.00");
	CHECK_STR(amount("￥ 1,299.5"), "1299.50");
	CHECK_STR(amount("1299元"), "1299.00");
	CHECK_STR(amount("RMB 12.30"), "12.30");
	CHECK_STR(amount("-15.5"), "-15.50");
	CHECK_STR(amount("¥-15.5"), "-15.50");
	CHECK_STR(amount(".5"), "0.50");
	CHECK_STR(amount("0.10"), "0.10");
	CHECK_STR(amount("12.300"), "12.30");
	CHECK_STR(amount("12.345"), "'12.345' has more than two decimals");
	CHECK_STR(amount("12,34.5.6"), "'12,34.5.6' is not an amount");
	CHECK_STR(amount("abc"), "'abc' is not an amount");
	CHECK_STR(amount(""), "'' is not an amount");
	CHECK_STR(amount("99999999999999999999"), "'99999999999999999999' is not an amount");
}

static void clock_days(void)
{
	crm_clock c;
	static crm_error err;
	CHECK(crm_clock_init(&c, "2024-02-28", &err) == CRM_OK);
	CHECK_STR(c.date, "2024-02-28");
	CHECK_STR(c.end, "2024-02-29T00:00:00");
	CHECK_STR(c.now, "2024-02-28T00:00:00");
	CHECK(crm_clock_init(&c, "2024-12-31 18:30", &err) == CRM_OK);
	CHECK_STR(c.end, "2025-01-01T00:00:00");
	CHECK_STR(c.now, "2024-12-31T18:30:00");
	CHECK(crm_clock_init(&c, "someday", &err) == CRM_EUSAGE);
	CHECK(crm_clock_init(&c, NULL, &err) == CRM_OK);
	CHECK(strlen(c.date) == 10);
}

void test_normalize(void)
{
	phones();
	emails();
	genders();
	dates();
	date_orders();
	excel_numbers();
	timestamps();
	amounts();
	clock_days();
}
