"""SOURCE_DATE_EPOCH is read in one place: a bad value is one clear error in every command."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, VALID

from claimsite.cli import main
from claimsite.env import build_date, source_date, source_datetime
from claimsite.errors import ClaimsiteError, ConfigError
from claimsite.offline import _zip_timestamp

BAD = "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, not 'yesterday'"


def test_source_date_parses_seconds_since_the_epoch() -> None:
    assert source_datetime({"SOURCE_DATE_EPOCH": "1764028800"}) == dt.datetime(2025, 11, 25, tzinfo=dt.UTC)
    assert source_date({"SOURCE_DATE_EPOCH": " 0\n"}) == dt.date(1970, 1, 1)
    assert source_date({}) is None
    assert build_date({}) == dt.date.today()
    assert build_date({"SOURCE_DATE_EPOCH": "1764028800"}) == dt.date(2025, 11, 25)


@pytest.mark.parametrize("value", ["yesterday", "", "-1", "1.5", "9" * 30, "²"])
def test_a_bad_source_date_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01"):
        source_date({"SOURCE_DATE_EPOCH": value})


def test_config_errors_are_click_errors_with_status_1() -> None:
    error = ConfigError("x")
    assert isinstance(error, ClaimsiteError) and error.exit_code == 1


def test_zip_timestamp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    assert _zip_timestamp() == (2025, 11, 25, 0, 0, 0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # zip cannot go before 1980
    assert _zip_timestamp() == (1980, 1, 1, 0, 0, 0)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ConfigError, match=BAD):
        _zip_timestamp()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "yesterday"}
    return subprocess.run([sys.executable, "-m", "claimsite", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_build_offline_with_a_bad_source_date_is_an_error_line(project_dir: Path) -> None:
    """MkDocs reads SOURCE_DATE_EPOCH too and would end in a traceback: claimsite refuses it first."""
    result = run("build", "--offline", cwd=project_dir)
    assert result.returncode == 1
    assert f"Error: {BAD}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_dir / "site").exists()


def test_pdf_with_a_bad_source_date_is_an_error_line(tmp_path: Path) -> None:
    result = run("pdf", "--claims", str(VALID), "-o", "x.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert f"Error: {BAD}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_new_with_a_bad_source_date_is_an_error_not_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    claims = shutil.copytree(VALID, tmp_path / "claims")
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(main, ["new", "A new claim", "--claims", str(claims)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"Error: {BAD}" in result.output
    assert not (claims / "a-new-claim.yaml").exists()
    # --today takes the place of SOURCE_DATE_EPOCH, so the variable is not read at all
    result = CliRunner().invoke(
        main, ["new", "A new claim", "--claims", str(claims), "--today", "2026-01-02"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "date: 2026-01-02" in (claims / "a-new-claim.yaml").read_text(encoding="utf-8")
