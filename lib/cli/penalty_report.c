/* What `cgherd penalty list`, `status` and `explain` print about
 * penalties (cgh_report.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgh_identity.h"
#include "cgh_match.h"
#include "cgh_penalty.h"
#include "cgh_report.h"
#include "cgh_value.h"

static void utc(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%llu", (unsigned long long)t);
}

static void effect_of(const struct cgh_config *cfg, const struct cgh_penalty_record *r, char *buf,
		      size_t len)
{
	const struct cgh_penalty *p = cgh_penalty_find(cfg->penalties, cfg->n_penalties, r->name);

	if (p == NULL || r->tier >= p->n_tiers)
		snprintf(buf, len, "?");
	else
		cgh_penalty_effect_text(&p->tiers[r->tier].effect, buf, len);
}

void cgh_report_penalty_json(FILE *out, const struct cgh_config *cfg,
			     const struct cgh_penalty_record *r, uint64_t now)
{
	char user[64], effect[160], start[32], until[32];

	cgh_user_name(r->uid, user, sizeof(user));
	effect_of(cfg, r, effect, sizeof(effect));
	utc(r->start, start, sizeof(start));
	utc(r->until, until, sizeof(until));
	/* names and dirs are checked to [A-Za-z0-9_.-/] on read, user sanitized */
	fprintf(out, "{\"user\": \"%s\", \"uid\": %u, \"penalty\": \"%s\", \"tier\": %u, \"active\": %s, "
		     "\"effect\": \"%s\", \"start\": \"%s\", \"until\": \"%s\", \"seconds_left\": %lld, "
		     "\"dir\": \"%s\", \"backend\": \"%s\"}",
		user, r->uid, r->name, r->tier + 1, r->active ? "true" : "false", effect, start, until,
		r->active && r->until > now ? (long long)(r->until - now) : 0LL, r->dir,
		r->how == CGH_PENALTY_SYSTEMD ? "systemd" : "cgroupfs");
}

void cgh_report_penalty_list(FILE *out, const struct cgh_config *cfg,
			     const struct cgh_penalty_record *recs, size_t n, uint64_t now, bool json)
{
	size_t shown = 0;

	if (json) {
		fputs("[", out);
		for (size_t i = 0; i < n; i++) {
			fputs(shown++ ? ",\n  " : "\n  ", out);
			cgh_report_penalty_json(out, cfg, &recs[i], now);
		}
		fputs(shown ? "\n]\n" : "]\n", out);
		return;
	}
	fprintf(out, "%-12s %6s %-12s %4s %-8s %-20s %8s  %s\n", "USER", "UID", "PENALTY", "TIER",
		"STATE", "UNTIL", "LEFT", "EFFECT");
	for (size_t i = 0; i < n; i++) {
		const struct cgh_penalty_record *r = &recs[i];
		char user[64], effect[160], until[32];

		cgh_user_name(r->uid, user, sizeof(user));
		effect_of(cfg, r, effect, sizeof(effect));
		utc(r->until, until, sizeof(until));
		fprintf(out, "%-12s %6u %-12s %4u %-8s %-20s %7llds  %s%s\n", user, r->uid, r->name,
			r->tier + 1, r->active ? "active" : "over", until,
			r->active && r->until > now ? (long long)(r->until - now) : 0LL,
			r->active ? effect : "(remembered for forgive)",
			r->before_lost ? " [damaged record]" : "");
	}
}

static void explain_trigger(FILE *out, const struct cgh_penalty *p)
{
	char size[32];

	fprintf(out, "  %s (line %d): ", p->name, p->line);
	if (p->cpu_over)
		fprintf(out, "CPU over %u%% of one CPU", p->cpu_over);
	if (p->cpu_over && p->memory_over)
		fputs(", or ", out);
	if (p->memory_over) {
		cgh_format_size(p->memory_over, size, sizeof(size));
		fprintf(out, "memory.current at or over %s throughout", size);
	}
	fprintf(out, ", over %llus", (unsigned long long)p->window);
	if (p->when_busy) {
		fprintf(out, ", only while the host's pressure (some %s) is over", p->busy_avg == CGH_PSI_AVG60 ? "avg60" : "avg10");
		if (p->busy_cpu)
			fprintf(out, " cpu %u%%", p->busy_cpu);
		if (p->busy_memory)
			fprintf(out, "%s memory %u%%", p->busy_cpu ? " or" : "", p->busy_memory);
	}
	fprintf(out, "; forgive %llus\n", (unsigned long long)p->forgive);
}

void cgh_report_explain_penalties(FILE *out, const struct cgh_config *cfg,
				  const struct cgh_identity *id)
{
	fprintf(out, "penalties (on %s/%s/user-%u or user-%u.slice, by cgherd watch):\n",
		cfg->cgroup_root, cfg->base, (unsigned)id->uid, (unsigned)id->uid);
	if (cfg->n_penalties == 0) {
		fputs("  (none)\n", out);
		return;
	}
	for (size_t i = 0; i < cfg->n_penalties; i++) {
		const struct cgh_penalty *p = &cfg->penalties[i];
		bool ex = p->exempt != NULL && cgh_match_matches(p->exempt, id, NULL);

		explain_trigger(out, p);
		fprintf(out, "    %s is %s\n", id->user, ex ? "exempt" : "not exempt");
		for (size_t t = 0; t < p->n_tiers; t++) {
			char effect[160];
			cgh_penalty_effect_text(&p->tiers[t].effect, effect, sizeof(effect));
			fprintf(out, "    tier %zu: %s for %llus\n", t + 1, effect,
				(unsigned long long)p->tiers[t].duration);
		}
	}
}
