/* A root-only state directory opened safely (lib/core/safe_dir.c): for the
 * notices' store and the penalties' state under /var/lib/cgherd. */
#ifndef CGH_SAFE_DIR_H
#define CGH_SAFE_DIR_H

#include <stdbool.h>

#include "cgh_log.h"

/* Opens dir (made 0700 first when create and it is missing; its parent
 * must exist) without following a symlink at its last component, and
 * checks it on the descriptor: a directory owned by the euid, with no
 * access for group or others.  Returns the descriptor (O_CLOEXEC), or
 * -errno with err set: -ENOENT, -ELOOP or -ENOTDIR (a symlink or not a
 * directory), -EPERM (owner or mode), -EINVAL (no name to open). */
int cgh_safe_dir_open(const char *dir, bool create, struct cgh_error *err);

#endif
