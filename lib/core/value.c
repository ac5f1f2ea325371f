#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cgh_value.h"

int cgh_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Splits "123X" into 123 and the suffix "X" (possibly empty). */
static int split_number(const char *s, uint64_t *num, const char **suffix)
{
	char digits[32];
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n >= sizeof(digits))
		return n == 0 ? -EINVAL : -ERANGE;
	memcpy(digits, s, n);
	digits[n] = '\0';
	*suffix = s + n;
	return cgh_parse_u64(digits, num);
}

int cgh_parse_seconds(const char *s, uint64_t *out)
{
	static const struct { const char *suffix; uint64_t scale; } units[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
	};
	const char *suffix = NULL;
	uint64_t n = 0;
	int r = s != NULL ? split_number(s, &n, &suffix) : -EINVAL;

	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(suffix, units[i].suffix) != 0)
			continue;
		if (n == 0 || n > UINT64_MAX / units[i].scale)
			return -ERANGE;
		*out = n * units[i].scale;
		return 0;
	}
	return -EINVAL;
}

static int size_shift(const char *suffix, unsigned *shift)
{
	static const char units[] = "kmgt";

	if (*suffix == '\0') {
		*shift = 0;
		return 0;
	}
	if (suffix[1] != '\0')
		return -EINVAL;
	const char *u = strchr(units, suffix[0] | 0x20);
	if (u == NULL)
		return -EINVAL;
	*shift = 10u * (unsigned)(u - units + 1);
	return 0;
}

static int parse_percent(const char *s, uint64_t lo, uint64_t hi, uint64_t *pct)
{
	uint64_t v;
	const char *suffix;
	int r = split_number(s, &v, &suffix);

	if (r < 0)
		return r;
	if (strcmp(suffix, "%") != 0)
		return -EINVAL;
	if (v < lo || v > hi)
		return -ERANGE;
	*pct = v;
	return 0;
}

int cgh_parse_size(const char *s, uint64_t phys_mem, uint64_t *out)
{
	uint64_t v;
	const char *suffix;
	unsigned shift = 0;
	int r;

	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "max") == 0) {
		*out = CGH_UNLIMITED;
		return 0;
	}
	if (s[0] != '\0' && s[strlen(s) - 1] == '%') {
		uint64_t pct;
		r = parse_percent(s, 1, 100, &pct);
		if (r == 0)
			*out = phys_mem / 100 * pct + phys_mem % 100 * pct / 100;
		return r;
	}
	r = split_number(s, &v, &suffix);
	if (r == 0)
		r = size_shift(suffix, &shift);
	if (r < 0)
		return r;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (v == CGH_UNLIMITED)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_cpu_raw(const char *s, struct cgh_cpu_max *out)
{
	const char *space = strchr(s, ' ');
	char quota[32];
	uint64_t q, p;
	int r;

	if (space == NULL || (size_t)(space - s) >= sizeof(quota))
		return -EINVAL;
	memcpy(quota, s, (size_t)(space - s));
	quota[space - s] = '\0';
	r = cgh_parse_u64(space + 1, &p);
	if (r < 0)
		return r;
	if (strcmp(quota, "max") == 0) {
		q = CGH_UNLIMITED;
	} else {
		r = cgh_parse_u64(quota, &q);
		if (r < 0)
			return r;
		if (q < CGH_CPU_QUOTA_MIN || q > CGH_CPU_QUOTA_MAX)
			return -ERANGE;
	}
	if (p < CGH_CPU_PERIOD_MIN || p > CGH_CPU_PERIOD_MAX)
		return -ERANGE;
	out->quota = q;
	out->period = p;
	return 0;
}

int cgh_parse_cpu_max(const char *s, struct cgh_cpu_max *out)
{
	uint64_t pct;
	int r;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (strcmp(s, "max") == 0) {
		out->quota = CGH_UNLIMITED;
		out->period = CGH_CPU_PERIOD_DEFAULT;
		return 0;
	}
	if (strchr(s, ' ') != NULL)
		return parse_cpu_raw(s, out);
	r = parse_percent(s, 1, CGH_CPU_PERCENT_MAX, &pct);
	if (r < 0)
		return r;
	out->quota = pct * (CGH_CPU_PERIOD_DEFAULT / 100);
	out->period = CGH_CPU_PERIOD_DEFAULT;
	return 0;
}

int cgh_parse_pids(const char *s, uint64_t *out)
{
	uint64_t v;
	int r;

	if (s != NULL && strcmp(s, "max") == 0) {
		*out = CGH_UNLIMITED;
		return 0;
	}
	r = cgh_parse_u64(s, &v);
	if (r < 0)
		return r;
	if (v < 1 || v == CGH_UNLIMITED)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_uid(const char *s, uint32_t *out)
{
	uint64_t v;
	int r = cgh_parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v >= UINT32_MAX)	/* (uid_t)-1 is "no uid" */
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int cgh_parse_uid_range(const char *s, struct cgh_uid_range *out)
{
	char lo[16];
	const char *dash;
	int r;

	if (s == NULL)
		return -EINVAL;
	dash = strchr(s, '-');
	if (dash == NULL) {
		r = parse_uid(s, &out->lo);
		out->hi = out->lo;
		return r;
	}
	if ((size_t)(dash - s) >= sizeof(lo))
		return -ERANGE;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	r = parse_uid(lo, &out->lo);
	if (r == 0)
		r = parse_uid(dash + 1, &out->hi);
	if (r == 0 && out->lo > out->hi)
		r = -ERANGE;
	return r;
}

void cgh_format_count(uint64_t v, uint64_t unknown_value, const char *unknown_mark, char *buf,
		      size_t len)
{
	if (v == CGH_UNLIMITED)
		snprintf(buf, len, "max");
	else if (v == unknown_value)
		snprintf(buf, len, "%s", unknown_mark);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void cgh_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int i = -1;

	if (bytes == CGH_UNLIMITED) {
		snprintf(buf, len, "max");
		return;
	}
	while (i < 3 && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[i]);
}

int cgh_parse_percent(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	return s == NULL ? -EINVAL : parse_percent(s, lo, hi, out);
}

int cgh_parse_duration(const char *s, uint64_t *out)
{
	static const struct { const char *suffix; uint64_t secs; } units[] = {
		{ "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	};
	const char *suffix;
	uint64_t v;
	int r = s == NULL ? -EINVAL : split_number(s, &v, &suffix);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(suffix, units[i].suffix) != 0)
			continue;
		if (v == 0 || v > CGH_DURATION_MAX / units[i].secs)
			return -ERANGE;
		*out = v * units[i].secs;
		return 0;
	}
	return -EINVAL;
}
