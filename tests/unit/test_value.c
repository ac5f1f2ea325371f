/* Unit tests for the value parsers (lib/core/value.c) and the limit table
 * helpers (lib/core/limits.c).  Table-driven: every row is an input and the
 * exact result expected for it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cgh_limits.h"
#include "cgh_value.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)
#define TIB (1024ull * GIB)
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

struct size_case {
	const char *in;
	uint64_t phys;
	int ret;
	uint64_t out;
};

static const struct size_case size_cases[] = {
	{ "0", 0, 0, 0 },
	{ "1", 0, 0, 1 },
	{ "524288000", 0, 0, 524288000ull },
	{ "1k", 0, 0, KIB },
	{ "1K", 0, 0, KIB },
	{ "5m", 0, 0, 5 * MIB },
	{ "5M", 0, 0, 5 * MIB },
	{ "500M", 0, 0, 500 * MIB },
	{ "2g", 0, 0, 2 * GIB },
	{ "2G", 0, 0, 2 * GIB },
	{ "3t", 0, 0, 3 * TIB },
	{ "3T", 0, 0, 3 * TIB },
	{ "0K", 0, 0, 0 },
	{ "0T", 0, 0, 0 },
	{ "16777215T", 0, 0, 16777215ull * TIB },
	{ "max", 0, 0, CGH_UNLIMITED },
	/* percentages of phys_mem, rounded down */
	{ "1%", 1000, 0, 10 },
	{ "25%", 8 * GIB, 0, 2 * GIB },
	{ "33%", 1000, 0, 330 },
	{ "33%", 999, 0, 329 },		/* 329.67 */
	{ "99%", 101, 0, 99 },		/* 99.99 */
	{ "1%", 99, 0, 0 },		/* 0.99 */
	{ "100%", 12345, 0, 12345 },
	{ "50%", 3, 0, 1 },
	{ "50%", UINT64_MAX - 1, 0, 9223372036854775807ull },
	{ "99%", 18446744073709551500ull, 0, 18262276632972455985ull },
	{ "7%", 16 * GIB + 7, 0, 1202590843ull },	/* (17179869191*7)/100 = 1202590843.37 */
	/* bad percentages */
	{ "0%", 1000, -ERANGE, 0 },
	{ "101%", 1000, -ERANGE, 0 },
	{ "100000%", 1000, -ERANGE, 0 },
	{ "%", 1000, -EINVAL, 0 },
	{ "5%%", 1000, -EINVAL, 0 },
	{ "-5%", 1000, -EINVAL, 0 },
	{ "5.5%", 1000, -EINVAL, 0 },
	{ " 5%", 1000, -EINVAL, 0 },
	{ "5 %", 1000, -EINVAL, 0 },
	{ "99999999999999999999999999999999999%", 1000, -ERANGE, 0 },
	/* malformed */
	{ "", 0, -EINVAL, 0 },
	{ " 5M", 0, -EINVAL, 0 },
	{ "5M ", 0, -EINVAL, 0 },
	{ "5 M", 0, -EINVAL, 0 },
	{ "5MB", 0, -EINVAL, 0 },
	{ "5MiB", 0, -EINVAL, 0 },
	{ "5P", 0, -EINVAL, 0 },
	{ "5X", 0, -EINVAL, 0 },
	{ "M", 0, -EINVAL, 0 },
	{ "-1", 0, -EINVAL, 0 },
	{ "+1", 0, -EINVAL, 0 },
	{ "1.5G", 0, -EINVAL, 0 },
	{ "1e3", 0, -EINVAL, 0 },
	{ "0x10", 0, -EINVAL, 0 },
	{ "MAX", 0, -EINVAL, 0 },
	{ "max ", 0, -EINVAL, 0 },
	{ "maxK", 0, -EINVAL, 0 },
	{ "infinity", 0, -EINVAL, 0 },
	/* out of range */
	{ "16777216T", 0, -ERANGE, 0 },
	{ "17179869184G", 0, -ERANGE, 0 },
	{ "17592186044416M", 0, -ERANGE, 0 },
	{ "18014398509481984K", 0, -ERANGE, 0 },
	{ "18446744073709551615", 0, -ERANGE, 0 },	/* would read as "max" */
	{ "18446744073709551614", 0, 0, 18446744073709551614ull },
	{ "18446744073709551616", 0, -ERANGE, 0 },
	{ "99999999999999999999999", 0, -ERANGE, 0 },
	{ "9999999999999999999999999999999999999999999999999999999999999999", 0, -ERANGE, 0 },
};

static void test_parse_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(size_cases); i++) {
		const struct size_case *c = &size_cases[i];
		uint64_t out = SENTINEL;
		int r = cgh_parse_size(c->in, c->phys, &out);

		if (r != c->ret || (r == 0 && out != c->out))
			print_message("size \"%s\" of %llu\n", c->in, (unsigned long long)c->phys);
		assert_int_equal(r, c->ret);
		if (c->ret == 0)
			assert_int_equal(out, c->out);
		else
			assert_int_equal(out, SENTINEL);	/* untouched on error */
	}
}

static void test_parse_size_null(void **state)
{
	uint64_t out = SENTINEL;

	(void)state;
	assert_int_equal(cgh_parse_size(NULL, 0, &out), -EINVAL);
	assert_int_equal(out, SENTINEL);
}

/* Every percentage 1..100 of an odd phys_mem equals floor(phys * pct / 100). */
static void test_parse_size_every_percent(void **state)
{
	const uint64_t phys[] = { 0, 1, 99, 100, 101, 4096, 1000003, 16 * GIB + 12345,
				  (1ull << 56) + 77 };

	(void)state;
	for (size_t p = 0; p < N_ELEMS(phys); p++) {
		for (unsigned pct = 1; pct <= 100; pct++) {
			char in[8];
			uint64_t out = SENTINEL;
			unsigned __int128 want = (unsigned __int128)phys[p] * pct / 100;

			snprintf(in, sizeof(in), "%u%%", pct);
			assert_int_equal(cgh_parse_size(in, phys[p], &out), 0);
			assert_int_equal(out, (uint64_t)want);
		}
	}
}

struct cpu_case {
	const char *in;
	int ret;
	uint64_t quota, period;
};

static const struct cpu_case cpu_cases[] = {
	{ "20%", 0, 20000, 100000 },
	{ "1%", 0, 1000, 100000 },
	{ "100%", 0, 100000, 100000 },
	{ "250%", 0, 250000, 100000 },
	{ "400%", 0, 400000, 100000 },
	{ "100000%", 0, 100000000, 100000 },
	{ "max", 0, CGH_UNLIMITED, 100000 },
	{ "50000 100000", 0, 50000, 100000 },
	{ "max 100000", 0, CGH_UNLIMITED, 100000 },
	{ "max 1000", 0, CGH_UNLIMITED, 1000 },
	{ "1000 1000", 0, 1000, 1000 },
	{ "1000 1000000", 0, 1000, 1000000 },
	{ "5000000 1000000", 0, 5000000, 1000000 },
	{ "1000 999", -ERANGE, 0, 0 },
	{ "1000 1000001", -ERANGE, 0, 0 },
	{ "max 999", -ERANGE, 0, 0 },
	{ "max 1000001", -ERANGE, 0, 0 },
	{ "999 100000", -ERANGE, 0, 0 },
	{ "0 100000", -ERANGE, 0, 0 },
	{ "0%", -ERANGE, 0, 0 },
	{ "100001%", -ERANGE, 0, 0 },
	{ "99999999999999999999999999999999999%", -ERANGE, 0, 0 },
	{ "20", -EINVAL, 0, 0 },
	{ "20 %", -EINVAL, 0, 0 },
	{ "20%%", -EINVAL, 0, 0 },
	{ "-20%", -EINVAL, 0, 0 },
	{ "2.5%", -EINVAL, 0, 0 },
	{ "", -EINVAL, 0, 0 },
	{ " ", -EINVAL, 0, 0 },
	{ "%", -EINVAL, 0, 0 },
	{ "MAX", -EINVAL, 0, 0 },
	{ "max ", -EINVAL, 0, 0 },
	{ " max", -EINVAL, 0, 0 },
	{ "max max", -EINVAL, 0, 0 },
	{ "50000  100000", -EINVAL, 0, 0 },
	{ " 50000 100000", -EINVAL, 0, 0 },
	{ "50000 100000 ", -EINVAL, 0, 0 },
	{ "50000 100000 1", -EINVAL, 0, 0 },
	{ "50000\t100000", -EINVAL, 0, 0 },
	{ "50000 -100000", -EINVAL, 0, 0 },
	{ "abc", -EINVAL, 0, 0 },
	{ "20%garbage", -EINVAL, 0, 0 },
	{ "50000 1e5", -EINVAL, 0, 0 },
	{ "50000 99999999999999999999999", -ERANGE, 0, 0 },
};

static void test_parse_cpu_max(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(cpu_cases); i++) {
		const struct cpu_case *c = &cpu_cases[i];
		struct cgh_cpu_max out = { SENTINEL, SENTINEL };
		int r = cgh_parse_cpu_max(c->in, &out);

		if (r != c->ret || (r == 0 && (out.quota != c->quota || out.period != c->period)))
			print_message("cpu \"%s\"\n", c->in);
		assert_int_equal(r, c->ret);
		if (c->ret == 0) {
			assert_int_equal(out.quota, c->quota);
			assert_int_equal(out.period, c->period);
		} else {
			assert_int_equal(out.quota, SENTINEL);
			assert_int_equal(out.period, SENTINEL);
		}
	}
	struct cgh_cpu_max out;
	assert_int_equal(cgh_parse_cpu_max(NULL, &out), -EINVAL);
}

/* The raw quota is bounded by CGH_CPU_QUOTA_MAX (the kernel's 2^44 - 1 µs);
 * in particular 18446744073709551615 must not slip through as "max". */
static void test_parse_cpu_max_quota_bounds(void **state)
{
	static const struct cpu_case cases[] = {
		{ "17592186044415 100000", 0, 17592186044415ull, 100000 },
		{ "17592186044415 1000000", 0, 17592186044415ull, 1000000 },
		{ "17592186044416 100000", -ERANGE, 0, 0 },
		{ "18446744073709551614 100000", -ERANGE, 0, 0 },
		{ "18446744073709551615 100000", -ERANGE, 0, 0 },
		{ "18446744073709551616 100000", -ERANGE, 0, 0 },
	};

	(void)state;
	assert_int_equal(CGH_CPU_QUOTA_MAX, (1ull << 44) - 1);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct cgh_cpu_max out = { SENTINEL, SENTINEL };

		int r = cgh_parse_cpu_max(cases[i].in, &out);
		if (r != cases[i].ret)
			print_message("cpu \"%s\"\n", cases[i].in);
		assert_int_equal(r, cases[i].ret);
		assert_int_equal(out.quota, cases[i].ret == 0 ? cases[i].quota : SENTINEL);
		assert_int_equal(out.period, cases[i].ret == 0 ? cases[i].period : SENTINEL);
	}
}

struct u64_case {
	const char *in;
	int ret;
	uint64_t out;
};

static const struct u64_case pids_cases[] = {
	{ "1", 0, 1 },
	{ "1024", 0, 1024 },
	{ "4194304", 0, 4194304 },
	{ "max", 0, CGH_UNLIMITED },
	{ "18446744073709551614", 0, 18446744073709551614ull },
	{ "0", -ERANGE, 0 },
	{ "18446744073709551615", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "-1", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1K", -EINVAL, 0 },
	{ "MAX", -EINVAL, 0 },
	{ "1.0", -EINVAL, 0 },
};

static void test_parse_pids(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(pids_cases); i++) {
		const struct u64_case *c = &pids_cases[i];
		uint64_t out = SENTINEL;

		int r = cgh_parse_pids(c->in, &out);
		if (r != c->ret || (r == 0 && out != c->out))
			print_message("pids \"%s\"\n", c->in);
		assert_int_equal(r, c->ret);
		assert_int_equal(out, c->ret == 0 ? c->out : SENTINEL);
	}
	uint64_t out = SENTINEL;
	assert_int_equal(cgh_parse_pids(NULL, &out), -EINVAL);
}

static const struct u64_case u64_cases[] = {
	{ "0", 0, 0 },
	{ "007", 0, 7 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "18446744073709551620", -ERANGE, 0 },
	{ "100000000000000000000", -ERANGE, 0 },
	{ "", -EINVAL, 0 },
	{ "-0", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1x", -EINVAL, 0 },
};

static void test_parse_u64(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t out = SENTINEL;

		int r = cgh_parse_u64(c->in, &out);
		if (r != c->ret || (r == 0 && out != c->out))
			print_message("u64 \"%s\"\n", c->in);
		assert_int_equal(r, c->ret);
		assert_int_equal(out, c->ret == 0 ? c->out : SENTINEL);
	}
	uint64_t out = SENTINEL;
	assert_int_equal(cgh_parse_u64(NULL, &out), -EINVAL);
}

struct uid_case {
	const char *in;
	int ret;
	uint32_t lo, hi;
};

static const struct uid_case uid_cases[] = {
	{ "1000", 0, 1000, 1000 },
	{ "0", 0, 0, 0 },
	{ "0-999", 0, 0, 999 },
	{ "1000-1999", 0, 1000, 1999 },
	{ "5-5", 0, 5, 5 },
	{ "4294967294", 0, 4294967294u, 4294967294u },
	{ "0-4294967294", 0, 0, 4294967294u },
	{ "999-0", -ERANGE, 0, 0 },
	{ "4294967295", -ERANGE, 0, 0 },
	{ "0-4294967295", -ERANGE, 0, 0 },
	{ "4294967296", -ERANGE, 0, 0 },
	{ "99999999999999999999999", -ERANGE, 0, 0 },
	{ "1-", -EINVAL, 0, 0 },
	{ "-1", -EINVAL, 0, 0 },
	{ "-", -EINVAL, 0, 0 },
	{ "a-b", -EINVAL, 0, 0 },
	{ "1-b", -EINVAL, 0, 0 },
	{ "a", -EINVAL, 0, 0 },
	{ "", -EINVAL, 0, 0 },
	{ "1-2-3", -EINVAL, 0, 0 },
	{ "1 - 2", -EINVAL, 0, 0 },
	{ " 1000", -EINVAL, 0, 0 },
	{ "1000 ", -EINVAL, 0, 0 },
	{ "+1000", -EINVAL, 0, 0 },
};

static void test_parse_uid_range(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(uid_cases); i++) {
		const struct uid_case *c = &uid_cases[i];
		struct cgh_uid_range out = { 0x5a5a5a5a, 0x5a5a5a5a };

		int r = cgh_parse_uid_range(c->in, &out);
		if (r != c->ret || (r == 0 && (out.lo != c->lo || out.hi != c->hi)))
			print_message("uid \"%s\"\n", c->in);
		assert_int_equal(r, c->ret);
		if (c->ret == 0) {
			assert_int_equal(out.lo, c->lo);
			assert_int_equal(out.hi, c->hi);
		}
	}
	struct cgh_uid_range out;
	assert_int_equal(cgh_parse_uid_range(NULL, &out), -EINVAL);
}

struct fmt_case {
	uint64_t in;
	const char *out;
};

static const struct fmt_case fmt_cases[] = {
	{ 0, "0" },
	{ 1, "1" },
	{ 1023, "1023" },
	{ 1024, "1K" },
	{ 1025, "1025" },
	{ 1536, "1536" },
	{ 1536 * KIB, "1536K" },
	{ 524288000, "500M" },
	{ 500 * MIB + 1, "524288001" },
	{ 2 * GIB, "2G" },
	{ 3 * TIB, "3T" },
	{ 1024 * TIB, "1024T" },
	{ 1ull << 63, "8388608T" },
	{ 16777215ull * TIB, "16777215T" },
	{ UINT64_MAX - 1, "18446744073709551614" },
	{ CGH_UNLIMITED, "max" },
};

static void test_format_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(fmt_cases); i++) {
		char buf[32];

		memset(buf, 'x', sizeof(buf));
		cgh_format_size(fmt_cases[i].in, buf, sizeof(buf));
		assert_string_equal(buf, fmt_cases[i].out);
	}
	/* truncated, still terminated */
	char small[4];
	cgh_format_size(524288001, small, sizeof(small));
	assert_string_equal(small, "524");
}

/* Formatting then parsing gives the same number back, for every exact form. */
static void test_format_parse_roundtrip(void **state)
{
	const uint64_t v[] = { 0, 1, 1023, 1024, 1536 * KIB, 524288000, 7 * GIB, 5 * TIB,
			       1ull << 63, UINT64_MAX - 1, CGH_UNLIMITED };

	(void)state;
	for (size_t i = 0; i < N_ELEMS(v); i++) {
		char buf[32];
		uint64_t back = SENTINEL;

		cgh_format_size(v[i], buf, sizeof(buf));
		assert_int_equal(cgh_parse_size(buf, 0, &back), 0);
		assert_int_equal(back, v[i]);
	}
}

/* ---- limits.c --------------------------------------------------------- */

static void test_limit_table(void **state)
{
	static const struct {
		const char *key, *file;
		unsigned ctrl;
		enum cgh_limit_kind kind;
	} want[CGH_N_LIMITS] = {
		{ "memory_max", "memory.max", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
		{ "memory_high", "memory.high", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
		{ "memory_swap_max", "memory.swap.max", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
		{ "cpu_max", "cpu.max", CGH_CTRL_CPU, CGH_KIND_CPU },
		{ "cpu_weight", "cpu.weight", CGH_CTRL_CPU, CGH_KIND_WEIGHT },
		{ "pids_max", "pids.max", CGH_CTRL_PIDS, CGH_KIND_PIDS },
		{ "oom_group", "memory.oom.group", CGH_CTRL_MEMORY, CGH_KIND_BOOL },
	};

	(void)state;
	for (int k = 0; k < CGH_N_LIMITS; k++) {
		assert_string_equal(cgh_limit_table[k].key, want[k].key);
		assert_string_equal(cgh_limit_table[k].file, want[k].file);
		assert_int_equal(cgh_limit_table[k].controller, want[k].ctrl);
		assert_int_equal(cgh_limit_table[k].kind, want[k].kind);
		assert_int_equal(cgh_limit_lookup(want[k].key), k);
	}
	assert_int_equal(cgh_limit_lookup("memroy_max"), -1);
	assert_int_equal(cgh_limit_lookup("memory.max"), -1);
	assert_int_equal(cgh_limit_lookup("MEMORY_MAX"), -1);
	assert_int_equal(cgh_limit_lookup(""), -1);
	assert_int_equal(cgh_limit_lookup("memory_max "), -1);
}

static void test_limits_set_has(void **state)
{
	struct cgh_limits l = { 0 };

	(void)state;
	for (int k = 0; k < CGH_N_LIMITS; k++)
		assert_false(cgh_limits_has(&l, (enum cgh_limit_key)k));
	cgh_limits_set(&l, CGH_PIDS_MAX, 0);
	assert_true(cgh_limits_has(&l, CGH_PIDS_MAX));
	assert_int_equal(l.set, 1u << CGH_PIDS_MAX);
	assert_int_equal(l.value[CGH_PIDS_MAX], 0);
	cgh_limits_set(&l, CGH_PIDS_MAX, 77);
	assert_int_equal(l.value[CGH_PIDS_MAX], 77);
	assert_false(cgh_limits_has(&l, CGH_MEMORY_MAX));
}

struct file_case {
	enum cgh_limit_key key;
	uint64_t value, period;
	const char *file, *human;
};

static const struct file_case file_cases[] = {
	{ CGH_MEMORY_MAX, 524288000, 0, "524288000", "500M" },
	{ CGH_MEMORY_MAX, CGH_UNLIMITED, 0, "max", "max" },
	{ CGH_MEMORY_MAX, 0, 0, "0", "0" },
	{ CGH_MEMORY_MAX, 1000, 0, "1000", "1000" },
	{ CGH_MEMORY_HIGH, 1536 * KIB, 0, "1572864", "1536K" },
	{ CGH_MEMORY_SWAP_MAX, 0, 0, "0", "0" },
	{ CGH_MEMORY_SWAP_MAX, 16 * GIB, 0, "17179869184", "16G" },
	{ CGH_CPU_MAX, 20000, 100000, "20000 100000", "20%" },
	{ CGH_CPU_MAX, 250000, 100000, "250000 100000", "250%" },
	{ CGH_CPU_MAX, 100000000, 100000, "100000000 100000", "100000%" },
	{ CGH_CPU_MAX, CGH_UNLIMITED, 100000, "max 100000", "max" },
	{ CGH_CPU_MAX, CGH_UNLIMITED, 1000, "max 1000", "max" },
	{ CGH_CPU_MAX, 50000, 100000, "50000 100000", "50%" },
	{ CGH_CPU_MAX, 1000, 1000, "1000 1000", "100%" },
	{ CGH_CPU_MAX, 50000, 300000, "50000 300000", "16.67%" },
	{ CGH_CPU_MAX, 1001, 100000, "1001 100000", "1.00%" },
	{ CGH_CPU_MAX, 1500, 1000000, "1500 1000000", "0.15%" },
	{ CGH_CPU_WEIGHT, 1, 0, "1", "1" },
	{ CGH_CPU_WEIGHT, 10000, 0, "10000", "10000" },
	{ CGH_PIDS_MAX, 1024, 0, "1024", "1024" },
	{ CGH_PIDS_MAX, CGH_UNLIMITED, 0, "max", "max" },
	{ CGH_OOM_GROUP, 1, 0, "1", "true" },
	{ CGH_OOM_GROUP, 0, 0, "0", "false" },
};

static void test_limit_file_and_human_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(file_cases); i++) {
		const struct file_case *c = &file_cases[i];
		struct cgh_limits l = { 0 };
		char buf[64];

		cgh_limits_set(&l, c->key, c->value);
		l.cpu_period = c->period;
		cgh_limit_file_value(&l, c->key, buf, sizeof(buf));
		assert_string_equal(buf, c->file);
		cgh_limit_human_value(&l, c->key, buf, sizeof(buf));
		assert_string_equal(buf, c->human);	/* file form above names the row */
	}
}

/* The largest quota "QUOTA PERIOD" accepts, in both forms. */
static void test_limit_human_value_max_cpu_quota(void **state)
{
	struct cgh_cpu_max cpu;
	struct cgh_limits l = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(cgh_parse_cpu_max("17592186044415 1000", &cpu), 0);
	cgh_limits_set(&l, CGH_CPU_MAX, cpu.quota);
	l.cpu_period = cpu.period;
	cgh_limit_file_value(&l, CGH_CPU_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "17592186044415 1000");
	cgh_limit_human_value(&l, CGH_CPU_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "1759218604441.50%");
	assert_int_equal(cgh_parse_cpu_max("17592186000000 100000", &cpu), 0);
	l.value[CGH_CPU_MAX] = cpu.quota;
	l.cpu_period = cpu.period;
	cgh_limit_human_value(&l, CGH_CPU_MAX, buf, sizeof(buf));
	assert_string_equal(buf, "17592186000%");
}

static void test_limits_merge(void **state)
{
	struct cgh_limits dst = { 0 }, over = { 0 };

	(void)state;
	cgh_limits_set(&dst, CGH_MEMORY_MAX, 2 * GIB);
	cgh_limits_set(&dst, CGH_PIDS_MAX, 1024);
	cgh_limits_set(&dst, CGH_OOM_GROUP, 1);
	cgh_limits_set(&dst, CGH_CPU_MAX, 20000);
	dst.cpu_period = 100000;

	/* empty over: nothing changes */
	struct cgh_limits before = dst;
	cgh_limits_merge(&dst, &over);
	assert_memory_equal(&dst, &before, sizeof(dst));

	cgh_limits_set(&over, CGH_MEMORY_MAX, 500 * MIB);
	cgh_limits_set(&over, CGH_MEMORY_SWAP_MAX, 0);
	cgh_limits_set(&over, CGH_OOM_GROUP, 0);
	over.value[CGH_PIDS_MAX] = 5;	/* not set: must not be taken */
	over.cpu_period = 7777;		/* cpu_max not set: period must stay */
	cgh_limits_merge(&dst, &over);
	assert_int_equal(dst.set, (1u << CGH_MEMORY_MAX) | (1u << CGH_MEMORY_SWAP_MAX) |
				  (1u << CGH_PIDS_MAX) | (1u << CGH_OOM_GROUP) |
				  (1u << CGH_CPU_MAX));
	assert_int_equal(dst.value[CGH_MEMORY_MAX], 500 * MIB);
	assert_int_equal(dst.value[CGH_MEMORY_SWAP_MAX], 0);
	assert_int_equal(dst.value[CGH_PIDS_MAX], 1024);
	assert_int_equal(dst.value[CGH_OOM_GROUP], 0);
	assert_int_equal(dst.value[CGH_CPU_MAX], 20000);
	assert_int_equal(dst.cpu_period, 100000);

	/* cpu_max set in over: quota and period both replaced */
	struct cgh_limits cpu = { 0 };
	cgh_limits_set(&cpu, CGH_CPU_MAX, CGH_UNLIMITED);
	cpu.cpu_period = 5000;
	cgh_limits_merge(&dst, &cpu);
	assert_int_equal(dst.value[CGH_CPU_MAX], CGH_UNLIMITED);
	assert_int_equal(dst.cpu_period, 5000);
	assert_int_equal(dst.value[CGH_MEMORY_MAX], 500 * MIB);
}

static void test_limits_controllers(void **state)
{
	static const struct {
		enum cgh_limit_key key;
		uint64_t value;
		unsigned mask;
	} one[] = {
		{ CGH_MEMORY_MAX, 1, CGH_CTRL_MEMORY },
		{ CGH_MEMORY_MAX, CGH_UNLIMITED, CGH_CTRL_MEMORY },
		{ CGH_MEMORY_HIGH, 1, CGH_CTRL_MEMORY },
		{ CGH_MEMORY_SWAP_MAX, 0, CGH_CTRL_MEMORY },
		{ CGH_CPU_MAX, 20000, CGH_CTRL_CPU },
		{ CGH_CPU_WEIGHT, 100, CGH_CTRL_CPU },
		{ CGH_PIDS_MAX, 10, CGH_CTRL_PIDS },
		{ CGH_OOM_GROUP, 1, CGH_CTRL_MEMORY },
		{ CGH_OOM_GROUP, 0, 0 },
	};

	(void)state;
	struct cgh_limits none = { 0 };
	assert_int_equal(cgh_limits_controllers(&none), 0);
	for (size_t i = 0; i < N_ELEMS(one); i++) {
		struct cgh_limits l = { 0 };
		cgh_limits_set(&l, one[i].key, one[i].value);
		assert_int_equal(cgh_limits_controllers(&l), one[i].mask);
	}
	struct cgh_limits l = { 0 };
	cgh_limits_set(&l, CGH_OOM_GROUP, 0);
	cgh_limits_set(&l, CGH_PIDS_MAX, 5);
	assert_int_equal(cgh_limits_controllers(&l), CGH_CTRL_PIDS);
	cgh_limits_set(&l, CGH_CPU_WEIGHT, 5);
	assert_int_equal(cgh_limits_controllers(&l), CGH_CTRL_PIDS | CGH_CTRL_CPU);
	cgh_limits_set(&l, CGH_MEMORY_HIGH, 5);
	assert_int_equal(cgh_limits_controllers(&l), CGH_CTRL_ALL);
	/* a value left in an unset slot is not looked at */
	struct cgh_limits stale = { 0 };
	stale.value[CGH_MEMORY_MAX] = 5;
	assert_int_equal(cgh_limits_controllers(&stale), 0);
}

static void test_limits_describe(void **state)
{
	struct cgh_limits l = { 0 };
	char buf[256];

	(void)state;
	cgh_limits_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "");
	cgh_limits_set(&l, CGH_OOM_GROUP, 1);
	cgh_limits_set(&l, CGH_CPU_MAX, 20000);
	l.cpu_period = 100000;
	cgh_limits_set(&l, CGH_MEMORY_MAX, 524288000);
	cgh_limits_set(&l, CGH_PIDS_MAX, CGH_UNLIMITED);
	cgh_limits_describe(&l, buf, sizeof(buf));
	assert_string_equal(buf, "memory.max=524288000 cpu.max=20000 100000 pids.max=max "
				 "memory.oom.group=1");
	/* truncation stays inside the buffer and terminated */
	char small[16];
	memset(small, 'x', sizeof(small));
	cgh_limits_describe(&l, small, sizeof(small));
	assert_string_equal(small, "memory.max=5242");
}

static void test_controllers_format(void **state)
{
	static const struct {
		unsigned mask;
		const char *prefix, *out;
	} cases[] = {
		{ 0, "+", "" },
		{ CGH_CTRL_CPU, "+", "+cpu" },
		{ CGH_CTRL_MEMORY, "", "memory" },
		{ CGH_CTRL_PIDS, "-", "-pids" },
		{ CGH_CTRL_CPU | CGH_CTRL_PIDS, "+", "+cpu +pids" },
		{ CGH_CTRL_ALL, "+", "+cpu +memory +pids" },
		{ CGH_CTRL_ALL, "", "cpu memory pids" },
		{ CGH_CTRL_ALL | (1u << 7), "", "cpu memory pids" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char buf[64];
		memset(buf, 'x', sizeof(buf));
		cgh_controllers_format(cases[i].mask, cases[i].prefix, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].out);
	}
	char small[8];
	cgh_controllers_format(CGH_CTRL_ALL, "+", small, sizeof(small));
	assert_string_equal(small, "+cpu +m");
}

static void test_controllers_parse(void **state)
{
	static const struct {
		const char *in;
		unsigned mask;
	} cases[] = {
		{ "", 0 },
		{ "\n", 0 },
		{ "cpuset cpu io memory hugetlb pids rdma misc\n", CGH_CTRL_ALL },
		{ "cpuset io hugetlb rdma misc\n", 0 },
		{ "memory", CGH_CTRL_MEMORY },
		{ "pids\n", CGH_CTRL_PIDS },
		{ "cpu", CGH_CTRL_CPU },
		{ "cpuset", 0 },
		{ "cpuacct", 0 },
		{ "memory_recursiveprot", 0 },
		{ "xpids", 0 },
		{ "  cpu\t\tpids  \n", CGH_CTRL_CPU | CGH_CTRL_PIDS },
		{ "+cpu +memory", 0 },
		{ "CPU MEMORY", 0 },
		{ "memory memory", CGH_CTRL_MEMORY },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		unsigned got = cgh_controllers_parse(cases[i].in);
		if (got != cases[i].mask)
			print_message("controllers case %zu\n", i);
		assert_int_equal(got, cases[i].mask);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_size_null),
		cmocka_unit_test(test_parse_size_every_percent),
		cmocka_unit_test(test_parse_cpu_max),
		cmocka_unit_test(test_parse_cpu_max_quota_bounds),
		cmocka_unit_test(test_parse_pids),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_uid_range),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_limit_table),
		cmocka_unit_test(test_limits_set_has),
		cmocka_unit_test(test_limit_file_and_human_value),
		cmocka_unit_test(test_limit_human_value_max_cpu_quota),
		cmocka_unit_test(test_limits_merge),
		cmocka_unit_test(test_limits_controllers),
		cmocka_unit_test(test_limits_describe),
		cmocka_unit_test(test_controllers_format),
		cmocka_unit_test(test_controllers_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
