/* Policy: which rule a session falls under and what it gets.  Pure: no I/O,
 * no allocation; the decision points into the config. */
#ifndef CGH_MATCH_H
#define CGH_MATCH_H

#include "cgh_config.h"
#include "cgh_identity.h"

struct cgh_decision {
	const struct cgh_rule *rule;	/* NULL: no rule matched */
	size_t index;			/* of rule in the file's rules list */
	enum cgh_action action;
	struct cgh_limits session;	/* top-level values, then the rule's */
	struct cgh_limits user;
};

/* Every list m sets holds the user (service: NULL matches no service list). */
bool cgh_match_matches(const struct cgh_match *m, const struct cgh_identity *id,
		       const char *service);

bool cgh_rule_matches(const struct cgh_rule *rule, const struct cgh_identity *id,
		      const char *service);

/* First matching rule wins; none: cfg->default_action with top-level limits. */
void cgh_decide(const struct cgh_config *cfg, const struct cgh_identity *id,
		const char *service, struct cgh_decision *out);

/* The group names the rules match on, in rule order (repeats included), up
 * to max of them in out; returns how many there are in all, so that a
 * caller can tell whether out holds them all. */
size_t cgh_rule_group_names(const struct cgh_config *cfg, const char **out, size_t max);

#endif
