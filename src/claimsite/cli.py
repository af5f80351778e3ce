"""The `claimsite` command: thin click commands, each parsing options and calling one function."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimsite import report
from claimsite.checks import Project, load_project

DEFAULT_CLAIMS = Path("claims")


def _check(paths: tuple[Path, ...], fmt: str = "text", strict: bool = False) -> Project:
    project = load_project(list(paths) or [DEFAULT_CLAIMS])
    if project.problems:
        click.echo(report.format_problems(project.problems, fmt))
    if fmt != "json":
        click.echo(report.summary(project.problems, project.files, len(project.claims), len(project.entities)),
                   err=fmt == "github")
    return project


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimsite")
def main() -> None:
    """Check sourced claims and publish them as a site and a PDF.

    Example:

        claimsite check && claimsite build
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="text", show_default=True,
              help="text for people, github for PR annotations, json for tools.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(paths: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Check claim and entity files (default: claims/) and report every problem.

    Prints one line per problem as path:line:col: message, then a summary.
    Exits 0 when clean, 1 when problems were found, 2 on usage errors.

    Example:

        claimsite check claims/ --format github
    """
    project = _check(paths, fmt, strict)
    sys.exit(1 if project.errors(strict=strict) else 0)
