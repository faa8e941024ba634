/* event_types.c: a note when an expression names an event type the
 * database has never seen, most often a typo (purchse), listing the types
 * it has. The expression still runs: the type may come with the next import.
 *
 * One query, cheap on millions of events without a table of types that
 * every insert would keep up (a trigger costs the bulk import about a
 * tenth): SELECT DISTINCT type walks events_by_customer and hands each type
 * over as it first meets it, so a type that is there stops the walk at the
 * first customer who has one; only a type that is not there costs the whole
 * walk (about a second at five million events), which lists them all. What
 * it found is kept for the rest of the command, and each type noted once.
 * The walk is made when an expression is loaded, the note when its SQL is
 * emitted: the compiler reads nothing while it emits. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static bool listed(char *const *list, size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], type))
			return true;
	return false;
}

static void add(char ***list, size_t *n, const char *type)
{
	*list = crm_xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = crm_xstrdup(type);
}

/* Walks the types until type shows up, keeping each one met: 1 when it is
 * there, 0 when not (the list is whole then), -1 when the walk failed. */
static int look_for(crm_db *db, const char *type)
{
	struct crm_event_types *t = &db->event_types;
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT DISTINCT type FROM events", NULL) != CRM_OK)
		return -1;
	bool found = false;
	int rc;
	while (!found && (rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *one = crm_stmt_text(st, 0);
		if (!listed(t->seen, t->nseen, one))
			add(&t->seen, &t->nseen, one);
		found = !strcmp(one, type);
	}
	crm_stmt_finalize(st);
	if (found)
		return 1;
	if (rc != CRM_DONE)
		return -1;
	t->whole = true;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void note_unseen(crm_db *db, const char *type)
{
	struct crm_event_types *t = &db->event_types;
	add(&t->noted, &t->nnoted, type);
	if (t->nseen > 1)
		qsort(t->seen, t->nseen, sizeof *t->seen, by_name);
	crm_buf b = {0};
	crm_buf_printf(&b, "no '%s' events in the database; ", type);
	if (!t->nseen)
		crm_buf_adds(&b, "it has no events yet");
	for (size_t i = 0; i < t->nseen; i++)
		crm_buf_printf(&b, "%s%s", i ? ", " : "its event types: ", t->seen[i]);
	db->note(db->note_ctx, b.p);
	free(b.p);
}

/* Worth a look: a type neither met in a walk nor noted yet. contact is
 * crm's own: a campaign's --cap counts them before the first. */
static bool unknown(crm_db *db, const char *type)
{
	struct crm_event_types *t = &db->event_types;
	return db->note && strcmp(type, "contact") && !listed(t->seen, t->nseen, type) &&
	       !listed(t->noted, t->nnoted, type);
}

void crm_event_type_load(crm_db *db, const char *type)
{
	if (unknown(db, type) && !db->event_types.whole)
		look_for(db, type);
}

void crm_event_type_named(crm_db *db, const char *type)
{
	/* not whole after the look: the type is there, or the walk failed, and
	 * a failed walk says nothing: this is only a note */
	if (unknown(db, type) && db->event_types.whole)
		note_unseen(db, type);
}

void crm_event_type_free(crm_db *db)
{
	struct crm_event_types *t = &db->event_types;
	for (size_t i = 0; i < t->nseen; i++)
		free(t->seen[i]);
	for (size_t i = 0; i < t->nnoted; i++)
		free(t->noted[i]);
	free(t->seen);
	free(t->noted);
	memset(t, 0, sizeof *t);
}

void crm_db_on_note(crm_db *db, void (*note)(void *ctx, const char *text), void *ctx)
{
	db->note = note;
	db->note_ctx = ctx;
}
