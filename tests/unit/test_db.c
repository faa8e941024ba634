/* Opening, creating and migrating the database. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm.h"
#include "tap.h"

static char dir[] = "/tmp/crm-unit-XXXXXX";

static char *path(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s/%s", dir, name);
	return buf;
}

static void sql(const char *file, const char *text)
{
	sqlite3 *db;
	sqlite3_open(file, &db);
	sqlite3_exec(db, text, NULL, NULL, NULL);
	sqlite3_close(db);
}

static void create(void)
{
	crm_db *db;
	crm_error err;
	CHECK(crm_db_open(&db, path("a.db"), 0, &err) == CRM_OK);
	CHECK(crm_db_schema_version(db) >= 1);
	crm_db_close(db);
	struct stat st;
	CHECK(stat(path("a.db"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(crm_db_open(&db, path("a.db"), CRM_DB_READ, &err) == CRM_OK); /* opens again */
	crm_db_close(db);
	CHECK(crm_db_open(&db, path("new/dir/b.db"), CRM_DB_MKDIR, &err) == CRM_OK);
	crm_db_close(db);
	CHECK(stat(path("new/dir"), &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(crm_db_open(&db, path("missing/c.db"), 0, &err) == CRM_EDB);
}

static void refuse(void)
{
	crm_db *db;
	crm_error err;
	FILE *f = fopen(path("text.db"), "w");
	fputs("this is not a database, it is text long enough to have a header........"
	      "..................................................................\n", f);
	fclose(f);
	CHECK(crm_db_open(&db, path("text.db"), 0, &err) == CRM_EDB);
	CHECK(strstr(err.msg, "not a database") != NULL);
	sql(path("other.db"), "CREATE TABLE t(x)");
	CHECK(crm_db_open(&db, path("other.db"), 0, &err) == CRM_EDB);
	CHECK(strstr(err.msg, "not a crm database") != NULL);
	CHECK(crm_db_open(&db, path("future.db"), 0, &err) == CRM_OK);
	crm_db_close(db);
	sql(path("future.db"), "PRAGMA user_version = 999");
	CHECK(crm_db_open(&db, path("future.db"), 0, &err) == CRM_EDB);
	CHECK(strstr(err.msg, "schema version 999 is newer") != NULL);
	CHECK(crm_db_open(&db, "", 0, &err) == CRM_EUSAGE);
}

static void default_path(void)
{
	char *p = crm_db_default_path("/x/my.db", "/xdg", "/home/u");
	CHECK_STR(p, "/x/my.db");
	free(p);
	p = crm_db_default_path(NULL, "/xdg", "/home/u");
	CHECK_STR(p, "/xdg/crm/crm.db");
	free(p);
	p = crm_db_default_path("", "", "/home/u");
	CHECK_STR(p, "/home/u/.local/share/crm/crm.db");
	free(p);
	p = crm_db_default_path(NULL, NULL, NULL);
	CHECK(p == NULL);
}

void test_db(void)
{
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	create();
	refuse();
	default_path();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
