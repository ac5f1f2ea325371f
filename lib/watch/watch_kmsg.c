/* `cgherd watch`: who the OOM killer chose, from the kernel log.  After a
 * group kill no process is left to look at, but /dev/kmsg has the victim:
 * the task with the highest badness, i.e. the session's biggest consumer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgh_watch_state.h"

#define KMSG_RECORD_MAX 8192

/* ---- parsers ------------------------------------------------------------------ */

/* The value of "key=" in a comma-separated list, into buf. */
static int field(const char *msg, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = msg; p != NULL; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		snprintf(buf, len, "%.*s", (int)strcspn(p, ",\n"), p);
		return 0;
	}
	return -ENOENT;
}

int cgh_kmsg_oom_victim(const char *msg, char *memcg, size_t len, pid_t *pid, char *comm,
			size_t clen)
{
	char num[24];

	if (strncmp(msg, "oom-kill:", 9) != 0)
		return -ENOENT;
	if (field(msg + 9, "oom_memcg", memcg, len) < 0 || field(msg + 9, "task", comm, clen) < 0 ||
	    field(msg + 9, "pid", num, sizeof(num)) < 0)
		return -ENOENT;
	*pid = (pid_t)strtol(num, NULL, 10);
	return *pid > 0 ? 0 : -ENOENT;
}

static uint64_t kb_after(const char *msg, const char *key)
{
	const char *p = strstr(msg, key);

	return p != NULL ? strtoull(p + strlen(key), NULL, 10) : 0;
}

int cgh_kmsg_killed(const char *msg, pid_t *pid, uint64_t *rss)
{
	const char *p = strstr(msg, "Killed process ");

	if (p == NULL)
		return -ENOENT;
	*pid = (pid_t)strtol(p + 15, NULL, 10);
	*rss = (kb_after(p, "anon-rss:") + kb_after(p, "file-rss:") + kb_after(p, "shmem-rss:")) * 1024u;
	return *pid > 0 ? 0 : -ENOENT;
}

/* ---- the log ------------------------------------------------------------------- */

/* Opened at the end: only what happens from now on is of interest. */
void watch_kmsg_open(struct cgh_watcher *w)
{
	w->oom.kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->oom.kmsg_fd < 0) {
		cgh_logf(w->log, LOG_NOTICE, "cannot read /dev/kmsg (%m): OOM victims will not be named");
		return;
	}
	lseek(w->oom.kmsg_fd, 0, SEEK_END);
}

static void remember(struct cgh_watcher *w, const char *msg)
{
	struct watch_victim *v = &w->oom.victims[w->oom.next_victim];
	uint64_t rss;
	pid_t pid;

	if (cgh_kmsg_oom_victim(msg, v->memcg, sizeof(v->memcg), &v->pid, v->comm,
				sizeof(v->comm)) == 0) {
		v->rss = 0;
		w->oom.next_victim = (w->oom.next_victim + 1) % WATCH_VICTIMS;
		return;
	}
	if (cgh_kmsg_killed(msg, &pid, &rss) < 0)
		return;
	for (size_t i = 0; i < WATCH_VICTIMS; i++)
		if (w->oom.victims[i].pid == pid && w->oom.victims[i].rss == 0)
			w->oom.victims[i].rss = rss;
}

/* Reads what the kernel logged since the last call. */
void watch_kmsg_drain(struct cgh_watcher *w)
{
	char rec[KMSG_RECORD_MAX];
	ssize_t n;

	if (w->oom.kmsg_fd < 0)
		return;
	for (;;) {
		n = read(w->oom.kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten before we read it */
			continue;
		if (n <= 0)
			return;
		rec[n] = '\0';
		const char *msg = strchr(rec, ';');
		if (msg != NULL)
			remember(w, msg + 1);
	}
}

const struct watch_victim *watch_kmsg_victim(struct cgh_watcher *w, const char *leaf)
{
	watch_kmsg_drain(w);
	for (size_t k = 0; k < WATCH_VICTIMS; k++) {
		size_t i = (w->oom.next_victim + WATCH_VICTIMS - 1 - k) % WATCH_VICTIMS;	/* newest first */
		if (w->oom.victims[i].pid > 0 && w->oom.victims[i].memcg[0] == '/' &&
		    strcmp(w->oom.victims[i].memcg + 1, leaf) == 0)
			return &w->oom.victims[i];
	}
	return NULL;
}
