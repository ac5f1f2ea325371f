#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgh_log.h"

static int vfail(struct cgh_error *err, int code, bool with_cause,
		 const char *fmt, va_list ap)
{
	if (code <= 0)
		code = EIO;
	if (err == NULL || err->code != 0)
		return -code;

	char what[sizeof(err->msg)];
	vsnprintf(what, sizeof(what), fmt, ap);
	if (with_cause)
		snprintf(err->msg, sizeof(err->msg), "%.640s: %s", what, strerror(code));
	else
		snprintf(err->msg, sizeof(err->msg), "%s", what);
	err->code = code;
	return -code;
}

int cgh_fail(struct cgh_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vfail(err, code, true, fmt, ap);
	va_end(ap);
	return r;
}

int cgh_fail_msg(struct cgh_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vfail(err, code, false, fmt, ap);
	va_end(ap);
	return r;
}

void cgh_error_clear(struct cgh_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

void cgh_logf(const struct cgh_log *log, int priority, const char *fmt, ...)
{
	if (log == NULL || log->fn == NULL)
		return;
	if (priority == LOG_DEBUG && !log->debug)
		return;

	int saved_errno = errno;
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log->fn(log->arg, priority, line);
	errno = saved_errno;
}

void cgh_sanitize(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	if (len == 0)
		return;
	for (; src != NULL && src[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (char)((c < 0x20 || c >= 0x7f) ? '?' : c);
	}
	dst[i] = '\0';
}
