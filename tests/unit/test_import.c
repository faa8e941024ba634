/* The import: upsert, no blanking, --replace, --match, stable ids,
 * duplicates, events and their ids, and the bulk path. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "crm.h"
#include "tap.h"

static char dbpath[64];
static crm_clock now;

struct results {
	int stored, rejected;
	char last_reason[2048];
	char last_id[64];
};

static void on_stored(void *ctx, const crm_record *rec)
{
	struct results *r = ctx;
	r->stored++;
	const crm_value *id = crm_record_get(rec, "id");
	snprintf(r->last_id, sizeof r->last_id, "%s", id && id->s ? id->s : "");
}

static void on_rejected(void *ctx, const crm_record *rec, const crm_error *why)
{
	struct results *r = ctx;
	(void)rec;
	r->rejected++;
	snprintf(r->last_reason, sizeof r->last_reason, "%s", why->msg);
}

/* Imports CSV text; returns the counts of kind. */
static crm_import_counts run(const char *csv, crm_import_opts opts, struct results *res)
{
	crm_db *db;
	crm_error err;
	crm_import_counts counts[2] = {{0}, {0}};
	memset(res, 0, sizeof *res);
	if (crm_db_open(&db, dbpath, 0, &err) != CRM_OK)
		return counts[0];
	opts.clock = &now;
	opts.stored = on_stored;
	opts.rejected = on_rejected;
	opts.ctx = res;
	crm_import *imp;
	crm_import_begin(&imp, db, &opts, &err);
	FILE *f = tmpfile();
	fputs(csv, f);
	rewind(f);
	crm_reader *r = crm_reader_new(f, "t", CRM_FMT_AUTO);
	const crm_record *rec;
	enum crm_read rc;
	while ((rc = crm_reader_next(r, &rec, &err)) == CRM_READ_OK || rc == CRM_READ_BAD_ROW) {
		if (rc == CRM_READ_OK)
			crm_import_record(imp, rec, &err);
		else
			crm_import_reject(imp, rec, &err, &err);
	}
	crm_import_end(imp, CRM_IMPORT_COMMIT, counts, &err);
	crm_reader_free(r);
	fclose(f);
	crm_db_close(db);
	return counts[opts.kind];
}

static char *one(const char *query)
{
	static char buf[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	buf[0] = '\0';
	sqlite3_open(dbpath, &db);
	if (sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, sizeof buf, "%s",
			 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "NULL");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

static const crm_import_opts customers = {.kind = CRM_CUSTOMERS};

static void upsert(void)
{
	struct results res;
	crm_import_counts n = run("id,name,phone,city,level\n1,张三,13800138000,上海,gold\n2,李四,,北京,\n",
				  customers, &res);
	CHECK_INT(n.inserted, 2);
	CHECK_INT(res.stored, 2);
	CHECK_STR(one("SELECT attrs FROM customers WHERE id = '1'"), "{\"level\":\"gold\"}");
	CHECK_STR(one("SELECT count(*) FROM custom_fields WHERE name = 'level'"), "1");
	n = run("id,name,city,level\n1,,杭州,\n", customers, &res);
	CHECK_INT(n.updated, 1);
	CHECK_STR(one("SELECT name || city || phone FROM customers WHERE id = '1'"), "张三杭州13800138000");
	CHECK_STR(one("SELECT attrs FROM customers WHERE id = '1'"), "{\"level\":\"gold\"}");
	n = run("id,name,city\n1,张三,杭州\n", customers, &res);
	CHECK_INT(n.unchanged, 1);
	crm_import_opts replace = customers;
	replace.replace = true;
	n = run("id,city,level\n1,,\n", replace, &res);
	CHECK_INT(n.updated, 1);
	CHECK_STR(one("SELECT coalesce(city, 'NULL') || ':' || coalesce(attrs, 'NULL') FROM customers WHERE id = '1'"),
		  "NULL:NULL");
	CHECK_STR(one("SELECT name FROM customers WHERE id = '1'"), "张三"); /* not in the input: kept */
}

static void duplicates_and_ids(void)
{
	struct results res;
	crm_import_counts n = run("id,name\n7,a\n7,b\n7,\n", customers, &res);
	CHECK_INT(n.inserted, 1);
	CHECK_INT(n.merged, 1); /* the empty name agrees */
	CHECK_INT(n.rejected, 1);
	CHECK_STR(res.last_reason, "name: 'b' disagrees with line 2 ('a') for customer '7'"
				   " (--on-conflict first or last chooses)");
	CHECK_STR(one("SELECT name FROM customers WHERE id = '7'"), "a");
	crm_import_opts last = customers;
	last.on_conflict = CRM_CONFLICT_LAST;
	n = run("id,name\n7,c\n7,d\n7,\n", last, &res);
	CHECK_INT(n.updated, 1);
	CHECK_INT(n.merged, 2);
	CHECK_STR(one("SELECT name FROM customers WHERE id = '7'"), "d");
	crm_import_opts keep = customers;
	keep.on_conflict = CRM_CONFLICT_FIRST;
	n = run("id,name,level\n7,e,1\n7,f,2\n", keep, &res);
	CHECK_INT(n.merged, 1);
	CHECK_STR(one("SELECT name || attrs FROM customers WHERE id = '7'"), "e{\"level\":\"1\"}");
	n = run("name\n赵七\n赵七\n", customers, &res);
	CHECK_INT(n.rejected, 2); /* a name alone names nobody */
	crm_import_opts new_ids = customers;
	new_ids.new_ids = true;
	n = run("name\n赵七\n赵七\n", new_ids, &res);
	CHECK_INT(n.inserted, 2);
	CHECK_STR(one("SELECT count(DISTINCT id) FROM customers WHERE name = '赵七'"), "2");
	n = run("name,phone\n王五,+86 139 0000 1111\n", customers, &res);
	CHECK_INT(n.inserted, 1);
	char first[64];
	snprintf(first, sizeof first, "%s", res.last_id);
	CHECK(first[0] == 'c' && strlen(first) == 13);
	n = run("name,phone\n王五,13900001111\n", customers, &res);
	CHECK_INT(n.unchanged, 1); /* the same phone gives the same id */
	CHECK_STR(res.last_id, first);
	crm_import_opts match = customers;
	match.match = CRM_MATCH_PHONE;
	n = run("phone,city\n13800138000,苏州\n", match, &res);
	CHECK_INT(n.updated, 1);
	CHECK_STR(res.last_id, "1");
	run("id,phone\n8,13700000000\n9,13700000000\n", customers, &res);
	n = run("phone,city\n13700000000,苏州\n", match, &res);
	CHECK_INT(n.rejected, 1);
	CHECK_STR(res.last_reason, "phone: '13700000000' matches more than one customer ('8', '9')");
	n = run("city\n上海\n", customers, &res);
	CHECK_INT(n.rejected, 1);
	CHECK_STR(res.last_reason, "no id, phone, email, wechat_id, openid or unionid to tell who this is");
	n = run("id,phone,email,birthday\n10,123,x@,2023-02-29\n", customers, &res);
	CHECK_STR(res.last_reason, "phone: '123' is not a mobile number\n"
				   "email: 'x@' is not an email address\n"
				   "birthday: '2023-02-29' is not a real date");
	n = run("id,age\n11,30\n", customers, &res);
	CHECK_INT(n.rejected + n.inserted, 0); /* a bad column stops the import */
}

static const crm_import_opts events = {.kind = CRM_EVENTS};

static void event_rows(void)
{
	struct results res;
	crm_import_counts n = run("customer_id,type,ts,amount,order_date\n"
				  "1,Purchase,2024/5/1 10:00,¥1299,2024年5月1日\n"
				  "nobody,visit,2024-05-02,,\n", events, &res);
	CHECK_INT(n.inserted, 1);
	CHECK_INT(n.rejected, 1);
	CHECK_STR(res.last_reason, "customer_id: unknown customer 'nobody' (add the customer first, or use --create-missing)");
	CHECK_STR(one("SELECT type || ts || amount_cents || attrs FROM events"),
		  "purchase2024-05-01T10:00:00129900{\"order_date\":\"2024-05-01\"}");
	crm_import_opts create = events;
	create.create_missing = true;
	n = run("customer_id,type,ts\nnobody,visit,2024-05-02\n", create, &res);
	CHECK_INT(n.inserted, 1);
	CHECK_INT(n.created, 1);
	n = run("customer_id,id,type,ts,amount\n1,O-1,purchase,2024-05-03,10\n1,O-1,purchase,2024-05-03,12\n",
		events, &res);
	CHECK_INT(n.inserted, 1);
	CHECK_INT(n.merged, 1);
	CHECK_STR(one("SELECT amount_cents FROM events WHERE ref = 'O-1'"), "1200");
	n = run("customer_id,id,type,ts,amount\n1,O-1,purchase,2024-05-03,\n", events, &res);
	CHECK_INT(n.unchanged, 1); /* an empty amount does not blank the stored one */
	n = run("customer_id,id,type,ts,amount\n1,O-1,refund,2024-05-04,12\n", events, &res);
	CHECK_INT(n.updated, 1);
	CHECK_STR(one("SELECT type FROM events WHERE ref = 'O-1'"), "refund");
}

static void bulk(void)
{
	size_t n = 60000;
	char *csv = malloc(n * 40 + 64);
	char *p = csv + sprintf(csv, "customer_id,type,ts,amount\n");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%d,visit,2024-01-%02zu,%zu\n", i % 2 ? 1 : 2, 1 + i % 28, i);
	struct results res;
	crm_import_counts c = run(csv, events, &res);
	free(csv);
	CHECK_INT(c.inserted, n);
	CHECK_STR(one("SELECT count(*) FROM events WHERE type = 'visit' AND ts < '2024-02'"), "60000");
	/* the index dropped for the bulk load is back */
	CHECK_STR(one("SELECT count(*) FROM sqlite_schema WHERE name = 'events_by_customer'"), "1");
	CHECK_STR(one("PRAGMA integrity_check"), "ok");
}

void test_import(void)
{
	snprintf(dbpath, sizeof dbpath, "/tmp/crm-unit-import-%d.db", (int)getpid());
	crm_error err;
	crm_clock_init(&now, "2024-06-01", &err);
	upsert();
	duplicates_and_ids();
	event_rows();
	bulk();
	char wal[80];
	unlink(dbpath);
	snprintf(wal, sizeof wal, "%s-wal", dbpath);
	unlink(wal);
	snprintf(wal, sizeof wal, "%s-shm", dbpath);
	unlink(wal);
}
