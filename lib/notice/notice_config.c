/* The `notices = { at_login; tty; help; }` section of cgherd.conf: read by
 * the module and `cgherd watch`, validated by every loader, its defaults. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgh_config_loader.h"
#include "cgh_notice_config.h"

void cgh_notice_config_defaults(struct cgh_notices_config *n)
{
	n->at_login = true;
	n->tty = true;
	n->help[0] = '\0';
}

/* Printed on users' terminals: one line of printable ASCII. */
static int load_help(struct cgh_loader *ld, const config_setting_t *s, const char *where)
{
	struct cgh_notices_config *n = &ld->cfg->notices;
	const char *v = NULL;

	if (cgh_ld_get_string(ld, s, where, &v) < 0)
		return -EINVAL;
	if (strlen(v) >= sizeof(n->help))
		return cgh_ld_bad(ld, s, where, "longer than %u characters", CGH_NOTICE_HELP_MAX - 1);
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return cgh_ld_bad(ld, s, where,
					  "only printable ASCII characters (no control characters, no newline)");
	snprintf(n->help, sizeof(n->help), "%s", v);
	return 0;
}

static int load_member(struct cgh_loader *ld, const config_setting_t *s, const char *where,
		       const char *path, void *arg)
{
	struct cgh_notices_config *n = &ld->cfg->notices;
	const char *name = config_setting_name(s);

	(void)arg;
	if (strcmp(name, "at_login") == 0)
		return cgh_ld_get_bool(ld, s, path, &n->at_login);
	if (strcmp(name, "tty") == 0)
		return cgh_ld_get_bool(ld, s, path, &n->tty);
	if (strcmp(name, "help") == 0)
		return load_help(ld, s, path);
	return cgh_ld_bad(ld, s, where, "unknown setting '%s' (at_login, tty, help)", name);
}

int cgh_notice_config_load(struct cgh_loader *ld, const config_setting_t *group,
			   const char *where)
{
	return cgh_ld_group(ld, group, where, load_member, NULL);
}
