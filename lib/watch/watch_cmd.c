/* The pure parts of `cgherd watch`: on_oom words, reclaim arithmetic and
 * the notice line.  No I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_value.h"
#include "cgh_watch.h"

#define CMD_WORDS_MAX 64
#define CMD_WORD_MAX 4096

/* ---- on_oom commands ---------------------------------------------------- */

void cgh_cmd_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One word from *p into word (len bytes); quotes removed.  -EINVAL with why. */
static int next_word(const char **p, char *word, size_t len, char *why, size_t wlen)
{
	size_t n = 0;
	char quote = 0;
	const char *s = *p;

	for (; *s != '\0' && (quote != 0 || !is_blank(*s)); s++) {
		if (quote == 0 && (*s == '\'' || *s == '"')) {
			quote = *s;
			continue;
		}
		if (quote != 0 && *s == quote) {
			quote = 0;
			continue;
		}
		if (n + 1 >= len) {
			snprintf(why, wlen, "word longer than %zu characters", len - 1);
			return -EINVAL;
		}
		word[n++] = *s;
	}
	word[n] = '\0';
	*p = s;
	if (quote != 0) {
		snprintf(why, wlen, "unterminated %c quote", quote);
		return -EINVAL;
	}
	return 0;
}

static int check_word(const char *word, char *why, size_t wlen)
{
	for (const char *q = strchr(word, '%'); q != NULL; q = strchr(q + 2, '%')) {
		if (q[1] == '\0' || strchr("uUsr%", q[1]) == NULL) {
			snprintf(why, wlen, "unknown sequence %%%.1s (use %%u %%U %%s %%r %%%%)", q + 1);
			return -EINVAL;
		}
	}
	for (const char *q = word; *q != '\0'; q++) {
		if ((unsigned char)*q < 0x20) {
			snprintf(why, wlen, "control character in the command");
			return -EINVAL;
		}
	}
	return 0;
}

static int split_words(const char *text, char **argv, size_t *n, char *why, size_t wlen)
{
	char word[CMD_WORD_MAX];
	const char *p = text;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return 0;
		if (*n + 1 >= CMD_WORDS_MAX) {
			snprintf(why, wlen, "more than %d words", CMD_WORDS_MAX - 1);
			return -EINVAL;
		}
		if (next_word(&p, word, sizeof(word), why, wlen) < 0 ||
		    check_word(word, why, wlen) < 0)
			return -EINVAL;
		argv[*n] = strdup(word);
		if (argv[*n] == NULL) {
			snprintf(why, wlen, "out of memory");
			return -ENOMEM;
		}
		(*n)++;
	}
}

int cgh_cmd_split(const char *text, char ***out, char *why, size_t len)
{
	char **argv = calloc(CMD_WORDS_MAX, sizeof(*argv));
	size_t n = 0;
	int r;

	*out = NULL;
	if (argv == NULL) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	r = split_words(text, argv, &n, why, len);
	if (r == 0 && n == 0) {
		snprintf(why, len, "empty command");
		r = -EINVAL;
	} else if (r == 0 && argv[0][0] != '/') {
		snprintf(why, len, "\"%.200s\" is not an absolute path (the command runs without a shell or PATH)",
			 argv[0]);
		r = -EINVAL;
	}
	if (r < 0) {
		cgh_cmd_free(argv);
		return r;
	}
	*out = argv;
	return 0;
}

static void append(char *buf, size_t len, size_t *used, const char *s)
{
	int n = snprintf(buf + *used, len - *used, "%s", s);

	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

static char *expand_word(const char *w, const struct cgh_cmd_vars *v)
{
	char buf[CMD_WORD_MAX * 2], uid[16];
	size_t used = 0;
	char one[2] = { 0, 0 };

	snprintf(uid, sizeof(uid), "%u", v->uid);
	buf[0] = '\0';
	for (const char *p = w; *p != '\0'; p++) {
		const char *sub = NULL;
		if (*p == '%' && p[1] != '\0') {
			switch (p[1]) {
			case 'u': sub = v->user; break;
			case 'U': sub = uid; break;
			case 's': sub = v->leaf; break;
			case 'r': sub = v->rule; break;
			default: sub = "%"; break;
			}
			p++;
		} else {
			one[0] = *p;
			sub = one;
		}
		append(buf, sizeof(buf), &used, sub != NULL ? sub : "");
	}
	return strdup(buf);
}

int cgh_cmd_expand(char *const *tmpl, const struct cgh_cmd_vars *v, char ***out)
{
	size_t n = 0;
	char **argv;

	while (tmpl[n] != NULL)
		n++;
	*out = NULL;
	argv = calloc(n + 1, sizeof(*argv));
	if (argv == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		argv[i] = expand_word(tmpl[i], v);
		if (argv[i] == NULL) {
			cgh_cmd_free(argv);
			return -ENOMEM;
		}
	}
	*out = argv;
	return 0;
}

/* ---- reclaim ------------------------------------------------------------ */

uint64_t cgh_reclaim_threshold(const struct cgh_watch_config *w, uint64_t memory_max)
{
	if (w->reclaim_bytes != 0)
		return w->reclaim_bytes;
	if (w->reclaim_percent == 0 || memory_max == CGH_UNLIMITED || memory_max == CGH_UNKNOWN ||
	    memory_max == 0)
		return 0;
	/* no overflow: memory_max / 100 * percent, plus the remainder's share */
	return memory_max / 100u * w->reclaim_percent + memory_max % 100u * w->reclaim_percent / 100u;
}

uint64_t cgh_reclaim_excess(uint64_t file, uint64_t threshold)
{
	if (threshold == 0 || file == CGH_UNKNOWN || file <= threshold)
		return 0;
	return file - threshold;
}

bool cgh_reclaim_due(uint64_t last_ms, uint64_t now_ms, unsigned cooldown)
{
	return last_ms == 0 || now_ms >= last_ms + (uint64_t)cooldown * 1000u;
}

/* ---- the notice line ------------------------------------------------------ */

static void figure(char *buf, size_t len, uint64_t v)
{
	cgh_format_count(v, CGH_UNKNOWN, "?", buf, len);
}

void cgh_oom_notice_format(const struct cgh_oom_notice *n, char *buf, size_t len)
{
	char max[24], peak[24], biggest[96];

	figure(max, sizeof(max), n->memory_max);
	figure(peak, sizeof(peak), n->memory_peak);
	if (n->biggest_pid > 0)
		snprintf(biggest, sizeof(biggest), "%.32s[%d]:%llu", n->biggest_comm,
			 (int)n->biggest_pid, (unsigned long long)n->biggest_rss);
	else
		snprintf(biggest, sizeof(biggest), "unknown");
	snprintf(buf, len,
		 "oom-kill user=%s uid=%u leaf=%s rule=%s memory.max=%s memory.peak=%s oom_kill=%llu(+%llu) oom_group_kill=%llu(+%llu) biggest=%s",
		 n->user, n->uid, n->leaf, n->rule, max, peak, (unsigned long long)n->oom_kill,
		 (unsigned long long)n->new_kills, (unsigned long long)n->oom_group_kill,
		 (unsigned long long)n->new_group_kills, biggest);
}
