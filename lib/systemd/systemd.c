/* sd-bus calls of the systemd backend; built without libsystemd, every call
 * says so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_systemd.h"

#ifdef CGH_HAVE_SYSTEMD
#include <dlfcn.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define LIBSYSTEMD "libsystemd.so.0"

/* libsystemd is loaded only when the systemd backend is used: linked into
 * the module, its relocation alone cost every login (every PAM service that
 * stacks the module) about a million instructions. */
struct sdbus {
	void *lib;
	__typeof__(sd_bus_open_system) *open_system;
	__typeof__(sd_bus_set_method_call_timeout) *set_timeout;
	__typeof__(sd_bus_message_new_method_call) *new_call;
	__typeof__(sd_bus_message_append) *append;
	__typeof__(sd_bus_message_open_container) *open_container;
	__typeof__(sd_bus_message_close_container) *close_container;
	__typeof__(sd_bus_call) *call;
	__typeof__(sd_bus_get_property_string) *get_string;
	__typeof__(sd_bus_message_unref) *message_unref;
	__typeof__(sd_bus_flush_close_unref) *close_unref;
	__typeof__(sd_bus_error_free) *error_free;
	__typeof__(sd_bus_path_encode) *path_encode;
	__typeof__(sd_bus_get_property_trivial) *get_trivial;
	sd_bus *bus;
};

bool cgh_systemd_available(void)
{
	return true;
}

static void *sym(struct sdbus *b, const char *name)
{
	return dlsym(b->lib, name);
}

static void close_bus(struct sdbus *b)
{
	if (b->bus != NULL)
		b->close_unref(b->bus);
	if (b->lib != NULL)
		dlclose(b->lib);
	b->bus = NULL;
	b->lib = NULL;
}

static int load_sdbus(struct sdbus *b, struct cgh_error *err)
{
	b->lib = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	if (b->lib == NULL)
		return cgh_fail_msg(err, ENOENT, "cannot load %s: %s", LIBSYSTEMD, dlerror());
	*(void **)&b->open_system = sym(b, "sd_bus_open_system");
	*(void **)&b->set_timeout = sym(b, "sd_bus_set_method_call_timeout");
	*(void **)&b->new_call = sym(b, "sd_bus_message_new_method_call");
	*(void **)&b->append = sym(b, "sd_bus_message_append");
	*(void **)&b->open_container = sym(b, "sd_bus_message_open_container");
	*(void **)&b->close_container = sym(b, "sd_bus_message_close_container");
	*(void **)&b->call = sym(b, "sd_bus_call");
	*(void **)&b->get_string = sym(b, "sd_bus_get_property_string");
	*(void **)&b->message_unref = sym(b, "sd_bus_message_unref");
	*(void **)&b->close_unref = sym(b, "sd_bus_flush_close_unref");
	*(void **)&b->error_free = sym(b, "sd_bus_error_free");
	*(void **)&b->path_encode = sym(b, "sd_bus_path_encode");
	*(void **)&b->get_trivial = sym(b, "sd_bus_get_property_trivial");
	if (!b->open_system || !b->set_timeout || !b->new_call || !b->append ||
	    !b->open_container || !b->close_container || !b->call || !b->get_string ||
	    !b->message_unref || !b->close_unref || !b->error_free || !b->path_encode ||
	    !b->get_trivial) {
		dlclose(b->lib);
		b->lib = NULL;
		return cgh_fail_msg(err, ENOSYS, "%s lacks the sd-bus calls needed (systemd 240 or later)",
				    LIBSYSTEMD);
	}
	return 0;
}

static int open_bus(struct sdbus *b, unsigned timeout_ms, struct cgh_error *err)
{
	int r = load_sdbus(b, err);

	if (r < 0 || b->open_system == NULL || b->set_timeout == NULL)
		return r < 0 ? r : -ENOSYS;
	r = b->open_system(&b->bus);
	if (r < 0) {
		b->bus = NULL;
		cgh_fail(err, -r, "cannot connect to the system bus");
	} else if ((r = b->set_timeout(b->bus, (uint64_t)timeout_ms * 1000u)) < 0) {
		cgh_fail(err, -r, "cannot set the bus timeout");
	}
	if (r < 0)
		close_bus(b);
	return r < 0 ? r : 0;
}

static int append_properties(struct sdbus *b, sd_bus_message *m,
			     const struct cgh_unit_property *props, size_t n)
{
	int r = b->open_container(m, 'a', "(sv)");

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = b->append(m, "(sv)", props[i].name, "t", props[i].value);
	if (r >= 0)
		r = b->close_container(m);
	return r;
}

static int call_set(struct sdbus *b, const struct cgh_unit_change *c, struct cgh_error *err)
{
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = b->new_call(b->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "SetUnitProperties");

	if (r >= 0)
		r = b->append(m, "sb", c->unit, 1);
	if (r >= 0)
		r = append_properties(b, m, c->props, c->n);
	if (r < 0) {
		cgh_fail(err, -r, "building SetUnitProperties for %s", c->unit);
		goto done;
	}
	r = b->call(b->bus, m, 0, &e, NULL);
	if (r < 0)
		cgh_fail_msg(err, -r, "SetUnitProperties %s: %s", c->unit,
			     e.message ? e.message : strerror(-r));
done:
	b->error_free(&e);
	if (m != NULL)
		b->message_unref(m);
	return r < 0 ? r : 0;
}

/* cgh_systemd_set_units once some change has properties. */
static int set_units_on_bus(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			    size_t *done, struct cgh_error *err)
{
	struct sdbus b = { 0 };
	int r = open_bus(&b, timeout_ms, err);

	for (; r == 0 && *done < n; (*done)++)
		if (c[*done].n > 0 && (r = call_set(&b, &c[*done], err)) < 0)
			break;
	close_bus(&b);	/* (nothing left to close when open_bus failed) */
	return r;
}

int cgh_systemd_get_properties(const char *unit, const char *iface, const char *const *names,
			       uint64_t *values, size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	struct sdbus b = { 0 };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *path = NULL;
	int r = open_bus(&b, timeout_ms, err);

	if (r < 0)
		return r;
	r = b.path_encode(SYSTEMD_PATH "/unit", unit, &path);
	if (r < 0)
		cgh_fail(err, -r, "the object path of %s", unit);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = b.get_trivial(b.bus, SYSTEMD_DEST, path, iface, names[i], &e, 't', &values[i]);
		if (r < 0)
			cgh_fail_msg(err, -r, "reading %s's %s: %s", unit, names[i],
				     e.message ? e.message : strerror(-r));
	}
	free(path);
	b.error_free(&e);
	close_bus(&b);
	return r < 0 ? r : 0;
}

int cgh_systemd_version(unsigned timeout_ms, struct cgh_error *err)
{
	struct sdbus b = { 0 };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *version = NULL;
	int r = open_bus(&b, timeout_ms, err);

	if (r < 0)
		return r;
	r = b.get_string(b.bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Version", &e, &version);
	if (r < 0)
		cgh_fail_msg(err, -r, "reading systemd's Version: %s", e.message ? e.message : strerror(-r));
	else
		r = atoi(version);	/* "252.39-1~deb12u2" -> 252 */
	free(version);
	b.error_free(&e);
	close_bus(&b);
	return r;
}

#else /* !CGH_HAVE_SYSTEMD */

bool cgh_systemd_available(void)
{
	return false;
}

static int set_units_on_bus(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			    size_t *done, struct cgh_error *err)
{
	(void)n;
	(void)timeout_ms;
	return cgh_fail_msg(err, EOPNOTSUPP, "cannot set properties of %s: built without libsystemd",
			    c[*done].unit);
}

int cgh_systemd_get_properties(const char *unit, const char *iface, const char *const *names,
			       uint64_t *values, size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	(void)iface;
	(void)names;
	(void)values;
	(void)n;
	(void)timeout_ms;
	return cgh_fail_msg(err, EOPNOTSUPP, "cannot read properties of %s: built without libsystemd",
			    unit);
}

int cgh_systemd_version(unsigned timeout_ms, struct cgh_error *err)
{
	(void)timeout_ms;
	return cgh_fail_msg(err, EOPNOTSUPP, "built without libsystemd");
}

#endif

int cgh_systemd_set_units(const struct cgh_unit_change *c, size_t n, unsigned timeout_ms,
			  size_t *done, struct cgh_error *err)
{
	/* changes without properties are no calls: none at all, no bus */
	for (*done = 0; *done < n && c[*done].n == 0; (*done)++)
		;
	return *done == n ? 0 : set_units_on_bus(c, n, timeout_ms, done, err);
}

int cgh_systemd_set_properties(const char *unit, const struct cgh_unit_property *props,
			       size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	const struct cgh_unit_change one = { .unit = unit, .props = props, .n = n };
	size_t done;

	return cgh_systemd_set_units(&one, 1, timeout_ms, &done, err);
}
