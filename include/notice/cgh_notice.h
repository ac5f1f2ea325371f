/* Notices: telling a user what cgherd's limits did to one of their sessions
 * (an OOM kill, a kill by the pressure guard, leftovers killed at close).
 *
 * A notice is a record: what happened (a kind from a table, figures), to
 * which session (the login facts the module recorded on the leaf at open)
 * and under which rule.  Records are kept per uid in a small root-owned file
 * under CGH_NOTICE_DIR until the user's next interactive login shows them
 * through the PAM conversation; they can also be written at once to the
 * terminals of the user's other live sessions.
 *
 * Three layers: pure encoding and wording (notice_format.c), the record
 * store (notice_store.c), terminal delivery (notice_tty.c); notice_leaf.c
 * puts them together over a leaf of the cgroup tree. */
#ifndef CGH_NOTICE_H
#define CGH_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgh_cgroupfs.h"
#include "cgh_config.h"
#include "cgh_log.h"
#include "cgh_notice_pending.h"

#define CGH_NOTICE_DIR "/var/lib/cgherd"
#define CGH_NOTICE_DEV "/dev"
#define CGH_NOTICE_KEEP 8		/* records kept per user, the newest */
#define CGH_NOTICE_FILE_MAX 8192u	/* bytes; a larger file is refused */
#define CGH_NOTICE_RECORD_MAX 2048u	/* one encoded record, with its newline */
#define CGH_NOTICE_LINE_MAX 1024u	/* one line shown to the user */
#define CGH_NOTICE_LOCK_MS 1000u

/* On a leaf: the login it was made for (cgh_login_encode), written at open. */
#define CGH_LOGIN_XATTR "trusted.cgherd.login"
/* On a leaf: the OOM counts already recorded, "OOM_KILL GROUP_KILL". */
#define CGH_NOTICED_XATTR "trusted.cgherd.noticed"
/* On a leaf opened by sshd: the newest record shown at its login, encoded,
 * while nobody knows whether sshd printed it; CGH_SHOWN_SETTLED after. */
#define CGH_SHOWN_XATTR "trusted.cgherd.shown"
#define CGH_SHOWN_SETTLED "-"

/* What happened.  To add a kind: a value before CGH_NOTICE_KINDS, its entry
 * in the table of notice_format.c (name in the file, wording), and a writer
 * that fills a struct cgh_notice and calls cgh_notice_deliver. */
enum cgh_notice_kind {
	CGH_NOTICE_OOM_GROUP,	/* memory limit: the whole session killed */
	CGH_NOTICE_OOM_KILL,	/* memory limit: processes killed (oom_group = false) */
	CGH_NOTICE_PRESSURE,	/* the pressure guard killed the session */
	CGH_NOTICE_CLOSE_KILL,	/* processes left at close killed (kill_on_close) */
	CGH_NOTICE_PENALTY_START, /* a penalty of `cgherd watch` put on the user */
	CGH_NOTICE_PENALTY_END,	/* that penalty ended (its duration, a lift) */
	CGH_NOTICE_KINDS
};

/* The login a leaf belongs to: PAM_SERVICE, PAM_TTY, PAM_RHOST (each
 * sanitized, "" when unset) and when it started (s since the epoch). */
struct cgh_login {
	char service[32];
	char tty[64];
	char rhost[72];
	uint64_t started;
};

struct cgh_notice {
	enum cgh_notice_kind kind;
	uint64_t when;		/* s since the epoch */
	unsigned uid;
	char leaf[96];		/* the leaf's name, "session-N" or "session-N.scope" */
	uint64_t event;		/* tells one event of a leaf from another of its kind
				 * (the OOM count after it); with kind, leaf and
				 * login.started the record's key */
	struct cgh_login login;
	char rule[72];		/* "" when not known */
	uint64_t limit;		/* bytes: memory.max (memory.high for the pressure
				 * guard), CGH_UNKNOWN when not known */
	uint64_t peak;		/* memory.peak, bytes, CGH_UNKNOWN when not known */
	uint64_t killed;	/* processes killed, CGH_UNKNOWN when not known */
	char biggest[32];	/* the biggest of them (the OOM victim), "" when not known */
	/* the penalty kinds: leaf is the user directory's name ("user-1001",
	 * so that every session of it is written to), event the penalty's start */
	char penalty[72];	/* its name */
	uint64_t tier;		/* 1-based; CGH_UNKNOWN when not known */
	uint64_t tiers;		/* how many the penalty has; CGH_UNKNOWN when not known */
	uint64_t until;		/* s since the epoch; CGH_UNKNOWN when not known */
	char effect[96];	/* "cpu_max=30%" (start), what was put back (end) */
	char why[160];		/* start: the figure against the threshold; end: why */
};

/* How notices are written, from the config's notices group; help is shown
 * after each line ("": nothing).  A value: a session keeps a copy from open
 * to close. */
struct cgh_notifier {
	char dir[128];		/* CGH_NOTICE_DIR outside tests */
	char dev[32];		/* CGH_NOTICE_DEV outside tests */
	char help[CGH_NOTICE_HELP_MAX];
	bool at_login, tty;
};

/* nf from the config's notices group, the store in dir, terminals under dev
 * (NULL: CGH_NOTICE_DIR, CGH_NOTICE_DEV). */
void cgh_notifier_init(struct cgh_notifier *nf, const struct cgh_notices_config *c,
		       const char *dir, const char *dev);

/* ---- pure: encoding and wording (notice_format.c) ------------------------------- */

const char *cgh_notice_kind_name(enum cgh_notice_kind kind);
/* The kind named name, or -ENOENT. */
int cgh_notice_kind_lookup(const char *name);

/* "started=S service=V tty=T rhost=H", values with their blanks and '%'
 * %-escaped.  Returns the length, or -ENOSPC. */
int cgh_login_encode(const struct cgh_login *l, char *buf, size_t len);
/* Unknown keys are skipped; values sanitized.  0 or -EINVAL. */
int cgh_login_decode(const char *text, struct cgh_login *out);

/* One record as one line (with '\n'), at most CGH_NOTICE_RECORD_MAX.
 * Returns the length, or -ENOSPC. */
int cgh_notice_encode(const struct cgh_notice *n, char *buf, size_t len);
/* One line, without or with its '\n'.  Unknown keys are skipped, so a newer
 * writer's fields do not stop an older reader; an unknown kind is -ENOENT,
 * anything else malformed -EINVAL. */
int cgh_notice_decode(const char *line, struct cgh_notice *out);

/* Whether a and b record the same event (kind, uid, leaf, start, event). */
bool cgh_notice_same(const struct cgh_notice *a, const struct cgh_notice *b);

/* What the user reads: "cgherd: your ssh session from 10.0.0.5 (started
 * 14:02) was ended at 14:31: ...", times in local time (with the date when
 * not on now's day), help appended.  Always NUL-terminated, truncated to len. */
void cgh_notice_describe(const struct cgh_notice *n, const char *help, uint64_t now, char *buf,
			 size_t len);

/* A size as people write it: 500M, 1.5G, 812K, 300 (bytes). */
void cgh_size_human(uint64_t bytes, char *buf, size_t len);

/* Whether PAM_TTY names a terminal ("/dev/pts/3", "pts/3", "tty1",
 * "/dev/ttyS0"), not a placeholder of a session without one ("ssh",
 * "cron", ":0", ""): the logins that are shown their notices. */
bool cgh_tty_is_terminal(const char *tty);

/* How a login shows its user's notices (and so whether it takes them from
 * the store).  The services that print PAM's messages at an interactive
 * login (CGH_NOTICE_SERVICES: login, sshd, su-l, runuser-l; su and runuser
 * print them only for a login shell, which they open as su-l and runuser-l):
 * - login, su-l, runuser-l with PAM_TTY naming a terminal print them before
 *   the shell: CGH_SHOW_TAKE, shown and removed;
 * - sshd opens the session before the client says whether it wants a shell
 *   or a command (`ssh host cmd`, scp, rsync, sftp), and prints the messages
 *   only for a shell: CGH_SHOW_KEEP, shown and kept, the leaf marked with
 *   the newest shown (CGH_SHOWN_XATTR) until `cgherd watch` sees a login
 *   shell in it (cgh_notice_confirm_shown);
 * - anything else (cron, `cgherd run`, a login without a terminal, su and
 *   runuser without -l): CGH_SHOW_NONE, kept for a login that shows them. */
#define CGH_NOTICE_SERVICES { "login", "sshd", "su-l", "runuser-l" }
enum cgh_show { CGH_SHOW_NONE, CGH_SHOW_TAKE, CGH_SHOW_KEEP };
enum cgh_show cgh_login_shows_notices(const struct cgh_login *l);

/* ---- the record store (notice_store.c) ------------------------------------------- */

struct cgh_notice_store {
	int dirfd;
	char dir[256];
};

/* Opens dir (made 0700 when create and missing): without following a
 * symlink, a directory owned by the euid with no group or other access.
 * Anything else is refused: -ENOTDIR, -ELOOP, -EPERM, with err set. */
int cgh_notice_store_open(struct cgh_notice_store *st, const char *dir, bool create,
			  struct cgh_error *err);
void cgh_notice_store_close(struct cgh_notice_store *st);

/* Adds n to its user's file under the store's lock: a record of the same
 * event is not added twice (returns 1), the file keeps the newest
 * CGH_NOTICE_KEEP records within CGH_NOTICE_FILE_MAX, written to a temp file
 * and renamed.  A file found refused (see cgh_notice_read) is replaced, and
 * said in err with a return of 2. */
int cgh_notice_add(struct cgh_notice_store *st, const struct cgh_notice *n,
		   struct cgh_error *err);

/* The user's records, oldest first, at most max; *n their count.  A missing
 * file is 0 records.  The file must be a regular file owned by the euid, mode
 * 0600 or stricter, one link, at most CGH_NOTICE_FILE_MAX: else -EPERM,
 * -ELOOP (a symlink) or -EFBIG, with err set.  Lines that do not decode are
 * skipped. */
int cgh_notice_read(struct cgh_notice_store *st, unsigned uid, struct cgh_notice *out,
		    size_t max, size_t *n, struct cgh_error *err);

/* Removes the user's records, under the lock, that are the same events as
 * shown[0..n) (records read earlier and shown): records added since stay.
 * Returns how many it removed, or -errno. */
int cgh_notice_remove(struct cgh_notice_store *st, unsigned uid, const struct cgh_notice *shown,
		      size_t n, struct cgh_error *err);

/* Removes the user's records up to the one that is the same event as last
 * (those were shown with it, oldest first), under the lock; none when no
 * record is last's any more (a login took them).  Returns how many, or
 * -errno. */
int cgh_notice_remove_through(struct cgh_notice_store *st, unsigned uid,
			      const struct cgh_notice *last, struct cgh_error *err);

/* Calls fn for each uid with a record file in the store. */
int cgh_notice_each_user(struct cgh_notice_store *st, int (*fn)(void *arg, unsigned uid),
			 void *arg, struct cgh_error *err);

/* ---- terminals (notice_tty.c) ---------------------------------------------------- */

/* Writes line (with "\r\n" around it) to the terminal tty names (PAM_TTY:
 * "/dev/pts/3" or "pts/3"), found under dev without following any symlink,
 * opened O_WRONLY|O_NOCTTY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC, only if it is a
 * character device that isatty() accepts, owned by uid (and, rdev not 0,
 * that very device).  One non-blocking write: a full terminal drops the
 * line (-EAGAIN).  -EPERM, -ELOOP, -ENOTTY, -EINVAL (a name outside dev)
 * when refused, with err set.  With err NULL, system calls and string
 * functions only (the reaper's notice: cgh_notice_pending_write). */
int cgh_notice_tty_write(const char *dev, const char *tty, unsigned uid, uint64_t rdev,
			 const char *line, struct cgh_error *err);

/* The name under /dev of a controlling terminal (tty_nr of /proc/PID/stat):
 * "pts/N", "ttyN", "ttySN"; -ENOENT for any other device. */
int cgh_tty_name(uint64_t tty_nr, char *buf, size_t len);

/* ---- over the cgroup tree (notice_leaf.c) ---------------------------------------- */

/* Records l on leaf as CGH_LOGIN_XATTR (best effort at open). */
int cgh_notice_set_login(const struct cgh_fs *fs, const char *leaf, const struct cgh_login *l,
			 struct cgh_error *err);

/* The login recorded on leaf: 0 (*l all empty if it does not decode), or
 * -errno with *l all empty when there is none.  A leaf that has one is the module's own, on which
 * trusted xattrs work: every notice about it left its mark
 * (CGH_NOTICED_XATTR), and the mark's absence means none. */
int cgh_notice_get_login(const struct cgh_fs *fs, const char *leaf, struct cgh_login *l);

/* A notice of kind about leaf ("DIR/session-N", relative to the root),
 * filled with the login and rule recorded on it; figures unknown. */
void cgh_notice_for_leaf(const struct cgh_fs *fs, const char *leaf, unsigned uid,
			 enum cgh_notice_kind kind, struct cgh_notice *n);

/* The OOM counts recorded on leaf as noticed (0 0 when none). */
void cgh_notice_get_noticed(const struct cgh_fs *fs, const char *leaf, uint64_t *kill,
			    uint64_t *group_kill);
int cgh_notice_set_noticed(const struct cgh_fs *fs, const char *leaf, uint64_t kill,
			   uint64_t group_kill);

/* A terminal of one of the user's live sessions: the name PAM_TTY gave
 * (rdev 0), or a controlling terminal of its processes ("pts/3", rdev its
 * tty_nr); checked again when written to (cgh_notice_tty_write). */
#define CGH_TERMINALS_MAX 16	/* per user */
#define CGH_TERMINAL_LEAF 256
struct cgh_terminal {
	char name[64];
	uint64_t rdev;
	char leaf[CGH_TERMINAL_LEAF];	/* the session's, for log lines */
};

/* The terminals of the live sessions in user_dir but the leaf named except,
 * each once; how many (at most max) are in v. */
size_t cgh_notice_terminals(const struct cgh_fs *fs, const char *user_dir, const char *except,
			    struct cgh_terminal *v, size_t max);

/* Writes n as nf says: to the store (at_login), and (tty) its line to the
 * terminals of the user's other live sessions, the leaves beside n's leaf
 * in user_dir that recorded a terminal.  Failures are logged. */
void cgh_notice_deliver(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			const char *user_dir, const struct cgh_notice *n, const struct cgh_log *log);

/* The OOM kills st (leaf's figures, read last) counts that nobody recorded
 * yet (CGH_NOTICED_XATTR): a notice for them, delivered, and the leaf marked.
 * For whoever ends a leaf without `cgherd watch` having seen it (the
 * module's close and its collection of dead leaves).  comm: the OOM
 * victim's name when known, else NULL.  Returns 1 when it wrote one. */
int cgh_notice_collect(const struct cgh_notifier *nf, const struct cgh_fs *fs, const char *leaf,
		       unsigned uid, const struct cgh_stats *st, const char *comm,
		       const struct cgh_log *log);

/* ---- written later by another process (notice_pending.c) ------------------------- */

/* p for a notice of kind about leaf, to be completed and written by
 * cgh_notice_pending_write (cgh_notice_pending.h): the record encoded
 * without when and killed, the store made and checked for it.  Nothing
 * to write (p->dir "") when nf does not keep records (at_login false).
 * 0 or -errno with err set. */
int cgh_notice_pending_prepare(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			       const char *leaf, unsigned uid, enum cgh_notice_kind kind,
			       struct cgh_notice_pending *p, struct cgh_error *err);

/* ---- at login (notice_login.c) ----------------------------------------------------- */

/* Shows uid's records, oldest first, one line each through say (the PAM
 * conversation); then, as *how says, removes those it showed
 * (CGH_SHOW_TAKE) or keeps them and puts the newest shown in *last
 * (CGH_SHOW_KEEP).  KEEP becomes TAKE, in *how too, when `cgherd watch`
 * does not run (cgh_notice_watched): nobody would see the shell.  Nothing
 * is shown, and all is kept, when the store or the file is refused
 * (logged), or when say fails (the rest is kept).  Returns how many were
 * shown, or -errno. */
int cgh_notice_show(const struct cgh_notifier *nf, unsigned uid, enum cgh_show *how,
		    int (*say)(void *arg, const char *line), void *arg,
		    struct cgh_notice *last, const struct cgh_log *log);

/* Marks leaf with last, the newest record shown at its sshd login
 * (CGH_SHOWN_XATTR). */
int cgh_notice_mark_shown(const struct cgh_fs *fs, const char *leaf, const struct cgh_notice *last,
			  struct cgh_error *err);

/* Whether `cgherd watch` runs over the store: it holds an exclusive flock
 * on CGH_NOTICE_WATCH_FILE there while it runs (a login looks with a shared
 * one, so that two logins' looks never meet).  Without it nobody can tell
 * whether sshd printed what it was shown, and an sshd login takes the
 * records as a terminal login does (cgh_notice_show). */
#define CGH_NOTICE_WATCH_FILE "watch.lock"
/* watch: the file opened (made when missing) and locked (waiting up to
 * 1 s for a login's look); the fd, held for the daemon's life, or -errno
 * with err set (-EWOULDBLOCK: another watch holds it). */
int cgh_notice_watch_present(struct cgh_notice_store *st, struct cgh_error *err);
bool cgh_notice_watched(const struct cgh_notice_store *st);

/* For `cgherd watch`, on a live leaf of uid: when its login showed records
 * and kept them (CGH_SHOWN_XATTR) and a login shell runs in it (argv[0]
 * "-bash": sshd ran a shell, not a command, and so printed them), removes
 * them through the marked one and settles the mark.  Returns 1 when the
 * mark is settled (now, or before: CGH_SHOWN_SETTLED found), 0 while a
 * marked leaf waits for a login shell, -ENODATA when there is no mark (yet:
 * the module writes it during the open), or another -errno (logged). */
int cgh_notice_confirm_shown(const struct cgh_notifier *nf, const struct cgh_fs *fs,
			     const char *leaf, unsigned uid, const struct cgh_log *log);

#endif
