/* records.h: records in and out: readers, writers, the header-name table. */
#ifndef CRM_RECORDS_H
#define CRM_RECORDS_H

#include "base/base.h"

/* The record handed out: names and values live in one text buffer. */
struct crm_builder {
	crm_buf text;
	size_t n, cap;
	size_t *name_off; /* SIZE_MAX: the name comes from the header */
	size_t *val_off, *val_len;
	const char **ref; /* a value the builder does not hold (crm_builder_add_ref), or NULL */
	crm_type *type;
	const char **names;
	crm_value *values;
	crm_record rec;
};

void crm_builder_reset(struct crm_builder *b);
/* Adds a field; name NULL takes the name from the header given to finish. */
void crm_builder_add(struct crm_builder *b, const char *name, crm_type type,
		     const char *s, size_t len);
/* Adds a text value held elsewhere, NUL-terminated, that outlives the
 * record: a reader's queue hands its fields out so, without a copy. */
void crm_builder_add_ref(struct crm_builder *b, const char *s, size_t len);
const crm_record *crm_builder_finish(struct crm_builder *b, char **header,
				     size_t nheader, long line);
void crm_builder_free(struct crm_builder *b);

/* headers.c */
/* The stored columns of customers and of events, in table order. */
extern const char *const crm_customer_columns[];
extern const size_t crm_customer_ncolumns;
extern const char *const crm_event_columns[];
extern const size_t crm_event_ncolumns;
/* A name as compared: trimmed, lower case, without spaces, _ - . and the
 * marks templates add (手机号*, 姓名(必填)). */
void crm_header_key(const char *name, char *out, size_t outsz);
/* The field a column of this name gives, or NULL when it is its own. */
const char *crm_header_field(enum crm_names names, const char *name);
/* True when field holds dates (*timestamp: with the time of day). */
bool crm_header_is_date(enum crm_names names, const char *field, bool *timestamp);

/* xlsx_write.c: a workbook of one sheet, written with libxlsxwriter. */
typedef struct crm_xlsx_out crm_xlsx_out;
crm_xlsx_out *crm_xlsx_out_new(size_t ncols, const char *const *names, crm_error *err);
int crm_xlsx_out_row(crm_xlsx_out *x, const crm_value *values, crm_error *err);
/* Closes the workbook and copies its bytes to out; nothing reaches out before this. */
int crm_xlsx_out_finish(crm_xlsx_out *x, FILE *out, crm_error *err);
void crm_xlsx_out_free(crm_xlsx_out *x);

#endif
