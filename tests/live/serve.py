"""Start one gevent server process for the tests: ``python -m tests.live.serve PORT``.

Settings come from the environment as in production (CONTEST_DATABASE_URL, CONTEST_SECRET_KEY,
CONTEST_MESSAGE_QUEUE); CONTEST_TEST_CHANNEL keeps a test's Redis channel to itself. The
schema must exist already (the test creates it). The process stops itself after
CONTEST_TEST_LIFETIME seconds (default 300), whatever happens to the test.
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    os.environ["CONTEST_ASYNC_MODE"] = "gevent"
    from contest_app.extensions import socketio

    if os.environ.get("CONTEST_TEST_CHANNEL"):
        os.environ["CONTEST_SOCKETIO_CHANNEL"] = os.environ["CONTEST_TEST_CHANNEL"]
    from contest_app import create_app

    app = create_app()
    lifetime = float(os.environ.get("CONTEST_TEST_LIFETIME", "300"))
    timer = threading.Timer(lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)


if __name__ == "__main__":
    main()
