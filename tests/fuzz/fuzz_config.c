/* libFuzzer target: libconfig text in, validated config (or errors) out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cgh_config_from_text("fuzz.conf", text, 8ull << 30, &cfg, &diag) == 0 && cfg == NULL)
		abort();
	cgh_config_free(cfg);
	cgh_diag_free(&diag);
	free(text);
	return 0;
}
