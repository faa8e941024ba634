/* db.c: opening and creating the database, its settings, and schema migrations. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/store.h"

/* 'CRM1': marks the file as ours, so that another program's database is refused. */
#define CRM_APPLICATION_ID 0x43524d31

/* build/lib/store/migrations.c, made from lib/store/migrations/NNN-*.sql. */
extern const char *const crm_migrations[];
extern const int crm_migrations_count;

char *crm_db_default_path(const char *crm_db, const char *xdg_data_home, const char *home)
{
	crm_buf b = {0};
	if (crm_db && *crm_db)
		crm_buf_adds(&b, crm_db);
	else if (xdg_data_home && *xdg_data_home)
		crm_buf_printf(&b, "%s/crm/crm.db", xdg_data_home);
	else if (home && *home)
		crm_buf_printf(&b, "%s/.local/share/crm/crm.db", home);
	return b.p;
}

/* Makes the folders above path, each 0700, like mkdir -p. */
static int make_parent_dirs(const char *path, crm_error *err)
{
	char *dir = crm_xstrdup(path);
	int rc = CRM_OK;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			rc = crm_error_set(err, CRM_EDB, "%s: cannot create folder: %s", dir,
					   strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/* Creates the file with mode 0600 before SQLite opens it: SQLite would use
 * the umask, and customer data is for its owner only. */
static int create_file(const char *path, unsigned flags, crm_error *err)
{
	if (access(path, F_OK) == 0)
		return CRM_OK;
	if ((flags & CRM_DB_MKDIR) && make_parent_dirs(path, err) != CRM_OK)
		return CRM_EDB;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return crm_error_set(err, CRM_EDB, "%s: cannot create database: %s", path,
				     strerror(errno));
	if (fd >= 0)
		close(fd);
	return CRM_OK;
}

/* ---- a database this process may only read ---- */

static bool exists(const char *path, const char *suffix)
{
	crm_buf b = {0};
	crm_buf_printf(&b, "%s%s", path, suffix);
	bool there = access(b.p, F_OK) == 0;
	free(b.p);
	return there;
}

/* Whether this user may write path+suffix: yes, no, or there is no such
 * file. Asked in one call: a -wal file that the last other connection takes
 * away between two questions is missing, not unwritable. */
enum file_write { FILE_WRITABLE, FILE_MISSING, FILE_NOT_WRITABLE };

static enum file_write may_write(const char *path, const char *suffix)
{
	crm_buf b = {0};
	crm_buf_printf(&b, "%s%s", path, suffix);
	enum file_write w = access(b.p, W_OK) == 0 ? FILE_WRITABLE
			    : errno == ENOENT	  ? FILE_MISSING
						  : FILE_NOT_WRITABLE;
	free(b.p);
	return w;
}

static bool folder_writable(const char *path)
{
	char *dir = crm_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *folder = !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);
	bool ok = access(folder, W_OK | X_OK) == 0;
	free(dir);
	return ok;
}

/* NULL when this process can change the database, else why not. SQLite
 * writes the file, its -wal and its -shm, and makes those two in the folder
 * when they are not there. access() answers for this user: root may write a
 * 0444 file, and nobody may write on a read-only mount. */
static const char *why_read_only(const char *path)
{
	if (access(path, W_OK) != 0)
		return errno == EROFS ? "on a read-only file system" : "its file is not writable";
	enum file_write wal = may_write(path, "-wal"), shm = may_write(path, "-shm");
	if (wal == FILE_NOT_WRITABLE || shm == FILE_NOT_WRITABLE)
		return "its -wal or -shm file is not writable";
	if ((wal == FILE_MISSING || shm == FILE_MISSING) && !folder_writable(path))
		return "its folder is not writable, and SQLite keeps its -wal and -shm files there";
	return NULL;
}

/* A URI for sqlite3_open_v2 that reads path without writing a byte: with
 * no -wal file, no other command has it open and the file holds it all, so
 * it is read as it stands (immutable: no -shm is made, no lock taken); with
 * one, through the -shm file the writer keeps, read-only. Making either file
 * would leave it owned by this user, and the owner could not write after. */
static char *read_only_uri(const char *path)
{
	crm_buf b = {0};
	crm_buf_adds(&b, path[0] == '/' ? "file://" : "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
			crm_buf_printf(&b, "%%%02X", *p);
		else
			crm_buf_addc(&b, (char)*p);
	crm_buf_adds(&b, exists(path, "-wal") ? "?mode=ro&readonly_shm=1" : "?immutable=1");
	return b.p;
}

static int pragma_int(crm_db *db, const char *sql, int *value, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, sql, err) != CRM_OK)
		return CRM_EDB;
	int rc = crm_stmt_step(st);
	if (rc == CRM_ROW)
		*value = crm_stmt_int(st, 0);
	crm_stmt_finalize(st);
	if (rc != CRM_ROW)
		return crm_db_fail(db, err, NULL);
	return CRM_OK;
}

struct schema_state {
	int version, app_id, tables;
};

static int read_schema_state(crm_db *db, struct schema_state *s, crm_error *err)
{
	if (pragma_int(db, "PRAGMA user_version", &s->version, err) ||
	    pragma_int(db, "PRAGMA application_id", &s->app_id, err) ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_schema", &s->tables, err))
		return CRM_EDB;
	return CRM_OK;
}

static int check_ours(crm_db *db, const struct schema_state *s, crm_error *err)
{
	if (s->app_id == CRM_APPLICATION_ID || (s->app_id == 0 && s->tables == 0))
		return CRM_OK;
	return crm_error_set(err, CRM_EDB, "%s: not a crm database (it holds another program's tables)",
			     db->path);
}

static int apply_migrations(crm_db *db, int from, crm_error *err)
{
	for (int v = from; v < crm_migrations_count; v++)
		if (crm_db_exec(db, crm_migrations[v], err) != CRM_OK)
			return CRM_EDB;
	char sql[96];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 crm_migrations_count, CRM_APPLICATION_ID);
	return crm_db_exec(db, sql, err);
}

/* Brings the schema up to date in one transaction: a failed upgrade leaves
 * the file as it was, and two processes upgrading at once do it once. */
static int migrate(crm_db *db, crm_error *err)
{
	struct schema_state s;
	if (read_schema_state(db, &s, err) || check_ours(db, &s, err))
		return CRM_EDB;
	if (s.version > crm_migrations_count)
		return crm_error_set(err, CRM_EDB,
				     "%s: schema version %d is newer than this crm knows (%d): upgrade crm",
				     db->path, s.version, crm_migrations_count);
	if (s.version == crm_migrations_count) {
		db->schema_version = s.version;
		return CRM_OK;
	}
	if (db->readonly)
		return crm_error_set(err, CRM_EDB, "%s: database is read-only and needs a schema upgrade",
				     db->path);
	if (crm_db_begin(db, err) != CRM_OK)
		return CRM_EDB;
	if (read_schema_state(db, &s, err) || check_ours(db, &s, err) ||
	    (s.version < crm_migrations_count && apply_migrations(db, s.version, err))) {
		crm_db_rollback(db);
		return CRM_EDB;
	}
	db->schema_version = crm_migrations_count;
	return crm_db_commit(db, err);
}

static bool in_wal_mode(crm_db *db)
{
	crm_stmt *st;
	bool wal = false;
	if (crm_db_prepare(db, &st, "PRAGMA journal_mode", NULL) == CRM_OK &&
	    crm_stmt_step(st) == CRM_ROW)
		wal = strcmp(crm_stmt_text(st, 0), "wal") == 0;
	crm_stmt_finalize(st);
	return wal;
}

/* WAL lets readers go on while a writer works. Switching a new file to it
 * needs the file to itself, and SQLite answers "busy" at once instead of
 * waiting when another process has it open (several commands creating the
 * database together): so wait here, and look again, as the other process has
 * usually just switched it. */
static int use_wal(crm_db *db, crm_error *err)
{
	for (int waited = 0;; waited += 10) {
		if (in_wal_mode(db))
			return CRM_OK;
		int rc = sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK && in_wal_mode(db))
			return CRM_OK;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= CRM_DB_BUSY_TIMEOUT_MS)
			return crm_db_fail(db, err, "cannot use WAL mode");
		sqlite3_sleep(10);
	}
}

static int configure(crm_db *db, bool writer, crm_error *err)
{
	sqlite3_extended_result_codes(db->sql, 1);
	if (crm_function_register(db->sql) != CRM_OK)
		return crm_db_fail(db, err, "cannot register functions");
	crm_db_set_busy_timeout(db, CRM_DB_BUSY_TIMEOUT_MS);
	db->readonly = sqlite3_db_readonly(db->sql, "main") == 1;
	/* synchronous=FULL: a reported commit survives a power loss, not only a crash. */
	if (!db->readonly && use_wal(db, err) != CRM_OK)
		return CRM_EDB;
	if (crm_db_exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
			    "PRAGMA temp_store = FILE", err) != CRM_OK)
		return CRM_EDB;
	/* A bigger page cache speeds the random index updates of imports, and
	 * slows the full scans of questions (each page evicted costs more): so
	 * only writers get one. */
	return writer ? crm_db_exec(db, "PRAGMA cache_size = -16000", err) : CRM_OK;
}

/* The setting db.max_size, as SQLite's own limit: a command that would
 * pass it fails as on a full disk, and changes nothing. */
static int limit_size(crm_db *db, crm_error *err)
{
	crm_stmt *st;
	if (crm_db_prepare(db, &st, "SELECT value, (SELECT page_size FROM pragma_page_size)"
			   " FROM settings WHERE key = 'db.max_size'", err) != CRM_OK)
		return CRM_EDB;
	int64_t bytes = 0, page = 4096;
	if (crm_stmt_step(st) == CRM_ROW) {
		const char *value = crm_stmt_text(st, 0);
		page = crm_stmt_int64(st, 1);
		if (crm_size_bytes(value, &bytes) != CRM_OK)
			bytes = 0; /* empty: no limit */
	}
	crm_stmt_finalize(st);
	if (bytes == 0)
		return CRM_OK;
	char pragma[64]; /* a number computed here: PRAGMA takes no parameters */
	snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %lld",
		 (long long)(bytes / (page > 0 ? page : 4096)));
	return crm_db_exec(db, pragma, err);
}

int crm_db_open(crm_db **out, const char *path, unsigned flags, crm_error *err)
{
	*out = NULL;
	if (!path || !*path)
		return crm_error_set(err, CRM_EUSAGE,
				     "no database: use -d FILE, or set CRM_DB or HOME");
	if (create_file(path, flags, err) != CRM_OK)
		return CRM_EDB;
	crm_db *db = calloc(1, sizeof *db);
	if (!db)
		return crm_error_set(err, CRM_EDB, "out of memory");
	db->path = crm_xstrdup(path);
	/* crm reads no memory statistics: without them SQLite's allocator takes
	 * no lock and keeps no counts (3% of a bulk import). It can only be set
	 * before SQLite starts; later calls are refused and change nothing. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	const char *read_only = why_read_only(path);
	if (read_only && !(flags & CRM_DB_READ)) {
		crm_error_set(err, CRM_EDB, "%s: database is read-only (%s): this command would change it",
			      path, read_only);
		crm_db_close(db);
		return CRM_EDB;
	}
	char *uri = read_only ? read_only_uri(path) : NULL;
	/* One connection used by one thread: SQLite's own locking is not needed. */
	int rc = sqlite3_open_v2(uri ? uri : path, &db->sql,
				 (uri ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE) |
				 SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK || configure(db, !(flags & CRM_DB_READ), err) != CRM_OK ||
	    migrate(db, err) != CRM_OK) {
		if (rc != SQLITE_OK)
			crm_db_fail(db, err, "cannot open");
		if (read_only && exists(path, "-wal") && !exists(path, "-shm"))
			crm_error_set(err, CRM_EDB, "%s: cannot be read without writing: its -wal file has"
				      " no -shm file beside it (the next command of its owner puts"
				      " that right)", path);
		crm_db_close(db);
		return CRM_EDB;
	}
	if (rc == SQLITE_OK && !db->readonly && limit_size(db, err) != CRM_OK) {
		crm_db_close(db);
		return CRM_EDB;
	}
	if (db->readonly && !(flags & CRM_DB_READ)) {
		crm_error_set(err, CRM_EDB, "%s: database is read-only", path);
		crm_db_close(db);
		return CRM_EDB;
	}
	*out = db;
	return CRM_OK;
}

void crm_db_on_close(crm_db *db, void (*fn)(crm_db *db))
{
	for (int i = 0; i < db->non_close; i++)
		if (db->on_close[i] == fn)
			return;
	if (db->non_close == (int)(sizeof db->on_close / sizeof *db->on_close))
		abort(); /* a fifth layer's state: make the array longer */
	db->on_close[db->non_close++] = fn;
}

void crm_db_close(crm_db *db)
{
	if (!db)
		return;
	if (db->in_tx)
		crm_db_rollback(db);
	while (db->non_close > 0)
		db->on_close[--db->non_close](db);
	crm_audit_free(db);
	crm_event_type_free(db);
	sqlite3_close_v2(db->sql);
	free(db->path);
	free(db);
}

const char *crm_db_path(const crm_db *db)
{
	return db->path;
}

bool crm_db_read_only(const crm_db *db)
{
	return db->readonly;
}

int crm_db_schema_version(const crm_db *db)
{
	return db->schema_version;
}

void crm_db_set_busy_timeout(crm_db *db, int ms)
{
	db->busy_ms = ms;
	sqlite3_busy_timeout(db->sql, ms);
}

int crm_db_begin(crm_db *db, crm_error *err)
{
	if (crm_db_exec(db, "BEGIN IMMEDIATE", err) != CRM_OK)
		return CRM_EDB;
	db->in_tx = true;
	crm_audit_begin(db);
	return CRM_OK;
}

int crm_db_snapshot(crm_db *db, crm_error *err)
{
	if (crm_db_exec(db, "BEGIN", err) != CRM_OK)
		return CRM_EDB;
	db->in_tx = true;
	return CRM_OK;
}

int crm_db_commit(crm_db *db, crm_error *err)
{
	if (crm_audit_record(db, err) != CRM_OK || crm_db_exec(db, "COMMIT", err) != CRM_OK) {
		crm_db_rollback(db);
		return CRM_EDB;
	}
	db->in_tx = false;
	return CRM_OK;
}

void crm_db_rollback(crm_db *db)
{
	bool full = (sqlite3_extended_errcode(db->sql) & 0xff) == SQLITE_FULL;
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = false;
	/* The log of what was rolled back would keep the disk full: give its
	 * room back, so that the next command (or another program) can write. */
	if (full)
		sqlite3_exec(db->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}
