/* page.c: a page of sections, such as one customer's profile. Each
 * section goes out through a record writer of its own, so that values look
 * as they do everywhere else: on a terminal a heading and a table (a
 * section of one record as lines of field and value), in JSON one object of
 * sections, in CSV and TSV a record per value. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "records/records.h"

#define PAGE_MASKS 32

struct crm_page {
	FILE *out;
	enum crm_format fmt;
	crm_writer *section; /* the section being written (table, json) */
	crm_writer *values;  /* csv, tsv: section, row, field, value */
	char *name;
	size_t ncols;
	char **names;
	bool one;            /* a section of one record */
	long rows, sections;
	char *masks[PAGE_MASKS];
	size_t nmasks;
	crm_buf masked;
	crm_value *shown;
};

static const char *const value_columns[4] = {"section", "row", "field", "value"};

crm_page *crm_page_new(FILE *out, enum crm_format fmt)
{
	crm_page *p = crm_xmalloc(sizeof *p);
	*p = (crm_page){.out = out, .fmt = fmt};
	if (fmt == CRM_FMT_CSV || fmt == CRM_FMT_TSV)
		p->values = crm_writer_new(out, fmt, 4, value_columns, 0);
	return p; /* json's "{" waits for the first section: an error before it writes nothing */
}

int crm_page_mask(crm_page *p, const char *fields, crm_error *err)
{
	char *list = crm_xstrdup(fields), *save = NULL;
	int rc = CRM_OK;
	for (char *f = strtok_r(list, ",", &save); f && rc == CRM_OK; f = strtok_r(NULL, ",", &save)) {
		if (p->nmasks == PAGE_MASKS)
			rc = crm_error_set(err, CRM_EUSAGE, "--mask names at most %d fields", PAGE_MASKS);
		else
			p->masks[p->nmasks++] = crm_xstrdup(f);
	}
	free(list);
	return rc;
}

static bool is_masked(const crm_page *p, const char *name)
{
	for (size_t i = 0; i < p->nmasks; i++)
		if (!strcmp(p->masks[i], name))
			return true;
	return false;
}

/* The section's writer is finished, and its end written. */
static int end_section(crm_page *p, bool finish, crm_error *err)
{
	int rc = CRM_OK;
	if (p->section) {
		if (finish && p->fmt == CRM_FMT_TABLE && p->rows == 0)
			fputs("(none)\n", p->out);
		else if (finish)
			rc = crm_writer_finish(p->section, err);
		crm_writer_free(p->section);
		p->section = NULL;
	}
	for (size_t i = 0; i < p->ncols; i++)
		free(p->names[i]);
	free(p->names);
	free(p->name);
	free(p->shown);
	p->names = NULL;
	p->name = NULL;
	p->shown = NULL;
	p->ncols = 0;
	return rc;
}

/* "grade_changes" as a heading: GRADE CHANGES. */
static void heading(crm_page *p, const char *name)
{
	if (p->sections)
		putc('\n', p->out);
	for (const char *s = name; *s; s++)
		putc(*s == '_' ? ' ' : toupper((unsigned char)*s), p->out);
	putc('\n', p->out);
}

static const char *const pair_columns[2] = {"field", "value"};

int crm_page_section(crm_page *p, const char *name, size_t ncols, const char *const *names,
		     bool one, crm_error *err)
{
	int rc = end_section(p, true, err);
	if (rc != CRM_OK)
		return rc;
	p->name = crm_xstrdup(name);
	p->ncols = ncols;
	p->names = crm_xmalloc((ncols + 1) * sizeof *p->names);
	for (size_t i = 0; i < ncols; i++)
		p->names[i] = crm_xstrdup(names[i]);
	p->shown = crm_xmalloc((ncols + 1) * sizeof *p->shown);
	p->one = one;
	p->rows = 0;
	if (p->fmt == CRM_FMT_TABLE) {
		heading(p, name);
		p->section = one ? crm_writer_new(p->out, CRM_FMT_TABLE, 2, pair_columns, CRM_WRITE_NO_HEADER)
				 : crm_writer_new(p->out, CRM_FMT_TABLE, ncols, names, 0);
	} else if (p->fmt == CRM_FMT_JSON) {
		fprintf(p->out, "%s\"%s\":", p->sections ? "," : "{", name); /* our own names */
		p->section = crm_writer_new(p->out, CRM_FMT_JSON, ncols, names,
					    one ? CRM_WRITE_OBJECT : 0);
	}
	p->sections++;
	return CRM_OK;
}

static int put_values(crm_page *p, const crm_value *values, crm_error *err)
{
	char row[24];
	snprintf(row, sizeof row, "%ld", p->rows + 1);
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < p->ncols; i++) {
		crm_value v = values[i].type == CRM_LIST || values[i].type == CRM_JSON ||
					      values[i].type == CRM_NULL
				      ? values[i]
				      : (crm_value){CRM_TEXT, values[i].s, values[i].len};
		crm_value rec[4] = {{CRM_TEXT, p->name, strlen(p->name)},
				    {CRM_INT, row, strlen(row)},
				    {CRM_TEXT, p->names[i], strlen(p->names[i])},
				    v};
		rc = crm_writer_put(p->values, rec, err);
	}
	return rc;
}

/* A record of one section on a terminal: a line for each field with a value. */
static int put_pairs(crm_page *p, const crm_value *values, crm_error *err)
{
	int rc = CRM_OK;
	for (size_t i = 0; rc == CRM_OK && i < p->ncols; i++) {
		if (values[i].type == CRM_NULL || !values[i].s || !values[i].len)
			continue;
		crm_value pair[2] = {{CRM_TEXT, p->names[i], strlen(p->names[i])}, values[i]};
		pair[1].type = CRM_TEXT; /* left-aligned under each other */
		rc = crm_writer_put(p->section, pair, err);
	}
	return rc;
}

int crm_page_put(crm_page *p, const crm_value *values, crm_error *err)
{
	for (size_t i = 0; i < p->ncols; i++) {
		p->shown[i] = values[i];
		if (!p->nmasks || !is_masked(p, p->names[i]) || !values[i].s ||
		    values[i].type == CRM_NULL)
			continue;
		crm_mask_value(p->names[i], values[i].s, values[i].len, &p->masked);
		p->shown[i] = (crm_value){CRM_TEXT, crm_xstrdup(p->masked.p), p->masked.len};
	}
	int rc;
	if (p->values)
		rc = put_values(p, p->shown, err);
	else if (p->fmt == CRM_FMT_TABLE && p->one)
		rc = put_pairs(p, p->shown, err);
	else
		rc = crm_writer_put(p->section, p->shown, err);
	for (size_t i = 0; i < p->ncols; i++)
		if (p->shown[i].s != values[i].s)
			free((char *)p->shown[i].s);
	p->rows++;
	return rc;
}

int crm_page_finish(crm_page *p, crm_error *err)
{
	int rc = end_section(p, true, err);
	if (rc == CRM_OK && p->values)
		rc = crm_writer_finish(p->values, err);
	if (rc == CRM_OK && p->fmt == CRM_FMT_JSON)
		fputs(p->sections ? "}\n" : "{}\n", p->out);
	if (rc == CRM_OK && fflush(p->out) != 0)
		rc = crm_error_set(err, CRM_EDB, "write error");
	return rc;
}

void crm_page_free(crm_page *p)
{
	if (!p)
		return;
	end_section(p, false, NULL);
	crm_writer_free(p->values);
	for (size_t i = 0; i < p->nmasks; i++)
		free(p->masks[i]);
	crm_buf_free(&p->masked);
	free(p);
}
