/* xlsx.h: the cells of one sheet of an .xlsx workbook, a row at a time. */
#ifndef CRM_XLSX_H
#define CRM_XLSX_H

#include "records/records.h"

typedef struct crm_xlsx crm_xlsx;

/* Opens the workbook in fd, a regular (seekable) file; fd stays the caller's
 * (libzip reads a dup of it, which shares its file offset: the offset moves).
 * source names the input in messages. sheet: a sheet's name, or NULL for the
 * first sheet (in workbook order) that holds cells, not a chart.
 * CRM_EDATA with a reason when it is not a workbook this reads; CRM_EDB for an
 * I/O failure. */
int crm_xlsx_open(crm_xlsx **x, int fd, const char *source, const char *sheet, crm_error *err);

/* The next row element of the sheet: b is reset, then gets one value per
 * column from A up to the last cell of the row that holds a value (cells not
 * given, or empty, are empty CRM_TEXT ""), added with
 * crm_builder_add(b, NULL, type, s, len). *row: the sheet's row number
 * (1-based, from r= or counted). A row with no value at all comes back with no
 * fields (b->n == 0). Returns CRM_READ_OK, CRM_READ_END, or CRM_READ_FAIL with
 * err filled (source and row set); after a failure every call fails again. */
enum crm_read crm_xlsx_next(crm_xlsx *x, struct crm_builder *b, long *row, crm_error *err);

/* The names of the sheets, in workbook order (for messages: "no sheet 'X': the
 * sheets are ..."); valid until crm_xlsx_close. */
size_t crm_xlsx_sheets(const crm_xlsx *x, const char *const **names);

/* True when the workbook counts days from 1904 (older Excel for Mac). */
bool crm_xlsx_date1904(const crm_xlsx *x);

void crm_xlsx_close(crm_xlsx *x);

/* An Excel serial date (days since 1899-12-30, Excel's 1900 system with its
 * fictitious 1900-02-29 at serial 60; or days since 1904-01-01) as YYYY-MM-DD,
 * or YYYY-MM-DDTHH:MM:SS rounded to the second with_time. CRM_EDATA when out of
 * range: before serial 1 (serial 0 in the 1904 system), or after year 9999. */
int crm_xlsx_serial_text(double serial, bool date1904, bool with_time, char out[20]);

/* For tests and fuzzing: a sheet's XML in memory, with the workbook's shared
 * strings and styles (NULL for none), read as crm_xlsx_open's sheet is. The
 * texts are not copied: they must outlive x. */
struct crm_xlsx_parts {
	const char *sheet, *strings, *styles;
	size_t sheet_len, strings_len, styles_len;
	bool date1904;
};
int crm_xlsx_open_xml(crm_xlsx **x, const struct crm_xlsx_parts *parts, const char *source,
		      crm_error *err);

#endif
