#!/usr/bin/env python3
"""Benchmark the PDF edition on synthetic corpora: tagged parts against untagged parts and against one
typst run of the whole edition, in the same run; then a rebuild after editing one claim.

For each size it writes a corpus with `claimsite.synth` into a temporary folder, then runs every
variant as a child process of its own (this script with `--variant`), and records the wall time,
the peak memory of the whole process tree (the largest sum of resident memory of the child and all
its descendants, from /proc, sampled every 50 ms; typst parts run in grandchildren) and the size of
the file:

  tagged      make_pdf: parts of 150 claims typeset with PDF/UA-1 tags, structure trees merged
  untagged    make_pdf(tagged=False): the same parts without tags (the edition before issue 15)
  one-run     the whole edition as one typst source, one compile with PDF/UA-1 (no page numbers
              settled: a lower bound of what one run costs)
  cold        make_pdf with an empty cache folder
  rebuild     make_pdf with that cache after editing one claim's statement (the timed rebuild);
              `inner s` is make_pdf alone, without starting Python and loading the corpus

A single typst run needs about 2 GB per 1,000 claims, so `one-run` is skipped (and the table says
so) when MemAvailable is below --one-run-memory-gb, and is stopped when its tree passes that.

Example:

    python scripts/bench_pdf.py --sizes 1000,5000 --json bench-pdf.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 12, 1)


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry), int(fields[1])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def mem_available() -> int:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(args: list[str], limit: int | None = None) -> dict[str, Any]:
    """Run this script as a child with `args`; seconds, peak tree MB and what the child printed."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(child.pid))
        if limit is not None and peak > limit:
            child.kill()
            child.wait()
            return {"error": f"stopped: the process tree passed {limit / 2**30:.0f} GB"}
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    out, err = child.communicate()
    if child.returncode != 0:
        return {"error": err.decode("utf-8", "replace").strip().splitlines()[-1:]}
    return {"seconds": round(seconds, 2), "tree_mb": round(peak / 2**20), **json.loads(out)}


def run_variant(variant: str, claims: Path, out: Path, cache: Path | None) -> dict[str, Any]:
    """Inside the child: make one PDF and report its size (and make_pdf's own time)."""
    import typst

    from claimsite.catalog import Catalog
    from claimsite.pdf import EditionInfo, make_pdf, render_typst
    from claimsite.pdf_verify import edition_files
    from claimsite.project import load_project

    edition = EditionInfo(
        title="Synthetic claims", date=TODAY, revision="bench", site_url="https://claims.example.org/"
    )
    site = Catalog(load_project([claims], today=TODAY))
    start = time.perf_counter()
    parts = None
    if variant == "one-run":
        source = render_typst(site, edition, manifest=edition_files(site, edition.revision).manifest_hash)
        data = typst.compile(
            source.encode(), format="pdf", ignore_system_fonts=True, timestamp=edition.timestamp, pdf_standards=["ua-1"]
        )
    else:
        result = make_pdf(site, edition, tagged=variant != "untagged", cache=cache)
        data, parts = result.data, result.parts_typeset
    inner = time.perf_counter() - start
    out.write_bytes(data)
    return {"inner_s": round(inner, 2), "mb": round(len(data) / 2**20, 1), "parts_typeset": parts}


def edit_one_claim(claims: Path) -> None:
    path = sorted(claims.glob("*.yaml"))[len(list(claims.glob("*.yaml"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nstatus:", " Edited for the benchmark.\nstatus:", 1), encoding="utf-8")


def bench_size(count: int, work: Path, one_run_limit: int, skip_one_run: bool) -> dict[str, Any]:
    from claimsite import synth

    claims = work / f"claims-{count}"
    synth.write(count, claims, seed=0)
    result: dict[str, Any] = {"claims": count}

    def step(name: str, variant: str, cache: Path | None = None, limit: int | None = None) -> None:
        args = ["--variant", variant, "--claims", str(claims), "--out", str(work / f"{name}-{count}.pdf")]
        result[name] = measure([*args, "--cache", str(cache)] if cache else args, limit)
        print(f"{count:>6} {name:<9} {result[name]}", file=sys.stderr, flush=True)

    step("tagged", "tagged")
    step("untagged", "untagged")
    if skip_one_run:
        result["one-run"] = {"error": "skipped (--skip-one-run)"}
    elif mem_available() < one_run_limit:
        result["one-run"] = {"error": f"skipped: MemAvailable {mem_available() / 2**30:.1f} GB is below the limit"}
    else:
        step("one-run", "one-run", limit=one_run_limit)
    cache = work / f"cache-{count}"
    step("cold", "tagged", cache)
    edit_one_claim(claims)
    step("rebuild", "tagged", cache)
    return result


def ratio(result: dict[str, Any], a: str, b: str, key: str) -> str:
    x, y = result.get(a, {}).get(key), result.get(b, {}).get(key)
    return f"{x / y:.2f}" if x and y else "-"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| claims | variant | time s | inner s | tree MB | file MB | parts typeset |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for name in ("tagged", "untagged", "one-run", "cold", "rebuild"):
            run = result.get(name, {})
            if "error" in run:
                lines.append(f"| {result['claims']:,} | {name} | {run['error']} | | | | |")
                continue
            cells = [run.get(key, "-") for key in ("seconds", "inner_s", "tree_mb", "mb", "parts_typeset")]
            lines.append(f"| {result['claims']:,} | {name} | " + " | ".join(str(c) for c in cells) + " |")
    lines.append("")
    for result in results:
        lines.append(
            f"{result['claims']:,} claims: tagged/one-run time {ratio(result, 'tagged', 'one-run', 'seconds')}, "
            f"tagged/untagged time {ratio(result, 'tagged', 'untagged', 'seconds')}, "
            f"size {ratio(result, 'tagged', 'untagged', 'mb')}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one-run-memory-gb", type=float, default=14.0)
    parser.add_argument("--skip-one-run-above", type=int, default=None, help="skip one-run for larger sizes")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--claims", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.claims, args.out, args.cache)))
        return 0
    limit = int(args.one_run_memory_gb * 2**30)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as work:
        for size in (int(s) for s in args.sizes.split(",")):
            skip = args.skip_one_run_above is not None and size > args.skip_one_run_above
            results.append(bench_size(size, Path(work), limit, skip))
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
