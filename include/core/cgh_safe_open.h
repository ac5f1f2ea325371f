/* The safe open and read of cgherd.conf (lib/core/safe_open.c). */
#ifndef CGH_SAFE_OPEN_H
#define CGH_SAFE_OPEN_H

#include <sys/types.h>

#include "cgh_config.h"

struct stat;

/* Opens path without following a final symlink and checks the descriptor:
 * a regular file owned by root or the euid, not writable by group or
 * others, at most CGH_CONF_MAX_SIZE.  Returns the fd and *out, or -errno
 * with the reason in diag. */
int cgh_safe_open(const char *path, struct cgh_diag *diag, struct stat *out);

/* The size bytes of fd as a NUL-terminated string (malloc'd) in *out;
 * -errno with the reason in diag, -EINVAL for a NUL byte in it. */
int cgh_safe_read(int fd, off_t size, const char *path, struct cgh_diag *diag, char **out);

/* All of buf to fd, through EINTR and short writes: 0, or -errno (-EIO for
 * a write of nothing).  Only write(2): safe after a clone of a threaded host. */
int cgh_write_all(int fd, const void *buf, size_t len);

#endif
