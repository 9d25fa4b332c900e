/*
 * Per-task limits with cgroups: --task-memory and --task-cpus.
 *
 * The pool owns a cgroup, "pooltop.<pid>", made at start under its own
 * cgroup in each hierarchy it needs, and one child per worker slot,
 * "slot.<N>", made with the limits by the slot's worker before its first
 * task.  A task runs in its slot's cgroup, alone: the worker enters the
 * slot's cgroup, spawns the task (which is born there, with everything it
 * will start) and goes back to where it was, so nothing the task does
 * before a later move escapes the limits, and the worker's own memory
 * stays charged where it was.
 *
 * Layout: cgroup v1 (also the v1 side of a hybrid layout, as on machines
 * whose cgroup2 mount has no controller): the "memory" hierarchy for
 * --task-memory (memory.limit_in_bytes, and memory.memsw.limit_in_bytes
 * where swap is accounted), the "cpu" one for --task-cpus
 * (cpu.cfs_quota_us over cpu.cfs_period_us of 100 ms); OOM kills from
 * memory.oom_control's oom_kill.  Which hierarchy holds the controller is
 * read from /proc/self/mountinfo, the pool's place in it from
 * /proc/self/cgroup.  cgroup v2 alone (no v1 hierarchy with the
 * controller) is refused at start, saying so: a v2 cgroup with processes
 * cannot give controllers to its children, and the pool's cgroup would
 * have to be delegated and emptied first.
 *
 * When a cgroup cannot be made or limited, the options fail at start with
 * the reason and what to do; a task never runs without its limits.
 */
#ifndef PT_CGROUP_H
#define PT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_CPU_PERIOD_US	100000	/* --task-cpus: the quota's period */

struct tcg;

/*
 * Make the pool's cgroups for tasks limited to mem bytes (0: no limit)
 * and cpus CPUs (0: no limit).  NULL with the reason in err.
 */
struct tcg	*tcg_new(uint64_t mem, double cpus, char *err, size_t errlen);
/* Remove what was made (the slots' cgroups once their tasks are gone). */
void		 tcg_free(struct tcg *);
/* Where the pool's cgroups are, and the layout ("v1", "v2"), for events. */
const char	*tcg_where(const struct tcg *);
/* Call fn with the pool's cgroup directory in each hierarchy it uses. */
void		 tcg_each_pool(const struct tcg *, void (*fn)(const char *));

/*
 * A worker (forked from the pool): enter slot's cgroup, made with the
 * limits on first use; 0 or an errno.  Then tcg_leave() once the task is
 * spawned.
 */
int		 tcg_enter(struct tcg *, int slot);
void		 tcg_leave(struct tcg *);

/*
 * The process's cgroup in the hierarchy holding controller ctl: cgroup
 * v1 ("memory": the mount with that option), or cgroup v2 with ctl NULL.
 * Its directory in dir and the hierarchy's mount point in mnt; false if
 * there is none.
 */
bool		 cg_dir(const char *ctl, char *dir, size_t, char *mnt, size_t);
/* Does dir/name exist? */
bool		 cg_exists(const char *dir, const char *name);
/*
 * Remove a pool's cgroup directory: its slot.N cgroups, then it (each
 * only once no process is in it).  True when it is gone.
 */
bool		 cg_rmpool(const char *pool);

/* The OOM kills in slot's cgroup so far; false if unknown. */
bool		 tcg_oom_kills(const struct tcg *, int slot, uint64_t *);

#endif
