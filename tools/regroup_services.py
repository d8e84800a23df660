"""Regroup ``contest_app/services/`` into sub-packages and rewrite every import of a moved module.

Re-runnable and idempotent: a module already moved is left alone, an import already rewritten no
longer matches. Run from the repository root::

    python tools/regroup_services.py            # move (git mv) and rewrite
    python tools/regroup_services.py --check    # exit 1 if anything is left to move or rewrite

It rewrites, in contest_app/, tests/, benchmarks/, tools/, run.py, README.md and docs/*.md:
``contest_app.services.X`` (also in strings such as ``mock.patch`` targets), ``services/X`` paths,
``from contest_app.services import X, Y`` (split by package) and relative ``from .X`` / ``from ..services.X``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "contest_app" / "services"

PACKAGES: dict[str, str] = {
    "rounds": "Rounds before the final: registration, import, qualifying and preliminary rounds, dossiers.",
    "final": "The final: draw, judges' access and marks, quiz answers, results, their lock and the live board.",
    "outputs": "What the contest hands over afterwards: history across editions and the follow-up of winners.",
    "trust": "Trust: accounts, audit trail, backups, rate limits and the deployment's secret-key check.",
}

MAPPING: dict[str, str] = {
    # rounds
    "editions": "rounds",
    "registration": "rounds",
    "excel_import": "rounds",
    "qualifying": "rounds",
    "preliminary": "rounds",
    "similarity": "rounds",
    "round_figures": "rounds",
    "dossiers": "rounds",
    # final
    "judging": "final",
    "live_state": "final",
    "draw": "final",
    "answers": "final",
    "results": "final",
    "judge_access": "final",
    "presenter": "final",
    "finalists": "final",
    "lock": "final",  # the locked result: it reads compute_results, so it lives beside it
    "consistency": "final",  # the desk's deviation flags read the live marks
    "publication": "final",  # what the audience may see; the board and its deltas
    # outputs
    "history": "outputs",
    "followup": "outputs",

    # trust
    "audit": "trust",
    "backup": "trust",
    "ratelimit": "trust",
    "deployment": "trust",  # the secret key's fingerprint and the one-time start-up steps
    "lock_guard": "trust",  # the one lock guard, importable by every writer without a circle
    "accounts": "trust",
}
# errors.py and demo.py stay at contest_app/services/.

TEXT_GLOBS = ["contest_app/**/*.py", "tests/**/*.py", "benchmarks/**/*.py", "tools/**/*.py", "run.py",
              "README.md", "docs/*.md"]

_names = "|".join(sorted(MAPPING, key=len, reverse=True))
_packages = "|".join(PACKAGES)
# contest_app.services.X, services.X, services/X and the same inside a (maybe wrong) package
DOTTED = re.compile(rf"(?<![\w])services([./])(?:(?:{_packages})[./])?({_names})(?![\w])")
FROM_PKG = re.compile(
    rf"^(?P<indent>[ \t]*)from contest_app\.services(?:\.(?P<pkg>{_packages}))? import (?P<names>\([^)]*\)|[^\n]*)$",
    re.M)
REL_SIBLING = re.compile(rf"^(?P<indent>[ \t]*)from \.({_names}) import", re.M)


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True)


def move_modules(dry: bool) -> list[str]:
    todo = []
    for package, purpose in PACKAGES.items():
        init = SERVICES / package / "__init__.py"
        if not init.exists():
            todo.append(f"create {init.relative_to(ROOT)}")
            if not dry:
                init.parent.mkdir(exist_ok=True)
                init.write_text(f'"""{purpose}"""\n', encoding="utf-8")
                _git("add", str(init))
    for module, package in MAPPING.items():
        new = SERVICES / package / f"{module}.py"
        for old in [SERVICES / f"{module}.py", *(SERVICES / p / f"{module}.py" for p in PACKAGES if p != package)]:
            if old.exists() and not new.exists():
                todo.append(f"git mv {old.relative_to(ROOT)} {new.relative_to(ROOT)}")
                if not dry:
                    _git("mv", str(old), str(new))
    return todo


def _split_from_services(match: re.Match) -> str:
    indent, raw, here = match.group("indent"), match.group("names"), match.group("pkg") or ""
    comment = ""
    if "#" in raw and not raw.startswith("("):
        raw, comment = raw.split("#", 1)
        comment = "  #" + comment
    names = [n.strip() for n in raw.strip("()").replace("\n", " ").split(",") if n.strip()]
    groups: dict[str, list[str]] = {}
    for name in names:
        module = name.split(" as ")[0].strip()
        groups.setdefault(MAPPING.get(module, here), []).append(name)
    if set(groups) == {here}:
        return match.group(0)
    lines = []
    for package in sorted(groups):
        target = f"contest_app.services.{package}" if package else "contest_app.services"
        lines.append(f"{indent}from {target} import {', '.join(sorted(groups[package]))}")
    lines[-1] += comment
    return "\n".join(lines)


def rewrite_text(text: str, path: Path) -> str:
    text = FROM_PKG.sub(_split_from_services, text)
    text = DOTTED.sub(lambda m: f"services{m.group(1)}{MAPPING[m.group(2)]}{m.group(1)}{m.group(2)}", text)
    if path.parent == SERVICES:  # relative sibling imports from a module left at the top
        text = REL_SIBLING.sub(lambda m: f"{m.group('indent')}from .{MAPPING[m.group(2)]}.{m.group(2)} import", text)
    return text


def rewrite_files(dry: bool) -> list[str]:
    changed = []
    seen: set[Path] = set()
    for pattern in TEXT_GLOBS:
        for path in sorted(ROOT.glob(pattern)):
            if path in seen or not path.is_file() or path.resolve() == Path(__file__).resolve():
                continue
            seen.add(path)
            text = path.read_text(encoding="utf-8")
            new = rewrite_text(text, path)
            if new != text:
                changed.append(f"rewrite {path.relative_to(ROOT)}")
                if not dry:
                    path.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what is left to do and change nothing")
    args = parser.parse_args(argv)
    todo = move_modules(args.check) + rewrite_files(args.check)
    for line in todo:
        print(line)
    if args.check:
        return 1 if todo else 0
    print(f"{len(todo)} change(s)" if todo else "nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
