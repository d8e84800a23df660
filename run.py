"""Start contest_app: ``python run.py`` serves on http://127.0.0.1:5000 (SQLite, one process).

gevent is monkey-patched first thing, before anything else is imported, so the
Socket.IO server, the database drivers and Redis all cooperate on one event loop.
An installed package starts the same way with ``contest-app`` or ``python -m contest_app``.
"""
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from contest_app.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
