/* query.c: customers (or their events) out: the chosen fields of those that
 * match an expression, in the order given (order.c) or as they were stored.
 * One statement for all of them, or one per customer named. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

struct crm_query {
	crm_db *db;
	crm_fields *fields;
	crm_stmt *all, *one, *exists;
	int id_param; /* the parameter of one that takes the id */
};

static int select_list(crm_sql *q, const crm_fields *f, crm_error *err)
{
	crm_sql_add(q, "SELECT ");
	if (crm_fields_sql(f, q, err) != CRM_OK)
		return CRM_EDB;
	if (f->kind == CRM_CUSTOMERS)
		crm_sql_add(q, " FROM customers c");
	else
		crm_sql_add(q, " FROM events e JOIN customers c ON c.cid = e.cid");
	return CRM_OK;
}

/* Every matching customer, or the events of every matching customer. Both
 * walk their table in rowid order: no sort, no index. */
static int build_all(crm_sql *q, const crm_fields *f, const crm_expr *where,
		     const crm_order *order, crm_error *err)
{
	if (select_list(q, f, err) != CRM_OK)
		return CRM_EDB;
	if (f->kind == CRM_CUSTOMERS) {
		if (where) {
			crm_sql_add(q, " WHERE ");
			if (crm_expr_emit(where, q, err) != CRM_OK)
				return CRM_EDATA;
		}
		return crm_order_sql(order, q, err);
	}
	crm_sql_add(q, " WHERE e.ts < ");
	crm_sql_end(q);
	if (where) {
		crm_sql_add(q, " AND e.cid IN (SELECT c.cid FROM customers c WHERE ");
		if (crm_expr_emit(where, q, err) != CRM_OK)
			return CRM_EDATA;
		crm_sql_add(q, ")");
	}
	crm_sql_add(q, " ORDER BY e.eid");
	if (crm_order_limit(order) >= 0) {
		crm_sql_add(q, " LIMIT ");
		crm_sql_int(q, crm_order_limit(order));
	}
	return CRM_OK;
}

static int build_one(crm_sql *q, const crm_fields *f, const crm_expr *where, int *id_param,
		     crm_error *err)
{
	if (select_list(q, f, err) != CRM_OK)
		return CRM_EDB;
	crm_sql_add(q, " WHERE c.id = ");
	crm_sql_text(q, NULL);
	*id_param = (int)q->nparams;
	if (f->kind == CRM_EVENTS) {
		crm_sql_add(q, " AND e.ts < ");
		crm_sql_end(q);
	}
	if (where) {
		crm_sql_add(q, " AND ");
		if (crm_expr_emit(where, q, err) != CRM_OK)
			return CRM_EDATA;
	}
	if (f->kind == CRM_EVENTS)
		crm_sql_add(q, " ORDER BY e.eid");
	return CRM_OK;
}

int crm_query_new(crm_query **out, crm_db *db, const crm_fields *fields, const crm_expr *where,
		  const crm_order *order, const crm_clock *clock, crm_error *err)
{
	*out = NULL;
	crm_query *qr = calloc(1, sizeof *qr);
	if (!qr)
		return crm_error_set(err, CRM_EDB, "out of memory");
	qr->db = db;
	qr->fields = (crm_fields *)fields;
	crm_sql q;
	crm_sql_init(&q, db, clock);
	int rc = build_all(&q, fields, where, order, err);
	if (rc == CRM_OK)
		rc = crm_sql_prepare(&q, &qr->all, err);
	crm_sql_free(&q);
	if (rc == CRM_OK) {
		crm_sql_init(&q, db, clock);
		rc = build_one(&q, fields, where, &qr->id_param, err);
		if (rc == CRM_OK)
			rc = crm_sql_prepare(&q, &qr->one, err);
		crm_sql_free(&q);
	}
	if (rc == CRM_OK)
		rc = crm_db_prepare(db, &qr->exists, "SELECT 1 FROM customers WHERE id = ?1", err);
	if (rc != CRM_OK) {
		crm_query_free(qr);
		return rc;
	}
	*out = qr;
	return CRM_OK;
}

void crm_query_free(crm_query *qr)
{
	if (!qr)
		return;
	crm_stmt_finalize(qr->all);
	crm_stmt_finalize(qr->one);
	crm_stmt_finalize(qr->exists);
	free(qr);
}

static int write_rows(crm_query *qr, crm_stmt *st, crm_writer *out, long *rows,
		      crm_error *err)
{
	crm_fields *f = qr->fields;
	crm_value *values = crm_xmalloc((f->n + 1) * sizeof *values);
	int rc, status = CRM_OK;
	*rows = 0;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		crm_fields_row(f, st, values);
		if ((status = crm_writer_put(out, values, err)) != CRM_OK)
			break;
		(*rows)++;
	}
	free(values);
	if (status == CRM_OK && rc != CRM_DONE)
		status = crm_db_fail(qr->db, err, NULL);
	crm_stmt_reset(st);
	return status;
}

int crm_query_all(crm_query *qr, crm_writer *out, long *count, crm_error *err)
{
	long rows;
	int rc = write_rows(qr, qr->all, out, &rows, err);
	if (count)
		*count = rows;
	return rc;
}

static bool customer_exists(crm_query *qr, const char *id)
{
	crm_stmt_reset(qr->exists);
	crm_stmt_bind_text_copy(qr->exists, 1, id, -1);
	bool found = crm_stmt_step(qr->exists) == CRM_ROW;
	crm_stmt_reset(qr->exists);
	return found;
}

int crm_query_one(crm_query *qr, const char *id, crm_writer *out, bool *matched, crm_error *err)
{
	crm_stmt_bind_text_copy(qr->one, qr->id_param, id, -1);
	long rows;
	int rc = write_rows(qr, qr->one, out, &rows, err);
	if (rc != CRM_OK)
		return rc;
	*matched = rows > 0;
	if (rows == 0 && !customer_exists(qr, id))
		return crm_error_set(err, CRM_EDATA, "unknown customer '%s'", id);
	return CRM_OK;
}
