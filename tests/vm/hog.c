/* hog: tiny static helper for the VM scenarios of pam_cgherd.
 *
 *   hog mem WORKERS MB     master forks WORKERS workers; each touches MB megabytes
 *                          and then holds them forever; the master waits for all
 *                          workers, so it hangs unless the whole group is killed.
 *   hog bomb SECONDS [STOPFILE]
 *                          fork bomb: every process forks as fast as it can until
 *                          SECONDS have passed or STOPFILE exists, reaping its own
 *                          children; then all wait for their children and exit
 *                          (bottom-up, no orphans).  Prints the number of forks made
 *                          and failed by the first process.
 *   hog spin SECONDS       busy loop for SECONDS (0 = forever).
 *   hog setxattr PATH NAME VALUE
 *                          sets an extended attribute (busybox has no setfattr):
 *                          the notice scenario forges what a leaf says about its login.
 *
 * Built with `cc -static` so it needs nothing inside the initramfs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: hog mem WORKERS MB | hog bomb SECONDS [STOPFILE] | hog spin SECONDS | hog setxattr PATH NAME VALUE\n");
	return 2;
}

static void touch_and_hold(long mb)
{
	size_t len = (size_t)mb << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("hog: mmap");
		_exit(1);
	}
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	printf("hog: worker %d holds %ld MB\n", (int)getpid(), mb);
	fflush(stdout);
	for (;;)
		pause();
}

static int mem(long workers, long mb)
{
	printf("hog: master %d starts %ld workers of %ld MB\n", (int)getpid(), workers, mb);
	fflush(stdout);
	for (long i = 0; i < workers; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("hog: fork");
			return 1;
		}
		if (pid == 0)
			touch_and_hold(mb);
	}
	/* wait for every worker: only returns if all of them died */
	int status, left = (int)workers;
	while (left > 0) {
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		left--;
		printf("hog: worker %d ended (%s %d)\n", (int)pid,
		       WIFSIGNALED(status) ? "signal" : "exit",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		fflush(stdout);
	}
	printf("hog: master: all workers ended\n");
	return 0;
}

static int bomb(long seconds, const char *stop)
{
	time_t deadline = time(NULL) + seconds;
	long failed = 0, made = 0;
	int first = 1;

	while (time(NULL) < deadline && !(stop && access(stop, F_OK) == 0)) {
		pid_t pid = fork();
		if (pid == 0) {
			first = 0;
			failed = made = 0;
			continue;
		}
		if (pid < 0) {
			failed++;
			usleep(20000);
		} else {
			made++;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (first) {
		printf("hog: bomb: forks made %ld failed %ld\n", made, failed);
		fflush(stdout);
	}
	return 0;
}

static int spin(long seconds)
{
	time_t deadline = time(NULL) + seconds;
	volatile unsigned long n = 0;
	for (;;) {
		for (int i = 0; i < 1000000; i++)
			n++;
		if (seconds > 0 && time(NULL) >= deadline)
			return 0;
	}
}

static int set_xattr(const char *path, const char *name, const char *value)
{
	if (setxattr(path, name, value, strlen(value), 0) < 0) {
		perror("setxattr");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "setxattr") == 0)
		return set_xattr(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "mem") == 0)
		return mem(atol(argv[2]), atol(argv[3]));
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "bomb") == 0)
		return bomb(atol(argv[2]), argc == 4 ? argv[3] : NULL);
	if (argc == 3 && strcmp(argv[1], "spin") == 0)
		return spin(atol(argv[2]));
	return usage();
}
