/* catalog.c: what an expression names that the database holds, read once
 * when the expression is made and before any of its SQL is emitted: the
 * custom fields and the settings that fields read, the saved segments it
 * names (and those they name, to any depth), and whether the event types
 * it names are there, for the note about a type the database has none of.
 * The compiler reads this alone. */
#include <stdlib.h>
#include <string.h>

#include "expr/tree.h"

int crm_segment_expr(crm_db *db, const char *name, char **text, crm_error *err)
{
	crm_stmt *st;
	*text = NULL;
	if (crm_db_prepare(db, &st, "SELECT expr FROM segments WHERE name = ?1", err))
		return CRM_EDB;
	crm_stmt_bind_text(st, 1, name, -1);
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW)
		*text = crm_xstrdup(crm_stmt_text(st, 0));
	crm_stmt_finalize(st);
	if (rc == CRM_ROW)
		return CRM_OK;
	if (rc == CRM_DONE)
		return crm_error_set(err, CRM_EDATA, "no saved segment '%s' (crm-segment --list)", name);
	return crm_db_fail(db, err, NULL);
}

const struct saved_segment *expr_catalog_segment(const struct expr_catalog *cat,
						 const char *name)
{
	for (size_t i = 0; i < cat->nsegments; i++)
		if (strcmp(cat->segments[i].name, name) == 0)
			return &cat->segments[i];
	return NULL;
}

/* Reads and parses segment name; when it cannot, keeps what compiling
 * segment('name') is to say. */
static void add_segment(struct expr_catalog *cat, crm_db *db, const char *name)
{
	cat->segments = crm_xrealloc(cat->segments, (cat->nsegments + 1) * sizeof *cat->segments);
	struct saved_segment *s = &cat->segments[cat->nsegments++];
	*s = (struct saved_segment){.name = crm_xstrdup(name)};
	crm_error e;
	if (crm_segment_expr(db, name, &s->text, &e) != CRM_OK) {
		s->why = crm_xstrdup(e.msg);
		return;
	}
	s->root = expr_parse(s->text, name, &e);
	if (!s->root) {
		crm_buf why = {0};
		crm_buf_printf(&why, "segment '%s' does not parse: %s", name, e.msg);
		s->why = why.p;
	}
}

/* What n names: segments to read, event types to look up. */
static void learn(struct expr_catalog *cat, crm_db *db, const struct node *n)
{
	if (n->kind == N_CALL) {
		const char *name = expr_name_arg(n);
		if (!strcmp(n->text, "segment") && name && !expr_catalog_segment(cat, name))
			add_segment(cat, db, name);
		char *type = NULL;
		if ((expr_is_aggregate(n->text) || !strcmp(n->text, "since")) && n->nkids)
			type = expr_event_type(n->kids[0]);
		if (type)
			crm_event_type_load(db, type);
		free(type);
	}
	for (size_t i = 0; i < n->nkids; i++)
		learn(cat, db, n->kids[i]);
}

int expr_catalog_load(struct expr_catalog *cat, crm_db *db, const struct node *root,
		      crm_error *err)
{
	*cat = (struct expr_catalog){0};
	if (crm_field_catalog_load(db, CRM_CUSTOMERS, &cat->fields, err) != CRM_OK)
		return CRM_EDB;
	learn(cat, db, root);
	/* then what the segments name: each is read once, so that a circle ends
	 * here and is said where it is compiled */
	for (size_t i = 0; i < cat->nsegments; i++)
		if (cat->segments[i].root)
			learn(cat, db, cat->segments[i].root);
	return CRM_OK;
}

static void free_segment(struct saved_segment *s)
{
	free(s->name);
	free(s->text);
	free(s->why);
	expr_node_free(s->root);
}

void expr_catalog_free(struct expr_catalog *cat)
{
	crm_field_catalog_free(&cat->fields);
	for (size_t i = 0; i < cat->nsegments; i++)
		free_segment(&cat->segments[i]);
	free(cat->segments);
	*cat = (struct expr_catalog){0};
}

/* Both came from one database: into takes the custom fields it lacks (from
 * may have been loaded later), or all of from's when it has none loaded
 * (the chosen set's). */
static void merge_fields(crm_field_catalog *into, crm_field_catalog *from)
{
	if (!into->loaded) {
		crm_field_catalog none = *into;
		*into = *from;
		*from = none;
		return;
	}
	for (size_t i = 0; i < from->ncustom; i++) {
		if (crm_field_catalog_has(into, from->custom[i]))
			continue;
		into->custom = crm_xrealloc(into->custom, (into->ncustom + 1) * sizeof *into->custom);
		into->custom[into->ncustom++] = from->custom[i];
		from->custom[i] = NULL;
	}
}

void expr_catalog_merge(struct expr_catalog *into, struct expr_catalog *from)
{
	merge_fields(&into->fields, &from->fields);
	for (size_t i = 0; i < from->nsegments; i++) {
		struct saved_segment *s = &from->segments[i];
		if (expr_catalog_segment(into, s->name)) {
			free_segment(s);
			continue;
		}
		into->segments = crm_xrealloc(into->segments,
					      (into->nsegments + 1) * sizeof *into->segments);
		into->segments[into->nsegments++] = *s;
	}
	free(from->segments);
	from->segments = NULL;
	from->nsegments = 0;
	expr_catalog_free(from);
}
