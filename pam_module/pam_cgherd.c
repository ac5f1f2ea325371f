/* pam_cgherd: the PAM entry points.  Everything else lives in lib/. */
#define PAM_SM_SESSION
#include <errno.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_config_for_user.h"
#include "cgh_identity.h"
#include "cgh_notice.h"
#include "cgh_session.h"

#define DATA_KEY "pam_cgherd_session"

#ifdef CGHERD_TEST_SYS
const struct cgh_sys *cgh_test_sys(void);
const char *cgh_test_cache_dir(void);
const char *cgh_test_notice_dir(void);
#define SYS cgh_test_sys()
#define CACHE_DIR cgh_test_cache_dir()
#define NOTICE_DIR cgh_test_notice_dir()
#else
#define SYS (&cgh_sys_real)
#define CACHE_DIR CGH_CACHE_DIR
#define NOTICE_DIR CGH_NOTICE_DIR
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

static void pam_login(pam_handle_t *pamh, struct cgh_login *l)
{
	memset(l, 0, sizeof(*l));
	cgh_sanitize(l->service, sizeof(l->service), pam_string(pamh, PAM_SERVICE));
	cgh_sanitize(l->tty, sizeof(l->tty), pam_string(pamh, PAM_TTY));
	cgh_sanitize(l->rhost, sizeof(l->rhost), pam_string(pamh, PAM_RHOST));
	l->started = (uint64_t)time(NULL);
}

static int say_info(void *arg, const char *line)
{
	return pam_info((pam_handle_t *)arg, "%s", line) == PAM_SUCCESS ? 0 : -EIO;
}

/* The user's notices, at an interactive login (cgh_login_shows_notices)
 * that is not silent; they stay for the next one otherwise.  Those shown at
 * an sshd login, with watch running, stay too, the leaf marked, until watch
 * sees a shell there (s: the session, NULL when the user is not herded). */
static void show_notices(pam_handle_t *pamh, int flags, const struct cgh_env *env,
			 const struct cgh_session *s, unsigned uid)
{
	enum cgh_show how = cgh_login_shows_notices(env->login);
	struct cgh_notice last;

	if (!env->notify->at_login || (flags & PAM_SILENT) || how == CGH_SHOW_NONE) {
		cgh_logf(env->log, LOG_DEBUG, "notices for uid=%u kept: %s", uid,
			 !env->notify->at_login ? "notices.at_login is false"
			 : (flags & PAM_SILENT) ? "PAM_SILENT" : "not a login that shows PAM's messages");
		return;
	}
	if (how == CGH_SHOW_KEEP && s == NULL)
		how = CGH_SHOW_TAKE;	/* no leaf to mark for watch */
	if (cgh_notice_show(env->notify, uid, &how, say_info, pamh, &last, env->log) > 0 &&
	    how == CGH_SHOW_KEEP && s != NULL)
		cgh_session_mark_shown(s, env, &last);
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

static void log_diag(pam_handle_t *pamh, const struct cgh_diag *diag)
{
	for (size_t i = 0; i < diag->n; i++)
		pam_syslog(pamh, LOG_ERR, "%s", diag->lines[i]);
	if (diag->dropped > 0)
		pam_syslog(pamh, LOG_ERR, "%zu more configuration errors", diag->dropped);
}

static int open_herded(pam_handle_t *pamh, int flags, const struct cgh_config *cfg,
		       const struct cgh_identity *id, const char *user, const struct cgh_log *log)
{
	struct cgh_login login;
	struct cgh_notifier nf;
	const struct cgh_env env_ = { .sys = SYS, .log = log, .login = &login, .notify = &nf };
	const struct cgh_env *env = &env_;
	struct cgh_error err = { 0 };
	struct cgh_session *s = NULL;
	const char *service = pam_string(pamh, PAM_SERVICE);
	int r;

	pam_login(pamh, &login);
	cgh_notifier_init(&nf, &cfg->notices, NOTICE_DIR, NULL);
	r = cgh_session_open(cfg, id, service ? service : "", getpid(), env, &s, &err);
	if (r >= 0)	/* after the collection of dead leaves, which may write some */
		show_notices(pamh, flags, env, s, (unsigned)id->uid);
	if (r == CGH_IGNORED)
		return PAM_IGNORE;
	if (r < 0)
		return refuse_or_allow(pamh, cfg->on_error, user, err.msg);
	if (pam_set_data(pamh, DATA_KEY, s, free_session) != PAM_SUCCESS) {
		cgh_session_close(s, env, &err);
		free(s);
		return refuse_or_allow(pamh, cfg->on_error, user, "cannot keep session data");
	}
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct cgh_log log = { .fn = to_syslog, .arg = pamh, .debug = cgh_args_debug(argc, argv) };
	const struct cgh_load_args load = { .argc = argc, .argv = argv, .cache_dir = CACHE_DIR,
					    .log = &log };
	struct cgh_diag diag = { 0 };
	struct cgh_error err = { 0 };
	struct cgh_identity *id = NULL;
	struct cgh_config *cfg = NULL;
	const char *user = NULL;
	int r, ret;

	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL)
		return refuse_or_allow(pamh, cgh_args_on_error(argc, argv), NULL, "no user name");
	r = cgh_config_for_user(&load, user, &cfg, &id, &diag, &err);
	log_diag(pamh, &diag);
	cgh_diag_free(&diag);
	if (cfg == NULL)
		ret = refuse_or_allow(pamh, cgh_args_on_error(argc, argv), user,
				      "configuration not loaded (see the errors above)");
	else if (r < 0)
		ret = refuse_or_allow(pamh, cfg->on_error, user, err.msg);
	else
		ret = open_herded(pamh, flags, cfg, id, user, &log);
	cgh_identity_free(id);
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
