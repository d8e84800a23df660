"""Fixtures for the live final: the 2019 demo without marks, scripted judges, a desk, boards."""
from __future__ import annotations

import pytest

from contest_app.extensions import db, socketio
from contest_app.live import events as ev


@pytest.fixture
def live_demo(app):
    """The 2019 demo WITHOUT marks, committed (a final about to be judged)."""
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition


@pytest.fixture
def credentials(live_demo):
    """The six final judges' tokens and PINs, issued and committed."""
    from contest_app.services.final.judge_access import edition_credentials

    creds = edition_credentials(live_demo)
    db.session.commit()
    return creds


@pytest.fixture
def judge_client(app, credentials):
    """Factory: a Socket.IO test client on /judge authenticated by the ``auth`` token."""
    clients = []

    def make(seat: int = 1, token: str | None = None):
        cred = credentials[seat - 1]
        client = socketio.test_client(app, namespace=ev.JUDGE_NS, auth={"token": token or cred.token})
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.is_connected(ev.JUDGE_NS):
            client.disconnect(ev.JUDGE_NS)


@pytest.fixture
def desk(app, live_demo, make_user, login):
    """A Socket.IO test client on /control, signed in as the desk (role control)."""
    make_user("dieukhien", role="control")
    flask_client = app.test_client()
    import re

    page = flask_client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    flask_client.post(
        "/auth/login", data={"username": "dieukhien", "password": "mat-khau-123", "csrf_token": token.group(1)}
    )
    client = socketio.test_client(
        app, namespace=ev.CONTROL_NS, auth={"edition": live_demo.year}, flask_test_client=flask_client
    )
    assert client.is_connected(ev.CONTROL_NS)
    yield client
    if client.is_connected(ev.CONTROL_NS):
        client.disconnect(ev.CONTROL_NS)


@pytest.fixture
def board_client(app, live_demo):
    """Factory: a Socket.IO test client on /board for the 2019 edition."""
    clients = []

    def make():
        client = socketio.test_client(app, namespace=ev.BOARD_NS, auth={"edition": 2019})
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.is_connected(ev.BOARD_NS):
            client.disconnect(ev.BOARD_NS)


def ack(client, event: str, data=None, namespace: str = ev.JUDGE_NS):
    """Emit and return the acknowledgement."""
    return client.emit(event, data if data is not None else {}, namespace=namespace, callback=True)


def entry_ids(edition) -> list[int]:
    from contest_app.services.final.results import finalists

    return [e.id for e in finalists(edition)]
