/* pam_cgherd: the PAM entry points.  Everything else lives in lib/. */
#define PAM_SM_SESSION
#include <errno.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_config_cache.h"
#include "cgh_identity.h"
#include "cgh_session.h"

#define DATA_KEY "pam_cgherd_session"

#ifdef CGHERD_TEST_SYS
const struct cgh_sys *cgh_test_sys(void);
const char *cgh_test_cache_dir(void);
#define SYS cgh_test_sys()
#define CACHE_DIR cgh_test_cache_dir()
#else
#define SYS (&cgh_sys_real)
#define CACHE_DIR CGH_CACHE_DIR
#endif

static void to_syslog(void *arg, int priority, const char *line)
{
	pam_syslog((pam_handle_t *)arg, priority, "%s", line);
}

static void free_session(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

static const char *pam_string(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/* A failure: logged always, then on_error decides. */
static int refuse_or_allow(pam_handle_t *pamh, enum cgh_on_error on_error, const char *user,
			   const char *why)
{
	char shown[64];

	cgh_sanitize(shown, sizeof(shown), user ? user : "(unknown)");
	pam_syslog(pamh, LOG_ERR, "cannot herd user=%s: %s; %s", shown, why,
		   on_error == CGH_ON_ERROR_ALLOW ? "login allowed unconfined (on_error=allow)"
						  : "login refused (on_error=deny)");
	return on_error == CGH_ON_ERROR_ALLOW ? PAM_IGNORE : PAM_SESSION_ERR;
}

static struct cgh_config *load_config(pam_handle_t *pamh, const struct cgh_log *log, int argc,
				      const char **argv)
{
	struct cgh_config *cfg = NULL;
	struct cgh_diag diag = { 0 };

	if (cgh_config_load_cached(NULL, argc, argv, 0, CACHE_DIR, log, &cfg, &diag) < 0) {
		for (size_t i = 0; i < diag.n; i++)
			pam_syslog(pamh, LOG_ERR, "%s", diag.lines[i]);
		if (diag.dropped > 0)
			pam_syslog(pamh, LOG_ERR, "%zu more configuration errors", diag.dropped);
	}
	cgh_diag_free(&diag);
	return cfg;
}

/* The rules of a config from the cache that can match id.  A cache found
 * damaged here is removed and the file parsed (and cached) anew. */
static int select_rules(pam_handle_t *pamh, struct cgh_config **cfg, const struct cgh_log *log,
			int argc, const char **argv, const struct cgh_identity *id,
			struct cgh_error *err)
{
	int r = cgh_config_select(*cfg, id, err);

	if (r != -EINVAL)
		return r;
	pam_syslog(pamh, LOG_WARNING, "config cache: %s; removing it and parsing %s", err->msg,
		   (*cfg)->path);
	cgh_cache_forget(CACHE_DIR, (*cfg)->path);
	cgh_config_free(*cfg);
	*cfg = load_config(pamh, log, argc, argv);
	if (*cfg == NULL)
		return cgh_fail_msg(err, EINVAL, "configuration not loaded (see the errors above)");
	return cgh_config_select(*cfg, id, err);
}

static int open_herded(pam_handle_t *pamh, struct cgh_config **cfg, const char *user,
		       const struct cgh_log *log, int argc, const char **argv)
{
	const struct cgh_env env = { .sys = SYS, .log = log };
	struct cgh_error err = { 0 };
	struct cgh_identity *id = NULL;
	struct cgh_session *s = NULL;
	const char *service = pam_string(pamh, PAM_SERVICE);
	enum cgh_on_error on_error = (*cfg)->on_error;
	int r = cgh_session_lookup_user(*cfg, user, &id, &err);
	int ret;

	if (r == 0)
		r = select_rules(pamh, cfg, log, argc, argv, id, &err);
	if (*cfg != NULL)	/* reloaded: the same file, perhaps other values */
		on_error = (*cfg)->on_error;
	if (r == 0 && *cfg != NULL)
		r = cgh_session_open(*cfg, id, service ? service : "", getpid(), &env, &s, &err);
	if (r == CGH_IGNORED) {
		ret = PAM_IGNORE;
	} else if (r < 0) {
		ret = refuse_or_allow(pamh, on_error, user, err.msg);
	} else if (pam_set_data(pamh, DATA_KEY, s, free_session) != PAM_SUCCESS) {
		cgh_session_close(s, &env, &err);
		free(s);
		ret = refuse_or_allow(pamh, on_error, user, "cannot keep session data");
	} else {
		ret = PAM_SUCCESS;
	}
	cgh_identity_free(id);
	return ret;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cgh_log log = { .fn = to_syslog, .arg = pamh, .debug = cgh_args_debug(argc, argv) };
	const char *user = NULL;
	struct cgh_config *cfg;
	int ret;

	(void)flags;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return refuse_or_allow(pamh, cgh_args_on_error(argc, argv), NULL, "no user name");
	cfg = load_config(pamh, &log, argc, argv);
	if (cfg == NULL)
		return refuse_or_allow(pamh, cgh_args_on_error(argc, argv), user,
				       "configuration not loaded (see the errors above)");
	log.debug = cfg->debug;
	ret = open_herded(pamh, &cfg, user, &log, argc, argv);
	cgh_config_free(cfg);
	return ret;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cgh_log log = { .fn = to_syslog, .arg = pamh, .debug = cgh_args_debug(argc, argv) };
	const struct cgh_env env = { .sys = SYS, .log = &log };
	struct cgh_error err = { 0 };
	const void *data = NULL;

	(void)flags;
	if (pam_get_data(pamh, DATA_KEY, &data) != PAM_SUCCESS || data == NULL)
		return PAM_IGNORE;
	if (cgh_session_close(data, &env, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "closing session: %s", err.msg);
		return PAM_SESSION_ERR;
	}
	pam_set_data(pamh, DATA_KEY, NULL, NULL);
	return PAM_SUCCESS;
}
