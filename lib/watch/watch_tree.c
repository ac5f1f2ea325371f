/* `cgherd watch`: the trees, the leaves it knows and their inotify watches.
 * IN_CREATE on the root (for the trees' directories); IN_CREATE|IN_DELETE|
 * IN_DELETE_SELF on each tree's directory (<base>, user.slice) and each user
 * directory in it; IN_MODIFY on each leaf's cgroup.events and memory.events.
 * A leaf that vanishes (ENOENT anywhere) is simply forgotten. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgh_systemd.h"
#include "cgh_watch_state.h"

#define DIR_MASK (IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR)
#define FILE_MASK IN_MODIFY

/* tree dir/user-UID (CGH_USER_DIR_BUF) and user dir/session-N (CGH_LEAF_BUF) */
static void user_path(char *buf, size_t len, const struct watch_tree *t, const char *name)
{
	snprintf(buf, len, "%.*s/%.*s", CGH_BASE_NAME_MAX, t->dir, CGH_USER_NAME_PREC, name);
}

static void leaf_path(char *buf, size_t len, const struct watch_user *u, const char *name)
{
	snprintf(buf, len, "%.*s/%.*s", CGH_USER_DIR_BUF - 1, u->path, CGH_LEAF_NAME_PREC, name);
}

static int add_watch(struct cgh_watcher *w, const char *rel, uint32_t mask)
{
	char path[512];
	int wd;

	cgh_fs_abs_path(&w->fs, rel, path, sizeof(path));
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
	for (size_t i = 0; i < w->tab.n_leaves; i++)
		if (w->tab.leaves[i].wd_events == wd || w->tab.leaves[i].wd_mem == wd)
			return &w->tab.leaves[i];
	return NULL;
}

static struct watch_leaf *leaf_by_path(struct cgh_watcher *w, const char *path)
{
	for (size_t i = 0; i < w->tab.n_leaves; i++)
		if (strcmp(w->tab.leaves[i].path, path) == 0)
			return &w->tab.leaves[i];
	return NULL;
}

static void leaf_forget(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	size_t i = (size_t)(leaf - w->tab.leaves);

	if (leaf->oom_pending)	/* a scope removed before the notice was due */
		watch_oom_check(w, leaf, now);
	rm_watch(w, leaf->wd_events);
	rm_watch(w, leaf->wd_mem);
	watch_psi_disarm(leaf);
	cgh_logf(w->log, LOG_DEBUG, "forgetting %s/%s", w->fs.root, leaf->path);
	w->tab.leaves[i] = w->tab.leaves[--w->tab.n_leaves];
}

/* A dead leaf of cgherd's is collected.  A scope is systemd's to remove,
 * at once: what it counted is reported now, while it is still there (and a
 * new scope reads empty until logind has moved the login in). */
static void leaf_check_dead(struct cgh_watcher *w, struct watch_leaf *leaf, uint64_t now)
{
	bool populated = true;

	if (cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0)
		return;
	if (!leaf->owned) {
		leaf->dead = !populated;
		if (leaf->dead)
			watch_oom_check(w, leaf, now);
		return;
	}
	if (populated)
		return;
	if (!leaf->dead) {
		leaf->dead = true;
		leaf->gc_tries = 0;
	}
	if (w->gc_due == 0)
		w->gc_due = now;
}

/* A walk of the tree at one time: the user directory a leaf is found in
 * (or the tree a user directory is found in), and whether what it finds
 * appeared while we ran (fresh: every kill a leaf counts is news). */
struct walk {
	struct cgh_watcher *w;
	const struct watch_tree *t;
	const struct watch_user *u;
	bool fresh;
	uint64_t now;
};

static void leaf_add(const struct walk *wk, const char *name)
{
	struct cgh_watcher *w = wk->w;
	const struct watch_user *u = wk->u;
	char path[CGH_LEAF_BUF], file[CGH_LEAF_FILE_BUF];
	struct watch_leaf *leaf;

	leaf_path(path, sizeof(path), u, name);
	leaf = leaf_by_path(w, path);
	if (leaf != NULL) {
		leaf->seen = true;
		return;
	}
	if (!grow((void **)&w->tab.leaves, &w->tab.cap_leaves, w->tab.n_leaves, sizeof(*w->tab.leaves))) {
		cgh_logf(w->log, LOG_ERR, "cannot watch %s/%s: out of memory", w->fs.root, path);
		return;
	}
	leaf = &w->tab.leaves[w->tab.n_leaves];
	*leaf = (struct watch_leaf){ .uid = u->uid, .owned = u->tree->owned, .psi_fd = -1,
				     .seen = true };
	snprintf(leaf->path, sizeof(leaf->path), "%s", path);
	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	leaf->wd_events = add_watch(w, file, FILE_MASK);
	snprintf(file, sizeof(file), "%s/memory.events", path);
	leaf->wd_mem = add_watch(w, file, FILE_MASK);
	if (leaf->wd_events < 0) {	/* gone already */
		rm_watch(w, leaf->wd_mem);
		return;
	}
	w->tab.n_leaves++;
	watch_orphan_track(w, leaf, name, wk->now);
	watch_shown_track(w, leaf, wk->now);
	cgh_logf(w->log, LOG_DEBUG, "watching %s/%s", w->fs.root, path);
	if (!wk->fresh)
		watch_oom_baseline(w, leaf, wk->now);
	else
		watch_oom_check(w, leaf, wk->now);
	watch_psi_arm(w, leaf);
	leaf_check_dead(w, leaf, wk->now);
}

static int leaf_found(void *arg, const char *name)
{
	leaf_add(arg, name);
	return 0;
}

static struct watch_user *user_by_path(struct cgh_watcher *w, const char *path)
{
	for (size_t i = 0; i < w->tab.n_users; i++)
		if (strcmp(w->tab.users[i].path, path) == 0)
			return &w->tab.users[i];
	return NULL;
}

static void user_add(const struct walk *wk, const char *name)
{
	struct cgh_watcher *w = wk->w;
	const struct watch_tree *t = wk->t;
	struct walk leaves = *wk;
	char path[CGH_USER_DIR_BUF];
	struct watch_user *u;
	unsigned uid;

	if (!cgh_user_dir_uid(name, &uid))
		return;
	user_path(path, sizeof(path), t, name);
	u = user_by_path(w, path);
	if (u == NULL) {
		if (!grow((void **)&w->tab.users, &w->tab.cap_users, w->tab.n_users, sizeof(*w->tab.users)))
			return;
		u = &w->tab.users[w->tab.n_users];
		*u = (struct watch_user){ .uid = uid, .tree = t };
		snprintf(u->path, sizeof(u->path), "%s", path);
		u->wd = add_watch(w, path, DIR_MASK);
		if (u->wd < 0)
			return;
		w->tab.n_users++;
	}
	u->seen = true;
	leaves.u = u;
	/* the watch is in place first, so a leaf made now is seen one way or the other */
	cgh_fs_each_dir(&w->fs, u->path, t->leaf_prefix, leaf_found, &leaves, NULL);
}

static void user_forget(struct cgh_watcher *w, struct watch_user *u, uint64_t now)
{
	size_t plen = strlen(u->path);

	for (size_t i = w->tab.n_leaves; i-- > 0;)
		if (strncmp(w->tab.leaves[i].path, u->path, plen) == 0 && w->tab.leaves[i].path[plen] == '/')
			leaf_forget(w, &w->tab.leaves[i], now);
	rm_watch(w, u->wd);
	watch_penalty_user_gone(u);
	*u = w->tab.users[--w->tab.n_users];
}

static int user_found(void *arg, const char *name)
{
	user_add(arg, name);
	return 0;
}

/* The trees cfg asks for (cgh_trees_of, the table status, top and the
 * metrics walk too): cgherd's own, and logind's scopes unless cgroupfs. */
static void trees_init(struct cgh_watcher *w)
{
	struct cgh_tree t[CGH_TREES_MAX];

	w->tab.n_trees = cgh_trees_of(w->cfg, t);
	for (size_t i = 0; i < w->tab.n_trees; i++) {
		w->tab.trees[i] = (struct watch_tree){ .user_prefix = "user-", .leaf_prefix = "session-",
						       .owned = t[i].owned, .wd = -1 };
		snprintf(w->tab.trees[i].dir, sizeof(w->tab.trees[i].dir), "%.71s", t[i].dir);
	}
}

/* Brings the table in line with the trees: adds what is new, forgets what
 * is gone.  Safe to call at any time (start, IN_Q_OVERFLOW). */
int watch_tree_sync(struct cgh_watcher *w, bool fresh, uint64_t now)
{
	bool any = false;

	if (w->tab.n_trees == 0)
		trees_init(w);
	for (size_t i = 0; i < w->tab.n_leaves; i++)
		w->tab.leaves[i].seen = false;
	for (size_t i = 0; i < w->tab.n_users; i++)
		w->tab.users[i].seen = false;
	if (w->tab.wd_root < 0)
		w->tab.wd_root = add_watch(w, ".", IN_CREATE | IN_ONLYDIR);
	for (size_t i = 0; i < w->tab.n_trees; i++) {
		struct watch_tree *t = &w->tab.trees[i];
		struct walk users = { .w = w, .t = t, .fresh = fresh, .now = now };

		t->wd = add_watch(w, t->dir, DIR_MASK);
		if (t->wd < 0)
			continue;	/* not there yet: the watch on the root sees it come */
		any = true;
		cgh_fs_each_dir(&w->fs, t->dir, t->user_prefix, user_found, &users, NULL);
	}
	for (size_t i = w->tab.n_users; i-- > 0;)
		if (!w->tab.users[i].seen)
			user_forget(w, &w->tab.users[i], now);
	for (size_t i = w->tab.n_leaves; i-- > 0;)
		if (!w->tab.leaves[i].seen)
			leaf_forget(w, &w->tab.leaves[i], now);
	return w->tab.wd_root < 0 && !any ? w->tab.wd_root : 0;
}

void watch_tree_clear(struct cgh_watcher *w, uint64_t now)
{
	while (w->tab.n_users > 0)
		user_forget(w, &w->tab.users[w->tab.n_users - 1], now);
	while (w->tab.n_leaves > 0)
		leaf_forget(w, &w->tab.leaves[w->tab.n_leaves - 1], now);
	for (size_t i = 0; i < w->tab.n_trees; i++)
		rm_watch(w, w->tab.trees[i].wd);
	rm_watch(w, w->tab.wd_root);
	w->tab.wd_root = -1;
	w->tab.n_trees = 0;		/* the next sync sets them up from w->cfg */
}

static struct watch_user *user_by_wd(struct cgh_watcher *w, int wd)
{
	for (size_t i = 0; i < w->tab.n_users; i++)
		if (w->tab.users[i].wd == wd)
			return &w->tab.users[i];
	return NULL;
}

static void user_dir_event(struct cgh_watcher *w, struct watch_user *u, uint32_t mask,
			   const char *name, uint64_t now)
{
	const struct walk wk = { .w = w, .t = u->tree, .u = u, .fresh = true, .now = now };
	char path[CGH_LEAF_BUF];
	struct watch_leaf *leaf;

	if (mask & IN_DELETE_SELF) {
		user_forget(w, u, now);
		return;
	}
	if (name == NULL || strncmp(name, u->tree->leaf_prefix, strlen(u->tree->leaf_prefix)) != 0)
		return;
	if (mask & IN_CREATE) {
		leaf_add(&wk, name);
		return;
	}
	leaf_path(path, sizeof(path), u, name);
	leaf = leaf_by_path(w, path);
	if ((mask & IN_DELETE) && leaf != NULL)
		leaf_forget(w, leaf, now);
}

static void tree_event(struct cgh_watcher *w, const struct watch_tree *t, uint32_t mask,
		       const char *name, uint64_t now)
{
	const struct walk wk = { .w = w, .t = t, .fresh = true, .now = now };
	char path[CGH_USER_DIR_BUF];
	struct watch_user *u;

	if (mask & IN_DELETE_SELF) {	/* a tree removed: forget all, wait for it to come back */
		watch_tree_clear(w, now);
		watch_tree_sync(w, true, now);
		return;
	}
	if (name == NULL || strncmp(name, t->user_prefix, strlen(t->user_prefix)) != 0)
		return;
	if (mask & IN_CREATE) {
		user_add(&wk, name);
		return;
	}
	user_path(path, sizeof(path), t, name);
	u = user_by_path(w, path);
	if ((mask & IN_DELETE) && u != NULL)
		user_forget(w, u, now);
}

void watch_tree_event(struct cgh_watcher *w, int wd, uint32_t mask, const char *name,
		      uint64_t now)
{
	struct watch_user *u;
	struct watch_leaf *leaf;

	if (mask & IN_Q_OVERFLOW) {
		cgh_logf(w->log, LOG_NOTICE, "inotify queue overflowed: rescanning %s", w->fs.root);
		watch_tree_sync(w, true, now);
		return;
	}
	if (mask & IN_IGNORED)
		return;
	if (wd == w->tab.wd_root) {
		for (size_t i = 0; i < w->tab.n_trees && (mask & IN_CREATE) && name != NULL; i++)
			if (strcmp(name, w->tab.trees[i].dir) == 0) {
				watch_tree_sync(w, true, now);
				break;
			}
		return;
	}
	for (size_t i = 0; i < w->tab.n_trees; i++)
		if (wd == w->tab.trees[i].wd) {
			tree_event(w, &w->tab.trees[i], mask, name, now);
			return;
		}
	u = user_by_wd(w, wd);
	if (u != NULL) {
		user_dir_event(w, u, mask, name, now);
		return;
	}
	leaf = watch_leaf_by_wd(w, wd);
	if (leaf == NULL || !(mask & IN_MODIFY))
		return;
	if (wd == leaf->wd_mem)
		watch_oom_event(w, leaf, now);
	else
		leaf_check_dead(w, leaf, now);
}
