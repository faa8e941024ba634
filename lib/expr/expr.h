/* expr.h: the expression language compiled to SQL. Its files share
 * expr/tree.h, which no other folder includes. */
#ifndef CRM_EXPR_H
#define CRM_EXPR_H

#include "store/store.h"

/* compile.c: an expression's SQL, from what crm_expr_new loaded: emitting
 * it reads nothing from the database. */
/* Appends the expression as an SQL condition over customers c. */
int crm_expr_emit(const crm_expr *e, crm_sql *q, crm_error *err);
/* Appends a value expression (crm_expr_value_new) as an SQL value over
 * customers c; its aggregates come from temp.aggs while q->aggs is set. */
int crm_expr_emit_value(const crm_expr *e, crm_sql *q, crm_error *err);

/* aggs.c: event aggregates (count, sum, ..., since) computed for every
 * customer in one pass over the events, when many expressions are run over
 * everyone: while crm_sql.aggs is set, crm_expr_emit writes each aggregate
 * as a column of temp.aggs, alias agg, which the statement must LEFT JOIN
 * on agg.cid = c.cid; crm_aggs_build then makes that table. Equal
 * aggregates share one column. */
typedef struct crm_aggs crm_aggs;
crm_aggs *crm_aggs_new(void);
void crm_aggs_free(crm_aggs *a);
/* chosen, when not NULL, limits the table to the customers it selects. */
int crm_aggs_build(crm_aggs *a, crm_db *db, const crm_clock *clock, const crm_expr *chosen,
		   crm_error *err);
/* " LEFT JOIN temp.aggs agg ON agg.cid = c.cid", or nothing with no aggregates. */
void crm_aggs_join(const crm_aggs *a, crm_sql *q);

/* expr.c */
/* An expression true for the customers whose ids are in temp.chosen_ids,
 * a table the caller makes (domain/chosen.c: crm_expr_chosen). */
crm_expr *crm_expr_chosen_new(crm_db *db);
/* True when e is the chosen set alone, whose customer ids are in
 * temp.chosen_ids: a statement can take them from there. */
bool crm_expr_is_chosen(const crm_expr *e);

/* parse.c */
/* True when the expression text calls segment('name'). */
bool crm_expr_text_uses_segment(const char *text, const char *name);
/* True when the expression text calls tag('name'). */
bool crm_expr_text_uses_tag(const char *text, const char *name);

/* catalog.c: the expression text of a saved segment; caller frees. */
int crm_segment_expr(crm_db *db, const char *name, char **text, crm_error *err);

#endif
