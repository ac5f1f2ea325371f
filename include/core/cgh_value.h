/* Value parsers: text in, number out.  Pure functions, no I/O.
 * Each returns 0, or -EINVAL (unparsable) / -ERANGE (out of range). */
#ifndef CGH_VALUE_H
#define CGH_VALUE_H

#include <stddef.h>
#include <stdint.h>

#define CGH_UNLIMITED UINT64_MAX	/* "max" in a cgroup file */

#define CGH_CPU_PERIOD_DEFAULT 100000u	/* µs */
#define CGH_CPU_PERIOD_MIN 1000u
#define CGH_CPU_PERIOD_MAX 1000000u
#define CGH_CPU_QUOTA_MIN 1000u
#define CGH_CPU_QUOTA_MAX 17592186044415ull	/* 2^44 - 1 µs: the kernel's bound */
#define CGH_CPU_PERCENT_MAX 100000u
#define CGH_CPU_WEIGHT_MIN 1u
#define CGH_CPU_WEIGHT_MAX 10000u

struct cgh_cpu_max {
	uint64_t quota;		/* µs per period, CGH_UNLIMITED for "max" */
	uint64_t period;	/* µs */
};

struct cgh_uid_range {
	uint32_t lo, hi;	/* inclusive */
};

/* "524288000", "500M", "2g", "max", "25%" (of phys_mem bytes). */
int cgh_parse_size(const char *s, uint64_t phys_mem, uint64_t *out);

/* "20%", "250%", "max", "50000 100000", "max 100000". */
int cgh_parse_cpu_max(const char *s, struct cgh_cpu_max *out);

/* "1024" or "max"; at least 1. */
int cgh_parse_pids(const char *s, uint64_t *out);

/* "1000" or "1000-1999"; never (uid_t)-1. */
int cgh_parse_uid_range(const char *s, struct cgh_uid_range *out);

/* "N%" with lo <= N <= hi. */
int cgh_parse_percent(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* "30s", "10m", "4h", "2d" into seconds: at least 1 s, at most
 * CGH_DURATION_MAX; a unit is required. */
#define CGH_DURATION_MAX (366ull * 86400ull)
int cgh_parse_duration(const char *s, uint64_t *out);

/* Plain decimal without sign, whitespace or trailing text. */
int cgh_parse_u64(const char *s, uint64_t *out);

/* A duration in seconds: "15s", "2m", "1h", or "30" (seconds); at least 1. */
int cgh_parse_seconds(const char *s, uint64_t *out);

/* A count as a report shows it: "max" for CGH_UNLIMITED, unknown_mark for
 * unknown_value (a figure the kernel did not give), else the number. */
void cgh_format_count(uint64_t v, uint64_t unknown_value, const char *unknown_mark, char *buf,
		      size_t len);

/* Human form of a byte count: "500M", "1536K", "max"; exact, never rounded. */
void cgh_format_size(uint64_t bytes, char *buf, size_t len);

#endif
