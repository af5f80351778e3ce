"""The `claimsite` command: thin click commands, each parsing options and calling one function.

User errors are `claimsite.errors.ClaimsiteError`s (click exceptions): click prints them as
`Error: ...` and exits non-zero, so no command catches them. A file system error no command turned
into one (a full disk, a read-only folder) is turned into one line the same way, by the group.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimsite import report
from claimsite.errors import ClaimsiteError, FileSystemError, PdfError, fault_message
from claimsite.model import EntityKind, Status
from claimsite.problems import Severity
from claimsite.project import Project, load_project
from claimsite.rules import DEFAULT_RULES, RuleConfig, RuleConfigError, plugin_settings
from claimsite.scaffold import KIND_CHOICES, STATUS_CHOICES

if TYPE_CHECKING:
    from claimsite.archive.store import CaptureStore
    from claimsite.archive.timestamps import Authority
    from claimsite.linkcheck.patch import Edit

DEFAULT_CLAIMS = Path("claims")
DEFAULT_CONFIG = Path("mkdocs.yml")

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2.0 is noise here

config_option = click.option(
    "-f",
    "--config-file",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The MkDocs configuration of the site.",
)
claims_option = click.option(
    "--claims",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of claim files (default: the plugin's claims_dir, usually claims/).",
)


def optional_config_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`-f/--config-file` for commands that also run without a mkdocs.yml: when not given, mkdocs.yml
    if there is one, else None. `what` says what the command reads from it."""

    def or_default(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        return value if value is not None or not DEFAULT_CONFIG.is_file() else DEFAULT_CONFIG

    return click.option(
        "-f",
        "--config-file",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        callback=or_default,
        help=f"The MkDocs configuration: {what} (default: mkdocs.yml when present).",
    )


def _claims_dir(claims: Path | None, config_file: Path) -> Path:
    if claims is not None:
        return claims
    from claimsite.site import load_site_config, plugin_of

    config = load_site_config(config_file)
    return plugin_of(config).claims_path(config)


def _rule_config(config_file: Path | None) -> RuleConfig:
    """The rule settings of mkdocs.yml (`plugins: - claimsite: rules:`), when the file exists; says
    on stderr which rules it turns off."""
    if config_file is None or not config_file.is_file():
        return DEFAULT_RULES
    from claimsite.site import read_config_file

    try:
        rules = RuleConfig.parse(plugin_settings(read_config_file(config_file)).get("rules"), f"{config_file}: rules")
    except RuleConfigError as error:
        raise ClaimsiteError(str(error)) from None
    if rules.off:
        click.echo(f"rules turned off in {config_file}: {', '.join(rules.off)}", err=True)
    return rules


def _fit_to_publish(
    claims: Path,
    *,
    config_file: Path | None,
    strict: bool = False,
    err: bool = False,
    nothing_made: str,
    summary: Callable[[str], None] = click.echo,
) -> Project:
    """Check the claims and print every problem (on stderr with `err`), then the summary line to
    `summary`; when they are not fit to publish, fail instead, saying `nothing_made`.

    The one check before `build`, `generate` and `pdf` write anything (warnings count with `strict`).
    """
    project = load_project([claims], rules=_rule_config(config_file))
    if project.problems:  # warnings too: they belong in front of whoever publishes
        click.echo(report.format_problems(project.problems, "text"), err=err)
    counts = report.summary(project.problems, project.claim_count, project.entity_count)
    if project.errors(strict=strict):
        raise ClaimsiteError(f"the claims are not fit to publish ({counts}); {nothing_made}")
    summary(counts)
    return project


class _Commands(click.Group):
    """The commands, each ending in one line, never a traceback, when the file system fails it."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno == errno.EPIPE:  # output piped into `head`: click handles it quietly
                raise
            raise FileSystemError(fault_message(error)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimsite")
def main() -> None:
    """Check sourced claims and publish them as a site and a PDF.

    Example:

        claimsite check && claimsite build
    """


def _report_options(command: Callable[..., None]) -> Callable[..., None]:
    """`--format` and `--strict`, as every command that reports problems takes them."""
    command = click.option("--strict", is_flag=True, help="Treat warnings as errors.")(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(report.FORMATS),
        default="text",
        show_default=True,
        help="text for people, github for PR annotations, json for tools.",
    )(command)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_report_options
def check(paths: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Check claim and entity files (default: claims/) and report every problem.

    Prints one line per problem as path:line:col: message, then a summary.
    Exits 0 when clean, 1 when problems were found, 2 on usage errors.

    Example:

        claimsite check claims/ --format github
    """
    project = load_project(list(paths) or [DEFAULT_CLAIMS], keep_records=False, rules=_rule_config(DEFAULT_CONFIG))
    if project.problems:
        click.echo(report.format_problems(project.problems, fmt))
    if fmt != "json":
        click.echo(report.summary(project.problems, project.claim_count, project.entity_count), err=fmt == "github")
    sys.exit(1 if project.errors(strict=strict) else 0)


@main.command()
@config_option
@claims_option
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: site_dir of mkdocs.yml, usually site/).",
)
@click.option("--strict", is_flag=True, help="Treat check warnings as errors too.")
@click.option("--pdf", is_flag=True, help="Also make the PDF edition and link it from every page.")
@click.option(
    "--offline",
    is_flag=True,
    help="Also build a copy that works from file:// without network, zipped into the site "
    "(claims-offline.zip) and linked from the home page.",
)
@click.option(
    "--no-site-url",
    "preview",
    is_flag=True,
    help="Build a preview without site_url in mkdocs.yml (links in feeds, citations and JSON-LD are then "
    "not absolute); a published site needs site_url.",
)
def build(
    config_file: Path,
    claims: Path | None,
    site_dir: Path | None,
    strict: bool,
    offline: bool,
    pdf: bool,
    preview: bool,
) -> None:
    """Check the claims, then build the site with a strict MkDocs build.

    Nothing is written when the check or the build fails: the site is built
    in .site-staging/ beside it and swapped into place only when it succeeded.
    One build at a time: a second one stops and says which process is writing.
    --pdf adds the PDF edition (site/claims.pdf, linked from every page);
    --offline adds a zipped copy that works from file:// without network.
    mkdocs.yml must give site_url (absolute permalinks, feeds, JSON-LD)
    unless --no-site-url builds a preview.

    Example:

        claimsite build --site-dir public/

        claimsite build --pdf --offline
    """
    from claimsite.publish import publish
    from claimsite.site import claims_override

    project = _fit_to_publish(
        _claims_dir(claims, config_file), config_file=config_file, strict=strict, nothing_made="no site built"
    )
    with claims_override(claims):
        made = publish(config_file, project, site_dir=site_dir, pdf=pdf, offline=offline, preview=preview)
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in made.seconds.items())
    click.echo(f"Built {len(project.claims)} claims into {made.site_dir} ({timings})")
    for extra in made.files.values():
        click.echo(f"  {extra} ({extra.stat().st_size / 1e6:.1f} MB)")


@main.command()
@config_option
@claims_option
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
def serve(config_file: Path, claims: Path | None, dev_addr: str) -> None:
    """Serve the site locally and rebuild when a claim or page changes.

    A broken claim prints its problems and the last good version keeps being served.

    Example:

        claimsite serve --dev-addr 127.0.0.1:8000
    """
    from claimsite.site import serve as serve_site

    serve_site(config_file, claims, dev_addr)


@main.command()
@config_option
@claims_option
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the Markdown pages and a plugin-free mkdocs.yml into.",
)
def generate(config_file: Path, claims: Path | None, out: Path) -> None:
    """Write every page as Markdown to a folder, for inspection and review.

    OUT/docs holds the hand-written and generated pages, OUT/mkdocs.yml builds
    them with plain MkDocs (no claimsite plugin).

    Example:

        claimsite generate --out generated/ && mkdocs build -f generated/mkdocs.yml
    """
    from claimsite.site import claims_override, generate_docs

    project = _fit_to_publish(_claims_dir(claims, config_file), config_file=config_file, nothing_made="nothing written")
    with claims_override(claims):
        written = generate_docs(config_file, project, out)
    click.echo(f"Wrote {len(written)} files to {out}")


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schema"),
    show_default=True,
    help="Folder to write claim.schema.json and entity.schema.json into.",
)
def schema(out: Path) -> None:
    """Write the JSON Schemas of claim and entity files (generated from the model).

    Editors use them to complete and validate fields; commit the result.

    Example:

        claimsite schema --out schema/
    """
    from claimsite.model import schema_files
    from claimsite.write import write_tree

    for path in write_tree(out, schema_files()):
        click.echo(f"Wrote {path}")


def _is_terminal() -> bool:
    return sys.stdin.isatty()


@main.command()
@click.argument("title", required=False)
@click.option(
    "--status",
    type=click.Choice(STATUS_CHOICES),
    help="Status of the new claim (default: alleged); see the methodology page.",
)
@click.option(
    "--source", "sources", multiple=True, metavar="URL", help="Address of a source; repeat the option for several."
)
@click.option("--entity", is_flag=True, help="Create a person or organisation in claims/entities/ instead.")
@click.option("--kind", type=click.Choice(KIND_CHOICES), help="With --entity: what the entity is.")
@click.option("--id", "new_id", metavar="ID", help="The id (file name) to use instead of one made from the title.")
@click.option(
    "--claims",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CLAIMS,
    show_default=True,
    help="Folder of claim files.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="Date of the first history entry (default: today, or SOURCE_DATE_EPOCH when set).",
)
def new(
    title: str | None,
    status: str | None,
    sources: tuple[str, ...],
    entity: bool,
    kind: str | None,
    new_id: str | None,
    claims: Path,
    today: str | None,
) -> None:
    """Start a claim file from a commented template (never overwrites a file).

    Writes claims/<id>.yaml, the id made from the title (Cyrillic is transliterated).
    Values only you can supply are left empty with a TODO beside them; `claimsite check`
    reports each one until it is filled. With --entity, writes claims/entities/<id>.yaml for a
    person or organisation. Run it on a terminal without a title to be asked for everything.

    Example:

    \b
        claimsite new "Leaked audio names an order" --source https://belsat.eu/en/news/...
        claimsite new --entity "Mikalai Karpyankou" --kind person --id karpyankou
    """
    from claimsite.scaffold import NewRequest, create_new

    request = NewRequest(
        claims=claims,
        title=title,
        entity=entity,
        status=Status(status) if status else None,
        kind=EntityKind(kind) if kind else None,
        sources=sources,
        id=new_id,
        today=today,
    )
    planned = create_new(request, interactive=_is_terminal())
    click.echo(f"Wrote {planned.path}")
    if planned.shortened:
        click.echo(
            f"The id was shortened to '{planned.id}'; to choose another, delete the file and run again with --id."
        )
    click.echo("Next: fill in the TODOs, then run: claimsite check")


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--claims",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CLAIMS,
    show_default=True,
    help="Folder of claim files.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="How problems are written to stderr: `path:line:col: message`, or GitHub annotations.",
)
def diff(base: str, head: str | None, claims: Path, fmt: str) -> None:
    """Describe, in Markdown, what changes in the claims from BASE to HEAD.

    HEAD is a commit, or by default the working tree (edited and new files included, committed
    or not), so you can preview a change before you commit it. Lists claims added, removed,
    renamed (a new claim whose renamed_from names a removed id) and changed; every status change
    with its new reason; sources added and removed, by URL; entities; files that cannot be read.

    Problems go to stderr (`--format github`: as annotations on the changed lines): a status
    change without a new history entry (an error), the same reason for a new status, and a source
    added without an archived copy or capture (warnings).

    The rule settings of mkdocs.yml (`rules:`) apply here as in `claimsite check`: a rule turned
    off reports nothing, a rule raised to an error fails the diff.

    Exits 1 when a claim's status changed without a new history entry (or another rule rated an
    error reports), 2 on usage errors (BASE or HEAD is not a commit).

    Example:

        claimsite diff --format github origin/main HEAD >> "$GITHUB_STEP_SUMMARY"
    """
    from claimsite.diff import diff_claims, git_snapshots
    from claimsite.text import log_line

    before, after, prefix = git_snapshots(claims, base, head)  # a GitError exits with status 2
    rules = _rule_config(DEFAULT_CONFIG)
    result = diff_claims(before, after, base_label=base, head_label=head, prefix=prefix, rules=rules)
    click.echo(result.markdown, nl=False)
    if fmt == "github" and result.problems:
        click.echo(report.format_problems(result.problems, fmt), err=True)
    for problem in result.problems if fmt == "text" else []:
        click.echo(log_line(str(problem)), err=True)  # the path is a stranger's file name
    sys.exit(1 if any(p.severity is Severity.ERROR for p in result.problems) else 0)


@main.command()
@optional_config_option("the title and claims_dir")
@claims_option
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("site/claims.pdf"),
    show_default=True,
    help="Where to write the PDF.",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to keep typeset parts, so that a rebuild retypesets only what changed "
    "(default: the plugin option pdf_cache in mkdocs.yml, else .claimsite/pdf-cache).",
)
@click.option("--no-cache", is_flag=True, help="Typeset every part, reading and writing no cache.")
def pdf(config_file: Path | None, claims: Path | None, out: Path, cache: Path | None, no_cache: bool) -> None:
    """Check the claims, then write them as one PDF with contents, bookmarks and an index.

    The cover shows the edition date (from SOURCE_DATE_EPOCH when set, so the
    same claims give a byte-identical file) and the git revision of the claims.
    Nothing is written when the check fails.

    Example:

        SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) claimsite pdf
    """
    from claimsite.pdf import edition_info, make_pdf, write_pdf
    from claimsite.progress import Progress
    from claimsite.provenance import Observations

    claims_dir = _claims_dir(claims, config_file or DEFAULT_CONFIG)
    progress = Progress()
    project = _fit_to_publish(
        claims_dir,
        config_file=config_file,
        err=True,
        nothing_made="no PDF written",
        summary=lambda counts: progress(f"checked: {counts}"),
    )
    observed = Observations.from_config_file(config_file)
    cache = None if no_cache else cache or _pdf_cache(config_file)
    result = make_pdf(project, edition_info(config_file, claims_dir), progress, observed, cache=cache)
    for warning in result.warnings:
        click.echo(f"warning: typst: {warning}", err=True)
    try:
        write_pdf(out, result)
    except OSError as error:
        raise PdfError(
            fault_message(error, out, "write it elsewhere with --out PATH", [out.parent.resolve()])
        ) from None
    pages = f"{result.pages} pages, " if result.pages is not None else ""
    click.echo(f"Wrote {out} ({pages}{len(result.data) // 1024} KB)")


@main.command("verify-pdf")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--site",
    "site_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A built site to compare with: its claims.json and a page for every claim.",
)
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A claims.json (the data export) to compare with the one the PDF carries.",
)
def verify_pdf(file: Path, site_dir: Path | None, data: Path | None) -> None:
    """Check a PDF edition against what it carries, and against a site or a dataset.

    The PDF carries claims.json and MANIFEST.sha256 as attachments: the
    manifest must give claims.json's SHA-256, the cover must print the
    manifest's, and the claims the PDF prints (ids and titles) must be those
    of its claims.json. With --site or --data, that claims.json must match the
    published one, claim by claim. Prints one line per difference. Exit 0
    when nothing differs, 1 when something does, 2 when the PDF or the data
    cannot be read or on usage errors.

    Example:

        claimsite verify-pdf site/claims.pdf --site site/
    """
    import pikepdf

    from claimsite.pdf_verify import verify_pdf as check

    if site_dir is not None and data is not None:
        raise click.UsageError("give --site or --data, not both")
    try:
        dataset = data.read_bytes() if data is not None else None
        differences = check(file, data=dataset, site=site_dir)
    except (OSError, pikepdf.PdfError) as error:
        click.echo(f"Error: {file}: cannot read it as a PDF edition ({error})", err=True)
        sys.exit(2)
    for difference in differences:
        click.echo(f"{file}: {difference}")
    against = " and the site" if site_dir else " and the dataset" if data else ""
    if differences:
        click.echo(f"{len(differences)} difference{'s' if len(differences) != 1 else ''} found", err=True)
        sys.exit(1)
    click.echo(f"{file}: matches its attachments{against}")


def _pdf_cache(config_file: Path | None) -> Path:
    """The plugin option `pdf_cache` (relative to mkdocs.yml), else `.claimsite/pdf-cache`."""
    if config_file is not None and config_file.is_file():
        from claimsite.site import read_config_file

        configured = plugin_settings(read_config_file(config_file)).get("pdf_cache")
        if isinstance(configured, str) and configured:
            return config_file.parent / configured
    return Path(".claimsite") / "pdf-cache"


@main.command()
@optional_config_option("title, site_url, claims_dir")
@claims_option
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data-package"),
    show_default=True,
    help="The folder to write the data package into (replaced as a whole).",
)
def export(config_file: Path | None, claims: Path | None, out: Path) -> None:
    """Check the claims, then write the whole dataset as a Data Package (v2).

    claims.json (with its JSON Schema) and claims.jsonl, CSV tables with Table
    Schemas (text cells escaped against CSV injection), the provenance graph
    claims.prov.jsonld, a README and datapackage.json with each file's size and
    SHA-256. The folder is built beside OUT and swapped in whole; nothing is
    written when the check fails. `claimsite build` publishes the same files
    under data/ in the site.

    Example:

        SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) claimsite export --out data-package/
    """
    from claimsite.catalog import Catalog
    from claimsite.env import source_revision
    from claimsite.outputs.export import site_package, write_package
    from claimsite.pdf import site_name
    from claimsite.site import read_config_file

    claims_dir = _claims_dir(claims, config_file or DEFAULT_CONFIG) if config_file or claims else DEFAULT_CLAIMS
    project = _fit_to_publish(claims_dir, config_file=config_file, err=True, nothing_made="nothing written")
    raw = read_config_file(config_file) if config_file is not None else {}
    site_url = raw.get("site_url") if isinstance(raw.get("site_url"), str) else None
    directory_urls = raw.get("use_directory_urls", True) is not False
    files = site_package(
        Catalog(project),
        source_revision(claims_dir),
        title=site_name(config_file),
        site_url=site_url,
        use_directory_urls=directory_urls,
    )
    write_package(out, files)
    click.echo(f"Wrote {len(files)} files to {out} ({sum(map(len, files.values())) / 1e6:.1f} MB)")


@main.group()
def sources() -> None:
    """The sources as evidence: link health, captures and their custody.

    Example:

        claimsite sources check claims/ --patch link-edits.patch
    """


@sources.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_report_options
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".claimsite/link-state.json"),
    show_default=True,
    help="What earlier runs found (read, then rewritten; an address is dead only after two runs a day apart).",
)
@click.option(
    "--patch",
    "patch_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the suggested edits (url_status, last_verified, archive_url, archive_date) to this file "
    "as a unified diff.",
)
@click.option(
    "--find-archives",
    is_flag=True,
    help="For sources without archive_url, ask the Wayback Machine for the capture nearest to `published` "
    "and suggest it when it holds the quote.",
)
@click.option(
    "--wayback-api",
    default="https://archive.org/wayback/available",
    show_default=True,
    metavar="URL",
    help="The availability API --find-archives asks.",
)
@click.option("--per-host", type=click.IntRange(1, 8), default=2, show_default=True, help="Requests at once per host.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests at once.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 300),
    default=30.0,
    show_default=True,
    help="Seconds a server may stay silent.",
)
def sources_check(
    paths: tuple[Path, ...],
    fmt: str,
    strict: bool,
    state_path: Path,
    patch_path: Path | None,
    find_archives: bool,
    wayback_api: str,
    per_host: int,
    concurrency: int,
    timeout: float,
) -> None:
    """Fetch every source's address and archived copy, and report what is wrong with them.

    Read-only: the claim files are never changed; suggested edits (url_status,
    last_verified, archive_url, archive_date) go to --patch FILE.
    Each address is one of: ok, redirect-permanent, moved-domain, dead, soft-404,
    blocked, paywall, drifted (the quote is no longer on the page). A failure on one
    run is a warning; an address is dead (an error, unless its archived copy works)
    only when it failed on two runs at least a day apart. Exits 0 when no errors,
    1 when there are (or warnings, with --strict), 2 on usage errors.

    Example:

        claimsite sources check claims/ --format github --patch link-edits.patch
    """
    from claimsite.linkcheck import FetchSettings, check_sources, notes, summary, write_patch

    settings = FetchSettings(per_host=per_host, total=concurrency, read_timeout=timeout)
    found = check_sources(
        list(paths) or [DEFAULT_CLAIMS],
        state_path,
        settings,
        rules=_rule_config(DEFAULT_CONFIG),
        find_archives=wayback_api if find_archives else None,
    )
    if found.problems:
        click.echo(report.format_problems(found.problems, fmt))
    extra = write_patch(found, patch_path) if patch_path is not None else []
    for line in [*extra, *notes(found, state_path, patch_path), summary(found)]:
        click.echo(line, err=fmt != "text")
    sys.exit(1 if found.errors(strict=strict) else 0)


def _store(store: str | None, config_file: Path, repo: str | None = None, api: str | None = None) -> CaptureStore:
    """The capture store: --store, else the plugin option `captures` (a path relative to mkdocs.yml,
    branch:NAME or release:TAG), else `.claimsite/captures`."""
    from claimsite.archive.store import parse_store

    options = {key: value for key, value in (("repo", repo), ("api", api)) if value}
    if store is not None:
        return parse_store(store, options=options)
    if config_file.is_file():
        from claimsite.site import read_config_file

        configured = plugin_settings(read_config_file(config_file)).get("captures")
        if isinstance(configured, str) and configured:
            return parse_store(configured, config_file.parent, options=options)
    return parse_store(str(Path(".claimsite") / "captures"), options=options)


def _authorities(options: tuple[str, ...], config_file: Path) -> list[Authority]:
    """The time-stamping authorities: --tsa, else the plugin option `timestamp_authorities`."""
    from claimsite.archive.timestamps import parse_authorities

    configured = None
    if not options and config_file.is_file():
        from claimsite.site import read_config_file

        configured = plugin_settings(read_config_file(config_file)).get("timestamp_authorities")
    return parse_authorities(options, configured, config_file.parent)


tsa_option = click.option(
    "--tsa",
    multiple=True,
    metavar="URL[=CHAIN.pem]",
    help="A time-stamping authority (RFC 3161) and the PEM chain its tokens verify against; repeat for "
    "each (default: the plugin option timestamp_authorities).",
)


def store_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--store, and the options of a release:TAG store."""
    for option in reversed(
        [
            click.option(
                "--store",
                metavar="FOLDER|branch:NAME|release:TAG",
                help="The capture store: a folder, a branch of this repository, or a GitHub release's assets "
                "(default: the plugin option `captures` in mkdocs.yml, else .claimsite/captures).",
            ),
            click.option(
                "--repo",
                metavar="OWNER/NAME",
                help="With a release:TAG store: the GitHub repository (default: GITHUB_REPOSITORY).",
            ),
            click.option(
                "--github-api",
                metavar="URL",
                help="With a release:TAG store: the GitHub REST API (default: https://api.github.com).",
            ),
        ]
    ):
        command = option(command)
    return command


@sources.command("archive")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--claim", "claim", metavar="ID", help="Capture only this claim's sources.")
@click.option("--entity", "entity", metavar="ID", help="Capture only this person's or organisation's sources.")
@click.option(
    "--local/--public",
    default=True,
    help="--local (the default): capture in headless Chromium here; --public: submit to the Wayback Machine.",
)
@store_option
@click.option(
    "--patch",
    "patch_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the suggested edits (capture, capture_date) to this file as a unified diff.",
)
@click.option("--operator", help="Who runs the capture, for the records and the custody log (default: login name).")
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=30.0,
    show_default=True,
    help="Seconds a page may take to load.",
)
@click.option(
    "--spn-api",
    default="https://web.archive.org",
    show_default=True,
    metavar="URL",
    help="With --public: the Save Page Now 2 API (and the Wayback playback) to use.",
)
@click.option(
    "--per-minute",
    type=click.IntRange(1, 12),
    default=5,
    show_default=True,
    help="With --public: submissions in any 60 seconds, at most.",
)
@tsa_option
def sources_archive(
    paths: tuple[Path, ...],
    claim: str | None,
    entity: str | None,
    local: bool,
    store: str | None,
    repo: str | None,
    github_api: str | None,
    patch_path: Path | None,
    operator: str | None,
    timeout: float,
    spn_api: str,
    per_minute: int,
    tsa: tuple[str, ...],
) -> None:
    """Capture every source's page as evidence: WARC, WACZ, a dated full-page PNG, its text.

    Every source of every claim and entity (people's and organisations' files) is
    captured, or only those of --claim ID or of --entity ID. Each is rendered in
    headless Chromium; the HTTP exchanges (the page, its redirects and
    subresources) are kept as WARC and the page as WACZ, with a full-page PNG
    (capture time in its metadata), the DOM, the extracted text and record.json
    (SHA-256 of each file, tool versions, UTC time, final URL, HTTP status,
    whether the quote is on the page) in the capture store, and entered in the
    store's hash-chained custody log. The claim and entity files are never
    changed: the capture's hash goes to --patch FILE.

    --public submits each source without archive_url (and not marked
    archive_publicly: false) to the Wayback Machine's Save Page Now 2 with the keys in
    IA_S3_ACCESS and IA_S3_SECRET, paced (--per-minute, two jobs at once), then
    fetches the capture and suggests archive_url and archive_date only when it holds
    the source's quote; every submission is entered in the custody log.

    Each run's manifest (the SHA-256 of its records and the custody log's last line)
    is stamped by every time-stamping authority (RFC 3161) of --tsa or of the plugin
    option timestamp_authorities; the tokens are kept beside it.

    Exits 0 when every source was captured, 1 when some could not be, 2 on usage
    errors.

    Example:

        claimsite sources archive --claim my-claim --patch capture-edits.patch
    """
    if claim is not None and entity is not None:
        raise ClaimsiteError("give --claim ID or --entity ID, not both")
    from claimsite.archive.timestamps import run_name

    kept = _store(store, DEFAULT_CONFIG, repo, github_api)
    run = run_name()
    with kept.working() as where:
        if not local:
            failed = _archive_public(paths, claim, entity, where, kept, patch_path, operator, spn_api, per_minute)
            _stamp_run(where, run, "public", [], tsa)
        else:
            failed = _archive_local(paths, claim, entity, where, kept, patch_path, operator, timeout, run, tsa)
        published = kept.publish(where, run)
    if published:
        click.echo(published)
    sys.exit(1 if failed else 0)


def _archive_local(
    paths: tuple[Path, ...],
    claim: str | None,
    entity: str | None,
    where: Path,
    kept: CaptureStore,
    patch_path: Path | None,
    operator: str | None,
    timeout: float,
    run: str,
    tsa: tuple[str, ...],
) -> bool:
    """Run --local into the working folder `where`; whether some source could not be captured."""
    from claimsite.archive import archive_sources
    from claimsite.text import visible

    found = archive_sources(
        list(paths) or [DEFAULT_CLAIMS], where, claim=claim, entity=entity, operator=operator, timeout=timeout
    )
    for item in found.captured:
        if item.error or item.folder is None:
            click.echo(f"{item.cited.where()}: not captured: {visible(item.error)}")
            continue
        record = item.record
        quote = {True: "quote found", False: "quote NOT found", None: "no quote"}[record["quote_found"]]
        click.echo(
            f"{item.cited.where()}: captured {record['http_status']} {visible(record['final_url'])}; {quote}; "
            f"sha256:{item.record_sha256[:12]}… in {visible(kept.show(item.folder.relative_to(where).as_posix()))}"
        )
    if patch_path is not None:
        _write_patch(found.edits(), patch_path)
    elif found.edits():
        click.echo("write the suggested capture and capture_date edits as a patch with --patch FILE")
    done = len(found.captured) - len(found.failed)
    click.echo(f"{done} of {len(found.captured)} sources captured into {visible(kept.spec)}")
    records = [
        (item.record_sha256, (item.folder / "record.json").relative_to(where).as_posix())
        for item in found.captured
        if item.folder is not None and not item.error
    ]
    _stamp_run(where, run, "local", records, tsa)
    return bool(found.failed)


def _write_patch(edits: Sequence[Edit], patch_path: Path) -> None:
    from claimsite.linkcheck.patch import make_patch
    from claimsite.text import visible

    text, skipped = make_patch(edits)
    patch_path.parent.mkdir(parents=True, exist_ok=True)
    patch_path.write_text(text, encoding="utf-8", newline="")
    for edit in skipped:
        click.echo(f"{visible(edit.path)}: set {edit.key}: {edit.value} by hand (not one key per line)")
    click.echo(f"suggested edits: {visible(str(patch_path))} (apply with: git apply {visible(str(patch_path))})")


def _archive_public(
    paths: tuple[Path, ...],
    claim: str | None,
    entity: str | None,
    where: Path,
    kept: CaptureStore,
    patch_path: Path | None,
    operator: str | None,
    spn_api: str,
    per_minute: int,
) -> bool:
    """Run --public; whether some source has no checked public copy."""
    import getpass

    from claimsite.archive.public import SpnSettings, archive_publicly, archive_today_link
    from claimsite.text import visible

    settings = SpnSettings(api=spn_api, per_minute=per_minute)
    found = archive_publicly(
        list(paths) or [DEFAULT_CLAIMS],
        where,
        settings,
        claim=claim,
        entity=entity,
        operator=operator if operator is not None else getpass.getuser(),
    )
    for item in found.submitted:
        line = f"{item.cited.where()}: {item.outcome}: {visible(item.message)}"
        if item.archive_url:
            line += f" ({visible(item.archive_url)})"
        if item.outcome in ("failed", "not recorded", "not submitted"):
            line += f"; to archive by hand: {archive_today_link(item.cited.source.url)}"
        click.echo(line)
    if patch_path is not None:
        _write_patch(found.edits(), patch_path)
    elif found.edits():
        click.echo("write the suggested archive_url and archive_date edits as a patch with --patch FILE")
    recorded = sum(item.outcome == "recorded" for item in found.submitted)
    skipped = sum(item.outcome == "skipped" for item in found.submitted)
    click.echo(
        f"{recorded} of {len(found.submitted)} sources have a checked public copy, {skipped} skipped, "
        f"{len(found.failed)} without one; custody log: {visible(kept.show('custody.jsonl'))}"
    )
    return bool(found.failed)


def _stamp_run(where: Path, run: str, kind: str, records: list[tuple[str, str]], tsa: tuple[str, ...]) -> None:
    """Write the run's manifest and have it stamped; one line per outcome (a failure never fails the run)."""
    from claimsite.archive.timestamps import stamp_run, write_manifest
    from claimsite.text import visible

    authorities = _authorities(tsa, DEFAULT_CONFIG)
    manifest = write_manifest(where, run, kind, records)
    for note in stamp_run(where, manifest, authorities).notes:
        click.echo(visible(note))


@sources.command("verify")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@store_option
@click.option("--no-log", is_flag=True, help="Do not append this run to the custody log.")
@tsa_option
def sources_verify(
    paths: tuple[Path, ...],
    store: str | None,
    repo: str | None,
    github_api: str | None,
    no_log: bool,
    tsa: tuple[str, ...],
) -> None:
    """Re-hash every stored capture, walk the custody chain, match the claim files' capture hashes.

    One line per source says what holds and what does not (a file that no longer
    matches its SHA-256, a capture the claim file names but the store lacks, a
    record the custody log never entered); one line per break of the custody chain
    (a line edited, deleted, inserted or moved); one line per stamped run (each
    RFC 3161 token stamps the manifest as it is now, and its signature verifies
    against the chain configured for its authority). The run is appended to the log
    of a folder store; a branch:NAME or release:TAG store is copied into a temporary
    folder and verified there, read-only.
    Exits 0 when everything holds, 1 on any mismatch, 2 on usage errors.

    Example:

        claimsite sources verify claims/ --store .claimsite/captures
    """
    from claimsite.archive.verify import summary, verify_store
    from claimsite.custody import LOG_NAME
    from claimsite.text import visible

    kept = _store(store, DEFAULT_CONFIG, repo, github_api)
    authorities = _authorities(tsa, DEFAULT_CONFIG)
    with kept.materialised() as copy:
        result = verify_store(
            list(paths) or [DEFAULT_CLAIMS],
            copy.folder,
            log=copy.writable and not no_log,
            authorities=authorities,
            shown=kept.spec,
        )
    for line in [*(visible(problem) for problem in copy.problems), *result.lines]:
        click.echo(line)
    if not copy.writable:
        click.echo(f"{visible(kept.spec)} was verified from a temporary copy: no verify line was appended")
    click.echo(summary(result, copy.folder / LOG_NAME))
    sys.exit(0 if result.ok and not copy.problems else 1)
