"""The load generator: board clients spread over worker processes, each one asyncio loop of lean clients.

The controller (``BoardPool``, in the benchmark's own asyncio loop) tells every worker to connect
its share of the N board clients, to *arm* a mark before the mark is sent, and to report when
each of its clients has received the first watched event after arming. Times come from
``time.monotonic()``, one clock for every process on the machine, so the controller subtracts
the send time it took itself. Every wait is bounded; a worker exits when its pipe closes.
"""
from __future__ import annotations

import asyncio
import itertools
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
import time
from typing import Any

from benchmarks.leanclient import LeanClient, connect, read_int_after
from benchmarks.procs import ROOT, raise_fd_limit


class _Worker:
    """The state of one worker process: its clients and what they received per mark."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.clients: list[LeanClient] = []
        self.key = b'"seq":'
        self.armed: int | None = None
        self.last_mode = False  # True: keep the time of the last event since arming, not the first
        self.events = 0  # watched events received since arming, all clients together
        self.times: dict[int, list[float | None]] = {}
        self.keys: dict[int, list[int | None]] = {}
        self.counts: dict[int, int] = {}
        self.sizes: dict[int, int] = {}
        self.waiters: dict[int, asyncio.Future] = {}
        self.unarmed = 0
        self.snapshots = 0
        self.done = asyncio.get_running_loop().create_future()

    # ----- events from the clients ------------------------------------------------------------
    def on_update(self, client: LeanClient, t: float, body: bytes) -> None:
        mark = self.armed
        if mark is None:
            self.unarmed += 1
            return
        received = self.times[mark]
        self.events += 1
        first = received[client.index] is None
        if not first and not self.last_mode:
            return
        received[client.index] = t
        self.keys[mark][client.index] = read_int_after(body, self.key)
        self.sizes.setdefault(mark, len(body))
        if not first:
            return
        count = self.counts[mark] = self.counts[mark] + 1
        if count >= len(self.clients):
            waiter = self.waiters.pop(mark, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def on_snapshot(self, client: LeanClient, t: float, body: bytes) -> None:
        self.snapshots += 1

    # ----- commands from the controller -------------------------------------------------------
    async def handle(self, msg: dict[str, Any]) -> Any:
        op = msg["op"]
        if op == "connect":
            return await self.connect_clients(msg)
        if op == "arm":
            mark = msg["mark"]
            n = len(self.clients)
            self.times[mark] = [None] * n
            self.keys[mark] = [None] * n
            self.counts[mark] = 0
            self.events = 0
            self.last_mode = bool(msg.get("last"))
            self.armed = mark
            return True
        if op == "events":
            return self.events
        if op == "wait":
            mark = msg["mark"]
            if self.counts.get(mark, 0) < len(self.clients):
                fut = self.waiters.setdefault(mark, asyncio.get_running_loop().create_future())
                try:
                    await asyncio.wait_for(asyncio.shield(fut), msg.get("wait_timeout", 10.0))
                except asyncio.TimeoutError:
                    pass
            return self.counts.get(mark, 0)
        if op == "disarm":
            self.armed = None
            return True
        if op == "collect":
            return {"times": self.times, "keys": self.keys, "sizes": self.sizes}
        if op == "stats":
            return {
                "clients": len(self.clients),
                "open": sum(1 for c in self.clients if not c.closed.done()),
                "pings": sum(c.pings for c in self.clients),
                "unarmed": self.unarmed,
                "snapshots": self.snapshots,
            }
        if op == "close":
            for client in self.clients:
                client.close()
            await asyncio.sleep(0.05)
            if not self.done.done():
                self.done.set_result(None)
            return True
        raise ValueError(f"unknown op {op!r}")

    async def connect_clients(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Connect this worker's clients, a bounded number at a time, each tried up to three times."""
        host, ports, offset = msg["host"], msg["ports"], msg["offset"]
        namespace, auth, query = msg["namespace"], msg.get("auth"), msg.get("query", "")
        event, snapshot_event = msg["event"], msg.get("snapshot_event")
        self.key = ('"%s":' % msg.get("key", "seq")).encode()
        deadline = time.monotonic() + msg.get("connect_timeout", 60.0)
        gate = asyncio.Semaphore(msg.get("concurrency", 32))
        errors: list[str] = []
        first = len(self.clients)
        slots: list[LeanClient | None] = [None] * msg["count"]

        async def one(i: int) -> None:
            port = ports[(offset + i) % len(ports)]
            watch = {event: self.on_update}
            if snapshot_event:
                watch[snapshot_event] = self.on_snapshot
            for attempt in range(3):
                if time.monotonic() > deadline:
                    break
                async with gate:
                    try:
                        slots[i] = await connect(
                            host, port, namespace, auth, query=query, index=first + i, watch=watch,
                            timeout=max(1.0, min(15.0, deadline - time.monotonic())),
                        )
                        return
                    except Exception as exc:  # noqa: BLE001 - reported to the controller
                        if len(errors) < 5:
                            errors.append(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(0.2 * (attempt + 1))

        await asyncio.gather(*(one(i) for i in range(msg["count"])))
        connected = [c for c in slots if c is not None]
        for i, client in enumerate(connected):
            client.index = first + i
        self.clients.extend(connected)
        return {"ok": len(connected), "failed": msg["count"] - len(connected), "errors": errors}


async def _worker_loop(conn) -> None:
    loop = asyncio.get_running_loop()
    worker = _Worker(conn)

    async def serve(msg: dict[str, Any]) -> None:
        try:
            result: Any = {"ok": True, "value": await worker.handle(msg)}
        except Exception as exc:  # noqa: BLE001 - reported to the controller
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result["id"] = msg["id"]
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            if not worker.done.done():
                worker.done.set_result(None)

    def readable() -> None:
        try:
            while conn.poll():
                loop.create_task(serve(conn.recv()))
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            if not worker.done.done():
                worker.done.set_result(None)

    loop.add_reader(conn.fileno(), readable)
    await worker.done


def worker_main(conn) -> None:
    """Entry point of a worker process."""
    raise_fd_limit()
    try:
        asyncio.run(_worker_loop(conn))
    except KeyboardInterrupt:
        pass


class _Handle:
    """The controller's end of one worker: requests with ids, answers matched by id."""

    def __init__(self, index: int) -> None:
        parent_sock, child_sock = socket.socketpair()
        child_fd = child_sock.fileno()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.loadgen", str(child_fd)],
            cwd=ROOT,
            pass_fds=[child_fd],
            start_new_session=True,
        )
        child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.pending: dict[int, asyncio.Future] = {}
        self.ids = itertools.count()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            while self.conn.poll():
                msg = self.conn.recv()
                fut = self.pending.pop(msg["id"], None)
                if fut is None or fut.done():
                    continue
                if msg["ok"]:
                    fut.set_result(msg["value"])
                else:
                    fut.set_exception(RuntimeError(msg["error"]))
        except (EOFError, OSError):
            self.loop.remove_reader(self.conn.fileno())
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(RuntimeError("load-generator worker died"))
            self.pending.clear()

    async def request(self, op: str, timeout: float = 30.0, **kw: Any) -> Any:
        rid = next(self.ids)
        fut = self.loop.create_future()
        self.pending[rid] = fut
        self.conn.send({"op": op, "id": rid, **kw})
        return await asyncio.wait_for(fut, timeout)

    def stop(self) -> None:
        try:
            self.loop.remove_reader(self.conn.fileno())
        except (ValueError, OSError):
            pass
        self.conn.close()
        try:
            self.process.wait(3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(3)


class BoardPool:
    """N board clients spread over ``workers`` processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.handles: list[_Handle] = []
        self.counts: list[int] = []

    async def __aenter__(self) -> "BoardPool":
        self.handles = [_Handle(i) for i in range(self.workers)]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _all(self, op: str, timeout: float = 30.0, **kw: Any) -> list[Any]:
        return list(await asyncio.gather(*(h.request(op, timeout=timeout, **kw) for h in self.handles)))

    async def connect(
        self,
        *,
        host: str,
        ports: list[int],
        namespace: str,
        total: int,
        event: str,
        key: str = "seq",
        auth: dict | None = None,
        query: str = "",
        snapshot_event: str | None = None,
        timeout: float = 90.0,
    ) -> dict[str, Any]:
        """Connect ``total`` clients, shared evenly by the workers and, in turn, by the ports."""
        share = [total // self.workers + (1 if i < total % self.workers else 0) for i in range(self.workers)]
        offsets = [sum(share[:i]) for i in range(self.workers)]
        replies = await asyncio.gather(
            *(
                h.request(
                    "connect", timeout=timeout + 5, host=host, ports=ports, offset=offsets[i], count=share[i],
                    namespace=namespace, auth=auth, query=query, event=event, key=key,
                    snapshot_event=snapshot_event, connect_timeout=timeout,
                )
                for i, h in enumerate(self.handles)
            )
        )
        self.counts = [r["ok"] for r in replies]
        return {
            "ok": sum(r["ok"] for r in replies),
            "failed": sum(r["failed"] for r in replies),
            "errors": [e for r in replies for e in r["errors"]][:5],
        }

    @property
    def total(self) -> int:
        return sum(self.counts)

    async def arm(self, mark: int, *, last: bool = False) -> None:
        """From now on, the first watched event each client receives belongs to ``mark``.

        With ``last``, every further event until the next arming also belongs to it and each
        client keeps the time and key of the last one (a burst of several messages).
        """
        await self._all("arm", mark=mark, last=last)

    async def settle(self, quiet: float, timeout: float) -> int:
        """Wait until no client has received a watched event for ``quiet`` s (at most ``timeout``)."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            events = sum(await self._all("events"))
            if events == seen:
                return events
            seen = events
            await asyncio.sleep(quiet)
        return seen

    async def wait(self, mark: int, timeout: float) -> int:
        """Wait (at most ``timeout`` s) until every client has ``mark``; return how many have it."""
        return sum(await self._all("wait", timeout=timeout + 5, mark=mark, wait_timeout=timeout))

    async def disarm(self) -> None:
        await self._all("disarm")

    async def stats(self) -> dict[str, int]:
        replies = await self._all("stats")
        return {k: sum(r[k] for r in replies) for k in replies[0]}

    async def collect(self) -> dict[str, Any]:
        """Every client's receive time and key per mark, workers' clients concatenated."""
        replies = await self._all("collect", timeout=60)
        times: dict[int, list] = {}
        keys: dict[int, list] = {}
        sizes: dict[int, int] = {}
        for reply in replies:
            for mark, values in reply["times"].items():
                times.setdefault(mark, []).extend(values)
            for mark, values in reply["keys"].items():
                keys.setdefault(mark, []).extend(values)
            for mark, size in reply["sizes"].items():
                sizes.setdefault(mark, size)
        return {"times": times, "keys": keys, "sizes": sizes}

    async def close(self) -> None:
        if not self.handles:
            return
        try:
            await asyncio.wait_for(self._all("close", timeout=10), 15)
        except Exception:  # noqa: BLE001 - the workers are stopped below anyway
            pass
        for handle in self.handles:
            handle.stop()
        self.handles = []


if __name__ == "__main__":
    worker_main(Connection(int(sys.argv[1])))
