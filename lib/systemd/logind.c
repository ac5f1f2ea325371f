#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_systemd.h"

/* "PREFIX<token>SUFFIX" at the start of p, up to the next '/' or the end. */
static const char *component(const char *p, const char *prefix, const char *suffix,
			     char *token, size_t len)
{
	size_t n = strcspn(p, "/"), pl = strlen(prefix), sl = strlen(suffix);

	if (n <= pl + sl || n - pl - sl >= len || strncmp(p, prefix, pl) != 0 ||
	    strncmp(p + n - sl, suffix, sl) != 0)
		return NULL;
	memcpy(token, p + pl, n - pl - sl);
	token[n - pl - sl] = '\0';
	return p + n;
}

bool cgh_logind_scope_parse(const char *path, struct cgh_logind_scope *out)
{
	char uid[16], id[64], *end;
	const char *p = path + (path[0] == '/');
	unsigned long v;

	if (strncmp(p, "user.slice/", 11) != 0)
		return false;
	p = component(p + 11, "user-", ".slice", uid, sizeof(uid));
	if (p == NULL || *p != '/')
		return false;
	p = component(p + 1, "session-", ".scope", id, sizeof(id));
	if (p == NULL || *p != '\0' || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(id))
		return false;
	v = strtoul(uid, &end, 10);
	if (*end != '\0' || uid[0] == '\0' || v >= 0xffffffffUL)
		return false;
	out->uid = (unsigned)v;
	snprintf(out->slice, sizeof(out->slice), "user-%lu.slice", v);
	snprintf(out->scope, sizeof(out->scope), "session-%s.scope", id);
	return true;
}

bool cgh_user_dir_uid(const char *name, unsigned *uid)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "user-", 5) != 0 || name[5] < '0' || name[5] > '9')
		return false;
	v = strtoul(name + 5, &end, 10);
	if ((*end != '\0' && strcmp(end, ".slice") != 0) || v >= 0xffffffffUL)
		return false;
	*uid = (unsigned)v;
	return true;
}

size_t cgh_unit_properties(const struct cgh_limits *l, struct cgh_unit_property *out)
{
	static const struct { enum cgh_limit_key key; const char *name; } map[] = {
		{ CGH_MEMORY_MAX, "MemoryMax" },
		{ CGH_MEMORY_HIGH, "MemoryHigh" },
		{ CGH_MEMORY_SWAP_MAX, "MemorySwapMax" },
		{ CGH_CPU_WEIGHT, "CPUWeight" },
		{ CGH_PIDS_MAX, "TasksMax" },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cgh_limits_has(l, map[i].key))
			out[n++] = (struct cgh_unit_property){ map[i].name, l->value[map[i].key] };
	if (cgh_limits_has(l, CGH_CPU_MAX)) {
		uint64_t q = l->value[CGH_CPU_MAX];
		/* CPUQuota= is quota per second of wall time, in µs */
		out[n++] = (struct cgh_unit_property){
			"CPUQuotaPerSecUSec",
			q == UINT64_MAX ? UINT64_MAX : q * 1000000u / l->cpu_period };
		out[n++] = (struct cgh_unit_property){ "CPUQuotaPeriodUSec", l->cpu_period };
	}
	return n;
}
