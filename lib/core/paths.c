/* Paths in the cgroup tree put together from their parts (cgh_paths.h). */
#include <stdio.h>

#include "cgh_paths.h"

_Static_assert(CGH_BASE_NAME_MAX < CGH_BASE_BUF, "base fits its buffer");
_Static_assert(CGH_BASE_NAME_MAX + 1 + CGH_USER_NAME_PREC < CGH_USER_DIR_BUF,
	       "base/user-UID fits");
_Static_assert(CGH_USER_DIR_BUF - 1 + 1 + CGH_LEAF_NAME_PREC < CGH_LEAF_BUF,
	       "user dir/session-N fits");
_Static_assert(CGH_SLICE_DIR_PREC + 1 + CGH_USER_DIR_BUF - 1 < CGH_LEAF_BUF,
	       "user.slice/user-UID.slice/session-N.scope fits");
_Static_assert(CGH_BASE_NAME_MAX + 1 + CGH_ENTRY_PREC < CGH_LEAF_BUF, "base/NAME fits");
_Static_assert(CGH_LEAF_BUF - 1 + 1 + CGH_ENTRY_PREC < CGH_PATH_BUF, "leaf path/NAME fits");

void cgh_path_user_dir(char *buf, size_t len, const char *base, const char *name)
{
	snprintf(buf, len, "%.*s/%.*s", CGH_BASE_NAME_MAX, base, CGH_ENTRY_PREC, name);
}

void cgh_path_entry(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%.*s", dir, CGH_ENTRY_PREC, name);
}
