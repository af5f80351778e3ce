"""Schema validation: pydantic's errors turned into messages that say what to change, with positions."""

from __future__ import annotations

import copy
import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from claimsite.load import Document, Loc
from claimsite.model import MAX_ID_LENGTH, RESERVED_IDS, RESERVED_NAME_ERROR, RecordT
from claimsite.problems import Problem
from claimsite.rules import Rule, Scope, declare

KNOWN_FIELDS = declare(
    "known-fields",
    Scope.SCHEMA,
    "Every field is one the schema defines (a misspelt field is reported, not ignored).",
    configurable=False,
)
REQUIRED_FIELDS = declare("required-fields", Scope.SCHEMA, "Every required field is present.", configurable=False)
FIELD_VALUES = declare(
    "field-values",
    Scope.SCHEMA,
    "Every value has the form its field needs (dates, ids, URLs, allowed words).",
    configurable=False,
)
RESERVED_NAME = declare(
    "reserved-name",
    Scope.SCHEMA,
    f"An id (a claim's or entity's file name, a tag, a former id in `renamed_from`, a source or origin id) "
    f"names no page the site generates ({', '.join(sorted(RESERVED_IDS))}) and has at most {MAX_ID_LENGTH} "
    "characters: ids become file names and addresses.",
    configurable=False,
)
MAPPING = declare("mapping-of-fields", Scope.SCHEMA, "A claim file is a mapping of fields.", configurable=False)


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


def field_name(loc: Loc) -> str:
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
    text = str(value)
    return f"'{text[:77]}…'" if len(text) > 80 else f"'{text}'"


def _rule_of(error: Any) -> Rule:
    """The schema rule a pydantic error breaks."""
    kind = error["type"]
    if kind == "missing":
        return REQUIRED_FIELDS
    if kind == RESERVED_NAME_ERROR:
        return RESERVED_NAME
    return KNOWN_FIELDS if kind == "extra_forbidden" else FIELD_VALUES


MAX_SUGGESTIONS = 100
"""Unknown fields past this many in one file are not compared with the known ones for a "did you
mean": the comparison is the costliest step of a check, and a file of thousands of unknown keys is
not a misspelling (measured: 30,000 unknown keys took 8 s of suggestions)."""


def _close_match(name: str, owner: type[BaseModel]) -> list[str]:
    if len(name) > 2 * max(map(len, owner.model_fields)):  # too long to be a misspelling of any
        return []
    return difflib.get_close_matches(name, list(owner.model_fields), n=1, cutoff=0.6)


def _schema_message(model: type[BaseModel], error: Any, *, suggest: bool = True) -> tuple[Loc, str, bool]:
    """Turn one pydantic error into (location, message, points-at-key)."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    name = field_name(loc)
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'", False
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        message = f"unknown field '{loc[-1]}'"
        if owner is not None:
            close = _close_match(str(loc[-1]), owner) if suggest else []
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
    if kind == RESERVED_NAME_ERROR:
        return loc, f"{name}: {error['msg']}", False
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
        return None, [doc.problem(MAPPING, (), f"the file must be a mapping of fields, not {_describe(doc.data)}")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
    problems = []
    unknown = 0
    for error in errors:
        unknown += error["type"] == "extra_forbidden"
        loc, message, at_key = _schema_message(model, error, suggest=unknown <= MAX_SUGGESTIONS)
        problems.append(doc.problem(_rule_of(error), loc, message, key=at_key))
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
