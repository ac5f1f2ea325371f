/* A process made directly in a cgroup and detached from its caller: clone3
 * with CLONE_INTO_CGROUP (Linux 5.7; glibc 2.36 has no wrapper), through an
 * intermediate child whose exit_signal is 0, so that the caller (a PAM
 * host: sshd, su, cron) never gets SIGCHLD for it and no wait() of its
 * finds it; the intermediate clones the real process and exits at once and
 * is reaped here with __WALL.  The new process is reparented to init (or
 * the nearest child subreaper above the caller).
 *
 * The intermediate shares the caller's memory (CLONE_VM | CLONE_VFORK, as
 * posix_spawn makes its child), so the caller's page tables are copied once,
 * for the real process, not twice (bench/RESULTS.md, run 15: the host's
 * close 2.2 ms shorter under TCG). */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgh_cgroupfs.h"

#define SPAWN_STACK 8192	/* the intermediate needs a few hundred bytes */

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int cgh_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

/* A fork through clone3; into cgroupfd when it is >= 0.  exit_signal 0:
 * the parent is not signalled when it ends. */
static pid_t clone_quiet(int cgroupfd)
{
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	a.exit_signal = 0;
	if (cgroupfd >= 0) {
		a.flags = CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)cgroupfd;
	}
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

struct spawn {
	int cgroupfd;
	void (*fn)(void *arg);
	void *arg;
};

/* The intermediate child, in the caller's memory (CLONE_VM) while the
 * calling thread waits (CLONE_VFORK), on a stack of its own: only system
 * calls, and no write to memory but its stack and the errno of the clone.
 * Its clone is the one copy of the caller's memory: fn's process, in the
 * cgroup, which goes on from there on its copy of that stack.  Exits with 0
 * once fn's process runs, else with the errno of the clone. */
static int intermediate(void *p)
{
	const struct spawn *sp = p;
	pid_t pid = clone_quiet(sp->cgroupfd);

	if (pid == 0) {
		sp->fn(sp->arg);
		_exit(0);
	}
	return pid < 0 ? errno : 0;
}

static int reap(pid_t pid)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, __WALL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

int cgh_spawn_detached(int cgroupfd, void (*fn)(void *arg), void *arg)
{
	/* The intermediate's stack, in this frame: the calling thread is
	 * suspended below it until the intermediate has exited.  fn's process
	 * grows its copy of it down into its copy of this thread's stack. */
	char stack[SPAWN_STACK] __attribute__((aligned(16)));
	struct spawn sp = { cgroupfd, fn, arg };
	sigset_t all, old;
	int subreaper = 0;
	pid_t pid;
	int e;

	if (prctl(PR_GET_CHILD_SUBREAPER, &subreaper) == 0 && subreaper)
		return -ECHILD;
	/* No handler of the host's may run in the children: they start with
	 * every signal blocked, and the process that runs fn resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(intermediate, stack + sizeof(stack), CLONE_VM | CLONE_VFORK, &sp);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	return reap(pid);
}
