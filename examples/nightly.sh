#!/bin/sh
# The nightly job: the tag rules, the scores of everyone, and a mail of the
# customers who fell from A or B to C or D today (流失预警). Mail goes to
# $MAILTO with mail(1); without MAILTO it is written to stdout, for cron to
# mail. Nothing is mailed when nothing fell.
#   CRM_DB, CRM_NOW: as for every crm command (crm(7)).
#   CRM_NIGHTLY_MODEL: the model to grade by (default: the setting score.model).
set -eu
model=${CRM_NIGHTLY_MODEL:+-m $CRM_NIGHTLY_MODEL}

crm-tag -q --apply > /dev/null
# shellcheck disable=SC2086 # $model is an option and its value, or nothing
crm-score -q $model --all > /dev/null
crm-score -q -m rfm --all > /dev/null
# shellcheck disable=SC2086
fell=$(crm-score $model --changes --since 1d --from A,B --to C,D -o table)
if [ "$(printf '%s\n' "$fell" | wc -l)" -gt 1 ]; then # a line under the header
	if [ -n "${MAILTO:-}" ]; then
		printf '%s\n' "$fell" | mail -s "crm: customers who fell today" "$MAILTO"
	else
		printf 'Customers who fell from A or B to C or D today:\n%s\n' "$fell"
	fi
fi
