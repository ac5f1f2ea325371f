/* cgroupfs effects.  Every path is relative to one root directory fd, so
 * tests point the root at a temporary directory and swap the few calls that
 * only a kernel can answer (struct cgh_sys) for an emulation.
 *
 * Functions return 0 or -errno and record the first failure in err, naming
 * the file.  Expected outcomes that callers decide about (mkdir -EEXIST,
 * rmdir -EBUSY/-ENOENT/-ENOTEMPTY) are returned without touching err. */
#ifndef CGH_CGROUPFS_H
#define CGH_CGROUPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_limits.h"
#include "cgh_log.h"
#include "cgh_paths.h"

#define CGH_CGROUP2_MAGIC 0x63677270L
#define CGH_UNKNOWN (UINT64_MAX - 1)	/* a figure the kernel did not give */

/* The calls a test emulates.  All return 0 (or an fd) or -errno. */
struct cgh_sys {
	int (*open_root)(const char *path);
	int (*mkdirat)(int dirfd, const char *path);
	int (*rmdirat)(int dirfd, const char *path);
	int (*openat)(int dirfd, const char *path, int flags);
	/* Writes text to an existing control file in one write(2). */
	int (*write_file)(int dirfd, const char *path, const char *text);
	int (*fs_magic)(int fd, long *magic);
	/* The cgroup v2 path ("/a/b") of pid, from /proc/PID/cgroup. */
	int (*proc_cgroup)(pid_t pid, char *buf, size_t len);
	int (*kill)(pid_t pid, int sig);
	/* Extended attributes of a cgroup directory (trusted.* on kernfs);
	 * getxattr returns the value's length. */
	int (*setxattr)(int dirfd, const char *path, const char *name, const char *value);
	int (*getxattr)(int dirfd, const char *path, const char *name, char *buf, size_t len);
	/* Resident set size (bytes) and command name of pid, from /proc. */
	int (*proc_rss)(pid_t pid, uint64_t *rss, char *comm, size_t len);
	/* The controlling terminal of pid (tty_nr of /proc/PID/stat; 0: none). */
	int (*proc_tty)(pid_t pid, uint64_t *tty_nr);
	/* Whether pid is a login shell (its argv[0] begins with '-', as login,
	 * sshd, su -l give it): 1 or 0, or -errno.  NULL: not known. */
	int (*proc_login_shell)(pid_t pid);
	/* A pidfd of pid (pidfd_open), or -errno.  NULL: none (no reaper). */
	int (*pidfd_open)(pid_t pid);
	/* Runs fn(arg) in a new process made in the cgroup cgroupfd, which is
	 * no child of the caller's and gets none of its signals; fn must not
	 * return.  0 once it runs, or -errno.  NULL: none (no reaper). */
	int (*spawn_detached)(int cgroupfd, void (*fn)(void *arg), void *arg);
	/* The super options of the mount at mount_point ("rw,nsdelegate"), from
	 * /proc/self/mountinfo, or -errno.  NULL: unknown (close takes the reaper). */
	int (*mount_options)(const char *mount_point, char *buf, size_t len);
};

extern const struct cgh_sys cgh_sys_real;

/* The real pidfd_open and spawn_detached (lib/core/spawn.c): clone3 with
 * CLONE_INTO_CGROUP of an intermediate child (exit_signal 0, reaped at once
 * with __WALL) that clones fn's process and exits; on x86_64 the
 * intermediate shares the caller's memory (CLONE_VM | CLONE_VFORK).
 * spawn: -ECHILD when the caller is a child subreaper (fn's process would
 * become its child). */
int cgh_pidfd_open(pid_t pid);
int cgh_spawn_detached(int cgroupfd, void (*fn)(void *arg), void *arg);
/* The same with an intermediate forked from the caller (two copies of its
 * memory): what spawn_detached does where no clone pair is written for the
 * architecture; tests run both. */
int cgh_spawn_detached_forked(int cgroupfd, void (*fn)(void *arg), void *arg);

struct cgh_fs {
	int rootfd;
	char root[CGH_CGROUP_ROOT_MAX];
	const struct cgh_sys *sys;
};

struct cgh_stats {
	uint64_t memory_current, memory_peak, memory_max;
	uint64_t cpu_usage_usec, cpu_max_quota, cpu_max_period;
	uint64_t pids_current, pids_max;
	uint64_t oom, oom_kill, oom_group_kill;
	uint64_t procs;
};

/* Opens root (no symlink as last component) and checks that it is a
 * cgroup2 mount. */
int cgh_fs_open(struct cgh_fs *fs, const char *root, const struct cgh_sys *sys,
		struct cgh_error *err);
void cgh_fs_close(struct cgh_fs *fs);

/* "ROOT/rel": a path relative to the root as the kernel and logs name it. */
void cgh_fs_abs_path(const struct cgh_fs *fs, const char *rel, char *buf, size_t len);

int cgh_fs_read(const struct cgh_fs *fs, const char *dir, const char *file, char *buf,
		size_t len, struct cgh_error *err);
int cgh_fs_write(const struct cgh_fs *fs, const char *dir, const char *file, const char *text,
		 struct cgh_error *err);
int cgh_fs_mkdir(const struct cgh_fs *fs, const char *dir, struct cgh_error *err);
int cgh_fs_rmdir(const struct cgh_fs *fs, const char *dir, struct cgh_error *err);

/* Controllers listed in dir's cgroup.controllers. */
int cgh_fs_controllers(const struct cgh_fs *fs, const char *dir, unsigned *mask,
		       struct cgh_error *err);

/* The controllers dir's cgroup.subtree_control enables, as CGH_CTRL_* bits. */
int cgh_fs_enabled(const struct cgh_fs *fs, const char *dir, unsigned *mask,
		   struct cgh_error *err);

/* Enables the controllers in mask that dir's cgroup.subtree_control lacks. */
int cgh_fs_enable(const struct cgh_fs *fs, const char *dir, unsigned mask,
		  struct cgh_error *err);

/* The values dir's control files hold now for the keys in mask (bits 1 <<
 * enum cgh_limit_key), as limits; a key whose file cannot be read or parsed
 * is left unset. */
void cgh_fs_read_limits(const struct cgh_fs *fs, const char *dir, unsigned mask,
			struct cgh_limits *out);

/* Writes every set limit into dir, in table order. */
int cgh_fs_write_limits(const struct cgh_fs *fs, const char *dir, const struct cgh_limits *l,
			struct cgh_error *err);

int cgh_fs_move(const struct cgh_fs *fs, const char *dir, pid_t pid, struct cgh_error *err);

/* Where pid is, relative to the root ("." for the root itself). */
int cgh_fs_where(const struct cgh_fs *fs, pid_t pid, char *buf, size_t len,
		 struct cgh_error *err);

/* SIGKILLs everything in dir: cgroup.kill, or, before Linux 5.14, each
 * process of cgroup.procs in turn. */
int cgh_fs_kill(const struct cgh_fs *fs, const char *dir, struct cgh_error *err);

int cgh_fs_populated(const struct cgh_fs *fs, const char *dir, bool *populated,
		     struct cgh_error *err);

/* Polls cgroup.events until populated is 0; -ETIMEDOUT after timeout_ms. */
int cgh_fs_wait_empty(const struct cgh_fs *fs, const char *dir, unsigned timeout_ms,
		      struct cgh_error *err);

/* A file holding one number ("max": CGH_UNLIMITED), or one key of a flat
 * keyed file (memory.events, memory.stat, cpu.stat); CGH_UNKNOWN when the
 * kernel does not have it. */
uint64_t cgh_fs_read_number(const struct cgh_fs *fs, const char *dir, const char *file);
uint64_t cgh_fs_read_keyed(const struct cgh_fs *fs, const char *dir, const char *file,
			   const char *key);

/* Best effort: figures the kernel does not have stay CGH_UNKNOWN. */
void cgh_fs_stats(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st);

/* Only the figures a log line shows (cgh_stats_describe): memory.peak,
 * memory.max, cpu usage, the OOM counts, procs; the others CGH_UNKNOWN. */
void cgh_fs_stats_brief(const struct cgh_fs *fs, const char *dir, struct cgh_stats *st);

/* flock on dir, shared or exclusive, waiting at most timeout_ms (0: try
 * once).  Returns the fd holding the lock, -EWOULDBLOCK when busy. */
int cgh_fs_lock(const struct cgh_fs *fs, const char *dir, bool exclusive, unsigned timeout_ms,
		struct cgh_error *err);
void cgh_fs_unlock(int lockfd);

/* Calls fn for each subdirectory of dir whose name starts with prefix. */
int cgh_fs_each_dir(const struct cgh_fs *fs, const char *dir, const char *prefix,
		    int (*fn)(void *arg, const char *name), void *arg, struct cgh_error *err);

/* The name of the rule a leaf was built under, recorded on its directory
 * as the xattr CGH_RULE_XATTR. */
#define CGH_RULE_XATTR "trusted.cgherd.rule"
int cgh_fs_set_rule(const struct cgh_fs *fs, const char *dir, const char *rule,
		    struct cgh_error *err);
int cgh_fs_get_rule(const struct cgh_fs *fs, const char *dir, char *buf, size_t len);

/* When base was last collected whole, in seconds of CLOCK_BOOTTIME (the
 * life of a cgroup hierarchy), recorded on its directory; 0: never, or the
 * kernel keeps no trusted xattrs there. */
#define CGH_GC_XATTR "trusted.cgherd.gc"
uint64_t cgh_fs_gc_stamp(const struct cgh_fs *fs, const char *base);
int cgh_fs_set_gc_stamp(const struct cgh_fs *fs, const char *base, uint64_t secs,
			struct cgh_error *err);
uint64_t cgh_boottime_s(void);

/* Pure helpers over file contents, exposed for tests. */
int cgh_keyed_value(const char *text, const char *key, uint64_t *out);
int cgh_proc_cgroup_v2(const char *text, char *buf, size_t len);
int cgh_proc_status(const char *text, uint64_t *rss, char *comm, size_t len);
/* tty_nr, the 7th field of /proc/PID/stat (after the command in parentheses). */
int cgh_proc_stat_tty(const char *text, uint64_t *tty_nr);

#endif
