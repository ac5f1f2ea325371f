#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fakefs.h"
#include "session_fixture.h"

static const char *const alice_groups[] = { "alice", "students", NULL };

struct session_fixture *session_fixture_new(const char *controllers, const char *conf)
{
	struct session_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_reset();
	assert_int_equal(fake_make_root(f->root, sizeof(f->root), controllers), 0);
	f->sink = (struct cgh_log){ .fn = capture_log, .arg = &f->log, .debug = true };
	f->env = (struct cgh_env){ .sys = cgh_test_sys(), .log = &f->sink };
	f->cfg = config_from_text(conf, f->root);
	f->alice = make_identity("alice", 1000, alice_groups);
	return f;
}

void session_fixture_free(struct session_fixture *f)
{
	fake_remove_root(f->root);
	cgh_config_free(f->cfg);
	cgh_identity_free(f->alice);
	free(f);
}
