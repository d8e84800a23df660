"""The import layering contract (.importlinter) holds and the services stay grouped.

Runs in the README's test command, so CI enforces: scoring <- models <- services <- live / reports /
views / cli, scoring imports only the standard library, and no import circle anywhere in contest_app.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    done = _run(sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
                "--no-cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


def test_no_service_module_is_left_outside_its_package():
    done = _run(sys.executable, "tools/regroup_services.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""
    flat = sorted(p.name for p in (ROOT / "contest_app" / "services").glob("*.py"))
    assert flat == ["__init__.py", "demo.py", "errors.py"]
