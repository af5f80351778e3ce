"""Benchmark of the data package (`claimsite export`): time and sizes on a synthetic corpus, and the
share of a full `claimsite build` it adds (target: at most 10%).

Makes a project (this repository's mkdocs.yml and docs/, a seeded corpus from `claimsite.synth`),
then measures in one run:

- package: `package_files` on the loaded catalog, in this process (what the build adds: the build
  has loaded and checked the claims already), best of --repeat;
- export: `claimsite export` as a child process (check included), once;
- build: `claimsite build` as a child process, and the same build with the package stubbed out (no
  files), alternated --builds times (with --build; it takes minutes at 10,000): the difference is
  what the package adds to a build, which makes it in a forked child beside MkDocs.

Example: python scripts/bench_export.py --count 10000 --build
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLAIMSITE = [sys.executable, "-m", "claimsite"]


WITHOUT_PACKAGE = """
import sys
from claimsite.outputs import export
export.site_package = lambda *args, **kwargs: {}
from claimsite.cli import main
main(sys.argv[1:])
"""
"""`claimsite build` with a data package of no files: the baseline of what the package adds."""


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("Example: ")[1])
    parser.add_argument("--count", type=int, default=10000, help="claims in the corpus (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus (default 0)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the in-process package (default 3)")
    parser.add_argument(
        "--build", action="store_true", help="also time a full `claimsite build`, with and without the package"
    )
    parser.add_argument("--builds", type=int, default=2, help="builds of each kind, alternated (default 2)")
    args = parser.parse_args(argv)

    from claimsite.catalog import Catalog
    from claimsite.outputs.datapackage import Edition, PackageInfo, package_files
    from claimsite.project import load_project
    from claimsite.synth import write

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764547200")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(REPO / "docs", project / "docs")
        shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
        write(args.count, project / "claims", args.seed)
        catalog = Catalog(load_project([project / "claims"]))
        catalog.warm()
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            files = package_files(catalog, Edition.of(catalog), PackageInfo("bench"))
            seconds.append(time.perf_counter() - started)
        package = min(seconds)
        print(f"{args.count} claims; package (in process, best of {args.repeat}): {package:.2f} s")
        for name, content in sorted(files.items(), key=lambda item: -len(item[1])):
            print(f"  {name:24} {len(content) / 1e6:8.2f} MB")
        print(f"  {'total':24} {sum(map(len, files.values())) / 1e6:8.2f} MB")
        export = _timed([*CLAIMSITE, "export", "--out", "data-package"], project)
        print(f"claimsite export (child process, check included): {export:.1f} s")
        if args.build:
            # The build makes the package in a forked child while MkDocs writes the pages, so what it
            # adds is measured, not computed: the same build with the package stubbed out, alternated.
            with_package, without = [], []
            for _ in range(args.builds):
                with_package.append(_timed([*CLAIMSITE, "build"], project))
                without.append(_timed([sys.executable, "-c", WITHOUT_PACKAGE, "build"], project))
            build, bare = min(with_package), min(without)
            print(f"claimsite build (child process, package included, best of {args.builds}): {build:.1f} s")
            print(f"the same build without the package (best of {args.builds}): {bare:.1f} s")
            print(f"share of the build the package adds: {(build - bare) / bare:.1%}")
            print(f"its share if it were made in the build's own process: {package / (build - package):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
