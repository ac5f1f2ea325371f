/* The live sessions and users of the trees cgherd herds, with their figures
 * (cgh_sample.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_identity.h"
#include "cgh_metrics_grow.h"
#include "cgh_penalty.h"
#include "cgh_sample.h"
#include "cgh_systemd.h"
#include "cgh_value.h"

const char *const cgh_psi_names[CGH_N_PSI] = { "cpu", "memory", "io" };
const char *const cgh_event_names[CGH_N_EVENTS] = { "low", "high", "max", "oom", "oom_kill",
						    "oom_group_kill" };

size_t cgh_trees_of(const struct cgh_config *cfg, struct cgh_tree *out)
{
	out[0] = (struct cgh_tree){ .owned = true };
	snprintf(out[0].dir, sizeof(out[0].dir), "%s", cfg->base);
	if (cfg->backend == CGH_BACKEND_CGROUPFS)
		return 1;
	out[1] = (struct cgh_tree){ .dir = CGH_LOGIND_SLICE, .owned = false };
	return 2;
}

static uint64_t total_of(const char *line)
{
	const char *t = strstr(line, " total=");
	char digits[24];
	uint64_t v;

	if (t == NULL)
		return CGH_UNKNOWN;
	snprintf(digits, sizeof(digits), "%.*s", (int)strcspn(t + 7, " \n"), t + 7);
	return cgh_parse_u64(digits, &v) == 0 ? v : CGH_UNKNOWN;
}

void cgh_psi_totals(const char *text, uint64_t *some, uint64_t *full)
{
	*some = *full = CGH_UNKNOWN;
	for (const char *p = text; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
		char line[160];

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		if (strncmp(line, "some ", 5) == 0)
			*some = total_of(line);
		else if (strncmp(line, "full ", 5) == 0)
			*full = total_of(line);
	}
}

static uint64_t keyed(const char *text, const char *key)
{
	uint64_t v;

	return cgh_keyed_value(text, key, &v) == 0 ? v : CGH_UNKNOWN;
}

static void read_keyed_file(const struct cgh_fs *fs, const char *dir, const char *file,
			    char *text, size_t len)
{
	if (cgh_fs_read(fs, dir, file, text, len, NULL) < 0)
		text[0] = '\0';
}

static void read_pressure(const struct cgh_fs *fs, const char *dir, struct cgh_figures *f)
{
	for (int r = 0; r < CGH_N_PSI; r++) {
		char file[32], text[512];

		snprintf(file, sizeof(file), "%s.pressure", cgh_psi_names[r]);
		read_keyed_file(fs, dir, file, text, sizeof(text));
		cgh_psi_totals(text, &f->psi_some_usec[r], &f->psi_full_usec[r]);
	}
}

static uint64_t limit_or_unknown(const struct cgh_limits *l, enum cgh_limit_key k)
{
	return cgh_limits_has(l, k) ? l->value[k] : CGH_UNKNOWN;
}

void cgh_figures_read(const struct cgh_fs *fs, const char *dir, struct cgh_figures *f)
{
	const unsigned mask = 1u << CGH_MEMORY_MAX | 1u << CGH_MEMORY_HIGH |
			      1u << CGH_MEMORY_SWAP_MAX | 1u << CGH_CPU_MAX | 1u << CGH_PIDS_MAX;
	struct cgh_limits l;
	char text[4096];	/* memory.stat */

	cgh_fs_read_limits(fs, dir, mask, &l);
	f->memory_max = limit_or_unknown(&l, CGH_MEMORY_MAX);
	f->memory_high = limit_or_unknown(&l, CGH_MEMORY_HIGH);
	f->swap_max = limit_or_unknown(&l, CGH_MEMORY_SWAP_MAX);
	f->pids_max = limit_or_unknown(&l, CGH_PIDS_MAX);
	f->cpu_quota = limit_or_unknown(&l, CGH_CPU_MAX);
	f->cpu_period = cgh_limits_has(&l, CGH_CPU_MAX) ? l.cpu_period : CGH_UNKNOWN;
	f->memory_current = cgh_fs_read_number(fs, dir, "memory.current");
	f->memory_peak = cgh_fs_read_number(fs, dir, "memory.peak");
	f->swap_current = cgh_fs_read_number(fs, dir, "memory.swap.current");
	f->pids_current = cgh_fs_read_number(fs, dir, "pids.current");
	read_keyed_file(fs, dir, "memory.stat", text, sizeof(text));
	f->anon = keyed(text, "anon");
	f->file = keyed(text, "file");
	read_keyed_file(fs, dir, "cpu.stat", text, sizeof(text));
	f->cpu_usage_usec = keyed(text, "usage_usec");
	f->cpu_throttled_usec = keyed(text, "throttled_usec");
	f->cpu_nr_throttled = keyed(text, "nr_throttled");
	read_keyed_file(fs, dir, "memory.events", text, sizeof(text));
	for (int e = 0; e < CGH_N_EVENTS; e++)
		f->events[e] = keyed(text, cgh_event_names[e]);
	read_pressure(fs, dir, f);
}

/* ---- the walk ----------------------------------------------------------------- */

struct walk {
	const struct cgh_fs *fs;
	const struct cgh_tree *tree;
	struct cgh_samples *out;
	char user_dir[160];
	unsigned uid;
	char user[64];
	int sessions;		/* of this user */
};

static struct cgh_sample *add(struct cgh_samples *s)
{
	if (cgh_metrics_grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v), 32) < 0)
		return NULL;
	s->v[s->n] = (struct cgh_sample){ 0 };
	return &s->v[s->n++];
}

static struct cgh_sample *add_for(struct walk *w, enum cgh_sample_kind kind, const char *name,
				  const char *path)
{
	struct cgh_sample *s = add(w->out);

	if (s == NULL)
		return NULL;
	s->kind = kind;
	s->owned = w->tree->owned;
	s->uid = w->uid;
	snprintf(s->user, sizeof(s->user), "%s", w->user);
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->path, sizeof(s->path), "%s", path);
	cgh_figures_read(w->fs, path, &s->f);
	return s;
}

static int session_found(void *arg, const char *name)
{
	struct walk *w = arg;
	struct cgh_sample *s;
	char leaf[160];
	bool populated = false;

	snprintf(leaf, sizeof(leaf), "%.95s/%.60s", w->user_dir, name);
	if (cgh_fs_populated(w->fs, leaf, &populated, NULL) < 0 || !populated)
		return 0;	/* dead, waiting for collection */
	s = add_for(w, CGH_SAMPLE_SESSION, name, leaf);
	if (s == NULL)
		return -ENOMEM;
	if (cgh_fs_get_rule(w->fs, leaf, s->rule, sizeof(s->rule)) < 0)
		s->rule[0] = '\0';
	w->sessions++;
	return 0;
}

static int user_found(void *arg, const char *name)
{
	struct walk *w = arg;
	int r;

	if (!cgh_user_dir_uid(name, &w->uid))
		return 0;
	snprintf(w->user_dir, sizeof(w->user_dir), "%.64s/%.80s", w->tree->dir, name);
	cgh_user_name(w->uid, w->user, sizeof(w->user));
	w->sessions = 0;
	r = cgh_fs_each_dir(w->fs, w->user_dir, "session-", session_found, w, NULL);
	if (r == -ENOMEM)
		return r;
	if (w->sessions == 0)	/* a user only with dead leaves, or a logind slice without sessions */
		return 0;
	if (add_for(w, CGH_SAMPLE_USER, name, w->user_dir) == NULL)
		return -ENOMEM;
	return 0;
}

int cgh_samples_collect(const struct cgh_fs *fs, const struct cgh_tree *trees, size_t n_trees,
			struct cgh_samples *out, struct cgh_error *err)
{
	int sessions = 0;

	for (size_t i = 0; i < n_trees; i++) {
		struct walk w = { .fs = fs, .tree = &trees[i], .out = out };
		int r = cgh_fs_each_dir(fs, trees[i].dir, "user-", user_found, &w, NULL);

		if (r == -ENOMEM)
			return cgh_fail(err, ENOMEM, "cannot list the sessions of %s/%s", fs->root,
					trees[i].dir);
	}
	for (size_t i = 0; i < out->n; i++)
		sessions += out->v[i].kind == CGH_SAMPLE_SESSION;
	return sessions;
}

int cgh_samples_add_penalties(struct cgh_samples *s, const struct cgh_penalty_record *recs,
			      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cgh_penalty_series *p;

		if (!recs[i].active)
			continue;
		if (cgh_metrics_grow((void **)&s->pen, &s->cap_pen, s->n_pen, sizeof(*s->pen), 8) < 0)
			return -ENOMEM;
		p = &s->pen[s->n_pen++];
		*p = (struct cgh_penalty_series){ .uid = recs[i].uid, .tier = recs[i].tier + 1,
						  .until = recs[i].until };
		cgh_user_name(recs[i].uid, p->user, sizeof(p->user));
		snprintf(p->penalty, sizeof(p->penalty), "%s", recs[i].name);
	}
	return 0;
}

void cgh_samples_free(struct cgh_samples *s)
{
	free(s->pen);
	free(s->v);
	*s = (struct cgh_samples){ 0 };
}
