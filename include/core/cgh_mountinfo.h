/* How the cgroup2 hierarchy is mounted, from /proc/self/mountinfo: for
 * `cgherd check`'s notes and doctor, and for close's choice of path
 * (favordynmods, lib/core/session.c). */
#ifndef CGH_MOUNTINFO_H
#define CGH_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* In mountinfo read from f, the line whose mount point is mount_point: its
 * file system type and its super options ("rw,nsdelegate,favordynmods")
 * copied out.  Returns 0, or -ENOENT when mount_point is not a mount point. */
int cgh_mountinfo_find(FILE *f, const char *mount_point, char *fstype, size_t fstype_len,
		       char *options, size_t options_len);

/* Whether option is one of the comma-separated options.  Pure. */
bool cgh_mount_option_has(const char *options, const char *option);

/* The same from /proc/self/mountinfo; -errno when it cannot be read. */
int cgh_mount_lookup(const char *mount_point, char *fstype, size_t fstype_len, char *options,
		     size_t options_len);

#endif
