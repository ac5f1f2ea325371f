/* Paths in the cgroup tree, relative to the cgroup root, and the buffers
 * that hold them (lib/core/paths.c).  A path is put together from its parts
 * at the precisions named here, which fit the buffer they go into (the
 * static asserts in lib/core/paths.c say so). */
#ifndef CGH_PATHS_H
#define CGH_PATHS_H

#include <stddef.h>

#define CGH_CGROUP_ROOT_MAX 256	/* cgroup_root, with its NUL */
#define CGH_BASE_NAME_MAX 64	/* base: one directory name */
#define CGH_BASE_BUF 72		/* base, with its NUL */
#define CGH_USER_NAME_PREC 30	/* "user-UID", "user-UID.slice" */
#define CGH_USER_DIR_BUF 96	/* base/user-UID, user.slice/user-UID.slice */
#define CGH_LEAF_NAME_PREC 60	/* "session-PID-N", "session-N.scope" */
#define CGH_LEAF_BUF 160	/* base/user-UID/session-PID, user.slice/.../session-N.scope */
#define CGH_SLICE_DIR_PREC 60	/* "user.slice/user-UID.slice", in a leaf path */
#define CGH_ENTRY_PREC 80	/* a name read from a directory of the tree (walks) */
#define CGH_PATH_BUF 256	/* a leaf path with a name read from the tree, or a file */
#define CGH_RULE_BUF 72		/* a rule's name (1-64 characters), with its NUL */
#define CGH_LEAF_FILE_BUF (CGH_LEAF_BUF + 40)	/* a leaf path/a cgroup file name */

/* A walk's "base/NAME" (NAME as read from base) into buf (CGH_LEAF_BUF). */
void cgh_path_user_dir(char *buf, size_t len, const char *base, const char *name);

/* A walk's "DIR/NAME" (NAME as read from dir) into buf (CGH_PATH_BUF). */
void cgh_path_entry(char *buf, size_t len, const char *dir, const char *name);

#endif
