/* The seeds of fuzz_cache: each config file given, encoded as the config
 * cache with fuzz_cache's key, written to OUTDIR/<name without .conf>.
 *   cache_seeds OUTDIR tests/fuzz/seeds/NAME.conf...
 * `make fuzz-seeds` writes tests/fuzz/corpus/cache; `make check-fuzz` fails
 * when what is there is not what the cache writer of the tree makes (a new
 * cache format leaves the fuzzer stuck at the version check). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"

static const struct cgh_cache_key key = { .dev = 1, .ino = 2, .phys_mem = 8ull << 30 };

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = calloc(1, (size_t)n + 1)) != NULL && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static int write_all(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int one_seed(const char *outdir, const char *conf)
{
	const char *base = strrchr(conf, '/') ? strrchr(conf, '/') + 1 : conf;
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };
	unsigned char *image = NULL;
	char *text = slurp(conf), out[4096];
	size_t len = 0;
	int r = -EINVAL;

	snprintf(out, sizeof(out), "%s/%.*s", outdir, (int)strcspn(base, "."), base);
	if (text != NULL && cgh_config_from_text(conf, text, key.phys_mem, &cfg, &diag) == 0 &&
	    cgh_cache_encode(cfg, &key, &image, &len) == 0)
		r = write_all(out, image, len);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	if (r < 0)
		fprintf(stderr, "cache_seeds: %s: no seed written (%s)\n", conf, strerror(-r));
	cgh_diag_free(&diag);
	cgh_config_free(cfg);
	free(image);
	free(text);
	return r;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: cache_seeds OUTDIR CONF...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (one_seed(argv[1], argv[i]) < 0)
			rc = 1;
	return rc;
}
