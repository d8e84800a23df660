"""Packaging beyond what pyproject.toml can say: the checkout's top-level folders ship inside the package.

``templates/``, ``static/`` and ``question_banks/`` stay at the top of the repository (where the
team edits them); the wheel carries them as ``contest_app/templates``, ``contest_app/static`` and
``contest_app/question_bank_files`` so an installed app finds them wherever it is installed
(``contest_app/paths.py`` resolves both layouts). Everything else is in pyproject.toml.
"""
from setuptools import find_packages, setup

SHIPPED = {
    "contest_app.templates": "templates",
    "contest_app.static": "static",
    "contest_app.question_bank_files": "question_banks",
}

setup(
    packages=find_packages(include=["contest_app", "contest_app.*"]) + list(SHIPPED),
    package_dir=SHIPPED,
    package_data={
        "contest_app": ["migrations/*", "migrations/versions/*", "deploy/*"],
        **{name: ["**/*"] for name in SHIPPED},
    },
)
