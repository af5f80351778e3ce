"""Every check rule in one registry: a stable id, a scope, a default severity, and the sentence of
the methodology it enforces (the docstring of the function that implements it).

Rules are declared where they run:

- `file` rules (YAML and file names) in `claimsite.load` and `claimsite.project`;
- `schema` rules (fields and values) in `claimsite.validate`;
- `claim` and `entity` rules (one record on its own) in `claimsite.rules.claim`;
- `project` rules (across files: references, independence of evidence) in `claimsite.rules.project`;
- `version` rules (between two versions of a file, for `claimsite diff`) in `claimsite.rules.version`;
- `link` rules (what the addresses of sources hold, for `claimsite sources check`) in `claimsite.rules.links`.

The methodology page lists the registry (`claimsite.rules.doc`); a test fails when a rule has no
invalid fixture naming it. Projects may change a configurable rule's severity or turn it off in
`mkdocs.yml` (`RuleConfig`).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from claimsite.i18n import N_
from claimsite.problems import Problem, Severity


class Scope(StrEnum):
    """What a rule looks at."""

    FILE = "file"
    SCHEMA = "schema"
    CLAIM = "claim"
    ENTITY = "entity"
    PROJECT = "project"
    VERSION = "version"
    LINK = "link"


SCOPE_LABELS: dict[Scope, str] = {
    Scope.FILE: N_("each file"),
    Scope.SCHEMA: N_("each field"),
    Scope.CLAIM: N_("each claim"),
    Scope.ENTITY: N_("each person or organisation"),
    Scope.PROJECT: N_("across files"),
    Scope.VERSION: N_("each change (claimsite diff)"),
    Scope.LINK: N_("each address (claimsite sources check)"),
}


@dataclass(frozen=True)
class Rule:
    """One rule of the methodology, as the checker enforces it."""

    id: str
    """Stable, lowercase kebab-case; shown after every message and used in mkdocs.yml."""
    scope: Scope
    severity: Severity
    """The default severity; a project may change it (unless the rule is not configurable)."""
    doc: str
    """The sentence of the methodology the rule enforces."""
    configurable: bool = True
    """False for rules without which the files cannot be read at all (YAML syntax, the schema)."""

    def problem(self, path: str, line: int, col: int, message: str) -> Problem:
        """A problem found by this rule, at its default severity."""
        return Problem(path, line, col, message, self.severity, self.id)


RULES: dict[str, Rule] = {}
"""Every rule by id, in the order they were declared."""


def declare(
    rule_id: str, scope: Scope, doc: str, *, severity: Severity = Severity.ERROR, configurable: bool = True
) -> Rule:
    """Register a rule whose check is written inline (file and schema rules)."""
    if rule_id in RULES:
        raise ValueError(f"rule '{rule_id}' is declared twice")
    rule = Rule(rule_id, scope, severity, " ".join(inspect.cleandoc(doc).split()), configurable)
    RULES[rule_id] = rule
    return rule


def rule_of(function: Callable[..., object], rule_id: str, scope: Scope, severity: Severity) -> Rule:
    """Register a rule checked by `function`; the function's docstring is the rule's sentence."""
    return declare(rule_id, scope, function.__doc__ or "", severity=severity)


# --------------------------------------------------------------------------- configuration

OFF = "off"
SETTINGS = (str(Severity.ERROR), str(Severity.WARNING), OFF)


class RuleConfigError(ValueError):
    """A rules setting in mkdocs.yml that names no rule or no severity; the message says which."""


@dataclass(frozen=True)
class RuleConfig:
    """Severity overrides from mkdocs.yml: rule id -> Severity, or None for a rule turned off."""

    overrides: Mapping[str, Severity | None]

    @classmethod
    def parse(cls, raw: object, where: str = "rules") -> RuleConfig:
        """Read `{rule-id: error | warning | off}`; YAML's `off` (false) counts as off."""
        if raw is None:
            return cls({})
        if not isinstance(raw, dict):
            raise RuleConfigError(f"{where} must be a mapping of rule ids to {', '.join(SETTINGS)}")
        overrides: dict[str, Severity | None] = {}
        for key, value in raw.items():
            rule = RULES.get(str(key))
            if rule is None:
                close = difflib.get_close_matches(str(key), list(RULES), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else "; see the rule list on the methodology page"
                raise RuleConfigError(f"{where}: no rule '{key}'{hint}")
            if not rule.configurable:
                raise RuleConfigError(
                    f"{where}: rule '{key}' cannot be changed (the files could not be read without it)"
                )
            setting = OFF if value is False else str(value)
            if setting not in SETTINGS:
                raise RuleConfigError(f"{where}.{key}: '{value}' is not a setting; use one of: {', '.join(SETTINGS)}")
            overrides[rule.id] = None if setting == OFF else Severity(setting)
        return cls(overrides)

    def severity(self, rule: Rule) -> Severity | None:
        """The severity a rule has in this project; None when it is off."""
        return self.overrides.get(rule.id, rule.severity)

    @property
    def off(self) -> list[str]:
        """Ids of the rules turned off, in registry order."""
        return [rule_id for rule_id in RULES if rule_id in self.overrides and self.overrides[rule_id] is None]

    def apply(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems as this project rates them: rules turned off drop out, others change severity."""
        if not self.overrides:
            return list(problems)
        kept = []
        for problem in problems:
            if problem.rule not in self.overrides:
                kept.append(problem)
                continue
            severity = self.overrides[problem.rule]
            if severity is not None:
                kept.append(Problem(problem.path, problem.line, problem.col, problem.message, severity, problem.rule))
        return kept


DEFAULT_RULES = RuleConfig({})


def plugin_settings(mkdocs_config: Mapping[str, object]) -> Mapping[str, object]:
    """The options of the claimsite plugin in mkdocs.yml read as plain data (empty if none)."""
    plugins = mkdocs_config.get("plugins")
    entries = plugins if isinstance(plugins, list) else [plugins] if isinstance(plugins, dict) else []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("claimsite"), dict):
            settings: dict[str, object] = entry["claimsite"]
            return settings
    return {}
