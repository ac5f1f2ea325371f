/* Session open/close/gc against the emulated cgroupfs (tests/common/fakefs). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgh_session.h"
#include "fakefs.h"
#include "session_fixture.h"
#include "testutil.h"

#define OPENER 4242

static const char *const alice_groups[] = { "alice", "students", NULL };

static const char conf_text[] =
	"base = \"cgherd\";\n"
	"session = { pids_max = 512; };\n"
	"rules = (\n"
	"  { name = \"system\"; match = { uid = \"0-999\"; }; action = \"ignore\"; },\n"
	"  { name = \"students\"; match = { group = \"students\"; };\n"
	"    session = { memory_max = \"500M\"; memory_swap_max = \"0\"; cpu_max = \"20%\"; };\n"
	"    user = { memory_max = \"1G\"; }; }\n"
	");\n";

static int setup(void **state)
{
	*state = session_fixture_new("cpu memory pids io\n", conf_text);
	return 0;
}

static int teardown(void **state)
{
	session_fixture_free(*state);
	return 0;
}

static bool exists(const struct session_fixture *f, const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	return stat(path, &st) == 0;
}

static void assert_file(const struct session_fixture *f, const char *rel, const char *want)
{
	char got[256];

	assert_int_equal(fake_get(f->root, rel, got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

static struct cgh_session *open_ok(struct session_fixture *f, const struct cgh_identity *id)
{
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };
	int r = cgh_session_open(f->cfg, id, "sshd", OPENER, &f->env, &s, &err);

	if (r != CGH_HERDED)
		print_error("open: %d %s\n", r, err.msg);
	assert_int_equal(r, CGH_HERDED);
	assert_non_null(s);
	return s;
}

static void test_open_builds_the_leaf(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);

	assert_string_equal(s->leaf, "cgherd/user-1000/session-4242");
	assert_file(f, "cgherd/user-1000/session-4242/memory.max", "524288000");
	assert_file(f, "cgherd/user-1000/session-4242/memory.swap.max", "0");
	assert_file(f, "cgherd/user-1000/session-4242/cpu.max", "20000 100000");
	assert_file(f, "cgherd/user-1000/session-4242/pids.max", "512");
	assert_file(f, "cgherd/user-1000/session-4242/memory.oom.group", "1");
	assert_file(f, "cgherd/user-1000/memory.max", "1073741824");
	assert_file(f, "cgherd/user-1000/memory.oom.group", "0");
	assert_file(f, "cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/session-4242/cgroup.procs", "4242");
	assert_file(f, "cgherd/user-1000/session-4242/cgroup.events", "populated 1");
	assert_string_equal(fake_where(OPENER), "/cgherd/user-1000/session-4242");
	assert_string_equal(s->origin, ".");
	assert_non_null(strstr(f->log.text, "herded user=alice uid=1000 service=sshd rule=students"));
	free(s);
}

/* Limits land before anything moves, and top-down. */
static void test_open_order_of_writes(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	int root_ctl = fake_logged("write ./cgroup.subtree_control");
	int user_mem = fake_logged("write cgherd/user-1000/memory.max");
	int leaf_mk = fake_logged("mkdir cgherd/user-1000/session-4242");
	int leaf_mem = fake_logged("write cgherd/user-1000/session-4242/memory.max");
	int leaf_oom = fake_logged("write cgherd/user-1000/session-4242/memory.oom.group");
	int move = fake_logged("write cgherd/user-1000/session-4242/cgroup.procs");

	assert_true(root_ctl >= 0 && user_mem >= 0 && leaf_mk >= 0 && leaf_mem >= 0 && move >= 0);
	assert_true(root_ctl < fake_logged("write cgherd/cgroup.subtree_control"));
	assert_true(fake_logged("write cgherd/cgroup.subtree_control") < user_mem);
	assert_true(user_mem < leaf_mk);
	assert_true(leaf_mk < leaf_mem);
	assert_true(leaf_mem < move && leaf_oom < move);
	assert_int_equal(move, fake.n_log - 1);
	free(s);
}

static void test_ignored_user_touches_nothing(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_identity *daemon = make_identity("daemon", 1, NULL);
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_session_open(f->cfg, daemon, "sshd", OPENER, &f->env, &s, &err), CGH_IGNORED);
	assert_null(s);
	assert_false(exists(f, "cgherd"));
	assert_int_equal(fake.n_log, 0);
	assert_string_equal(fake_where(OPENER), "/");
	cgh_identity_free(daemon);
}

static void assert_rolled_back(struct session_fixture *f, const char *fail_op, const char *fail_path,
			       const char *msg_part)
{
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	fake_fail(fail_op, fail_path, EACCES, -1);
	assert_true(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err) < 0);
	assert_null(s);
	assert_non_null(strstr(err.msg, msg_part));
	assert_false(exists(f, "cgherd/user-1000/session-4242"));
	assert_false(exists(f, "cgherd/user-1000"));
	assert_false(exists(f, "cgherd"));
	assert_string_equal(fake_where(OPENER), "/");
}

static void test_rollback_on_leaf_limit(void **state)
{
	assert_rolled_back(*state, "write", "session-4242/memory.max",
			   "session-4242/memory.max: Permission denied");
}

static void test_rollback_on_move(void **state)
{
	assert_rolled_back(*state, "write", "session-4242/cgroup.procs", "cgroup.procs");
}

static void test_rollback_on_user_limit(void **state)
{
	assert_rolled_back(*state, "write", "user-1000/memory.max", "user-1000/memory.max");
}

static void test_rollback_on_leaf_mkdir(void **state)
{
	assert_rolled_back(*state, "mkdir", "session-", "cannot create");
}

static void test_rollback_keeps_what_others_made(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_identity *bob = make_identity("bob", 1001, alice_groups);
	struct cgh_session *b = open_ok(f, bob);
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	fake_fail("write", "user-1000/session-4243/memory.max", EIO, -1);
	assert_true(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 1, &f->env, &s, &err) < 0);
	assert_true(exists(f, "cgherd/user-1001/session-4242"));
	assert_false(exists(f, "cgherd/user-1000"));
	assert_true(exists(f, "cgherd"));
	cgh_identity_free(bob);
	free(b);
}

static void test_missing_controller(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	fake_put(f->root, "cgroup.controllers", "cpu io\n");
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err), -ENODEV);
	assert_non_null(strstr(err.msg, "memory pids not available"));
	assert_false(exists(f, "cgherd"));
}

static void test_not_cgroup2(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	fake.magic = 0x01021994L;	/* tmpfs: hybrid host */
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err),
			 -EMEDIUMTYPE);
	assert_non_null(strstr(err.msg, "not a cgroup2 mount"));
	assert_non_null(strstr(err.msg, "hybrid"));
	assert_false(exists(f, "cgherd"));
}

static void test_second_session_gets_its_own_leaf(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice);
	struct cgh_session *b;

	/* pid 4242 is reused while its old leaf still holds a process */
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "999\n4242\n");
	b = open_ok(f, f->alice);
	assert_string_equal(b->leaf, "cgherd/user-1000/session-4242-2");
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	free(a);
	free(b);
}

static void test_close_removes_everything(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	struct cgh_error err = { 0 };

	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "999\n4242\n");
	fake_put(f->root, "cgherd/user-1000/session-4242/memory.peak", "1234\n");
	assert_int_equal(cgh_session_close(s, &f->env, &err), 0);
	assert_string_equal(fake_where(OPENER), "/");
	assert_true(fake_logged("write ./cgroup.procs") >= 0);
	assert_true(fake_logged("write cgherd/user-1000/session-4242/cgroup.kill") >
		    fake_logged("write ./cgroup.procs"));
	assert_false(exists(f, "cgherd/user-1000"));
	assert_true(exists(f, "cgherd"));
	assert_non_null(strstr(f->log.text, "closed user=alice uid=1000 rule=students"));
	assert_non_null(strstr(f->log.text, "memory.peak=1234"));
	assert_non_null(strstr(f->log.text, "leaf_removed"));
	free(s);
}

static int gc_now(struct session_fixture *f)
{
	struct cgh_fs fs;
	struct cgh_error err = { 0 };
	int r;

	assert_int_equal(cgh_fs_open(&fs, f->root, f->env.sys, &err), 0);
	r = cgh_gc(&fs, "cgherd", NULL, &f->sink, &err);
	cgh_fs_close(&fs);
	return r;
}

/* A second session of a user finds the user directory with the
 * controllers enabled: no look at the root and base, limits written as
 * always. */
static void test_next_login_finds_the_user_dir_ready(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice), *b = NULL;
	struct cgh_error err = { 0 };

	fake_put(f->root, "cgherd/user-1000/memory.max", "max\n");
	fake.n_log = 0;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 1, &f->env, &b, &err), 0);
	assert_int_equal(fake_logged("read ./cgroup.subtree_control"), -1);
	assert_int_equal(fake_logged("read cgherd/cgroup.subtree_control"), -1);
	assert_int_equal(fake_logged("write cgherd/user-1000/cgroup.subtree_control"), -1);
	assert_file(f, "cgherd/user-1000/memory.max", "1073741824");
	assert_file(f, "cgherd/user-1000/session-4243/memory.max", "524288000");
	free(a);
	free(b);
}

static int count_logged(const char *entry)
{
	int n = 0;

	for (int i = 0; i < fake.n_log; i++)
		n += strcmp(fake.log[i], entry) == 0;
	return n;
}

/* A user directory made by the login gets its controllers without a read
 * of its subtree_control, which a new cgroup has empty: the one read is
 * the look at whether the directory was there. */
static void test_new_user_dir_gets_its_controllers_unread(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);

	assert_int_equal(count_logged("read cgherd/user-1000/cgroup.subtree_control"), 1);
	assert_true(fake_logged("read cgherd/user-1000/cgroup.subtree_control") <
		    fake_logged("mkdir cgherd/user-1000"));
	assert_true(fake_logged("mkdir cgherd/user-1000") <
		    fake_logged("write cgherd/user-1000/cgroup.subtree_control"));
	assert_file(f, "cgherd/user-1000/cgroup.subtree_control", "cpu memory pids");
	free(s);
}

/* The first session of a user after the last one closed: base has the
 * controllers, so the root is not looked at, base is not made again and
 * its subtree_control is read once; with no user directory there is no
 * cgroup.stat to read; the user directory made anew gets its controllers
 * without a read of its (empty) subtree_control. */
static void test_first_login_of_a_user_finds_base_ready(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice), *b = NULL;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_session_close(a, &f->env, &err), 0);
	assert_false(exists(f, "cgherd/user-1000"));
	fake.n_log = 0;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 1, &f->env, &b, &err), 0);
	assert_int_equal(fake_logged("read ./cgroup.subtree_control"), -1);
	assert_int_equal(fake_logged("read ./cgroup.controllers"), -1);
	assert_int_equal(fake_logged("mkdir cgherd"), -1);
	assert_int_equal(count_logged("read cgherd/cgroup.subtree_control"), 1);
	assert_int_equal(fake_logged("read cgherd/user-1000/cgroup.stat"), -1);
	/* the one look: whether the user directory was there */
	assert_int_equal(count_logged("read cgherd/user-1000/cgroup.subtree_control"), 1);
	assert_true(fake_logged("read cgherd/user-1000/cgroup.subtree_control") <
		    fake_logged("mkdir cgherd/user-1000"));
	assert_true(fake_logged("mkdir cgherd/user-1000") <
		    fake_logged("write cgherd/user-1000/cgroup.subtree_control"));
	assert_file(f, "cgherd/user-1000/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/memory.max", "1073741824");
	assert_file(f, "cgherd/user-1000/session-4243/memory.max", "524288000");
	assert_file(f, "cgherd/user-1000/session-4243/cgroup.procs", "4243");
	free(a);
	free(b);
}

/* base without a controller the rules need (one added to the config since
 * the last login): the root is looked at and base gets it, as at the first
 * login. */
static void test_base_missing_a_controller_is_enabled(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice), *b = NULL;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_session_close(a, &f->env, &err), 0);
	fake_put(f->root, "cgherd/cgroup.subtree_control", "memory pids\n");
	fake.n_log = 0;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 1, &f->env, &b, &err), 0);
	assert_true(fake_logged("read ./cgroup.subtree_control") >= 0);
	assert_true(fake_logged("write cgherd/cgroup.subtree_control") >= 0);
	assert_file(f, "cgherd/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/session-4243/cpu.max", "20000 100000");
	free(a);
	free(b);
}

/* The user directory looked ready (a session of the user's was there),
 * then the login's own collection (a whole walk: the stamp is old) removed
 * it with that session's dead leaf before the lock: it is made again, with
 * its controllers. */
static void test_user_dir_collected_before_the_lock(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice), *b = NULL;
	struct cgh_error err = { 0 };
	char stamp[32];

	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "");
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.events", "populated 0\n");
	snprintf(stamp, sizeof(stamp), "%llu",
		 (unsigned long long)(cgh_boottime_s() - CGH_GC_INTERVAL_S));
	fake_put(f->root, "cgherd/.xattr-" CGH_GC_XATTR, stamp);
	fake.n_log = 0;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 1, &f->env, &b, &err), 0);
	assert_true(fake_logged("read cgherd/user-1000/cgroup.subtree_control") <
		    fake_logged("rmdir cgherd/user-1000"));
	assert_true(fake_logged("rmdir cgherd/user-1000") < fake_logged("mkdir cgherd/user-1000"));
	assert_file(f, "cgherd/user-1000/cgroup.subtree_control", "cpu memory pids");
	assert_file(f, "cgherd/user-1000/session-4243/memory.max", "524288000");
	free(a);
	free(b);
}

static void test_close_keeps_leftovers_without_kill(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s;
	struct cgh_error err = { 0 };

	f->cfg->kill_on_close = false;
	s = open_ok(f, f->alice);
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "999\n4242\n");
	assert_int_equal(cgh_session_close(s, &f->env, &err), 0);
	assert_int_equal(fake_logged("write cgherd/user-1000/session-4242/cgroup.kill"), -1);
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	assert_non_null(strstr(f->log.text, "leaf_kept"));

	/* Once empty, the next collection removes it and the user directory. */
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.events", "populated 0\n");
	assert_int_equal(gc_now(f), 1);
	free(s);
}

static void test_close_keeps_user_dir_for_other_sessions(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice);
	struct cgh_session *b;
	struct cgh_error err = { 0 };

	struct cgh_session *c;

	b = open_ok(f, f->alice);	/* same pid: moves it; the first leaf is now dead */
	c = NULL;
	(void)c;
	assert_int_equal(cgh_session_close(b, &f->env, &err), 0);
	assert_false(exists(f, "cgherd/user-1000/session-4242-2"));
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	free(a);
	free(b);
}

static void test_close_after_collection(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	struct cgh_error err = { 0 };

	/* another module moved the opener away: the leaf is empty */
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "");
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.events", "populated 0\n");
	fake.procs[0].dir[0] = '\0';
	snprintf(fake.procs[0].dir, sizeof(fake.procs[0].dir), "/elsewhere");
	assert_int_equal(gc_now(f), 1);
	assert_int_equal(cgh_session_close(s, &f->env, &err), 0);
	assert_non_null(strstr(f->log.text, "leaf_gone"));
	assert_int_equal(fake_logged("write ./cgroup.procs"), -1);
	free(s);
}

static void test_close_refuses_to_kill_its_opener(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	struct cgh_error err = { 0 };

	fake_fail("write", "cgroup.procs", EACCES, -1);
	assert_int_equal(cgh_session_close(s, &f->env, &err), -EACCES);
	assert_non_null(strstr(err.msg, "cgroup.procs"));
	assert_int_equal(fake_logged("write cgherd/user-1000/session-4242/cgroup.kill"), -1);
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	free(s);
}

static void test_gc_collects_dead_and_spares_live(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_identity *bob = make_identity("bob", 1001, alice_groups);
	struct cgh_session *a = open_ok(f, f->alice);
	struct cgh_session *b = NULL;
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_session_open(f->cfg, bob, "sshd", OPENER + 1, &f->env, &b, &err), 0);
	/* bob's session was killed as a unit: its leaf is empty */
	fake_put(f->root, "cgherd/user-1001/session-4243/cgroup.procs", "");
	fake_put(f->root, "cgherd/user-1001/session-4243/cgroup.events", "populated 0\n");
	fake_put(f->root, "cgherd/user-1001/session-4243/memory.events",
		 "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 1\n");
	assert_int_equal(gc_now(f), 1);
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	assert_false(exists(f, "cgherd/user-1001"));
	assert_non_null(strstr(f->log.text, "collected dead session leaf="));
	assert_non_null(strstr(f->log.text, "user-1001/session-4243 "));
	assert_non_null(strstr(f->log.text, "oom_group_kill=1"));
	cgh_identity_free(bob);
	free(a);
	free(b);
}

static void test_open_collects_dead_leaves(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice);
	struct cgh_session *b;

	/* The first session died (group OOM kill): its leaf is empty. */
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "");
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.events", "populated 0\n");
	b = open_ok(f, f->alice);
	assert_string_equal(b->leaf, "cgherd/user-1000/session-4242");
	assert_non_null(strstr(f->log.text, "collected dead session"));
	free(a);
	free(b);
}

/* The stamp on the base says when everyone's leaves were last walked: until
 * CGH_GC_INTERVAL_S later, an open walks only its own user's directory. */
static void test_open_collects_others_once_per_interval(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_identity *bob = make_identity("bob", 1001, alice_groups);
	struct cgh_session *s[4] = { NULL };
	struct cgh_error err = { 0 };
	char stamp[32];

	s[0] = open_ok(f, f->alice);	/* no stamp yet: a whole walk, stamped */
	assert_int_equal(fake_get(f->root, "cgherd/.xattr-" CGH_GC_XATTR, stamp, sizeof(stamp)), 0);
	assert_true(strtoull(stamp, NULL, 10) + 1 >= cgh_boottime_s());
	assert_int_equal(cgh_session_open(f->cfg, bob, "sshd", OPENER + 1, &f->env, &s[1], &err), 0);
	fake_put(f->root, "cgherd/user-1001/session-4243/cgroup.procs", "");
	fake_put(f->root, "cgherd/user-1001/session-4243/cgroup.events", "populated 0\n");
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 2, &f->env, &s[2], &err), 0);
	assert_true(exists(f, "cgherd/user-1001/session-4243"));	/* bob's is not walked */
	snprintf(stamp, sizeof(stamp), "%llu",
		 (unsigned long long)(cgh_boottime_s() - CGH_GC_INTERVAL_S));
	fake_put(f->root, "cgherd/.xattr-" CGH_GC_XATTR, stamp);
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER + 3, &f->env, &s[3], &err), 0);
	assert_false(exists(f, "cgherd/user-1001"));
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	for (int i = 0; i < 4; i++)
		free(s[i]);
	cgh_identity_free(bob);
}

/* After the move out an empty leaf cannot fill again: no kill, just rmdir. */
static void test_close_empty_leaf_is_not_killed(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	struct cgh_error err = { 0 };

	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.procs", "");
	assert_int_equal(cgh_session_close(s, &f->env, &err), 0);
	assert_int_equal(fake_logged("write cgherd/user-1000/session-4242/cgroup.kill"), -1);
	assert_false(exists(f, "cgherd/user-1000"));
	assert_non_null(strstr(f->log.text, "leaf_removed"));
	free(s);
}

static void test_gc_waits_for_a_login_in_setup(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *a = open_ok(f, f->alice);
	char base[128];
	int fd;

	snprintf(base, sizeof(base), "%s/cgherd", f->root);
	fd = open(base, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH), 0);
	fake_put(f->root, "cgherd/user-1000/session-4242/cgroup.events", "populated 0\n");
	assert_int_equal(gc_now(f), 0);
	assert_true(exists(f, "cgherd/user-1000/session-4242"));
	close(fd);
	assert_int_equal(gc_now(f), 1);
	free(a);
}

static void test_root_symlink_refused(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };
	char link[96];

	snprintf(link, sizeof(link), "%s-link", f->root);
	assert_int_equal(symlink(f->root, link), 0);
	free(f->cfg->cgroup_root);
	f->cfg->cgroup_root = strdup(link);
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err), -ENOTDIR);
	assert_non_null(strstr(err.msg, "not a symbolic link"));
	unlink(link);
	assert_false(exists(f, "cgherd"));
}

static void test_root_missing(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	free(f->cfg->cgroup_root);
	f->cfg->cgroup_root = strdup("/nonexistent/cgroup");
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open cgroup_root /nonexistent/cgroup"));
}

/* Nothing is written outside <root>/<base> but the root's subtree_control
 * (controllers must be enabled top-down) and the move back at close. */
static void test_writes_stay_in_base(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);
	struct cgh_error err = { 0 };

	assert_int_equal(cgh_session_close(s, &f->env, &err), 0);
	for (int i = 0; i < fake.n_log; i++) {
		const char *e = fake.log[i];
		if (strncmp(e, "write ", 6) != 0 && strncmp(e, "mkdir ", 6) != 0 &&
		    strncmp(e, "rmdir ", 6) != 0)
			continue;
		if (strcmp(e, "write ./cgroup.subtree_control") == 0 ||
		    strcmp(e, "write ./cgroup.procs") == 0)
			continue;
		if (strncmp(e + 6, "cgherd/", 7) != 0 && strcmp(e + 6, "cgherd") != 0)
			fail_msg("write outside base: %s", e);
	}
	free(s);
}

/* oom_group = false needs no memory controller, and writes nothing. */
static void test_oom_group_false_without_memory(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s;

	cgh_config_free(f->cfg);
	f->cfg = config_from_text("session = { oom_group = false; pids_max = 5; };\n", f->root);
	fake_put(f->root, "cgroup.controllers", "cpu pids io\n");
	s = open_ok(f, f->alice);
	assert_int_equal(fake_logged("write cgherd/user-1000/session-4242/memory.oom.group"), -1);
	assert_file(f, "cgherd/user-1000/session-4242/pids.max", "5");
	assert_file(f, "cgroup.subtree_control", "pids");
	free(s);
}

/* The opener sits in a logind session scope, as pam_systemd leaves it. */
static void in_logind_scope(void)
{
	fake.procs[0].pid = OPENER;
	snprintf(fake.procs[0].dir, sizeof(fake.procs[0].dir),
		 "/user.slice/user-1000.slice/session-7.scope");
	fake.n_procs = 1;
}

static void test_cgroupfs_refuses_logind_scope(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	in_logind_scope();
	f->cfg->backend = CGH_BACKEND_CGROUPFS;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err), -EPERM);
	assert_non_null(strstr(err.msg, "logind's session scope /user.slice/user-1000.slice/session-7.scope"));
	assert_false(exists(f, "cgherd"));
	assert_string_equal(fake_where(OPENER), "/user.slice/user-1000.slice/session-7.scope");
}

static void test_cgroupfs_moves_when_told(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s;

	in_logind_scope();
	f->cfg->backend = CGH_BACKEND_CGROUPFS;
	f->cfg->move_from_logind = true;
	s = open_ok(f, f->alice);
	assert_false(s->systemd);
	assert_string_equal(s->origin, "user.slice/user-1000.slice/session-7.scope");
	assert_string_equal(fake_where(OPENER), "/cgherd/user-1000/session-4242");
	free(s);
}

static void test_systemd_backend_needs_a_scope(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	f->cfg->backend = CGH_BACKEND_SYSTEMD;
	assert_int_equal(cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, &s, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not in a logind session scope"));
	assert_false(exists(f, "cgherd"));
}

static void test_auto_outside_logind_is_cgroupfs(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = open_ok(f, f->alice);

	assert_int_equal(f->cfg->backend, CGH_BACKEND_AUTO);
	assert_false(s->systemd);
	free(s);
}

/* ---- the systemd backend, with the bus calls emulated ------------------ */

static struct {
	char calls[16][256];	/* "UNIT Name=value ..." */
	int n;
	const char *fail_unit;	/* set_properties fails for it */
	int version;
	int connections;	/* set_units calls: one connection each */
} bus;

static int fake_set_properties(const char *unit, const struct cgh_unit_property *props,
			       size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	char *c = bus.calls[bus.n++ % 16];
	size_t used = (size_t)snprintf(c, 256, "%s", unit);

	(void)timeout_ms;
	for (size_t i = 0; i < n && used < 256; i++)
		used += (size_t)snprintf(c + used, 256 - used, " %s=%llu", props[i].name,
					 (unsigned long long)props[i].value);
	if (bus.fail_unit != NULL && strcmp(unit, bus.fail_unit) == 0)
		return cgh_fail_msg(err, EACCES, "refused by the fake bus");
	return 0;
}

static int fake_version(unsigned timeout_ms, struct cgh_error *err)
{
	(void)timeout_ms;
	(void)err;
	return bus.version;
}

static int fake_set_units(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			  size_t *done, struct cgh_error *err)
{
	int r = 0;

	bus.connections++;
	for (*done = 0; *done < n; (*done)++)
		if (c[*done].n > 0 &&
		    (r = fake_set_properties(c[*done].unit, c[*done].props, c[*done].n, timeout_ms, err)) < 0)
			break;
	return r;
}

static const struct cgh_bus fake_bus = { .set_properties = fake_set_properties,
					 .set_units = fake_set_units, .version = fake_version };

/* logind's tree as systemd made it, with the opener in session-7.scope */
static void systemd_host(struct session_fixture *f, int version)
{
	int fd = open(f->root, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	assert_int_equal(f->env.sys->mkdirat(fd, "user.slice"), 0);
	assert_int_equal(f->env.sys->mkdirat(fd, "user.slice/user-1000.slice"), 0);
	assert_int_equal(f->env.sys->mkdirat(fd, "user.slice/user-1000.slice/session-7.scope"), 0);
	close(fd);
	fake_put(f->root, "user.slice/user-1000.slice/session-7.scope/memory.max", "max\n");
	fake_put(f->root, "user.slice/user-1000.slice/session-7.scope/cpu.max", "max 100000\n");
	fake_put(f->root, "user.slice/user-1000.slice/memory.max", "2147483648\n");
	memset(&bus, 0, sizeof(bus));
	bus.version = version;
	f->env.bus = &fake_bus;
	f->cfg->backend = CGH_BACKEND_SYSTEMD;
	in_logind_scope();
}

static int open_systemd(struct session_fixture *f, struct cgh_session **s, struct cgh_error *err)
{
	return cgh_session_open(f->cfg, f->alice, "sshd", OPENER, &f->env, s, err);
}

static void test_systemd_sets_scope_and_slice(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	systemd_host(f, 252);
	assert_int_equal(open_systemd(f, &s, &err), CGH_HERDED);
	assert_true(s->systemd);
	assert_int_equal(bus.n, 2);
	assert_int_equal(bus.connections, 1);	/* scope and slice over one connection */
	assert_string_equal(bus.calls[0],
			    "session-7.scope MemoryMax=524288000 MemorySwapMax=0 TasksMax=512 "
			    "CPUQuotaPerSecUSec=200000 CPUQuotaPeriodUSec=100000");
	assert_string_equal(bus.calls[1], "user-1000.slice MemoryMax=1073741824");
	/* systemd 252 has no OOMPolicy= for scopes: written directly */
	assert_file(f, "user.slice/user-1000.slice/session-7.scope/memory.oom.group", "1");
	assert_false(exists(f, "cgherd"));
	free(s);
}

/* A 252 with OOMPolicy= for scopes (Debian 12's) and the drop-in: systemd set
 * it, and a write of ours would be undone at systemd's next change anyway. */
static void test_systemd_252_with_the_drop_in_writes_nothing(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	systemd_host(f, 252);
	fake_put(f->root, "user.slice/user-1000.slice/session-7.scope/memory.oom.group", "1\n");
	assert_int_equal(open_systemd(f, &s, &err), CGH_HERDED);
	assert_int_equal(fake_logged("write user.slice/user-1000.slice/session-7.scope/memory.oom.group"), -1);
	free(s);
}

/* From systemd 253 the drop-in makes systemd set memory.oom.group itself;
 * cgherd checks that it did and writes nothing under user.slice. */
static void test_systemd_253_relies_on_the_drop_in(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	systemd_host(f, 253);
	fake_put(f->root, "user.slice/user-1000.slice/session-7.scope/memory.oom.group", "0\n");
	assert_int_equal(open_systemd(f, &s, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "install the OOMPolicy=kill drop-in"));
	assert_int_equal(fake_logged("write user.slice/user-1000.slice/session-7.scope/memory.oom.group"), -1);
	/* refused: both units got their values back */
	assert_int_equal(bus.n, 4);
	assert_string_equal(bus.calls[2], "user-1000.slice MemoryMax=2147483648");
	assert_string_equal(bus.calls[3],
			    "session-7.scope MemoryMax=18446744073709551615 MemorySwapMax=18446744073709551615 "
			    "TasksMax=18446744073709551615 CPUQuotaPerSecUSec=18446744073709551615 "
			    "CPUQuotaPeriodUSec=100000");

	fake_put(f->root, "user.slice/user-1000.slice/session-7.scope/memory.oom.group", "1\n");
	bus.n = 0;
	assert_int_equal(open_systemd(f, &s, &err), CGH_HERDED);
	assert_int_equal(bus.n, 2);
	assert_int_equal(fake_logged("write user.slice/user-1000.slice/session-7.scope/memory.oom.group"), -1);
	free(s);
}

static void test_systemd_slice_failure_restores_the_scope(void **state)
{
	struct session_fixture *f = *state;
	struct cgh_session *s = NULL;
	struct cgh_error err = { 0 };

	systemd_host(f, 252);
	bus.fail_unit = "user-1000.slice";
	assert_int_equal(open_systemd(f, &s, &err), -EACCES);
	assert_null(s);
	assert_non_null(strstr(err.msg, "refused by the fake bus"));
	assert_int_equal(bus.n, 3);
	assert_true(strncmp(bus.calls[2], "session-7.scope MemoryMax=18446744073709551615 ", 47) == 0);
	assert_non_null(strstr(f->log.text, "put session-7.scope's limits back"));
	assert_int_equal(fake_logged("write user.slice/user-1000.slice/session-7.scope/memory.oom.group"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_builds_the_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_order_of_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignored_user_touches_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_on_leaf_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_on_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_on_user_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_on_leaf_mkdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_keeps_what_others_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_cgroup2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_session_gets_its_own_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_removes_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_login_finds_the_user_dir_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_user_dir_gets_its_controllers_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_login_of_a_user_finds_base_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_missing_a_controller_is_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_dir_collected_before_the_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_keeps_leftovers_without_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_keeps_user_dir_for_other_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_after_collection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_refuses_to_kill_its_opener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_collects_dead_and_spares_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_collects_dead_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_collects_others_once_per_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_empty_leaf_is_not_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_waits_for_a_login_in_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writes_stay_in_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oom_group_false_without_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroupfs_refuses_logind_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroupfs_moves_when_told, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_backend_needs_a_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_outside_logind_is_cgroupfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_sets_scope_and_slice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_252_with_the_drop_in_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_253_relies_on_the_drop_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_slice_failure_restores_the_scope, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
