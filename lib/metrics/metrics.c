/* The one renderer of cgherd's metrics (cgh_metrics.h).  Base units (bytes,
 * seconds), counters named _total, a series per live session and user; a
 * figure the kernel does not give, or a limit that is "max", has no series. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cgh_metrics.h"

enum value_kind {
	V_COUNT,	/* the number as it is */
	V_USEC,		/* µs, shown in seconds */
	V_CPU_RATIO,	/* cpu.max quota / period, in CPUs */
};

struct family {
	const char *name;	/* after cgherd_session_ / cgherd_user_ */
	const char *help;
	const char *unit;	/* OpenMetrics UNIT, or NULL */
	const char *label;	/* a label that tells the values apart, or NULL */
	const char *const *values;	/* its values, n of them */
	size_t offset;		/* of the first uint64_t in struct cgh_figures */
	enum value_kind kind;
	int n;
	bool counter;
};

#define FIG(field) offsetof(struct cgh_figures, field)

static const struct family families[] = {
	{ "memory_bytes", "Memory in use (memory.current).", "bytes", NULL, NULL, FIG(memory_current), V_COUNT, 1, false },
	{ "memory_peak_bytes", "Highest memory use seen (memory.peak).", "bytes", NULL, NULL, FIG(memory_peak), V_COUNT, 1, false },
	{ "memory_max_bytes", "Memory limit (memory.max); no series when unlimited.", "bytes", NULL, NULL, FIG(memory_max), V_COUNT, 1, false },
	{ "memory_high_bytes", "Memory throttling limit (memory.high); no series when unlimited.", "bytes", NULL, NULL, FIG(memory_high), V_COUNT, 1, false },
	{ "memory_swap_bytes", "Swap in use (memory.swap.current).", "bytes", NULL, NULL, FIG(swap_current), V_COUNT, 1, false },
	{ "memory_swap_max_bytes", "Swap limit (memory.swap.max); no series when unlimited.", "bytes", NULL, NULL, FIG(swap_max), V_COUNT, 1, false },
	{ "memory_anon_bytes", "Anonymous memory (memory.stat anon).", "bytes", NULL, NULL, FIG(anon), V_COUNT, 1, false },
	{ "memory_file_bytes", "Page cache (memory.stat file).", "bytes", NULL, NULL, FIG(file), V_COUNT, 1, false },
	{ "memory_events_total", "memory.events counters of the cgroup (gone with it).", NULL, "event", cgh_event_names, FIG(events), V_COUNT, CGH_N_EVENTS, true },
	{ "cpu_usage_seconds_total", "CPU time used (cpu.stat usage_usec).", "seconds", NULL, NULL, FIG(cpu_usage_usec), V_USEC, 1, true },
	{ "cpu_throttled_seconds_total", "Time throttled by the CPU quota (cpu.stat throttled_usec).", "seconds", NULL, NULL, FIG(cpu_throttled_usec), V_USEC, 1, true },
	{ "cpu_throttled_periods_total", "Periods throttled by the CPU quota (cpu.stat nr_throttled).", NULL, NULL, NULL, FIG(cpu_nr_throttled), V_COUNT, 1, true },
	{ "cpu_quota_cpus", "CPU quota (cpu.max) in CPUs; no series when unlimited.", NULL, NULL, NULL, FIG(cpu_quota), V_CPU_RATIO, 1, false },
	{ "pids", "Tasks in the cgroup (pids.current).", NULL, NULL, NULL, FIG(pids_current), V_COUNT, 1, false },
	{ "pids_max", "Task limit (pids.max); no series when unlimited.", NULL, NULL, NULL, FIG(pids_max), V_COUNT, 1, false },
	{ "pressure_some_seconds_total", "Time some tasks stalled on the resource (PSI some total).", "seconds", "resource", cgh_psi_names, FIG(psi_some_usec), V_USEC, CGH_N_PSI, true },
	{ "pressure_full_seconds_total", "Time all tasks stalled on the resource (PSI full total).", "seconds", "resource", cgh_psi_names, FIG(psi_full_usec), V_USEC, CGH_N_PSI, true },
};

static const char *const kept_help[CGH_N_KEPT] = {
	[CGH_KEPT_OOM_KILLS] = "Processes the OOM killer killed in sessions of the rule, counted by cgherd watch.",
	[CGH_KEPT_GROUP_KILLS] = "Sessions of the rule killed as a whole by the OOM killer, counted by cgherd watch.",
	[CGH_KEPT_PRESSURE_KILLS] = "Sessions of the rule the pressure guard of cgherd watch killed.",
	[CGH_KEPT_RECLAIMS] = "Page cache reclaims cgherd watch asked for in sessions of the rule.",
};

void cgh_metrics_escape(const char *value, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = value; *p != '\0' && n + 3 <= len; p++) {
		if (*p == '\\' || *p == '"')
			buf[n++] = '\\';
		if (*p == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else
			buf[n++] = *p;
	}
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
}

/* The family's name as its HELP, TYPE and UNIT lines give it: OpenMetrics
 * names a counter family without its samples' _total. */
static void family_name(char *buf, size_t len, const char *full, bool counter,
			enum cgh_metrics_format format)
{
	size_t n = strlen(full);

	if (format == CGH_METRICS_OPENMETRICS && counter && n > 6 && strcmp(full + n - 6, "_total") == 0)
		n -= 6;
	snprintf(buf, len, "%.*s", (int)n, full);
}

static void header(FILE *out, const char *full, const char *help, bool counter, const char *unit,
		   enum cgh_metrics_format format)
{
	char name[96];

	family_name(name, sizeof(name), full, counter, format);
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, counter ? "counter" : "gauge");
	if (format == CGH_METRICS_OPENMETRICS && unit != NULL)
		fprintf(out, "# UNIT %s %s\n", name, unit);
}

static void labels(FILE *out, const struct cgh_sample *s)
{
	char user[140], rule[150], name[140];

	cgh_metrics_escape(s->user, user, sizeof(user));
	cgh_metrics_escape(s->name, name, sizeof(name));
	fprintf(out, "{user=\"%s\",uid=\"%u\"", user, s->uid);
	if (s->kind == CGH_SAMPLE_SESSION) {
		cgh_metrics_escape(s->rule, rule, sizeof(rule));
		fprintf(out, ",rule=\"%s\",session=\"%s\"", rule, name);
	}
	fprintf(out, ",backend=\"%s\"", s->owned ? "cgroupfs" : "systemd");
}

/* false: no series (not known, or unlimited). */
static bool value_of(const struct family *fam, const struct cgh_figures *f, int i, double *v,
		     unsigned long long *count)
{
	const uint64_t *p = (const uint64_t *)(const void *)((const char *)f + fam->offset) + i;

	if (*p == CGH_UNKNOWN || *p == CGH_UNLIMITED)
		return false;
	*count = (unsigned long long)*p;
	if (fam->kind == V_USEC)
		*v = (double)*p / 1e6;
	else if (fam->kind == V_CPU_RATIO) {
		if (f->cpu_period == CGH_UNKNOWN || f->cpu_period == 0)
			return false;
		*v = (double)*p / (double)f->cpu_period;
	}
	return true;
}

static void series(FILE *out, const char *full, const struct family *fam, const struct cgh_sample *s)
{
	for (int i = 0; i < fam->n; i++) {
		unsigned long long count = 0;
		double v = 0;

		if (!value_of(fam, &s->f, i, &v, &count))
			continue;
		fputs(full, out);
		labels(out, s);
		if (fam->label != NULL)
			fprintf(out, ",%s=\"%s\"", fam->label, fam->values[i]);
		if (fam->kind == V_COUNT)
			fprintf(out, "} %llu\n", count);
		else
			fprintf(out, "} %.6f\n", v);
	}
}

static void render_kind(FILE *out, const struct cgh_samples *s, enum cgh_sample_kind kind,
			enum cgh_metrics_format format)
{
	const char *prefix = kind == CGH_SAMPLE_SESSION ? "cgherd_session_" : "cgherd_user_";

	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
		char full[96];

		snprintf(full, sizeof(full), "%s%s", prefix, families[k].name);
		header(out, full, families[k].help, families[k].counter, families[k].unit, format);
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].kind == kind)
				series(out, full, &families[k], &s->v[i]);
	}
}

static void render_sessions(FILE *out, const struct cgh_samples *s, enum cgh_metrics_format format)
{
	unsigned n[2] = { 0, 0 };

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == CGH_SAMPLE_SESSION)
			n[s->v[i].owned]++;
	header(out, "cgherd_sessions", "Live sessions, by backend.", false, NULL, format);
	fprintf(out, "cgherd_sessions{backend=\"cgroupfs\"} %u\ncgherd_sessions{backend=\"systemd\"} %u\n",
		n[1], n[0]);
}

static void render_kept(FILE *out, const struct cgh_kept *k, enum cgh_metrics_format format)
{
	for (int c = 0; c < CGH_N_KEPT; c++) {
		header(out, cgh_kept_names[c], kept_help[c], true, NULL, format);
		for (size_t i = 0; i < k->n; i++) {
			char rule[150];

			cgh_metrics_escape(k->v[i].rule, rule, sizeof(rule));
			fprintf(out, "%s{rule=\"%s\"} %llu\n", cgh_kept_names[c], rule,
				(unsigned long long)k->v[i].n[c]);
		}
	}
}

/* A series per running penalty: its tier, and when it ends. */
static void render_penalties(FILE *out, const struct cgh_samples *s, enum cgh_metrics_format format)
{
	static const char *const names[2] = { "cgherd_user_penalty_tier",
					       "cgherd_user_penalty_until_timestamp_seconds" };
	static const char *const help[2] = {
		"Tier (from 1) of a penalty of cgherd watch running on the user's aggregate.",
		"When that penalty ends, in seconds since the epoch.",
	};

	for (int k = 0; k < 2; k++) {
		header(out, names[k], help[k], false, k == 1 ? "seconds" : NULL, format);
		for (size_t i = 0; i < s->n_pen; i++) {
			char user[140], penalty[150];

			cgh_metrics_escape(s->pen[i].user, user, sizeof(user));
			cgh_metrics_escape(s->pen[i].penalty, penalty, sizeof(penalty));
			fprintf(out, "%s{user=\"%s\",uid=\"%u\",penalty=\"%s\"} %llu\n", names[k], user,
				s->pen[i].uid, penalty,
				(unsigned long long)(k == 0 ? s->pen[i].tier : s->pen[i].until));
		}
	}
}

void cgh_metrics_render(FILE *out, const struct cgh_samples *s, const struct cgh_kept *kept,
			enum cgh_metrics_format format)
{
	render_sessions(out, s, format);
	render_kind(out, s, CGH_SAMPLE_SESSION, format);
	render_kind(out, s, CGH_SAMPLE_USER, format);
	render_penalties(out, s, format);
	if (kept != NULL)
		render_kept(out, kept, format);
	if (format == CGH_METRICS_OPENMETRICS)
		fputs("# EOF\n", out);
}
