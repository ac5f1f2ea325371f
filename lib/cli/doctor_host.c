/* cgherd doctor: systemd (its version, the OOMPolicy=kill drop-in for
 * session-.scope), user lookup through NSS, the module's cache directory,
 * and whether cgherd watch runs. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config_cache.h"
#include "cgh_doctor_checks.h"

#define SYSTEMD_MIN 243		/* OOMPolicy= */

/* ---- systemd ---------------------------------------------------------------- */

/* The N of "systemd N (...)" from `systemctl --version`; 0: unknown. */
static unsigned systemd_version(void)
{
	FILE *p = popen("systemctl --version 2>/dev/null", "re");
	char line[256] = "";
	unsigned v = 0;

	if (p == NULL)
		return 0;
	if (fgets(line, sizeof(line), p) == NULL || sscanf(line, "systemd %u", &v) != 1)
		v = 0;
	pclose(p);
	return v;
}

/* Drop-in directories, the one that wins a name first. */
static const char *const dropin_dirs[] = {
	"/etc/systemd/system/session-.scope.d", "/run/systemd/system/session-.scope.d",
	"/usr/lib/systemd/system/session-.scope.d", "/lib/systemd/system/session-.scope.d",
};

struct dropin {
	char name[128], path[PATH_MAX], policy[32];	/* policy "": the file sets none */
};

/* OOMPolicy= in a drop-in file: its last value, "" for none. */
static void read_policy(const char *path, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "OOMPolicy=", 10) == 0) {
			snprintf(out, len, "%.31s", line + 10);
			out[strcspn(out, " \t\r\n")] = '\0';
		}
	fclose(f);
}

static bool seen(const struct dropin *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return true;
	return false;
}

/* The drop-in whose OOMPolicy= wins: the last by name of those that set it. */
static bool winning_dropin(const struct doctor *d, struct dropin *win)
{
	struct dropin v[32];
	size_t n = 0;
	bool found = false;

	for (size_t i = 0; i < sizeof(dropin_dirs) / sizeof(dropin_dirs[0]); i++) {
		char dir[PATH_MAX];
		struct dirent *de;
		DIR *dd;

		host_path(d, dropin_dirs[i], dir, sizeof(dir));
		dd = opendir(dir);
		while (dd != NULL && (de = readdir(dd)) != NULL && n < 32) {
			size_t len = strlen(de->d_name);
			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 || seen(v, n, de->d_name))
				continue;
			snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
			snprintf(v[n].path, sizeof(v[n].path), "%s/%s", dropin_dirs[i], de->d_name);
			host_path(d, v[n].path, dir, sizeof(dir));
			read_policy(dir, v[n].policy, sizeof(v[n].policy));
			host_path(d, dropin_dirs[i], dir, sizeof(dir));
			n++;
		}
		if (dd != NULL)
			closedir(dd);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].policy[0] != '\0' && (!found || strcmp(v[i].name, win->name) > 0)) {
			*win = v[i];
			found = true;
		}
	return found;
}

void check_systemd(struct doctor *d)
{
	struct dropin win;
	unsigned v;

	if (!d->systemd) {
		say(d, V_OK, "systemd: not running (no /run/systemd/system): logins get cgherd's own leaves");
		return;
	}
	v = systemd_version();
	if (v == 0)
		say(d, V_WARN, "systemd: running, but `systemctl --version` gave no version");
	else if (v < SYSTEMD_MIN)
		say(d, V_FAIL, "systemd: version %u: OOMPolicy= for session scopes needs %u or later; "
			       "upgrade systemd or set backend = \"cgroupfs\"", v, SYSTEMD_MIN);
	else
		say(d, V_OK, "systemd: version %u", v);
	if (d->cfg->backend == CGH_BACKEND_CGROUPFS) {
		say(d, V_OK, "systemd: backend cgroupfs: the session-.scope drop-in is not needed");
		return;
	}
	if (!winning_dropin(d, &win))
		say(d, V_FAIL, "systemd: no session-.scope drop-in sets OOMPolicy=kill: install "
			       "config/systemd/50-cgherd-oom.conf as "
			       "/usr/lib/systemd/system/session-.scope.d/50-cgherd-oom.conf, then systemctl "
			       "daemon-reload (without it the systemd backend refuses logins on systemd 253+)");
	else if (strcmp(win.policy, "kill") != 0)
		say(d, V_FAIL, "systemd: %s sets OOMPolicy=%s, last of the session-.scope drop-ins: make it "
			       "kill, or remove it", win.path, win.policy);
	else
		say(d, V_OK, "systemd: %s sets OOMPolicy=kill for session scopes", win.path);
}

/* ---- NSS ------------------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The users and groups the rules name, each looked up as a login would. */
static void check_names(struct doctor *d, int *unknown)
{
	for (size_t i = 0; i < d->cfg->n_rules; i++) {
		const struct cgh_rule *r = &d->cfg->rules[i];

		for (size_t k = 0; k < r->match.users.n; k++)
			if (getpwnam(r->match.users.v[k]) == NULL && (*unknown)++ < 5)
				say(d, V_WARN, "nss: rule %s names user %s, whom NSS does not know: check the "
					       "name, or nsswitch.conf's passwd line", r->name, r->match.users.v[k]);
		for (size_t k = 0; k < r->match.groups.n; k++)
			if (getgrnam(r->match.groups.v[k]) == NULL && (*unknown)++ < 5)
				say(d, V_WARN, "nss: rule %s names group %s, which NSS does not know: check the "
					       "name, or nsswitch.conf's group line", r->name, r->match.groups.v[k]);
	}
}

void check_nss(struct doctor *d)
{
	double t0 = now_ms(), ms;
	struct passwd *pw = getpwuid(0);
	int unknown = 0;

	ms = now_ms() - t0;
	if (pw == NULL)
		say(d, V_FAIL, "nss: uid 0 not found through NSS: check /etc/nsswitch.conf's passwd line");
	else if (ms > 1000)
		say(d, V_WARN, "nss: looking up uid 0 took %.0f ms: every login waits as long; check the "
			       "NSS sources (a directory server down?)", ms);
	else
		say(d, V_OK, "nss: uid 0 is %s (%.1f ms)", pw->pw_name, ms);
	check_names(d, &unknown);
}

/* ---- the cache directory ------------------------------------------------------------ */

void check_cache_dir(struct doctor *d)
{
	char path[PATH_MAX];
	struct stat st;

	host_path(d, CGH_CACHE_DIR, path, sizeof(path));
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			say(d, V_OK, "cache: %s not there yet (the module makes it at the first login)",
			    CGH_CACHE_DIR);
		else
			say(d, V_WARN, "cache: %s: %s", CGH_CACHE_DIR, strerror(errno));
	} else if (!S_ISDIR(st.st_mode))
		say(d, V_WARN, "cache: %s is not a directory: the module parses the configuration at "
			       "every login; remove it (rm %s)", CGH_CACHE_DIR, CGH_CACHE_DIR);
	else if (st.st_uid != 0 || (st.st_mode & 077) != 0)
		say(d, V_WARN, "cache: %s is owned by uid %u with mode %04o: the module does not use it; "
			       "chown root:root %s && chmod 700 %s", CGH_CACHE_DIR, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777), CGH_CACHE_DIR, CGH_CACHE_DIR);
	else
		say(d, V_OK, "cache: %s is root's, mode %04o", CGH_CACHE_DIR, (unsigned)(st.st_mode & 07777));
}

/* ---- watch ----------------------------------------------------------------------------- */

/* argv[0] ends in cgherd and argv[1] is watch. */
static bool is_watch(const struct doctor *d, const char *pid)
{
	char rel[64], cmd[512];
	const char *base;
	int len = 0;
	size_t n;

	snprintf(rel, sizeof(rel), "/proc/%.20s/cmdline", pid);
	len = host_read(d, rel, cmd, sizeof(cmd) - 1);
	n = strlen(cmd);
	if (len < 0 || n + 1 >= (size_t)len)
		return false;
	base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	return strcmp(base, "cgherd") == 0 && strcmp(cmd + n + 1, "watch") == 0;
}

void check_watch(struct doctor *d)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *dd;
	long found = 0;

	host_path(d, "/proc", dir, sizeof(dir));
	dd = opendir(dir);
	while (dd != NULL && found == 0 && (de = readdir(dd)) != NULL)
		if (isdigit((unsigned char)de->d_name[0]) && is_watch(d, de->d_name))
			found = strtol(de->d_name, NULL, 10);
	if (dd != NULL)
		closedir(dd);
	if (found > 0)
		say(d, V_OK, "watch: cgherd watch runs (pid %ld)", found);
	else
		say(d, V_WARN, "watch: cgherd watch is not running: systemctl enable --now cgherd-watch "
			       "(or /etc/init.d/cgherd-watch start); without it dead leaves wait for the "
			       "next login and OOM kills are not logged");
}
