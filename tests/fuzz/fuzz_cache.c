/* libFuzzer target: the config cache reader.  Each input gets a fixed key
 * and a valid checksum (cgh_cache_seal), so that the fuzzer reaches the
 * checks behind them.  Each is read whole and, lazily, for one user; what
 * reads whole is encoded again, and from that image the user's rules must
 * give the decision the whole config gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cgh_config *fresh(void)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	if (cgh_config_from_text("fuzz.conf", "", 8ull << 30, &cfg, &diag) != 0)
		abort();
	return cfg;
}

static char *user_groups[] = { (char[]){ "g" }, (char[]){ "students" } };
static const struct cgh_identity user = { .user = (char[]){ "u1" }, .uid = 1000,
					  .groups = user_groups, .n_groups = 2 };

/* The user's rules of image (made by the writer) decide as all of cfg's. */
static void same_decision(const unsigned char *image, size_t len, const struct cgh_cache_key *key,
			  const struct cgh_config *cfg)
{
	struct cgh_config *lazy = fresh();
	struct cgh_error err = { 0 };
	struct cgh_decision want, got;

	if (cgh_cache_open(image, len, key, lazy, &err) != 0 ||
	    cgh_config_select(lazy, &user, &err) != 0)
		abort();
	cgh_decide(cfg, &user, "sshd", &want);
	cgh_decide(lazy, &user, "sshd", &got);
	if ((want.rule == NULL) != (got.rule == NULL) || want.index != got.index ||
	    want.action != got.action)
		abort();
	cgh_config_free(lazy);
}

/* The input read for the user only: refused or read, never out of bounds. */
static void read_lazily(const unsigned char *buf, size_t size, const struct cgh_cache_key *key)
{
	struct cgh_config *lazy = fresh();
	struct cgh_error err = { 0 };
	struct cgh_decision d;

	if (cgh_cache_open(buf, size, key, lazy, &err) == 0 &&
	    cgh_config_select(lazy, &user, &err) == 0)
		cgh_decide(lazy, &user, "sshd", &d);
	cgh_config_free(lazy);
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
	read_lazily(buf, size, &key);
	if (cgh_cache_decode(buf, size, &key, cfg, &err) == 0) {
		if (cgh_cache_encode(cfg, &key, &image, &len) != 0 ||
		    cgh_cache_decode(image, len, &key, again, &err) != 0 ||
		    again->n_rules != cfg->n_rules || strcmp(again->base, cfg->base) != 0)
			abort();
		same_decision(image, len, &key, cfg);
	} else if (cfg->store != NULL || cfg->n_rules != 0 ||
		   err.msg[0] == '\0') {
		abort();
	}
	free(image);
	free(buf);
	cgh_config_free(again);
	cgh_config_free(cfg);
	return 0;
}
