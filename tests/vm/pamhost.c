/* A PAM host for the reaper scenario (tests/vm/scenarios/13-reaper.sh):
 *
 *   pamhost SERVICE USER LINGER_MS [CMD ARG...]
 *
 * opens a PAM session for USER through SERVICE's stack, runs CMD (if given)
 * and waits for it, closes the session and ends PAM, then reports what a
 * host could notice of the module, lingers LINGER_MS and exits 0:
 *
 *   closed cgroup=/cgherd/...     where this process is right after close
 *   children=none|running|PID     what waitpid(-1, WNOHANG | __WALL) finds then
 *   sigchld=N                     SIGCHLDs received (1 per CMD)
 *   libconfig=yes|no              whether libconfig was mapped after open
 *   after cgroup=/...             where it is after lingering
 *
 * Exit: 0, or 1 when a PAM call fails (the PAM error on stderr). */
#include <errno.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t sigchld;

static void on_sigchld(int sig)
{
	(void)sig;
	sigchld++;
}

static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)arg;
	return PAM_CONV_ERR;
}

static void print_cgroup(const char *tag)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "0::", 3) == 0)
			printf("%s cgroup=%s", tag, line + 3);
	if (f != NULL)
		fclose(f);
	fflush(stdout);
}

static bool mapped(const char *name)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, name) != NULL;
	if (f != NULL)
		fclose(f);
	return found;
}

static void run(char **cmd)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void linger(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const struct pam_conv conv = { no_conv, NULL };
	struct sigaction sa = { .sa_handler = on_sigchld };
	pam_handle_t *pamh = NULL;
	bool libconfig = false;
	pid_t left;
	int r;

	if (argc < 4) {
		fprintf(stderr, "usage: pamhost SERVICE USER LINGER_MS [CMD ARG...]\n");
		return 2;
	}
	sigaction(SIGCHLD, &sa, NULL);
	r = pam_start(argv[1], argv[2], &conv, &pamh);
	if (r == PAM_SUCCESS)
		r = pam_open_session(pamh, 0);
	libconfig = mapped("libconfig.so");
	if (r == PAM_SUCCESS && argc > 4)
		run(argv + 4);
	if (r == PAM_SUCCESS)
		r = pam_close_session(pamh, 0);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pamhost: %s\n", pam_strerror(pamh, r));
		pam_end(pamh, r);
		return 1;
	}
	pam_end(pamh, r);
	print_cgroup("closed");
	left = waitpid(-1, NULL, WNOHANG | __WALL);
	if (left > 0)
		printf("children=%d\n", (int)left);
	else
		printf("children=%s\n", left == 0 ? "running" : "none");
	printf("sigchld=%d\n", (int)sigchld);
	printf("libconfig=%s\n", libconfig ? "yes" : "no");
	fflush(stdout);
	linger(atol(argv[3]));
	print_cgroup("after");
	return 0;
}
