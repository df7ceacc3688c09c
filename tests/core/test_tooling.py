"""`make` and `deploy/scripts/run-embedded.sh`, run with stand-in programs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def _make_setup(python: Path | str, venv: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", f"PYTHON={python}", f"VENV={venv}", "setup"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )


def test_make_refuses_a_python_older_than_3_11_before_making_the_venv(tmp_path):
    calls = tmp_path / "calls"
    old_python = _script(
        tmp_path / "python3.10",
        f'echo "$@" >> {calls}\n'
        'if [ "$1" = "--version" ]; then echo "Python 3.10.14"; exit 0; fi\n'
        "exit 1  # the version check: sys.version_info < (3, 11)",
    )

    result = _make_setup(old_python, tmp_path / "venv")

    assert result.returncode != 0
    assert f"Confab needs Python 3.11 or newer; PYTHON={old_python} is Python 3.10.14." in (
        result.stderr
    )
    assert "-m venv" not in calls.read_text()
    assert not (tmp_path / "venv").exists()


def test_make_names_a_missing_python(tmp_path):
    result = _make_setup(tmp_path / "no-such-python", tmp_path / "venv")

    assert result.returncode != 0
    assert "Confab needs Python 3.11 or newer" in result.stderr
    assert "is not found." in result.stderr


def test_make_goes_on_to_the_venv_with_python_3_11_or_newer(tmp_path):
    # The real interpreter answers the check; making the venv is where the stand-in stops.
    python = _script(
        tmp_path / "python",
        f'case "$1" in -m) echo "venv step reached" >&2; exit 3;; esac\nexec {sys.executable} "$@"',
    )

    result = _make_setup(python, tmp_path / "venv")

    assert "venv step reached" in result.stderr
    assert "Confab needs Python" not in result.stderr


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        (None, "http://localhost:8065"),
        ("127.0.0.1", "http://localhost:8065"),
        ("0.0.0.0", "http://0.0.0.0:8065"),  # noqa: S104  # the bind address under test
        ("chat.internal", "http://chat.internal:8065"),
        ("::1", "http://[::1]:8065"),
    ],
)
def test_run_embedded_prints_the_address_it_binds(tmp_path, host, shown):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _script(bin_dir / "celery", "exit 0")
    _script(bin_dir / "daphne", 'echo "daphne $*"')
    env = {
        "PATH": os.environ["PATH"],
        "BIN": str(bin_dir),
        "CONFAB_VAR_DIR": str(tmp_path / "var"),
    }
    if host is not None:
        env["CONFAB_HOST"] = host

    result = subprocess.run(
        ["bash", "deploy/scripts/run-embedded.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert f"Confab is running at {shown}\n" in result.stdout
    assert f"System console:       {shown}/admin/\n" in result.stdout
    assert f"daphne -b {host or '127.0.0.1'} -p 8065 config.asgi:application" in result.stdout
