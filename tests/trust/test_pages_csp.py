"""Every HTML page satisfies the Content-Security-Policy: no inline script, handler or style.

Every GET route of the url_map is rendered for every role, its parameters filled
with the 2019 demo's ids; the HTML is parsed with html.parser and any ``<script>``
without ``src``, ``<style>`` element, ``on*=`` attribute, ``style=`` attribute or
``javascript:`` URL is reported with the page it came from.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from contest_app.extensions import db
from tests.conftest import csrf_token_from

ROLES = ("anonymous", "organiser", "secretariat", "control", "focal_point", "preliminary_judge")
#: Routes that are not pages (files, streams) and need no HTML check.
NOT_PAGES = {"static"}


class InlineFinder(HTMLParser):
    """Collect every construct the CSP would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and not names.get("src"):
            self.problems.append("<script> không có src")
        if tag == "style":
            self.problems.append("<style> nội tuyến")
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=“{value}”>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    handle_startendtag = handle_starttag


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def demo_params(edition) -> dict[str, str]:
    """A value for every URL parameter name the app uses, from the demo."""
    from contest_app.models import Entry, Judge, Segment, SideAward, Team, Unit, User

    def first(model, *where):
        return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))

    entry_id = first(Entry, Entry.edition_id == edition.id)
    values = {
        "ref": "2019",
        "edition_ref": "2019",
        "year": "2019",
        "edition": str(edition.id),
        "edition_id": str(edition.id),
        "entry_id": str(entry_id),
        "entry": str(entry_id),
        "team_id": str(first(Team, Team.edition_id == edition.id)),
        "judge_id": str(first(Judge, Judge.edition_id == edition.id)),
        "segment_id": str(first(Segment, Segment.edition_id == edition.id)),
        "segment": "knowledge",
        "segment_key": "knowledge",
        "key": "knowledge",
        "unit_id": str(first(Unit)),
        "side_award_id": str(first(SideAward, SideAward.edition_id == edition.id)),
        "award_id": str(first(SideAward, SideAward.edition_id == edition.id)),
        "user_id": str(first(User)),
        "seat": "1",
        "order": "1",
        "number": "1",
        "set_number": "1",
        "page": "1",
        "fmt": "csv",
        "format": "csv",
        "kind": "final",
        "round": "final",
    }
    values["token"] = getattr(edition, "test_token", None)
    return {k: v for k, v in values.items() if v not in (None, "None")}


def get_routes(app):
    """Every rule that answers GET, with its endpoint and parameter names."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES:
            yield rule


def fill(rule, params):
    path = rule.rule
    for arg in rule.arguments:
        if arg not in params:
            return None
        path = path.replace(f"<{arg}>", params[arg])
        for converter in ("int", "string", "path", "any", "uuid"):
            path = path.replace(f"<{converter}:{arg}>", params[arg])
    return path


@pytest.fixture
def accounts(app, demo, make_user):
    from contest_app.models import Unit

    unit_id = db.session.scalar(select(Unit.id).order_by(Unit.id).limit(1))
    from contest_app.services.final.judge_access import edition_credentials

    token = edition_credentials(demo)[0].token
    db.session.commit()
    demo.test_token = token  # the crawl signs a judge in through /j/<token> like a tablet would
    users = {}
    for role in ROLES[1:]:
        kw = {"unit_id": unit_id} if role == "focal_point" else {}
        users[role] = make_user(f"u_{role}", role, **kw).username
    return users


def _login(client, username):
    from flask import g

    g.pop("csrf_token", None)
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"username": username, "password": "mat-khau-123", "csrf_token": token})
    assert response.status_code == 302, f"login of {username} failed"


def crawl(app, demo, accounts):
    """Render every GET page for every role; return (pages checked, problems, server errors, routes left out)."""
    params = demo_params(demo)
    checked, problems, errors, left_out = 0, [], [], set()
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            _login(client, accounts[role])
        for rule in get_routes(app):
            if rule.endpoint == "judge.token_login" and role != "anonymous":
                continue  # signing in as a judge ends the account's session: walk it once, as the audience
            path = fill(rule, params)
            if path is None:
                left_out.add(rule.rule)
                continue
            try:
                response = client.get(path)
            except Exception as exc:  # noqa: BLE001 - TESTING propagates a page's exception: name the page
                errors.append(f"{role} {path}: {type(exc).__name__}: {str(exc)[:160]}")
                continue
            if response.status_code >= 500:
                errors.append(f"{role} {path}: {response.status_code}")
            if "Content-Security-Policy" not in response.headers:
                problems.append(f"{role} {path}: thiếu Content-Security-Policy")
            if response.mimetype == "text/html":
                checked += 1
                for problem in inline_problems(response.get_data(as_text=True)):
                    problems.append(f"{role} {path}: {problem}")
    return checked, problems, errors, sorted(left_out)


def test_inline_finder_catches_every_kind():
    html = (
        '<script>alert(1)</script><script src="/static/js/a.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()">a</p><a href="javascript:void(0)">b</a><img src="/x.png" onerror="y()">'
    )
    assert inline_problems(html) == [
        "<script> không có src",
        "<style> nội tuyến",
        "<p style=“color:red”>",
        "<p onclick=…>",
        "<a href=javascript:…>",
        "<img onerror=…>",
    ]


def test_every_page_for_every_role_satisfies_the_csp(app, demo, accounts):
    checked, problems, errors, _left_out = crawl(app, demo, accounts)
    assert errors == []
    assert problems == []
    assert checked >= 6 * 4  # at least the home, login, results and trust pages for each role


def test_every_get_route_can_be_filled_from_the_demo(app, demo, accounts):
    """A route whose parameters the crawl cannot fill would escape the check: name it."""
    _checked, _problems, _errors, left_out = crawl(app, demo, accounts)
    assert left_out == []
