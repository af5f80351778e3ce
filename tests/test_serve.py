"""`claimsite serve`: edits rebuild the site; a broken claim is reported and the server stays up."""

from __future__ import annotations

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import INVALID, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


@pytest.fixture
def server(project_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimsite", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for(lambda: "Leaked audio" in fetch(url + "claims/leaked-order/"))
            yield url, project_dir, log
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert process.returncode is not None


def test_editing_a_claim_rebuilds_the_page(server: tuple[str, Path, Path]) -> None:
    url, project, _ = server
    claim = project / "claims" / "leaked-order.yaml"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace("Leaked audio attributes", "Edited audio attributes"),
        encoding="utf-8",
    )
    wait_for(lambda: "Edited audio attributes" in fetch(url + "claims/leaked-order/"))


def test_the_data_package_follows_an_edit(server: tuple[str, Path, Path]) -> None:
    """Under serve the data package is made when the Data page is built (after the claim pages); the
    files the server gives and the hashes the Data page lists follow the edit."""
    import hashlib

    url, project, _ = server

    def data_page_lists(name: str, content: bytes) -> bool:
        return hashlib.sha256(content).hexdigest() in fetch(url + "data/") and name in fetch(url + "data/")

    with urllib.request.urlopen(url + "data/claims.json", timeout=5) as response:
        before = response.read()
    assert b"Leaked audio attributes" in before and data_page_lists("claims.json", before)
    claim = project / "claims" / "leaked-order.yaml"
    claim.write_text(
        claim.read_text(encoding="utf-8").replace("Leaked audio attributes", "Edited audio attributes"),
        encoding="utf-8",
    )
    wait_for(lambda: "Edited audio attributes" in fetch(url + "claims/leaked-order/"))

    def published() -> bytes:
        with urllib.request.urlopen(url + "data/claims.json", timeout=5) as response:
            return response.read()

    wait_for(lambda: b"Edited audio attributes" in published())
    after = published()
    wait_for(lambda: data_page_lists("claims.json", after))
    assert b"Leaked audio attributes" not in after


def test_a_broken_claim_is_reported_and_the_server_keeps_serving(server: tuple[str, Path, Path]) -> None:
    url, project, log = server
    broken = project / "claims" / "bad-values.yaml"
    broken.write_bytes((INVALID / "values" / "bad-values.yaml").read_bytes())
    wait_for(lambda: "bad-values.yaml:3:9: status: 'proven' is not allowed" in log.read_text())
    assert "Leaked audio" in fetch(url + "claims/leaked-order/")
    broken.unlink()
    claim = project / "claims" / "voice-attribution.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("The voice on", "Revised voice on"), encoding="utf-8")
    wait_for(lambda: "Revised voice on" in fetch(url + "claims/voice-attribution/"))


def test_a_rebuild_marks_only_the_pages_an_edit_changed(project_dir: Path) -> None:
    """Under serve, unchanged files are not re-read and unchanged pages are not rebuilt (dirty builds)."""
    from claimsite.site import load_site_config, plugin_of

    config = load_site_config(project_dir / "mkdocs.yml")
    plugin = plugin_of(config)
    plugin.on_startup(command="serve", dirty=True)
    plugin.on_config(config)
    plugin.on_pre_build(config=config)
    assert plugin.modified == set(plugin.pages)
    assert plugin.data_job is not None
    plugin.data_job.result()  # the data package, made when the Data page is built (after the claim pages)
    first = dict(plugin.pages)
    plugin.on_pre_build(config=config)
    assert plugin.modified == set()  # the Data page too: the package's inputs did not change
    claim_pages = [path for path in first if path.startswith("claims/") and path != "claims/index.md"]
    assert all(plugin.pages[path] is first[path] for path in claim_pages)  # reused, not rendered again
    claim = project_dir / "claims" / "hostile-text.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("*not bold*", "*renamed*"), encoding="utf-8")
    plugin.on_pre_build(config=config)
    assert "claims/hostile-text.md" in plugin.modified and "claims/index.md" in plugin.modified
    assert "data/index.md" in plugin.modified  # its package is made again
    assert "claims/leaked-order.md" not in plugin.modified  # not linked to the edited claim
    assert plugin.pages["claims/leaked-order.md"] is first["claims/leaked-order.md"]


def test_serve_prints_its_address_once_it_accepts_connections(project_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    with (tmp_path / "serve.err").open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimsite", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project_dir,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        assert process.stdout is not None
        # Waits for the server to say it is ready (or to end); the limit only keeps a broken one from hanging.
        ready, _, _ = select.select([process.stdout], [], [], 180)
        line = process.stdout.readline() if ready else ""
        assert line == f"Serving on http://127.0.0.1:{port}/\n", (tmp_path / "serve.err").read_text()
        assert "Leaked audio" in fetch(f"http://127.0.0.1:{port}/claims/leaked-order/")  # at once, no retry
    finally:
        process.terminate()
        process.wait(timeout=20)
        rest = process.stdout.read() if process.stdout else ""
        if process.stdout:
            process.stdout.close()
    assert rest == ""  # said once


def busy_port_line(port: int, output: str) -> None:
    """`output` ends with the one line of a busy port, which suggests a port that is free."""
    lines = output.splitlines()
    assert "Traceback" not in output, output
    found = re.fullmatch(
        rf"Error: port {port} on 127\.0\.0\.1 is in use; stop the other server or choose another port "
        r"with --dev-addr 127\.0\.0\.1:(\d+)",
        lines[-1] if lines else "",
    )
    assert found, output
    assert int(found[1]) != port


def test_a_busy_port_is_one_line_saying_which_and_what_to_do(project_dir: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "claimsite", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    busy_port_line(port, result.stderr)


def test_make_serve_says_the_same(tmp_path: Path) -> None:
    """`make serve` runs `claimsite serve --dev-addr 127.0.0.1:8000` from the venv: held port 8000, the
    same line, then make's own."""
    if shutil.which("make") is None:
        pytest.skip("needs make")
    with socket.socket() as other:
        try:
            other.bind(("127.0.0.1", 8000))
        except OSError:
            pytest.skip("port 8000 is taken by something else on this machine")
        other.listen()
        stamp = tmp_path / "installed"
        stamp.touch()  # newer than pyproject.toml: make does not set up a venv
        result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "-C",
                str(ROOT),
                "serve",
                f"BIN={Path(sys.executable).parent}",
                f"STAMP={stamp}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
    assert result.returncode != 0
    assert "claimsite serve --dev-addr 127.0.0.1:8000" in result.stdout  # the recipe that ran
    # make's own line is `make: ***`, or `make[1]: ***` when make runs inside make (as `.ci/run` does)
    errors = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    busy_port_line(8000, "\n".join(errors))
