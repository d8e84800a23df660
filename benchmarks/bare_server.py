"""The bare broadcast: a python-socketio server that only re-broadcasts, the practical limit of the stack.

Same async mode and server as contest_app in production (gevent, monkey-patched first thing,
gevent's pywsgi with gevent-websocket's handler, optionally a Redis message queue shared by
several processes). A judge client emits ``submit_mark`` on ``/judge`` with ``{"seq": i}``; the
server broadcasts ``board_updated`` ``{"seq": i, "pad": "..."}`` to every client of ``/board``,
padded so that the Socket.IO packet is ``--size`` bytes long, and acknowledges. Nothing else:
no database, no session, no per-client work.

    python -m benchmarks.bare_server --port 5101 [--size 600] [--queue redis://127.0.0.1:6379/5]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


def padded_payload(seq: int, size: int) -> dict:
    """``{"seq": seq, "pad": "xx…"}`` whose packet ``["board_updated", payload]`` is ``size`` bytes."""
    payload = {"seq": seq, "pad": ""}
    base = len(json.dumps(["board_updated", payload], separators=(",", ":")))
    payload["pad"] = "x" * max(0, size - base)
    return payload


def build_server(size: int, queue: str | None = None, channel: str = "bench-bare"):
    """The Socket.IO server and its WSGI app."""
    import socketio

    manager = socketio.RedisManager(queue, channel=channel) if queue else None
    sio = socketio.Server(async_mode="gevent", client_manager=manager)

    @sio.on("connect", namespace="/board")
    def board_connect(sid, environ, auth=None):
        return True

    @sio.on("connect", namespace="/judge")
    def judge_connect(sid, environ, auth=None):
        return True

    @sio.on("submit_mark", namespace="/judge")
    def submit_mark(sid, data):
        seq = int(data["seq"])
        sio.emit("board_updated", padded_payload(seq, size), namespace="/board")
        return {"ok": True, "seq": seq}

    return sio, socketio.WSGIApp(sio)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=600, help="bytes of each board_updated packet")
    parser.add_argument("--queue", default=None, help="Redis URL shared by several processes")
    parser.add_argument("--channel", default="bench-bare")
    args = parser.parse_args(argv)

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    from benchmarks.procs import raise_fd_limit

    raise_fd_limit()
    _sio, app = build_server(args.size, args.queue, args.channel)
    server = pywsgi.WSGIServer((args.host, args.port), app, handler_class=WebSocketHandler, log=None, backlog=2048)
    print(f"bare server on {args.host}:{args.port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
