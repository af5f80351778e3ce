"""Loading a whole claims folder: every file checked on its own (in worker processes when there are
many), then the rules across files. Never raises on bad input: problems are values.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from claimsite.load import NO_SYMLINKS, SYMLINK_MESSAGE, Loc, iter_yaml_files, parse_file
from claimsite.model import ENTITY_FOLDER, ID_RE, Claim, Entity, Loaded, id_name_problem
from claimsite.problems import Problem, Severity
from claimsite.rules import DEFAULT_RULES, Rule, RuleConfig, Scope, declare
from claimsite.rules.claim import check_claim, check_entity
from claimsite.rules.project import PROJECT_RULES, ClaimFacts, EntityFacts, ProjectFacts, entity_key
from claimsite.validate import RESERVED_NAME, validate

FILE_NAME_IS_ID = declare(
    "file-name-is-id", Scope.FILE, "The file name is the id: lowercase letters, digits and hyphens.", configurable=False
)
YAML_SUFFIX = declare("yaml-suffix", Scope.FILE, "Claim files end in .yaml.", configurable=False)
UNIQUE_IDS = declare("unique-ids", Scope.FILE, "Every claim id and every entity id is used once.", configurable=False)
TAG_VOCABULARY = declare(
    "tag-vocabulary",
    Scope.FILE,
    "The tag vocabulary, `tags.yaml` in the claims folder, maps each tag (lowercase letters, digits and hyphens) "
    "to a one-line definition of the topic.",
    configurable=False,
)
CHECKER_FAILED = declare(
    "checker-failed",
    Scope.FILE,
    "A file the checker itself fails on is reported as a problem of that file, and the rest of the folder "
    "is still checked. It is a bug in claimsite, never in the file: please report it with the file.",
    configurable=False,
)
VOCABULARY_FILE = "tags.yaml"
"""The tag vocabulary's file name, at the top of the claims folder; it is not a claim."""


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
    tags: dict[str, str] = field(default_factory=dict)
    """The tag vocabulary (tag -> definition) from `tags.yaml`; empty when the folder has none."""

    def errors(self, *, strict: bool = False) -> list[Problem]:
        """Problems that fail the check (warnings too under strict)."""
        return [p for p in self.problems if strict or p.severity is Severity.ERROR]


def _relative(path: Path, base: str) -> str:
    """`path` relative to the absolute folder `base` when inside it, else as given."""
    absolute = os.path.abspath(path)
    if absolute.startswith(base + os.sep):
        return Path(absolute[len(base) + 1 :]).as_posix()
    return path.as_posix()


def _is_entity_file(path: Path) -> bool:
    return path.parent.name == ENTITY_FOLDER


@dataclass
class FileResult:
    """What loading one file produced; small and picklable, so files can load in worker processes."""

    file_id: str
    display: str
    source_path: str
    is_entity: bool
    record: Claim | Entity | None = None
    """The checked record; left out when the caller only wants problems (saves pickling it)."""
    claim: ClaimFacts | None = None
    entity: EntityFacts | None = None
    problems: list[Problem] = field(default_factory=list)
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    """Positions of the values cross-file rules may report on (the node tree stays in the worker)."""

    def problem(self, rule: Rule, loc: Loc, message: str) -> Problem:
        line, col = self.marks.get(loc, (1, 1))
        return rule.problem(self.display, line, col, message)


@dataclass(frozen=True)
class Job:
    """One file to load."""

    path: Path
    display: str
    """The path as messages show it."""
    source_path: str
    """The path inside the claims folder."""
    is_entity: bool
    today: dt.date
    keep: bool
    """Send the checked record back (not only its problems and facts)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """The project's tag vocabulary."""


def _load_file(job: Job) -> FileResult:
    """Parse, validate and check one file on its own; a failure of the checker is the file's problem."""
    try:
        return _check_file(job)
    except Exception as error:  # the last line of defence: one file never stops the check
        result = FileResult(job.path.stem, job.display, job.source_path, job.is_entity)
        result.problems.append(_checker_failed(job.display, error))
        return result


def _checker_failed(display: str, error: BaseException) -> Problem:
    return CHECKER_FAILED.problem(
        display,
        1,
        1,
        f"claimsite failed while checking this file ({type(error).__name__}: {error}); "
        "this is a bug in claimsite: please report it with the file",
    )


def _check_file(job: Job) -> FileResult:
    """Parse, validate and check one file on its own."""
    result = FileResult(job.path.stem, job.display, job.source_path, job.is_entity)
    doc = parse_file(job.path, job.display)
    result.problems.extend(doc.problems)
    if doc.problems:
        return result
    if job.is_entity:
        entity, problems = validate(doc, Entity)
        result.problems.extend(problems)
        if entity is not None:
            result.entity = EntityFacts.of(entity)
            result.record = entity if job.keep else None
            result.problems.extend(check_entity(doc, entity, result.file_id))
            result.marks = {loc: doc.mark(loc) for loc in EntityFacts.locations(entity)}
        return result
    claim, problems = validate(doc, Claim)
    result.problems.extend(problems)
    if claim is not None:
        result.record = claim if job.keep else None
        result.claim = ClaimFacts.of(claim)
        result.problems.extend(check_claim(doc, claim, result.file_id, job.today, job.tags))
        result.marks = {loc: doc.mark(loc) for loc in ClaimFacts.locations(claim)}
    return result


def _cross_file_problems(facts: ProjectFacts, results: dict[str, FileResult]) -> list[Problem]:
    """Run every cross-file rule; findings name their file by key (claim id or `entity:<id>`)."""
    problems: list[Problem] = []
    for rule, function in PROJECT_RULES:
        try:
            problems.extend(results[key].problem(rule, loc, message) for key, loc, message in function(facts))
        except Exception as error:  # as in _load_file: the other rules still run
            problems.append(_checker_failed(f"the rule {rule.id}", error))
    return problems


PARALLEL_FROM = 1500
"""Load files in worker processes from this many files on (below it, starting workers costs more)."""


class FileCache:
    """Results of files already checked, reused while a file's path, size, modification time and the
    project-wide inputs of its check (today, tag vocabulary) are unchanged: `claimsite serve` then
    re-reads only the files an edit touched. A reused result is the same object, record included."""

    def __init__(self) -> None:
        self._results: dict[tuple[object, ...], FileResult] = {}

    def key(self, job: Job, context: tuple[object, ...]) -> tuple[object, ...] | None:
        try:
            stat = job.path.stat()
        except OSError:
            return None
        return (
            job.path,
            job.display,
            job.source_path,
            job.is_entity,
            job.keep,
            stat.st_mtime_ns,
            stat.st_size,
            context,
        )

    def run(self, jobs: list[Job]) -> Iterator[FileResult]:
        """Every job's result, from the cache where the key matches, loading the others."""
        if not jobs:
            return
        context = (jobs[0].today, tuple(sorted(jobs[0].tags.items())))
        keys = [self.key(job, context) for job in jobs]
        fresh: dict[tuple[object, ...], FileResult] = {}
        missing = [job for job, key in zip(jobs, keys, strict=True) if key is None or key not in self._results]
        loaded = iter(_run_jobs(missing))
        for key in keys:
            result = self._results.get(key) if key is not None else None
            if result is None:
                result = next(loaded)
            if key is not None:
                fresh[key] = result
            yield result
        self._results = fresh


def _run_jobs(jobs: list[Job]) -> Iterator[FileResult]:
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        yield from map(_load_file, jobs)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_load_file, jobs, chunksize=max(50, len(jobs) // (workers * 8)))


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
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
    paths: Iterable[Path],
    *,
    base: Path | None = None,
    today: dt.date | None = None,
    keep_records: bool = True,
    rules: RuleConfig = DEFAULT_RULES,
    cache: FileCache | None = None,
) -> Project:
    """Load and check every claim and entity file under `paths`; never raises on bad input.

    Without `keep_records` only the problems and counts come back: `claimsite check` needs no more,
    and not sending every record back from the worker processes halves its time on large folders.
    `rules` changes the severity of rules or turns them off (from mkdocs.yml). With a `cache`, files
    unchanged since the cache last saw them are not read again.
    """
    with no_cyclic_gc():
        project = _load_project(paths, base=base, today=today, keep=keep_records, cache=cache)
    project.problems = rules.apply(project.problems)
    return project


def _file_problem(display: str, path: Path, file_id: str, seen: dict[str, str], key: str) -> Problem | None:
    """What is wrong with a file's name or kind before it is read, if anything."""
    if path.is_symlink():
        return NO_SYMLINKS.problem(display, 1, 1, SYMLINK_MESSAGE)
    if not ID_RE.match(file_id):
        suggestion = re.sub(r"[^a-z0-9]+", "-", file_id.lower()).strip("-") or "claim"
        return FILE_NAME_IS_ID.problem(
            display,
            1,
            1,
            f"file name '{path.name}' is not an id; rename it to '{suggestion}.yaml' (lowercase, digits, hyphens)",
        )
    if path.suffix != ".yaml":
        return YAML_SUFFIX.problem(display, 1, 1, f"rename '{path.name}' to '{file_id}.yaml'")
    reserved = id_name_problem(file_id)
    if reserved:
        return RESERVED_NAME.problem(display, 1, 1, f"the file name is the id, and {reserved}; rename the file")
    if key in seen:
        return UNIQUE_IDS.problem(display, 1, 1, f"id '{file_id}' is already used by {seen[key]}; ids must be unique")
    return None


def _vocabulary_path(paths: list[Path]) -> Path | None:
    """The `tags.yaml` of the claims folder being checked: in the first folder given, or next to
    the first claim file given."""
    for path in paths:
        folder = path if path.is_dir() else path.parent.parent if path.parent.name == ENTITY_FOLDER else path.parent
        candidate = folder / VOCABULARY_FILE
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def load_vocabulary(path: Path, display: str) -> tuple[dict[str, str], list[Problem]]:
    """Read a tag vocabulary file; every bad entry is a problem at its line, the rest still count."""
    doc = parse_file(path, display)
    if doc.problems:
        return {}, doc.problems
    if not isinstance(doc.data, dict):
        message = "the tag vocabulary must be a mapping of tags to definitions, such as 'leak: Leaked recordings …'"
        return {}, [TAG_VOCABULARY.problem(display, 1, 1, message)]
    tags: dict[str, str] = {}
    problems: list[Problem] = []
    for key, value in doc.data.items():
        line, col = doc.mark((key,), key=True)
        if not isinstance(key, str) or not ID_RE.match(key):
            message = f"'{key}' is not a tag; use lowercase letters, digits and hyphens"
            problems.append(TAG_VOCABULARY.problem(display, line, col, message))
        elif not isinstance(value, str) or not value.strip():
            message = f"give the definition of tag '{key}' as one line of text"
            problems.append(TAG_VOCABULARY.problem(display, line, col, message))
        else:
            tags[key] = " ".join(value.split())
    return tags, problems


def _load_project(
    paths: Iterable[Path], *, base: Path | None, today: dt.date | None, keep: bool, cache: FileCache | None
) -> Project:
    base_dir = os.path.abspath(base or Path.cwd())
    today = today or dt.date.today()
    project = Project()
    paths = list(paths)
    vocabulary = _vocabulary_path(paths)
    if vocabulary is not None:
        project.tags, problems = load_vocabulary(vocabulary, _relative(vocabulary, base_dir))
        project.problems.extend(problems)
    jobs: list[Job] = []
    seen: dict[str, str] = {}
    for path, source_path in iter_yaml_files(paths):
        if source_path == VOCABULARY_FILE:
            continue
        display = _relative(path, base_dir)
        is_entity = _is_entity_file(path)
        key = ("entity:" if is_entity else "claim:") + path.stem
        problem = _file_problem(display, path, path.stem, seen, key)
        if problem is not None:
            project.problems.append(problem)
            continue
        seen[key] = display
        jobs.append(Job(path, display, source_path, is_entity, today, keep, project.tags))
    results: dict[str, FileResult] = {}
    facts = ProjectFacts()
    for result in cache.run(jobs) if cache is not None else _run_jobs(jobs):
        project.problems.extend(result.problems)
        if result.entity is not None:
            facts.entities[result.file_id] = result.entity
            results[entity_key(result.file_id)] = result
            if isinstance(result.record, Entity):
                project.entities[result.file_id] = Loaded(
                    result.file_id, result.display, result.record, result.source_path
                )
        elif result.claim is not None:
            facts.claims[result.file_id] = result.claim
            results[result.file_id] = result
            if isinstance(result.record, Claim):
                project.claims[result.file_id] = Loaded(
                    result.file_id, result.display, result.record, result.source_path
                )
        else:
            facts.broken.add(result.file_id)
    project.claim_count, project.entity_count = len(facts.claims), len(facts.entities)
    project.broken_ids = facts.broken
    project.problems.extend(_cross_file_problems(facts, results))
    project.problems.sort()
    return project
