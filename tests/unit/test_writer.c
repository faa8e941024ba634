/* Record writers: each format, quoting, types, and a table of CJK text. */
#include <stdlib.h>

#include "crm.h"
#include "import/import.h"
#include "tap.h"

static const char *const names[] = {"id", "name", "age", "tags"};

static const crm_value rows[][4] = {
	{{CRM_TEXT, "1", 1}, {CRM_TEXT, "张三", 6}, {CRM_INT, "34", 2}, {CRM_LIST, "VIP;上海", 10}},
	{{CRM_TEXT, "2", 1}, {CRM_TEXT, "Li, \"Si\"", 8}, {CRM_NULL, NULL, 0}, {CRM_LIST, "", 0}},
	{{CRM_TEXT, "3", 1}, {CRM_TEXT, "a\tb\nc", 5}, {CRM_INT, "7", 1}, {CRM_LIST, "x", 1}},
};

static char *write_all(enum crm_format fmt, size_t nrows)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	crm_writer *w = crm_writer_new(out, fmt, 4, names, 0);
	crm_error err;
	for (size_t i = 0; i < nrows; i++)
		crm_writer_put(w, rows[i], &err);
	crm_writer_finish(w, &err);
	crm_writer_free(w);
	fclose(out);
	return buf;
}

static void check_format(enum crm_format fmt, size_t nrows, const char *want, const char *what)
{
	char *got = write_all(fmt, nrows);
	tap_check_str(got, want, what, __FILE__, __LINE__);
	free(got);
}

static void mask(const char *field, const char *value, const char *want)
{
	crm_buf out = {0};
	crm_mask_value(field, value, strlen(value), &out);
	tap_check_str(out.p, want, value, __FILE__, __LINE__);
	CHECK_INT(out.len, strlen(want));
	crm_buf_free(&out);
}

static void masks(void)
{
	mask("phone", "13800138000", "138****8000");
	mask("phone", "+442071234567", "+44******4567");
	mask("phone", "12345", "1****");     /* too short to keep 7 */
	mask("email", "zhang@example.com", "z***@example.com");
	mask("email", "张三@例子.中国", "张***@例子.中国");
	mask("email", "@example.com", "***@example.com");
	mask("email", "not-an-email", "n**********l");
	mask("name", "张三", "张*");
	mask("name", "欧阳娜娜", "欧***");
	mask("name", "王", "*");
	mask("wechat_id", "wx_zhang8", "w*******8");
	mask("level", "ab", "a*");
	mask("level", "金卡会员", "金**员");
	mask("level", "😀x😀", "😀*😀");
}

/* Numbers as they are kept, in JSON as in CSV; text that is no JSON number
 * stays text. */
static void json_numbers(void)
{
	static const char *const cols[] = {"field", "score", "amount", "code", "share"};
	static const crm_value nums[][5] = {
		{{CRM_TEXT, "a", 1}, {CRM_REAL, "20", 2}, {CRM_REAL, "20.00", 5}, {CRM_INT, "007", 3},
		 {CRM_REAL, "1e3", 3}},
		{{CRM_TEXT, "b", 1}, {CRM_INT, "-3", 2}, {CRM_REAL, "19.99", 5}, {CRM_REAL, "Inf", 3},
		 {CRM_REAL, ".5", 2}},
	};
	static const struct {
		enum crm_format fmt;
		unsigned flags;
		const char *want;
	} cases[] = {
		{CRM_FMT_CSV, 0, "field,score,amount,code,share\na,20,20.00,007,1e3\nb,-3,19.99,Inf,.5\n"},
		{CRM_FMT_JSON, 0, "[\n{\"field\":\"a\",\"score\":20,\"amount\":20.00,\"code\":\"007\",\"share\":1e3},\n"
				  "{\"field\":\"b\",\"score\":-3,\"amount\":19.99,\"code\":\"Inf\",\"share\":\".5\"}\n]\n"},
		{CRM_FMT_JSON, CRM_WRITE_KEYED,
		 "{\n\"a\":{\"score\":20,\"amount\":20.00,\"code\":\"007\",\"share\":1e3},\n"
		 "\"b\":{\"score\":-3,\"amount\":19.99,\"code\":\"Inf\",\"share\":\".5\"}\n}\n"},
		{CRM_FMT_NDJSON, CRM_WRITE_KEYED,
		 "{\"field\":\"a\",\"score\":20,\"amount\":20.00,\"code\":\"007\",\"share\":1e3}\n"
		 "{\"field\":\"b\",\"score\":-3,\"amount\":19.99,\"code\":\"Inf\",\"share\":\".5\"}\n"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		crm_writer *w = crm_writer_new(out, cases[c].fmt, 5, cols, cases[c].flags);
		crm_error err;
		for (size_t i = 0; i < 2; i++)
			crm_writer_put(w, nums[i], &err);
		crm_writer_finish(w, &err);
		crm_writer_free(w);
		fclose(out);
		tap_check_str(buf, cases[c].want, crm_format_name(cases[c].fmt), __FILE__, __LINE__);
		free(buf);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	crm_writer *w = crm_writer_new(out, CRM_FMT_JSON, 5, cols, CRM_WRITE_KEYED);
	crm_error err;
	crm_writer_finish(w, &err);
	crm_writer_free(w);
	fclose(out);
	tap_check_str(buf, "{}\n", "a keyed report of nothing is an empty object", __FILE__, __LINE__);
	free(buf);
}

void test_writer(void)
{
	json_numbers();
	masks();
	check_format(CRM_FMT_CSV, 3,
		     "id,name,age,tags\n1,张三,34,VIP;上海\n2,\"Li, \"\"Si\"\"\",,\n3,\"a\tb\nc\",7,x\n",
		     "csv quotes only what needs it");
	check_format(CRM_FMT_CSV, 0, "id,name,age,tags\n", "csv with no rows has its header");
	check_format(CRM_FMT_TSV, 3,
		     "id\tname\tage\ttags\n1\t张三\t34\tVIP;上海\n2\tLi, \"Si\"\t\t\n3\ta\\tb\\nc\t7\tx\n",
		     "tsv escapes tabs and newlines");
	check_format(CRM_FMT_JSON, 2,
		     "[\n{\"id\":\"1\",\"name\":\"张三\",\"age\":34,\"tags\":[\"VIP\",\"上海\"]},\n"
		     "{\"id\":\"2\",\"name\":\"Li, \\\"Si\\\"\",\"age\":null,\"tags\":[]}\n]\n",
		     "json: numbers, nulls and lists typed");
	check_format(CRM_FMT_JSON, 0, "[]\n", "json with no rows is an empty array");
	check_format(CRM_FMT_NDJSON, 1,
		     "{\"id\":\"1\",\"name\":\"张三\",\"age\":34,\"tags\":[\"VIP\",\"上海\"]}\n",
		     "ndjson is an object a line");
	check_format(CRM_FMT_IDS, 3, "1\n2\n3\n", "ids writes the id column");
	check_format(CRM_FMT_TABLE, 3,
		     "id  name      age  tags\n"
		     "1   张三       34  VIP;上海\n"
		     "2   Li, \"Si\"\n"
		     "3   a b c       7  x\n",
		     "table lines CJK up by display width, numbers to the right");
}
