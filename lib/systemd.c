/* sd-bus calls of the systemd backend; built without libsystemd, every call
 * says so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgh_systemd.h"

#ifdef CGH_HAVE_SYSTEMD
#include <systemd/sd-bus.h>

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

bool cgh_systemd_available(void)
{
	return true;
}

static int open_bus(sd_bus **bus, unsigned timeout_ms, struct cgh_error *err)
{
	int r = sd_bus_open_system(bus);

	if (r < 0)
		return cgh_fail(err, -r, "cannot connect to the system bus");
	r = sd_bus_set_method_call_timeout(*bus, (uint64_t)timeout_ms * 1000u);
	if (r < 0) {
		*bus = sd_bus_flush_close_unref(*bus);
		return cgh_fail(err, -r, "cannot set the bus timeout");
	}
	return 0;
}

static int append_properties(sd_bus_message *m, const struct cgh_unit_property *props, size_t n)
{
	int r = sd_bus_message_open_container(m, 'a', "(sv)");

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(m, "(sv)", props[i].name, "t", props[i].value);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

int cgh_systemd_set_properties(const char *unit, const struct cgh_unit_property *props,
			       size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = open_bus(&bus, timeout_ms, err);

	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
					   "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = append_properties(m, props, n);
	if (r < 0) {
		cgh_fail(err, -r, "building SetUnitProperties for %s", unit);
		goto done;
	}
	r = sd_bus_call(bus, m, 0, &e, NULL);
	if (r < 0)
		cgh_fail_msg(err, -r, "SetUnitProperties %s: %s", unit,
			     e.message ? e.message : strerror(-r));
done:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}

int cgh_systemd_version(unsigned timeout_ms, struct cgh_error *err)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *version = NULL;
	int r = open_bus(&bus, timeout_ms, err);

	if (r < 0)
		return r;
	r = sd_bus_get_property_string(bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Version",
				       &e, &version);
	if (r < 0)
		cgh_fail_msg(err, -r, "reading systemd's Version: %s", e.message ? e.message : strerror(-r));
	else
		r = atoi(version);	/* "252.39-1~deb12u2" -> 252 */
	free(version);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
	return r;
}

#else /* !CGH_HAVE_SYSTEMD */

bool cgh_systemd_available(void)
{
	return false;
}

int cgh_systemd_set_properties(const char *unit, const struct cgh_unit_property *props,
			       size_t n, unsigned timeout_ms, struct cgh_error *err)
{
	(void)props;
	(void)n;
	(void)timeout_ms;
	return cgh_fail_msg(err, EOPNOTSUPP, "cannot set properties of %s: built without libsystemd",
			    unit);
}

int cgh_systemd_version(unsigned timeout_ms, struct cgh_error *err)
{
	(void)timeout_ms;
	return cgh_fail_msg(err, EOPNOTSUPP, "built without libsystemd");
}

#endif
