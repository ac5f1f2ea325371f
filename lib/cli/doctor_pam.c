/* cgherd doctor: the PAM stacks.  Every file of /etc/pam.d that names
 * pam_cgherd (its type and control), the order against pam_systemd in each
 * stack with @include, include and substack expanded, and the
 * pam-auth-update profile. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgh_doctor_checks.h"

#define PAM_DIR "/etc/pam.d"
#define PROFILE "/usr/share/pam-configs/cgherd"
#define DEPTH_MAX 8

struct pam_line {
	const char *file;
	int line;
	char type[16];		/* "session", "auth", ...; "@include" */
	char control[80];	/* "required", "[success=1 default=ignore]" */
	char module[128];	/* as written; the file for @include, include, substack */
};

typedef void (*line_fn)(void *arg, const struct pam_line *l);

static const char *word(const char *p, char *out, size_t len)
{
	size_t n = 0;

	p += strspn(p, " \t");
	if (*p == '[') {	/* [value=action ...] is one word */
		while (*p != '\0' && *p != ']' && n + 2 < len)
			out[n++] = *p++;
		if (*p == ']')
			out[n++] = *p++;
	}
	while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && n + 1 < len)
		out[n++] = *p++;
	out[n] = '\0';
	return p;
}

/* Calls fn for each rule line of the host's /etc/pam.d/name.  -errno when
 * it cannot be read. */
static int each_line(const struct doctor *d, const char *name, line_fn fn, void *arg)
{
	char path[PATH_MAX], buf[1024];
	struct pam_line l = { .file = name };
	FILE *f;

	snprintf(buf, sizeof(buf), PAM_DIR "/%s", name);
	host_path(d, buf, path, sizeof(path));
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		const char *p;

		l.line++;
		buf[strcspn(buf, "#\n")] = '\0';
		p = word(buf, l.type, sizeof(l.type));
		if (l.type[0] == '\0')
			continue;
		if (strcmp(l.type, "@include") == 0) {
			l.control[0] = '\0';
			word(p, l.module, sizeof(l.module));
		} else
			word(word(p, l.control, sizeof(l.control)), l.module, sizeof(l.module));
		fn(arg, &l);
	}
	fclose(f);
	return 0;
}

static bool is_module(const char *module, const char *name)
{
	const char *base = strrchr(module, '/');
	size_t n = strlen(name);

	base = base ? base + 1 : module;
	return strncmp(base, name, n) == 0 && (base[n] == '\0' || strcmp(base + n, ".so") == 0);
}

/* ---- the expanded session stack ------------------------------------------------ */

struct entry {
	char where[96];		/* "common-session:14" */
	char control[80];
	bool cgherd, systemd;
};

struct stack {
	const struct doctor *d;
	struct entry v[256];
	size_t n;
	int depth;
};

static void expand(struct stack *s, const char *name);

static void stack_line(void *arg, const struct pam_line *l)
{
	struct stack *s = arg;
	const char *type = l->type[0] == '-' ? l->type + 1 : l->type;
	struct entry *e;

	if (strcmp(l->type, "@include") == 0) {
		expand(s, l->module);
		return;
	}
	if (strcmp(type, "session") != 0)
		return;
	if (strcmp(l->control, "include") == 0 || strcmp(l->control, "substack") == 0) {
		expand(s, l->module);
		return;
	}
	if (s->n == sizeof(s->v) / sizeof(s->v[0]))
		return;
	e = &s->v[s->n++];
	snprintf(e->where, sizeof(e->where), "%.60s:%d", l->file, l->line);
	snprintf(e->control, sizeof(e->control), "%s", l->control);
	e->cgherd = is_module(l->module, "pam_cgherd");
	e->systemd = is_module(l->module, "pam_systemd");
}

static void expand(struct stack *s, const char *name)
{
	if (s->depth >= DEPTH_MAX || strchr(name, '/') != NULL)
		return;
	s->depth++;
	each_line(s->d, name, stack_line, s);
	s->depth--;
}

/* ---- the checks ---------------------------------------------------------------- */

struct scan {
	struct doctor *d;
	int naming;		/* files that name pam_cgherd */
	int ordered, misordered;
	bool in_common_session;
};

static void direct_line(void *arg, const struct pam_line *l)
{
	struct scan *sc = arg;
	const char *type = l->type[0] == '-' ? l->type + 1 : l->type;

	if (strcmp(l->type, "@include") == 0 || !is_module(l->module, "pam_cgherd"))
		return;
	sc->naming++;
	if (strcmp(l->file, "common-session") == 0)
		sc->in_common_session = true;
	if (strcmp(type, "session") != 0)
		say(sc->d, V_WARN, "pam: %s:%d: pam_cgherd as '%s': it provides the session type only; "
				   "remove the line", l->file, l->line, l->type);
	else if (strcmp(l->control, "required") == 0 || strcmp(l->control, "requisite") == 0)
		say(sc->d, V_OK, "pam: %s:%d: session %s pam_cgherd.so", l->file, l->line, l->control);
	else if (strcmp(l->control, "optional") == 0)
		say(sc->d, V_OK, "pam: %s:%d: session optional pam_cgherd.so (a failure lets the "
				 "login in unconfined; use required where limits must hold)", l->file, l->line);
	else
		say(sc->d, V_WARN, "pam: %s:%d: session %s pam_cgherd.so: use required (or optional)",
		    l->file, l->line, l->control);
}

/* pam_systemd first: the systemd backend needs logind's scope made. */
static void check_order(struct scan *sc, const char *name)
{
	struct stack *s = calloc(1, sizeof(*s));
	const struct entry *cgherd = NULL, *systemd = NULL;

	if (s == NULL)
		return;
	s->d = sc->d;
	expand(s, name);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].cgherd && cgherd == NULL)
			cgherd = &s->v[i];
		if (s->v[i].systemd && systemd == NULL)
			systemd = &s->v[i];
	}
	if (cgherd != NULL && systemd != NULL && cgherd < systemd) {
		say(sc->d, V_FAIL, "pam: %s: pam_cgherd (%s) comes before pam_systemd (%s): move its "
				   "session line after pam_systemd's", name, cgherd->where, systemd->where);
		sc->misordered++;
	} else if (cgherd != NULL && systemd != NULL)
		sc->ordered++;
	free(s);
}

static bool is_service_file(const struct doctor *d, const char *name)
{
	char rel[PATH_MAX], path[PATH_MAX];
	struct stat st;
	size_t n = strlen(name);

	if (name[0] == '.' || (n > 0 && name[n - 1] == '~') || strstr(name, ".dpkg-") != NULL)
		return false;
	snprintf(rel, sizeof(rel), PAM_DIR "/%s", name);
	host_path(d, rel, path, sizeof(path));
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void check_profile(struct scan *sc)
{
	char path[PATH_MAX];
	struct stat st;
	bool installed;

	host_path(sc->d, PROFILE, path, sizeof(path));
	installed = stat(path, &st) == 0;
	if (sc->in_common_session && !installed)
		say(sc->d, V_WARN, "pam: common-session names pam_cgherd but %s is missing: the next "
				   "pam-auth-update drops the line; install config/pam-configs/cgherd there", PROFILE);
	else if (installed)
		say(sc->d, V_OK, "pam: pam-auth-update profile %s installed%s", PROFILE,
		    sc->in_common_session ? " and enabled" : " (not enabled: pam-auth-update --enable cgherd)");
}

void check_pam(struct doctor *d)
{
	char dir[PATH_MAX];
	struct scan sc = { .d = d };
	struct dirent **names = NULL;
	int n;

	host_path(d, PAM_DIR, dir, sizeof(dir));
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		say(d, V_FAIL, "pam: cannot read %s: %s", dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++)
		if (is_service_file(d, names[i]->d_name))
			each_line(d, names[i]->d_name, direct_line, &sc);
	for (int i = 0; i < n && sc.naming > 0; i++)
		if (is_service_file(d, names[i]->d_name))
			check_order(&sc, names[i]->d_name);
	if (sc.naming == 0)
		say(d, V_WARN, "pam: no file in %s names pam_cgherd: add 'session required pam_cgherd.so' "
			       "to /etc/pam.d/sshd after its session lines, or pam-auth-update --enable cgherd", dir);
	else if (sc.misordered == 0)
		say(d, V_OK, "pam: pam_cgherd after pam_systemd in every stack with both (%d)", sc.ordered);
	check_profile(&sc);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
