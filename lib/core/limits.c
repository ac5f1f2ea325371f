#include <stdio.h>
#include <string.h>

#include "cgh_limits.h"
#include "cgh_value.h"

const struct cgh_limit_desc cgh_limit_table[CGH_N_LIMITS] = {
	[CGH_MEMORY_MAX] = { "memory_max", "memory.max", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
	[CGH_MEMORY_HIGH] = { "memory_high", "memory.high", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
	[CGH_MEMORY_SWAP_MAX] = { "memory_swap_max", "memory.swap.max", CGH_CTRL_MEMORY, CGH_KIND_SIZE },
	[CGH_CPU_MAX] = { "cpu_max", "cpu.max", CGH_CTRL_CPU, CGH_KIND_CPU },
	[CGH_CPU_WEIGHT] = { "cpu_weight", "cpu.weight", CGH_CTRL_CPU, CGH_KIND_WEIGHT },
	[CGH_PIDS_MAX] = { "pids_max", "pids.max", CGH_CTRL_PIDS, CGH_KIND_PIDS },
	[CGH_OOM_GROUP] = { "oom_group", "memory.oom.group", CGH_CTRL_MEMORY, CGH_KIND_BOOL },
};

static const char *const controller_names[] = { "cpu", "memory", "pids" };

int cgh_limit_lookup(const char *name)
{
	for (int k = 0; k < CGH_N_LIMITS; k++)
		if (strcmp(cgh_limit_table[k].key, name) == 0)
			return k;
	return -1;
}

bool cgh_limits_has(const struct cgh_limits *l, enum cgh_limit_key key)
{
	return (l->set & (1u << key)) != 0;
}

void cgh_limits_set(struct cgh_limits *l, enum cgh_limit_key key, uint64_t value)
{
	l->set |= 1u << key;
	l->value[key] = value;
}

void cgh_limits_merge(struct cgh_limits *dst, const struct cgh_limits *over)
{
	for (int k = 0; k < CGH_N_LIMITS; k++)
		if (cgh_limits_has(over, (enum cgh_limit_key)k))
			cgh_limits_set(dst, (enum cgh_limit_key)k, over->value[k]);
	if (cgh_limits_has(over, CGH_CPU_MAX))
		dst->cpu_period = over->cpu_period;
}

unsigned cgh_limits_controllers(const struct cgh_limits *l)
{
	unsigned mask = 0;

	for (int k = 0; k < CGH_N_LIMITS; k++) {
		if (!cgh_limits_has(l, (enum cgh_limit_key)k))
			continue;
		if (k == CGH_OOM_GROUP && l->value[k] == 0)
			continue;
		mask |= cgh_limit_table[k].controller;
	}
	return mask;
}

static void format_number(uint64_t v, char *buf, size_t len)
{
	if (v == CGH_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

void cgh_limit_file_value(const struct cgh_limits *l, enum cgh_limit_key key,
			  char *buf, size_t len)
{
	uint64_t v = l->value[key];

	if (key == CGH_CPU_MAX) {
		char quota[24];
		format_number(v, quota, sizeof(quota));
		snprintf(buf, len, "%s %llu", quota, (unsigned long long)l->cpu_period);
		return;
	}
	format_number(v, buf, len);
}

void cgh_limit_human_value(const struct cgh_limits *l, enum cgh_limit_key key,
			   char *buf, size_t len)
{
	uint64_t v = l->value[key];

	switch (cgh_limit_table[key].kind) {
	case CGH_KIND_SIZE:
		cgh_format_size(v, buf, len);
		break;
	case CGH_KIND_CPU:
		if (v == CGH_UNLIMITED)
			snprintf(buf, len, "max");
		else if (v * 100 % l->cpu_period == 0)
			snprintf(buf, len, "%llu%%", (unsigned long long)(v * 100 / l->cpu_period));
		else
			snprintf(buf, len, "%.2f%%", (double)v * 100.0 / (double)l->cpu_period);
		break;
	case CGH_KIND_BOOL:
		snprintf(buf, len, "%s", v ? "true" : "false");
		break;
	default:
		format_number(v, buf, len);
		break;
	}
}

void cgh_limits_describe(const struct cgh_limits *l, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < CGH_N_LIMITS && used < len; k++) {
		char value[48];
		if (!cgh_limits_has(l, (enum cgh_limit_key)k))
			continue;
		cgh_limit_file_value(l, (enum cgh_limit_key)k, value, sizeof(value));
		int n = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
				 cgh_limit_table[k].file, value);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void cgh_controllers_format(unsigned mask, const char *prefix, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(controller_names) / sizeof(controller_names[0]); i++) {
		if (!(mask & (1u << i)) || used >= len)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s%s", used ? " " : "", prefix,
				 controller_names[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

unsigned cgh_controllers_parse(const char *text)
{
	unsigned mask = 0;
	const char *p = text;

	while (*p != '\0') {
		size_t skip = strspn(p, " \t\n");
		p += skip;
		size_t n = strcspn(p, " \t\n");
		for (size_t i = 0; i < sizeof(controller_names) / sizeof(controller_names[0]); i++)
			if (strlen(controller_names[i]) == n && strncmp(p, controller_names[i], n) == 0)
				mask |= 1u << i;
		p += n;
	}
	return mask;
}
