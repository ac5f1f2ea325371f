/* Penalties: the policy (cgh_penalty.h).  Pure: samples, records and the
 * config in, decisions out; every time is an argument. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgh_cgroupfs.h"
#include "cgh_penalty.h"
#include "cgh_value.h"

#define START_SLACK_S 300u	/* a record may start this far ahead of our clock */

/* ---- usage over a window -------------------------------------------------- */

void cgh_usage_reset(struct cgh_usage_ring *r)
{
	r->n = 0;
	r->next = 0;
}

/* The i-th oldest sample (0: the oldest of those kept). */
static const struct cgh_usage_sample *nth(const struct cgh_usage_ring *r, unsigned i)
{
	return &r->s[(r->next + CGH_USAGE_SAMPLES - r->n + i) % CGH_USAGE_SAMPLES];
}

static const struct cgh_usage_sample *newest(const struct cgh_usage_ring *r)
{
	return r->n == 0 ? NULL : nth(r, r->n - 1);
}

void cgh_usage_push(struct cgh_usage_ring *r, uint64_t t_ms, uint64_t cpu_usec, uint64_t memory)
{
	const struct cgh_usage_sample *last = newest(r);

	if (last != NULL && (t_ms < last->t_ms || cpu_usec < last->cpu_usec))
		cgh_usage_reset(r);
	r->s[r->next] = (struct cgh_usage_sample){ t_ms, cpu_usec, memory };
	r->next = (r->next + 1) % CGH_USAGE_SAMPLES;
	if (r->n < CGH_USAGE_SAMPLES)
		r->n++;
}

uint64_t cgh_usage_interval_ms(const struct cgh_penalty *p, size_t n)
{
	uint64_t longest = 0, ms;

	for (size_t i = 0; i < n; i++)
		if (p[i].window > longest)
			longest = p[i].window;
	/* the window fits in CGH_USAGE_SAMPLES - 4 intervals: a late tick or two
	 * still leaves a sample at least a window old */
	ms = longest * 1000u / (CGH_USAGE_SAMPLES - 4);
	return ms < 1000u ? 1000u : ms;
}

/* Index (in nth order) of the newest sample at least window_s older than
 * the newest; -1 when the ring spans less. */
static int window_start(const struct cgh_usage_ring *r, uint64_t window_s)
{
	const struct cgh_usage_sample *last = newest(r);

	if (last == NULL)
		return -1;
	for (unsigned i = r->n; i-- > 0;)
		if (last->t_ms - nth(r, i)->t_ms >= window_s * 1000u)
			return (int)i;
	return -1;
}

bool cgh_usage_cpu(const struct cgh_usage_ring *r, uint64_t window_s, uint64_t *centi_pct)
{
	int i = window_start(r, window_s);
	const struct cgh_usage_sample *a, *b;

	if (i < 0 || window_s == 0)
		return false;
	a = nth(r, (unsigned)i);
	b = newest(r);
	if (b == NULL || b->t_ms == a->t_ms)
		return false;
	/* µs of CPU per ms of wall time, times 10: hundredths of a percent */
	*centi_pct = (b->cpu_usec - a->cpu_usec) * 10u / (b->t_ms - a->t_ms);
	return true;
}

bool cgh_usage_memory_over(const struct cgh_usage_ring *r, uint64_t window_s, uint64_t level,
			   uint64_t *low)
{
	int start = window_start(r, window_s);
	uint64_t least = UINT64_MAX;

	if (start < 0 || window_s == 0)
		return false;
	for (unsigned i = (unsigned)start; i < r->n; i++) {
		uint64_t m = nth(r, i)->memory;
		if (m == CGH_UNKNOWN || m == CGH_UNLIMITED || m < level)
			return false;
		if (m < least)
			least = m;
	}
	*low = least;
	return true;
}

/* ---- host pressure -------------------------------------------------------- */

/* "12.34" (at most two decimals) into 1234. */
static int centi(const char *s, unsigned *out)
{
	unsigned whole = 0, frac = 0, digits = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10u + (unsigned)(*p - '0');
		if (whole > 100u)
			return -EINVAL;
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits++ < 2)
				frac = frac * 10u + (unsigned)(*p - '0');
	if (digits == 1)
		frac *= 10u;
	if (*p != ' ' && *p != '\0' && *p != '\n')
		return -EINVAL;
	*out = whole * 100u + frac;
	return *out <= 10000u ? 0 : -EINVAL;
}

int cgh_psi_parse(const char *text, unsigned *avg10, unsigned *avg60)
{
	const char *line = text;
	const char *a10, *a60;

	while (line != NULL && strncmp(line, "some ", 5) != 0) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (line == NULL)
		return -EINVAL;
	a10 = strstr(line, " avg10=");
	a60 = strstr(line, " avg60=");
	if (a10 == NULL || a60 == NULL || centi(a10 + 7, avg10) < 0 || centi(a60 + 7, avg60) < 0)
		return -EINVAL;
	return 0;
}

static bool above(bool known, unsigned avg10, unsigned avg60, enum cgh_psi_avg which,
		  unsigned threshold_pct)
{
	unsigned v = which == CGH_PSI_AVG60 ? avg60 : avg10;

	return threshold_pct != 0 && known && v > threshold_pct * 100u;
}

bool cgh_penalty_host_busy(const struct cgh_penalty *p, const struct cgh_host_pressure *h)
{
	if (!p->when_busy)
		return true;
	return above(h->cpu_known, h->cpu10, h->cpu60, p->busy_avg, p->busy_cpu) ||
	       above(h->memory_known, h->memory10, h->memory60, p->busy_avg, p->busy_memory);
}

/* ---- offences ------------------------------------------------------------- */

bool cgh_penalty_offence(const struct cgh_penalty *p, const struct cgh_usage_ring *r,
			 struct cgh_offence *out)
{
	uint64_t v = 0;

	if (p->cpu_over != 0 && cgh_usage_cpu(r, p->window, &v) && v >= p->cpu_over * 100ull) {
		*out = (struct cgh_offence){ .cpu = true, .usage = v, .threshold = p->cpu_over * 100ull };
		return true;
	}
	if (p->memory_over != 0 && cgh_usage_memory_over(r, p->window, p->memory_over, &v)) {
		*out = (struct cgh_offence){ .cpu = false, .usage = v, .threshold = p->memory_over };
		return true;
	}
	return false;
}

/* ---- records -------------------------------------------------------------- */

const struct cgh_penalty *cgh_penalty_find(const struct cgh_penalty *p, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	return NULL;
}

unsigned cgh_penalty_next_tier(const struct cgh_penalty *p, const struct cgh_penalty_record *prev,
			       uint64_t now)
{
	unsigned last = p->n_tiers > 0 ? (unsigned)p->n_tiers - 1 : 0;

	if (prev == NULL || p->forgive == 0 || now < prev->start || now - prev->start > p->forgive)
		return 0;
	return prev->tier >= last ? last : prev->tier + 1;
}

bool cgh_penalty_record_live(const struct cgh_penalty *p, const struct cgh_penalty_record *rec,
			     uint64_t now)
{
	if (rec->active)
		return true;
	return p != NULL && p->forgive != 0 && now <= rec->start + p->forgive;
}

const char *cgh_penalty_record_check(const struct cgh_penalty *p, size_t n,
				     const struct cgh_penalty_record *rec, uint64_t now)
{
	const struct cgh_penalty *pen = cgh_penalty_find(p, n, rec->name);

	if (pen == NULL)
		return "its penalty is no longer in the configuration";
	if (rec->tier >= pen->n_tiers)
		return "its tier is no longer in the configuration";
	if (rec->until < rec->start)
		return "it ends before it starts";
	if (rec->start > now + START_SLACK_S)
		return "it starts in the future";
	if (rec->until - rec->start > pen->tiers[rec->tier].duration)
		return "it lasts longer than its tier's duration";
	if (rec->active && (rec->keys & ~CGH_PENALTY_KEYS) != 0)
		return "it names limits a penalty cannot set";
	return NULL;
}

unsigned cgh_penalty_release(const struct cgh_penalty *p, size_t np,
			     const struct cgh_penalty_record *recs, size_t n, size_t ended,
			     struct cgh_limits *held)
{
	const struct cgh_penalty_record *e = &recs[ended];
	unsigned back = e->keys;

	memset(held, 0, sizeof(*held));
	for (size_t i = 0; i < n; i++) {
		const struct cgh_penalty *pen;
		struct cgh_limits mine;

		if (i == ended || !recs[i].active || strcmp(recs[i].dir, e->dir) != 0 ||
		    (recs[i].keys & e->keys) == 0)
			continue;
		pen = cgh_penalty_find(p, np, recs[i].name);
		if (pen == NULL || recs[i].tier >= pen->n_tiers)
			continue;
		mine = pen->tiers[recs[i].tier].effect;
		mine.set &= e->keys;
		cgh_limits_merge(held, &mine);
		back &= ~mine.set;
	}
	return back;
}

/* The before slots of a key. */
static unsigned slots(unsigned key)
{
	switch (key) {
	case CGH_CPU_MAX: return (1u << CGH_BEFORE_CPU_QUOTA) | (1u << CGH_BEFORE_CPU_PERIOD);
	case CGH_CPU_WEIGHT: return 1u << CGH_BEFORE_CPU_WEIGHT;
	case CGH_MEMORY_HIGH: return 1u << CGH_BEFORE_MEMORY_HIGH;
	default: return 0;
	}
}

unsigned cgh_penalty_inherit_before(const struct cgh_penalty_record *recs, size_t n,
				    const char *dir, unsigned keys, uint64_t *before,
				    const uint64_t *now_values)
{
	unsigned fresh = 0;

	for (unsigned k = 0; k < CGH_N_LIMITS; k++) {
		const struct cgh_penalty_record *from = NULL;
		unsigned sl = slots(k);

		if (!(keys & (1u << k)))
			continue;
		for (size_t i = 0; i < n && from == NULL; i++)
			if (recs[i].active && strcmp(recs[i].dir, dir) == 0 && (recs[i].keys & (1u << k)))
				from = &recs[i];
		if (from == NULL)
			fresh |= 1u << k;
		for (unsigned s = 0; s < CGH_BEFORE_N; s++)
			if (sl & (1u << s))
				before[s] = from != NULL ? from->before[s] : now_values[s];
	}
	return fresh;
}

void cgh_penalty_effect_text(const struct cgh_limits *l, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < CGH_N_LIMITS && used < len; k++) {
		char v[48];
		if (!cgh_limits_has(l, (enum cgh_limit_key)k))
			continue;
		cgh_limit_human_value(l, (enum cgh_limit_key)k, v, sizeof(v));
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
					 cgh_limit_table[k].key, v);
	}
}
