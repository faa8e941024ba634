/* campaign.c: campaign exports with frequency control (内容定向推送,
 * 推送频率控制). The customers written are the ones recorded as contacted,
 * by one event each (type contact, attribute campaign), in the caller's
 * transaction, so that output and record agree. */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"

int crm_campaign_cap(crm_db *db, const char *cap, crm_expr **out, crm_error *err)
{
	*out = NULL;
	const char *slash = strchr(cap, '/');
	long times = 1;
	const char *window = cap;
	if (slash) {
		char *end;
		times = strtol(cap, &end, 10);
		if (end != slash || times < 1 || times > 1000)
			times = 0;
		window = slash + 1;
	}
	int days;
	if (!times || crm_window_days(window, &days) != CRM_OK || days < 1)
		return crm_error_set(err, CRM_EUSAGE, "--cap '%s': give a window (7d), or times in a window"
				     " (4/30d: fewer than 4 contacts in 30 days)", cap);
	char text[96];
	snprintf(text, sizeof text, "count(contact, %dd) < %ld", days, times);
	return crm_expr_new(out, db, text, err);
}

/* The campaign's name goes in an event attribute, which exports show. */
static int register_attribute(crm_db *db, const crm_clock *clock, crm_error *err)
{
	crm_sql q;
	crm_sql_init(&q, db, NULL);
	crm_sql_insert_ignore(&q, "custom_fields");
	crm_sql_add(&q, " (kind, name, added_at) VALUES ('event', 'campaign', ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ")");
	int rc = crm_sql_exec(&q, NULL, err);
	crm_sql_free(&q);
	return rc;
}

static int record_contacts(crm_db *db, const char *campaign, const crm_expr *where,
			   const crm_clock *clock, long *recorded, crm_error *err)
{
	int rc = register_attribute(db, clock, err);
	crm_sql q;
	crm_sql_init(&q, db, clock);
	crm_sql_add(&q, "INSERT INTO events (cid, type, ts, attrs) SELECT x.cid, 'contact', ");
	crm_sql_text(&q, clock->now);
	crm_sql_add(&q, ", json_object('campaign', ");
	crm_sql_text(&q, campaign);
	crm_sql_add(&q, ") FROM (");
	crm_sql_chosen_cids(&q, where, err, &rc);
	crm_sql_add(&q, ") x");
	if (rc == CRM_OK)
		rc = crm_sql_exec(&q, recorded, err);
	crm_sql_free(&q);
	return rc;
}

int crm_campaign_export(crm_db *db, const char *campaign, const crm_expr *where,
			const crm_fields *fields, const crm_order *order, const crm_clock *clock,
			bool dry_run, crm_writer *out, long *written, crm_error *err)
{
	*written = 0;
	if (!*campaign || strlen(campaign) > 100)
		return crm_error_set(err, CRM_EUSAGE, "a campaign's name has 1 to 100 bytes");
	crm_query *q;
	if (crm_query_new(&q, db, fields, where, order, clock, err) != CRM_OK)
		return err->code;
	int rc = crm_query_all(q, out, written, err);
	crm_query_free(q);
	long recorded = *written;
	if (rc == CRM_OK && !dry_run)
		rc = record_contacts(db, campaign, where, clock, &recorded, err);
	if (rc == CRM_OK && recorded != *written) /* the same choice twice in one transaction */
		rc = crm_error_set(err, CRM_EDB, "%ld customers written but %ld recorded", *written,
				   recorded);
	return rc;
}
