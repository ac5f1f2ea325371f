/* Who is logging in: the user's uid and every group they are in. */
#ifndef CGH_IDENTITY_H
#define CGH_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgh_log.h"

#define CGH_USER_NAME_MAX 256

struct cgh_identity {
	char *user;
	uid_t uid;
	gid_t gid;
	char **groups;		/* names of the primary and supplementary groups,
				 * sorted by strcmp (cgh_identity_sort_groups) */
	size_t n_groups;
};

/* Looks name up through NSS (getpwnam_r, getgrouplist, getgrgid_r).
 * Returns 0, -ENOENT for an unknown user, -EINVAL for a name that is not
 * plausible (empty, too long, with '/' or control characters), or -errno. */
int cgh_identity_lookup(const char *name, struct cgh_identity **out, struct cgh_error *err);

/* The same, for matching only: groups holds just those of the n_wanted
 * group names (repeats allowed) that the user is in.  When there are fewer
 * of them than the user has groups, they are looked up by name
 * (getgrnam_r) instead of every group by gid: a user in hundreds of groups
 * costs as many lookups as the rules have group names. */
int cgh_identity_lookup_wanted(const char *name, const char *const *wanted, size_t n_wanted,
			       struct cgh_identity **out, struct cgh_error *err);

void cgh_identity_free(struct cgh_identity *id);

/* Sorts id->groups so that matching can binary-search them. */
void cgh_identity_sort_groups(struct cgh_identity *id);

/* Whether the user is in the group called name (groups sorted). */
bool cgh_identity_in_group(const struct cgh_identity *id, const char *name);

/* The (sanitized) name of uid for reports and log lines, or the number. */
void cgh_user_name(unsigned uid, char *buf, size_t len);

#endif
