/* Host-side driver for profiling the parts of a login that need no cgroup tree
 * (bench/profile.sh runs it under callgrind):
 *   hostprof -c CONF -u USER [-n N] [-s SERVICE] [-m MODULE] config|identity|match|pam|all
 * config: cgh_config_load N times; identity: the module's user lookup
 * (cgh_session_lookup_user) N times;
 * match: cgh_decide N times on one loaded config and identity; pam: N
 * pam_start + open_session + close_session + pam_end through libpam with the
 * built module (use a config with default_action = "ignore": no cgroup is
 * touched; MODULE "none" loads pam_permit.so instead, for libpam alone).
 * Prints the microseconds per call of each part. */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgh_config.h"
#include "cgh_identity.h"
#include "cgh_match.h"
#include "cgh_session.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "hostprof: %s\n", what);
	exit(1);
}

static struct cgh_config *load(const char *conf)
{
	struct cgh_config *cfg;
	struct cgh_diag diag = { 0 };

	if (cgh_config_load(conf, 0, NULL, 0, &cfg, &diag) < 0)
		die(diag.n ? diag.lines[0] : "config");
	return cfg;
}

static struct cgh_identity *lookup(const struct cgh_config *cfg, const char *user)
{
	struct cgh_identity *id;
	struct cgh_error err = { 0 };

	if (cgh_session_lookup_user(cfg, user, &id, &err) < 0)
		die(err.msg);
	return id;
}

static int no_conv(int n, const struct pam_message **m, struct pam_response **r, void *a)
{
	(void)n;
	(void)m;
	(void)r;
	(void)a;
	return PAM_CONV_ERR;
}

static double pam_pairs(const char *module, const char *conf, const char *user, int n)
{
	char dir[] = "/tmp/hostprof-XXXXXX", path[128];
	struct pam_conv conv = { no_conv, NULL };
	FILE *f;
	double t0;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/hostprof", dir);
	f = fopen(path, "w");
	if (f == NULL)
		die("service file");
	if (strcmp(module, "none") == 0)
		fprintf(f, "session required pam_permit.so\n");
	else
		fprintf(f, "session required %s conf=%s\n", module, conf);
	fclose(f);
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		pam_handle_t *h;
		if (pam_start_confdir("hostprof", user, &conv, dir, &h) != PAM_SUCCESS)
			die("pam_start");
		/* with only an ignoring module in the stack libpam reports an error:
		 * the module did its work all the same */
		(void)pam_open_session(h, 0);
		(void)pam_close_session(h, 0);
		pam_end(h, PAM_SUCCESS);
	}
	t0 = (now_us() - t0) / n;
	unlink(path);
	rmdir(dir);
	return t0;
}

int main(int argc, char **argv)
{
	const char *conf = CGH_DEFAULT_CONF, *user = "alice", *service = "runuser";
	const char *module = "build/pam_cgherd.so";
	int n = 10, c;

	while ((c = getopt(argc, argv, "c:u:n:s:m:")) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'u': user = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 's': service = optarg; break;
		case 'm': module = optarg; break;
		default: die("usage: hostprof -c CONF -u USER [-n N] [-s SERVICE] config|identity|match|pam|all");
		}
	}
	const char *what = optind < argc ? argv[optind] : "all";
	int all = strcmp(what, "all") == 0;

	if (all || strcmp(what, "config") == 0) {
		double t0 = now_us();
		for (int i = 0; i < n; i++)
			cgh_config_free(load(conf));
		printf("config_us=%.1f ", (now_us() - t0) / n);
	}
	if (all || strcmp(what, "identity") == 0) {
		struct cgh_config *cfg = load(conf);
		double t0 = now_us();
		for (int i = 0; i < n; i++)
			cgh_identity_free(lookup(cfg, user));
		printf("identity_us=%.1f ", (now_us() - t0) / n);
		cgh_config_free(cfg);
	}
	if (all || strcmp(what, "match") == 0) {
		struct cgh_config *cfg = load(conf);
		struct cgh_identity *id = lookup(cfg, user);
		struct cgh_decision d;
		double t0 = now_us();
		for (int i = 0; i < n; i++)
			cgh_decide(cfg, id, service, &d);
		printf("match_us=%.1f rule=%s groups=%zu rules=%zu ", (now_us() - t0) / n,
		       d.rule ? d.rule->name : "(none)", id->n_groups, cfg->n_rules);
		cgh_identity_free(id);
		cgh_config_free(cfg);
	}
	if (strcmp(what, "pam") == 0)
		printf("pam_pair_us=%.1f ", pam_pairs(module, conf, user, n));
	printf("\n");
	return 0;
}
