/* Record readers: csv, tsv, json, ndjson, ids, and their bad inputs. */
#include <stdlib.h>

#include "crm.h"
#include "tap.h"

/* A stream with a file descriptor, as stdin and files are. */
static FILE *input(const char *text, size_t len)
{
	FILE *f = tmpfile();
	fwrite(text, 1, len, f);
	rewind(f);
	return f;
}

struct read_result {
	enum crm_read rc;
	crm_error err;
	const crm_record *rec;
};

static crm_reader *open_text(const char *text, enum crm_format fmt, FILE **f)
{
	*f = input(text, strlen(text));
	return crm_reader_new(*f, "t.csv", fmt);
}

static struct read_result next(crm_reader *r)
{
	struct read_result x;
	x.rc = crm_reader_next(r, &x.rec, &x.err);
	return x;
}

static const char *value(const crm_record *rec, const char *name)
{
	const crm_value *v = rec ? crm_record_get(rec, name) : NULL;
	return v ? (v->s ? v->s : "(null)") : "(none)";
}

static void csv_basic(void)
{
	FILE *f;
	crm_reader *r = open_text("\xEF\xBB\xBFid,name,note\r\n"
				  "1,\"张, 三\",\"say \"\"hi\"\"\"\r\n"
				  "2,李四,\"two\r\nlines\"\r\n"
				  "\r\n"
				  "3,王五,\n"
				  "4,赵六,last", CRM_FMT_AUTO, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK(crm_reader_format(r) == CRM_FMT_CSV);
	CHECK_STR(x.rec->names[0], "id"); /* the BOM is gone */
	CHECK_STR(value(x.rec, "name"), "张, 三");
	CHECK_STR(value(x.rec, "note"), "say \"hi\"");
	CHECK_INT(x.rec->line, 2);
	x = next(r);
	CHECK_STR(value(x.rec, "note"), "two\r\nlines");
	CHECK_INT(x.rec->line, 3);
	x = next(r);
	CHECK_STR(value(x.rec, "id"), "3");
	CHECK_INT(x.rec->line, 6);
	CHECK_STR(value(x.rec, "note"), "");
	x = next(r);
	CHECK_STR(value(x.rec, "note"), "last");
	CHECK_INT(x.rec->line, 7);
	CHECK(next(r).rc == CRM_READ_END);
	crm_reader_free(r);
	fclose(f);
}

static void csv_bad_rows(void)
{
	FILE *f;
	crm_reader *r = open_text("id,name\n1,a,extra\n2\n3,\xff\xfe\n4,d\n", CRM_FMT_CSV, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_BAD_ROW);
	CHECK_STR(x.err.msg, "expected 2 fields, found 3");
	CHECK_INT(x.err.line, 2);
	CHECK_INT(x.rec->n, 3); /* handed out whole, for the reject file */
	x = next(r);
	CHECK(x.rc == CRM_READ_BAD_ROW);
	CHECK_STR(x.err.msg, "expected 2 fields, found 1");
	x = next(r);
	CHECK(x.rc == CRM_READ_BAD_ROW);
	CHECK_STR(x.err.msg, "name: invalid UTF-8 (if the file is GB18030, as older Excel saves it, read it with crm-add --encoding gb18030)");
	CHECK_INT(x.err.line, 4);
	x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_STR(value(x.rec, "name"), "d");
	size_t n;
	const char *const *header = crm_reader_header(r, &n);
	CHECK_INT(n, 2);
	CHECK_STR(header[1], "name");
	crm_reader_free(r);
	fclose(f);
}

static void csv_broken(void)
{
	static const struct {
		const char *text, *msg;
		long line;
	} cases[] = {
		{"id,name\n1,\"open\n2,b\n", "malformed CSV: a quoted field is not closed", 2},
		{"id,name\n1,a\"b\n", "malformed CSV: error parsing data while strict checking enabled", 2},
		{"id,name\n1,\"a\"b\n", "malformed CSV: error parsing data while strict checking enabled", 2},
		{"id,id\n1,2\n", "column 'id' appears twice in the header", 1},
		{"id,,name\n1,2,3\n", "a column has no name in the header", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		FILE *f;
		crm_reader *r = open_text(cases[i].text, CRM_FMT_CSV, &f);
		struct read_result x = next(r);
		while (x.rc == CRM_READ_OK)
			x = next(r);
		CHECK(x.rc == CRM_READ_FAIL);
		CHECK_STR(x.err.msg, cases[i].msg);
		CHECK_INT(x.err.line, cases[i].line);
		CHECK(next(r).rc == CRM_READ_END);
		crm_reader_free(r);
		fclose(f);
	}
}

static void empty_inputs(void)
{
	static const char *const texts[] = {"", "id,name\n", "\xEF\xBB\xBF", "[]", "[ ]\n", "\n\n"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		FILE *f;
		crm_reader *r = open_text(texts[i], CRM_FMT_AUTO, &f);
		CHECK(next(r).rc == CRM_READ_END);
		crm_reader_free(r);
		fclose(f);
	}
}

static void big_field(void)
{
	size_t big = 1 << 20;
	char *text = malloc(big + 32);
	strcpy(text, "id,note\n1,\"");
	memset(text + 11, 'x', big);
	strcpy(text + 11 + big, "\"\n2,y\n");
	FILE *f = input(text, strlen(text));
	crm_reader *r = crm_reader_new(f, "big.csv", CRM_FMT_AUTO);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_INT(crm_record_get(x.rec, "note")->len, big);
	x = next(r);
	CHECK_STR(value(x.rec, "note"), "y");
	crm_reader_free(r);
	fclose(f);
	free(text);
}

static void tsv_and_ids(void)
{
	FILE *f;
	crm_reader *r = open_text("id\tnote\n1\ta\\tb\\nc\\\\d\n", CRM_FMT_AUTO, &f);
	struct read_result x = next(r);
	CHECK(crm_reader_format(r) == CRM_FMT_TSV);
	CHECK_STR(value(x.rec, "note"), "a\tb\nc\\d");
	crm_reader_free(r);
	fclose(f);
	r = open_text("C1\n  C2  \r\n\nC3", CRM_FMT_AUTO, &f);
	x = next(r);
	CHECK(crm_reader_format(r) == CRM_FMT_IDS);
	CHECK_STR(value(x.rec, "id"), "C1");
	x = next(r);
	CHECK_STR(value(x.rec, "id"), "C2");
	x = next(r);
	CHECK_STR(value(x.rec, "id"), "C3");
	CHECK_INT(x.rec->line, 4);
	crm_reader_free(r);
	fclose(f);
	r = open_text("phone\n13800138000\n", CRM_FMT_AUTO, &f); /* a one-column csv */
	x = next(r);
	CHECK(crm_reader_format(r) == CRM_FMT_CSV);
	CHECK_STR(value(x.rec, "phone"), "13800138000");
	crm_reader_free(r);
	fclose(f);
}

static void json_values(void)
{
	FILE *f;
	crm_reader *r = open_text("[\n {\"id\": \"1\", \"n\": 3, \"x\": 1.5, \"t\": true, \"z\": null,\n"
				  "  \"tags\": [\"VIP\", \"上海\"], \"o\": {\"a\": 1}},\n"
				  " {\"id\": \"2\"}\n]\n", CRM_FMT_AUTO, &f);
	struct read_result x = next(r);
	CHECK(crm_reader_format(r) == CRM_FMT_JSON);
	CHECK_INT(x.rec->line, 2);
	CHECK_STR(value(x.rec, "n"), "3");
	CHECK(crm_record_get(x.rec, "n")->type == CRM_INT);
	CHECK_STR(value(x.rec, "x"), "1.5");
	CHECK_STR(value(x.rec, "t"), "true");
	CHECK_STR(value(x.rec, "z"), "(null)");
	CHECK_STR(value(x.rec, "tags"), "VIP;上海");
	CHECK(crm_record_get(x.rec, "tags")->type == CRM_LIST);
	CHECK_STR(value(x.rec, "o"), "{\"a\":1}");
	x = next(r);
	CHECK_STR(value(x.rec, "id"), "2");
	CHECK_INT(x.rec->line, 4);
	CHECK(next(r).rc == CRM_READ_END);
	crm_reader_free(r);
	fclose(f);
	r = open_text("{\"id\":\"1\"}\n\n{\"id\":\"2\"}{\"id\":\"3\"}\n", CRM_FMT_AUTO, &f);
	CHECK_STR(value(next(r).rec, "id"), "1");
	CHECK(crm_reader_format(r) == CRM_FMT_NDJSON);
	CHECK_STR(value(next(r).rec, "id"), "2");
	CHECK_STR(value(next(r).rec, "id"), "3");
	CHECK(next(r).rc == CRM_READ_END);
	crm_reader_free(r);
	fclose(f);
}

static void json_broken(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{"[1, 2]", "expected an object, found a number (JSON input is an array of objects, or one object a line)"},
		{"[[{}]]", "expected an object, found an array (JSON input is an array of objects, or one object a line)"},
		{"\"text\"", "expected an object, found a string (JSON input is an array of objects, or one object a line)"},
		{"[{}] x", "malformed JSON: text after the array"},
		{"[{} {}]", "malformed JSON: expected ',' or ']'"},
		{"[{},]", "malformed JSON: unexpected token near ']'"},
		{"[{\"a\":1}", "malformed JSON: expected ',' or ']'"},
		{"{\"a\":1,\"a\":2}", "a key appears twice in one object (duplicate object key near '\"a\"'): which value is meant?"},
		{"{\"a\":\"\\u0000\"}", "text holds a NUL character (\\u0000), which crm cannot store"},
		{"{\"a\":\"\xff\"}", "malformed JSON: unable to decode byte 0xff near '\"'"},
		{"{\"a\":1}\n{\"b\":", "malformed JSON: unexpected token near end of file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		FILE *f;
		crm_reader *r = open_text(cases[i].text, CRM_FMT_JSON, &f);
		struct read_result x = next(r);
		while (x.rc == CRM_READ_OK)
			x = next(r);
		CHECK(x.rc == CRM_READ_FAIL);
		CHECK_STR(x.err.msg, cases[i].msg);
		crm_reader_free(r);
		fclose(f);
	}
}

void test_reader(void)
{
	csv_basic();
	csv_bad_rows();
	csv_broken();
	empty_inputs();
	big_field();
	tsv_and_ids();
	json_values();
	json_broken();
}
