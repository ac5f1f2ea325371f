/* Resource limits: one table maps each config key to its cgroup file and
 * controller, so the loader, the writer and the explainer agree. */
#ifndef CGH_LIMITS_H
#define CGH_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cgh_limit_key {
	CGH_MEMORY_MAX,
	CGH_MEMORY_HIGH,
	CGH_MEMORY_SWAP_MAX,
	CGH_CPU_MAX,
	CGH_CPU_WEIGHT,
	CGH_PIDS_MAX,
	CGH_OOM_GROUP,
	CGH_N_LIMITS
};

enum cgh_limit_kind { CGH_KIND_SIZE, CGH_KIND_CPU, CGH_KIND_WEIGHT, CGH_KIND_PIDS, CGH_KIND_BOOL };

#define CGH_CTRL_CPU (1u << 0)
#define CGH_CTRL_MEMORY (1u << 1)
#define CGH_CTRL_PIDS (1u << 2)
#define CGH_CTRL_ALL (CGH_CTRL_CPU | CGH_CTRL_MEMORY | CGH_CTRL_PIDS)

struct cgh_limit_desc {
	const char *key;	/* in cgherd.conf */
	const char *file;	/* in the cgroup directory */
	unsigned controller;	/* CGH_CTRL_* */
	enum cgh_limit_kind kind;
};

struct cgh_limits {
	unsigned set;			/* bit (1 << key) for each key given */
	uint64_t value[CGH_N_LIMITS];	/* CGH_UNLIMITED for "max"; cpu_max: quota */
	uint64_t cpu_period;		/* µs, with CGH_CPU_MAX */
};

extern const struct cgh_limit_desc cgh_limit_table[CGH_N_LIMITS];

/* The key named name, or -1. */
int cgh_limit_lookup(const char *name);

bool cgh_limits_has(const struct cgh_limits *l, enum cgh_limit_key key);
void cgh_limits_set(struct cgh_limits *l, enum cgh_limit_key key, uint64_t value);

/* Keys set in over replace those in dst. */
void cgh_limits_merge(struct cgh_limits *dst, const struct cgh_limits *over);

/* The controllers the set keys need; oom_group = false needs none. */
unsigned cgh_limits_controllers(const struct cgh_limits *l);

/* Text for the key's cgroup file ("524288000", "20000 100000", "max", "1"). */
void cgh_limit_file_value(const struct cgh_limits *l, enum cgh_limit_key key,
			  char *buf, size_t len);

/* The same value in the units of cgherd.conf ("500M", "20%", "max"). */
void cgh_limit_human_value(const struct cgh_limits *l, enum cgh_limit_key key,
			   char *buf, size_t len);

/* "memory.max=524288000 cpu.max=20000 100000 ..." for log lines. */
void cgh_limits_describe(const struct cgh_limits *l, char *buf, size_t len);

/* Controller names ("cpu", "memory", "pids") from a mask, space separated,
 * each preceded by prefix ("+" for cgroup.subtree_control, "" otherwise). */
void cgh_controllers_format(unsigned mask, const char *prefix, char *buf, size_t len);

/* The mask of the controllers listed in a cgroup.controllers line. */
unsigned cgh_controllers_parse(const char *text);

#endif
