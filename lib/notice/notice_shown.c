/* Notices shown at an sshd login and kept: sshd opens the PAM session
 * before the client asks for a shell or a command, and prints what the
 * module said only for a shell.  The module marks the leaf with the newest
 * record it showed; `cgherd watch` removes the records through that one
 * once a login shell runs in the leaf, and settles the mark. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cgh_notice.h"

#define PROCS_LOOKED 8192	/* bytes of cgroup.procs */

int cgh_notice_watch_present(struct cgh_notice_store *st, struct cgh_error *err)
{
	int fd = openat(st->dirfd, CGH_NOTICE_WATCH_FILE,
			O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);

	const struct timespec nap = { 0, 10000000L };	/* 10 ms: a login's look is shorter */
	int r = fd < 0 ? -errno : -EWOULDBLOCK;

	if (fd < 0)
		return cgh_fail(err, -r, "cannot open %s/%s", st->dir, CGH_NOTICE_WATCH_FILE);
	for (unsigned tries = 0; r == -EWOULDBLOCK && tries < 100; tries++) {
		r = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : -errno;
		if (r == -EWOULDBLOCK)
			nanosleep(&nap, NULL);
	}
	if (r < 0) {
		close(fd);
		return cgh_fail(err, -r, "cannot lock %s/%s%s", st->dir, CGH_NOTICE_WATCH_FILE,
				r == -EWOULDBLOCK ? " (another cgherd watch holds it)" : "");
	}
	return fd;
}

bool cgh_notice_watched(const struct cgh_notice_store *st)
{
	int fd = openat(st->dirfd, CGH_NOTICE_WATCH_FILE, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	bool held = false;

	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;	/* watch's is exclusive */
	close(fd);	/* and with it the lock, when it was taken */
	return held;
}

int cgh_notice_mark_shown(const struct cgh_fs *fs, const char *leaf, const struct cgh_notice *last,
			  struct cgh_error *err)
{
	char value[CGH_NOTICE_RECORD_MAX];
	int r = cgh_notice_encode(last, value, sizeof(value));

	if (r < 0)
		return cgh_fail_msg(err, -r, "shown notice too long to record on %s/%s", fs->root, leaf);
	value[strcspn(value, "\n")] = '\0';
	r = fs->sys->setxattr(fs->rootfd, leaf, CGH_SHOWN_XATTR, value);
	if (r < 0)
		return cgh_fail(err, -r, "cannot set %s on %s/%s", CGH_SHOWN_XATTR, fs->root, leaf);
	return 0;
}

/* Whether a process of leaf is a login shell: 1, 0 (also when the leaf is
 * gone, or the kernel cannot tell), or -errno with err set. */
static int runs_login_shell(const struct cgh_fs *fs, const char *leaf, struct cgh_error *err)
{
	char procs[PROCS_LOOKED];
	int r = fs->sys->proc_login_shell == NULL ? 0
		: cgh_fs_read(fs, leaf, "cgroup.procs", procs, sizeof(procs), err);

	if (r == -ENOENT || fs->sys->proc_login_shell == NULL)
		return 0;

	for (char *p = procs; r >= 0 && *p != '\0'; p += strcspn(p, "\n"), p += (*p == '\n')) {
		long pid = strtol(p, NULL, 10);
		if (pid > 0 && fs->sys->proc_login_shell((pid_t)pid) == 1)
			return 1;
	}
	return r < 0 ? r : 0;
}

static int take_shown(const struct cgh_notifier *nf, unsigned uid, const struct cgh_notice *last,
		      struct cgh_error *err)
{
	struct cgh_notice_store st;
	int r = cgh_notice_store_open(&st, nf->dir, false, err);

	if (r == 0)
		r = cgh_notice_remove_through(&st, uid, last, err);
	cgh_notice_store_close(&st);
	return r == -ENOENT ? 0 : r;
}

int cgh_notice_confirm_shown(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			     const char *leaf, unsigned uid, const struct cgh_log *log)
{
	char raw[CGH_NOTICE_RECORD_MAX];
	struct cgh_notice last;
	struct cgh_error err = { 0 };
	int r = fs->sys->getxattr(fs->rootfd, leaf, CGH_SHOWN_XATTR, raw, sizeof(raw) - 1);

	if (r == -ENODATA || r == -ENOENT)
		return -ENODATA;	/* not marked (yet), or gone */
	if (r < 0) {
		cgh_fail(&err, -r, "cannot read %s of %s/%s", CGH_SHOWN_XATTR, fs->root, leaf);
		goto out;
	}
	raw[r] = '\0';
	if (strcmp(raw, CGH_SHOWN_SETTLED) == 0)
		return 1;
	r = runs_login_shell(fs, leaf, &err);
	if (r <= 0)
		goto out;
	r = cgh_notice_decode(raw, &last) < 0 ? 0 : take_shown(nf, uid, &last, &err);
	if (r >= 0) {
		fs->sys->setxattr(fs->rootfd, leaf, CGH_SHOWN_XATTR, CGH_SHOWN_SETTLED);
		cgh_logf(log, LOG_INFO, "notices for uid=%u: %d shown at the login of %s/%s removed "
			 "(a login shell runs there)", uid, r, fs->root, leaf);
		r = 1;
	}
out:
	if (r < 0)
		cgh_logf(log, LOG_WARNING, "notices for uid=%u shown at the login of %s/%s kept: %s",
			 uid, fs->root, leaf, err.msg);
	return r;
}
