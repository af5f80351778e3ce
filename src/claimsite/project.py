"""Loading a whole claims folder: every file checked on its own (in worker processes when there are
many), then the rules across files. Never raises on bad input: problems are values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from claimsite.checks import check_claim
from claimsite.load import SYMLINK_MESSAGE, Loc, iter_yaml_files, parse_file
from claimsite.model import ENTITY_FOLDER, ID_RE, Claim, Entity, EntityKind, Loaded
from claimsite.problems import Problem, Severity
from claimsite.validate import validate


@dataclass
class Project:
    """Every claim and entity that loaded, and every problem found on the way."""

    claims: dict[str, Loaded[Claim]] = field(default_factory=dict)
    """The claims, when loaded with `keep_records` (the default); empty for a check-only run."""
    entities: dict[str, Loaded[Entity]] = field(default_factory=dict)
    """The entities, when loaded with `keep_records`."""
    problems: list[Problem] = field(default_factory=list)
    claim_count: int = 0
    entity_count: int = 0
    broken_ids: set[str] = field(default_factory=set)
    """Ids of files that exist but failed to load; references to them are not reported again."""

    def errors(self, *, strict: bool = False) -> list[Problem]:
        """Problems that fail the check (warnings too under strict)."""
        return [p for p in self.problems if strict or p.severity is Severity.ERROR]


def _article(kind: EntityKind) -> str:
    return f"an {kind}" if str(kind)[0] in "aeiou" else f"a {kind}"


def _relative(path: Path, base: str) -> str:
    """`path` relative to the absolute folder `base` when inside it, else as given."""
    absolute = os.path.abspath(path)
    if absolute.startswith(base + os.sep):
        return Path(absolute[len(base) + 1 :]).as_posix()
    return path.as_posix()


def _is_entity_file(path: Path) -> bool:
    return path.parent.name == ENTITY_FOLDER


@dataclass(frozen=True)
class ClaimRefs:
    """The ids one claim mentions: all the cross-file rules need, and cheap to send between processes."""

    people: tuple[str, ...]
    organisations: tuple[str, ...]
    claimant: str | None
    responders: tuple[str, ...]
    related: tuple[str, ...]
    superseded_by: str | None
    renamed_from: tuple[str, ...]

    @classmethod
    def of(cls, claim: Claim) -> ClaimRefs:
        return cls(
            tuple(claim.people),
            tuple(claim.organisations),
            claim.claimant,
            tuple(r.by for r in claim.responses),
            tuple(r.claim for r in claim.related),
            claim.superseded_by,
            tuple(claim.renamed_from),
        )


def _reference_locs(claim: Claim) -> list[Loc]:
    """Every location the cross-file rules may report on."""
    locs: list[Loc] = [("claimant",), ("superseded_by",)]
    locs += [("people", i) for i in range(len(claim.people))]
    locs += [("organisations", i) for i in range(len(claim.organisations))]
    locs += [("responses", i, "by") for i in range(len(claim.responses))]
    locs += [("related", i, "claim") for i in range(len(claim.related))]
    locs += [("renamed_from", i) for i in range(len(claim.renamed_from))]
    return locs


@dataclass
class FileResult:
    """What loading one file produced; small and picklable, so files can load in worker processes."""

    file_id: str
    display: str
    source_path: str
    is_entity: bool
    record: Claim | Entity | None = None
    """The checked record; left out when the caller only wants problems (saves pickling it)."""
    refs: ClaimRefs | None = None
    kind: EntityKind | None = None
    problems: list[Problem] = field(default_factory=list)
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    """Positions of the values cross-file rules may report on (the node tree stays in the worker)."""

    def problem(self, loc: Loc, message: str) -> Problem:
        line, col = self.marks.get(loc, (1, 1))
        return Problem(self.display, line, col, message)


Job = tuple[Path, str, str, bool, dt.date, bool]
"""(path, display path, path inside the claims folder, is an entity, today, keep the record)."""


def _load_file(job: Job) -> FileResult:
    """Parse, validate and check one file on its own."""
    path, display, source_path, is_entity, today, keep = job
    result = FileResult(path.stem, display, source_path, is_entity)
    doc = parse_file(path, display)
    result.problems.extend(doc.problems)
    if doc.problems:
        return result
    if is_entity:
        entity, problems = validate(doc, Entity)
        result.problems.extend(problems)
        if entity is not None:
            result.kind = entity.kind
            result.record = entity if keep else None
        return result
    claim, problems = validate(doc, Claim)
    result.problems.extend(problems)
    if claim is not None:
        result.record = claim if keep else None
        result.refs = ClaimRefs.of(claim)
        result.problems.extend(check_claim(doc, claim, result.file_id, today))
        result.marks = {loc: doc.mark(loc) for loc in _reference_locs(claim)}
    return result


def _check_references(project: Project, results: dict[str, FileResult], kinds: dict[str, EntityKind]) -> list[Problem]:
    """Cross-file rules: every id a claim mentions exists and has the right kind."""
    problems: list[Problem] = []
    refs = {cid: result.refs for cid, result in results.items() if result.refs is not None}
    claim_ids = set(refs)
    retired = {old: cid for cid, r in refs.items() for old in r.renamed_from}
    retired_counts = Counter(old for r in refs.values() for old in r.renamed_from)

    def entity_problem(ref: str, want: EntityKind | None) -> str | None:
        kind = kinds.get(ref)
        if kind is None and ref in project.broken_ids:
            return None
        if kind is None:
            return f"unknown entity '{ref}'; add claims/{ENTITY_FOLDER}/{ref}.yaml"
        if want is not None and kind is not want:
            listed = "people" if kind is EntityKind.PERSON else "organisations"
            return f"'{ref}' is {_article(kind)}, not {_article(want)}; list it under '{listed}'"
        return None

    def claim_problem(ref: str) -> str | None:
        if ref in claim_ids or ref in project.broken_ids:
            return None
        if ref in retired:
            return f"claim '{ref}' was renamed to '{retired[ref]}'; link to the new id"
        close = difflib.get_close_matches(ref, claim_ids, n=1)
        return f"unknown claim '{ref}'" + (f"; did you mean '{close[0]}'?" if close else "")

    words = " (or write the name in words, with capitals or spaces)"
    for claim_id, claim in refs.items():
        found: list[tuple[Loc, str | None]] = []
        found += [(("people", i), entity_problem(ref, EntityKind.PERSON)) for i, ref in enumerate(claim.people)]
        found += [
            (("organisations", i), entity_problem(ref, EntityKind.ORGANISATION))
            for i, ref in enumerate(claim.organisations)
        ]
        if claim.claimant and ID_RE.match(claim.claimant):
            message = entity_problem(claim.claimant, None)
            found.append((("claimant",), message and message + words))
        for index, by in enumerate(claim.responders):
            if ID_RE.match(by):
                message = entity_problem(by, None)
                found.append((("responses", index, "by"), message and message + words))
        found += [(("related", i, "claim"), claim_problem(other)) for i, other in enumerate(claim.related)]
        if claim.superseded_by:
            found.append((("superseded_by",), claim_problem(claim.superseded_by)))
        for index, old in enumerate(claim.renamed_from):
            if old in claim_ids:
                found.append(
                    (
                        ("renamed_from", index),
                        f"'{old}' is still the id of claims/{old}.yaml; a retired id cannot be reused",
                    )
                )
            elif retired_counts[old] > 1:
                found.append((("renamed_from", index), f"former id '{old}' is listed by more than one claim"))
        problems += [results[claim_id].problem(loc, msg) for loc, msg in found if msg]
    return problems


PARALLEL_FROM = 1500
"""Load files in worker processes from this many files on (below it, starting workers costs more)."""


def _run_jobs(jobs: list[Job]) -> Iterator[FileResult]:
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(_load_file, jobs)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_load_file, jobs, chunksize=max(50, len(jobs) // (workers * 8)))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector: loading allocates millions of small acyclic objects, and the
    collector's repeated passes over them tripled the load time of 1,000 claims (measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_project(
    paths: Iterable[Path], *, base: Path | None = None, today: dt.date | None = None, keep_records: bool = True
) -> Project:
    """Load and check every claim and entity file under `paths`; never raises on bad input.

    Without `keep_records` only the problems and counts come back: `claimsite check` needs no more,
    and not sending every record back from the worker processes halves its time on large folders.
    """
    with _no_cyclic_gc():
        return _load_project(paths, base=base, today=today, keep=keep_records)


def _load_project(paths: Iterable[Path], *, base: Path | None, today: dt.date | None, keep: bool) -> Project:
    base_dir = os.path.abspath(base or Path.cwd())
    today = today or dt.date.today()
    project = Project()
    jobs: list[Job] = []
    seen_paths: dict[str, str] = {}
    for path, source_path in iter_yaml_files(list(paths)):
        display = _relative(path, base_dir)
        file_id = path.stem
        if path.is_symlink():
            project.problems.append(Problem(display, 1, 1, SYMLINK_MESSAGE))
            continue
        if not ID_RE.match(file_id):
            suggestion = re.sub(r"[^a-z0-9]+", "-", file_id.lower()).strip("-") or "claim"
            project.problems.append(
                Problem(
                    display,
                    1,
                    1,
                    f"file name '{path.name}' is not an id; "
                    f"rename it to '{suggestion}.yaml' (lowercase, digits, hyphens)",
                )
            )
            continue
        if path.suffix != ".yaml":
            project.problems.append(Problem(display, 1, 1, f"rename '{path.name}' to '{file_id}.yaml'"))
            continue
        is_entity = _is_entity_file(path)
        key = ("entity:" if is_entity else "claim:") + file_id
        if key in seen_paths:
            project.problems.append(
                Problem(display, 1, 1, f"id '{file_id}' is already used by {seen_paths[key]}; ids must be unique")
            )
            continue
        seen_paths[key] = display
        jobs.append((path, display, source_path, is_entity, today, keep))
    results: dict[str, FileResult] = {}
    kinds: dict[str, EntityKind] = {}
    for result in _run_jobs(jobs):
        project.problems.extend(result.problems)
        if result.kind is not None:
            kinds[result.file_id] = result.kind
            if isinstance(result.record, Entity):
                project.entities[result.file_id] = Loaded(
                    result.file_id, result.display, result.record, result.source_path
                )
        elif result.refs is not None:
            results[result.file_id] = result
            if isinstance(result.record, Claim):
                project.claims[result.file_id] = Loaded(
                    result.file_id, result.display, result.record, result.source_path
                )
        else:
            project.broken_ids.add(result.file_id)
    project.claim_count, project.entity_count = len(results), len(kinds)
    project.problems.extend(_check_references(project, results, kinds))
    project.problems.sort()
    return project
