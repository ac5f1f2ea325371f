#!/bin/sh
# cginfo.sh: run inside a session; prints the caller's cgroup and the limits of its
# leaf and of the leaf's parent (user-<uid>) as key=value lines.
cg=$(sed -n 's/^0:://p' /proc/$$/cgroup)
echo "cgroup=$cg"
d=/sys/fs/cgroup$cg
for f in memory.max memory.high memory.swap.max memory.oom.group cpu.max cpu.weight pids.max; do
	v=$(cat "$d/$f" 2>/dev/null | tr ' ' '_')
	echo "leaf.$f=${v:-none}"
done
p=${d%/*}
for f in memory.max memory.high memory.swap.max cpu.max cpu.weight pids.max; do
	v=$(cat "$p/$f" 2>/dev/null | tr ' ' '_')
	echo "user.$f=${v:-none}"
done
