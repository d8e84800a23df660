"""A lean Socket.IO client for load generation: Engine.IO v4 / Socket.IO v5 on a raw websocket.

Many connections share one asyncio event loop in one process; the client speaks just enough
of RFC 6455 and of the Engine.IO / Socket.IO framing to connect to a namespace (with an auth
payload), answer the server's pings, emit events (with acknowledgements) and time-stamp the
events it watches. It parses a watched event only as far as the one key it needs, so a
thousand boards cost the shared cores little, which python-socketio's AsyncClient does not.

It must not be used outside the benchmarks: client frames carry an all-zero mask key (legal
framing, cheap to build, but not the unpredictable key RFC 6455 asks of browsers), and it
implements no reconnection, no polling transport and no binary events.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Callable
from typing import Any

_ZERO_MASK = b"\x00\x00\x00\x00"


def encode_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One final client frame (masked with the zero key, so the payload goes out as is)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return header + _ZERO_MASK + payload


def read_int_after(raw: bytes, key: bytes) -> int | None:
    """The integer that follows the first ``"key":`` in a JSON text, without decoding it all."""
    pos = raw.find(key)
    if pos < 0:
        return None
    pos += len(key)
    end = pos
    length = len(raw)
    while end < length and raw[end] in b" -0123456789":
        end += 1
    try:
        return int(raw[pos:end])
    except ValueError:
        return None


class ConnectRefused(Exception):
    """The server refused the namespace connection (CONNECT_ERROR) or the upgrade."""


#: A watcher gets (client, receive time from time.monotonic(), raw JSON text of the event's arguments).
Watcher = Callable[["LeanClient", float, bytes], None]


class LeanClient(asyncio.Protocol):
    """One Socket.IO connection to one namespace over a websocket, driven by asyncio."""

    def __init__(
        self,
        host: str,
        port: int,
        namespace: str = "/",
        auth: dict | None = None,
        *,
        path: str = "/socket.io/",
        query: str = "",
        headers: dict[str, str] | None = None,
        index: int = 0,
        watch: dict[str, "Watcher"] | None = None,
    ) -> None:
        self.host, self.port, self.namespace, self.auth = host, port, namespace, auth
        self.path, self.query, self.headers = path, query, headers or {}
        self.index = index
        self.transport: asyncio.Transport | None = None
        loop = asyncio.get_running_loop()
        self.connected: asyncio.Future = loop.create_future()
        self.closed: asyncio.Future = loop.create_future()
        self.sid: str | None = None
        self.watchers: dict[bytes, Watcher] = {}
        self.on_other: Callable[[str, list, float], None] | None = None
        self._buf = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] = []
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack = 0
        self._prefix = b"" if namespace == "/" else namespace.encode() + b","
        self.pings = 0
        for event, watcher in (watch or {}).items():
            self.watch(event, watcher)

    # ----- wiring ---------------------------------------------------------------------------
    def watch(self, event: str, watcher: Watcher) -> None:
        """Call ``watcher`` with the raw arguments of every ``event`` received."""
        self.watchers[json.dumps(event).encode()] = watcher

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        query = "EIO=4&transport=websocket" + (f"&{self.query}" if self.query else "")
        lines = [
            f"GET {self.path}?{query} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{k}: {v}" for k, v in self.headers.items()),
            "",
            "",
        ]
        transport.write("\r\n".join(lines).encode("latin-1"))  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        err = exc or ConnectionError("connection closed")
        if not self.connected.done():
            self.connected.set_exception(err)
        for fut in self._acks.values():
            if not fut.done():
                fut.set_exception(err)
        self._acks.clear()
        if not self.closed.done():
            self.closed.set_result(None)

    # ----- receiving ------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        t = time.monotonic()
        buf = self._buf
        buf += data
        if not self._upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[: buf.find(b"\r\n")])
            del buf[: end + 4]
            if b" 101 " not in status:
                self._fail(ConnectRefused(f"upgrade refused: {status.decode('latin-1')}"))
                return
            self._upgraded = True
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            length = b1 & 0x7F
            pos = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length = int.from_bytes(buf[2:4], "big")
                pos = 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length = int.from_bytes(buf[2:10], "big")
                pos = 10
            mask = None
            if b1 & 0x80:  # servers do not mask, but tolerate it
                mask = bytes(buf[pos : pos + 4])
                pos += 4
            if len(buf) < pos + length:
                return
            payload = bytes(buf[pos : pos + length])
            del buf[: pos + length]
            if mask is not None:
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x0:
                self._fragments.append(payload)
                if b0 & 0x80:
                    payload = b"".join(self._fragments)
                    self._fragments = []
                    self._on_engineio(payload, t)
            elif opcode in (0x1, 0x2):
                if b0 & 0x80:
                    self._on_engineio(payload, t)
                else:
                    self._fragments = [payload]
            elif opcode == 0x8:
                self._write_frame(payload[:2], 0x8)
                if self.transport is not None:
                    self.transport.close()
                return
            elif opcode == 0x9:
                self._write_frame(payload, 0xA)

    def _on_engineio(self, packet: bytes, t: float) -> None:
        kind = packet[:1]
        if kind == b"4":
            self._on_socketio(packet, t)
        elif kind == b"2":
            self.pings += 1
            self._write_frame(b"3" + packet[1:])
        elif kind == b"0":
            connect = b"40" + self._prefix
            if self.auth is not None:
                connect += json.dumps(self.auth, separators=(",", ":")).encode()
            self._write_frame(connect)
        elif kind == b"1":
            if self.transport is not None:
                self.transport.close()

    def _on_socketio(self, packet: bytes, t: float) -> None:
        # packet: b"4" + type + [namespace ","] + [ack id] + json
        kind = packet[1:2]
        pos = 2
        if packet[2:3] == b"/":
            comma = packet.find(b",", 2)
            if comma < 0:
                comma = len(packet)
            if packet[2:comma] + b"," != self._prefix:
                return
            pos = comma + 1
        start = pos
        while pos < len(packet) and 48 <= packet[pos] <= 57:
            pos += 1
        ack_id = int(packet[start:pos]) if pos > start else None
        body = packet[pos:]
        if kind == b"2":
            if body[:2] == b'["':
                name_end = body.find(b'"', 2) + 1
                watcher = self.watchers.get(body[1:name_end])
                if watcher is not None:
                    watcher(self, t, body)
                    return
            if self.on_other is not None:
                args = json.loads(body)
                self.on_other(args[0], args[1:], t)
        elif kind == b"3":
            fut = self._acks.pop(ack_id, None) if ack_id is not None else None
            if fut is not None and not fut.done():
                fut.set_result(json.loads(body) if body else [])
        elif kind == b"0":
            data = json.loads(body) if body else {}
            self.sid = data.get("sid") if isinstance(data, dict) else None
            if not self.connected.done():
                self.connected.set_result(data)
        elif kind == b"4":
            data = json.loads(body) if body else {}
            message = data.get("message") if isinstance(data, dict) else data
            self._fail(ConnectRefused(f"namespace {self.namespace} refused: {message}"))
        elif kind == b"1":
            if self.transport is not None:
                self.transport.close()

    def _fail(self, exc: Exception) -> None:
        if not self.connected.done():
            self.connected.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    # ----- sending --------------------------------------------------------------------------
    def _write_frame(self, payload: bytes, opcode: int = 0x1) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(payload, opcode))

    def emit(self, event: str, *args: Any) -> None:
        """Send an event without asking for an acknowledgement."""
        body = json.dumps([event, *args], separators=(",", ":"), ensure_ascii=False).encode()
        self._write_frame(b"42" + self._prefix + body)

    def call(self, event: str, *args: Any) -> asyncio.Future:
        """Send an event asking for an acknowledgement; the future gets the ack's arguments."""
        ack_id = self._next_ack
        self._next_ack += 1
        fut = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = fut
        body = json.dumps([event, *args], separators=(",", ":"), ensure_ascii=False).encode()
        self._write_frame(b"42" + self._prefix + str(ack_id).encode() + body)
        return fut

    def close(self) -> None:
        """Leave politely (Socket.IO disconnect, Engine.IO close) and drop the socket."""
        if self.transport is not None and not self.transport.is_closing():
            self._write_frame(b"41" + self._prefix.rstrip(b","))
            self._write_frame(b"1")
            self.transport.close()


async def connect(
    host: str,
    port: int,
    namespace: str = "/",
    auth: dict | None = None,
    *,
    timeout: float = 10.0,
    **kwargs: Any,
) -> LeanClient:
    """Open a websocket to ``host:port`` and connect to ``namespace``; raise on refusal."""
    loop = asyncio.get_running_loop()
    client = LeanClient(host, port, namespace, auth, **kwargs)

    async def _open() -> None:
        await loop.create_connection(lambda: client, host, port)
        await client.connected

    try:
        await asyncio.wait_for(_open(), timeout)
    except BaseException:
        if client.transport is not None:
            client.transport.close()
        raise
    return client
