"""The world the trust tests walk: an app on its own SQLite file with the 2019 demo, one
signed-in client per role, and the demo's ids for filling URL parameters.

The app is used WITHOUT a pushed app context, so every request gets its own ``g`` and
no signed-in user leaks from one client to the next.
"""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from contest_app.extensions import db, socketio
from tests.conftest import build_app, csrf_token_from

AUDIENCE, FOCAL, PRELIM, FINAL_JUDGE, CONTROL, SECRETARIAT, ORGANISER = (
    "audience", "focal_point", "preliminary_judge", "final_judge", "control", "secretariat", "organiser",
)
ROLES = (AUDIENCE, FOCAL, PRELIM, FINAL_JUDGE, CONTROL, SECRETARIAT, ORGANISER)
ALL = frozenset(ROLES)
ACCOUNTS = frozenset({FOCAL, PRELIM, CONTROL, SECRETARIAT, ORGANISER})
DESK = frozenset({CONTROL, SECRETARIAT, ORGANISER})
STAFF = frozenset({SECRETARIAT, ORGANISER})

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
MESSAGE = re.compile(r'class="(?:error-message|error|flash flash-\w+)"[^>]*>(.*?)</', re.S)


# ----------------------------------------------------------------------------- the world


class World:
    """An app on its own SQLite file with the 2019 demo, one client per role, the demo's ids."""

    def __init__(self, tmp_path, *, with_marks: bool) -> None:
        from contest_app.models import Entry, Unit
        from contest_app.services.trust.accounts import create_user
        from contest_app.services.demo import load_demo
        from contest_app.services.final.judge_access import edition_credentials
        from contest_app.services.rounds.preliminary import assign_judge

        self.app = build_app(f"sqlite:///{tmp_path / 'matrix.sqlite'}")
        with self.app.app_context():
            db.create_all()
            edition = load_demo(with_marks=with_marks)
            db.session.flush()
            entries = list(db.session.scalars(select(Entry).where(Entry.edition_id == edition.id).order_by(Entry.final_order)))
            own, other = entries[0], entries[1]
            users = {
                FOCAL: create_user(username="daumoi", role="focal_point", password="mat-khau-123", unit_id=own.unit_id),
                PRELIM: create_user(username="giamkhao_sk", role="preliminary_judge", password="mat-khau-123",
                                    unit_id=other.unit_id),
                CONTROL: create_user(username="dieukhien", role="control", password="mat-khau-123"),
                SECRETARIAT: create_user(username="thuky", role="secretariat", password="mat-khau-123"),
                ORGANISER: create_user(username="bantochuc", role="organiser", password="mat-khau-123"),
            }
            self.assignment_id = assign_judge(edition=edition, judge=users[PRELIM], cluster=None,
                                              actor=users[ORGANISER]).id
            creds = edition_credentials(edition)
            db.session.commit()
            self.edition_id, self.own_entry, self.other_entry = edition.id, own.id, other.id
            self.own_team, self.other_team = own.team_id, other.team_id
            self.own_unit = own.unit_id
            self.unit_id = db.session.scalar(select(Unit.id).order_by(Unit.id).limit(1))
            self.judge_ids = [c.judge.id for c in creds]
            self.tokens = [c.token for c in creds]
            self.user_ids = {role: u.id for role, u in users.items()}
            self.usernames = {role: u.username for role, u in users.items()}
            db.session.remove()
        self.clients = {}
        self.csrf = {}
        for role in ROLES:
            client = self.app.test_client()
            page = client.get("/auth/login").get_data(as_text=True)
            self.csrf[role] = csrf_token_from(page)
            if role in ACCOUNTS:
                response = client.post("/auth/login", data={"username": self.usernames[role], "password": "mat-khau-123",
                                                            "csrf_token": self.csrf[role]})
                assert response.status_code == 302, f"{role} could not sign in"
                self.csrf[role] = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
            elif role == FINAL_JUDGE:
                assert client.get(f"/j/{self.tokens[0]}").status_code == 302  # signing in clears the session
                self.csrf[role] = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
            self.clients[role] = client

    def params(self) -> dict[str, str]:
        return {
            "ref": "2019", "edition_id": str(self.edition_id), "entry_id": str(self.own_entry),
            "team_id": str(self.own_team), "judge_id": str(self.judge_ids[-1]), "user_id": str(self.user_ids[FOCAL]),
            "assignment_id": str(self.assignment_id), "token": self.tokens[0], "fmt": "csv", "unit_id": str(self.unit_id),
            "kind": "lower-third",
            "late_id": "0",  # no late mark on the demo: the route answers 404 to the secretariat
        }

    def counts(self) -> dict[str, int]:
        from contest_app.services.trust.backup import row_counts

        with self.app.app_context():
            counts = row_counts()
            db.session.remove()
        # presence and board numbering change on reads by design; they hold no contest data
        return counts

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path, with_marks=True)
    yield w
    w.close()


@pytest.fixture
def live_world(tmp_path):
    w = World(tmp_path, with_marks=False)
    yield w
    w.close()


# ----------------------------------------------------------------------------- checks


def refusal_message(client, response) -> str:
    """The Vietnamese message a refusal carries (following a redirect to the sign-in page)."""
    if response.status_code == 302:
        location = response.headers["Location"]
        assert "/auth/login" in location or "/judge" in location, f"refusal redirects to {location}"
        response = client.get(location)
    if response.is_json:
        return (response.get_json() or {}).get("message", "")
    html = unescape(response.get_data(as_text=True))
    return " ".join(m.strip() for m in MESSAGE.findall(html))


def request(world, role, method, path):
    client = world.clients[role]
    if role == ORGANISER and path.startswith("/unit/"):
        path += f"?unit_id={world.own_unit}"  # organisers open a unit's pages by naming the unit
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": world.csrf[role]})




def connect(world, role, namespace):
    """A test client of ``role`` on ``namespace``; returns (client, refusal message or None)."""
    from socketio import packet

    auth = {"edition": 2019, "edition_id": world.edition_id}
    client = socketio.test_client(world.app, flask_test_client=world.clients[role])
    refusals: list = []
    send = socketio.server._send_packet

    def capture(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            refusals.append(pkt.data)
        send(eio_sid, pkt)

    socketio.server._send_packet = capture
    client.connect(namespace=namespace, auth=auth)
    socketio.server._send_packet = send
    if client.is_connected(namespace):
        return client, None
    data = refusals[0] if refusals else {}
    return client, (data.get("message") if isinstance(data, dict) else str(data)) or ""
