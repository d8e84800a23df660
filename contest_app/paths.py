"""Where the app's files are: templates, static files, question banks, instance folder.

In a checkout they are the top-level ``templates/``, ``static/`` and ``question_banks/``
next to the package. An installed wheel carries them inside the package
(``contest_app/templates``, ``contest_app/static``, ``contest_app/question_bank_files``, mapped by
setup.py), so the app runs from any directory. This module imports nothing of ours.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent

#: top-level folder of the checkout -> its name inside an installed package
PACKAGED_NAMES = {"templates": "templates", "static": "static", "question_banks": "question_bank_files"}


def resource_dir(name: str) -> Path:
    """The folder ``name`` (templates, static or question_banks), installed or in the checkout."""
    packaged = PACKAGE_DIR / PACKAGED_NAMES[name]
    if packaged.is_dir():
        return packaged
    return CHECKOUT_DIR / name


def is_checkout() -> bool:
    """True when the package runs from a source checkout (its top-level folders sit beside it)."""
    return not (PACKAGE_DIR / "templates").is_dir() and (CHECKOUT_DIR / "templates").is_dir()


TEMPLATES_DIR = resource_dir("templates")
STATIC_DIR = resource_dir("static")
QUESTION_BANKS_DIR = resource_dir("question_banks")
