"""The scoring package imports only the standard library."""
import ast
import sys
from pathlib import Path

import contest_app.scoring as scoring

SCORING_DIR = Path(scoring.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names.add(node.module)
    return names


def test_scoring_imports_only_standard_library_and_itself():
    offenders = {}
    for path in sorted(SCORING_DIR.glob("*.py")):
        for module in _imported_modules(path):
            top = module.split(".")[0]
            if module.startswith("contest_app.scoring"):
                continue
            if top not in sys.stdlib_module_names:
                offenders.setdefault(path.name, []).append(module)
    assert offenders == {}


def test_purity_check_catches_a_foreign_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flask\nfrom contest_app.models import Mark\nimport decimal\n", encoding="utf-8")
    assert _imported_modules(bad) == {"flask", "contest_app.models", "decimal"}
