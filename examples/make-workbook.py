#!/usr/bin/python3
# make-workbook.py 客户.xlsx: makes the sample workbook, a customer list as a sales team keeps it in Excel
# or WPS, with Chinese headers, a phone stored as a number and real date cells.
import datetime, openpyxl, sys
from openpyxl.styles import Font
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "客户名单"
ws.append(["客户编号", "客户姓名", "手机号码", "性别", "出生日期", "所在城市", "所在省份", "微信号", "负责人", "来源", "会员等级"])
rows = [
    ("K001", "王芳", 13812345678, "女士", datetime.date(1988, 3, 5), "杭州", "浙江", "wx_wangfang", "小张", "展会", "金卡"),
    ("K002", "李强", "139 1234 5679", "先生", datetime.date(1979, 11, 23), "杭州", "浙江", None, "小张", "转介绍", "银卡"),
    ("K003", "陈静", 15012345680, "女", datetime.date(1995, 7, 14), "宁波", "浙江", "chenjing95", "小李", "微信", "普通"),
    ("K004", "赵磊", 18612345681, "保密", None, "上海", "上海", None, "小李", "官网", "普通"),
    ("K005", "孙丽", 13712345682, "女士", datetime.date(1990, 1, 30), "苏州", "江苏", "sunli_sz", "小张", "展会", "金卡"),
    ("K006", "周杰", 13612345683, "男", datetime.date(1985, 9, 9), "南京", "江苏", None, "小王", "微信", "银卡"),
]
for r in rows:
    ws.append(list(r))
for c in ws[1]:
    c.font = Font(bold=True)
for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
    for c in row:
        c.number_format = "yyyy/m/d"
ws.freeze_panes = "A2"
wb.save(sys.argv[1])
