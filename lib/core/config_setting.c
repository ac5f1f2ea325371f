/* Reading one libconfig setting for the loader, and the diagnostics: a
 * string, a choice, a boolean, a bounded integer, each with the message a
 * wrong value gets; the collected error lines (struct cgh_diag). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_loader.h"

#define DIAG_LINE_MAX 1024
#define DIAG_WHAT_MAX 768

static void diag_vadd(struct cgh_diag *diag, const char *fmt, va_list ap)
{
	char line[DIAG_LINE_MAX];
	char **grown;

	if (diag->n >= CGH_DIAG_MAX) {
		diag->dropped++;
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	grown = realloc(diag->lines, (diag->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		diag->dropped++;
		return;
	}
	diag->lines = grown;
	diag->lines[diag->n] = strdup(line);
	if (diag->lines[diag->n] == NULL)
		diag->dropped++;
	else
		diag->n++;
}

void cgh_diag_add(struct cgh_diag *diag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diag, fmt, ap);
	va_end(ap);
}

int cgh_ld_bad(struct cgh_loader *ld, const config_setting_t *s, const char *where,
	       const char *fmt, ...)
{
	char what[DIAG_WHAT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ld->is_file)
		cgh_diag_add(ld->diag, "%s:%d: %s: %s", ld->source,
			 s ? config_setting_source_line(s) : 0, where, what);
	else
		cgh_diag_add(ld->diag, "%s: %s: %s", ld->source, where, what);
	ld->errors++;
	return -EINVAL;
}

void cgh_diag_free(struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		free(diag->lines[i]);
	free(diag->lines);
	diag->lines = NULL;
	diag->n = diag->dropped = 0;
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

bool cgh_ld_is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

bool cgh_ld_is_seq(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
}

int cgh_ld_wrong_type(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char *expected)
{
	return cgh_ld_bad(ld, s, where, "expected %s, not %s", expected,
		   type_name(config_setting_type(s)));
}

int cgh_ld_get_string(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cgh_ld_wrong_type(ld, s, where, "a string");
		return -EINVAL;
	}
	*out = config_setting_get_string(s);
	if (*out == NULL) {
		cgh_ld_bad(ld, s, where, "cannot read the string");
		return -EINVAL;
	}
	return 0;
}

int cgh_ld_set_string(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      char **field)
{
	const char *v = NULL;
	char *copy;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	copy = strdup(v);
	if (copy == NULL)
		return cgh_ld_bad(ld, s, where, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int cgh_ld_get_choice(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		      const char *const *names, int *out)
{
	char expected[128] = "";
	const char *v = NULL;
	size_t used = 0;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
					 i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
		if (used >= sizeof(expected))
			break;
	}
	return cgh_ld_bad(ld, s, where, "expected %s, not \"%s\"", expected, v);
}

int cgh_ld_get_bool(struct cgh_loader *ld, const config_setting_t *s, const char *where, bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cgh_ld_wrong_type(ld, s, where, "a boolean (true or false)");
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

int cgh_ld_get_uint(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		    long long lo, long long hi, unsigned *out)
{
	long long v;

	if (!cgh_ld_is_int(s))
		return cgh_ld_wrong_type(ld, s, where, "an integer");
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return cgh_ld_bad(ld, s, where, "%lld out of range %lld-%lld", v, lo, hi);
	*out = (unsigned)v;
	return 0;
}

void cgh_setting_path(char *buf, size_t len, const char *where, const char *name)
{
	snprintf(buf, len, "%.*s.%.*s", CGH_SETTING_PART, where, CGH_SETTING_PART, name);
}

int cgh_ld_group(struct cgh_loader *ld, const config_setting_t *group, const char *where,
		 cgh_ld_member_fn fn, void *arg)
{
	int r = 0;

	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return cgh_ld_wrong_type(ld, group, where, "a group { ... }");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		char path[CGH_SETTING_PATH_MAX];

		cgh_setting_path(path, sizeof(path), where, config_setting_name(s));
		if (fn(ld, s, where, path, arg) < 0)
			r = -EINVAL;
	}
	return r;
}
