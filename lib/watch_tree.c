/* `cgherd watch`: the leaves it knows and their inotify watches.
 * IN_CREATE|IN_DELETE|IN_DELETE_SELF on the root (for <base>), <base> and
 * each user-UID; IN_MODIFY on each leaf's cgroup.events and memory.events.
 * A leaf that vanishes (ENOENT anywhere) is simply forgotten. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgh_watch_state.h"

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR)
#define FILE_MASK IN_MODIFY

void watch_abs_path(const struct cgh_watcher *w, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", w->fs.root, rel);
}

static int add_watch(struct cgh_watcher *w, const char *rel, uint32_t mask)
{
	char path[512];
	int wd;

	watch_abs_path(w, rel, path, sizeof(path));
	wd = inotify_add_watch(w->ifd, path, mask);
	if (wd < 0 && errno != ENOENT)
		cgh_logf(w->log, LOG_WARNING, "cannot watch %s: %m", path);
	return wd < 0 ? -errno : wd;
}

static void rm_watch(struct cgh_watcher *w, int wd)
{
	if (wd >= 0)
		inotify_rm_watch(w->ifd, wd);	/* EINVAL once the file is gone */
}

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*v, want * size);
	if (p == NULL)
		return false;
	*v = p;
	*cap = want;
	return true;
}

struct watch_leaf *watch_leaf_by_wd(struct cgh_watcher *w, int wd)
{
	for (size_t i = 0; i < w->n_leaves; i++)
		if (w->leaves[i].wd_events == wd || w->leaves[i].wd_mem == wd)
			return &w->leaves[i];
	return NULL;
}

static struct watch_leaf *leaf_by_path(struct cgh_watcher *w, const char *path)
{
	for (size_t i = 0; i < w->n_leaves; i++)
		if (strcmp(w->leaves[i].path, path) == 0)
			return &w->leaves[i];
	return NULL;
}

static void leaf_forget(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	size_t i = (size_t)(leaf - w->leaves);

	rm_watch(w, leaf->wd_events);
	rm_watch(w, leaf->wd_mem);
	watch_psi_disarm(leaf);
	cgh_logf(w->log, LOG_DEBUG, "forgetting %s/%s", w->fs.root, leaf->path);
	w->leaves[i] = w->leaves[--w->n_leaves];
}

static void leaf_check_dead(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	bool populated = true;

	if (cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0 || populated)
		return;
	if (!leaf->dead) {
		leaf->dead = true;
		leaf->gc_tries = 0;
	}
	if (w->gc_due == 0)
		w->gc_due = watch_now_ms();
}

/* fresh: the leaf appeared while we ran, so every kill it counts is news. */
static void leaf_add(struct cgh_watcher *w, const char *user_dir, const char *name, bool fresh)
{
	char path[160], file[200];
	struct watch_leaf *leaf;
	unsigned uid = 0;

	snprintf(path, sizeof(path), "%.95s/%.60s", user_dir, name);
	leaf = leaf_by_path(w, path);
	if (leaf != NULL) {
		leaf->seen = true;
		return;
	}
	if (!grow((void **)&w->leaves, &w->cap_leaves, w->n_leaves, sizeof(*w->leaves))) {
		cgh_logf(w->log, LOG_ERR, "cannot watch %s/%s: out of memory", w->fs.root, path);
		return;
	}
	sscanf(strrchr(user_dir, '/') ? strrchr(user_dir, '/') + 1 : user_dir, "user-%u", &uid);
	leaf = &w->leaves[w->n_leaves];
	*leaf = (struct watch_leaf){ .uid = uid, .psi_fd = -1, .seen = true };
	snprintf(leaf->path, sizeof(leaf->path), "%s", path);
	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	leaf->wd_events = add_watch(w, file, FILE_MASK);
	snprintf(file, sizeof(file), "%s/memory.events", path);
	leaf->wd_mem = add_watch(w, file, FILE_MASK);
	if (leaf->wd_events < 0) {	/* gone already */
		rm_watch(w, leaf->wd_mem);
		return;
	}
	w->n_leaves++;
	if (!fresh)
		watch_oom_baseline(w, leaf);
	else
		watch_oom_check(w, leaf);
	watch_psi_arm(w, leaf);
	leaf_check_dead(w, leaf);
}

struct user_walk {
	struct cgh_watcher *w;
	const char *user_dir;
	bool fresh;
};

static int leaf_found(void *arg, const char *name)
{
	struct user_walk *uw = arg;

	leaf_add(uw->w, uw->user_dir, name, uw->fresh);
	return 0;
}

static struct watch_user *user_by_path(struct cgh_watcher *w, const char *path)
{
	for (size_t i = 0; i < w->n_users; i++)
		if (strcmp(w->users[i].path, path) == 0)
			return &w->users[i];
	return NULL;
}

static void user_add(struct cgh_watcher *w, const char *name, bool fresh)
{
	char path[96];
	struct watch_user *u;
	struct user_walk uw = { .w = w, .fresh = fresh };

	snprintf(path, sizeof(path), "%.64s/%.30s", w->cfg->base, name);
	u = user_by_path(w, path);
	if (u == NULL) {
		if (!grow((void **)&w->users, &w->cap_users, w->n_users, sizeof(*w->users)))
			return;
		u = &w->users[w->n_users];
		snprintf(u->path, sizeof(u->path), "%s", path);
		u->wd = add_watch(w, path, DIR_MASK);
		if (u->wd < 0)
			return;
		w->n_users++;
	}
	u->seen = true;
	uw.user_dir = u->path;
	/* the watch is in place first, so a leaf made now is seen one way or the other */
	cgh_fs_each_dir(&w->fs, u->path, "session-", leaf_found, &uw, NULL);
}

static void user_forget(struct cgh_watcher *w, struct watch_user *u)
{
	size_t plen = strlen(u->path);

	for (size_t i = w->n_leaves; i-- > 0;)
		if (strncmp(w->leaves[i].path, u->path, plen) == 0 && w->leaves[i].path[plen] == '/')
			leaf_forget(w, &w->leaves[i]);
	rm_watch(w, u->wd);
	*u = w->users[--w->n_users];
}

struct base_walk {
	struct cgh_watcher *w;
	bool fresh;
};

static int user_found(void *arg, const char *name)
{
	struct base_walk *bw = arg;

	user_add(bw->w, name, bw->fresh);
	return 0;
}

/* Brings the table in line with the tree: adds what is new, forgets what is
 * gone.  Safe to call at any time (start, IN_Q_OVERFLOW). */
int watch_tree_sync(struct cgh_watcher *w, bool fresh)
{
	struct base_walk bw = { .w = w, .fresh = fresh };

	for (size_t i = 0; i < w->n_leaves; i++)
		w->leaves[i].seen = false;
	for (size_t i = 0; i < w->n_users; i++)
		w->users[i].seen = false;
	if (w->wd_root < 0)
		w->wd_root = add_watch(w, ".", IN_CREATE | IN_ONLYDIR);
	w->wd_base = add_watch(w, w->cfg->base, DIR_MASK);
	if (w->wd_base >= 0)
		cgh_fs_each_dir(&w->fs, w->cfg->base, "user-", user_found, &bw, NULL);
	for (size_t i = w->n_users; i-- > 0;)
		if (!w->users[i].seen)
			user_forget(w, &w->users[i]);
	for (size_t i = w->n_leaves; i-- > 0;)
		if (!w->leaves[i].seen)
			leaf_forget(w, &w->leaves[i]);
	return w->wd_root < 0 && w->wd_base < 0 ? w->wd_root : 0;
}

void watch_tree_clear(struct cgh_watcher *w)
{
	while (w->n_users > 0)
		user_forget(w, &w->users[w->n_users - 1]);
	while (w->n_leaves > 0)
		leaf_forget(w, &w->leaves[w->n_leaves - 1]);
	rm_watch(w, w->wd_base);
	rm_watch(w, w->wd_root);
	w->wd_base = w->wd_root = -1;
}

static struct watch_user *user_by_wd(struct cgh_watcher *w, int wd)
{
	for (size_t i = 0; i < w->n_users; i++)
		if (w->users[i].wd == wd)
			return &w->users[i];
	return NULL;
}

static void user_dir_event(struct cgh_watcher *w, struct watch_user *u, uint32_t mask,
			   const char *name)
{
	char path[160];
	struct watch_leaf *leaf;

	if (mask & IN_DELETE_SELF) {
		user_forget(w, u);
		return;
	}
	if (name == NULL || strncmp(name, "session-", 8) != 0)
		return;
	if (mask & IN_CREATE) {
		leaf_add(w, u->path, name, true);
		return;
	}
	snprintf(path, sizeof(path), "%.95s/%.60s", u->path, name);
	leaf = leaf_by_path(w, path);
	if ((mask & IN_DELETE) && leaf != NULL)
		leaf_forget(w, leaf);
}

static void base_event(struct cgh_watcher *w, uint32_t mask, const char *name)
{
	char path[96];
	struct watch_user *u;

	if (mask & IN_DELETE_SELF) {	/* base removed: forget all, wait for it to come back */
		watch_tree_clear(w);
		watch_tree_sync(w, true);
		return;
	}
	if (name == NULL || strncmp(name, "user-", 5) != 0)
		return;
	if (mask & IN_CREATE) {
		user_add(w, name, true);
		return;
	}
	snprintf(path, sizeof(path), "%.64s/%.30s", w->cfg->base, name);
	u = user_by_path(w, path);
	if ((mask & IN_DELETE) && u != NULL)
		user_forget(w, u);
}

void watch_tree_event(struct cgh_watcher *w, int wd, uint32_t mask, const char *name)
{
	struct watch_user *u;
	struct watch_leaf *leaf;

	if (mask & IN_Q_OVERFLOW) {
		cgh_logf(w->log, LOG_NOTICE, "inotify queue overflowed: rescanning %s/%s", w->fs.root,
			 w->cfg->base);
		watch_tree_sync(w, true);
		return;
	}
	if (mask & IN_IGNORED)
		return;
	if (wd == w->wd_root) {
		if ((mask & IN_CREATE) && name != NULL && strcmp(name, w->cfg->base) == 0)
			watch_tree_sync(w, true);
		return;
	}
	if (wd == w->wd_base) {
		base_event(w, mask, name);
		return;
	}
	u = user_by_wd(w, wd);
	if (u != NULL) {
		user_dir_event(w, u, mask, name);
		return;
	}
	leaf = watch_leaf_by_wd(w, wd);
	if (leaf == NULL || !(mask & IN_MODIFY))
		return;
	if (wd == leaf->wd_mem) {
		leaf->oom_pending = true;
		if (w->oom_due == 0)
			w->oom_due = watch_now_ms() + WATCH_OOM_SETTLE_MS;
	} else
		leaf_check_dead(w, leaf);
}
