/* A libFuzzer target for the normalizers of SPEC's "Normalized values": the
 * first byte chooses phone, email, gender, date, timestamp or amount. What
 * one accepts it must accept again, unchanged (normalizing is idempotent),
 * and nothing may overflow its output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

typedef int (*norm_fn)(const char *in, char *out, size_t outsz, crm_error *err);

static const norm_fn text_norms[] = {crm_norm_phone, crm_norm_email, crm_norm_gender,
				     crm_norm_date, crm_norm_timestamp};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1024)
		return 0;
	char *in = malloc(size);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	unsigned which = data[0] % (sizeof text_norms / sizeof *text_norms + 1);
	crm_error err;
	if (which == sizeof text_norms / sizeof *text_norms) {
		int64_t cents, again;
		if (crm_norm_amount(in, &cents, &err) == CRM_OK) {
			char text[64];
			crm_format_amount(cents, text, sizeof text);
			if (crm_norm_amount(text, &again, &err) != CRM_OK || again != cents)
				abort(); /* an amount written out reads back the same */
		}
	} else {
		char out[256], again[256];
		if (text_norms[which](in, out, sizeof out, &err) == CRM_OK &&
		    (text_norms[which](out, again, sizeof again, &err) != CRM_OK || strcmp(out, again)))
			abort(); /* a normalized value is its own normal form */
	}
	free(in);
	return 0;
}
