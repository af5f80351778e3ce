#!/usr/bin/env python3
"""Benchmark `claimsite check` on hostile files: each shape filled to the 256 KB size limit.

A claim file comes from a stranger's pull request, so its checking cost must be bounded by its size
whatever it holds: no quadratic path on many keys, many duplicates, many references or many problems.
For each shape below the script writes one file of just under 256 KB beside the test fixtures'
entities, checks the folder with `claimsite.project.load_project` (what `claimsite check` runs,
without process start-up) and reports the median of `--repeat` runs, the number of problems found,
and the ratio to the baseline measured in the same run: PyYAML's C loader (`yaml.CSafeLoader`)
merely loading the same text, the least any checker of YAML must spend on it. The machines are
shared and noisy, so the ratio is the figure to compare; times are printed too.

It also times the same shapes at a quarter of the size: checking time stays linear when the
time at full size is about four times the time at a quarter (`growth` is that ratio divided by 4).

Example:

    python scripts/bench_check.py --repeat 5 --json check-bench.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
ENTITIES = REPO / "tests" / "fixtures" / "valid" / "entities"
LIMIT = 256 * 1024
CLAIM_HEAD = (
    "title: A claim\nstatement: According to a report, something happened.\nstatus: alleged\n"
    "status_reason: One report.\ndate: 2020-10-30\n"
)
SOURCE = (
    "  - id: s{i}\n    url: https://example.org/{i}\n    title: Report {i}\n    publisher: Example\n"
    "    published: 2020-11-01\n    language: en\n    kind: news\n    relation: supports\n"
)
HISTORY = "history:\n  - {date: 2020-11-01, status: alleged}\n"


def _fill(head: str, line: Callable[[int], str], tail: str = "", limit: int = LIMIT) -> str:
    """`head`, then `line(0)`, `line(1)`, … while the text stays under `limit` bytes, then `tail`."""
    parts, size, index = [head], len(head.encode()) + len(tail.encode()), 0
    while True:
        piece = line(index)
        size += len(piece.encode())
        if size > limit - 1:
            break
        parts.append(piece)
        index += 1
    parts.append(tail)
    return "".join(parts)


def shapes(limit: int = LIMIT) -> dict[str, str]:
    """Each hostile shape as the text of one claim file of just under `limit` bytes."""
    return {
        "unknown-keys": _fill("", lambda i: f"z{i:x}: 0\n", limit=limit),
        "duplicate-keys": _fill("", lambda i: "title: x\n", limit=limit),
        "many-sources": _fill(CLAIM_HEAD + "sources:\n", lambda i: SOURCE.format(i=i), HISTORY, limit),
        "same-source-id": _fill(CLAIM_HEAD + "sources:\n", lambda i: SOURCE.format(i=0), HISTORY, limit),
        "unknown-references": _fill(
            CLAIM_HEAD + "sources:\n" + SOURCE.format(i=0) + HISTORY + "people:\n",
            lambda i: f"  - p{i}\n",
            limit=limit,
        ),
        "many-tags": _fill(
            CLAIM_HEAD + "sources:\n" + SOURCE.format(i=0) + HISTORY + "tags:\n", lambda i: f"  - t{i}\n", limit=limit
        ),
        "many-history": _fill(
            CLAIM_HEAD + "sources:\n" + SOURCE.format(i=0) + "history:\n",
            lambda i: f"  - {{date: 2020-11-{1 + i % 28:02d}, status: {('alleged', 'disputed')[i % 2]}}}\n",
            limit=limit,
        ),
        "long-line": _fill("title: ", lambda i: "word" * 64, "\n", limit),
        "control-escapes": _fill("", lambda i: f'k{i}: "\\e[31m\\0"\n', limit=limit),
        "line-separators": _fill("title: ", lambda i: "a\u2028", "\n", limit),
        "tags-everywhere": _fill("", lambda i: f"k{i}: !!python/name:os.system x\n", limit=limit),
        "deep-flow": _fill("title: ", lambda i: "[", "", limit),
        "many-problems": _fill(CLAIM_HEAD + "sources:\n", lambda i: f"  - id: S {i}\n    url: ftp://x\n", limit=limit),
    }


def _median_time(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, text: str, folder: Path, repeat: int) -> dict[str, object]:
    """Time checking `text` as one claim file, and the baseline of loading it with libyaml."""
    from claimsite.project import load_project

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ENTITIES, folder / "entities")
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    problems = len(load_project([folder], keep_records=False).problems)
    check = _median_time(lambda: load_project([folder], keep_records=False), repeat)

    def baseline() -> None:
        with contextlib.suppress(yaml.YAMLError):
            yaml.load(text, Loader=yaml.CSafeLoader)

    base = _median_time(baseline, repeat)
    return {"shape": name, "bytes": len(text.encode()), "problems": problems, "check_s": check, "libyaml_s": base}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is kept)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="claimsite-bench-check-") as scratch:
        quarter = shapes(LIMIT // 4)
        for name, text in shapes().items():
            full = measure(name, text, Path(scratch) / "full", args.repeat)
            small = measure(name, quarter[name], Path(scratch) / "quarter", args.repeat)
            full["growth"] = float(full["check_s"]) / max(float(small["check_s"]), 1e-9) / 4  # type: ignore[arg-type]
            rows.append(full)
    print(f"{'shape':20} {'bytes':>7} {'problems':>8} {'check':>8} {'libyaml':>8} {'ratio':>6} {'growth':>6}")
    for row in rows:
        check, base = float(row["check_s"]), float(row["libyaml_s"])  # type: ignore[arg-type]
        print(
            f"{row['shape']:20} {row['bytes']:>7} {row['problems']:>8} {check:>7.3f}s {base:>7.3f}s "
            f"{check / max(base, 1e-9):>6.1f} {row['growth']:>6.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
