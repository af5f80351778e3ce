#!/usr/bin/env python3
"""Benchmark the pipeline on synthetic corpora (see scripts/synth.py) against the performance budget.

For each corpus size it generates claims in a temporary folder, then runs every measured step as its
own child process and records wall time (time.perf_counter) and peak memory (ru_maxrss of that child
from os.wait4: the largest resident size of the child or of any process it waited for, such as
loader workers; the largest single process, not their sum):

  check     claimsite check
  build     claimsite build: check + generate + strict MkDocs build (the full pipeline)
  generate  claimsite generate: Markdown pages and a plugin-free mkdocs.yml
  plain     mkdocs build of that generated Markdown: the baseline the full build is compared with
  pdf       claimsite pdf (only with --pdf, and only if the command exists)

It then reports build/plain, the median claim page size, the site and search index sizes, and how
time grows from the smallest to the largest size. A step that fails or does not exist yet is
reported with its message; the other steps still run.

Example:

    python scripts/bench.py --sizes 1000,5000 --json bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from claimsite import synth

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "mkdocs.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    """The tool from this interpreter's environment if it is there, else from PATH."""
    local = BIN / name
    return str(local) if local.exists() else name


CLAIMSITE = _tool("claimsite")
MKDOCS = _tool("mkdocs")


# --------------------------------------------------------------------------- the measured commands
# Edit these when the command lines change; everything else follows.


def check_command(claims: Path) -> list[str]:
    """Validate every claim and entity file."""
    return [CLAIMSITE, "check", str(claims)]


def build_command(config: Path, claims: Path, site: Path) -> list[str]:
    """The full pipeline: check, generate pages, strict MkDocs build with the plugin."""
    return [CLAIMSITE, "build", "-f", str(config), "--claims", str(claims), "--site-dir", str(site)]


def generate_command(config: Path, claims: Path, out: Path) -> list[str]:
    """Write the Markdown pages and a plugin-free OUT/mkdocs.yml."""
    return [CLAIMSITE, "generate", "-f", str(config), "--claims", str(claims), "--out", str(out)]


def plain_build_command(generated: Path, site: Path) -> list[str]:
    """Plain MkDocs on the generated Markdown, without the claimsite plugin: the baseline."""
    return [MKDOCS, "build", "-f", str(generated / "mkdocs.yml"), "-d", str(site)]


def pdf_command(claims: Path, pdf: Path) -> list[str]:
    """The whole corpus as one PDF."""
    return [CLAIMSITE, "pdf", "--claims", str(claims), "-o", str(pdf)]


def help_command(subcommand: str) -> list[str]:
    """Whether a claimsite subcommand exists (its --help exits 0)."""
    return [CLAIMSITE, subcommand, "--help"]


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    """One measured child process."""

    seconds: float | None = None
    peak_mb: float | None = None
    error: str | None = None
    """Why the step has no numbers: it failed, or the command does not exist."""


@dataclass
class SizeResult:
    """Everything measured for one corpus size."""

    claims: int
    files: int = 0
    steps: dict[str, Run] = field(default_factory=dict)
    build_over_plain: float | None = None
    claim_page_kb_median: float | None = None
    claim_page_kb_max: float | None = None
    claim_pages: int = 0
    site_mb: float | None = None
    site_files: int = 0
    search_index_mb: float | None = None
    pdf_mb: float | None = None


def child_env() -> dict[str, str]:
    """The environment for every child: Material's MkDocs 2.0 banner off."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def measure(command: Sequence[str], log: Path) -> Run:
    """Run one command as a child process; wall time, its own peak RSS and, on failure, why."""
    with log.open("wb") as output:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                command, cwd=REPO, env=child_env(), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as error:
            return Run(error=f"cannot run {command[0]}: {error.strerror}")
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
    if process.returncode != 0:
        return Run(error=f"exit {process.returncode}: {_tail(log)}")
    return Run(seconds=round(seconds, 3), peak_mb=round(usage.ru_maxrss / 1024, 1))


def _tail(log: Path, count: int = 3, width: int = 200) -> str:
    """The last lines of a log, shortened: enough to say why a step failed."""
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    shown = [line if len(line) <= width else line[: width - 1] + "…" for line in lines if line][-count:]
    return " | ".join(shown) or "no output"


def command_exists(subcommand: str) -> bool:
    """True when `claimsite SUBCOMMAND --help` succeeds."""
    try:
        result = subprocess.run(help_command(subcommand), cwd=REPO, env=child_env(), capture_output=True)
    except OSError:
        return False
    return result.returncode == 0


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays a clean report."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- sizes on disk


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under a folder."""
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return sum(sizes), len(sizes)


def claim_pages(site: Path) -> list[Path]:
    """The built HTML page of every synthetic claim, whatever the URL layout."""
    pages = []
    for path in sorted(site.glob(f"**/{synth.CLAIM_PREFIX}*")):
        if path.is_dir() and (path / "index.html").is_file():
            pages.append(path / "index.html")
        elif path.is_file() and path.suffix == ".html":
            pages.append(path)
    return pages


def record_site(result: SizeResult, site: Path) -> None:
    """Claim page, site and search index sizes of a built site."""
    total, files = folder_size(site)
    result.site_mb, result.site_files = round(total / 2**20, 1), files
    pages = [p.stat().st_size / 1024 for p in claim_pages(site)]
    if pages:
        result.claim_pages = len(pages)
        result.claim_page_kb_median = round(statistics.median(pages), 1)
        result.claim_page_kb_max = round(max(pages), 1)
    index = site / "search" / "search_index.json"
    if index.is_file():
        result.search_index_mb = round(index.stat().st_size / 2**20, 1)


# --------------------------------------------------------------------------- one size


def bench_size(size: int, seed: int, work: Path, config: Path, available: dict[str, bool]) -> SizeResult:
    """Generate a corpus of `size` claims under `work` and measure every available step on it."""
    result = SizeResult(size)
    claims, site, generated, plain = work / "claims", work / "site", work / "generated", work / "plain-site"
    progress(f"[{size}] generating corpus in {claims}")
    result.files = synth.write(size, claims, seed)

    def step(name: str, command: list[str]) -> Run:
        if not available.get(name, True):
            run = Run(error=f"'claimsite {name}' does not exist yet; skipped")
            progress(f"[{size}] {name}: skipped, the command does not exist")
        else:
            progress(f"[{size}] {name}: {' '.join(command)}")
            run = measure(command, work / f"{name}.log")
            if run.error:
                progress(f"[{size}] {name} FAILED ({work / f'{name}.log'}): {run.error}")
        result.steps[name] = run
        return run

    step("check", check_command(claims))
    step("build", build_command(config, claims, site))
    if not step("generate", generate_command(config, claims, generated)).error:
        step("plain", plain_build_command(generated, plain))
    else:
        result.steps["plain"] = Run(error="needs the output of generate; skipped")
    if "pdf" in available:
        pdf = work / "claims.pdf"
        if not step("pdf", pdf_command(claims, pdf)).error and pdf.is_file():
            result.pdf_mb = round(pdf.stat().st_size / 2**20, 1)

    build, baseline = result.steps["build"], result.steps["plain"]
    if build.seconds and baseline.seconds:
        result.build_over_plain = round(build.seconds / baseline.seconds, 2)
    for name, built in (("build", site), ("plain", plain)):  # a failed build may leave a partial site
        if not result.steps[name].error and built.is_dir():
            record_site(result, built)
            break
    return result


# --------------------------------------------------------------------------- report


COLUMNS = [  # (heading, how to read it off a result)
    ("claims", lambda r: r.claims),
    ("check s", lambda r: r.steps["check"].seconds),
    ("check MB", lambda r: r.steps["check"].peak_mb),
    ("build s", lambda r: r.steps["build"].seconds),
    ("build MB", lambda r: r.steps["build"].peak_mb),
    ("generate s", lambda r: r.steps["generate"].seconds),
    ("plain s", lambda r: r.steps["plain"].seconds),
    ("plain MB", lambda r: r.steps["plain"].peak_mb),
    ("build/plain", lambda r: r.build_over_plain),
    ("claim page KB (median/max)", lambda r: _pair(r.claim_page_kb_median, r.claim_page_kb_max)),
    ("site MB (files)", lambda r: _pair(r.site_mb, r.site_files or None, "({})")),
    ("search index MB", lambda r: r.search_index_mb),
]
PDF_COLUMNS = [
    ("pdf s", lambda r: r.steps["pdf"].seconds if "pdf" in r.steps else None),
    ("pdf MB peak", lambda r: r.steps["pdf"].peak_mb if "pdf" in r.steps else None),
    ("pdf file MB", lambda r: r.pdf_mb),
]


def _pair(first: Any, second: Any, form: str = "/ {}") -> str | None:
    if first is None:
        return None
    return f"{first} {form.format(second)}" if second is not None else str(first)


def growth(results: list[SizeResult]) -> dict[str, dict[str, float]]:
    """Per step: time at the largest size / time at the smallest, next to the size ratio."""
    if len(results) < 2:
        return {}
    small, large = results[0], results[-1]
    ratios = {}
    for name in large.steps:
        before, after = small.steps.get(name), large.steps.get(name)
        if before and after and before.seconds and after.seconds:
            ratios[name] = {
                "time_ratio": round(after.seconds / before.seconds, 2),
                "size_ratio": round(large.claims / small.claims, 2),
            }
    return ratios


def markdown(results: list[SizeResult], with_pdf: bool) -> str:
    """The report: a table of sizes, the growth ratios, and every step that had no numbers."""
    columns = COLUMNS + (PDF_COLUMNS if with_pdf else [])
    lines = ["| " + " | ".join(h for h, _ in columns) + " |", "|" + "---|" * len(columns)]
    for result in results:
        cells = [get(result) for _, get in columns]
        lines.append("| " + " | ".join("—" if c is None else str(c) for c in cells) + " |")
    ratios = growth(results)
    if ratios:
        small, large = results[0].claims, results[-1].claims
        lines += ["", f"Growth from {small} to {large} claims (linear would be the size ratio):", ""]
        lines += [f"- {name}: time ×{r['time_ratio']} for size ×{r['size_ratio']}" for name, r in ratios.items()]
    failures = [(r.claims, name, run.error) for r in results for name, run in r.steps.items() if run.error]
    if failures:
        lines += ["", "Steps without numbers:", ""]
        lines += [f"- {claims} claims, {name}: {error}" for claims, name, error in failures]
    return "\n".join(lines)


def as_json(results: list[SizeResult]) -> dict[str, Any]:
    """The report as data, with the machine it ran on."""
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "system": platform.platform()},
        "sizes": [asdict(r) for r in results],
        "growth": growth(results),
    }


# --------------------------------------------------------------------------- command line


def parse_sizes(text: str) -> list[int]:
    """`1000,5000` -> [1000, 5000], sorted; argparse turns a ValueError into a usage error."""
    sizes = sorted(int(part) for part in text.split(",") if part.strip())
    if not sizes or sizes[0] < 1:
        raise ValueError(text)
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, benchmark each size, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python scripts/bench.py --sizes 1000,5000 --json bench.json",
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1000, 5000], help="comma-separated corpus sizes (default 1000,5000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--pdf", action="store_true", help="also time 'claimsite pdf' if it exists")
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"mkdocs.yml of the site to build (default {DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="work in this folder and keep the corpora and sites (default: a temporary folder, removed afterwards)",
    )
    args = parser.parse_args(argv)

    available = {name: command_exists(name) for name in ("check", "build", "generate")}
    if args.pdf:
        available["pdf"] = command_exists("pdf")
        if not available["pdf"]:
            print("note: 'claimsite pdf --help' failed; the PDF is not timed", file=sys.stderr)
    if not available["check"]:
        print(f"error: '{CLAIMSITE} check --help' failed; is claimsite installed in this environment?", file=sys.stderr)
        return 1

    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"claimsite-bench-{size}-") as temporary:
            work = args.keep / str(size) if args.keep else Path(temporary)
            if args.keep and work.exists():
                parser.error(f"{work} exists; choose an empty --keep folder")
            work.mkdir(parents=True, exist_ok=True)
            results.append(bench_size(size, args.seed, work, args.config.resolve(), available))

    print(markdown(results, with_pdf=args.pdf))
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
