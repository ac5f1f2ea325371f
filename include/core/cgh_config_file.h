/* The loader of lib/core/config.c in steps, for a loader that may take the
 * file's settings from elsewhere (the config cache, lib/cache): open and
 * check the file, then either cgh_config_file_parse or fill f->cfg from
 * another source, then cgh_config_file_finish.  cgh_config_load is exactly
 * open, parse, finish. */
#ifndef CGH_CONFIG_FILE_H
#define CGH_CONFIG_FILE_H

#include <stdint.h>
#include <sys/stat.h>

#include "cgh_config.h"

struct cgh_config_file {
	struct cgh_config *cfg;	/* fresh: the defaults and the path */
	int fd;			/* the checked file; -1 */
	struct stat st;		/* its fstat */
	uint64_t phys_mem;	/* what "N%" means (resolved: never 0) */
	struct cgh_diag *diag;
};

/* Resolves the path (conf= among args, else path, else CGH_DEFAULT_CONF),
 * makes f->cfg and opens the file safely.  Returns 0, or -errno with the
 * reason in diag (call cgh_config_file_finish all the same). */
int cgh_config_file_open(struct cgh_config_file *f, const char *path, int argc,
			 const char **argv, uint64_t phys_mem, struct cgh_diag *diag);

/* Reads and parses the file into f->cfg: 0, or -errno / -EINVAL with every
 * problem in the diag. */
int cgh_config_file_parse(struct cgh_config_file *f);

/* Closes the file, applies the module arguments, and returns 0 with *out
 * when r (the result so far) was 0 and the arguments were good; else -errno
 * and no config.  f is empty afterwards. */
int cgh_config_file_finish(struct cgh_config_file *f, int r, int argc, const char **argv,
			   struct cgh_config **out);

#endif
