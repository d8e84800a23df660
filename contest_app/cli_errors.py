"""The refusal every Flask command raises: a Vietnamese message ("Lỗi: ...") and exit code 1.

Its own module so that ``cli`` can register the command modules at import time while they
raise the same error without importing ``cli``.
"""
from __future__ import annotations

import click


class CommandError(click.ClickException):
    """A refusal printed in Vietnamese ("Lỗi: ...") with exit code 1."""

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def fail(message: str) -> None:
    """Refuse the command with ``message``."""
    raise CommandError(message)
