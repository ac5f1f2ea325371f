/* Notices, pure: a record as one line of "key=value" words, the login facts
 * on a leaf, and the sentence a user reads.  No I/O but localtime_r. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgh_notice.h"
#include "cgh_value.h"

/* ---- kinds ----------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t len, used;
	bool full;
};

static void out_add(struct out *o, const char *fmt, ...) CGH_PRINTF(2, 3);
static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len) {
		o->full = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used) {
		o->used = o->len;
		o->full = true;
		return;
	}
	o->used += (size_t)n;
}

/* The words of a sentence, as describe() prepares them. */
struct words {
	char session[160];	/* "your ssh session from 10.0.0.5 (started 14:02)" */
	char when[24];		/* "14:31" */
	char limit[48];		/* "its memory limit of 500M", "its memory limit" */
	char peak[32];		/* " (peak 500M)", "" */
	char killed[32];	/* "3 processes", "" */
	char biggest[48];	/* " (biggest: memhog)", "" */
	const struct cgh_notice *n;	/* the penalty kinds' words, as recorded */
	char tier[64];		/* " (tier 1 of 2)", "" */
	char until[24];		/* "14:41", "" */
};

static void say_oom_group(struct out *o, const struct words *w)
{
	out_add(o, "%s was ended at %s: it reached %s%s", w->session, w->when, w->limit, w->peak);
	if (w->killed[0])
		out_add(o, ", %s killed%s", w->killed, w->biggest);
	out_add(o, ".");
}

static void say_oom_kill(struct out *o, const struct words *w)
{
	bool one = w->killed[0] == '\0' || strcmp(w->killed, "1 process") == 0;

	out_add(o, "in %s, %s %s killed at %s%s: the session reached %s%s.", w->session,
		w->killed[0] ? w->killed : "a process", one ? "was" : "were", w->when, w->biggest,
		w->limit, w->peak);
}

static void say_pressure(struct out *o, const struct words *w)
{
	out_add(o, "%s was ended at %s: it was stalled waiting for memory for too long at %s%s",
		w->session, w->when, w->limit, w->peak);
	if (w->killed[0])
		out_add(o, ", %s killed%s", w->killed, w->biggest);
	out_add(o, ".");
}

static void say_close_kill(struct out *o, const struct words *w)
{
	out_add(o, "when %s ended at %s, %s left running in it %s killed.", w->session, w->when,
		w->killed[0] ? w->killed : "the processes",
		strcmp(w->killed, "1 process") == 0 ? "was" : "were");
}

/* "cgherd: penalty hog (tier 1 of 2) on your processes until 14:41:
 * cpu_max=30%, because your CPU use was 98.50% of one CPU over 10s, over
 * the threshold of 30%." */
static void say_penalty_start(struct out *o, const struct words *w)
{
	out_add(o, "penalty %s%s on your processes", w->n->penalty, w->tier);
	if (w->until[0])
		out_add(o, " until %s", w->until);
	out_add(o, ": %s", w->n->effect[0] ? w->n->effect : "lower limits");
	if (w->n->why[0])
		out_add(o, ", because %s", w->n->why);
	out_add(o, ".");
}

/* "cgherd: penalty hog (tier 1 of 2) on your processes ended at 14:41
 * (its duration is over): cpu_max=30% is lifted, your limits are back." */
static void say_penalty_end(struct out *o, const struct words *w)
{
	out_add(o, "penalty %s%s on your processes ended at %s", w->n->penalty, w->tier, w->when);
	if (w->n->why[0])
		out_add(o, " (%s)", w->n->why);
	out_add(o, ": ");
	if (w->n->effect[0])
		out_add(o, "%s is lifted, ", w->n->effect);
	out_add(o, "your limits are back.");
}

static bool is_penalty(enum cgh_notice_kind kind)
{
	return kind == CGH_NOTICE_PENALTY_START || kind == CGH_NOTICE_PENALTY_END;
}

static const struct kind_desc {
	const char *name;	/* in the record file: never renamed */
	void (*say)(struct out *o, const struct words *w);
	const char *limit_word;	/* "memory limit" */
} kinds[CGH_NOTICE_KINDS] = {
	[CGH_NOTICE_OOM_GROUP] = { "oom_group", say_oom_group, "its memory limit" },
	[CGH_NOTICE_OOM_KILL] = { "oom_kill", say_oom_kill, "its memory limit" },
	[CGH_NOTICE_PRESSURE] = { "pressure", say_pressure, "its memory.high" },
	[CGH_NOTICE_CLOSE_KILL] = { "close_kill", say_close_kill, "its memory limit" },
	[CGH_NOTICE_PENALTY_START] = { "penalty_start", say_penalty_start, "" },
	[CGH_NOTICE_PENALTY_END] = { "penalty_end", say_penalty_end, "" },
};

const char *cgh_notice_kind_name(enum cgh_notice_kind kind)
{
	return (unsigned)kind < CGH_NOTICE_KINDS ? kinds[kind].name : "?";
}

int cgh_notice_kind_lookup(const char *name)
{
	for (int k = 0; k < CGH_NOTICE_KINDS; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return k;
	return -ENOENT;
}

/* ---- key=value words --------------------------------------------------------------- */

/* Blanks, '%', '=' and bytes outside printable ASCII as %XX. */
static void put_word(struct out *o, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	out_add(o, "%s%s=", o->used ? " " : "", key);
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '%' || *p == '=')
			out_add(o, "%%%02X", *p);
		else
			out_add(o, "%c", *p);
	}
}

static void put_number(struct out *o, const char *key, uint64_t v)
{
	if (v != CGH_UNKNOWN)
		out_add(o, "%s%s=%llu", o->used ? " " : "", key, (unsigned long long)v);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The value in [p, end) unescaped and sanitized into buf.  -EINVAL on a bad
 * escape or one that does not fit. */
static int take_value(const char *p, const char *end, char *buf, size_t len)
{
	char raw[CGH_NOTICE_RECORD_MAX];
	size_t n = 0;

	for (; p < end; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			if (end - p < 3 || hex(p[1]) < 0 || hex(p[2]) < 0)
				return -EINVAL;
			c = hex(p[1]) * 16 + hex(p[2]);
			p += 2;
		}
		if (n + 1 >= sizeof(raw) || n + 1 >= len || c == 0)
			return -EINVAL;
		raw[n++] = (char)c;
	}
	raw[n] = '\0';
	cgh_sanitize(buf, len, raw);
	return 0;
}

static int take_number(const char *p, const char *end, uint64_t *out)
{
	char digits[24];

	if (end - p <= 0 || (size_t)(end - p) >= sizeof(digits))
		return -EINVAL;
	memcpy(digits, p, (size_t)(end - p));
	digits[end - p] = '\0';
	return cgh_parse_u64(digits, out) < 0 ? -EINVAL : 0;
}

/* Calls fn for each "key=value" word of text. */
static int each_word(const char *text, int (*fn)(void *arg, const char *key, size_t klen,
						 const char *v, const char *end), void *arg)
{
	const char *p = text;

	while (*p != '\0' && *p != '\n') {
		const char *end = p + strcspn(p, " \n");
		const char *eq = memchr(p, '=', (size_t)(end - p));
		int r;

		if (eq == NULL || eq == p)
			return -EINVAL;
		r = fn(arg, p, (size_t)(eq - p), eq + 1, end);
		if (r < 0)
			return r;
		p = end + (*end == ' ');
	}
	return 0;
}

static bool is_key(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && strncmp(key, name, klen) == 0;
}

/* ---- the login ---------------------------------------------------------------------- */

static void put_login(struct out *o, const struct cgh_login *l)
{
	put_number(o, "started", l->started ? l->started : CGH_UNKNOWN);
	put_word(o, "service", l->service);
	put_word(o, "tty", l->tty);
	put_word(o, "rhost", l->rhost);
}

int cgh_login_encode(const struct cgh_login *l, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };

	buf[0] = '\0';
	put_login(&o, l);
	return o.full ? -ENOSPC : (int)o.used;
}

/* 1: key is one of the login's, 0: it is not. */
static int take_login(struct cgh_login *l, const char *key, size_t klen, const char *v,
		      const char *end)
{
	int r;

	if (is_key(key, klen, "started"))
		r = take_number(v, end, &l->started);
	else if (is_key(key, klen, "service"))
		r = take_value(v, end, l->service, sizeof(l->service));
	else if (is_key(key, klen, "tty"))
		r = take_value(v, end, l->tty, sizeof(l->tty));
	else if (is_key(key, klen, "rhost"))
		r = take_value(v, end, l->rhost, sizeof(l->rhost));
	else
		return 0;
	return r < 0 ? r : 1;
}

static int login_word(void *arg, const char *key, size_t klen, const char *v, const char *end)
{
	int r = take_login(arg, key, klen, v, end);

	return r < 0 ? r : 0;
}

int cgh_login_decode(const char *text, struct cgh_login *out)
{
	memset(out, 0, sizeof(*out));
	return each_word(text, login_word, out);
}

/* ---- the record ---------------------------------------------------------------------- */

#define RECORD_VERSION 1

int cgh_notice_encode(const struct cgh_notice *n, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len < CGH_NOTICE_RECORD_MAX ? len : CGH_NOTICE_RECORD_MAX };

	buf[0] = '\0';
	if ((unsigned)n->kind >= CGH_NOTICE_KINDS)
		return -EINVAL;
	put_number(&o, "v", RECORD_VERSION);
	put_word(&o, "kind", kinds[n->kind].name);
	put_number(&o, "when", n->when);
	put_number(&o, "uid", n->uid);
	put_word(&o, "leaf", n->leaf);
	put_number(&o, "event", n->event);
	put_login(&o, &n->login);
	put_word(&o, "rule", n->rule);
	put_number(&o, "limit", n->limit);
	put_number(&o, "peak", n->peak);
	put_number(&o, "killed", n->killed);
	put_word(&o, "biggest", n->biggest);
	if (is_penalty(n->kind)) {
		put_word(&o, "penalty", n->penalty);
		put_number(&o, "tier", n->tier);
		put_number(&o, "tiers", n->tiers);
		put_number(&o, "until", n->until);
		put_word(&o, "effect", n->effect);
		put_word(&o, "why", n->why);
	}
	out_add(&o, "\n");
	return o.full ? -ENOSPC : (int)o.used;
}

static int take_penalty(struct cgh_notice *n, const char *key, size_t klen, const char *v,
			const char *end);

struct decoding {
	struct cgh_notice *n;
	bool has_version, has_kind, has_uid;
};

static int record_word(void *arg, const char *key, size_t klen, const char *v, const char *end)
{
	struct decoding *d = arg;
	struct cgh_notice *n = d->n;
	char name[32];
	uint64_t num = 0;
	int r = take_login(&n->login, key, klen, v, end);

	if (r != 0)
		return r < 0 ? r : 0;
	if (is_key(key, klen, "v")) {
		d->has_version = take_number(v, end, &num) == 0 && num == RECORD_VERSION;
		return d->has_version ? 0 : -EINVAL;
	}
	if (is_key(key, klen, "kind")) {
		if (take_value(v, end, name, sizeof(name)) < 0)
			return -EINVAL;
		r = cgh_notice_kind_lookup(name);
		n->kind = (enum cgh_notice_kind)(r < 0 ? 0 : r);
		d->has_kind = true;
		return r < 0 ? -ENOENT : 0;
	}
	if (is_key(key, klen, "uid")) {
		r = take_number(v, end, &num);
		n->uid = (unsigned)num;
		d->has_uid = r == 0 && num <= UINT32_MAX;
		return d->has_uid ? 0 : -EINVAL;
	}
	if (is_key(key, klen, "when"))
		return take_number(v, end, &n->when);
	if (is_key(key, klen, "event"))
		return take_number(v, end, &n->event);
	if (is_key(key, klen, "limit"))
		return take_number(v, end, &n->limit);
	if (is_key(key, klen, "peak"))
		return take_number(v, end, &n->peak);
	if (is_key(key, klen, "killed"))
		return take_number(v, end, &n->killed);
	if (is_key(key, klen, "leaf"))
		return take_value(v, end, n->leaf, sizeof(n->leaf));
	if (is_key(key, klen, "rule"))
		return take_value(v, end, n->rule, sizeof(n->rule));
	if (is_key(key, klen, "biggest"))
		return take_value(v, end, n->biggest, sizeof(n->biggest));
	return take_penalty(n, key, klen, v, end);
}

/* The penalty kinds' words. */
static int take_penalty(struct cgh_notice *n, const char *key, size_t klen, const char *v,
			const char *end)
{
	if (is_key(key, klen, "penalty"))
		return take_value(v, end, n->penalty, sizeof(n->penalty));
	if (is_key(key, klen, "tier"))
		return take_number(v, end, &n->tier);
	if (is_key(key, klen, "tiers"))
		return take_number(v, end, &n->tiers);
	if (is_key(key, klen, "until"))
		return take_number(v, end, &n->until);
	if (is_key(key, klen, "effect"))
		return take_value(v, end, n->effect, sizeof(n->effect));
	if (is_key(key, klen, "why"))
		return take_value(v, end, n->why, sizeof(n->why));
	return 0;	/* a newer writer's field */
}

int cgh_notice_decode(const char *line, struct cgh_notice *out)
{
	struct decoding d = { .n = out };
	int r;

	memset(out, 0, sizeof(*out));
	out->limit = out->peak = out->killed = CGH_UNKNOWN;
	out->tier = out->tiers = out->until = CGH_UNKNOWN;
	if (strlen(line) >= CGH_NOTICE_RECORD_MAX)
		return -EINVAL;
	r = each_word(line, record_word, &d);
	if (r < 0)
		return r;
	return d.has_version && d.has_kind && d.has_uid && out->when != 0 ? 0 : -EINVAL;
}

bool cgh_notice_same(const struct cgh_notice *a, const struct cgh_notice *b)
{
	return a->kind == b->kind && a->uid == b->uid && a->event == b->event &&
	       a->login.started == b->login.started && strcmp(a->leaf, b->leaf) == 0;
}

/* ---- wording ------------------------------------------------------------------------- */

void cgh_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	unsigned __int128 unit = 1024;
	uint64_t tenths;
	int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return;
	}
	while (u < 5 && bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	tenths = (uint64_t)(((unsigned __int128)bytes * 10 + unit / 2) / unit);
	if (tenths % 10 == 0 || tenths >= 1000)
		snprintf(buf, len, "%llu%c", (unsigned long long)((tenths + 5) / 10), units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), units[u]);
}

static void clock_time(uint64_t t, uint64_t now, char *buf, size_t len)
{
	time_t tt = (time_t)t, tn = (time_t)now;
	struct tm a, b;

	if (localtime_r(&tt, &a) == NULL || localtime_r(&tn, &b) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
		strftime(buf, len, "%H:%M", &a);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &a);
}

/* "ssh" for sshd, the service's name otherwise; "login" when unknown. */
static const char *service_word(const char *service)
{
	if (strcmp(service, "sshd") == 0)
		return "ssh";
	return service[0] != '\0' ? service : "login";
}

static void say_session(const struct cgh_notice *n, uint64_t now, char *buf, size_t len)
{
	const struct cgh_login *l = &n->login;
	struct out o = { .buf = buf, .len = len };
	const char *tty = strncmp(l->tty, "/dev/", 5) == 0 ? l->tty + 5 : l->tty;
	char started[24];

	buf[0] = '\0';
	out_add(&o, "your %s session", service_word(l->service));
	if (l->rhost[0] != '\0')
		out_add(&o, " from %s", l->rhost);
	else if (cgh_tty_is_terminal(l->tty))
		out_add(&o, " on %s", tty);
	if (l->started != 0) {
		clock_time(l->started, now, started, sizeof(started));
		out_add(&o, " (started %s)", started);
	}
}

static void prepare(const struct cgh_notice *n, uint64_t now, struct words *w)
{
	char size[16];

	memset(w, 0, sizeof(*w));
	w->n = n;
	say_session(n, now, w->session, sizeof(w->session));
	clock_time(n->when, now, w->when, sizeof(w->when));
	if (n->until != CGH_UNKNOWN && n->until != 0)
		clock_time(n->until, now, w->until, sizeof(w->until));
	if (n->tier != CGH_UNKNOWN && n->tier != 0 && n->tiers != CGH_UNKNOWN && n->tiers > 1)
		snprintf(w->tier, sizeof(w->tier), " (tier %llu of %llu)", (unsigned long long)n->tier,
			 (unsigned long long)n->tiers);
	else if (n->tier != CGH_UNKNOWN && n->tier != 0)
		snprintf(w->tier, sizeof(w->tier), " (tier %llu)", (unsigned long long)n->tier);
	if (n->limit != CGH_UNKNOWN && n->limit != CGH_UNLIMITED) {
		cgh_size_human(n->limit, size, sizeof(size));
		snprintf(w->limit, sizeof(w->limit), "%s of %s", kinds[n->kind].limit_word, size);
	} else {
		snprintf(w->limit, sizeof(w->limit), "%s", kinds[n->kind].limit_word);
	}
	if (n->peak != CGH_UNKNOWN) {
		cgh_size_human(n->peak, size, sizeof(size));
		snprintf(w->peak, sizeof(w->peak), " (peak %s)", size);
	}
	if (n->killed != CGH_UNKNOWN && n->killed != 0)
		snprintf(w->killed, sizeof(w->killed), "%llu process%s", (unsigned long long)n->killed,
			 n->killed == 1 ? "" : "es");
	if (n->biggest[0] != '\0')
		snprintf(w->biggest, sizeof(w->biggest), " (%s%s)",
			 n->killed == 1 ? "" : "biggest: ", n->biggest);
}

void cgh_notice_describe(const struct cgh_notice *n, const char *help, uint64_t now, char *buf,
			 size_t len)
{
	struct out o = { .buf = buf, .len = len };
	struct words w;

	buf[0] = '\0';
	if ((unsigned)n->kind >= CGH_NOTICE_KINDS)
		return;
	prepare(n, now, &w);
	out_add(&o, "cgherd: ");
	kinds[n->kind].say(&o, &w);
	if (n->rule[0] != '\0')
		out_add(&o, " Rule: %s.", n->rule);
	if (help != NULL && help[0] != '\0')
		out_add(&o, " %s", help);
}

bool cgh_tty_is_terminal(const char *tty)
{
	const char *name = strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;

	if (name != tty)
		return name[0] != '\0';
	return strncmp(name, "tty", 3) == 0 || strncmp(name, "pts/", 4) == 0;
}

enum cgh_show cgh_login_shows_notices(const struct cgh_login *l)
{
	static const char *const services[] = CGH_NOTICE_SERVICES;
	bool listed = false;

	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		listed = listed || strcmp(l->service, services[i]) == 0;
	if (listed && strcmp(l->service, "sshd") == 0)
		return CGH_SHOW_KEEP;	/* "ssh", or a pty: a shell or a command may follow */
	return listed && cgh_tty_is_terminal(l->tty) ? CGH_SHOW_TAKE : CGH_SHOW_NONE;
}
