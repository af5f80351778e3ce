"""Link health of the sources (`claimsite sources check`): polite fetching (`fetch`), a verdict per
address from recorded responses alone (`classify`), the state kept between runs (`state`), the
problems and suggested edits of each source (`check`) and the edits as a patch (`patch`).

Only `claimsite sources check` imports this package (it needs the HTTP client); the rules it reports
are declared in `claimsite.rules.links`, so the methodology page lists them without it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from claimsite.linkcheck.check import LinkReport, run_check
from claimsite.linkcheck.fetch import DEFAULT_SETTINGS, FetchSettings
from claimsite.linkcheck.patch import make_patch
from claimsite.linkstate import DEFAULT_STATE, LinkState
from claimsite.project import load_project
from claimsite.rules import DEFAULT_RULES, RuleConfig
from claimsite.text import visible
from claimsite.vocab import LinkStatus

__all__ = ["DEFAULT_STATE", "FetchSettings", "LinkReport", "LinkState", "check_sources", "notes", "summary"]


def check_sources(
    paths: Sequence[Path],
    state_path: Path = DEFAULT_STATE,
    settings: FetchSettings = DEFAULT_SETTINGS,
    *,
    rules: RuleConfig = DEFAULT_RULES,
    find_archives: str | None = None,
) -> LinkReport:
    """Check every address of the sources under `paths`, and record the run in the state file.

    The state is read before anything is fetched (a file it cannot read stops the run) and written
    once, at the end, unless the run never reached the network. `find_archives` is the URL of a
    Wayback availability API to ask for captures of sources that have no archived copy."""
    project = load_project(list(paths))
    state = LinkState.read(state_path)
    now = dt.datetime.now(dt.UTC)
    report = asyncio.run(run_check(project, state, settings, now=now, find_archives=find_archives))
    report.problems = rules.apply(report.problems)
    if report.recorded:
        state.write(state_path)
    return report


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _counted(counts: Counter[LinkStatus]) -> str:
    return ", ".join(f"{counts[status]} {status}" for status in LinkStatus if counts[status]) or "none"


def summary(report: LinkReport) -> str:
    """The closing line: addresses and archived copies by status, then the problems."""
    addresses, archives = report.counts(), report.counts(archive=True)
    addressed = _n(sum(addresses.values()), "address", "addresses")
    parts = [f"{addressed} of {_n(len(report.citations), 'source')} ({_counted(addresses)})"]
    if archives:
        parts.append(f"{_n(sum(archives.values()), 'archived copy', 'archived copies')} ({_counted(archives)})")
    errors = len(report.errors())
    warnings = len(report.problems) - errors
    files = len({p.path for p in report.problems})
    if report.problems:
        parts.append(f"{_n(errors, 'error')}, {_n(warnings, 'warning')} in {_n(files, 'file')}")
    else:
        parts.append("no problems")
    return "; ".join(parts)


def notes(report: LinkReport, state_path: Path, patch_path: Path | None) -> list[str]:
    """What else a person should know: skipped files, the state file, where the suggested edits went."""
    lines = []
    if report.skipped_files:
        shown = ", ".join(visible(path) for path in report.skipped_files[:5])
        more = f" and {len(report.skipped_files) - 5} more" if len(report.skipped_files) > 5 else ""
        lines.append(f"not checked (claimsite check refuses them): {shown}{more}")
    if report.recorded:
        lines.append(f"link state: {visible(str(state_path))} (updated)")
    else:
        lines.append(
            f"link state: {visible(str(state_path))} not updated: every address failed with a network error, "
            "so this run says nothing about the sources (is this machine offline?)"
        )
    edits = len(report.edits)
    if edits and patch_path is None:
        lines.append(f"{_n(edits, 'suggested edit')} of the claim files; write them as a patch with --patch FILE")
    elif patch_path is not None:
        files = len({edit.path for edit in report.edits})
        written = f"{_n(edits, 'suggested edit')} in {_n(files, 'file')}" if edits else "no suggested edits"
        lines.append(f"{written}: {visible(str(patch_path))} (apply with: git apply {visible(str(patch_path))})")
    return lines


def write_patch(report: LinkReport, path: Path) -> list[str]:
    """Write the suggested edits to `path` as a unified diff (an empty file when there are none);
    return a note for each edit that could not be made as a line edit."""
    text, skipped = make_patch(report.edits)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return [
        f"{visible(edit.path)}: {'.'.join(map(str, edit.item))}: set {edit.key}: {visible(edit.value)} by hand "
        "(the source is not written one key per line)"
        for edit in skipped
    ]
