"""CPU time per process group from /proc, so a run can say where its CPU went (and how much other
processes on the machine took: the noise)."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
OTHER = "other processes"
REDIS = "Redis server"


def snapshot() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, user + system ticks, command line) for every process."""
    processes = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        processes[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]), command)
    return processes


def spent(before: dict, after: dict, roots: dict[int, str], databases: dict[str, str]) -> dict[str, float]:
    """CPU seconds spent between two snapshots, by group: each root's process tree, PostgreSQL backends
    by database name fragment, and everything else. Children's CPU reaped in between is not seen."""
    groups: dict[str, float] = {}
    for pid, (_, ticks, command) in after.items():
        delta = ticks - before.get(pid, (0, 0, ""))[1] if before.get(pid, (0, 0, command))[2] == command else ticks
        if delta > 0:
            group = _group(pid, after, roots, databases)
            groups[group] = groups.get(group, 0.0) + delta / TICKS
    return groups


def _group(pid: int, processes: dict, roots: dict[int, str], databases: dict[str, str]) -> str:
    seen = pid
    for _ in range(16):
        if seen in roots:
            return roots[seen]
        if seen not in processes or seen <= 1:
            break
        seen = processes[seen][0]
    command = processes[pid][2]
    if command.startswith("redis-server"):
        return REDIS
    if command.startswith("postgres"):
        return next((group for fragment, group in databases.items() if fragment in command), OTHER)
    return OTHER


def busiest_child_share(before: dict, after: dict, parent: int) -> float:
    """The busiest child's share of the CPU all of `parent`'s children spent between two snapshots:
    1/n when n workers share the load evenly, 1.0 when one worker did all of it (nan if idle)."""
    spent = [ticks - before.get(pid, (0, 0, ""))[1] for pid, (ppid, ticks, _) in after.items() if ppid == parent]
    return max(spent) / sum(spent) if spent and sum(spent) > 0 else float("nan")
