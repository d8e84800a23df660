"""The role × action matrix, walked over the whole app.

Every HTTP rule of the url_map (each of its methods) and every Socket.IO event of every
namespace is a column; the seven roles are the rows. ``HTTP_POLICY`` and
``SOCKET_POLICY`` state who may do what (docs/security.md prints the same table); a
route or event missing from them fails the test, so nothing new escapes the walk.

A denied cell must answer with a refusal (a redirect to the sign-in page, 401, 403 or
an ``ok: false`` acknowledgement) that carries a Vietnamese message, and leave the row
count of every table unchanged. An allowed cell must work: a page renders (200), a
file downloads, a form answers without refusing access, an event is acknowledged.

The app is used WITHOUT a pushed app context, so every request gets its own ``g`` and
no signed-in user leaks from one client to the next.
"""
from __future__ import annotations

import re
from collections import Counter

from contest_app.extensions import socketio
from tests.trust.world import (  # noqa: F401 - world and live_world are fixtures
    ACCOUNTS,
    ALL,
    CONTROL,
    DESK,
    FINAL_JUDGE,
    FOCAL,
    ORGANISER,
    PRELIM,
    ROLES,
    SECRETARIAT,
    STAFF,
    VIETNAMESE,
    connect,
    live_world,
    refusal_message,
    request,
    world,
)

#: Who may use each blueprint, unless ``HTTP_POLICY`` says otherwise for an endpoint.
BLUEPRINT_POLICY = {
    "main": ALL,
    "trust_public": ALL,
    "board": ALL,
    "judge": ALL,  # the sign-in and tablet pages; what a judge may do is checked on /judge events
    "organiser": frozenset({ORGANISER}),
    "prelim": frozenset({PRELIM}),
    "unit": frozenset({FOCAL, ORGANISER}),
    "secretariat": STAFF,
    "judges_admin": STAFF,
    "control": DESK,
    "present": DESK,
    "trust": STAFF,
}
#: Exceptions, by endpoint or (endpoint, method).
HTTP_POLICY = {
    "auth.login": ALL,
    "auth.logout": ACCOUNTS,
    "present.screen": ALL,
    "present.draw_public": ALL,
    "present.draw_json": ALL,
    "present.draw_page": DESK,
    "present.draw_prepare": frozenset({ORGANISER}),
    "present.draw_confirm": frozenset({ORGANISER}),
    "secretariat.history": ALL,
    "secretariat.history_file": ALL,
    "secretariat.history_new": frozenset({ORGANISER}),
    "secretariat.history_edit": frozenset({ORGANISER}),
    "judges_admin.marks": frozenset({SECRETARIAT}),
    "judges_admin.late_mark": frozenset({SECRETARIAT}),
    # The figures per round are the report's too: the secretariat reads them (issue 15).
    "organiser.figures": STAFF,
    "organiser.figures_csv": STAFF,
    "organiser.figures_xlsx": STAFF,
    ("trust.lock", "POST"): frozenset({SECRETARIAT}),
    ("trust.countersign", "POST"): frozenset({ORGANISER}),  # the second signature
}
#: Socket.IO: who may connect to each namespace, and who may send each event.
SOCKET_CONNECT = {"/judge": frozenset({FINAL_JUDGE}), "/board": ALL, "/control": DESK, "/present": ALL}
SOCKET_EVENTS = {
    "/judge": frozenset({FINAL_JUDGE}),
    "/board": frozenset(),  # read-only: every event but get_snapshot and get_seq is refused
    "/control": DESK,
    "/present": DESK,
}
SOCKET_EVENT_POLICY = {("/board", "get_snapshot"): ALL, ("/board", "get_seq"): ALL}
#: Events a client could try on the read-only board (all refused there).
BOARD_PROBES = ("submit_mark", "open_segment", "set_stage", "reveal_prizes", "show_question")
#: Refusal codes of the live protocol that mean "not you".
DENIAL_CODES = {"forbidden", "unauthenticated", "read_only", "impersonation", "wrong_panel"}
#: Allowed routes that answer 404 on the demo because the thing is not there (no dossier uploaded).
EMPTY_ON_DEMO = {"prelim.dossier", "unit.dossier", "present.draw_json"}
#: Requests that change who the client is (sign out, sign in as a judge): walked last.
SESSION_CHANGING = {"auth.logout", "judge.logout", "judge.token_login", "judge.pin_login"}



def allowed_http(endpoint: str, method: str) -> frozenset:
    if (endpoint, method) in HTTP_POLICY:
        return HTTP_POLICY[(endpoint, method)]
    if endpoint in HTTP_POLICY:
        return HTTP_POLICY[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    if blueprint not in BLUEPRINT_POLICY:
        raise AssertionError(f"route {endpoint} is in no blueprint of the matrix: add it to BLUEPRINT_POLICY")
    return BLUEPRINT_POLICY[blueprint]


def allowed_event(namespace: str, event: str) -> frozenset:
    return SOCKET_EVENT_POLICY.get((namespace, event), SOCKET_EVENTS[namespace]) & SOCKET_CONNECT[namespace]


# ----------------------------------------------------------------------------- checks


def http_cells(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def fill(rule, params) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{arg}>", params[arg], path)
    return path


def test_matrix_every_http_route_for_every_role(world):
    params = world.params()
    tally = Counter()
    failures: list[str] = []
    posts_allowed = []
    for rule, method in http_cells(world.app):
        allowed = allowed_http(rule.endpoint, method)
        path = fill(rule, params)
        for role in ROLES:
            if role in allowed:
                if method == "GET" and rule.endpoint not in SESSION_CHANGING:
                    response = request(world, role, method, path)
                    ok = response.status_code == 200 or (
                        response.status_code == 302 and "/auth/login" not in response.headers["Location"]
                    ) or (response.status_code == 404 and rule.endpoint in EMPTY_ON_DEMO)
                    if not ok:
                        failures.append(f"ALLOWED {role} {method} {path}: {response.status_code} "
                                        f"{refusal_message(world.clients[role], response)[:120]}")
                    tally["allowed"] += 1
                else:
                    posts_allowed.append((rule, method, path, role))
                continue
            before = world.counts()
            response = request(world, role, method, path)
            status = response.status_code
            message = refusal_message(world.clients[role], response) if status in (302, 401, 403) else ""
            after = world.counts()
            if status not in (302, 401, 403):
                failures.append(f"DENIED {role} {method} {path}: answered {status}")
            elif not VIETNAMESE.search(message):
                failures.append(f"DENIED {role} {method} {path}: no Vietnamese message ({message!r})")
            if before != after:
                changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
                failures.append(f"DENIED {role} {method} {path}: changed rows {changed}")
            tally["denied"] += 1
    # Allowed POSTs last: an empty form must pass the access check and be answered, never a 5xx;
    # signing out and signing in as a judge come at the very end.
    posts_allowed.sort(key=lambda cell: cell[0].endpoint in SESSION_CHANGING)
    for rule, method, path, role in posts_allowed:
        response = request(world, role, method, path)
        if response.status_code >= 500 or response.status_code == 401 or (
            response.status_code == 302 and "/auth/login" in response.headers["Location"]
        ) or (response.status_code == 403 and "Bạn không có quyền" in response.get_data(as_text=True)):
            failures.append(f"ALLOWED {role} {method} {path}: {response.status_code}")
        tally["allowed"] += 1
    assert failures == [], "\n".join(failures)
    tally["total"] = tally["allowed"] + tally["denied"]
    print(f"HTTP matrix: {dict(tally)}")
    assert tally["total"] == len(list(http_cells(world.app))) * len(ROLES)


def test_matrix_object_level_cells(world):
    """A focal point reaches only their unit's teams and entries; a judge never scores their own unit."""
    before = world.counts()
    checks = [
        (FOCAL, f"/unit/entries/{world.other_entry}"),
        (FOCAL, f"/unit/teams/{world.other_team}"),
        (PRELIM, f"/prelim/editions/{world.edition_id}/entries/{world.other_entry}"),
    ]
    for role, path in checks:
        for method in ("GET", "POST"):
            response = request(world, role, method, path)
            assert response.status_code in (403, 404), f"{role} {method} {path}: {response.status_code}"
            assert VIETNAMESE.search(refusal_message(world.clients[role], response)), path
    assert world.counts() == before
    assert request(world, FOCAL, "GET", f"/unit/entries/{world.own_entry}").status_code == 200
    assert request(world, PRELIM, "GET", f"/prelim/editions/{world.edition_id}/entries/{world.own_entry}").status_code == 200


# ----------------------------------------------------------------------------- Socket.IO


def socket_namespaces() -> dict[str, list[str]]:
    """Every namespace and its events, as registered on the Socket.IO server."""
    handlers = socketio.server.handlers
    return {
        ns: sorted(e for e in events if e not in ("connect", "disconnect", "*"))
        for ns, events in handlers.items()
        if ns != "/"
    }


def event_payload(world, namespace: str, event: str) -> dict:
    entry = world.own_entry
    payloads = {
        "submit_mark": {"entry_id": entry, "segment_key": "knowledge", "value": "8", "idempotency_key": "matrix-0001"},
        "heartbeat": {"unsent": 0},
        "set_stage": {"entry_id": entry},
        "open_segment": {"entry_id": entry, "segment_key": "knowledge"},
        "reveal_segment": {"entry_id": entry, "segment_key": "knowledge"},
        "reveal_prizes": {"revealed": False},
        "get_snapshot": {"edition": 2019},
        "get_seq": {"edition": 2019},
        "close_segment": {"confirm_missing": True},
        "accept_late_mark": {"late_mark_id": 0},
        "reject_late_mark": {"late_mark_id": 0, "reason": "không hợp lệ"},
    }
    data = dict(payloads.get(event, {}))
    if namespace == "/present":
        data.update({"edition_id": world.edition_id, "entry_id": entry})
    return data


# Order matters for a live final: the desk opens the segment before the judge marks it.
EVENT_ORDER = ["set_stage", "open_segment", "submit_mark", "heartbeat", "get_state", "reveal_segment",
               "close_segment", "get_desk", "reveal_prizes", "get_snapshot"]


def _order(event: str) -> int:
    return EVENT_ORDER.index(event) if event in EVENT_ORDER else len(EVENT_ORDER)


def test_matrix_every_socket_event_for_every_role(live_world):
    world = live_world
    namespaces = socket_namespaces()
    assert set(namespaces) == set(SOCKET_CONNECT), "a namespace is missing from the matrix"
    tally = Counter()
    failures: list[str] = []
    clients = {}
    # connections
    for namespace in namespaces:
        for role in ROLES:
            client, refusal = connect(world, role, namespace)
            clients[(namespace, role)] = client
            if role in SOCKET_CONNECT[namespace]:
                if refusal is not None:
                    failures.append(f"ALLOWED {role} connect {namespace}: refused {refusal!r}")
                tally["allowed"] += 1
            else:
                if refusal is None:
                    failures.append(f"DENIED {role} connect {namespace}: connected")
                elif not VIETNAMESE.search(refusal):
                    failures.append(f"DENIED {role} connect {namespace}: no Vietnamese message ({refusal!r})")
                tally["denied"] += 1
    # denied events first (nothing may change), then the allowed ones in the order of a final
    cells = [(ns, ev) for ns, events in namespaces.items() for ev in events]
    cells += [("/board", probe) for probe in BOARD_PROBES]
    for namespace, event in cells:
        allowed = allowed_event(namespace, event)
        for role in ROLES:
            if role in allowed:
                continue
            client = clients[(namespace, role)]
            tally["denied"] += 1
            if not client.is_connected(namespace):
                continue  # refused at connect, checked above
            before = world.counts()
            ack = client.emit(event, event_payload(world, namespace, event), namespace=namespace, callback=True)
            if not (isinstance(ack, dict) and ack.get("ok") is False and ack.get("code") in DENIAL_CODES
                    and VIETNAMESE.search(ack.get("message", ""))):
                failures.append(f"DENIED {role} {namespace}:{event}: acknowledged {ack!r}"[:300])
            if world.counts() != before:
                failures.append(f"DENIED {role} {namespace}:{event}: changed rows")
    for namespace, event in sorted(cells, key=lambda c: _order(c[1])):
        for role in sorted(allowed_event(namespace, event)):
            client = clients[(namespace, role)]
            ack = client.emit(event, event_payload(world, namespace, event), namespace=namespace, callback=True)
            tally["allowed"] += 1
            works = isinstance(ack, dict) and (
                ack.get("ok") is True
                # presenter events need a confirmed draw, a reveal needs every mark, a late mark must exist:
                # a refusal by a rule of the final (not about access) still shows access works
                or (namespace in ("/present", "/control") and ack.get("code") not in DENIAL_CODES
                    and VIETNAMESE.search(ack.get("message") or ""))
                # the segment is opened once by the first desk role; a second open of the same is fine too
            )
            if not works:
                failures.append(f"ALLOWED {role} {namespace}:{event}: acknowledged {ack!r}"[:300])
    for client in clients.values():
        for namespace in list(client.connected):
            if client.is_connected(namespace):
                client.disconnect(namespace)
    assert failures == [], "\n".join(failures)
    tally["total"] = tally["allowed"] + tally["denied"]
    print(f"Socket.IO matrix: {dict(tally)}")
    expected = len(namespaces) * len(ROLES) + (sum(map(len, namespaces.values())) + len(BOARD_PROBES)) * len(ROLES)
    assert tally["total"] == expected


def test_matrix_a_judge_cannot_mark_as_another(live_world):
    world = live_world
    desk, _ = connect(world, CONTROL, "/control")
    assert desk.emit("open_segment", {"entry_id": world.own_entry, "segment_key": "knowledge"},
                     namespace="/control", callback=True)["ok"] is True
    judge, refusal = connect(world, FINAL_JUDGE, "/judge")
    assert refusal is None
    before = world.counts()
    ack = judge.emit("submit_mark", {"judge_id": world.judge_ids[1], "entry_id": world.own_entry,
                                     "segment_key": "knowledge", "value": "9", "idempotency_key": "matrix-imp-1"},
                     namespace="/judge", callback=True)
    assert ack == {"ok": False, "code": "impersonation", "message": "Bạn chỉ được chấm điểm dưới tên của chính mình."}
    assert world.counts() == before
    judge.disconnect("/judge")
    desk.disconnect("/control")
