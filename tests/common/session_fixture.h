/* The fixture of the session and watch unit tests: an emulated cgroupfs
 * root, a captured log, a config and the identity "alice" (uid 1000, in
 * alice and students). */
#ifndef SESSION_FIXTURE_H
#define SESSION_FIXTURE_H

#include "cgh_session.h"
#include "testutil.h"

struct session_fixture {
	char root[64];
	struct log_capture log;
	struct cgh_log sink;
	struct cgh_env env;
	struct cgh_config *cfg;
	struct cgh_identity *alice;
};

/* controllers: the root's cgroup.controllers; conf: config text, as for
 * config_from_text.  Fails the test when it cannot be built. */
struct session_fixture *session_fixture_new(const char *controllers, const char *conf);
void session_fixture_free(struct session_fixture *f);

#endif
