/* The real spawn_detached (lib/core/spawn.c), both ways (the clone pair in
 * the caller's memory where the architecture has one, and two forks), run
 * here without a cgroup (cgroupfd -1; CLONE_INTO_CGROUP itself is tested in
 * the VM, 13-reaper):
 * what the caller sees of it, as the kernel reports it: no child left, no
 * SIGCHLD, its own memory and signal mask untouched, the process running
 * fn in a copy of the caller's memory with every signal blocked. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_cgroupfs.h"
#include "testutil.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* What fn's process reports through a pipe. */
struct report {
	pid_t pid, ppid;
	int term_blocked;	/* SIGTERM in its mask when fn began */
};

struct job {
	int fd;			/* the pipe's write end */
	int touched;		/* set by fn: in its copy of the memory only */
};

static void job_fn(void *arg)
{
	struct job *j = arg;
	struct report rep;
	sigset_t mask;

	j->touched = 1;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	rep.pid = getpid();
	rep.ppid = getppid();
	rep.term_blocked = sigismember(&mask, SIGTERM);
	if (write(j->fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(1);
}

/* clone3 exists here (valgrind 3.19 refuses it with ENOSYS): a call with
 * a size too small is EINVAL where it exists. */
static bool have_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS;
}

typedef int spawn_fn(int cgroupfd, void (*fn)(void *arg), void *arg);

struct way {
	spawn_fn *spawn;
};

static struct way pair = { cgh_spawn_detached }, forked = { cgh_spawn_detached_forked };

static spawn_fn *spawn_of(void **state)
{
	return ((const struct way *)*state)->spawn;
}

static void test_fn_runs_detached(void **state)
{
	struct job j = { -1, 0 };
	struct report rep;
	sigset_t chld, before, after, pending;
	int p[2];

	if (!have_clone3())
		skip_because("no clone3 system call here (valgrind 3.19 returns ENOSYS)");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	j.fd = p[1];
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &before);
	sigprocmask(SIG_SETMASK, NULL, &before);

	assert_int_equal(spawn_of(state)(-1, job_fn, &j), 0);

	sigprocmask(SIG_SETMASK, NULL, &after);
	close(p[1]);
	assert_int_equal(read(p[0], &rep, sizeof(rep)), (ssize_t)sizeof(rep));
	close(p[0]);
	assert_int_not_equal(rep.pid, getpid());
	assert_int_not_equal(rep.ppid, getpid());	/* the intermediate's, then init's */
	assert_int_equal(rep.term_blocked, 1);
	assert_int_equal(j.touched, 0);			/* a copy, not our memory */
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG | __WALL), -1);
	assert_int_equal(errno, ECHILD);		/* no child of ours is left */
	assert_int_equal(sigpending(&pending), 0);
	assert_false(sigismember(&pending, SIGCHLD));
	for (int sig = 1; sig < NSIG; sig++)
		assert_int_equal(sigismember(&after, sig), sigismember(&before, sig));
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
}

/* A clone that fails: the error is the caller's, fn never runs. */
static void test_clone_error_returned(void **state)
{
	struct job j = { -1, 0 };
	char byte;
	int p[2], notcg;

	if (!have_clone3())
		skip_because("no clone3 system call here (valgrind 3.19 returns ENOSYS)");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	j.fd = p[1];
	notcg = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(notcg >= 0);

	assert_int_equal(spawn_of(state)(notcg, job_fn, &j), -EBADF);

	close(notcg);
	close(p[1]);
	assert_int_equal(read(p[0], &byte, 1), 0);	/* no writer ever ran */
	close(p[0]);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG | __WALL), -1);
	assert_int_equal(errno, ECHILD);
}

/* A child subreaper would become fn's parent: refused, nothing made. */
static void test_subreaper_refused(void **state)
{
	int status = 0;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct job j = { -1, 0 };

		if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
			_exit(2);
		_exit(spawn_of(state)(-1, job_fn, &j) == -ECHILD ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define BOTH_WAYS(t) { #t, t, NULL, NULL, &pair }, { #t "_forked", t, NULL, NULL, &forked }
		BOTH_WAYS(test_fn_runs_detached),
		BOTH_WAYS(test_clone_error_returned),
		BOTH_WAYS(test_subreaper_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
