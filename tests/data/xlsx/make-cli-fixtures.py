#!/usr/bin/python3
# make-cli-fixtures.py: the workbooks tests/cli/0130-real-files.t imports, as
# sales teams' Excel and WPS files are. Run once with the system python
# (openpyxl): /usr/bin/python3 make-cli-fixtures.py. The files are committed.
#
#   customers-zh.xlsx  Chinese headers with template marks (手机号码*), phones
#                      and an id stored as numbers, a birthday as a date cell
#                      and one as a bare day number (45296), 先生/女士/保密,
#                      a number and a boolean custom attribute, an empty row,
#                      a column without a name and nothing in it; a second
#                      sheet '订单' of events
#   unnamed.xlsx       a column without a name that holds a value
#   bad.xlsx           a phone that is no phone, for a reject file
import datetime
import openpyxl

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "客户"
ws.append(["客户编号", "客户姓名", "手机号码*", "性别", "出生日期", "所在城市", "积分", "已关注", None])
ws.append([1001, "王芳", 13812345678, "女士", datetime.date(1988, 3, 5), "杭州", 120, True, None])
ws.append([1002, "李强", 13912345679, "先生", 45296, "上海", 80.5, False, None])
ws.append([None] * 9)
ws.append([1003, "赵磊", "186 1234 5681", "保密", None, "北京", 0, None, None])
ws["E2"].number_format = "yyyy/m/d"
orders = wb.create_sheet("订单")
orders.append(["订单号", "客户编号", "类型", "下单时间", "实付金额", "商品"])
orders.append(["O-1", 1001, "purchase", datetime.datetime(2024, 5, 1, 10, 30), 1299.5, "口红"])
orders.append(["O-2", 1002, "purchase", datetime.datetime(2024, 5, 2, 9, 0), 88, "面霜"])
wb.save("customers-zh.xlsx")

wb = openpyxl.Workbook()
ws = wb.active
ws.append(["客户编号", "客户姓名", "城市", None])
ws.append(["K1", "张三", "北京", "VIP"])
wb.save("unnamed.xlsx")

wb = openpyxl.Workbook()
ws = wb.active
ws.append(["客户编号", "手机号"])
ws.append(["W1", 13800138000])
ws.append(["W2", 123])
wb.save("bad.xlsx")
