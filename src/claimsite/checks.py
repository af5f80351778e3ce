"""Check documents against the schema and the editorial rules; collect every problem.

Each rule is one small generator: its docstring states the rule, it yields `(loc, message)` pairs
(or `(loc, message, severity)`), and the caller turns the location into a file position.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import gc
import multiprocessing
import os
import re
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from claimsite.load import Document, Loc, iter_yaml_files, parse_file
from claimsite.model import (
    ID_PATTERN,
    PRIMARY_KINDS,
    UNDATED,
    Claim,
    Entity,
    EntityKind,
    Flag,
    Loaded,
    PartialDate,
    Record,
    Status,
)
from claimsite.problems import Problem, Severity

MAX_QUOTE_WORDS = 25
"""Quotes longer than this are refused: short quotations only (copyright)."""

RecordT = TypeVar("RecordT", bound=Record)
RuleResult = Iterator[tuple[Loc, str] | tuple[Loc, str, Severity]]

_ID_RE = re.compile(ID_PATTERN)
_ENTITY_FOLDER = "entities"


# --------------------------------------------------------------------------- schema validation


def _unwrap(annotation: Any) -> Any:
    """The record class inside `list[X]`, `X | None`, `Annotated[X, ...]`, if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The record class that owns the mapping at `loc` (list indexes are skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _unwrap(current.model_fields[part].annotation)
    return current


def _field_name(loc: Loc) -> str:
    """`sources[2].url` style name for a location."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "list_type": "a list (one '- item' per line, or [a, b])",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "bool_type": "true or false",
}


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (write it in quotes if you meant text)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def _schema_message(model: type[BaseModel], error: Any) -> tuple[Loc, str, bool]:
    """Turn one pydantic error into (location, message, points-at-key)."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    name = _field_name(loc)
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'", False
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        message = f"unknown field '{loc[-1]}'"
        if owner is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.6)
            message += f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(owner.model_fields)}"
        return loc, message, True
    empty = error.get("input", "") is None and kind not in ("missing", "extra_forbidden")
    if kind == "enum":
        allowed = error.get("ctx", {}).get("expected", "")
        allowed = allowed.replace("'", "").replace(" or ", ", ")
        if empty:
            return loc, f"{name} is empty; use one of: {allowed}", False
        return loc, f"{name}: {_describe(error['input'])} is not allowed; use one of: {allowed}", False
    if empty:
        return loc, f"{name} is empty; fill it in", False
    if kind in _TYPE_WORDS:
        return loc, f"{name} must be {_TYPE_WORDS[kind]}, not {_describe(error['input'])}", False
    if kind == "too_short":
        return loc, f"{name} needs at least one entry", False
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return loc, f"{name}: {message}", False
    if kind == "string_too_short":
        return loc, f"{name} must not be empty", False
    if kind == "string_pattern_mismatch":
        return loc, f"{name}: {_describe(error['input'])} does not have the required form", False
    return loc, f"{name}: {error['msg']}", False


def validate(doc: Document, model: type[RecordT]) -> tuple[RecordT | None, list[Problem]]:
    """Validate parsed data against a record class; every schema error becomes a problem.

    The record comes back with problems only when unknown fields were the sole errors (see
    `_without_unknown_fields`), so the rules can still report on the rest of the file.
    """
    if not isinstance(doc.data, dict):
        if doc.data is None:
            return None, []
        return None, [doc.problem((), f"the file must be a mapping of fields, not {_describe(doc.data)}")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
    problems = [doc.problem(loc, message, key=at_key)
                for loc, message, at_key in (_schema_message(model, error) for error in errors)]
    return _without_unknown_fields(doc.data, model, errors), problems


def _without_unknown_fields(data: dict[str, Any], model: type[RecordT], errors: list[Any]) -> RecordT | None:
    """The record with its unknown fields left out, when they were its only schema errors.

    A misspelt optional field is the most common mistake; the rules can still run on the rest, so
    one pass reports every problem instead of revealing them one fix at a time. The result is only
    used for checking: the file still fails.
    """
    if any(error["type"] != "extra_forbidden" for error in errors):
        return None
    cleaned = copy.deepcopy(data)
    for error in errors:
        *parents, name = error["loc"]
        holder: Any = cleaned
        for part in parents:
            holder = holder[part]
        holder.pop(name, None)
    try:
        return model.model_validate(cleaned)
    except ValidationError:
        return None


# --------------------------------------------------------------------------- rules for one claim


def rule_confirmed_needs_basis(claim: Claim) -> RuleResult:
    """A confirmed claim names what the confirmation rests on (`basis`)."""
    if claim.status is Status.CONFIRMED and not claim.basis:
        yield ("status",), "a confirmed claim needs 'basis' (for example: basis: [independent-sources])"


def rule_confirmed_needs_independent_evidence(claim: Claim) -> RuleResult:
    """A confirmed claim has a supporting primary source or supporting sources of two distinct origins."""
    if claim.status is not Status.CONFIRMED:
        return
    supporting = [s for s in claim.sources if s.relation == "supports"]
    if any(s.kind in PRIMARY_KINDS for s in supporting):
        return
    origins = {s.origin or f"source:{s.id}" for s in supporting}
    if len(origins) < 2:
        yield ("status",), (
            "a confirmed claim needs a supporting primary source or supporting sources from at least two "
            "distinct origins; add a source or lower the status to corroborated or alleged"
        )


def rule_superseded_needs_successor(claim: Claim) -> RuleResult:
    """The `superseded` flag and `superseded_by` go together."""
    if Flag.SUPERSEDED in claim.flags and claim.superseded_by is None:
        yield ("flags",), "the superseded flag needs 'superseded_by: <claim-id>'"
    if claim.superseded_by is not None and Flag.SUPERSEDED not in claim.flags:
        yield ("superseded_by",), "superseded_by is set; add 'superseded' to flags as well"


def rule_history_matches_status(claim: Claim) -> RuleResult:
    """The last history entry records the current status."""
    last = claim.history[-1]
    if last.status is not claim.status:
        index = len(claim.history) - 1
        yield (("history", index, "status"), f"the last history entry says '{last.status}' but status is "
               f"'{claim.status}'; add a history entry for the change")


def rule_history_in_order(claim: Claim) -> RuleResult:
    """History entries are oldest first: dates never go backwards."""
    for index in range(1, len(claim.history)):
        before, after = claim.history[index - 1].date, claim.history[index].date
        if after.sort_key() < before.sort_key():
            yield (("history", index, "date"), f"history dates go backwards ({before} then {after}); "
                   "list entries oldest first")


def rule_source_ids_unique(claim: Claim) -> RuleResult:
    """Source ids are unique within a claim."""
    seen: set[str] = set()
    for index, source in enumerate(claim.sources):
        if source.id in seen:
            yield ("sources", index, "id"), f"source id '{source.id}' is used twice; give each source its own id"
        seen.add(source.id)


def rule_response_sources_exist(claim: Claim) -> RuleResult:
    """Responses cite sources of the same claim by id."""
    ids = {s.id for s in claim.sources}
    for index, response in enumerate(claim.responses):
        for position, ref in enumerate(response.sources):
            if ref not in ids:
                yield (("responses", index, "sources", position),
                       f"responses[{index}] cites source '{ref}', which this claim does not have; "
                       f"known: {', '.join(sorted(ids))}")


def rule_quotes_short(claim: Claim) -> RuleResult:
    """Quotes are short: at most MAX_QUOTE_WORDS words (copyright)."""
    for index, source in enumerate(claim.sources):
        for name in ("quote", "quote_en"):
            text = getattr(source, name)
            if text and len(text.split()) > MAX_QUOTE_WORDS:
                yield (("sources", index, name), f"sources[{index}].{name} has {len(text.split())} words; "
                       f"quote at most {MAX_QUOTE_WORDS} and paraphrase the rest in 'note'")


def rule_sources_have_publisher_and_date(claim: Claim) -> RuleResult:
    """Every source names its publisher and a date, or says `published: undated`."""
    for index, source in enumerate(claim.sources):
        if source.publisher is None:
            yield ("sources", index), f"sources[{index}] has no publisher; add 'publisher:'", Severity.WARNING
        if source.published is None:
            yield (("sources", index), f"sources[{index}] has no date; add 'published:' or "
                   f"'published: {UNDATED}'", Severity.WARNING)


def rule_related_not_self(claim: Claim, claim_id: str) -> RuleResult:
    """A claim does not relate to or supersede itself."""
    for index, related in enumerate(claim.related):
        if related.claim == claim_id:
            yield ("related", index, "claim"), "a claim cannot be related to itself"
    if claim.superseded_by == claim_id:
        yield ("superseded_by",), "a claim cannot supersede itself"


def _dates(claim: Claim) -> Iterator[tuple[Loc, PartialDate]]:
    if claim.date:
        yield ("date",), claim.date
    for index, source in enumerate(claim.sources):
        for name in ("published", "accessed", "archive_date"):
            value = getattr(source, name)
            if isinstance(value, PartialDate):
                yield ("sources", index, name), value
    for index, response in enumerate(claim.responses):
        if response.date:
            yield ("responses", index, "date"), response.date
    for index, entry in enumerate(claim.history):
        yield ("history", index, "date"), entry.date


def rule_no_future_dates(claim: Claim, today: dt.date) -> RuleResult:
    """No date lies in the future."""
    for loc, value in _dates(claim):
        if value.earliest() > today:
            yield loc, f"{_field_name(loc)}: {value} is in the future (today is {today.isoformat()})"


# --------------------------------------------------------------------------- the project


@dataclass
class Project:
    """Every claim and entity that loaded, and every problem found on the way."""

    claims: dict[str, Loaded[Claim]] = field(default_factory=dict)
    """The claims, when loaded with `keep_records` (the default); empty for a check-only run."""
    entities: dict[str, Loaded[Entity]] = field(default_factory=dict)
    """The entities, when loaded with `keep_records`."""
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
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


def _apply(doc: Document, results: Iterable[tuple[Any, ...]]) -> list[Problem]:
    problems = []
    for result in results:
        loc, message = result[0], result[1]
        severity = result[2] if len(result) > 2 else Severity.ERROR
        line, col = doc.mark(loc)
        problems.append(Problem(doc.path, line, col, message, severity))
    return problems


def _is_entity_file(path: Path) -> bool:
    return path.parent.name == _ENTITY_FOLDER


def check_claim(doc: Document, claim: Claim, claim_id: str, today: dt.date) -> list[Problem]:
    """Run every single-claim rule."""
    rules: list[Callable[[], RuleResult]] = [
        lambda: rule_confirmed_needs_basis(claim),
        lambda: rule_confirmed_needs_independent_evidence(claim),
        lambda: rule_superseded_needs_successor(claim),
        lambda: rule_history_matches_status(claim),
        lambda: rule_history_in_order(claim),
        lambda: rule_source_ids_unique(claim),
        lambda: rule_response_sources_exist(claim),
        lambda: rule_quotes_short(claim),
        lambda: rule_sources_have_publisher_and_date(claim),
        lambda: rule_related_not_self(claim, claim_id),
        lambda: rule_no_future_dates(claim, today),
    ]
    problems: list[Problem] = []
    for rule in rules:
        problems.extend(_apply(doc, rule()))
    return problems


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
        return cls(tuple(claim.people), tuple(claim.organisations), claim.claimant,
                   tuple(r.by for r in claim.responses), tuple(r.claim for r in claim.related),
                   claim.superseded_by, tuple(claim.renamed_from))


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


def _check_references(project: Project, results: dict[str, FileResult],
                      kinds: dict[str, EntityKind]) -> list[Problem]:
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
            return f"unknown entity '{ref}'; add claims/{_ENTITY_FOLDER}/{ref}.yaml"
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
        found += [(("organisations", i), entity_problem(ref, EntityKind.ORGANISATION))
                  for i, ref in enumerate(claim.organisations)]
        if claim.claimant and _ID_RE.match(claim.claimant):
            message = entity_problem(claim.claimant, None)
            found.append((("claimant",), message and message + words))
        for index, by in enumerate(claim.responders):
            if _ID_RE.match(by):
                message = entity_problem(by, None)
                found.append((("responses", index, "by"), message and message + words))
        found += [(("related", i, "claim"), claim_problem(other)) for i, other in enumerate(claim.related)]
        if claim.superseded_by:
            found.append((("superseded_by",), claim_problem(claim.superseded_by)))
        for index, old in enumerate(claim.renamed_from):
            if old in claim_ids:
                found.append((("renamed_from", index),
                              f"'{old}' is still the id of claims/{old}.yaml; a retired id cannot be reused"))
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


def load_project(paths: Iterable[Path], *, base: Path | None = None, today: dt.date | None = None,
                 keep_records: bool = True) -> Project:
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
        project.files += 1
        display = _relative(path, base_dir)
        file_id = path.stem
        if not _ID_RE.match(file_id):
            suggestion = re.sub(r"[^a-z0-9]+", "-", file_id.lower()).strip("-") or "claim"
            project.problems.append(Problem(display, 1, 1, f"file name '{path.name}' is not an id; "
                                            f"rename it to '{suggestion}.yaml' (lowercase, digits, hyphens)"))
            continue
        if path.suffix != ".yaml":
            project.problems.append(Problem(display, 1, 1, f"rename '{path.name}' to '{file_id}.yaml'"))
            continue
        is_entity = _is_entity_file(path)
        key = ("entity:" if is_entity else "claim:") + file_id
        if key in seen_paths:
            project.problems.append(Problem(display, 1, 1, f"id '{file_id}' is already used by {seen_paths[key]}; "
                                            "ids must be unique"))
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
                project.entities[result.file_id] = Loaded(result.file_id, result.display, result.record,
                                                          result.source_path)
        elif result.refs is not None:
            results[result.file_id] = result
            if isinstance(result.record, Claim):
                project.claims[result.file_id] = Loaded(result.file_id, result.display, result.record,
                                                        result.source_path)
        else:
            project.broken_ids.add(result.file_id)
    project.claim_count, project.entity_count = len(results), len(kinds)
    project.problems.extend(_check_references(project, results, kinds))
    project.problems.sort()
    return project
