/* domain.h: what customers are given: tags, notes, segments, models, scores,
 * rfm, erasure and the suppression list, queries, campaigns. */
#ifndef CRM_DOMAIN_H
#define CRM_DOMAIN_H

#include "expr/expr.h"

/* suppress.c: the suppression list and the aliases of merged customers. */
enum { CRM_SUP_ID, CRM_SUP_PHONE, CRM_SUP_EMAIL, CRM_SUP_WECHAT, CRM_SUP_OPENID, CRM_SUP_UNIONID,
       CRM_SUP_NFIELDS };
/* Their names, which are also the hashes' field tags. */
extern const char *const crm_suppress_fields[CRM_SUP_NFIELDS];
int crm_suppress_any(crm_db *db, bool *any, crm_error *err);
/* on: the day the first of values (by field; NULL or "" for none, stored
 * forms) that is suppressed was erased, or "" when none is. */
int crm_suppressed(crm_db *db, const char *const values[CRM_SUP_NFIELDS], char on[11],
		   crm_error *err);
/* Suppresses the customers of temp.erase_ids and their aliases, making the
 * key on first need. */
int crm_suppress_erased(crm_db *db, crm_error *err);
int crm_alias_any(crm_db *db, bool *any, crm_error *err);
/* temp.merge_dups' ids become aliases of their keep; theirs follow. */
int crm_alias_merged(crm_db *db, crm_error *err);
void crm_suppress_free(crm_db *db);
/* The cid and id of the customer id is merged into; *cid 0 when none
 * (target NULL: the cid alone). */
int crm_alias_lookup(crm_db *db, const char *id, int64_t *cid, char **target, crm_error *err);

/* match.c: the statement that finds the customers with a --match key's
 * value (?1): their ids, oldest first, two at most; its text appended to q,
 * or prepared. */
void crm_match_sql(crm_sql *q, enum crm_match key);
int crm_match_prepare(crm_db *db, enum crm_match key, crm_stmt **st, crm_error *err);
/* Runs st (crm_match_prepare's) for value: *id is the customer with it (caller
 * frees), or NULL for none; CRM_EDATA when two have it, hint ending the
 * message. */
int crm_match_find(crm_db *db, crm_stmt *st, enum crm_match key, const char *value,
		   const char *hint, char **id, crm_error *err);

/* models.c: a model's grades in order, ';'-joined (rfm: its segments, Others). */
void crm_model_grades(const crm_model *m, crm_buf *out);

/* rfm.c: the cut points per measure (R, F, M) over the n customers with a
 * purchase in the window. crm_rfm_prepare leaves those customers in
 * temp.rfm_base: cid, r, f, m (in cents), and their scores rs, fs, ms. */
typedef struct crm_rfm_cutpoints {
	long n;
	double cut[3][4];
} crm_rfm_cutpoints;
int crm_rfm_prepare(crm_db *db, const crm_clock *clock, crm_rfm_cutpoints *cuts, crm_error *err);
/* The segment of temp.rfm_base b's scores, as an SQL expression. */
void crm_rfm_segment_sql(crm_sql *q, const crm_model *m);
/* Scores the customers where chooses into temp.scored. */
int crm_rfm_score(crm_db *db, const crm_model *m, const crm_expr *where, const crm_clock *clock,
		  crm_error *err);

/* notes.c: CRM_EDATA when a note's (trimmed) text is too long, not UTF-8,
 * or holds control characters other than line breaks and tabs. */
int crm_note_text_check(const char *s, size_t n, crm_error *err);

/* chosen.c: makes temp.chosen_ids, the chosen set's table, when it is not there. */
int crm_chosen_table(crm_db *db, crm_error *err);
/* "SELECT cid ..." of the customers where chooses (NULL: everyone). Ids given
 * or piped in are taken from the chosen set as they were looked up: reading
 * the customers table again for them would read most of its pages for a
 * tenth of the customers. Does nothing more once *rc is not OK. */
void crm_sql_chosen_cids(crm_sql *q, const crm_expr *where, crm_error *err, int *rc);

/* order.c: " ORDER BY ... LIMIT n" of customers c, o NULL for the order stored. */
int crm_order_sql(const crm_order *o, crm_sql *q, crm_error *err);

/* tags.c: tags given customer by customer, by hand (crm-add's tags column),
 * inside the caller's transaction. */
struct crm_tag_giver;
struct crm_tag_giver *crm_tag_giver_new(crm_db *db, const char *source, const crm_clock *clock,
					crm_error *err);
/* The ';'-joined tags of the next customer: their ids, the ones the catalog
 * lacks defined (CRM_EDATA, nothing defined, for a near-duplicate). Done
 * before the customer is written, so that a refusal leaves nothing. */
int crm_tag_giver_resolve(struct crm_tag_giver *g, const char *list, crm_error *err);
/* True when a customer could pass tags.max: the catalog, with more new
 * tags, would have more. */
bool crm_tag_giver_may_exceed(struct crm_tag_giver *g, size_t more);
/* After a rollback of the last resolve: forgets the tags it defined. */
void crm_tag_giver_forget(struct crm_tag_giver *g);
/* Gives cid the resolved tags it lacks; with replace, the ones it was given
 * by hand that are not listed go. *changed: anything did. */
int crm_tag_giver_set(struct crm_tag_giver *g, int64_t cid, bool replace, bool *changed,
		      crm_error *err);
/* CRM_EDATA when cid now carries more than tags.max tags. */
int crm_tag_giver_check(struct crm_tag_giver *g, int64_t cid, crm_error *err);
/* cid's tags now, ';'-joined; valid until the next call. */
const char *crm_tag_giver_tags(struct crm_tag_giver *g, int64_t cid);
void crm_tag_giver_free(struct crm_tag_giver *g);


#endif
