/* A libFuzzer target for the score-model parser: every input is parsed as a
 * rule model and as rfm's segment table; what parses is printed back. No
 * input may crash, leak or hang the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

static crm_db *db;

static void fixture(void)
{
	char path[] = "/tmp/crm-fuzz-model-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	unlink(path);
	crm_error err;
	if (crm_db_open(&db, path, 0, &err) != CRM_OK)
		abort();
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		fixture();
	if (size > 8192)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	crm_model *m;
	crm_error err;
	if (strlen(text) == size) {
		if (crm_model_parse(&m, db, "fuzz", text, "fuzz.model", &err) == CRM_OK)
			crm_model_free(m);
		if (crm_model_parse(&m, db, "rfm", text, "rfm.model", &err) == CRM_OK)
			crm_model_free(m);
	}
	free(text);
	return 0;
}
