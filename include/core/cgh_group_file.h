/* Group names from one read of /etc/group, where NSS would read it first.
 *
 * getgrgid_r costs the `files` backend a scan of /etc/group per gid: a user
 * in 500 groups, 500 scans.  When nsswitch.conf's "group:" line starts with
 * `files` and sets no [action], NSS answers every gid that /etc/group holds
 * from its first line for that gid, and asks the next sources only for the
 * others; so one pass over the file, with the same parser (fgetgrent_r),
 * gives the same names, and only the gids it lacks need a lookup. */
#ifndef CGH_GROUP_FILE_H
#define CGH_GROUP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CGH_NSSWITCH_CONF "/etc/nsswitch.conf"
#define CGH_GROUP_FILE "/etc/group"

/* Whether the nsswitch.conf text (NUL-terminated) has exactly one line for
 * db ("group"), whose first source is `files`, with no [action] on it. */
bool cgh_nss_files_first(const char *text, const char *db);

/* The same for the file at path (false when it cannot be read). */
bool cgh_nss_files_first_at(const char *path, const char *db);

/* For each of the n gids, names[i] = a malloc'd copy of the name of the
 * first line of path (group(5) format) with that gid, or NULL when there is
 * none.  names must hold n NULLs.  Returns 0, or -errno when path cannot be
 * read or memory runs out (names may then hold some names: free them). */
int cgh_group_file_names(const char *path, const gid_t *gids, size_t n, char **names);

#endif
