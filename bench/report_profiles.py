"""The py-spy profiles as Markdown: this run's stages and hottest functions beside the baseline's."""
from bench.profile import Profile


def profiles(now: list[Profile], before: dict[str, Profile]) -> list[str]:
    return [line for p in now for line in _profile(p, before.get(p.role))]


def _profile(p: Profile, was: Profile | None) -> list[str]:
    head = [f"## Profile: {p.role}", ""]
    if p.error:
        return head + [f"Not recorded: {p.error}.", ""]
    was = was if was and not was.error else None
    stages = dict(p.stages)
    old = dict(was.stages) if was else {}
    labels = list(stages) + [label for label in old if label not in stages]
    return head + [
        f"py-spy (200 Hz, the thread holding the GIL, both web workers) while {p.load} on "
        f"the {p.role.split(',')[0]}; {p.samples} samples" + (f" ({was.samples} before)" if was else "")
        + ". Share of samples whose stack is inside each stage:", "",
        "| stage | % before | % now |" if was else "| stage | % of samples |", "|---|---|---|" if was else "|---|---|",
        *[f"| {label} | " + (f"{_pct(old.get(label))} | " if was else "") + f"{_pct(stages.get(label))} |"
          for label in labels], "",
        "Functions where the samples were (self time), now" + (" and before" if was else "") + ":", "",
        *_functions(p.top_self, was.top_self if was else None), "",
    ]


def _functions(now: list, before: list | None) -> list[str]:
    if before is None:
        return ["| function | % |", "|---|---|", *[f"| `{name}` | {share:.1f} |" for name, share in now]]
    rows = ["| # | now | % | before | % |", "|---|---|---|---|---|"]
    for i in range(max(len(now), len(before))):
        a, b = (now[i] if i < len(now) else ("", None)), (before[i] if i < len(before) else ("", None))
        rows.append(f"| {i + 1} | {_code(a[0])} | {_pct(a[1])} | {_code(b[0])} | {_pct(b[1])} |")
    return rows


def _code(name: str) -> str:
    return f"`{name}`" if name else ""


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.1f}"
