#include <string.h>

#include "cgh_match.h"

static bool list_has(const struct cgh_strlist *list, const char *name)
{
	for (size_t i = 0; name != NULL && i < list->n; i++)
		if (strcmp(list->v[i], name) == 0)
			return true;
	return false;
}

/* O(wanted x log groups): users in hundreds of groups are common on HPC. */
static bool any_group(const struct cgh_strlist *wanted, const struct cgh_identity *id)
{
	for (size_t i = 0; i < wanted->n; i++)
		if (cgh_identity_in_group(id, wanted->v[i]))
			return true;
	return false;
}

static bool uid_in(const struct cgh_match *m, uid_t uid)
{
	for (size_t i = 0; i < m->n_uids; i++)
		if (uid >= m->uids[i].lo && uid <= m->uids[i].hi)
			return true;
	return false;
}

bool cgh_match_matches(const struct cgh_match *m, const struct cgh_identity *id,
		       const char *service)
{
	if (m->users.n > 0 && !list_has(&m->users, id->user))
		return false;
	if (m->groups.n > 0 && !any_group(&m->groups, id))
		return false;
	if (m->n_uids > 0 && !uid_in(m, id->uid))
		return false;
	if (m->services.n > 0 && !list_has(&m->services, service))
		return false;
	return true;
}

bool cgh_rule_matches(const struct cgh_rule *rule, const struct cgh_identity *id,
		      const char *service)
{
	return cgh_match_matches(&rule->match, id, service);
}

void cgh_decide(const struct cgh_config *cfg, const struct cgh_identity *id,
		const char *service, struct cgh_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->action = cfg->default_action;
	out->session = cfg->session;
	out->user = cfg->user;
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const struct cgh_rule *rule = &cfg->rules[i];
		if (!cgh_rule_matches(rule, id, service))
			continue;
		out->rule = rule;
		out->index = rule->index;
		out->action = rule->action;
		cgh_limits_merge(&out->session, &rule->session);
		cgh_limits_merge(&out->user, &rule->user);
		return;
	}
}

size_t cgh_rule_group_names(const struct cgh_config *cfg, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_rules; i++) {
		const struct cgh_strlist *g = &cfg->rules[i].match.groups;
		for (size_t j = 0; j < g->n; j++, n++)
			if (n < max)
				out[n] = g->v[j];
	}
	return n;
}
