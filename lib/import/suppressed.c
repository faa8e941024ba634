/* suppressed.c: an import meets the suppression list and merged customers' aliases. */
#include <string.h>

#include "import/import.h"

int import_known_ids_prepare(struct crm_import *imp, crm_error *err)
{
	if (crm_suppress_any(imp->db, &imp->suppressing, err) != CRM_OK ||
	    crm_alias_any(imp->db, &imp->aliasing, err) != CRM_OK)
		return CRM_EDB;
	return CRM_OK;
}

void import_suppressed_day(crm_import_counts *n, const char *on)
{
	if (!n->suppressed_from[0] || strcmp(on, n->suppressed_from) < 0)
		snprintf(n->suppressed_from, sizeof n->suppressed_from, "%s", on);
	if (strcmp(on, n->suppressed_to) > 0)
		snprintf(n->suppressed_to, sizeof n->suppressed_to, "%s", on);
}

int import_customer_identity(struct crm_import *imp, const char *const values[CRM_SUP_NFIELDS],
			     char **id, bool *skip, crm_error *err)
{
	*skip = false;
	if (imp->suppressing) {
		char on[11];
		if (crm_suppressed(imp->db, values, on, err) != CRM_OK)
			return CRM_EDB;
		if (on[0]) {
			import_suppressed_day(&imp->counts[CRM_CUSTOMERS], on);
			imp->counts[CRM_CUSTOMERS].suppressed++;
			*skip = true;
			return CRM_OK;
		}
	}
	int64_t cid;
	char *target = NULL;
	if (imp->aliasing && crm_alias_lookup(imp->db, *id, &cid, &target, err) != CRM_OK)
		return CRM_EDB;
	if (target) {
		free(*id);
		*id = target;
		imp->counts[CRM_CUSTOMERS].aliased++;
	}
	return CRM_OK;
}

int import_event_customer(struct crm_import *imp, const char *id, int64_t *cid,
			  crm_error *err)
{
	*cid = 0;
	if (imp->aliasing && crm_alias_lookup(imp->db, id, cid, NULL, err) != CRM_OK)
		return CRM_EDB;
	if (*cid || !imp->suppressing)
		return CRM_OK;
	const char *values[CRM_SUP_NFIELDS] = {id};
	char on[11];
	if (crm_suppressed(imp->db, values, on, err) != CRM_OK)
		return CRM_EDB;
	if (on[0]) { /* each event is counted as the batch drops it */
		import_suppressed_day(&imp->counts[CRM_EVENTS], on);
		*cid = -1;
	}
	return CRM_OK;
}
