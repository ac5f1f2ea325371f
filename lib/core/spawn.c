/* A process made directly in a cgroup and detached from its caller: clone3
 * with CLONE_INTO_CGROUP (Linux 5.7; glibc 2.36 has no wrapper), through an
 * intermediate child whose exit_signal is 0, so that the caller (a PAM
 * host: sshd, su, cron) never gets SIGCHLD for it and no wait() of its
 * finds it; the intermediate clones the real process and exits at once and
 * is reaped here with __WALL.  The new process is reparented to init (or
 * the nearest child subreaper above the caller). */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgh_cgroupfs.h"

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

/* The intermediate child: only system calls.  Exits with 0 once fn's
 * process runs, else with the errno of the clone. */
static void intermediate(void (*fn)(void *arg), void *arg)
{
	pid_t pid = clone_quiet(-1);

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	_exit(pid < 0 ? errno : 0);
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
	pid = clone_quiet(cgroupfd);
	if (pid == 0)
		intermediate(fn, arg);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	return reap(pid);
}
