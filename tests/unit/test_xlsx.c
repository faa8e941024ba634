/* The .xlsx reader: the fixtures of tests/data/xlsx (make-fixtures.py), a
 * workbook libxlsxwriter writes, sheet XML given in memory, serial dates,
 * and files that are not workbooks. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "tap.h"
#include "records/xlsx.h"

#define DATA "tests/data/xlsx/"

static struct crm_builder row_b;
static char dump[1 << 12];

/* One row as text: "2: =1001|张三|~3.14|", = for CRM_INT, ~ for CRM_REAL;
 * "end", or "fail LINE: MESSAGE". */
static const char *next_row(crm_xlsx *x)
{
	long row = -1;
	crm_error err;
	enum crm_read rc = crm_xlsx_next(x, &row_b, &row, &err);
	if (rc == CRM_READ_END)
		return "end";
	if (rc == CRM_READ_FAIL) {
		snprintf(dump, sizeof dump, "fail %ld: %s", err.line, err.msg);
		return dump;
	}
	int n = snprintf(dump, sizeof dump, "%ld:", row);
	for (size_t i = 0; i < row_b.n && n > 0 && (size_t)n < sizeof dump; i++) {
		const char *mark = row_b.type[i] == CRM_INT ? "=" : row_b.type[i] == CRM_REAL ? "~" : "";
		n += snprintf(dump + n, sizeof dump - (size_t)n, "%s%s%.*s", i ? "|" : " ", mark,
			      (int)row_b.val_len[i], row_b.text.p + row_b.val_off[i]);
	}
	return dump;
}

static crm_xlsx *open_file(const char *path, const char *sheet, crm_error *err)
{
	crm_xlsx *x = NULL;
	int fd = open(path, O_RDONLY);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int rc = fd < 0 ? CRM_EDB : crm_xlsx_open(&x, fd, name, sheet, err);
	if (fd < 0)
		crm_error_set(err, CRM_EDB, "cannot open '%s'", path);
	if (fd >= 0)
		close(fd); /* the reader keeps its own */
	CHECK(rc == CRM_OK ? x != NULL : x == NULL);
	return x;
}

/* The error opening a fixture that is not a workbook this reads. */
static const char *open_error(const char *path, const char *sheet, int *code)
{
	static crm_error err;
	crm_xlsx *x = open_file(path, sheet, &err);
	crm_xlsx_close(x);
	*code = x ? CRM_OK : err.code;
	return x ? "(opened)" : err.msg;
}

static void basic(void)
{
	crm_error err;
	crm_xlsx *x = open_file(DATA "basic.xlsx", NULL, &err);
	if (!x)
		return;
	CHECK_STR(next_row(x), "1: id|姓名|phone|amount|pi|vip|joined|visited|生日|note|error|percent|"
		  "elapsed|time");
	/* elapsed time ([h]:mm:ss, built-in 46) is a duration, and the time of day
	 * alone (10:30, serial 0.4375) no date: both stay numbers */
	CHECK_STR(next_row(x), "2: =1001|张三|=13800138000|~1299.5|~3.14|true|2024-01-05|"
		  "2024-01-05T10:30:15|1990-03-08|第一行\n第二行|#N/A|~0.25|~1.5|~0.4375");
	CHECK_STR(next_row(x), "3: =1002|李四|=13912345678|=88|~-0.5|false|1900-01-01|"
		  "2024-12-31T23:59:59|2000-02-29||#VALUE!|=1|=0");
	CHECK_STR(next_row(x), "end");
	CHECK_STR(next_row(x), "end");
	const char *const *names;
	CHECK_INT(crm_xlsx_sheets(x, &names), 1);
	CHECK_STR(names[0], "客户");
	crm_xlsx_close(x);
}

static void layout(void)
{
	crm_error err;
	crm_xlsx *x = open_file(DATA "layout.xlsx", NULL, &err);
	if (!x)
		return;
	CHECK_STR(next_row(x), "1: id|name|city");
	CHECK_STR(next_row(x), "2: C1||上海");
	CHECK_STR(next_row(x), "3:");
	CHECK_INT(row_b.n, 0);
	CHECK_STR(next_row(x), "5: ||only C");
	CHECK_STR(next_row(x), "6: C3|王五");
	CHECK_STR(next_row(x), "end");
	crm_xlsx_close(x);
}

static void sheets(void)
{
	crm_error err;
	crm_xlsx *x = open_file(DATA "sheets.xlsx", NULL, &err);
	if (x) { /* the chart sheet first holds no cells: the first with cells */
		CHECK_STR(next_row(x), "1: id|name");
		CHECK_STR(next_row(x), "2: C1|张三");
		const char *const *names;
		CHECK_INT(crm_xlsx_sheets(x, &names), 3);
		CHECK_STR(names[2], "订单");
		crm_xlsx_close(x);
	}
	if ((x = open_file(DATA "sheets.xlsx", "订单", &err))) {
		CHECK_STR(next_row(x), "1: order|amount");
		CHECK_STR(next_row(x), "2: O-1|~99.9");
		CHECK_STR(next_row(x), "3: O-2|=10");
		CHECK_STR(next_row(x), "end");
		crm_xlsx_close(x);
	}
	if ((x = open_file(DATA "sheets.xlsx", "customers", &err))) { /* as Excel: any case */
		CHECK_STR(next_row(x), "1: id|name");
		crm_xlsx_close(x);
	}
	int code;
	CHECK_STR(open_error(DATA "sheets.xlsx", "Orders", &code),
		  "no sheet 'Orders' in the workbook (its sheets: 'Chart1', 'Customers', '订单')");
	CHECK_INT(code, CRM_EUSAGE); /* a --sheet that is not there */
	CHECK_STR(open_error(DATA "sheets.xlsx", "Chart1", &code),
		  "sheet 'Chart1' holds no cells (a chart, or a dialog): choose another sheet");
	x = open_file(DATA "sheets.xlsx", "Nope", &err);
	CHECK_STR(err.source, "sheets.xlsx");
	CHECK_INT(err.line, 0);
}

static void date1904(void)
{
	crm_error err;
	crm_xlsx *x = open_file(DATA "date1904.xlsx", NULL, &err);
	if (!x)
		return;
	CHECK_STR(next_row(x), "1: joined|visited");
	CHECK_STR(next_row(x), "2: 2024-01-05|2024-01-05T10:30:00");
	crm_xlsx_close(x);
}

static void handmade(void)
{
	crm_error err;
	crm_xlsx *x = open_file(DATA "handmade.xlsx", NULL, &err);
	if (!x)
		return;
	CHECK_STR(next_row(x), "1: name|inline|Rich text");
	CHECK_STR(next_row(x), "2: line one\r\nline two|  padded  |_x0041_ and A");
	CHECK_STR(next_row(x), "4: =13800138000||13800138000|=0||rich\ttab");
	CHECK_STR(next_row(x), "5: 2024-01-05|~1.5|2024-01-05T10:30:00|2024-01-06T00:00:00|"
		  "2024-01-05T10:30:00|2024-01-05");
	CHECK_STR(next_row(x), "6: false|#VALUE!|王五");
	CHECK_STR(next_row(x), "end");
	crm_xlsx_close(x);

	x = open_file(DATA "malformed.xlsx", NULL, &err);
	if (!x)
		return;
	CHECK_STR(next_row(x), "1: name");
	CHECK_STR(next_row(x), "fail 2: xl/worksheets/data.xml: malformed XML at line 5: mismatched tag");
	CHECK_STR(next_row(x), "fail 2: xl/worksheets/data.xml: malformed XML at line 5: mismatched tag");
	crm_xlsx_next(x, &row_b, &(long){0}, &err);
	CHECK_STR(err.source, "malformed.xlsx");
	CHECK_INT(err.code, CRM_EDATA);
	crm_xlsx_close(x);
}

static void not_workbooks(void)
{
	int code;
	CHECK_STR(open_error(DATA "notazip.xlsx", NULL, &code), "not an .xlsx workbook");
	CHECK_INT(code, CRM_EDATA);
	CHECK_STR(open_error(DATA "nowb.xlsx", NULL, &code), "a zip file, not an .xlsx workbook");
	CHECK_STR(open_error(DATA "word.docx", NULL, &code), "a zip file, not an .xlsx workbook");
	CHECK_STR(open_error(DATA "fake.xls", NULL, &code),
		  "an .xls workbook (Excel 97-2003): save it as .xlsx or CSV and try again");
	CHECK_STR(open_error(DATA "encrypted.xlsx", NULL, &code),
		  "a password-protected workbook: save it without a password first");
	CHECK_STR(open_error(DATA "sheet.ods", NULL, &code),
		  "an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV");
	CHECK_INT(code, CRM_EDATA);
	CHECK_STR(open_error("/dev/null", NULL, &code), "not an .xlsx workbook (the file is empty)");
	char path[] = "/tmp/crm-xlsx-XXXXXX";
	int fd = mkstemp(path), in = open(DATA "handmade.xlsx", O_RDONLY);
	char half[1024];
	if (fd >= 0 && in >= 0 && read(in, half, sizeof half) == (ssize_t)sizeof half &&
	    write(fd, half, sizeof half) == (ssize_t)sizeof half)
		CHECK_STR(open_error(path, NULL, &code),
			  "a zip file cut short (its end is missing): was it copied in full?");
	if (fd >= 0)
		close(fd), unlink(path);
	if (in >= 0)
		close(in);

	int pipefd[2];
	crm_xlsx *x = NULL;
	crm_error err;
	if (pipe(pipefd) == 0) {
		close(pipefd[1]);
		CHECK_INT(crm_xlsx_open(&x, pipefd[0], "stdin", NULL, &err), CRM_EDB);
		CHECK_STR(err.msg, "an .xlsx workbook cannot be read from a pipe: give the file's name");
		close(pipefd[0]);
	}
}

/* ---- written by libxlsxwriter ---- */

static void write_workbook(const char *path, bool constant_memory)
{
	lxw_workbook_options opts = {.constant_memory = constant_memory};
	lxw_workbook *wb = workbook_new_opt(path, &opts);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
	lxw_format *date = workbook_add_format(wb), *when = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	format_set_num_format(when, "yyyy-mm-dd hh:mm:ss");
	worksheet_write_string(ws, 0, 0, "name", NULL);
	worksheet_write_string(ws, 0, 1, "phone", NULL);
	worksheet_write_string(ws, 0, 2, "joined", NULL);
	worksheet_write_string(ws, 0, 3, "visited", NULL);
	worksheet_write_string(ws, 1, 0, "张三", NULL);
	worksheet_write_number(ws, 1, 1, 13800138000.0, NULL);
	worksheet_write_datetime(ws, 1, 2, &(lxw_datetime){2024, 1, 5, 0, 0, 0}, date);
	worksheet_write_datetime(ws, 1, 3, &(lxw_datetime){2024, 1, 5, 10, 30, 15}, when);
	worksheet_write_number(ws, 3, 1, 3.14, NULL);
	CHECK(workbook_close(wb) == LXW_NO_ERROR);
}

static void libxlsxwriter(void)
{
	for (int constant_memory = 0; constant_memory <= 1; constant_memory++) {
		char path[] = "/tmp/crm-xlsx-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0)
			continue;
		close(fd);
		write_workbook(path, constant_memory); /* constant_memory: inline strings */
		crm_error err;
		crm_xlsx *x = open_file(path, NULL, &err);
		if (x) {
			CHECK_STR(next_row(x), "1: name|phone|joined|visited");
			CHECK_STR(next_row(x), "2: 张三|=13800138000|2024-01-05|2024-01-05T10:30:15");
			CHECK_STR(next_row(x), "4: |~3.14");
			CHECK_STR(next_row(x), "end");
			crm_xlsx_close(x);
		}
		unlink(path);
	}
}

/* ---- sheet XML in memory ---- */

#define SHEET(rows) "<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>" \
	"<sheetData>" rows "</sheetData></worksheet>"

static crm_xlsx *open_xml(const char *sheet, const char *strings, const char *styles, bool date1904)
{
	struct crm_xlsx_parts parts = {sheet, strings, styles, strlen(sheet),
				       strings ? strlen(strings) : 0, styles ? strlen(styles) : 0,
				       date1904};
	crm_xlsx *x = NULL;
	crm_error err;
	if (crm_xlsx_open_xml(&x, &parts, "t.xlsx", &err) != CRM_OK)
		printf("# %s\n", err.msg);
	return x;
}

/* The first row of a sheet, or why it failed. */
static const char *first_row(const char *sheet, const char *strings, const char *styles)
{
	crm_xlsx *x = open_xml(sheet, strings, styles, false);
	const char *got = x ? next_row(x) : "(not opened)";
	crm_xlsx_close(x);
	return got;
}

static void cells(void)
{
	CHECK_STR(first_row(SHEET("<row><c r='C1'><v>3</v></c><c r='A1'><v>1</v></c>"
				  "<c r='A1'><v>2</v></c></row>"), NULL, NULL), "1: =2||=3");
	CHECK_STR(first_row(SHEET("<row r='7'><c><v>0.30000000000000004</v></c><c><v>1e20</v></c>"
				  "<c><v>9007199254740992</v></c><c><v>9007199254740991</v></c>"
				  "<c><v> 12 </v></c><c><v>abc</v></c><c t='n'><v>-1.5E-3</v></c></row>"),
			    NULL, NULL),
		  "7: ~0.30000000000000004|~1e+20|~9007199254740992|=9007199254740991|=12|abc|~-0.0015");
	CHECK_STR(first_row(SHEET("<row><c t='b'><v>1</v></c><c t='b'><v>true</v></c>"
				  "<c t='e'><v>#DIV/0!</v></c><c t='x'><v>odd</v></c>"
				  "<c t='str'><v>a_x000A_b</v></c><c t='inlineStr'><is><t>_xD83D__xDE00_</t>"
				  "</is></c><c t='inlineStr'><is><t>_x0000_ _xZZZZ_ _x00e9_</t></is></c></row>"),
			    NULL, NULL),
		  "1: true|true|#DIV/0!|odd|a\nb|😀|_x0000_ _xZZZZ_ é");
	CHECK_STR(first_row(SHEET("<row><c t='d'><v>2024-02-30</v></c><c t='d'><v>2024-01-05T10:30:00.6</v></c>"
				  "<c t='d'><v>2024-01-05 23:59:59.9</v></c><c t='d'><v>2024-01-05T10:30+08:00</v></c>"
				  "<c t='d'><v>10:30:00</v></c></row>"), NULL, NULL),
		  "1: 2024-02-30|2024-01-05T10:30:01|2024-01-06T00:00:00|2024-01-05T10:30:00|10:30:00");
	/* styled cells without a value make no field; nor does an empty string */
	CHECK_STR(first_row(SHEET("<row r='2'><c r='B2'><v>1</v></c><c r='C2' s='1'/><c r='D2' t='s'><v>0</v></c>"
				  "<c r='XFD2' s='1'/></row>"), "<sst><si><t></t></si></sst>", NULL), "2: |=1");
	CHECK_STR(first_row(SHEET("<row><c s='1'/></row>"), NULL, NULL), "1:");
	/* rows without r= count on from the one before */
	crm_xlsx *x = open_xml(SHEET("<row r='5'/><row/><row r='x'/>"), NULL, NULL, false);
	if (x) {
		CHECK_STR(next_row(x), "5:");
		CHECK_STR(next_row(x), "6:");
		CHECK_STR(next_row(x), "7:");
		CHECK_STR(next_row(x), "end");
		crm_xlsx_close(x);
	}
	/* a row's cells, rich text and inline strings with phonetic runs */
	CHECK_STR(first_row(SHEET("<row><c t='inlineStr'><is><r><t>東</t></r><r><t>京</t></r>"
				  "<rPh sb='0' eb='2'><t>とうきょう</t></rPh></is></c>"
				  "<c t='s'><v>1</v></c></row>"),
			    "<sst><si><t>a</t></si><si><r><t>b</t></r><rPh><t>x</t></rPh><r><t>c</t></r></si></sst>",
			    NULL),
		  "1: 東京|bc");
}

static const char styles[] =
	"<styleSheet><numFmts>"
	"<numFmt numFmtId='14' formatCode='0.00'/>"                        /* 1: overrides a date */
	"<numFmt numFmtId='164' formatCode='[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@'/>"
	"<numFmt numFmtId='165' formatCode='[$¥-804]#,##0.00'/>"          /* 3 */
	"<numFmt numFmtId='166' formatCode='&quot;day&quot; 0'/>"          /* 4 */
	"<numFmt numFmtId='167' formatCode='[h]:mm'/>"                     /* 5 */
	"<numFmt numFmtId='168' formatCode='[Red]0.00;[Blue]\\d'/>"        /* 6 */
	"<numFmt numFmtId='169' formatCode='mm:ss'/>"                      /* 7 */
	"<numFmt numFmtId='170' formatCode='0.00E+00 \\h'/>"               /* 8 */
	"</numFmts><cellStyleXfs><xf numFmtId='14'/></cellStyleXfs><cellXfs>"
	"<xf numFmtId='0'/><xf numFmtId='14'/><xf numFmtId='164'/><xf numFmtId='165'/>"
	"<xf numFmtId='166'/><xf numFmtId='167'/><xf numFmtId='168'/><xf numFmtId='169'/>"
	"<xf numFmtId='170'/><xf numFmtId='22'/><xf/></cellXfs>"
	"<dxfs><dxf><numFmt numFmtId='9' formatCode='yyyy'/></dxf></dxfs></styleSheet>";

static void dates(void)
{
	CHECK_STR(first_row(SHEET("<row><c s='1'><v>45296</v></c><c s='2'><v>45296</v></c>"
				  "<c s='3'><v>45296</v></c><c s='4'><v>45296</v></c><c s='5'><v>1.5</v></c>"
				  "<c s='6'><v>45296</v></c><c s='7'><v>45296.5</v></c><c s='8'><v>45296</v></c>"
				  "<c s='9'><v>45296.25</v></c><c s='10'><v>45296</v></c><c s='11'><v>45296</v></c>"
				  "<c s='9'><v>0.25</v></c><c s='9'><v>3e7</v></c></row>"), NULL, styles),
		  "1: =45296|2024-01-05|=45296|=45296|~1.5|=45296|2024-01-05T12:00:00|=45296|"
		  "2024-01-05T06:00:00|=45296|=45296|~0.25|=30000000");
	crm_xlsx *x = open_xml(SHEET("<row><c s='9'><v>43834</v></c><c s='9'><v>0</v></c></row>"), NULL,
			       styles, true);
	if (x) {
		CHECK_STR(next_row(x), "1: 2024-01-05|1904-01-01");
		crm_xlsx_close(x);
	}

	char out[20];
	struct {
		double serial;
		bool date1904, with_time;
		const char *want;
	} cases[] = {
		{1, false, false, "1900-01-01"}, {59, false, false, "1900-02-28"},
		{60, false, false, "1900-02-29"}, {60.5, false, true, "1900-02-29T12:00:00"},
		{61, false, false, "1900-03-01"}, {45296, false, false, "2024-01-05"},
		{45296.4375, false, true, "2024-01-05T10:30:00"},
		{45296.99999, false, true, "2024-01-05T23:59:59"},
		{45296.9999999, false, true, "2024-01-06T00:00:00"},
		{2958465, false, false, "9999-12-31"}, {43834, true, false, "2024-01-05"},
		{0, true, false, "1904-01-01"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int rc = crm_xlsx_serial_text(cases[i].serial, cases[i].date1904, cases[i].with_time, out);
		CHECK_INT(rc, CRM_OK);
		CHECK_STR(rc == CRM_OK ? out : "(failed)", cases[i].want);
	}
	CHECK_INT(crm_xlsx_serial_text(2958466, false, false, out), CRM_EDATA);
	CHECK_INT(crm_xlsx_serial_text(0.5, false, true, out), CRM_EDATA);
	CHECK_INT(crm_xlsx_serial_text(-1, true, false, out), CRM_EDATA);
	CHECK_INT(crm_xlsx_serial_text(0.0 / 0.0, false, false, out), CRM_EDATA);
	CHECK_INT(crm_xlsx_serial_text(1e300, false, false, out), CRM_EDATA);
}

/* A sheet of one row holding n bytes of text: in one cell, or in two. */
static char *big_sheet(size_t n, bool two_cells)
{
	crm_buf s = {0};
	crm_buf_adds(&s, "<worksheet><sheetData><row><c t='inlineStr'><is><t>");
	crm_buf_reserve(&s, n + 200);
	memset(s.p + s.len, 'a', two_cells ? n / 2 : n);
	s.len += two_cells ? n / 2 : n;
	if (two_cells) {
		crm_buf_adds(&s, "</t></is></c><c t='inlineStr'><is><t>");
		crm_buf_reserve(&s, n / 2 + 200);
		memset(s.p + s.len, 'a', n / 2);
		s.len += n / 2;
	}
	crm_buf_adds(&s, "</t></is></c></row></sheetData></worksheet>");
	return s.p;
}

static void bounds(void)
{
	CHECK(strncmp(first_row(SHEET("<row><c r='ALL1'><v>1</v></c></row>"), NULL, NULL), "1: |", 4) == 0);
	CHECK_INT(row_b.n, 1000);
	CHECK_STR(first_row(SHEET("<row r='3'><c r='ALM3'><v>1</v></c></row>"), NULL, NULL),
		  "fail 3: more than 1000 fields in one record: is this the right file?");
	CHECK_STR(first_row(SHEET("<row><c r='AAAA1'><v>1</v></c></row>"), NULL, NULL),
		  "fail 1: 'AAAA1' is not a cell reference: the workbook is damaged (open it in Excel "
		  "or LibreOffice and save it again)");
	CHECK_STR(first_row(SHEET("<row><c t='s'><v>0</v></c><c t='s'><v>1</v></c></row>"),
			    "<sst><si><t>a</t></si></sst>", NULL),
		  "fail 1: cell 'B1': no shared string '1' in the workbook (it has 1): the workbook is "
		  "damaged (open it in Excel or LibreOffice and save it again)");
	CHECK_STR(first_row("<!DOCTYPE x [<!ENTITY a 'aaaa'>]><worksheet/>", NULL, NULL),
		  "fail 0: xl/worksheets/sheet1.xml: a DOCTYPE, which workbooks do not have: is this "
		  "the right file?");
	CHECK_STR(first_row("<worksheet><sheetData><row><c>", NULL, NULL),
		  "fail 1: xl/worksheets/sheet1.xml: malformed XML at line 1: no element found");

	char *sheet = big_sheet(((size_t)8 << 20) + 1, false);
	CHECK_STR(first_row(sheet, NULL, NULL), "fail 1: cell 'A1' holds more than 8 MiB of text: "
		  "is this the right file?");
	free(sheet);
	sheet = big_sheet(((size_t)8 << 20) + 2, true);
	CHECK_STR(first_row(sheet, NULL, NULL), "fail 1: a record longer than 8 MiB: is this the "
		  "right file?");
	free(sheet);
	sheet = big_sheet(((size_t)8 << 20) - 64, false);
	CHECK(strncmp(first_row(sheet, NULL, NULL), "1: aaaa", 7) == 0);
	free(sheet);

	/* expat's memory: a tag longer than the bound never ends */
	crm_buf tag = {0};
	crm_buf_adds(&tag, "<worksheet a='");
	crm_buf_reserve(&tag, (33 << 20) + 16);
	memset(tag.p + tag.len, 'a', 33 << 20);
	tag.len += 33 << 20;
	crm_buf_adds(&tag, "'/>");
	CHECK_STR(first_row(tag.p, NULL, NULL), "fail 0: xl/worksheets/sheet1.xml: XML too large to "
		  "read (over 32 MiB in one tag, or in names): is this the right file?");
	crm_buf_free(&tag);
}

/* Many rows come one at a time, each as the sheet has it. */
static void many_rows(void)
{
	crm_buf s = {0};
	crm_buf_adds(&s, "<worksheet><sheetData>");
	for (int i = 1; i <= 20000; i++)
		crm_buf_printf(&s, "<row r='%d'><c r='A%d'><v>%d</v></c><c r='B%d' t='inlineStr'>"
			       "<is><t>第%d行</t></is></c></row>\n", i, i, i, i, i);
	crm_buf_adds(&s, "</sheetData></worksheet>");
	crm_xlsx *x = open_xml(s.p, NULL, NULL, false);
	int bad = 0, n = 0;
	char want[64];
	while (x && strcmp(next_row(x), "end") != 0) {
		n++;
		snprintf(want, sizeof want, "%d: =%d|第%d行", n, n, n);
		bad += strcmp(dump, want) != 0;
	}
	CHECK_INT(n, 20000);
	CHECK_INT(bad, 0);
	crm_xlsx_close(x);
	crm_buf_free(&s);
}

void test_xlsx(void)
{
	basic();
	layout();
	sheets();
	date1904();
	handmade();
	not_workbooks();
	libxlsxwriter();
	cells();
	dates();
	bounds();
	many_rows();
	crm_builder_free(&row_b);
}
