/* libFuzzer target: the config cache reader.  Each input gets a fixed key
 * and a valid checksum (cgh_cache_seal), so that the fuzzer reaches the
 * checks behind them; what decodes is encoded and decoded again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cgh_config *fresh(void)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	if (cgh_config_from_text("fuzz.conf", "", 8ull << 30, &cfg, &diag) != 0)
		abort();
	return cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cgh_cache_key key = { .dev = 1, .ino = 2, .phys_mem = 8ull << 30 };
	struct cgh_config *cfg = fresh(), *again = fresh();
	struct cgh_error err = { 0 };
	unsigned char *buf = malloc(size + 1), *image = NULL;
	size_t len = 0;

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	cgh_cache_seal(buf, size, &key);
	if (cgh_cache_decode(buf, size, &key, cfg, &err) == 0) {
		if (cgh_cache_encode(cfg, &key, &image, &len) != 0 ||
		    cgh_cache_decode(image, len, &key, again, &err) != 0 ||
		    again->n_rules != cfg->n_rules || strcmp(again->base, cfg->base) != 0)
			abort();
	} else if (cfg->arena != NULL || cfg->n_rules != 0 || err.msg[0] == '\0') {
		abort();
	}
	free(image);
	free(buf);
	cgh_config_free(again);
	cgh_config_free(cfg);
	return 0;
}
