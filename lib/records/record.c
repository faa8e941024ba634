/* record.c: records as readers hand them out and the import stores them. */
#include <stdlib.h>
#include <string.h>

#include "records/records.h"

void crm_builder_reset(struct crm_builder *b)
{
	crm_buf_reset(&b->text);
	b->n = 0;
}

static void builder_grow(struct crm_builder *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->name_off = crm_xrealloc(b->name_off, b->cap * sizeof *b->name_off);
		b->val_off = crm_xrealloc(b->val_off, b->cap * sizeof *b->val_off);
		b->val_len = crm_xrealloc(b->val_len, b->cap * sizeof *b->val_len);
		b->type = crm_xrealloc(b->type, b->cap * sizeof *b->type);
		b->names = crm_xrealloc(b->names, b->cap * sizeof *b->names);
		b->values = crm_xrealloc(b->values, b->cap * sizeof *b->values);
		b->ref = crm_xrealloc(b->ref, b->cap * sizeof *b->ref);
	}
}

void crm_builder_add(struct crm_builder *b, const char *name, crm_type type,
			const char *s, size_t len)
{
	builder_grow(b);
	size_t i = b->n++;
	b->ref[i] = NULL;
	b->name_off[i] = SIZE_MAX;
	if (name) {
		b->name_off[i] = b->text.len;
		crm_buf_add(&b->text, name, strlen(name) + 1);
	}
	b->type[i] = type;
	b->val_off[i] = b->text.len;
	b->val_len[i] = len;
	crm_buf_add_string(&b->text, s ? s : "", len);
}

void crm_builder_add_ref(struct crm_builder *b, const char *s, size_t len)
{
	builder_grow(b);
	size_t i = b->n++;
	b->ref[i] = s;
	b->name_off[i] = SIZE_MAX;
	b->type[i] = CRM_TEXT;
	b->val_len[i] = len;
}

const crm_record *crm_builder_finish(struct crm_builder *b, char **header,
					size_t nheader, long line)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->name_off[i] != SIZE_MAX)
			b->names[i] = b->text.p + b->name_off[i];
		else
			b->names[i] = i < nheader ? header[i] : "";
		b->values[i].type = b->type[i];
		b->values[i].s = b->type[i] == CRM_NULL ? NULL
				 : b->ref[i] ? b->ref[i] : b->text.p + b->val_off[i];
		b->values[i].len = b->val_len[i];
	}
	b->rec.n = b->n;
	b->rec.names = b->names;
	b->rec.values = b->values;
	b->rec.line = line;
	b->rec.source_names = NULL;
	return &b->rec;
}

void crm_builder_free(struct crm_builder *b)
{
	crm_buf_free(&b->text);
	free(b->name_off);
	free(b->ref);
	free(b->val_off);
	free(b->val_len);
	free(b->type);
	free(b->names);
	free(b->values);
}

const char *crm_record_source_name(const crm_record *rec, size_t i)
{
	return rec->source_names && rec->source_names[i][0] ? rec->source_names[i] : rec->names[i];
}

const crm_value *crm_record_get(const crm_record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->names[i], name) == 0)
			return &rec->values[i];
	return NULL;
}

const char *crm_record_customer_id(const crm_record *rec)
{
	const crm_value *v = crm_record_get(rec, "customer_id");
	if (!v || !v->s)
		v = crm_record_get(rec, "id");
	return v && v->s ? v->s : NULL;
}
