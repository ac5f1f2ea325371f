/* Module arguments: "debug", "conf=PATH", "close=auto|reaper|move", and "KEY=VALUE" for each scalar
 * top-level key (the keys of lib/core/config_keys.c whose table row says
 * how an argument spells them), each made into the setting the file's
 * line would give and handed to the same handler, without libconfig. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cgh_config_loader.h"
#include "cgh_libconfig.h"

#define ARG_MAX_LEN 512		/* longer arguments are refused */
#define ARG_SOURCE_MAX (ARG_MAX_LEN + 32)

static int bad_argument(struct cgh_loader *ld, const char *why)
{
	cgh_diag_add(ld->diag, "%s: %s", ld->source, why);
	ld->errors++;
	return -EINVAL;
}

static int unknown_argument(struct cgh_loader *ld)
{
	char keys[256], why[384];

	cgh_config_arg_keys(keys, sizeof(keys));
	snprintf(why, sizeof(why), "not conf=PATH, debug, close=auto|reaper|move, or KEY=VALUE with KEY one of %s", keys);
	return bad_argument(ld, why);
}

/* "close=auto|reaper|move" (enum cgh_close_path): no libconfig needed. */
static int load_close_path(struct cgh_loader *ld, const char *value)
{
	static const char *const names[] = { "auto", "reaper", "move" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(value, names[i]) == 0) {
			ld->cfg->close_path = (unsigned char)i;
			return 0;
		}
	return bad_argument(ld, "close: expected auto, reaper or move");
}

/* The value of a boolean argument: true or false in any case, as
 * libconfig spells a boolean. */
static int argument_bool(const char *v, int *out)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0) {
		*out = strcasecmp(v, "true") == 0;
		return 0;
	}
	return -EINVAL;
}

/* "key=value" for one scalar top-level key, as the setting the file's
 * "key = \"value\";" (or "key = value;" for a boolean) would give, handed
 * to the same handler.  The setting is built here, not parsed: a login
 * with module arguments and a valid cache does not load libconfig. */
static int load_argument(struct cgh_loader *ld, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	enum cgh_arg_form form = klen ? cgh_config_arg_form(arg, klen) : CGH_ARG_NONE;
	char name[ARG_MAX_LEN + 1];
	config_setting_t s = { .name = name };

	if (form == CGH_ARG_NONE)
		return unknown_argument(ld);
	if (strpbrk(eq + 1, "\"\\;\n\r") != NULL || strlen(arg) > ARG_MAX_LEN)
		return bad_argument(ld, "value too long or with a quote, backslash, ';' or newline");
	memcpy(name, arg, klen);
	name[klen] = '\0';
	if (form == CGH_ARG_BOOL) {
		s.type = CONFIG_TYPE_BOOL;
		if (argument_bool(eq + 1, &s.value.ival) < 0)
			return cgh_ld_bad(ld, &s, name, "expected a boolean (true or false), not \"%s\"", eq + 1);
	} else {
		s.type = CONFIG_TYPE_STRING;
		s.value.sval = (char *)(uintptr_t)(eq + 1);	/* read only, as the handlers take it */
	}
	return cgh_ld_top_setting(ld, &s);
}

int cgh_ld_arguments(struct cgh_loader *ld, int argc, const char **argv)
{
	char source[ARG_SOURCE_MAX];
	int r = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0) {
			ld->cfg->debug = true;
			continue;
		}
		if (strncmp(argv[i], "conf=", 5) == 0)
			continue;
		snprintf(source, sizeof(source), "module argument '%.*s'", ARG_MAX_LEN, argv[i]);
		ld->source = source;
		ld->is_file = false;
		if (strncmp(argv[i], "close=", 6) == 0 ? load_close_path(ld, argv[i] + 6) < 0
						       : load_argument(ld, argv[i]) < 0)
			r = -EINVAL;
	}
	return r;
}

const char *cgh_args_conf_path(const char *path, int argc, const char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "conf=", 5) == 0)
			path = argv[i] + 5;
	return path != NULL ? path : CGH_DEFAULT_CONF;
}

enum cgh_on_error cgh_args_on_error(int argc, const char **argv)
{
	struct cgh_diag scratch = { 0 };
	struct cgh_loader ld = { .diag = &scratch, .source = "argument" };
	enum cgh_on_error v = CGH_ON_ERROR_DENY;

	ld.cfg = cgh_config_new("");
	if (ld.cfg == NULL)
		return v;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "on_error=", 9) == 0 && load_argument(&ld, argv[i]) == 0)
			v = ld.cfg->on_error;
	cgh_config_free(ld.cfg);
	cgh_diag_free(&scratch);
	return v;
}

bool cgh_args_debug(int argc, const char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "debug") == 0)
			return true;
	return false;
}
