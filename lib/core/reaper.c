/* The reaper (see cgh_reaper.h).  cgh_reaper_prepare and cgh_reaper_start
 * run in the host, before the clone; everything from reaper_main on runs
 * in the reaper and calls only system calls and the string functions POSIX
 * lists as async-signal-safe: no malloc, no stdio, no locks. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgh_reaper.h"

#define STEP_NS 2000000L
#define SYSLOG_PATH "/dev/log"
#define SYSLOG_PRI "<84>"	/* LOG_AUTHPRIV | LOG_WARNING */

/* ---- in the host, before the clone ------------------------------------- */

static void join(char *out, size_t len, const char *dir, const char *file)
{
	snprintf(out, len, "%s/%s", dir, file);
}

void cgh_reaper_prepare(struct cgh_reaper *rp, const struct cgh_fs *fs, const char *leaf,
			const char *base, const char *user_dir, const char *origin, pid_t opener,
			bool kill_on_close, const char *who)
{
	memset(rp, 0, sizeof(*rp));
	rp->sys = fs->sys;
	rp->rootfd = fs->rootfd;
	rp->pidfd = -1;
	rp->leaffd = -1;
	rp->opener = opener;
	rp->kill_on_close = kill_on_close;
	rp->linger_ms = CGH_REAPER_LINGER_MS;
	snprintf(rp->root, sizeof(rp->root), "%s", fs->root);
	snprintf(rp->leaf, sizeof(rp->leaf), "%s", leaf);
	snprintf(rp->base, sizeof(rp->base), "%s", base);
	snprintf(rp->user_dir, sizeof(rp->user_dir), "%s", user_dir);
	snprintf(rp->origin, sizeof(rp->origin), "%s", origin);
	join(rp->leaf_procs, sizeof(rp->leaf_procs), leaf, "cgroup.procs");
	join(rp->leaf_events, sizeof(rp->leaf_events), leaf, "cgroup.events");
	join(rp->leaf_kill, sizeof(rp->leaf_kill), leaf, "cgroup.kill");
	join(rp->origin_procs, sizeof(rp->origin_procs), origin, "cgroup.procs");
	snprintf(rp->who, sizeof(rp->who), "%s", who);
}

static void reaper_main(void *arg);

/* The opener must be in the leaf: then the pidfd (taken first, so that the
 * pid cannot be reused meanwhile) is the opener's. */
static int open_opener(struct cgh_reaper *rp, const struct cgh_fs *fs, struct cgh_error *err)
{
	char where[512];
	int r = rp->sys->pidfd_open(rp->opener);

	if (r < 0)
		return cgh_fail(err, -r, "pidfd_open(%d)", (int)rp->opener);
	rp->pidfd = r;
	r = cgh_fs_where(fs, rp->opener, where, sizeof(where), err);
	if (r == 0 && strcmp(where, rp->leaf) != 0)
		r = cgh_fail_msg(err, ESRCH, "process %d is in /%s, not in its leaf", (int)rp->opener,
				 where);
	return r;
}

int cgh_reaper_start(struct cgh_reaper *rp, const struct cgh_fs *fs, struct cgh_error *err)
{
	int originfd = -1;
	int r = 0;

	if (rp->sys->pidfd_open == NULL || rp->sys->spawn_detached == NULL)
		return cgh_fail_msg(err, ENOSYS, "no reaper with this cgroupfs");
	r = open_opener(rp, fs, err);
	if (r == 0) {
		originfd = rp->sys->openat(rp->rootfd, rp->origin, O_RDONLY | O_DIRECTORY);
		if (originfd < 0)
			r = cgh_fail(err, -originfd, "cannot open %s/%s", fs->root, rp->origin);
	}
	if (r == 0) {
		rp->leaffd = rp->sys->openat(rp->rootfd, rp->leaf, O_RDONLY | O_DIRECTORY);
		if (rp->leaffd < 0)
			r = cgh_fail(err, -rp->leaffd, "cannot open %s/%s", fs->root, rp->leaf);
	}
	if (r == 0) {
		r = rp->sys->spawn_detached(originfd, reaper_main, rp);
		if (r < 0)
			cgh_fail(err, -r, "cannot start the reaper in %s/%s", fs->root, rp->origin);
	}
	if (originfd >= 0)
		close(originfd);
	if (rp->pidfd >= 0)
		close(rp->pidfd);
	if (rp->leaffd >= 0)
		close(rp->leaffd);
	rp->pidfd = rp->leaffd = -1;
	return r;
}

/* ---- in the reaper: system calls only ----------------------------------- */

/* Appends text to the string in buf (len bytes), truncating. */
static void append(char *buf, size_t len, const char *text)
{
	size_t used = strnlen(buf, len - 1), n = strlen(text);

	if (n > len - 1 - used)
		n = len - 1 - used;
	memcpy(buf + used, text, n);
	buf[used + n] = '\0';
}

/* v in decimal into buf (at least 24 bytes). */
static void format_num(char *buf, unsigned long v)
{
	char digits[24];
	size_t i = sizeof(digits) - 1;

	digits[i] = '\0';
	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0 && i > 0);
	memcpy(buf, digits + i, sizeof(digits) - i);
}

static void why_add(struct cgh_reaper *rp, const char *text)
{
	append(rp->why, sizeof(rp->why), text);
}

static void why_num(struct cgh_reaper *rp, unsigned long v)
{
	char digits[24];

	format_num(digits, v);
	why_add(rp, digits);
}

static const char *errno_name(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ EACCES, "EACCES" }, { EPERM, "EPERM" }, { EBUSY, "EBUSY" }, { ENOENT, "ENOENT" },
		{ EINVAL, "EINVAL" }, { EIO, "EIO" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { EAGAIN, "EAGAIN" }, { ESRCH, "ESRCH" },
		{ EROFS, "EROFS" }, { ENOMEM, "ENOMEM" }, { EBADF, "EBADF" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return NULL;
}

/* "what PATH: ENAME" into rp->why (the first failure only); returns r. */
static int failed(struct cgh_reaper *rp, const char *what, const char *path, int r)
{
	const char *name = errno_name(-r);

	if (rp->why[0] != '\0')
		return r;
	why_add(rp, what);
	if (path != NULL) {
		why_add(rp, " ");
		why_add(rp, rp->root);
		why_add(rp, "/");
		why_add(rp, path);
	}
	if (r < 0) {
		why_add(rp, ": ");
		if (name != NULL) {
			why_add(rp, name);
		} else {
			why_add(rp, "errno ");
			why_num(rp, (unsigned long)-r);
		}
	}
	return r;
}

static void nap(void)
{
	struct timespec ts = { 0, STEP_NS };

	nanosleep(&ts, NULL);
}

/* A control file of the leaf: through leaffd when there is one (it cannot
 * name another cgroup), else by its path from the root (rooted). */
static int leaf_dirfd(const struct cgh_reaper *rp, const char *name, const char *rooted,
		      const char **path)
{
	*path = rp->leaffd >= 0 ? name : rooted;
	return rp->leaffd >= 0 ? rp->leaffd : rp->rootfd;
}

/* All of fd (up to len - 1 bytes) into buf, NUL-ended; closes fd.  -EIO. */
static int read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return n < 0 ? -EIO : 0;
}

static int read_file(const struct cgh_reaper *rp, const char *name, const char *rooted,
		     char *buf, size_t len)
{
	const char *path;
	int at = leaf_dirfd(rp, name, rooted, &path);
	int fd = rp->sys->openat(at, path, O_RDONLY);

	if (fd < 0)
		return fd;
	return read_all(fd, buf, len);
}

/* 1 populated, 0 not, -errno. */
static int populated(const struct cgh_reaper *rp)
{
	char text[256];
	int r = read_file(rp, "cgroup.events", rp->leaf_events, text, sizeof(text));

	if (r < 0)
		return r;
	if (strstr(text, "populated 1") != NULL)
		return 1;
	return strstr(text, "populated 0") != NULL ? 0 : -EINVAL;
}

/* Calls fn for each pid listed in the leaf's cgroup.procs; stops at the
 * first nonzero result, which it returns. */
static int each_proc(const struct cgh_reaper *rp, int (*fn)(const struct cgh_reaper *rp, long pid))
{
	char text[8192];
	int r = read_file(rp, "cgroup.procs", rp->leaf_procs, text, sizeof(text));

	for (const char *p = text; r == 0 && *p != '\0';) {
		long pid = 0;

		while (*p >= '0' && *p <= '9')
			pid = pid * 10 + (*p++ - '0');
		if (pid > 0)
			r = fn(rp, pid);
		p += *p != '\0';
	}
	return r;
}

static int is_opener(const struct cgh_reaper *rp, long pid)
{
	return pid == (long)rp->opener;
}

static int kill_one(const struct cgh_reaper *rp, long pid)
{
	rp->sys->kill((pid_t)pid, SIGKILL);
	return 0;
}

/* Whether the leaf's path still names the directory the reaper was given
 * (kernfs gives each cgroup its own inode number). */
static bool same_leaf(const struct cgh_reaper *rp)
{
	struct stat given, now;

	if (rp->leaffd < 0)
		return true;
	return fstat(rp->leaffd, &given) == 0 &&
	       fstatat(rp->rootfd, rp->leaf, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       given.st_ino == now.st_ino && given.st_dev == now.st_dev;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the opener has exited, or left the leaf (a new session of the
 * same process moved it to a leaf of its own), within ms: polls its pidfd
 * and the leaf's cgroup.events (which signals each change of populated). */
static int opener_gone(const struct cgh_reaper *rp, unsigned ms)
{
	struct pollfd p[2] = { { .fd = rp->pidfd, .events = POLLIN },
			       { .fd = -1, .events = POLLPRI } };
	long deadline = now_ms() + (long)ms;
	const char *events;
	char text[64];
	int n = 0, e, at;

	if (rp->opener_gone != NULL)
		return rp->opener_gone(rp, ms);
	at = leaf_dirfd(rp, "cgroup.events", rp->leaf_events, &events);
	p[1].fd = rp->sys->openat(at, events, O_RDONLY);
	if (p[1].fd >= 0 && pread(p[1].fd, text, sizeof(text), 0) < 0)
		p[1].fd = -1;
	for (long left = (long)ms; left >= 0; left = deadline - now_ms()) {
		n = poll(p, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || p[0].revents != 0)
			break;
		if (pread(p[1].fd, text, sizeof(text), 0) < 0 ||	/* re-arms the notification */
		    each_proc(rp, is_opener) <= 0)
			break;	/* out of the leaf, or the leaf is gone */
		n = 0;
	}
	e = errno;
	if (p[1].fd >= 0)
		close(p[1].fd);
	return n < 0 ? -e : n > 0;
}

/* The opener outlived close by linger_ms: out of the leaf, where it came
 * from (else to the root), as close did before the reaper. */
static int move_opener_out(struct cgh_reaper *rp)
{
	char pid[24];
	int r = each_proc(rp, is_opener);

	if (r <= 0)
		return r < 0 ? failed(rp, "cannot read", rp->leaf_procs, r) : 0;
	format_num(pid, (unsigned long)rp->opener);
	r = rp->sys->write_file(rp->rootfd, rp->origin_procs, pid);
	if (r == -ESRCH)
		return 0;	/* it exited meanwhile: what we waited for */
	if (r < 0)
		r = rp->sys->write_file(rp->rootfd, "cgroup.procs", pid);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return failed(rp, "cannot move the opener that outlived close out of", rp->leaf, r);
	rp->moved_out = true;
	return 0;
}

static int wait_empty(struct cgh_reaper *rp)
{
	for (unsigned long waited_ns = 0;; waited_ns += STEP_NS) {
		int r = populated(rp);

		if (r <= 0)
			return r;
		if (waited_ns / 1000000ul >= rp->wait_ms) {
			failed(rp, "processes left after the kill in", rp->leaf, 0);
			return -ETIMEDOUT;
		}
		nap();
	}
}

/* cgroup.kill, or, before Linux 5.14, SIGKILL to each listed process. */
static int kill_leftovers(struct cgh_reaper *rp)
{
	const char *path;
	int at = leaf_dirfd(rp, "cgroup.kill", rp->leaf_kill, &path);
	int r = rp->sys->write_file(at, path, "1");

	if (r == -ENOENT) {
		int fd = rp->sys->openat(rp->rootfd, rp->leaf, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return fd;	/* the leaf is gone */
		close(fd);
		for (int round = 0; round < 50 && populated(rp) == 1; round++) {
			each_proc(rp, kill_one);
			nap();
		}
		r = 0;
	}
	if (r < 0)
		return failed(rp, "cannot write", rp->leaf_kill, r);
	return wait_empty(rp);
}

/* The whole of a small file of /proc into buf; -errno. */
static int read_proc(long pid, const char *file, char *buf, size_t len)
{
	char path[64] = "/proc/", digits[24];
	int fd;

	format_num(digits, (unsigned long)pid);
	append(path, sizeof(path), digits);
	append(path, sizeof(path), file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_all(fd, buf, len);
}

/* The hex mask after "\nNAME:" in a /proc status text, 0 if none. */
static unsigned long long status_mask(const char *text, const char *name)
{
	char key[16] = "\n";
	unsigned long long v = 0;
	const char *p;

	append(key, sizeof(key), name);
	append(key, sizeof(key), ":");
	p = strstr(text, key);
	if (p == NULL)
		return 0;
	for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
		;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
		if (d < 0)
			return v;
		v = v << 4 | (unsigned long long)d;
	}
}

#define PF_EXITING_FLAG 0x4u
#define SIG_BIT(s) (1ull << ((s) - 1))
#define FATAL_SIGS (SIG_BIT(SIGHUP) | SIG_BIT(SIGINT) | SIG_BIT(SIGQUIT) | SIG_BIT(SIGPIPE) | \
		    SIG_BIT(SIGTERM) | SIG_BIT(SIGKILL))

/* Whether pid is on its way out by itself: gone, a zombie, exiting
 * (PF_EXITING), or with a signal pending that ends it (SIGKILL; SIGHUP,
 * SIGTERM and the like neither blocked, ignored nor caught): a process
 * the session's end hung up is no leftover. */
static bool ending(long pid)
{
	char text[2048];
	const char *p;
	unsigned long long pending, spared;
	unsigned long flags = 0;

	if (read_proc(pid, "/stat", text, sizeof(text)) < 0 || (p = strrchr(text, ')')) == NULL)
		return true;
	if (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
		return true;
	for (int field = 3; field <= 9 && p != NULL; field++)	/* to flags, the 9th */
		p = strchr(p + 1, ' ');
	for (p = p != NULL ? p + 1 : ""; *p >= '0' && *p <= '9'; p++)
		flags = flags * 10 + (unsigned long)(*p - '0');
	if (flags & PF_EXITING_FLAG)
		return true;
	if (read_proc(pid, "/status", text, sizeof(text)) < 0)
		return true;
	pending = status_mask(text, "SigPnd") | status_mask(text, "ShdPnd");
	spared = status_mask(text, "SigBlk") | status_mask(text, "SigIgn") | status_mask(text, "SigCgt");
	return (pending & SIG_BIT(SIGKILL)) != 0 || (pending & FATAL_SIGS & ~spared) != 0;
}

/* The processes listed in the leaf's cgroup.procs that are not ending. */
static unsigned long count_leftovers(const struct cgh_reaper *rp)
{
	char text[8192];
	unsigned long n = 0;

	if (read_file(rp, "cgroup.procs", rp->leaf_procs, text, sizeof(text)) < 0)
		return 0;
	for (const char *p = text; *p != '\0';) {
		long pid = 0;

		while (*p >= '0' && *p <= '9')
			pid = pid * 10 + (*p++ - '0');
		if (pid > 0 && !ending(pid))
			n++;
		p += *p != '\0';
	}
	return n;
}

/* The notice of the kill, for the user's next login: written before the
 * leaf goes, so that a leaf gone is a kill recorded. */
static void record_kill(struct cgh_reaper *rp)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	r = cgh_notice_pending_write(&rp->kill_notice, (uint64_t)ts.tv_sec, rp->killed);
	if (r < 0)
		failed(rp, "cannot record the notice of the kill at close of", rp->leaf, r);
}

static enum cgh_reaper_outcome end_leaf(struct cgh_reaper *rp)
{
	int r = populated(rp);

	if (r == -ENOENT)
		return CGH_REAPED_GONE;
	if (r < 0) {
		failed(rp, "cannot read", rp->leaf_events, r);
		return CGH_REAPED_FAILED;
	}
	if (r == 1 && rp->kill_on_close) {
		unsigned long n = count_leftovers(rp);
		r = kill_leftovers(rp);
		if (r == 0 && n > 0) {
			rp->killed = n;
			record_kill(rp);
		}
		if (r == -ENOENT)
			return CGH_REAPED_GONE;
		if (r < 0)
			return CGH_REAPED_FAILED;
	}
	if (!same_leaf(rp))
		return CGH_REAPED_GONE;
	r = rp->sys->rmdirat(rp->rootfd, rp->leaf);
	if (r == 0)
		return CGH_REAPED_REMOVED;
	if (r == -ENOENT)
		return CGH_REAPED_GONE;
	if (r == -EBUSY || r == -ENOTEMPTY)
		return CGH_REAPED_KEPT;
	failed(rp, "cannot remove", rp->leaf, r);
	return CGH_REAPED_FAILED;
}

static void remove_user_dir(const struct cgh_reaper *rp, const struct cgh_fs *fs)
{
	int lockfd = cgh_fs_lock(fs, rp->base, true, rp->user_lock_ms, NULL);

	if (lockfd < 0)
		return;		/* busy: the next collection removes it */
	rp->sys->rmdirat(rp->rootfd, rp->user_dir);
	cgh_fs_unlock(lockfd);
}

enum cgh_reaper_outcome cgh_reaper_run(struct cgh_reaper *rp)
{
	/* for the lock calls, which do only system calls given no error struct */
	struct cgh_fs fs = { .rootfd = rp->rootfd, .sys = rp->sys };
	enum cgh_reaper_outcome out = CGH_REAPED_FAILED;
	int lockfd = -1;
	int gone = opener_gone(rp, rp->linger_ms);
	int r = 0;

	rp->killed = 0;
	if (gone < 0) {
		failed(rp, "cannot wait for the opener of", rp->leaf, gone);
		return out;
	}
	lockfd = cgh_fs_lock(&fs, rp->base, false, rp->lock_ms, NULL);
	if (!same_leaf(rp))	/* collected, perhaps made anew for another session */
		out = CGH_REAPED_GONE;
	else if (!gone)
		r = move_opener_out(rp);
	if (r == 0 && out != CGH_REAPED_GONE)
		out = end_leaf(rp);
	cgh_fs_unlock(lockfd);
	if (out == CGH_REAPED_REMOVED)
		remove_user_dir(rp, &fs);
	return out;
}

/* "<84>cgherd-reaper[PID]: pam_cgherd: WHO leaf=ROOT/LEAF: WHY" to syslog. */
static void log_failure(struct cgh_reaper *rp)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = SYSLOG_PATH };
	char line[1024] = SYSLOG_PRI CGH_REAPER_NAME "[", pid[24];
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	format_num(pid, (unsigned long)getpid());
	const char *parts[] = { pid, "]: pam_cgherd: reaper ", rp->who, " leaf=", rp->root, "/",
				rp->leaf, ": ", rp->why };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		append(line, sizeof(line), parts[i]);
	if (connect(fd, (const struct sockaddr *)&addr, sizeof(addr)) == 0)
		send(fd, line, strlen(line), MSG_NOSIGNAL);
	close(fd);
}

static void close_from(unsigned first, unsigned last)
{
	struct rlimit lim;

	if (first > last || close_range(first, last, 0) == 0 || errno != ENOSYS)
		return;
	/* Linux 5.7 and 5.8: one by one, as far as the descriptor limit */
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur > 65536)
		lim.rlim_cur = 65536;
	for (unsigned fd = first; fd <= last && fd < lim.rlim_cur; fd++)
		close((int)fd);
}

/* Closes every descriptor but rootfd, pidfd and leaffd, with stdin, stdout and
 * stderr on /dev/null: nothing of the host's (a socket, a pty, a pipe)
 * stays open through the reaper. */
static void keep_only(const struct cgh_reaper *rp)
{
	int keep[3] = { rp->rootfd, rp->pidfd, rp->leaffd };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	unsigned next = 3;

	for (int i = 1; i < 3; i++)	/* sorted, for the gaps between them */
		for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int fd = 0; fd <= 2; fd++) {
		if (fd == keep[0] || fd == keep[1] || fd == keep[2] || fd == null)
			continue;
		if (null >= 0)
			dup2(null, fd);
		else
			close(fd);
	}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)next)
			continue;
		close_from(next, (unsigned)keep[i] - 1);
		next = (unsigned)keep[i] + 1;
	}
	close_from(next, ~0u);	/* /dev/null's own descriptor too, if above 2 */
}

/* Default dispositions and an empty mask: no handler of the host's runs,
 * and SIGTERM or SIGKILL end the reaper (the leaf is then left to
 * collection). */
static void reset_signals(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ps -o comm, top and pgrep show "cgherd-reaper"; the command line stays
 * the host's (changing it needs PR_SET_MM_MAP and all of the mm's bounds). */
static void set_name(void)
{
	prctl(PR_SET_NAME, CGH_REAPER_NAME, 0, 0, 0);
}

static void reaper_main(void *arg)
{
	struct cgh_reaper *rp = arg;

	reset_signals();
	setsid();		/* out of the host's session and process group */
	keep_only(rp);
	set_name();
	if (cgh_reaper_run(rp) == CGH_REAPED_FAILED || rp->why[0] != '\0')
		log_failure(rp);
	_exit(0);
}
