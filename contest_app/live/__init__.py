"""Socket.IO: namespaces, rooms, events and the one broadcast module."""
from __future__ import annotations

from flask import Flask


def register_live(app: Flask) -> None:
    """Register the Socket.IO handlers explicitly (a module never imported never registers)."""
    from contest_app.extensions import socketio
    from contest_app.live import board, control, judge, present

    for module in (judge, board, control, present):
        module.register(socketio)

    @socketio.on_error_default
    def server_error(exc: Exception):
        # An unexpected error still gets an acknowledgement (a tablet that hears nothing resends
        # forever), in Vietnamese, with an id to find the traceback in the log.
        from contest_app.extensions import db
        from contest_app.services.errors import SERVER_ERROR, server_error_id

        db.session.rollback()
        error_id = server_error_id(exc)
        return {"ok": False, "code": "server_error", "message": f"{SERVER_ERROR} Mã lỗi: {error_id}.",
                "error_id": error_id}
