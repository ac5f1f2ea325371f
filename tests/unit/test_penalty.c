/* Penalties: the policy as pure functions over samples and records
 * (windows, averages, host pressure, tier escalation and forgiveness,
 * restart from the state, damaged state), the state file, the config, and
 * the effects on the emulated cgroupfs (impose, put back, lift) and
 * through a fake systemd bus. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_penalty.h"
#include "cgh_penalty_apply.h"
#include "cgh_penalty_state.h"
#include "cgh_value.h"
#include "cgh_watch.h"
#include "fakefs.h"
#include "testutil.h"

#define ISSUE_EXAMPLE                                                                            \
	"penalties = (\n"                                                                        \
	"  { name = \"cpu\"; cpu_over = \"200%\"; window = \"10m\";\n"                           \
	"    when_busy = { cpu_pressure = \"20%\"; };\n"                                         \
	"    forgive = \"4h\";\n"                                                                \
	"    exempt = { group = [ \"staff\" ]; };\n"                                             \
	"    tiers = ( { cpu_max = \"100%\"; duration = \"30m\"; },\n"                           \
	"              { cpu_max = \"50%\";  duration = \"2h\"; } ); }\n"                        \
	");\n"


/* ---- config -------------------------------------------------------------------- */

static void test_config_issue_syntax(void **state)
{
	struct cgh_config *cfg = config_text_ok(ISSUE_EXAMPLE);
	const struct cgh_penalty *p;

	(void)state;
	assert_int_equal(cfg->n_penalties, 1);
	p = &cfg->penalties[0];
	assert_string_equal(p->name, "cpu");
	assert_int_equal(p->cpu_over, 200);
	assert_int_equal(p->window, 600);
	assert_true(p->when_busy);
	assert_int_equal(p->busy_cpu, 20);
	assert_int_equal(p->busy_memory, 0);
	assert_int_equal(p->busy_avg, CGH_PSI_AVG10);
	assert_int_equal(p->forgive, 4 * 3600);
	assert_non_null(p->exempt);
	assert_int_equal(p->exempt->groups.n, 1);
	assert_string_equal(p->exempt->groups.v[0], "staff");
	assert_int_equal(p->n_tiers, 2);
	assert_int_equal(p->tiers[0].effect.set, 1u << CGH_CPU_MAX);
	assert_int_equal(p->tiers[0].effect.value[CGH_CPU_MAX], 100000);
	assert_int_equal(p->tiers[0].effect.cpu_period, 100000);
	assert_int_equal(p->tiers[0].duration, 1800);
	assert_int_equal(p->tiers[1].effect.value[CGH_CPU_MAX], 50000);
	assert_int_equal(p->tiers[1].duration, 7200);
	cgh_config_free(cfg);
}

static void test_config_memory_and_more(void **state)
{
	struct cgh_config *cfg = config_text_ok(
		"penalties = ( { name = \"mem\"; memory_over = \"8G\"; window = \"90s\";\n"
		"  when_busy = { memory_pressure = \"10%\"; average = \"avg60\"; };\n"
		"  exempt = { user = \"root\"; uid = \"0-999\"; };\n"
		"  tiers = ( { memory_high = \"4G\"; cpu_weight = 10; duration = \"1d\"; } ); } );\n");
	const struct cgh_penalty *p = &cfg->penalties[0];

	(void)state;
	assert_int_equal(p->memory_over, 8ull << 30);
	assert_int_equal(p->cpu_over, 0);
	assert_int_equal(p->window, 90);
	assert_int_equal(p->busy_memory, 10);
	assert_int_equal(p->busy_avg, CGH_PSI_AVG60);
	assert_int_equal(p->forgive, 0);
	assert_int_equal(p->exempt->n_uids, 1);
	assert_int_equal(p->tiers[0].effect.set, (1u << CGH_MEMORY_HIGH) | (1u << CGH_CPU_WEIGHT));
	assert_int_equal(p->tiers[0].effect.value[CGH_MEMORY_HIGH], 4ull << 30);
	assert_int_equal(p->tiers[0].effect.value[CGH_CPU_WEIGHT], 10);
	assert_int_equal(p->tiers[0].duration, 86400);
	cgh_config_free(cfg);
}

static void test_config_errors(void **state)
{
	(void)state;
	config_text_error("penalties = ( { cpu_over = \"200%\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0]: needs a name (the state file and the log refer to it)");
	config_text_error("penalties = ( { name = \"a\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0]: needs a trigger: cpu_over or memory_over");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0]: needs a window");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; } );",
		   "t.conf:1: penalties[0]: needs tiers");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"2\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].cpu_over: invalid percentage \"2\" (\"N%\" with N 1-100000)");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"0s\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].window: invalid duration \"0s\" (N with s, m, h or d, 1 s to 366 d)");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; tiers = ( { pids_max = 5; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].tiers[0]: unknown setting 'pids_max' (cpu_max, cpu_weight, memory_high, duration)");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; } ); } );",
		   "t.conf:1: penalties[0].tiers[0]: needs a duration");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; when_busy = { average = \"avg10\"; };\n"
		   " tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].when_busy: needs cpu_pressure or memory_pressure");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; exempt = { service = \"sshd\"; };\n"
		   " tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].exempt: 'service' cannot exempt: a penalty is on the user's sessions of every service");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; exempt = { grup = \"x\"; };\n"
		   " tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].exempt: unknown setting 'grup' (user, group, uid, service)");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); },\n"
		   "              { name = \"a\"; cpu_over = \"300%\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:2: penalties[1]: name \"a\" already used by penalties[0]");
	config_text_error("penalties = ( { name = \"a b\"; cpu_over = \"200%\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].name: must be 1-64 letters, digits, '_', '.' or '-', not \"a b\"");
	config_text_error("penalties = ( { name = \"a\"; memory_over = \"max\"; window = \"1m\"; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0].memory_over: must be a size above 0, not \"max\" or 0");
	config_text_error("penalties = ( { name = \"a\"; cpu_over = \"200%\"; window = \"1m\"; colour = 1; tiers = ( { cpu_max = \"50%\"; duration = \"1m\"; } ); } );",
		   "t.conf:1: penalties[0]: unknown setting 'colour' (name, cpu_over, memory_over, window, when_busy, forgive, exempt, tiers)");
}

static void test_parse_duration(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(cgh_parse_duration("30s", &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(cgh_parse_duration("10m", &v), 0);
	assert_int_equal(v, 600);
	assert_int_equal(cgh_parse_duration("4h", &v), 0);
	assert_int_equal(v, 14400);
	assert_int_equal(cgh_parse_duration("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(cgh_parse_duration("366d", &v), 0);
	assert_int_equal(cgh_parse_duration("367d", &v), -ERANGE);
	assert_int_equal(cgh_parse_duration("0m", &v), -ERANGE);
	assert_int_equal(cgh_parse_duration("10", &v), -EINVAL);
	assert_int_equal(cgh_parse_duration("10 m", &v), -EINVAL);
	assert_int_equal(cgh_parse_duration("-1s", &v), -EINVAL);
	assert_int_equal(cgh_parse_duration("1w", &v), -EINVAL);
	assert_int_equal(cgh_parse_duration(NULL, &v), -EINVAL);
}

/* ---- windows and averages ------------------------------------------------------ */

/* Samples every step_ms from t0, with cpus CPUs busy (µs per ms * 1000). */
static void fill(struct cgh_usage_ring *r, unsigned n, uint64_t t0, uint64_t step_ms,
		 uint64_t cpu_centi_pct, uint64_t memory)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t t = t0 + i * step_ms;
		cgh_usage_push(r, t, (t - t0) * cpu_centi_pct / 10u + 5000000u, memory);
	}
}

static void test_usage_cpu_window(void **state)
{
	struct cgh_usage_ring r = { 0 };
	uint64_t v = 0;

	(void)state;
	assert_false(cgh_usage_cpu(&r, 10, &v));
	fill(&r, 10, 1000, 1000, 25000, 0);	/* 2.5 CPUs over 9 s */
	assert_false(cgh_usage_cpu(&r, 10, &v));	/* spans 9 s < 10 s */
	assert_true(cgh_usage_cpu(&r, 9, &v));
	assert_int_equal(v, 25000);
	assert_true(cgh_usage_cpu(&r, 3, &v));
	assert_int_equal(v, 25000);
	/* the last 3 s idle: the 3 s window sees 0, the 9 s one a third less */
	for (int i = 1; i <= 3; i++)
		cgh_usage_push(&r, 10000 + (uint64_t)i * 1000, 5000000u + 9000u * 2500u, 0);
	assert_true(cgh_usage_cpu(&r, 3, &v));
	assert_int_equal(v, 0);
	assert_true(cgh_usage_cpu(&r, 9, &v));
	assert_int_equal(v, 25000 * 6 / 9);
}

static void test_usage_ring_wraps_and_restarts(void **state)
{
	struct cgh_usage_ring r = { 0 };
	uint64_t v = 0;

	(void)state;
	fill(&r, 100, 0, 500, 10000, 0);	/* more samples than the ring holds */
	assert_int_equal(r.n, CGH_USAGE_SAMPLES);
	assert_true(cgh_usage_cpu(&r, 15, &v));
	assert_int_equal(v, 10000);
	assert_false(cgh_usage_cpu(&r, 16, &v));	/* 31 intervals of 0.5 s kept */
	/* a counter that went back: a new cgroup under the same name */
	cgh_usage_push(&r, 60000, 10, 0);
	assert_int_equal(r.n, 1);
	assert_false(cgh_usage_cpu(&r, 1, &v));
	/* so does a clock that went back */
	cgh_usage_push(&r, 61000, 20, 0);
	cgh_usage_push(&r, 100, 30, 0);
	assert_int_equal(r.n, 1);
}

static void test_usage_interval(void **state)
{
	struct cgh_penalty p[2] = { { .window = 600 }, { .window = 5 } };

	(void)state;
	assert_int_equal(cgh_usage_interval_ms(p, 2), 600000u / (CGH_USAGE_SAMPLES - 4));
	assert_int_equal(cgh_usage_interval_ms(p + 1, 1), 1000);	/* at least 1 s */
	assert_int_equal(cgh_usage_interval_ms(p, 0), 1000);
	/* the longest window always fits in the ring at that interval */
	for (uint64_t w = 1; w < 100000; w = w * 3 + 1) {
		struct cgh_penalty one = { .window = w };
		uint64_t ms = cgh_usage_interval_ms(&one, 1);
		assert_true(ms * (CGH_USAGE_SAMPLES - 2) >= w * 1000u);
	}
}

static void test_usage_memory_sustained(void **state)
{
	struct cgh_usage_ring r = { 0 };
	uint64_t low = 0;

	(void)state;
	fill(&r, 6, 0, 1000, 0, 9ull << 30);
	assert_true(cgh_usage_memory_over(&r, 5, 8ull << 30, &low));
	assert_int_equal(low, 9ull << 30);
	assert_false(cgh_usage_memory_over(&r, 6, 8ull << 30, &low));	/* not spanned */
	cgh_usage_push(&r, 6000, 0, 7ull << 30);	/* one dip */
	cgh_usage_push(&r, 7000, 0, 9ull << 30);
	assert_false(cgh_usage_memory_over(&r, 5, 8ull << 30, &low));
	assert_true(cgh_usage_memory_over(&r, 0 + 1, 7ull << 30, &low));
	assert_int_equal(low, 7ull << 30);
	cgh_usage_reset(&r);
	fill(&r, 6, 0, 1000, 0, CGH_UNKNOWN);	/* not read: never over */
	assert_false(cgh_usage_memory_over(&r, 5, 1, &low));
}

/* ---- host pressure ---------------------------------------------------------------- */

static void test_psi_parse(void **state)
{
	unsigned a10 = 1, a60 = 1;

	(void)state;
	assert_int_equal(cgh_psi_parse("some avg10=23.45 avg60=1.07 avg300=0.00 total=123456\n"
				       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &a10, &a60), 0);
	assert_int_equal(a10, 2345);
	assert_int_equal(a60, 107);
	assert_int_equal(cgh_psi_parse("full avg10=1.00 avg60=2.00 avg300=0.00 total=0\n"
				       "some avg10=100.00 avg60=0.5 avg300=0.00 total=0\n", &a10, &a60), 0);
	assert_int_equal(a10, 10000);
	assert_int_equal(a60, 50);
	assert_int_equal(cgh_psi_parse("", &a10, &a60), -EINVAL);
	assert_int_equal(cgh_psi_parse("some avg10=x avg60=1.00\n", &a10, &a60), -EINVAL);
	assert_int_equal(cgh_psi_parse("some avg10=101.00 avg60=1.00\n", &a10, &a60), -EINVAL);
	assert_int_equal(cgh_psi_parse("some avg60=1.00\n", &a10, &a60), -EINVAL);
}

static void test_host_busy(void **state)
{
	struct cgh_penalty idle_ok = { .when_busy = false };
	struct cgh_penalty cpu20 = { .when_busy = true, .busy_cpu = 20 };
	struct cgh_penalty mem10_60 = { .when_busy = true, .busy_memory = 10, .busy_avg = CGH_PSI_AVG60 };
	struct cgh_host_pressure h = { .cpu_known = true, .cpu10 = 2000, .cpu60 = 9000,
				       .memory_known = true, .memory10 = 5000, .memory60 = 999 };

	(void)state;
	assert_true(cgh_penalty_host_busy(&idle_ok, &(struct cgh_host_pressure){ 0 }));
	assert_false(cgh_penalty_host_busy(&cpu20, &h));	/* 20.00 is not above 20 */
	h.cpu10 = 2001;
	assert_true(cgh_penalty_host_busy(&cpu20, &h));
	assert_false(cgh_penalty_host_busy(&mem10_60, &h));	/* avg60 9.99 */
	h.memory60 = 1001;
	assert_true(cgh_penalty_host_busy(&mem10_60, &h));
	h.memory_known = false;	/* /proc/pressure not there: never busy */
	assert_false(cgh_penalty_host_busy(&mem10_60, &h));
}

static void test_offence(void **state)
{
	struct cgh_penalty cpu = { .cpu_over = 200, .window = 5 };
	struct cgh_penalty mem = { .memory_over = 1ull << 30, .window = 5 };
	struct cgh_usage_ring r = { 0 };
	struct cgh_offence o;

	(void)state;
	fill(&r, 6, 0, 1000, 19999, 2ull << 30);
	assert_false(cgh_penalty_offence(&cpu, &r, &o));
	assert_true(cgh_penalty_offence(&mem, &r, &o));
	assert_false(o.cpu);
	assert_int_equal(o.usage, 2ull << 30);
	assert_int_equal(o.threshold, 1ull << 30);
	cgh_usage_reset(&r);
	fill(&r, 6, 0, 1000, 20000, 0);
	assert_true(cgh_penalty_offence(&cpu, &r, &o));
	assert_true(o.cpu);
	assert_int_equal(o.usage, 20000);
	assert_int_equal(o.threshold, 20000);
	assert_false(cgh_penalty_offence(&mem, &r, &o));
}

/* ---- tiers, forgiveness, records ------------------------------------------------- */

static struct cgh_penalty three_tiers(void)
{
	static char cpu_name[] = "cpu";
	struct cgh_penalty p = { .name = cpu_name, .cpu_over = 100, .window = 60,
				 .forgive = 3600, .n_tiers = 3 };

	for (unsigned i = 0; i < 3; i++) {
		cgh_limits_set(&p.tiers[i].effect, CGH_CPU_MAX, 100000u >> i);
		p.tiers[i].effect.cpu_period = 100000;
		p.tiers[i].duration = 600u << i;
	}
	return p;
}

static void test_tier_escalation_and_forgiveness(void **state)
{
	struct cgh_penalty p = three_tiers();
	struct cgh_penalty_record prev = { .tier = 0, .start = 10000, .until = 10600 };

	(void)state;
	assert_int_equal(cgh_penalty_next_tier(&p, NULL, 10000), 0);
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 10700), 1);
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 13600), 1);	/* forgive is inclusive */
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 13601), 0);	/* forgiven */
	prev.tier = 1;
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 11000), 2);
	prev.tier = 2;
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 11000), 2);	/* capped */
	prev.tier = 7;	/* a config with fewer tiers since */
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 11000), 2);
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 9000), 0);	/* clock went back */
	p.forgive = 0;
	prev.tier = 0;
	assert_int_equal(cgh_penalty_next_tier(&p, &prev, 10001), 0);
}

static void test_record_live_and_check(void **state)
{
	struct cgh_penalty p = three_tiers();
	struct cgh_penalty_record r = { .name = "cpu", .tier = 1, .active = true, .start = 1000,
					.until = 2200, .keys = 1u << CGH_CPU_MAX };

	(void)state;
	assert_true(cgh_penalty_record_live(&p, &r, 99999));	/* active: until it ends */
	r.active = false;
	assert_true(cgh_penalty_record_live(&p, &r, 4600));
	assert_false(cgh_penalty_record_live(&p, &r, 4601));
	assert_false(cgh_penalty_record_live(NULL, &r, 1000));
	r.active = true;
	assert_null(cgh_penalty_record_check(&p, 1, &r, 1500));
	r.until = 2201;
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 1500), "it lasts longer than its tier's duration");
	r.until = 999;
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 1500), "it ends before it starts");
	r.until = 2200;
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 600), "it starts in the future");
	r.tier = 3;
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 1500), "its tier is no longer in the configuration");
	r.tier = 1;
	r.keys = 1u << CGH_PIDS_MAX;
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 1500), "it names limits a penalty cannot set");
	snprintf(r.name, sizeof(r.name), "gone");
	assert_string_equal(cgh_penalty_record_check(&p, 1, &r, 1500), "its penalty is no longer in the configuration");
}

static void test_release_and_inherit(void **state)
{
	struct cgh_penalty p[2] = { three_tiers(), three_tiers() };
	struct cgh_penalty_record recs[2] = {
		{ .dir = "cgherd/user-1001", .name = "cpu", .active = true, .tier = 0,
		  .keys = 1u << CGH_CPU_MAX, .before = { 50000, 100000, 100, CGH_UNLIMITED } },
		{ .dir = "cgherd/user-1001", .name = "cpu2", .active = true, .tier = 2 },
	};
	uint64_t before[CGH_BEFORE_N] = { 0 }, now[CGH_BEFORE_N] = { 25000, 100000, 7, 1u << 20 };
	struct cgh_limits held;
	unsigned fresh;

	static char cpu2[] = "cpu2";

	(void)state;
	p[1].name = cpu2;
	cgh_limits_set(&p[1].tiers[2].effect, CGH_CPU_WEIGHT, 5);
	/* the second penalty's before: cpu_max from the first (what the rule
	 * gave), cpu_weight from now */
	fresh = cgh_penalty_inherit_before(recs, 1, "cgherd/user-1001",
					   (1u << CGH_CPU_MAX) | (1u << CGH_CPU_WEIGHT), before, now);
	assert_int_equal(fresh, 1u << CGH_CPU_WEIGHT);
	assert_int_equal(before[CGH_BEFORE_CPU_QUOTA], 50000);
	assert_int_equal(before[CGH_BEFORE_CPU_WEIGHT], 7);
	recs[1].keys = (1u << CGH_CPU_MAX) | (1u << CGH_CPU_WEIGHT);
	memcpy(recs[1].before, before, sizeof(before));
	/* the first ends: cpu_max stays as the second has it */
	assert_int_equal(cgh_penalty_release(p, 2, recs, 2, 0, &held), 0);
	assert_int_equal(held.set, 1u << CGH_CPU_MAX);
	assert_int_equal(held.value[CGH_CPU_MAX], 25000);
	/* the second ends with the first over: everything back */
	recs[0].active = false;
	assert_int_equal(cgh_penalty_release(p, 2, recs, 2, 1, &held), recs[1].keys);
	assert_int_equal(held.set, 0);
	/* another directory does not count */
	recs[0].active = true;
	snprintf(recs[0].dir, sizeof(recs[0].dir), "cgherd/user-1002");
	assert_int_equal(cgh_penalty_release(p, 2, recs, 2, 1, &held), recs[1].keys);
}

/* ---- the state: format, restart, damage ----------------------------------------- */

static const struct cgh_penalty_record sample_recs[] = {
	{ .uid = 1001, .dir = "cgherd/user-1001", .name = "cpu", .how = CGH_PENALTY_FS,
	  .tier = 1, .active = true, .start = 1700000000, .until = 1700007200,
	  .keys = 1u << CGH_CPU_MAX, .before = { CGH_UNLIMITED, 100000, 100, CGH_UNLIMITED } },
	{ .uid = 1002, .dir = "user.slice/user-1002.slice", .name = "mem.big", .how = CGH_PENALTY_SYSTEMD,
	  .tier = 0, .active = false, .start = 1699990000, .until = 1699991800,
	  .keys = (1u << CGH_MEMORY_HIGH) | (1u << CGH_CPU_WEIGHT),
	  .before = { UINT64_MAX, UINT64_MAX, UINT64_MAX, 4ull << 30 } },
};

static void test_state_roundtrip(void **state)
{
	struct cgh_penalty_record *recs = NULL;
	size_t n = 0, damaged = 9;
	char *text = NULL;

	(void)state;
	assert_int_equal(cgh_penalty_state_format(sample_recs, 2, &text), 0);
	assert_non_null(strstr(text, "cgherd-penalties 1\n1001 f 1 1 1700000000 1700007200 8 18446744073709551615 100000 100 18446744073709551615 cgherd/user-1001 cpu\n"));
	assert_non_null(strstr(text, "\nend 2\n"));
	assert_int_equal(cgh_penalty_state_parse(text, &recs, &n, &damaged), 0);
	assert_int_equal(n, 2);
	assert_int_equal(damaged, 0);
	assert_memory_equal(&recs[0], &sample_recs[0], sizeof(recs[0]));
	assert_memory_equal(&recs[1], &sample_recs[1], sizeof(recs[1]));
	free(recs);
	free(text);
	assert_int_equal(cgh_penalty_state_format(NULL, 0, &text), 0);
	assert_string_equal(text, "cgherd-penalties 1\nend 0\n");
	free(text);
}

/* After a restart, what the state says decides: the penalty ends when it
 * said, a new offence within forgive of the recorded one escalates. */
static void test_restart_from_state(void **state)
{
	struct cgh_penalty p = three_tiers();
	struct cgh_penalty_record *recs = NULL, rec = sample_recs[0];
	size_t n = 0, damaged = 0;
	char *text = NULL;

	(void)state;
	rec.tier = 0;
	rec.until = rec.start + 600;
	assert_int_equal(cgh_penalty_state_format(&rec, 1, &text), 0);
	assert_int_equal(cgh_penalty_state_parse(text, &recs, &n, &damaged), 0);
	assert_int_equal(n, 1);
	assert_null(cgh_penalty_record_check(&p, 1, &recs[0], rec.start + 100));
	assert_true(recs[0].until > rec.start + 100);	/* still running */
	assert_true(recs[0].until <= rec.start + 600);	/* over at its time */
	recs[0].active = false;
	assert_int_equal(cgh_penalty_next_tier(&p, &recs[0], rec.start + 700), 1);
	assert_true(cgh_penalty_record_live(&p, &recs[0], rec.start + 3600));
	assert_false(cgh_penalty_record_live(&p, &recs[0], rec.start + 3601));
	free(recs);
	free(text);
}

static void test_state_damaged(void **state)
{
	static const struct {
		const char *text;
		size_t n, damaged;
		bool lost0;	/* the first record salvaged from a damaged line */
	} cases[] = {
		/* a field gone: uid and dir still there, lifted with the rule's values */
		{ "cgherd-penalties 1\n1001 f 1 1 1700000000 1700007200 8 x 100000 100 1 cgherd/user-1001 cpu\nend 1\n", 1, 1, true },
		/* a dir that is not the uid's */
		{ "cgherd-penalties 1\n1001 f 1 1 1 2 8 1 1 1 1 cgherd/user-1002 cpu\nend 1\n", 0, 1, false },
		{ "cgherd-penalties 1\n1001 f 1 1 1 2 8 1 1 1 1 ../etc/user-1001 cpu\nend 1\n", 0, 1, false },
		{ "cgherd-penalties 1\n1001 s 1 1 1 2 8 1 1 1 1 cgherd/user-1001 cpu\nend 1\n", 0, 1, false },
		/* truncated: no end line */
		{ "cgherd-penalties 1\n1001 f 1 1 1700000000 1700007200 8 1 100000 100 1 cgherd/user-1001 cpu\n", 1, 1, false },
		/* the end line with the wrong count */
		{ "cgherd-penalties 1\n1001 f 1 1 1700000000 1700007200 8 1 100000 100 1 cgherd/user-1001 cpu\nend 2\n", 1, 2, false },
		/* no header */
		{ "1001 f 1 1 1700000000 1700007200 8 1 100000 100 1 cgherd/user-1001 cpu\nend 1\n", 1, 1, false },
		/* garbage */
		{ "\x01\x02\xff\n\n", 0, 3, false },	/* two lines, no header */
		{ "", 0, 1, false },
		/* a tier out of range, a negative number, a name with a space */
		{ "cgherd-penalties 1\n1001 f 1 9 1 2 8 1 1 1 1 cgherd/user-1001 cpu\nend 1\n", 1, 1, true },
		{ "cgherd-penalties 1\n1001 f 1 1 -1 2 8 1 1 1 1 cgherd/user-1001 cpu\nend 1\n", 1, 1, true },
		{ "cgherd-penalties 1\n1001 f 1 1 1 2 8 1 1 1 1 cgherd/user-1001 cpu x\nend 1\n", 1, 1, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cgh_penalty_record *recs = NULL;
		size_t n = 0, damaged = 0;

		assert_int_equal(cgh_penalty_state_parse(cases[i].text, &recs, &n, &damaged), 0);
		if (n != cases[i].n || damaged != cases[i].damaged)
			fail_msg("case %zu: %zu records, %zu damaged; expected %zu, %zu", i, n, damaged,
				 cases[i].n, cases[i].damaged);
		if (n > 0) {
			assert_int_equal(recs[0].before_lost, cases[i].lost0);
			assert_int_equal(recs[0].uid, 1001);
			if (cases[i].lost0) {
				assert_true(recs[0].active);
				assert_int_equal(recs[0].keys, CGH_PENALTY_KEYS);
			}
		}
		free(recs);
	}
}

static void test_state_bounds(void **state)
{
	size_t big = (CGH_PENALTY_RECORDS_MAX + 10) * 80 + 64, used = 0, n = 0, damaged = 0;
	char *text = malloc(big);
	struct cgh_penalty_record *recs = NULL;

	(void)state;
	assert_non_null(text);
	used += (size_t)snprintf(text, big, "cgherd-penalties 1\n");
	for (unsigned i = 0; i < CGH_PENALTY_RECORDS_MAX + 5; i++)
		used += (size_t)snprintf(text + used, big - used, "%u f 0 0 1 2 8 1 1 1 1 b/user-%u c\n", i, i);
	assert_int_equal(cgh_penalty_state_parse(text, &recs, &n, &damaged), 0);
	assert_int_equal(n, CGH_PENALTY_RECORDS_MAX);
	assert_int_equal(damaged, 5 + 1);	/* five beyond the bound, and no end line */
	free(recs);
	free(text);
	assert_int_equal(cgh_penalty_state_format(sample_recs, CGH_PENALTY_RECORDS_MAX + 1, &text), -E2BIG);
}

/* ---- the state file ---------------------------------------------------------------- */

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/cgh-penalty-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_tree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_store_safe_dir(void **state)
{
	char *top = temp_dir(), dir[300], link[300];
	struct cgh_penalty_store st;
	struct cgh_error err = { 0 };
	struct stat sb;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/cgherd", top);
	assert_int_equal(cgh_penalty_store_open(&st, dir, false, &err), -ENOENT);
	cgh_error_clear(&err);
	assert_int_equal(cgh_penalty_store_open(&st, dir, true, &err), 0);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	cgh_penalty_store_close(&st);
	chmod(dir, 0750);
	assert_int_equal(cgh_penalty_store_open(&st, dir, true, &err), -EPERM);
	assert_non_null(strstr(err.msg, "mode 0750 gives group or others access"));
	cgh_error_clear(&err);
	chmod(dir, 0700);
	snprintf(link, sizeof(link), "%s/link", top);
	assert_int_equal(symlink(dir, link), 0);
	assert_true(cgh_penalty_store_open(&st, link, true, &err) < 0);	/* not followed */
	assert_non_null(strstr(err.msg, "link"));
	remove_tree(top);
	free(top);
}

static void test_store_write_read_refuse(void **state)
{
	char *top = temp_dir(), file[300];
	struct cgh_penalty_store st;
	struct cgh_error err = { 0 };
	struct cgh_penalty_record *recs = NULL;
	size_t n = 0, damaged = 0;
	struct stat sb;
	uint64_t s1, s2;
	FILE *f;

	(void)state;
	assert_int_equal(cgh_penalty_store_open(&st, top, false, &err), 0);
	assert_int_equal(cgh_penalty_store_read(&st, &recs, &n, &damaged, &err), -ENOENT);
	assert_int_equal(cgh_penalty_store_stamp(&st), 0);
	assert_int_equal(cgh_penalty_store_lock(&st, 0, &err), 0);
	assert_int_equal(cgh_penalty_store_write(&st, sample_recs, 2, &err), 0);
	cgh_penalty_store_unlock(&st);
	s1 = cgh_penalty_store_stamp(&st);
	assert_true(s1 != 0);
	snprintf(file, sizeof(file), "%s/penalties", top);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(cgh_penalty_store_read(&st, &recs, &n, &damaged, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(damaged, 0);
	free(recs);
	usleep(10000);
	assert_int_equal(cgh_penalty_store_write(&st, sample_recs, 1, &err), 0);
	s2 = cgh_penalty_store_stamp(&st);
	assert_true(s2 != s1);
	/* refused: readable by others, too big */
	chmod(file, 0644);
	assert_int_equal(cgh_penalty_store_read(&st, &recs, &n, &damaged, &err), -EPERM);
	assert_non_null(strstr(err.msg, "refused"));
	cgh_error_clear(&err);
	chmod(file, 0600);
	f = fopen(file, "a");
	assert_non_null(f);
	for (unsigned i = 0; i < (CGH_PENALTY_STATE_MAX_SIZE / 64) + 1; i++)
		fprintf(f, "%063u\n", i);
	fclose(f);
	assert_int_equal(cgh_penalty_store_read(&st, &recs, &n, &damaged, &err), -EFBIG);
	cgh_error_clear(&err);
	/* a symbolic link in place of the file is not followed */
	unlink(file);
	assert_int_equal(symlink("/etc/passwd", file), 0);
	assert_true(cgh_penalty_store_read(&st, &recs, &n, &damaged, &err) < 0);
	assert_null(recs);
	cgh_penalty_store_close(&st);
	remove_tree(top);
	free(top);
}

static void test_store_lock_excludes(void **state)
{
	char *top = temp_dir();
	struct cgh_penalty_store a, b;
	struct cgh_error err = { 0 };

	(void)state;
	chmod(top, 0700);
	assert_int_equal(cgh_penalty_store_open(&a, top, false, &err), 0);
	assert_int_equal(cgh_penalty_store_open(&b, top, false, &err), 0);
	assert_int_equal(cgh_penalty_store_lock(&a, 0, &err), 0);
	assert_int_equal(cgh_penalty_store_lock(&b, 50, &err), -EWOULDBLOCK);
	cgh_error_clear(&err);
	cgh_penalty_store_unlock(&a);
	assert_int_equal(cgh_penalty_store_lock(&b, 0, &err), 0);
	cgh_penalty_store_close(&a);
	cgh_penalty_store_close(&b);
	remove_tree(top);
	free(top);
}

/* ---- effects on the emulated cgroupfs, and through a fake bus ------------------- */

struct fx {
	char root[96];
	struct cgh_fs fs;
	struct cgh_log_capture_holder { struct log_capture cap; } lc;
	struct cgh_log log;
	struct cgh_penalty_env env;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cgh_error err = { 0 };
	int fd;

	assert_non_null(f);
	fake_reset();
	assert_int_equal(fake_make_root(f->root, sizeof(f->root), "cpu memory pids\n"), 0);
	assert_int_equal(cgh_fs_open(&f->fs, f->root, cgh_test_sys(), &err), 0);
	fd = open(f->root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(cgh_test_sys()->mkdirat(fd, "cgherd"), 0);
	assert_int_equal(cgh_test_sys()->mkdirat(fd, "cgherd/user-1001"), 0);
	close(fd);
	f->log = (struct cgh_log){ .fn = capture_log, .arg = &f->lc.cap };
	f->env = (struct cgh_penalty_env){ .fs = &f->fs, .base = "cgherd", .log = &f->log };
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	cgh_fs_close(&f->fs);
	fake_remove_root(f->root);
	free(f);
	return 0;
}

static void get(const struct fx *f, const char *rel, char *buf, size_t len)
{
	assert_int_equal(fake_get(f->root, rel, buf, len), 0);
}

static void test_impose_and_put_back_fs(void **state)
{
	struct fx *f = *state;
	struct cgh_config *cfg = config_text_ok(ISSUE_EXAMPLE);
	const struct cgh_limits *effect = &cfg->penalties[0].tiers[1].effect;
	struct cgh_error err = { 0 };
	uint64_t now[CGH_BEFORE_N];
	char buf[64];

	/* what the rule wrote at login: 300% */
	fake_put(f->root, "cgherd/user-1001/cpu.max", "300000 100000\n");
	assert_int_equal(cgh_penalty_read_now(&f->env, CGH_PENALTY_FS, "cgherd/user-1001", now, &err), 0);
	assert_int_equal(now[CGH_BEFORE_CPU_QUOTA], 300000);
	assert_int_equal(now[CGH_BEFORE_CPU_PERIOD], 100000);
	assert_int_equal(now[CGH_BEFORE_CPU_WEIGHT], 100);
	assert_int_equal(now[CGH_BEFORE_MEMORY_HIGH], CGH_UNLIMITED);
	assert_int_equal(cgh_penalty_impose(&f->env, CGH_PENALTY_FS, "cgherd/user-1001", effect, &err), 0);
	get(f, "cgherd/user-1001/cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "50000 100000");
	get(f, "cgherd/cgroup.subtree_control", buf, sizeof(buf));
	assert_non_null(strstr(buf, "cpu"));	/* enabled top-down for the user dir */
	get(f, "cgroup.subtree_control", buf, sizeof(buf));
	assert_non_null(strstr(buf, "cpu"));
	assert_int_equal(cgh_penalty_put_back(&f->env, CGH_PENALTY_FS, "cgherd/user-1001", 1u << CGH_CPU_MAX,
					      now, &(struct cgh_limits){ 0 }, &err), 0);
	get(f, "cgherd/user-1001/cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "300000 100000");	/* exactly what the rule had */
	get(f, "cgherd/user-1001/cpu.weight", buf, sizeof(buf));
	assert_string_equal(buf, "100");	/* untouched */
	cgh_config_free(cfg);
}

static void test_before_from_rule(void **state)
{
	struct cgh_limits user = { 0 };
	uint64_t b[CGH_BEFORE_N];

	(void)state;
	cgh_penalty_before_from_limits(&user, CGH_PENALTY_FS, b);
	assert_int_equal(b[CGH_BEFORE_CPU_QUOTA], CGH_UNLIMITED);
	assert_int_equal(b[CGH_BEFORE_CPU_PERIOD], 100000);
	assert_int_equal(b[CGH_BEFORE_CPU_WEIGHT], 100);
	assert_int_equal(b[CGH_BEFORE_MEMORY_HIGH], CGH_UNLIMITED);
	cgh_penalty_before_from_limits(&user, CGH_PENALTY_SYSTEMD, b);
	assert_int_equal(b[CGH_BEFORE_CPU_QUOTA], UINT64_MAX);
	assert_int_equal(b[CGH_BEFORE_CPU_PERIOD], UINT64_MAX);
	assert_int_equal(b[CGH_BEFORE_CPU_WEIGHT], UINT64_MAX);
	cgh_limits_set(&user, CGH_CPU_MAX, 150000);
	user.cpu_period = 100000;
	cgh_limits_set(&user, CGH_CPU_WEIGHT, 50);
	cgh_penalty_before_from_limits(&user, CGH_PENALTY_SYSTEMD, b);
	assert_int_equal(b[CGH_BEFORE_CPU_QUOTA], 1500000);	/* per second */
	assert_int_equal(b[CGH_BEFORE_CPU_PERIOD], 100000);
	assert_int_equal(b[CGH_BEFORE_CPU_WEIGHT], 50);
}

static struct {
	char calls[8][256];
	int n;
} bus;

static int fake_set(const char *unit, const struct cgh_unit_property *props, size_t n,
		    unsigned timeout_ms, struct cgh_error *err)
{
	size_t used = 0;

	(void)timeout_ms;
	(void)err;
	used += (size_t)snprintf(bus.calls[bus.n], sizeof(bus.calls[0]), "set %s", unit);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(bus.calls[bus.n] + used, sizeof(bus.calls[0]) - used, " %s=%llu",
					 props[i].name, (unsigned long long)props[i].value);
	bus.n++;
	return 0;
}

static int fake_get_props(const char *unit, const char *iface, const char *const *names,
			  uint64_t *values, size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	(void)timeout_ms;
	(void)err;
	snprintf(bus.calls[bus.n++], sizeof(bus.calls[0]), "get %s %s %zu", unit, iface, n);
	for (size_t i = 0; i < n; i++)
		values[i] = strcmp(names[i], "MemoryHigh") == 0 ? 1ull << 30 : UINT64_MAX;
	return 0;
}

static void test_impose_and_put_back_systemd(void **state)
{
	struct fx *f = *state;
	const struct cgh_bus fake_bus = { .set_properties = fake_set, .get_properties = fake_get_props };
	struct cgh_limits effect = { 0 };
	struct cgh_error err = { 0 };
	uint64_t now[CGH_BEFORE_N];
	const char *dir = "user.slice/user-1001.slice";

	memset(&bus, 0, sizeof(bus));
	f->env.bus = &fake_bus;
	cgh_limits_set(&effect, CGH_CPU_MAX, 50000);
	effect.cpu_period = 100000;
	assert_int_equal(cgh_penalty_read_now(&f->env, CGH_PENALTY_SYSTEMD, dir, now, &err), 0);
	assert_string_equal(bus.calls[0], "get user-1001.slice org.freedesktop.systemd1.Slice 4");
	assert_int_equal(now[CGH_BEFORE_MEMORY_HIGH], 1ull << 30);
	assert_int_equal(cgh_penalty_impose(&f->env, CGH_PENALTY_SYSTEMD, dir, &effect, &err), 0);
	assert_string_equal(bus.calls[1], "set user-1001.slice CPUQuotaPerSecUSec=500000");
	assert_int_equal(cgh_penalty_put_back(&f->env, CGH_PENALTY_SYSTEMD, dir, 1u << CGH_CPU_MAX, now,
					      &(struct cgh_limits){ 0 }, &err), 0);
	assert_string_equal(bus.calls[2], "set user-1001.slice CPUQuotaPerSecUSec=18446744073709551615 CPUQuotaPeriodUSec=18446744073709551615");
	assert_int_equal(bus.n, 3);
	/* a custom period goes with the quota */
	effect.cpu_period = 200000;
	assert_int_equal(cgh_penalty_impose(&f->env, CGH_PENALTY_SYSTEMD, dir, &effect, &err), 0);
	assert_string_equal(bus.calls[3], "set user-1001.slice CPUQuotaPerSecUSec=250000 CPUQuotaPeriodUSec=200000");
}

static void test_lift(void **state)
{
	struct fx *f = *state;
	struct cgh_config *cfg = config_text_ok(ISSUE_EXAMPLE);
	struct cgh_penalty_record recs[2] = { sample_recs[0], sample_recs[0] };
	struct cgh_penalty_record *back = NULL;
	struct cgh_penalty_store st;
	struct cgh_error err = { 0 };
	char *top = temp_dir(), buf[64];
	size_t n = 0, damaged = 0;

	chmod(top, 0700);
	recs[0].before[CGH_BEFORE_CPU_QUOTA] = 200000;	/* the rule's 200% */
	recs[1].uid = 1002;
	snprintf(recs[1].dir, sizeof(recs[1].dir), "cgherd/user-1002");
	assert_int_equal(cgh_penalty_store_open(&st, top, false, &err), 0);
	assert_int_equal(cgh_penalty_store_write(&st, recs, 2, &err), 0);
	fake_put(f->root, "cgherd/user-1001/cpu.max", "50000 100000\n");
	assert_int_equal(cgh_penalty_lift(&f->env, cfg, &st, 1001, &err), 1);
	get(f, "cgherd/user-1001/cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "200000 100000");
	assert_non_null(strstr(f->lc.cap.text, "penalty end user="));
	assert_non_null(strstr(f->lc.cap.text, "uid=1001 penalty=cpu tier=2 dir="));
	assert_non_null(strstr(f->lc.cap.text, "lifted by cgherd penalty lift; put back cpu_max=200%"));
	assert_int_equal(cgh_penalty_store_read(&st, &back, &n, &damaged, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(back[0].uid, 1002);	/* the other user's is kept */
	free(back);
	/* nothing to lift: 0, the file as it was */
	assert_int_equal(cgh_penalty_lift(&f->env, cfg, &st, 1001, &err), 0);
	/* a damaged line of 1001: lifted with the rule's values (none: max) */
	snprintf(buf, sizeof(buf), "%s/penalties", top);
	{
		FILE *fp = fopen(buf, "w");
		assert_non_null(fp);
		fputs("cgherd-penalties 1\n1001 f 1 1 1700000000 1700007200 8 x 100000 100 1 cgherd/user-1001 cpu\nend 1\n", fp);
		fclose(fp);
	}
	fake_put(f->root, "cgherd/user-1001/cpu.max", "50000 100000\n");
	assert_int_equal(cgh_penalty_lift(&f->env, cfg, &st, 1001, &err), 1);
	get(f, "cgherd/user-1001/cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "max 100000");
	cgh_penalty_store_close(&st);
	cgh_config_free(cfg);
	remove_tree(top);
	free(top);
}

static void test_end_when_dir_gone(void **state)
{
	struct fx *f = *state;
	struct cgh_config *cfg = config_text_ok(ISSUE_EXAMPLE);
	struct cgh_penalty_record rec = sample_recs[0];
	struct cgh_error err = { 0 };

	snprintf(rec.dir, sizeof(rec.dir), "cgherd/user-1009");	/* logged out */
	rec.uid = 1009;
	assert_int_equal(cgh_penalty_end(&f->env, cfg, &rec, 1, 0, "its duration is over", &err), 0);
	assert_false(rec.active);
	assert_non_null(strstr(f->lc.cap.text, "its duration is over; put back cpu_max=max"));
	cgh_config_free(cfg);
}

/* ---- the daemon over the emulated tree ------------------------------------------- */

#define WAIT_MS 20000	/* valgrind */

struct daemon {
	char root[96], conf[300], log[160], state[160];
	pid_t pid;
};

static void sleep_ms(unsigned ms)
{
	const struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char last_text[65536];

static bool file_has(const char *path, const char *want)
{
	char *text = last_text;
	size_t len = sizeof(last_text);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, len - 1) : -1;

	if (n <= 0)
		text[0] = '\0';
	if (fd >= 0)
		close(fd);
	if (n > 0)
		text[n] = '\0';
	return strstr(text, want) != NULL;
}

static void wait_has(const char *path, const char *want)
{
	for (int waited = 0; waited < WAIT_MS; waited += 20) {
		if (file_has(path, want))
			return;
		sleep_ms(20);
	}
	fail_msg("%s never said \"%s\"; it holds:\n%s", path, want, last_text);
}

static int daemon_setup(void **state)
{
	struct daemon *d = calloc(1, sizeof(*d));
	int fd;

	assert_non_null(d);
	fake_reset();
	assert_int_equal(fake_make_root(d->root, sizeof(d->root), "cpu memory pids\n"), 0);
	snprintf(d->log, sizeof(d->log), "%s/watch.log", d->root);
	snprintf(d->state, sizeof(d->state), "%s/state", d->root);
	assert_int_equal(mkdir(d->state, 0700), 0);
	fd = open(d->root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(cgh_test_sys()->mkdirat(fd, "cgherd"), 0);
	assert_int_equal(cgh_test_sys()->mkdirat(fd, "cgherd/user-1001"), 0);
	assert_int_equal(cgh_test_sys()->mkdirat(fd, "cgherd/user-1001/session-9"), 0);
	close(fd);
	assert_int_equal(fake_put(d->root, "cgherd/user-1001/session-9/cgroup.events", "populated 1\nfrozen 0\n"), 0);
	assert_int_equal(fake_put(d->root, "cgherd/user-1001/cpu.max", "150000 100000\n"), 0);
	*state = d;
	return 0;
}

static int daemon_teardown(void **state)
{
	struct daemon *d = *state;

	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	unlink(d->conf);
	remove_tree(d->root);
	free(d);
	return 0;
}

static void daemon_start(struct daemon *d)
{
	char text[1024];
	struct cgh_log sink = { .fn = capture_log_file, .arg = d->log, .debug = true };
	const struct cgh_watch_opts o = { .conf = d->conf, .sys = cgh_test_sys(), .log = &sink,
					  .phys_mem = 4ull << 30, .state_dir = d->state,
					  .notice_dir = d->state, .proc_root = d->root };
	struct cgh_error err = { 0 };

	snprintf(text, sizeof(text),
		 "cgroup_root = \"%s\";\nbackend = \"cgroupfs\";\nuser = { cpu_max = \"150%%\"; };\n"
		 "penalties = ( { name = \"hog\"; cpu_over = \"100%%\"; window = \"2s\"; forgive = \"1h\";\n"
		 "  tiers = ( { cpu_max = \"30%%\"; duration = \"1h\"; } ); } );\n", d->root);
	snprintf(d->conf, sizeof(d->conf), "%s", write_temp_config(text));
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0)
		exit(cgh_watch_run(&o, &err) < 0 ? (capture_log_file(d->log, LOG_ERR, err.msg), 1) : 0);
}

static void state_put(const struct daemon *d, const char *text)
{
	char path[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/penalties", d->state);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void cpu_max_is(const struct daemon *d, const char *want)
{
	char buf[64] = "";

	for (int waited = 0; waited < WAIT_MS; waited += 20) {
		fake_get(d->root, "cgherd/user-1001/cpu.max", buf, sizeof(buf));
		if (strcmp(buf, want) == 0)
			return;
		sleep_ms(20);
	}
	fail_msg("user-1001/cpu.max is \"%s\", never \"%s\"", buf, want);
}

/* The hog: usage_usec grows by 2 s a second (two CPUs) for secs. */
static void hog(const struct daemon *d, unsigned secs)
{
	char text[96];
	uint64_t used = 1000000;

	for (unsigned i = 0; i < secs * 10; i++) {
		used += 200000;
		snprintf(text, sizeof(text), "usage_usec %llu\nuser_usec 0\nsystem_usec 0\n",
			 (unsigned long long)used);
		assert_int_equal(fake_put(d->root, "cgherd/user-1001/cpu.stat", text), 0);
		sleep_ms(100);
	}
}

/* A damaged line for a penalty running on user-1001: lifted at start, with
 * the rule's values (the top-level user cpu_max 150%), and logged. */
static void test_daemon_lifts_damaged_state(void **state)
{
	struct daemon *d = *state;

	assert_int_equal(fake_put(d->root, "cgherd/user-1001/cpu.max", "30000 100000\n"), 0);
	state_put(d, "cgherd-penalties 1\n1001 f 1 0 1700000000 17000#0 8 x 1 1 1 cgherd/user-1001 hog\nend 1\n");
	daemon_start(d);
	cpu_max_is(d, "150000 100000");
	wait_has(d->log, "penalties: ");
	wait_has(d->log, "1 damaged lines: lifting the penalties they held");
	wait_has(d->log, "penalty=hog tier=1 dir=");
	wait_has(d->log, "its record in the state file is damaged; put back memory_high=max cpu_max=150% cpu_weight=100 (the rule's values: the record was damaged)");
}

/* State lost while watch was stopped: user-1001 holds the tier's 30% and
 * the state file has no record of it.  At start watch says so and puts
 * back the rule's 150% (what was there before is not known). */
static void test_daemon_lifts_orphaned_tier(void **state)
{
	struct daemon *d = *state;

	assert_int_equal(fake_put(d->root, "cgherd/user-1001/cpu.max", "30000 100000\n"), 0);
	daemon_start(d);
	cpu_max_is(d, "150000 100000");
	wait_has(d->log, "/cgherd/user-1001 holds tier 1 of penalty hog (cpu_max=30%) but the state has no record of it (lost while watch was stopped): putting back the rule's values");
	wait_has(d->log, "its record was lost; put back cpu_max=150%");
}

/* The state says a penalty runs on user-1001, but its cpu.max was changed
 * while watch was stopped: at start the tier goes on again, and the value
 * found is what its end puts back. */
static void test_daemon_reapplies_changed_tier(void **state)
{
	struct daemon *d = *state;
	char text[256];
	time_t now = time(NULL);

	assert_int_equal(fake_put(d->root, "cgherd/user-1001/cpu.max", "120000 100000\n"), 0);
	snprintf(text, sizeof(text),
		 "cgherd-penalties 1\n1001 f 1 0 %lld %lld %u 150000 100000 100 18446744073709551615 cgherd/user-1001 hog\nend 1\n",
		 (long long)now - 5, (long long)now + 600, 1u << CGH_CPU_MAX);
	state_put(d, text);
	daemon_start(d);
	cpu_max_is(d, "30000 100000");
	wait_has(d->log, "penalty hog of uid 1001: ");
	wait_has(d->log, "/cgherd/user-1001 no longer held its tier's limits (changed while watch was stopped): put on again until its end");
	snprintf(text, sizeof(text), "%s/penalties", d->state);
	wait_has(text, "1001 f 1 0 ");
	wait_has(text, " 120000 100000 100 ");
}

/* A hog over the trigger gets the tier; the state says so; the state
 * file removed under the running daemon: lifted from what it knew. */
static void test_daemon_penalizes_and_lifts_lost_state(void **state)
{
	struct daemon *d = *state;
	char path[200], notices[200];

	daemon_start(d);
	wait_has(d->log, "penalties: 1, sampling every 1000 ms");
	hog(d, 5);
	cpu_max_is(d, "30000 100000");
	wait_has(d->log, "penalty start user=");
	wait_has(d->log, "uid=1001 penalty=hog cpu=");
	wait_has(d->log, "% threshold=100% window=2s tier=1/1 effect=cpu_max=30% duration=3600s until=");
	snprintf(path, sizeof(path), "%s/penalties", d->state);
	wait_has(path, " cgherd/user-1001 hog\nend 1\n");
	assert_true(file_has(path, "1001 f 1 0 "));
	/* the user's notice of it, for the next login */
	snprintf(notices, sizeof(notices), "%s/user-1001", d->state);
	wait_has(notices, " kind=penalty_start when=");
	assert_true(file_has(notices, " uid=1001 leaf=user-1001 event="));
	assert_true(file_has(notices, " penalty=hog tier=1 tiers=1 until="));
	assert_true(file_has(notices, " effect=cpu_max%3D30%25 why=your%20CPU%20use%20was%20"));
	assert_true(file_has(notices, "%20of%20one%20CPU%20over%202s,%20over%20the%20threshold%20of%20100%25\n"));
	assert_int_equal(unlink(path), 0);
	hog(d, 1);	/* the next sample sees the file gone; the user starts a new window */
	cpu_max_is(d, "150000 100000");
	wait_has(d->log, "the state file is gone; put back cpu_max=150%");
	wait_has(notices, " kind=penalty_end when=");
	assert_true(file_has(notices, " effect=cpu_max%3D30%25 why=the%20state%20file%20is%20gone\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_issue_syntax),
		cmocka_unit_test(test_config_memory_and_more),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_usage_cpu_window),
		cmocka_unit_test(test_usage_ring_wraps_and_restarts),
		cmocka_unit_test(test_usage_interval),
		cmocka_unit_test(test_usage_memory_sustained),
		cmocka_unit_test(test_psi_parse),
		cmocka_unit_test(test_host_busy),
		cmocka_unit_test(test_offence),
		cmocka_unit_test(test_tier_escalation_and_forgiveness),
		cmocka_unit_test(test_record_live_and_check),
		cmocka_unit_test(test_release_and_inherit),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_restart_from_state),
		cmocka_unit_test(test_state_damaged),
		cmocka_unit_test(test_state_bounds),
		cmocka_unit_test(test_store_safe_dir),
		cmocka_unit_test(test_store_write_read_refuse),
		cmocka_unit_test(test_store_lock_excludes),
		cmocka_unit_test_setup_teardown(test_impose_and_put_back_fs, fx_setup, fx_teardown),
		cmocka_unit_test(test_before_from_rule),
		cmocka_unit_test_setup_teardown(test_impose_and_put_back_systemd, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_lift, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_end_when_dir_gone, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_daemon_lifts_damaged_state, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_daemon_penalizes_and_lifts_lost_state, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_daemon_lifts_orphaned_tier, daemon_setup, daemon_teardown),
		cmocka_unit_test_setup_teardown(test_daemon_reapplies_changed_tier, daemon_setup, daemon_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
