"""Socket.IO: namespaces, rooms, events and the one broadcast module."""
from __future__ import annotations

from flask import Flask


def register_live(app: Flask) -> None:
    """Register the Socket.IO handlers explicitly (a module never imported never registers)."""
    from contest_app.extensions import socketio
    from contest_app.live import board, control, judge, present

    for module in (judge, board, control, present):
        module.register(socketio)
