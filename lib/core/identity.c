#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgh_group_file.h"
#include "cgh_identity.h"

#define NSS_BUF_START 1024
#define NSS_BUF_MAX (1 << 20)
#define GROUP_FILE_MIN 8	/* fewer gids: a lookup each costs no more */

static int check_name(const char *name, struct cgh_error *err)
{
	char shown[64];
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len >= CGH_USER_NAME_MAX)
		return cgh_fail_msg(err, EINVAL, "user name %s", len ? "too long" : "empty");
	for (const char *p = name; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '/' || c == ':') {
			cgh_sanitize(shown, sizeof(shown), name);
			return cgh_fail_msg(err, EINVAL, "user name \"%s\" contains '/', ':' or control characters",
					    shown);
		}
	}
	return 0;
}

/* getpwnam_r with a buffer that grows on ERANGE. */
static int lookup_passwd(const char *name, struct passwd *pw, char **buf, struct cgh_error *err)
{
	struct passwd *found = NULL;
	size_t len = NSS_BUF_START;
	int r;

	for (;;) {
		char *grown = realloc(*buf, len);
		if (grown == NULL)
			return cgh_fail(err, ENOMEM, "looking up user");
		*buf = grown;
		r = getpwnam_r(name, pw, *buf, len, &found);
		if (r != ERANGE || len >= NSS_BUF_MAX)
			break;
		len *= 2;
	}
	if (r != 0) {
		cgh_fail(err, r, "looking up user");
		return -r;
	}
	if (found == NULL) {
		char shown[64];
		cgh_sanitize(shown, sizeof(shown), name);
		cgh_fail_msg(err, ENOENT, "unknown user \"%s\"", shown);
		return -ENOENT;
	}
	if (pw->pw_uid == (uid_t)-1) {
		cgh_fail_msg(err, EINVAL, "user has uid -1");
		return -EINVAL;
	}
	return 0;
}

static int group_ids(const char *name, gid_t gid, gid_t **out, int *n, struct cgh_error *err)
{
	int count = 32;
	gid_t *gids = NULL;

	for (int tries = 0; tries < 8; tries++) {
		gid_t *grown = realloc(gids, (size_t)count * sizeof(*gids));
		if (grown == NULL) {
			free(gids);
			return cgh_fail(err, ENOMEM, "listing groups");
		}
		gids = grown;
		int want = count;
		if (getgrouplist(name, gid, gids, &want) >= 0) {
			*out = gids;
			*n = want;
			return 0;
		}
		count = want > count ? want : count * 2;
	}
	free(gids);
	return cgh_fail_msg(err, E2BIG, "listing groups: too many groups");
}

/* getgrnam_r (name) or getgrgid_r, with a buffer that grows on ERANGE.
 * *found is NULL when there is no such group or NSS cannot say: such a
 * group matches no rule.  Returns 0 or -ENOMEM. */
static int get_group(const char *name, gid_t gid, char **buf, size_t *len, struct group *gr,
		     struct group **found)
{
	for (;;) {
		int r = name != NULL ? getgrnam_r(name, gr, *buf, *len, found)
				     : getgrgid_r(gid, gr, *buf, *len, found);
		if (r != ERANGE || *len >= NSS_BUF_MAX) {
			if (r != 0)
				*found = NULL;
			return 0;
		}
		char *grown = realloc(*buf, *len * 2);
		if (grown == NULL)
			return -ENOMEM;
		*buf = grown;
		*len *= 2;
	}
}

static int add_group(struct cgh_identity *id, const char *name)
{
	char *copy = strdup(name);

	if (copy == NULL)
		return -ENOMEM;
	id->groups[id->n_groups++] = copy;
	return 0;
}

/* The names of many gids from one read of /etc/group, where NSS would read
 * it first (cgh_group_file.h); NULL, or NULLs, where it cannot say. */
static char **names_from_group_file(const gid_t *gids, int n)
{
	char **names;

	if (n < GROUP_FILE_MIN || !cgh_nss_files_first_at(CGH_NSSWITCH_CONF, "group"))
		return NULL;
	names = calloc((size_t)n, sizeof(*names));
	if (names != NULL && cgh_group_file_names(CGH_GROUP_FILE, gids, (size_t)n, names) < 0)
		for (int i = 0; i < n; i++) {	/* every gid by NSS, as usual */
			free(names[i]);
			names[i] = NULL;
		}
	return names;
}

/* Every group of the user, by gid. */
static int group_names(struct cgh_identity *id, const gid_t *gids, int n, struct cgh_error *err)
{
	size_t len = NSS_BUF_START;
	char *buf = malloc(len);
	char **known = names_from_group_file(gids, n);
	int r = 0;

	id->groups = calloc((size_t)n + 1, sizeof(*id->groups));
	if (buf == NULL || id->groups == NULL) {
		r = cgh_fail(err, ENOMEM, "looking up groups");
		goto done;
	}
	for (int i = 0; i < n && r == 0; i++) {
		struct group gr, *found = NULL;

		if (known != NULL && known[i] != NULL) {
			id->groups[id->n_groups++] = known[i];
			known[i] = NULL;
			continue;
		}
		r = get_group(NULL, gids[i], &buf, &len, &gr, &found);
		if (r == 0 && found != NULL)
			r = add_group(id, gr.gr_name);
		if (r < 0)
			cgh_fail(err, -r, "looking up group %u", (unsigned)gids[i]);
	}
done:
	for (int i = 0; known != NULL && i < n; i++)
		free(known[i]);
	free(known);
	free(buf);
	return r;
}

static int compare_gids(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return (x > y) - (x < y);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Of the wanted names (repeats skipped), those of the user's gids. */
static int wanted_names(struct cgh_identity *id, gid_t *gids, int n, const char *const *wanted,
			size_t n_wanted, struct cgh_error *err)
{
	size_t len = NSS_BUF_START;
	char *buf = malloc(len);
	const char **names = malloc((n_wanted + 1) * sizeof(*names));
	int r = 0;

	id->groups = calloc(n_wanted + 1, sizeof(*id->groups));
	if (buf == NULL || names == NULL || id->groups == NULL) {
		r = cgh_fail(err, ENOMEM, "looking up groups");
		goto done;
	}
	memcpy(names, wanted, n_wanted * sizeof(*names));
	qsort(names, n_wanted, sizeof(*names), compare_names);
	qsort(gids, (size_t)n, sizeof(*gids), compare_gids);
	for (size_t i = 0; i < n_wanted && r == 0; i++) {
		struct group gr, *found = NULL;
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		r = get_group(names[i], 0, &buf, &len, &gr, &found);
		if (r == 0 && found != NULL &&
		    bsearch(&gr.gr_gid, gids, (size_t)n, sizeof(*gids), compare_gids) != NULL)
			r = add_group(id, names[i]);
		if (r < 0)
			cgh_fail(err, -r, "looking up groups");
	}
done:
	free(names);
	free(buf);
	return r;
}

/* wanted NULL: every group of the user, by gid. */
static int lookup(const char *name, const char *const *wanted, size_t n_wanted,
		  struct cgh_identity **out, struct cgh_error *err)
{
	struct cgh_identity *id = NULL;
	struct passwd pw = { 0 };
	char *buf = NULL;
	gid_t *gids = NULL;
	int n = 0;
	int r;

	*out = NULL;
	r = check_name(name, err);
	if (r == 0)
		r = lookup_passwd(name, &pw, &buf, err);
	if (r != 0)
		goto done;
	id = calloc(1, sizeof(*id));
	if (id == NULL || (id->user = strdup(name)) == NULL) {
		r = cgh_fail(err, ENOMEM, "looking up user");
		goto done;
	}
	id->uid = pw.pw_uid;
	id->gid = pw.pw_gid;
	r = group_ids(name, pw.pw_gid, &gids, &n, err);
	if (r == 0 && wanted != NULL && n_wanted < (size_t)n)
		r = wanted_names(id, gids, n, wanted, n_wanted, err);
	else if (r == 0)
		r = group_names(id, gids, n, err);
	if (r == 0)
		cgh_identity_sort_groups(id);
	if (r == 0) {
		*out = id;
		id = NULL;
	}
done:
	cgh_identity_free(id);
	free(gids);
	free(buf);
	return r;
}

int cgh_identity_lookup(const char *name, struct cgh_identity **out, struct cgh_error *err)
{
	return lookup(name, NULL, 0, out, err);
}

int cgh_identity_lookup_wanted(const char *name, const char *const *wanted, size_t n_wanted,
			       struct cgh_identity **out, struct cgh_error *err)
{
	return lookup(name, wanted, n_wanted, out, err);
}

void cgh_identity_free(struct cgh_identity *id)
{
	if (id == NULL)
		return;
	for (size_t i = 0; i < id->n_groups; i++)
		free(id->groups[i]);
	free(id->groups);
	free(id->user);
	free(id);
}

void cgh_user_name(unsigned uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char nss[4096];

	if (getpwuid_r((uid_t)uid, &pw, nss, sizeof(nss), &found) == 0 && found != NULL)
		cgh_sanitize(buf, len, pw.pw_name);
	else
		snprintf(buf, len, "%u", uid);
}

void cgh_identity_sort_groups(struct cgh_identity *id)
{
	if (id->n_groups > 1)
		qsort(id->groups, id->n_groups, sizeof(*id->groups), compare_names);
}

bool cgh_identity_in_group(const struct cgh_identity *id, const char *name)
{
	return id->n_groups > 0 &&
	       bsearch(&name, id->groups, id->n_groups, sizeof(*id->groups), compare_names) != NULL;
}
