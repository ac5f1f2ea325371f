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

	if (leaf->oom_pending)	/* a scope removed before the notice was due */
		watch_oom_check(w, leaf);
	rm_watch(w, leaf->wd_events);
	rm_watch(w, leaf->wd_mem);
	watch_psi_disarm(leaf);
	cgh_logf(w->log, LOG_DEBUG, "forgetting %s/%s", w->fs.root, leaf->path);
	w->leaves[i] = w->leaves[--w->n_leaves];
}

/* A dead leaf of cgherd's is collected.  A scope is systemd's to remove,
 * at once: what it counted is reported now, while it is still there (and a
 * new scope reads empty until logind has moved the login in). */
static void leaf_check_dead(struct cgh_watcher *w, struct watch_leaf *leaf)
{
	bool populated = true;

	if (cgh_fs_populated(&w->fs, leaf->path, &populated, NULL) < 0)
		return;
	if (!leaf->owned) {
		leaf->dead = !populated;
		if (leaf->dead)
			watch_oom_check(w, leaf);
		return;
	}
	if (populated)
		return;
	if (!leaf->dead) {
		leaf->dead = true;
		leaf->gc_tries = 0;
	}
	if (w->gc_due == 0)
		w->gc_due = watch_now_ms();
}

/* fresh: the leaf appeared while we ran, so every kill it counts is news. */
static void leaf_add(struct cgh_watcher *w, const struct watch_user *u, const char *name,
		     bool fresh)
{
	char path[160], file[200];
	struct watch_leaf *leaf;

	snprintf(path, sizeof(path), "%.95s/%.60s", u->path, name);
	leaf = leaf_by_path(w, path);
	if (leaf != NULL) {
		leaf->seen = true;
		return;
	}
	if (!grow((void **)&w->leaves, &w->cap_leaves, w->n_leaves, sizeof(*w->leaves))) {
		cgh_logf(w->log, LOG_ERR, "cannot watch %s/%s: out of memory", w->fs.root, path);
		return;
	}
	leaf = &w->leaves[w->n_leaves];
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
	w->n_leaves++;
	cgh_logf(w->log, LOG_DEBUG, "watching %s/%s", w->fs.root, path);
	if (!fresh)
		watch_oom_baseline(w, leaf);
	else
		watch_oom_check(w, leaf);
	watch_psi_arm(w, leaf);
	leaf_check_dead(w, leaf);
}

struct user_walk {
	struct cgh_watcher *w;
	const struct watch_user *u;
	bool fresh;
};

static int leaf_found(void *arg, const char *name)
{
	struct user_walk *uw = arg;

	leaf_add(uw->w, uw->u, name, uw->fresh);
	return 0;
}

static struct watch_user *user_by_path(struct cgh_watcher *w, const char *path)
{
	for (size_t i = 0; i < w->n_users; i++)
		if (strcmp(w->users[i].path, path) == 0)
			return &w->users[i];
	return NULL;
}

static void user_add(struct cgh_watcher *w, const struct watch_tree *t, const char *name,
		     bool fresh)
{
	char path[96];
	struct watch_user *u;
	struct user_walk uw = { .w = w, .fresh = fresh };
	unsigned uid;

	if (!cgh_user_dir_uid(name, &uid))
		return;
	snprintf(path, sizeof(path), "%.64s/%.30s", t->dir, name);
	u = user_by_path(w, path);
	if (u == NULL) {
		if (!grow((void **)&w->users, &w->cap_users, w->n_users, sizeof(*w->users)))
			return;
		u = &w->users[w->n_users];
		*u = (struct watch_user){ .uid = uid, .tree = t };
		snprintf(u->path, sizeof(u->path), "%s", path);
		u->wd = add_watch(w, path, DIR_MASK);
		if (u->wd < 0)
			return;
		w->n_users++;
	}
	u->seen = true;
	uw.u = u;
	/* the watch is in place first, so a leaf made now is seen one way or the other */
	cgh_fs_each_dir(&w->fs, u->path, t->leaf_prefix, leaf_found, &uw, NULL);
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

struct tree_walk {
	struct cgh_watcher *w;
	const struct watch_tree *t;
	bool fresh;
};

static int user_found(void *arg, const char *name)
{
	struct tree_walk *tw = arg;

	user_add(tw->w, tw->t, name, tw->fresh);
	return 0;
}

/* The trees cfg asks for: cgherd's own, and logind's scopes unless the
 * backend is cgroupfs (the decision of `cgherd status`). */
static void trees_init(struct cgh_watcher *w)
{
	struct watch_tree *t = w->trees;

	t[0] = (struct watch_tree){ .user_prefix = "user-", .leaf_prefix = "session-",
				    .owned = true, .wd = -1 };
	snprintf(t[0].dir, sizeof(t[0].dir), "%s", w->cfg->base);
	w->n_trees = 1;
	if (w->cfg->backend == CGH_BACKEND_CGROUPFS)
		return;
	t[1] = (struct watch_tree){ .dir = CGH_LOGIND_SLICE, .user_prefix = "user-",
				    .leaf_prefix = "session-", .owned = false, .wd = -1 };
	w->n_trees = 2;
}

/* Brings the table in line with the trees: adds what is new, forgets what
 * is gone.  Safe to call at any time (start, IN_Q_OVERFLOW). */
int watch_tree_sync(struct cgh_watcher *w, bool fresh)
{
	bool any = false;

	if (w->n_trees == 0)
		trees_init(w);
	for (size_t i = 0; i < w->n_leaves; i++)
		w->leaves[i].seen = false;
	for (size_t i = 0; i < w->n_users; i++)
		w->users[i].seen = false;
	if (w->wd_root < 0)
		w->wd_root = add_watch(w, ".", IN_CREATE | IN_ONLYDIR);
	for (size_t i = 0; i < w->n_trees; i++) {
		struct watch_tree *t = &w->trees[i];
		struct tree_walk tw = { .w = w, .t = t, .fresh = fresh };

		t->wd = add_watch(w, t->dir, DIR_MASK);
		if (t->wd < 0)
			continue;	/* not there yet: the watch on the root sees it come */
		any = true;
		cgh_fs_each_dir(&w->fs, t->dir, t->user_prefix, user_found, &tw, NULL);
	}
	for (size_t i = w->n_users; i-- > 0;)
		if (!w->users[i].seen)
			user_forget(w, &w->users[i]);
	for (size_t i = w->n_leaves; i-- > 0;)
		if (!w->leaves[i].seen)
			leaf_forget(w, &w->leaves[i]);
	return w->wd_root < 0 && !any ? w->wd_root : 0;
}

void watch_tree_clear(struct cgh_watcher *w)
{
	while (w->n_users > 0)
		user_forget(w, &w->users[w->n_users - 1]);
	while (w->n_leaves > 0)
		leaf_forget(w, &w->leaves[w->n_leaves - 1]);
	for (size_t i = 0; i < w->n_trees; i++)
		rm_watch(w, w->trees[i].wd);
	rm_watch(w, w->wd_root);
	w->wd_root = -1;
	w->n_trees = 0;		/* the next sync sets them up from w->cfg */
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
	if (name == NULL || strncmp(name, u->tree->leaf_prefix, strlen(u->tree->leaf_prefix)) != 0)
		return;
	if (mask & IN_CREATE) {
		leaf_add(w, u, name, true);
		return;
	}
	snprintf(path, sizeof(path), "%.95s/%.60s", u->path, name);
	leaf = leaf_by_path(w, path);
	if ((mask & IN_DELETE) && leaf != NULL)
		leaf_forget(w, leaf);
}

static void tree_event(struct cgh_watcher *w, const struct watch_tree *t, uint32_t mask,
		       const char *name)
{
	char path[96];
	struct watch_user *u;

	if (mask & IN_DELETE_SELF) {	/* a tree removed: forget all, wait for it to come back */
		watch_tree_clear(w);
		watch_tree_sync(w, true);
		return;
	}
	if (name == NULL || strncmp(name, t->user_prefix, strlen(t->user_prefix)) != 0)
		return;
	if (mask & IN_CREATE) {
		user_add(w, t, name, true);
		return;
	}
	snprintf(path, sizeof(path), "%.64s/%.30s", t->dir, name);
	u = user_by_path(w, path);
	if ((mask & IN_DELETE) && u != NULL)
		user_forget(w, u);
}

void watch_tree_event(struct cgh_watcher *w, int wd, uint32_t mask, const char *name)
{
	struct watch_user *u;
	struct watch_leaf *leaf;

	if (mask & IN_Q_OVERFLOW) {
		cgh_logf(w->log, LOG_NOTICE, "inotify queue overflowed: rescanning %s", w->fs.root);
		watch_tree_sync(w, true);
		return;
	}
	if (mask & IN_IGNORED)
		return;
	if (wd == w->wd_root) {
		for (size_t i = 0; i < w->n_trees && (mask & IN_CREATE) && name != NULL; i++)
			if (strcmp(name, w->trees[i].dir) == 0) {
				watch_tree_sync(w, true);
				break;
			}
		return;
	}
	for (size_t i = 0; i < w->n_trees; i++)
		if (wd == w->trees[i].wd) {
			tree_event(w, &w->trees[i], mask, name);
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
	if (wd == leaf->wd_mem)
		watch_oom_event(w, leaf);
	else
		leaf_check_dead(w, leaf);
}
