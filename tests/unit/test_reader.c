/* Record readers: csv, tsv, json, ndjson, ids, and their bad inputs. */
#include <stdlib.h>
#include <string.h>

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
	CHECK_STR(x.err.msg, "name: invalid UTF-8 (give the file's encoding with --encoding, such as gb18030)");
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
		{"id,,name\n1,2,3\n", "column 2 (B) has no name in the header, but holds '2' here: name it in the header, or give it a field with --map 2=FIELD (--map 2= leaves it out)", 2},
		{"\"id;name;phone\"\nX1\n", "the header is one column, 'id;name;phone', which holds ';': is the file separated by ';'? (--delimiter says which)", 1},
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

static crm_reader *open_with(const char *text, size_t len, const crm_reader_opts *opts, FILE **f)
{
	*f = input(text, len);
	return crm_reader_open(*f, "t.csv", opts);
}

/* The separator is found in the header line, outside quotes. */
static void delimiters(void)
{
	static const struct {
		const char *text;
		char delim;
	} cases[] = {
		{"id;name;phone\r\nX1;Anna;13800138000\r\n", ';'},
		{"id|name|phone\nX1|Anna|13800138000\n", '|'},
		{"id,name;x,phone\nX1,Anna;x,13800138000\n", ','},
		{"\"i,d\";name;phone\nX1;Anna;13800138000\n", ';'},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		FILE *f;
		crm_reader *r = open_text(cases[i].text, CRM_FMT_AUTO, &f);
		struct read_result x = next(r);
		CHECK(x.rc == CRM_READ_OK);
		CHECK(crm_reader_format(r) == CRM_FMT_CSV);
		CHECK_INT(crm_reader_about(r)->delimiter, cases[i].delim);
		CHECK_STR(value(x.rec, "phone"), "13800138000");
		CHECK_INT(x.rec->n, 3);
		crm_reader_free(r);
		fclose(f);
	}
	FILE *f;
	crm_reader *r = open_text("id;name\r\nX1;Anna\r\n", CRM_FMT_AUTO, &f);
	next(r);
	CHECK(crm_reader_about(r)->crlf);
	crm_reader_free(r);
	fclose(f);
	crm_reader_opts forced = {.delimiter = ','};
	const char *semi = "id;name\nX1;Anna\n";
	r = open_with(semi, strlen(semi), &forced, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_FAIL);
	CHECK_STR(x.err.msg, "the header is one column, 'id;name', which holds ';': is the file separated by ';'? (--delimiter says which)");
	crm_reader_free(r);
	fclose(f);
	forced.delimiter = '\t'; /* CSV's quoting, with tabs */
	const char *tabs = "id\tnote\n1\t\"a\tb\"\n";
	r = open_with(tabs, strlen(tabs), &forced, &f);
	x = next(r);
	CHECK(crm_reader_format(r) == CRM_FMT_CSV);
	CHECK_STR(value(x.rec, "note"), "a\tb");
	crm_reader_free(r);
	fclose(f);
}

/* Names people give columns, --map, and what a spreadsheet leaves behind. */
static void header_names(void)
{
	crm_reader_opts opts = {.names = CRM_NAMES_CUSTOMERS};
	FILE *f;
	const char *text = "客户姓名,手机号(必填),所在城市,E-mail Address,Phone Number2,,\n"
			   "张伟,13800138000,北京,z@example.com,x,,\n"
			   ",,,,,,\n"
			   "李雷,13900139000,上海,,,,\n";
	crm_reader *r = open_with(text, strlen(text), &opts, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_STR(x.rec->names[0], "name");
	CHECK_STR(x.rec->names[1], "phone");
	CHECK_STR(x.rec->names[2], "city");
	CHECK_STR(x.rec->names[3], "email");
	CHECK_STR(x.rec->names[4], "Phone Number2"); /* not a known name: its own */
	CHECK_STR(x.rec->names[5], ""); /* no name, empty: left out */
	x = next(r);
	CHECK_STR(value(x.rec, "name"), "李雷"); /* the empty row is skipped */
	CHECK_INT(x.rec->line, 4);
	CHECK(next(r).rc == CRM_READ_END);
	CHECK_INT(crm_reader_about(r)->empty_rows, 1);
	CHECK_INT(crm_reader_about(r)->empty_columns, 2);
	size_t n;
	const char *const *source = crm_reader_source_header(r, &n);
	CHECK_INT(n, 7);
	CHECK_STR(source[0], "客户姓名");
	crm_reader_free(r);
	fclose(f);
	const char *maps[] = {"Phone Number2=", "6=level"};
	opts.map = maps;
	opts.nmap = 2;
	text = "客户姓名,Phone Number2,x,y,z,\n张伟,1,2,3,4,gold\n";
	r = open_with(text, strlen(text), &opts, &f);
	x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_STR(x.rec->names[1], ""); /* dropped */
	CHECK_STR(value(x.rec, "level"), "gold");
	crm_reader_free(r);
	fclose(f);
	const char *typo[] = {"Phone Numbr=phone"};
	opts.map = typo;
	opts.nmap = 1;
	r = open_with(text, strlen(text), &opts, &f);
	x = next(r);
	CHECK(x.rc == CRM_READ_FAIL);
	CHECK_INT(x.err.code, CRM_EUSAGE);
	CHECK_STR(x.err.msg, "--map Phone Numbr=phone: the header has no column 'Phone Numbr'");
	crm_reader_free(r);
	fclose(f);
	opts.nmap = 0;
	text = "手机,电话\n1,2\n";
	r = open_with(text, strlen(text), &opts, &f);
	x = next(r);
	CHECK(x.rc == CRM_READ_FAIL);
	CHECK_STR(x.err.msg, "columns '手机' and '电话' both give phone: keep one (--map '电话=' leaves it out) or store it apart (--map '电话=phone2')");
	crm_reader_free(r);
	fclose(f);
}

/* WeChat's user list, as its API gives it: sex codes and Unix times. */
static void wechat_users(void)
{
	crm_reader_opts opts = {.names = CRM_NAMES_CUSTOMERS};
	FILE *f;
	const char *text = "{\"user_info_list\": [{\"openid\": \"o1\", \"nickname\": \"小明\","
			   " \"sex\": 1, \"subscribe_time\": 1704420000, \"tagid_list\": [2, 3],"
			   " \"headimg\": {\"url\": \"x\"}}, {\"openid\": \"o2\", \"sex\": 2}]}";
	crm_reader *r = open_with(text, strlen(text), &opts, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_STR(value(x.rec, "name"), "小明");
	CHECK_STR(value(x.rec, "gender"), "男");
	CHECK_STR(value(x.rec, "subscribe_time"), "2024-01-05T10:00:00");
	CHECK_STR(value(x.rec, "tagid_list"), "2;3");
	CHECK(crm_record_get(x.rec, "headimg")->type == CRM_JSON);
	x = next(r);
	CHECK_STR(value(x.rec, "openid"), "o2");
	CHECK_STR(value(x.rec, "gender"), "女");
	CHECK(next(r).rc == CRM_READ_END);
	crm_reader_free(r);
	fclose(f);
}

/* Encodings: found by a BOM, or GB18030 by not being UTF-8. */
static void encodings(void)
{
	FILE *f;
	static const char gb[] = "id,name\n1,\325\305\310\375\n"; /* 张三 */
	crm_reader *r = open_with(gb, sizeof gb - 1, NULL, &f);
	struct read_result x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK_STR(value(x.rec, "name"), "张三");
	CHECK_STR(crm_reader_about(r)->encoding, "GB18030");
	CHECK(crm_reader_about(r)->encoding_detected);
	crm_reader_free(r);
	fclose(f);
	static const char utf16[] = "\xff\xfei\0d\0\t\0n\0\n\0" "1\0\t\0\x20\x5f\n\0"; /* 张 */
	r = open_with(utf16, sizeof utf16 - 1, NULL, &f);
	x = next(r);
	CHECK(x.rc == CRM_READ_OK);
	CHECK(crm_reader_format(r) == CRM_FMT_CSV); /* Excel's Unicode text: CSV's quoting */
	CHECK_STR(value(x.rec, "n"), "张");
	CHECK_STR(crm_reader_about(r)->encoding, "UTF-16LE");
	CHECK(crm_reader_about(r)->bom);
	crm_reader_free(r);
	fclose(f);
	crm_reader_opts opts = {.encoding = "klingon"};
	r = open_with(gb, sizeof gb - 1, &opts, &f);
	x = next(r);
	CHECK(x.rc == CRM_READ_FAIL);
	CHECK_INT(x.err.code, CRM_EUSAGE);
	crm_reader_free(r);
	fclose(f);
}

void test_reader(void)
{
	delimiters();
	header_names();
	wechat_users();
	encodings();
	csv_basic();
	csv_bad_rows();
	csv_broken();
	empty_inputs();
	big_field();
	tsv_and_ids();
	json_values();
	json_broken();
}
