"""A server process for the fault tests: ``python -m tests.trust.fault_server PORT``.

Like tests.live.serve (gevent, settings from the environment), with one addition: with
CONTEST_TEST_STANDBY=1 it imports and builds the app, then waits for a line on stdin
before binding the port. The fault tests keep such a warm standby ready, so a restart
after SIGKILL takes milliseconds instead of the seconds Python needs to import the app.
It stops itself after CONTEST_TEST_LIFETIME seconds (default 120) whatever the test does.
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402


def main() -> None:
    port = int(sys.argv[1])
    os.environ["CONTEST_ASYNC_MODE"] = "gevent"
    lifetime = float(os.environ.get("CONTEST_TEST_LIFETIME", "120"))
    timer = threading.Timer(lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    from contest_app.extensions import socketio

    channel = os.environ.get("CONTEST_TEST_CHANNEL")
    if channel:
        socketio.server_options["channel"] = channel
    from contest_app import create_app

    app = create_app()
    if os.environ.get("CONTEST_TEST_STANDBY") == "1":
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            os._exit(0)
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)


if __name__ == "__main__":
    main()
