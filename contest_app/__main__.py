"""``python -m contest_app`` (and the ``contest-app`` script): serve like ``python run.py``.

gevent is monkey-patched before anything else of ours is imported (contest_app/__init__.py
imports no third-party module at import time, so patching here is still first).
"""
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from contest_app.server import main  # noqa: E402


def console() -> None:
    """Entry point of the ``contest-app`` script."""
    sys.exit(main())


if __name__ == "__main__":
    console()
