/* Module arguments: "debug", "conf=PATH", "close=auto|reaper|move", and "KEY=VALUE" for each scalar
 * top-level key (the keys of lib/core/config_keys.c whose table row says
 * how an argument spells them), each parsed as a one-line libconfig
 * document and handed to the handler the file's setting would get. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_config_loader.h"
#include "cgh_libconfig.h"

#define ARG_MAX_LEN 512		/* longer arguments are refused */
#define ARG_SOURCE_MAX (ARG_MAX_LEN + 32)
#define ARG_DOC_MAX (2 * ARG_MAX_LEN)

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

/* "key=value" for one scalar top-level key, as the one-setting libconfig
 * document "key = \"value\";" (or "key = value;" for a boolean), handed to
 * the same handler as the file's setting. */
static int load_argument(struct cgh_loader *ld, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	enum cgh_arg_form form = klen ? cgh_config_arg_form(arg, klen) : CGH_ARG_NONE;
	const config_setting_t *root;
	char doc[ARG_DOC_MAX];
	config_t c;
	int r = -EINVAL;

	if (form == CGH_ARG_NONE)
		return unknown_argument(ld);
	if (strpbrk(eq + 1, "\"\\;\n\r") != NULL || strlen(arg) > ARG_MAX_LEN)
		return bad_argument(ld, "value too long or with a quote, backslash, ';' or newline");
	snprintf(doc, sizeof(doc), form == CGH_ARG_STRING ? "%.*s = \"%s\";" : "%.*s = %s;",
		 (int)klen, arg, eq + 1);
	config_init(&c);
	root = config_read_string(&c, doc) == CONFIG_TRUE ? config_root_setting(&c) : NULL;
	if (root == NULL || config_setting_length(root) != 1)
		bad_argument(ld, form == CGH_ARG_BOOL ? "expected true or false" : "cannot parse value");
	else
		r = cgh_ld_top_setting(ld, config_setting_get_elem(root, 0));
	config_destroy(&c);
	return r;
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
