/* A process made directly in a cgroup and detached from its caller: clone3
 * with CLONE_INTO_CGROUP (Linux 5.7; glibc 2.36 has no wrapper), through an
 * intermediate child whose exit_signal is 0, so that the caller (a PAM
 * host: sshd, su, cron) never gets SIGCHLD for it and no wait() of its
 * finds it; the intermediate clones the real process and exits at once and
 * is reaped here with __WALL.  The new process is reparented to init (or
 * the nearest child subreaper above the caller).
 *
 * On x86_64 the intermediate shares the caller's memory (clone3 with
 * CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP, as glibc 2.39's posix_spawn
 * makes a child in a cgroup), so the caller's page tables are copied once,
 * for the real process, not twice (bench/RESULTS.md, runs 15 and 16).
 * Elsewhere the caller forks the intermediate, which forks the process. */
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

/* clone3's arguments for flags, into cgroupfd when it is >= 0.  exit_signal
 * 0: the parent is not signalled when the child ends. */
static void quiet_args(struct clone_args *a, uint64_t flags, int cgroupfd)
{
	memset(a, 0, sizeof(*a));
	a->flags = flags;
	if (cgroupfd >= 0) {
		a->flags |= CLONE_INTO_CGROUP;
		a->cgroup = (uint64_t)cgroupfd;
	}
}

/* A fork through clone3 (see quiet_args). */
static pid_t clone_quiet(int cgroupfd)
{
	struct clone_args a;

	quiet_args(&a, 0, cgroupfd);
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

/* The intermediate: forks fn's process and exits at once, with 0 once it
 * runs, else with the errno of the clone. */
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

#if defined(__x86_64__)
/* Both clones in one block of system calls.  The first makes the
 * intermediate in the cgroup, in the caller's memory and on its stack
 * while the calling thread waits (CLONE_VM | CLONE_VFORK, as posix_spawn
 * makes its child): it runs nothing but the instructions below, touches no
 * memory, and exits with the errno of the second clone or 0.  The second
 * clone is the one copy of the caller's memory: fn's process, which leaves
 * the block with 0 and goes on in C on its own copy of the stack.  The
 * caller leaves it with the intermediate's pid or -errno of the first.
 * The system call instruction keeps every register but rax, rcx and r11. */
static long clone_pair(struct clone_args *outer, struct clone_args *inner)
{
	register long rax __asm__("rax") = SYS_clone3;
	register struct clone_args *rdi __asm__("rdi") = outer;
	register unsigned long rsi __asm__("rsi") = sizeof(*outer);
	register struct clone_args *r8 __asm__("r8") = inner;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"		/* the caller, or no intermediate */
			 "mov %[clone3], %%eax\n\t"
			 "mov %%r8, %%rdi\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jz 1f\n\t"		/* fn's process */
			 "xor %%edi, %%edi\n\t"
			 "test %%rax, %%rax\n\t"
			 "jns 2f\n\t"
			 "mov %%eax, %%edi\n\t"
			 "neg %%edi\n"
			 "2:\tmov %[exit], %%eax\n\t"
			 "syscall\n"		/* the intermediate ends here */
			 "1:"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(r8)
			 : [clone3] "i"(SYS_clone3), [exit] "i"(SYS_exit)
			 : "rcx", "r11", "memory");
	return rax;
}

static pid_t spawn_pair(int cgroupfd, void (*fn)(void *arg), void *arg)
{
	struct clone_args outer, inner;
	long pid;

	quiet_args(&outer, CLONE_VM | CLONE_VFORK, cgroupfd);
	quiet_args(&inner, 0, -1);
	pid = clone_pair(&outer, &inner);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (pid < 0)
		errno = (int)-pid;
	return pid < 0 ? -1 : (pid_t)pid;
}
#endif

/* The caller forks the intermediate (in the cgroup), which forks fn's
 * process: two copies of the caller's memory. */
static pid_t spawn_forked(int cgroupfd, void (*fn)(void *arg), void *arg)
{
	pid_t pid = clone_quiet(cgroupfd);

	if (pid == 0)
		intermediate(fn, arg);
	return pid;
}

static int spawn_with(pid_t (*how)(int cgroupfd, void (*fn)(void *arg), void *arg),
		      int cgroupfd, void (*fn)(void *arg), void *arg)
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
	pid = how(cgroupfd, fn, arg);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	return reap(pid);
}

int cgh_spawn_detached(int cgroupfd, void (*fn)(void *arg), void *arg)
{
#if defined(__x86_64__)
	return spawn_with(spawn_pair, cgroupfd, fn, arg);
#else
	return spawn_with(spawn_forked, cgroupfd, fn, arg);
#endif
}

int cgh_spawn_detached_forked(int cgroupfd, void (*fn)(void *arg), void *arg)
{
	return spawn_with(spawn_forked, cgroupfd, fn, arg);
}
