/* A libFuzzer target for the expression language: every input is parsed and
 * checked; what parses is compiled, and the SQL must prepare (a failure there
 * is a compiler bug) and run over a small database. No input may crash,
 * leak or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"
#include "import/import.h"

static crm_db *db;
static crm_clock clock_;

static void fixture(void)
{
	char path[] = "/tmp/crm-fuzz-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path);
	crm_error err;
	if (crm_db_open(&db, path, 0, &err) != CRM_OK)
		abort();
	crm_clock_init(&clock_, "2024-06-30", &err);
	crm_db_exec(db,
		    "INSERT INTO customers (id, name, phone, city, birthday, created_at, updated_at, attrs)"
		    " VALUES ('C1', '张三', '13800000001', '上海', '1990-06-30', '2024-01-01', '2024-01-01',"
		    " '{\"level\":\"gold\",\"visits\":\"5\",\"signup_date\":\"2024-06-01\"}'),"
		    " ('C2', '李四', NULL, '北京', NULL, '2024-01-01', '2024-01-01', NULL);"
		    "INSERT INTO custom_fields VALUES ('customer', 'level', '2024-01-01'),"
		    " ('customer', 'visits', '2024-01-01'), ('customer', 'signup_date', '2024-01-01');"
		    "INSERT INTO events (cid, type, ts, amount_cents) VALUES (1, 'purchase', '2024-06-01T10:00:00', 100),"
		    " (1, 'visit', '2024-06-20T10:00:00', NULL);"
		    "INSERT INTO segments (name, expr, created_at, updated_at) VALUES"
		    " ('高价值', 'sum(purchase) > 0', '2024-01-01', '2024-01-01'),"
		    " ('loop', 'segment(''loop'')', '2024-01-01', '2024-01-01');",
		    NULL);
	unlink(path); /* the open file lives on; nothing is left behind */
}

static void run(const crm_expr *e)
{
	crm_sql q;
	crm_error err;
	crm_sql_init(&q, db, &clock_);
	crm_sql_add(&q, "SELECT c.id FROM customers c WHERE ");
	if (crm_expr_emit(e, &q, &err) == CRM_OK) {
		crm_stmt *st;
		if (crm_sql_prepare(&q, &st, &err) != CRM_OK)
			abort(); /* checked expressions always compile to valid SQL */
		while (crm_stmt_step(st) == CRM_ROW)
			;
		crm_stmt_finalize(st);
	}
	crm_sql_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		fixture();
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	crm_expr *e;
	crm_error err;
	if (strlen(text) == size && crm_utf8_valid_prefix(text, size) == size &&
	    crm_expr_new(&e, db, text, &err) == CRM_OK) {
		run(e);
		crm_expr_free(e);
	}
	free(text);
	return 0;
}
