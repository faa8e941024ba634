#!/usr/bin/python3
# make-fixtures.py: writes the workbooks tests/unit/test_xlsx.c reads. Run it
# once, with the system python (openpyxl): /usr/bin/python3 make-fixtures.py.
# The files it writes are committed, so that the tests need no python.
#
#   (this openpyxl writes inline strings: basic.xlsx and sheets.xlsx have theirs
#   moved to shared strings afterwards, as Excel, WPS and LibreOffice write them)
#   basic.xlsx      openpyxl: every kind of value (shared Chinese strings, a
#                   phone and an id stored as numbers, decimals, booleans, an
#                   error, dates, a datetime, a custom 年月日 date format,
#                   number formats that are not dates, a newline in a cell)
#   layout.xlsx     openpyxl: missing cells, a gap in the middle of a row, an
#                   empty row element in the middle, a row that is not there,
#                   styled empty cells after the last value
#   sheets.xlsx     openpyxl: a chart sheet first, then 'Customers' and '订单'
#   date1904.xlsx   openpyxl: the 1904 date system
#   handmade.xlsx   XML written by hand, as other writers do it: x: prefixes,
#                   absolute and ./ targets, parts not where Excel puts them,
#                   inline strings, rich text with phonetic runs, _xHHHH_
#                   escapes, 1.3800138E10, formula strings, t="d", rows and
#                   cells without r=
#   malformed.xlsx  handmade.xlsx with a sheet whose tags do not match
#   notazip.xlsx    a CSV file named .xlsx
#   nowb.xlsx       a zip file that holds no workbook
#   word.docx       a zip whose office document is a Word document
#   fake.xls        the OLE signature of an .xls, then junk
#   encrypted.xlsx  an OLE directory naming EncryptionInfo, in its third
#                   sector, as Excel's password-protected workbooks have
#   sheet.ods       a zip with an OpenDocument spreadsheet's mimetype
import datetime
import html
import os
import re
import struct
import zipfile

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


def shared_strings(name):
    """openpyxl writes inline strings; Excel, WPS and LibreOffice write shared
    strings: moves a workbook's strings into xl/sharedStrings.xml."""
    with zipfile.ZipFile(path(name)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    strings = []

    def share(m):
        text = html.unescape(m.group(2))
        if text not in strings:
            strings.append(text)
        return f'<c {m.group(1)} t="s"><v>{strings.index(text)}</v></c>'

    for entry in [e for e in parts if e.startswith("xl/worksheets/")]:
        xml = parts[entry].decode()
        xml = re.sub(r'<c ([^>]*?) ?t="inlineStr"><is><t>(.*?)</t></is></c>', share, xml, flags=re.S)
        parts[entry] = xml.encode()
    items = "".join(f"<si><t>{html.escape(t, quote=False)}</t></si>" for t in strings)
    parts["xl/sharedStrings.xml"] = (DECL + f'<sst xmlns="{NS}" count="{len(strings)}" '
                                     f'uniqueCount="{len(strings)}">{items}</sst>').encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", f'<Relationship Type="{REL}/sharedStrings" '
        'Target="sharedStrings.xml" Id="rIdStrings"/></Relationships>').encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>').encode()
    write_zip(name, parts)


def basic():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["id", "姓名", "phone", "amount", "pi", "vip", "joined", "visited",
               "生日", "note", "error", "percent", "elapsed", "time"])
    ws.append([1001, "张三", 13800138000, 1299.5, 3.14, True,
               datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 10, 30, 15),
               datetime.datetime(1990, 3, 8), "第一行\n第二行", "#N/A", 0.25, 1.5,
               datetime.time(10, 30)])
    ws["I2"].number_format = 'yyyy"年"m"月"d"日"'
    ws["L2"].number_format = "0.00%"
    ws["M2"].number_format = "[h]:mm:ss"
    ws.append([1002, "李四", 13912345678, 88, -0.5, False,
               datetime.date(1900, 1, 1), datetime.datetime(2024, 12, 31, 23, 59, 59),
               datetime.datetime(2000, 2, 29), "", "#VALUE!", 1, 0, None])
    ws["I3"].number_format = 'yyyy"年"m"月"d"日"'
    ws["G3"].number_format = "mm-dd-yy"  # built-in 14
    wb.save(path("basic.xlsx"))
    shared_strings("basic.xlsx")


def layout():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"], ws["B1"], ws["C1"] = "id", "name", "city"
    ws["A2"], ws["C2"] = "C1", "上海"          # B2 missing: a gap in the middle
    ws["A3"].font = Font(bold=True)           # row 3: a row element, no value
    ws["C5"] = "only C"                       # row 4 absent; A5, B5 missing
    ws["A6"] = "C3"
    ws["B6"] = "王五"
    ws["F6"].font = Font(italic=True)         # styled, empty: not a field
    wb.save(path("layout.xlsx"))


def sheets():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["id", "name"])
    ws.append(["C1", "张三"])
    orders = wb.create_sheet("订单")
    orders.append(["order", "amount"])
    orders.append(["O-1", 99.9])
    orders.append(["O-2", 10])
    wb.create_chartsheet("Chart1", 0)
    wb.save(path("sheets.xlsx"))
    shared_strings("sheets.xlsx")


def date1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["joined", "visited"])
    ws.append([datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 5, 10, 30)])
    wb.save(path("date1904.xlsx"))


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

HANDMADE = {
    "[Content_Types].xml": DECL +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": DECL +
    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": DECL +
    f'<x:workbook xmlns:x="{NS}" xmlns:r="{REL}"><x:workbookPr date1904="false"/>'
    '<x:sheets><x:sheet name="Data" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
    "xl/_rels/workbook.xml.rels": DECL +
    f'<Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="/xl/worksheets/data.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="strings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL}/styles" Target="./styles.xml"/>'
    f'<Relationship Id="rId4" Type="{REL}/hyperlink" Target="http://example.com/" '
    'TargetMode="External"/></Relationships>',
    "xl/strings.xml": DECL +
    f'<x:sst xmlns:x="{NS}" count="7" uniqueCount="7">\n'
    '<x:si><x:t>name</x:t></x:si>\n'
    '<x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">Rich </x:t></x:r>'
    '<x:r><x:t>text</x:t></x:r><x:rPh sb="0" eb="4"><x:t>リッチ</x:t></x:rPh>'
    '<x:phoneticPr fontId="1"/></x:si>\n'
    '<x:si><x:t>line one_x000D_\nline two</x:t></x:si>\n'
    '<x:si><x:t xml:space="preserve">  padded  </x:t></x:si>\n'
    '<x:si><x:t>_x005F_x0041_ and _x0041_</x:t></x:si>\n'
    '<x:si><x:t/></x:si>\n'
    '<x:si><x:t>王五</x:t></x:si>\n'
    '</x:sst>',
    "xl/styles.xml": DECL +
    f'<x:styleSheet xmlns:x="{NS}"><x:numFmts count="2">'
    '<x:numFmt numFmtId="164" formatCode="[h]:mm:ss"/>'
    '<x:numFmt numFmtId="165" formatCode="yyyy/m/d\\ h:mm"/></x:numFmts>'
    '<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>'
    '<x:cellXfs count="5"><x:xf numFmtId="0"/><x:xf numFmtId="14" applyNumberFormat="1"/>'
    '<x:xf numFmtId="164"/><x:xf numFmtId="165"/><x:xf numFmtId="22"/></x:cellXfs>'
    '</x:styleSheet>',
    "xl/worksheets/data.xml": DECL +
    f'<x:worksheet xmlns:x="{NS}"><x:dimension ref="A1:F6"/><x:sheetData>\n'
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c>'
    '<x:c r="B1" t="inlineStr"><x:is><x:t>inline</x:t></x:is></x:c>'
    '<x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>\n'
    '<x:row><x:c t="s"><x:v>2</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c>'
    '<x:c t="s"><x:v>4</x:v></x:c><x:c t="s"><x:v>5</x:v></x:c></x:row>\n'
    '<x:row r="4"><x:c r="A4"><x:v>1.3800138E10</x:v></x:c>'
    '<x:c r="C4" t="str"><x:f>A4&amp;""</x:f><x:v>13800138000</x:v></x:c>'
    '<x:c><x:v>-0</x:v></x:c>'
    '<x:c r="F4" t="inlineStr"><x:is><x:r><x:t>ri</x:t></x:r><x:r><x:t>ch_x0009_tab</x:t></x:r>'
    '</x:is></x:c></x:row>\n'
    '<x:row r="5"><x:c r="A5" s="1"><x:v>45296</x:v></x:c><x:c r="B5" s="2"><x:v>1.5</x:v></x:c>'
    '<x:c r="C5" s="3"><x:v>45296.4375</x:v></x:c><x:c r="D5" s="4"><x:v>45296.9999999</x:v></x:c>'
    '<x:c r="E5" t="d"><x:v>2024-01-05T10:30:00Z</x:v></x:c>'
    '<x:c r="F5" t="d"><x:v>2024-01-05T00:00:00</x:v></x:c></x:row>\n'
    '<x:row r="6"><x:c r="A6" t="b"><x:v>0</x:v></x:c><x:c r="B6" t="e"><x:v>#VALUE!</x:v></x:c>'
    '<x:c r="C6" t="s"><x:v>6</x:v></x:c></x:row>\n'
    '</x:sheetData></x:worksheet>',
}


def write_zip(name, parts, stored_first=None):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        for entry, text in parts.items():
            info = zipfile.ZipInfo(entry, (2024, 1, 5, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if entry == stored_first else zipfile.ZIP_DEFLATED
            z.writestr(info, text)


def handmade():
    write_zip("handmade.xlsx", HANDMADE)
    broken = dict(HANDMADE)
    broken["xl/worksheets/data.xml"] = (DECL + f'<x:worksheet xmlns:x="{NS}"><x:sheetData>\n'
                                        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c></x:row>\n'
                                        '<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c>\n'
                                        '</x:sheetData></x:worksheet>')
    write_zip("malformed.xlsx", broken)


def not_workbooks():
    with open(path("notazip.xlsx"), "w") as f:
        f.write("id,name\n1,张三\n")
    write_zip("nowb.xlsx", {"hello.txt": "not a workbook\n"})
    write_zip("word.docx", {"_rels/.rels": HANDMADE["_rels/.rels"].replace("xl/workbook.xml",
                                                                          "word/document.xml"),
                            "word/document.xml": DECL + '<w:document xmlns:w="http://schemas.'
                            'openxmlformats.org/wordprocessingml/2006/main"/>'})
    write_zip("sheet.ods", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                            "content.xml": DECL + "<office:document-content/>"},
              stored_first="mimetype")
    with open(path("fake.xls"), "wb") as f:
        f.write(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00junk" * 200)


def encrypted():
    """A compound file of 512-byte sectors: the header, a FAT sector (0), then
    a directory of three sectors (1, 2, 3) with EncryptionInfo in the last."""
    free, end, fatsect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major, byte order, shift
    struct.pack_into("<H", header, 32, 6)                      # mini sector shift
    struct.pack_into("<IIIII", header, 44, 1, 1, 0, 4096, end)  # FAT sectors, first dir, ..
    struct.pack_into("<III", header, 60, end, 0, end)           # mini FAT, DIFAT
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = struct.pack("<128I", fatsect, 2, 3, end, *([free] * 124))
    # EncryptedPackage misspelt, so that only EncryptionInfo, in the third
    # sector, tells: the directory chain is followed through the FAT
    names = ["Root Entry", "EncryptedPackage_", "\x06DataSpaces", "Version", "DataSpaceMap",
             "DataSpaceInfo", "StrongEncryptionDataSpace", "TransformInfo",
             "StrongEncryptionTransform", "\x06Primary", "EncryptionInfo", ""]
    directory = bytearray()
    for name in names:
        entry = bytearray(128)
        if name:
            encoded = name.encode("utf-16-le")
            entry[0:len(encoded)] = encoded
            struct.pack_into("<HB", entry, 64, len(encoded) + 2, 5 if name == "Root Entry" else 2)
        directory += entry
    with open(path("encrypted.xlsx"), "wb") as f:
        f.write(bytes(header) + fat + bytes(directory))


basic()
layout()
sheets()
date1904()
handmade()
not_workbooks()
encrypted()
