/* Penalties (the `penalties` list of cgherd.conf, applied by `cgherd
 * watch`): a user whose aggregate CPU or memory stays over a level for a
 * window, optionally only while the host is busy, gets lower limits on the
 * user directory for a while; a new offence within `forgive` of the last
 * one gets the next tier.
 *
 * This file is the policy: pure functions over samples, records and the
 * config.  No I/O, no clock: every time is an argument.  The state file
 * is cgh_penalty_state.h, the effects cgh_penalty_apply.h. */
#ifndef CGH_PENALTY_H
#define CGH_PENALTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgh_limits.h"

struct cgh_match;

#define CGH_PENALTY_NAME_MAX 64
#define CGH_PENALTY_TIERS_MAX 8
#define CGH_PENALTIES_MAX 16
/* the keys a tier may set */
#define CGH_PENALTY_KEYS ((1u << CGH_CPU_MAX) | (1u << CGH_CPU_WEIGHT) | (1u << CGH_MEMORY_HIGH))

enum cgh_psi_avg { CGH_PSI_AVG10, CGH_PSI_AVG60 };

struct cgh_penalty_tier {
	struct cgh_limits effect;	/* only CGH_PENALTY_KEYS */
	uint64_t duration;		/* s */
	int line;
};

struct cgh_penalty {
	char *name;
	int line;
	unsigned cpu_over;		/* percent of one CPU; 0: no CPU trigger */
	uint64_t memory_over;		/* bytes of memory.current; 0: no memory trigger */
	uint64_t window;		/* s */
	unsigned busy_cpu, busy_memory;	/* when_busy: host PSI "some" percent; 0: not asked */
	enum cgh_psi_avg busy_avg;	/* which average of pressure/cpu, pressure/memory */
	bool when_busy;
	uint64_t forgive;		/* s; 0: never escalate */
	struct cgh_match *exempt;	/* NULL: nobody */
	struct cgh_penalty_tier tiers[CGH_PENALTY_TIERS_MAX];
	size_t n_tiers;
};

/* ---- usage over a window -------------------------------------------------- */

/* Samples of one user directory: time (monotonic ms), cpu.stat usage_usec,
 * memory.current (CGH_UNKNOWN when not read).  A ring, newest last. */
#define CGH_USAGE_SAMPLES 32

struct cgh_usage_sample {
	uint64_t t_ms, cpu_usec, memory;
};

struct cgh_usage_ring {
	struct cgh_usage_sample s[CGH_USAGE_SAMPLES];
	unsigned n, next;
};

/* A sample goes into the ring; one older than the newest, or a counter
 * that went back (a new cgroup under the same name), restarts it. */
void cgh_usage_push(struct cgh_usage_ring *r, uint64_t t_ms, uint64_t cpu_usec, uint64_t memory);
void cgh_usage_reset(struct cgh_usage_ring *r);

/* The sampling interval (ms) for the penalties' longest window: the ring
 * spans it with room to spare, at least 1 s. */
uint64_t cgh_usage_interval_ms(const struct cgh_penalty *p, size_t n);

/* Average CPU use over the last window_s, in hundredths of a percent of
 * one CPU (15000: 1.5 CPUs), measured from the newest sample back to the
 * newest one at least window_s older.  false while the ring spans less. */
bool cgh_usage_cpu(const struct cgh_usage_ring *r, uint64_t window_s, uint64_t *centi_pct);

/* Whether memory stayed at or above level in every sample of the last
 * window_s (the ring spanning it); *low: the lowest of them. */
bool cgh_usage_memory_over(const struct cgh_usage_ring *r, uint64_t window_s, uint64_t level,
			   uint64_t *low);

/* ---- host pressure -------------------------------------------------------- */

/* The "some" line of a /proc/pressure file: avg10 and avg60 in hundredths
 * of a percent.  0, or -EINVAL. */
int cgh_psi_parse(const char *text, unsigned *avg10, unsigned *avg60);

struct cgh_host_pressure {
	bool cpu_known, memory_known;
	unsigned cpu10, cpu60, memory10, memory60;	/* hundredths of a percent */
};

/* Whether p's when_busy holds (true without when_busy): any threshold it
 * sets exceeded by its average.  An unknown figure never makes it busy. */
bool cgh_penalty_host_busy(const struct cgh_penalty *p, const struct cgh_host_pressure *h);

/* ---- offences ------------------------------------------------------------- */

struct cgh_offence {
	bool cpu;			/* which trigger */
	uint64_t usage;			/* centi-percent of a CPU, or the lowest memory.current */
	uint64_t threshold;		/* the same unit */
};

/* Whether the samples break p's trigger (CPU first, then memory). */
bool cgh_penalty_offence(const struct cgh_penalty *p, const struct cgh_usage_ring *r,
			 struct cgh_offence *out);

/* ---- records -------------------------------------------------------------- */

/* How an effect is written: cgroupfs files, or systemd unit properties. */
enum cgh_penalty_how { CGH_PENALTY_FS, CGH_PENALTY_SYSTEMD };

/* What a user directory held before a penalty, for the keys of its tier.
 * fs: cpu quota per period and the period (µs), cpu.weight, memory.high.
 * systemd: CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, CPUWeight, MemoryHigh
 * as systemd reported them (UINT64_MAX: infinity / not set). */
enum { CGH_BEFORE_CPU_QUOTA, CGH_BEFORE_CPU_PERIOD, CGH_BEFORE_CPU_WEIGHT,
       CGH_BEFORE_MEMORY_HIGH, CGH_BEFORE_N };

/* One user's penalty of one name.  Times in s of CLOCK_REALTIME: they
 * must mean the same after a restart of watch. */
struct cgh_penalty_record {
	unsigned uid;
	char dir[96];			/* relative to the cgroup root */
	char name[CGH_PENALTY_NAME_MAX + 1];
	enum cgh_penalty_how how;
	unsigned tier;			/* 0-based */
	bool active;			/* false: over, kept for forgiveness */
	uint64_t start, until;		/* of the last penalty */
	unsigned keys;			/* bits (1 << enum cgh_limit_key) the tier set */
	uint64_t before[CGH_BEFORE_N];
	bool before_lost;		/* read from a damaged line: put the rule's values back */
};

const struct cgh_penalty *cgh_penalty_find(const struct cgh_penalty *p, size_t n,
					   const char *name);

/* The tier for an offence at now after prev (NULL: none): the next one if
 * now is within p->forgive of prev->start, capped at the last; else 0. */
unsigned cgh_penalty_next_tier(const struct cgh_penalty *p, const struct cgh_penalty_record *prev,
			       uint64_t now);

/* Whether rec can be kept: after it ended and its forgive time passed it
 * is dropped; an active one is kept until it ends. */
bool cgh_penalty_record_live(const struct cgh_penalty *p, const struct cgh_penalty_record *rec,
			     uint64_t now);

/* Why rec cannot be trusted against the config (NULL: it can): its
 * penalty gone, tier out of range, times impossible (until before start,
 * longer than the tier's duration, start in the future beyond slack). */
const char *cgh_penalty_record_check(const struct cgh_penalty *p, size_t n,
				     const struct cgh_penalty_record *rec, uint64_t now);

/* When recs[ended] ends: of its keys, those another active record of the
 * same directory sets stay penalized, with that record's tier effect in
 * *held (later records of the list win a key); the others are put back
 * from recs[ended].before.  Returns the keys to put back. */
unsigned cgh_penalty_release(const struct cgh_penalty *p, size_t np,
			     const struct cgh_penalty_record *recs, size_t n, size_t ended,
			     struct cgh_limits *held);

/* The before values of a new record on dir for keys: taken from an active
 * record of the same directory that set the key first (its before is what
 * the rule gave), else from now (the values read from the directory).
 * Returns the keys whose values came from now. */
unsigned cgh_penalty_inherit_before(const struct cgh_penalty_record *recs, size_t n,
				    const char *dir, unsigned keys, uint64_t *before,
				    const uint64_t *now_values);

/* Human text of a tier's effect: "cpu_max=50% cpu_weight=10 memory_high=2G". */
void cgh_penalty_effect_text(const struct cgh_limits *l, char *buf, size_t len);

#endif
