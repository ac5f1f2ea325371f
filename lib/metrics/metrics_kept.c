/* The counters `cgherd watch` keeps per rule (cgh_metrics.h): in memory, and
 * taken back from the metrics file it wrote before a restart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_metrics.h"
#include "cgh_metrics_grow.h"
#include "cgh_value.h"

const char *const cgh_kept_names[CGH_N_KEPT] = {
	[CGH_KEPT_OOM_KILLS] = "cgherd_rule_oom_kills_total",
	[CGH_KEPT_GROUP_KILLS] = "cgherd_rule_oom_group_kills_total",
	[CGH_KEPT_PRESSURE_KILLS] = "cgherd_rule_pressure_kills_total",
	[CGH_KEPT_RECLAIMS] = "cgherd_rule_reclaims_total",
};

static struct cgh_rule_count *find(struct cgh_kept *k, const char *rule)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i].rule, rule) == 0)
			return &k->v[i];
	return NULL;
}

static struct cgh_rule_count *find_or_add(struct cgh_kept *k, const char *rule)
{
	struct cgh_rule_count *c = find(k, rule);

	if (c != NULL)
		return c;
	if (cgh_metrics_grow((void **)&k->v, &k->cap, k->n, sizeof(*k->v), 8) < 0)
		return NULL;
	c = &k->v[k->n++];
	*c = (struct cgh_rule_count){ 0 };
	snprintf(c->rule, sizeof(c->rule), "%s", rule);
	return c;
}

int cgh_kept_add(struct cgh_kept *k, const char *rule, enum cgh_kept_counter c, uint64_t n)
{
	struct cgh_rule_count *rc = find_or_add(k, rule);

	if (rc == NULL)
		return -ENOMEM;
	rc->n[c] += n;
	return 0;
}

void cgh_kept_free(struct cgh_kept *k)
{
	free(k->v);
	*k = (struct cgh_kept){ 0 };
}

/* The label value at p (after rule="), unescaped into buf; the end of the
 * label (past its closing quote), or NULL. */
static const char *unescape(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	for (; *p != '\0' && *p != '"' && *p != '\n'; p++) {
		char c = *p;
		if (c == '\\' && p[1] != '\0') {
			c = *++p;
			if (c == 'n')
				c = '\n';
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/* "NAME{rule="R"} VALUE": the counter, the rule and the value. */
static int parse_line(const char *line, enum cgh_kept_counter *c, char *rule, size_t len,
		      uint64_t *v)
{
	char digits[24];
	const char *p = NULL;

	for (int i = 0; i < CGH_N_KEPT && p == NULL; i++) {
		size_t n = strlen(cgh_kept_names[i]);
		if (strncmp(line, cgh_kept_names[i], n) == 0 && strncmp(line + n, "{rule=\"", 7) == 0) {
			*c = (enum cgh_kept_counter)i;
			p = line + n + 7;
		}
	}
	if (p == NULL || (p = unescape(p, rule, len)) == NULL || strncmp(p, "} ", 2) != 0)
		return -ENOENT;
	p += 2;
	snprintf(digits, sizeof(digits), "%.*s", (int)strcspn(p, " \n"), p);
	return cgh_parse_u64(digits, v) == 0 ? 0 : -ENOENT;
}

int cgh_kept_load(struct cgh_kept *k, const char *text)
{
	int taken = 0;

	for (const char *p = text; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
		enum cgh_kept_counter c;
		char rule[72];
		uint64_t v;

		if (parse_line(p, &c, rule, sizeof(rule), &v) < 0)
			continue;
		if (cgh_kept_add(k, rule, c, v) < 0)
			return -ENOMEM;
		taken++;
	}
	return taken;
}
