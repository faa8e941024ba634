-- Schema version 3: the audit trail. A row for each transaction that changed
-- the database, written in that transaction: who, when, the command line (a
-- JSON array of the arguments), and the rows each table gained, had changed
-- and lost, e.g. {"customers":{"added":3,"changed":1}}. erased: the number of
-- customers a crm-rm erased (their values are taken out of every args).
CREATE TABLE audit (
	aid     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	user    TEXT NOT NULL,
	command TEXT NOT NULL,
	args    TEXT NOT NULL CHECK (json_type(args) = 'array'),
	changes TEXT NOT NULL CHECK (json_type(changes) = 'object'),
	erased  INTEGER
);
