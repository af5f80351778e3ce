"""`claimsite serve`: edits rebuild the site; a broken claim is reported and the server stays up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import INVALID


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
    first = dict(plugin.pages)
    plugin.on_pre_build(config=config)
    assert plugin.modified == set()
    claim_pages = [path for path in first if path.startswith("claims/") and path != "claims/index.md"]
    assert all(plugin.pages[path] is first[path] for path in claim_pages)  # reused, not rendered again
    claim = project_dir / "claims" / "hostile-text.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("*not bold*", "*renamed*"), encoding="utf-8")
    plugin.on_pre_build(config=config)
    assert "claims/hostile-text.md" in plugin.modified and "claims/index.md" in plugin.modified
    assert "claims/leaked-order.md" not in plugin.modified  # not linked to the edited claim
    assert plugin.pages["claims/leaked-order.md"] is first["claims/leaked-order.md"]
