/* libFuzzer target: every value parser, with round trips checked. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_limits.h"
#include "cgh_value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void size_roundtrip(const char *text)
{
	uint64_t v, again;
	char human[32];

	if (cgh_parse_size(text, 1ull << 33, &v) != 0)
		return;
	cgh_format_size(v, human, sizeof(human));
	if (strchr(text, '%') == NULL &&
	    (cgh_parse_size(human, 1ull << 33, &again) != 0 || again != v))
		abort();
}

static void cpu_roundtrip(const char *text)
{
	struct cgh_cpu_max cpu, again;
	struct cgh_limits l = { 0 };
	char file[64], human[64];

	if (cgh_parse_cpu_max(text, &cpu) != 0)
		return;
	if (cpu.period < CGH_CPU_PERIOD_MIN || cpu.period > CGH_CPU_PERIOD_MAX)
		abort();
	cgh_limits_set(&l, CGH_CPU_MAX, cpu.quota);
	l.cpu_period = cpu.period;
	cgh_limit_file_value(&l, CGH_CPU_MAX, file, sizeof(file));
	cgh_limit_human_value(&l, CGH_CPU_MAX, human, sizeof(human));
	if (cgh_parse_cpu_max(file, &again) != 0 || again.quota != cpu.quota ||
	    again.period != cpu.period)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgh_uid_range range;
	uint64_t v;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_roundtrip(text);
	cpu_roundtrip(text);
	if (cgh_parse_pids(text, &v) == 0 && v == 0)
		abort();
	if (cgh_parse_uid_range(text, &range) == 0 &&
	    (range.lo > range.hi || range.hi == UINT32_MAX))
		abort();
	cgh_controllers_parse(text);
	free(text);
	return 0;
}
