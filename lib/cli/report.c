#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgh_identity.h"
#include "cgh_penalty.h"
#include "cgh_report.h"
#include "cgh_systemd.h"
#include "cgh_value.h"

/* ---- explain ---------------------------------------------------------- */

static const char *backend_text(enum cgh_backend b)
{
	switch (b) {
	case CGH_BACKEND_CGROUPFS:
		return "cgroupfs (a leaf under the base; logins in a logind scope are refused)";
	case CGH_BACKEND_SYSTEMD:
		return "systemd (limits set on the login's logind scope and user slice)";
	default:
		return "auto (the logind scope through systemd if the login is in one, else a leaf under the base)";
	}
}

static void explain_limits(FILE *out, const char *title, const struct cgh_limits *l)
{
	fprintf(out, "%s\n", title);
	if (l->set == 0) {
		fprintf(out, "  (nothing written)\n");
		return;
	}
	for (int k = 0; k < CGH_N_LIMITS; k++) {
		char file[48], human[48];
		if (!cgh_limits_has(l, (enum cgh_limit_key)k))
			continue;
		cgh_limit_file_value(l, (enum cgh_limit_key)k, file, sizeof(file));
		cgh_limit_human_value(l, (enum cgh_limit_key)k, human, sizeof(human));
		fprintf(out, "  %-17s = %s (%s)\n", cgh_limit_table[k].file, file, human);
	}
}

static void explain_identity(FILE *out, const struct cgh_identity *id, const char *service)
{
	fprintf(out, "user:    %s (uid %u)\ngroups: ", id->user, (unsigned)id->uid);
	for (size_t i = 0; i < id->n_groups; i++)
		fprintf(out, " %s", id->groups[i]);
	fprintf(out, "\nservice: %s\n", service);
}

void cgh_report_explain(FILE *out, const struct cgh_config *cfg, const struct cgh_identity *id,
			const char *service, const struct cgh_decision *d)
{
	char title[512];

	explain_identity(out, id, service);
	if (d->rule != NULL)
		fprintf(out, "rule:    %s (rules[%zu], line %d)\n", d->rule->name, d->index,
			d->rule->line);
	else
		fprintf(out, "rule:    no rule: default_action\n");
	fprintf(out, "action:  %s\n", cgh_action_name(d->action));
	fprintf(out, "backend: %s\n", backend_text(cfg->backend));
	fprintf(out, "notices: at_login=%s tty=%s help=%s%s%s\n", cfg->notices.at_login ? "true" : "false",
		cfg->notices.tty ? "true" : "false", cfg->notices.help[0] ? "\"" : "(none)",
		cfg->notices.help, cfg->notices.help[0] ? "\"" : "");
	if (d->action == CGH_ACTION_IGNORE) {
		fprintf(out, "the session is left where it is; nothing is written\n");
		return;
	}
	if (cfg->backend != CGH_BACKEND_SYSTEMD)
		fprintf(out, "leaf:    %s/%s/user-%u/session-<pid>\n", cfg->cgroup_root, cfg->base,
			(unsigned)id->uid);
	if (cfg->backend != CGH_BACKEND_CGROUPFS)
		fprintf(out, "scope:   %s/user.slice/user-%u.slice/session-<id>.scope (systemd)\n",
			cfg->cgroup_root, (unsigned)id->uid);
	explain_limits(out, "session limits (written to the leaf):", &d->session);
	snprintf(title, sizeof(title), "user limits (written to %s/%s/user-%u):", cfg->cgroup_root,
		 cfg->base, (unsigned)id->uid);
	explain_limits(out, title, &d->user);
}

/* ---- status ----------------------------------------------------------- */

struct status_walk {
	FILE *out;
	const struct cgh_fs *fs;
	const char *base;
	bool json;
	time_t now;
	char user_dir[CGH_LEAF_BUF];
	unsigned uid;
	int count;
	const struct cgh_status_penalties *pen;
};

/* The penalties running on the uid's user directory, as a JSON list. */
static void status_penalties(const struct status_walk *w)
{
	size_t shown = 0;

	fputs(", \"penalties\": [", w->out);
	for (size_t i = 0; w->pen != NULL && i < w->pen->n; i++) {
		const struct cgh_penalty_record *r = &w->pen->recs[i];
		if (!r->active || r->uid != w->uid)
			continue;
		fputs(shown++ ? ", " : "", w->out);
		cgh_report_penalty_json(w->out, w->pen->cfg, r, (uint64_t)w->now);
	}
	fputs("]", w->out);
}

static void put_number(FILE *out, uint64_t v, bool json)
{
	if (v == CGH_UNKNOWN)
		fputs(json ? "null" : "-", out);
	else if (v == CGH_UNLIMITED)
		fputs(json ? "\"max\"" : "max", out);
	else
		fprintf(out, "%llu", (unsigned long long)v);
}

static void put_size(FILE *out, uint64_t v)
{
	char human[32];

	if (v == CGH_UNKNOWN) {
		fputs("-", out);
		return;
	}
	cgh_format_size(v, human, sizeof(human));
	fputs(human, out);
}

static void put_cpu_limit(FILE *out, const struct cgh_stats *st)
{
	if (st->cpu_max_quota == CGH_UNKNOWN)
		fputs("-", out);
	else if (st->cpu_max_quota == CGH_UNLIMITED)
		fputs("max", out);
	else
		fprintf(out, "%llu%%",
			(unsigned long long)(st->cpu_max_quota * 100 / st->cpu_max_period));
}

static long leaf_age(const struct cgh_fs *fs, const char *leaf, time_t now)
{
	struct stat st;

	if (fstatat(fs->rootfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return (long)(now - st.st_ctime);
}

static void status_json(const struct status_walk *w, const char *user, const char *leaf,
			const struct cgh_stats *st, long age)
{
	const struct { const char *key; uint64_t v; } f[] = {
		{ "procs", st->procs }, { "memory_current", st->memory_current },
		{ "memory_peak", st->memory_peak }, { "memory_max", st->memory_max },
		{ "cpu_usage_usec", st->cpu_usage_usec }, { "cpu_max_quota", st->cpu_max_quota },
		{ "cpu_max_period", st->cpu_max_period }, { "pids_current", st->pids_current },
		{ "pids_max", st->pids_max }, { "oom_kill", st->oom_kill },
		{ "oom_group_kill", st->oom_group_kill },
	};

	/* user is sanitized and leaf is built from numbers: no escaping needed */
	fprintf(w->out, "%s\n  {\"user\": \"%s\", \"uid\": %u, \"leaf\": \"%s/%s\"",
		w->count ? "," : "", user, w->uid, w->fs->root, leaf);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		fprintf(w->out, ", \"%s\": ", f[i].key);
		put_number(w->out, f[i].v, true);
	}
	fprintf(w->out, ", \"age_seconds\": %ld", age);
	status_penalties(w);
	fputs("}", w->out);
}

static void status_line(const struct status_walk *w, const char *user, const char *leaf,
			const struct cgh_stats *st, long age)
{
	fprintf(w->out, "%-12s %-40s %5llu  ", user, leaf, (unsigned long long)st->procs);
	put_size(w->out, st->memory_current);
	fputc('/', w->out);
	put_size(w->out, st->memory_peak);
	fputc('/', w->out);
	put_size(w->out, st->memory_max);
	fprintf(w->out, "  %.1fs/", st->cpu_usage_usec == CGH_UNKNOWN ? 0.0
					 : (double)st->cpu_usage_usec / 1e6);
	put_cpu_limit(w->out, st);
	fputs("  ", w->out);
	put_number(w->out, st->pids_current, false);
	fputc('/', w->out);
	put_number(w->out, st->pids_max, false);
	fputs("  ", w->out);
	put_number(w->out, st->oom_group_kill, false);
	fprintf(w->out, "  %lds\n", age);
}

static int status_leaf(void *arg, const char *name)
{
	struct status_walk *w = arg;
	struct cgh_stats st;
	char leaf[CGH_PATH_BUF], user[64];
	bool populated = false;

	cgh_path_entry(leaf, sizeof(leaf), w->user_dir, name);
	if (cgh_fs_populated(w->fs, leaf, &populated, NULL) < 0 || !populated)
		return 0;	/* dead, waiting for collection */
	cgh_fs_stats(w->fs, leaf, &st);
	cgh_user_name(w->uid, user, sizeof(user));
	if (w->json)
		status_json(w, user, leaf, &st, leaf_age(w->fs, leaf, w->now));
	else
		status_line(w, user, leaf, &st, leaf_age(w->fs, leaf, w->now));
	w->count++;
	return 0;
}

static int status_user(void *arg, const char *name)
{
	struct status_walk *w = arg;

	if (!cgh_user_dir_uid(name, &w->uid))
		return 0;
	cgh_path_user_dir(w->user_dir, sizeof(w->user_dir), w->base, name);
	return cgh_fs_each_dir(w->fs, w->user_dir, "session-", status_leaf, w, NULL);
}

int cgh_report_status(FILE *out, const struct cgh_fs *fs, const char *base, bool systemd,
		      bool json, time_t now, const struct cgh_status_penalties *pen,
		      struct cgh_error *err)
{
	struct status_walk w = { .out = out, .fs = fs, .base = base, .json = json, .now = now,
				 .pen = pen };
	int r;

	if (json)
		fputs("[", out);
	else
		fprintf(out, "%-12s %-40s %5s  %s  %s  %s  %s  %s\n", "USER", "LEAF", "PROCS",
			"MEM cur/peak/max", "CPU used/limit", "PIDS", "OOMKILLS", "AGE");
	r = cgh_fs_each_dir(fs, base, "user-", status_user, &w, err);
	if (r == -ENOENT)
		r = 0;	/* no session was ever herded */
	if (r == 0 && systemd) {	/* the systemd backend herds logind's scopes */
		w.base = CGH_LOGIND_SLICE;
		r = cgh_fs_each_dir(fs, CGH_LOGIND_SLICE, "user-", status_user, &w, NULL);
		if (r == -ENOENT)
			r = 0;
	}
	if (json)
		fputs(w.count ? "\n]\n" : "]\n", out);
	return r < 0 ? r : w.count;
}
