#!/bin/sh
# crm-export -o xlsx: a workbook, read back with openpyxl; its limits.
. "$(dirname "$0")/../lib.sh"

cat > people.csv <<'CSV'
id,name,phone,gender,birthday,city,level,qq,memo
C1,张三,13800138000,男,1990-06-01,上海,gold,007,"多行
备注"
C2,欧阳娜娜,13900139000,女,1985-12-01,北京,,12345,_x0041_
C3,王五,,女,2010-06-02,广州,silver,,
CSV
crm-add -q people.csv > /dev/null
printf 'customer_id,type,ts,amount\nC1,purchase,2024-01-05,1299\nC1,purchase,2024-05-31 23:59,50.5\nC2,visit,2024-03-01,\n' |
	crm-add -q -k events > /dev/null
printf 'grade A 10\ngrade B 0\nrule 12.5 count(purchase) >= 1\n' > m.model
crm-score -q --define 价值 m.model
crm-score -q --all > /dev/null

out 'a workbook is written: a zip file, PK' 'PK' 'crm-export --all -o xlsx | head -c 2; echo'
fails 2 'a workbook is refused on a terminal' "script -qec 'crm-export --all -o xlsx' /dev/null > /dev/null"
out '... saying what to do' "crm-export: xlsx is a binary file: redirect it, e.g. crm-export -o xlsx > customers.xlsx
Try 'crm-export --help'." "script -qec 'crm-export --all -o xlsx' /dev/null | tr -d '\\015'"
ok '... redirected, it is written' "script -qec 'crm-export --all -o xlsx > t.xlsx' /dev/null > /dev/null && test -s t.xlsx"
err 'only crm-export writes workbooks' "crm-segment: -o xlsx is crm-export's: pipe the records into crm-export -o xlsx > customers.xlsx
Try 'crm-segment --help'." 'crm-segment --all -o xlsx'
fails 2 '... crm-tag neither' 'crm-tag --list -o xlsx'
err 'no --encoding: a workbook holds UTF-8' "crm-export: -o xlsx holds UTF-8, which every Excel reads: it takes no --encoding
Try 'crm-export --help'." 'crm-export --all -o xlsx --encoding gb18030'
fails 2 'no --excel either' 'crm-export --all -o xlsx --excel'

# ---- read back ----
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
	openpyxl=yes
else
	openpyxl=
fi
# cells FILE [CELL...]: each cell that has a value: where, type, value, format.
cat > cells.py <<'PY'
import datetime, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
for row in ws.iter_rows():
    for c in row:
        if c.value is None or (sys.argv[2:] and c.coordinate not in sys.argv[2:]):
            continue
        v = c.value
        kind = 'date' if isinstance(v, datetime.datetime) else type(v).__name__
        if kind == 'date':
            v = v.isoformat(sep=' ')
        fmt = '' if c.number_format == 'General' else ' ' + c.number_format
        print('%s %s %s%s' % (c.coordinate, kind, str(v).replace('\n', '\\n'), fmt))
PY
# sheet FILE: the frozen pane, the filter, the header's boldness, the widths.
cat > sheet.py <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print('frozen', ws.freeze_panes, 'filter', ws.auto_filter.ref, 'bold', ws['A1'].font.b)
print(' '.join('%s=%d' % (k, d.width) for k, d in sorted(ws.column_dimensions.items())))
PY
# sheetxml FILE: the sheet's XML, as it is in the file (not xml.py: that is a
# module of Python's own).
cat > sheetxml.py <<'PY'
import sys, zipfile
sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode())
PY
xl() { # xl 'what it proves' 'EXPECTED' COMMAND: out, when openpyxl is there to read workbooks
	if [ -n "$openpyxl" ]; then
		out "$@"
	else
		skip "$1: /usr/bin/python3 has no openpyxl to read workbooks (apt-get install python3-openpyxl)"
	fi
}
CELLS='/usr/bin/python3 cells.py' XML='/usr/bin/python3 sheetxml.py'

crm-export --all -o xlsx > all.xlsx
xl 'the header row: every stored field and custom attribute' 'A1 str id
B1 str name
C1 str phone
D1 str email
E1 str wechat_id
F1 str gender
G1 str birthday
H1 str city
I1 str province
J1 str source
K1 str owner
L1 str created_at
M1 str updated_at
N1 str level
O1 str qq
P1 str memo' "$CELLS all.xlsx | grep '^[A-Z]1 '"
xl 'ids and phones are text, never numbers' 'A2 str C1
C2 str 13800138000' "$CELLS all.xlsx A2 C2"
xl 'a birthday is a date cell, a time a date and time' 'G2 date 1990-06-01 00:00:00 yyyy-mm-dd
L2 date 2024-06-01 00:00:00 yyyy-mm-dd hh:mm:ss' "$CELLS all.xlsx G2 L2"
xl 'Chinese text intact, a line break kept' 'P2 str 多行\n备注
B3 str 欧阳娜娜
H3 str 北京' "$CELLS all.xlsx B3 H3 P2"
xl 'custom attributes are text, as in JSON: 007 keeps its zeros' 'O2 str 007
O3 str 12345' "$CELLS all.xlsx O2 O3"
xl 'a missing value is no cell' 'A4 str C3' "$CELLS all.xlsx N3 C4 P4 A4"
xl 'the header is frozen, bold and filtered; widths follow the text, CJK counting two' \
	'frozen A2 filter A1:P4 bold True
A=6 B=9 C=12 D=8 E=12 F=9 G=11 H=7 I=11 J=9 K=8 L=20 M=20 N=8 O=6 P=8' "/usr/bin/python3 sheet.py all.xlsx"
xl '... and openpyxl reads all of it: a header and 3 rows' '4' "$CELLS all.xlsx | grep -c '^A'"

crm-export --all -o xlsx -f id,age,notes,score,grade,tags,last_purchase > computed.xlsx
xl 'age, notes and score are numbers; grade, tags text; last_purchase a date' 'A2 str C1
B2 int 34
C2 int 0
D2 float 12.5
E2 str A
G2 date 2024-05-31 00:00:00 yyyy-mm-dd' "$CELLS computed.xlsx A2 B2 C2 D2 E2 G2"
crm-tag -q -a VIP -a 金卡 C1
xl 'tags are one text cell' 'B2 str VIP;金卡' "crm-export -o xlsx -f id,tags C1 > tags.xlsx && $CELLS tags.xlsx B2"

xl '--mask applies to workbooks' 'B2 str 张*
C2 str 138****8000' \
	"crm-export -o xlsx -f id,name,phone --mask name,phone C1 > masked.xlsx && $CELLS masked.xlsx B2 C2"
xl '-k events: times are dates, amounts numbers in 0.00' 'A2 str C1
B2 str purchase
C2 date 2024-01-05 00:00:00 yyyy-mm-dd hh:mm:ss
D2 int 1299 0.00
C3 date 2024-05-31 23:59:00 yyyy-mm-dd hh:mm:ss
D3 float 50.5 0.00' \
	"crm-export --all -k events -o xlsx -f customer_id,type,ts,amount > events.xlsx && $CELLS events.xlsx A2 B2 C2 D2 C3 D3"
xl '-k audit too' 'B2 date' \
	"crm-export -k audit -o xlsx > audit.xlsx && $CELLS audit.xlsx B2 | cut -d' ' -f1,2"
xl 'nobody chosen: the header alone' 'A1 str id
B1 str name' "crm-export -o xlsx -f id,name -w 'age > 100' > none.xlsx && $CELLS none.xlsx"
xl 'ids given: an unknown one is reported, the others written' 'A2 str C2
A3 str C1' "crm-export -o xlsx -f id C2 nobody C1 2> /dev/null > some.xlsx; $CELLS some.xlsx | sed 1d"
fails 1 '... exit status 1' 'crm-export -o xlsx -f id C2 nobody C1 > /dev/null'

# ---- what Excel would misread or refuse ----
crm-add -q -i json > /dev/null <<'JSON'
[{"id": "C9", "name": "odd", "memo": "a\ufffeb", "day": "2023-02-29", "early": "1899-12-31", "when": "2024-01-05 10:00"}]
JSON
q "UPDATE customers SET city = 'a' || char(1) || 'b' || char(13) || 'c' WHERE id = 'C9'"
crm-export -o xlsx -f id,city,memo,day,early,when C9 > odd.xlsx
xl 'control characters (put in by another program) are escaped: the file opens' 'B2 str a_x0001_b_x000D_c' \
	"$CELLS odd.xlsx B2"
xl '... as Excel writes them' '<t>a_x0001_b_x000D_c</t>' "$XML odd.xlsx | grep -o '<t>a_x[^<]*</t>'"
xl "text that looks like Excel's escape keeps its underscore escaped" '<t>_x005F_x0041_</t>' \
	"crm-export -o xlsx -f memo C2 > m.xlsx && $XML m.xlsx | grep -o '<t>_x[^<]*</t>'"
xl 'U+FFFE, no XML character, becomes U+FFFD' 'C2 str a�b' "$CELLS odd.xlsx C2"
xl 'impossible dates, dates before 1900 and other forms stay text' 'D2 str 2023-02-29
E2 str 1899-12-31
F2 str 2024-01-05 10:00' "$CELLS odd.xlsx D2 E2 F2"

# ---- limits: nothing written, nothing left behind ----
/usr/bin/python3 -c "print('id,note\nC1,' + 'x' * 40000)" > long.csv
crm-add -q long.csv > /dev/null
err 'a cell longer than Excel holds is an error' "crm-export: field 'note' in row 2 has more characters than an Excel cell holds (32,767): write csv instead, or leave the field out (-f)
crm-export: no workbook written" 'crm-export --all -o xlsx -f id,note'
fails 1 '... exit status 1' 'crm-export --all -o xlsx -f id,note > /dev/null'
out '... and nothing on stdout' '' 'crm-export --all -o xlsx -f id,note 2> /dev/null'
out '... and what fits is written' 'PK' 'crm-export --all -o xlsx -f id,name | head -c 2; echo'
mkdir tmp
ok 'no temporary file is left behind' 'TMPDIR=$PWD/tmp crm-export --all -o xlsx > /dev/null && TMPDIR=$PWD/tmp crm-export --all -o xlsx -f note > /dev/null 2>&1; test -z "$(ls tmp)"'
if [ "${CRM_BIN##*/}" != build-vg ]; then
	err 'a TMPDIR that cannot hold it: exit 3, and why' "crm-export: cannot make a temporary file in '$WORK/nowhere': No such file or directory: set TMPDIR to a folder that can hold the workbook" \
		'TMPDIR=$PWD/nowhere crm-export --all -o xlsx'
	fails 3 '... exit status 3' 'TMPDIR=$PWD/nowhere crm-export --all -o xlsx > /dev/null'
else
	skip 'a TMPDIR that cannot hold it: valgrind, which the command runs under, needs TMPDIR too'
	skip '... exit status 3: valgrind needs TMPDIR too'
fi

# ---- campaigns: recorded once the whole workbook is written ----
contacts="q \"SELECT count(*) FROM events WHERE type = 'contact'\""
ok 'a campaign as a workbook' "crm-export -q --campaign 春节 -o xlsx -f id,name C1 C2 > campaign.xlsx"
out '... records its customers' '2' "$contacts"
fails 3 'a workbook that does not reach its reader' "crm-export -q --campaign 元宵 -o xlsx -f id C1 C2 > /dev/full"
out '... records nobody' '2' "$contacts"
fails 1 'a workbook that cannot be made' "crm-export -q --campaign 元宵 -o xlsx -f id,note C1 C2 > /dev/null"
out '... records nobody either, and writes nothing' '0
2' "crm-export -q --campaign 元宵 -o xlsx -f id,note C1 C2 2> /dev/null | wc -c | tr -d ' ' && $contacts"

# ---- an Excel sheet's rows: 1,048,576, the header's included ----
if plain; then
	# C1, C2, C3 and 1,048,572 more, put in with SQL (crm-add would take a while)
	q "DELETE FROM customers WHERE id = 'C9';
		WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n WHERE i < 1048575)
		INSERT INTO customers (id, created_at, updated_at) SELECT 'C' || i, '2024-06-01T00:00:00', '2024-06-01T00:00:00' FROM n"
	xl 'a sheet full to its last row is written' '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>C1048575</t>' \
		"crm-export --all -o xlsx -f id > full.xlsx && $XML full.xlsx | grep -o '<row r=\"1048576\">.*C1048575</t>'"
	q "INSERT INTO customers (id, created_at, updated_at) VALUES ('C1048576', '2024-06-01T00:00:00', '2024-06-01T00:00:00')"
	err 'one customer more is an error' 'crm-export: more rows than an Excel sheet holds (1,048,576): write csv instead, or choose fewer customers
crm-export: no workbook written' 'crm-export --all -o xlsx -f id > over.xlsx'
	out '... and nothing is written' '0' 'crm-export --all -o xlsx -f id 2> /dev/null | wc -c'
else
	skip 'a full sheet: a million rows, on the plain build only (time)'
	skip 'one row more: on the plain build only (time)'
	skip '... nothing written: on the plain build only (time)'
fi
done_testing
