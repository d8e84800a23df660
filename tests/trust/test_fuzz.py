"""Bad input in bulk (Hypothesis): every Socket.IO event, every form, every import parser.

For each generated input: no server error (an exception in a view or a handler fails
the test: TESTING propagates it), every refusal carries a message, and nothing invalid
is stored (``assert_store_valid`` checks the tables after each example). Team names and
entry titles with HTML, script and spreadsheet formulas come out as text on every page
and in every file (CSV, Excel, Word, PDF).

Budgets are small (``max_examples`` 40–100 per target, no deadline) so the file runs in
well under two minutes on two cores. Counts of generated inputs are printed as
``FUZZ: ...`` lines and quoted in docs/reliability.md.
"""
from __future__ import annotations

import io
import json
import re
import tempfile
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from contest_app.extensions import db
from tests.trust.world import ORGANISER, ROLES, VIETNAMESE, World, connect

FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SMALL = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOSTILE = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "=HYPERLINK(\"http://evil.example\",\"bấm vào\")",
    "+SUM(1,2)",
    "@cmd",
    "'; DROP TABLE entry; --",
    "{{ 7*7 }}",
    "\u202e\u0000\ufeff",
    "Đội " * 60,
]
text_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.integers(-10**6, 10**6).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000).map(str),
    st.just(""),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9),
              st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40), st.sampled_from(HOSTILE)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=8,
)

STATS: Counter = Counter()


def setup_module(module):
    STATS.clear()


def teardown_module(module):
    print("\nFUZZ: " + ", ".join(f"{k}={v}" for k, v in sorted(STATS.items())))


# ----------------------------------------------------------------------------- invariants


def assert_store_valid(world: World) -> None:
    """Nothing invalid in the tables the inputs can reach."""
    from contest_app.models import Edition, Entry, Mark, Segment, Team, Unit, User
    from contest_app.enums import Role

    with world.app.app_context():
        for value, maximum, step in db.session.execute(
            select(Mark.value, Segment.max_score, Segment.mark_step).join(Segment, Segment.id == Mark.segment_id)
        ):
            assert Decimal(0) <= value <= maximum, f"stored mark {value} outside 0..{maximum}"
            assert step <= 0 or (value / step) == (value / step).to_integral_value(), f"mark {value} off step {step}"
        for edition in db.session.scalars(select(Edition)):
            assert Decimal(0) <= edition.preliminary_cutoff <= Decimal(100), edition.preliminary_cutoff
        assert all((n or "").strip() for n in db.session.scalars(select(Team.name))), "a team without a name"
        assert all((t or "").strip() for t in db.session.scalars(select(Entry.title))), "an entry without a title"
        assert all((n or "").strip() for n in db.session.scalars(select(Unit.name))), "a unit without a name"
        assert set(db.session.scalars(select(User.role))) <= {r.value for r in Role}
        db.session.remove()


def message_of(response) -> str:
    if response.is_json:
        return str((response.get_json(silent=True) or {}).get("message", ""))
    html = response.get_data(as_text=True)
    found = re.findall(r'class="(?:error-message|error|flash flash-\w+)"[^>]*>(.*?)</', html, re.S)
    return " ".join(found)


# ----------------------------------------------------------------------------- Socket.IO


@pytest.fixture
def live(tmp_path):
    """A final about to be judged: the desk has opened the knowledge quiz of the first team."""
    world = World(tmp_path, with_marks=False)
    desk, _ = connect(world, "control", "/control")
    assert desk.emit("open_segment", {"entry_id": world.own_entry, "segment_key": "knowledge"},
                     namespace="/control", callback=True)["ok"] is True
    judge, refusal = connect(world, "final_judge", "/judge")
    assert refusal is None
    clients = {"/control": desk, "/judge": judge, "/board": connect(world, "audience", "/board")[0],
               "/present": connect(world, ORGANISER, "/present")[0]}
    yield world, clients
    for ns, client in clients.items():
        if client.is_connected(ns):
            client.disconnect(ns)
    world.close()


def oracle_mark(value) -> Decimal | None:
    """What a valid knowledge-quiz mark is (max 10, step 0.1), written independently of the app.

    A plain number: ASCII digits, one decimal point or comma, no sign (so no "-0"), no
    exponent, at most 4 integer and 4 decimal digits (issue 16: digits are bounded before
    any rounding, so "9.99999999999999999999" is not 10).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip(" \t").replace(",", ".")
    else:
        return None
    if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{0,4})?|\.[0-9]{1,4}", text):
        return None
    number = Decimal(text)
    if number > 10 or (number * 10) != (number * 10).to_integral_value():
        return None
    return number


mark_values = st.one_of(
    st.decimals(min_value=-2, max_value=12, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.decimals(min_value=0, max_value=10, places=1, allow_nan=False, allow_infinity=False).map(
        lambda d: str(d).replace(".", ",")),
    st.floats(min_value=-1, max_value=11), st.sampled_from([float("nan"), float("inf"), -float("inf")]),
    st.integers(-5, 15),
    st.sampled_from(["NaN", "Infinity", "-0", "1e1", "8.", ".5", " 9,5 ", "9,5,5", "", "tám", "٨", "0x8", "8.55", "10.0"]),
    st.booleans(), st.none(), st.text(max_size=6),
)


@given(value=mark_values, key=st.one_of(st.text(max_size=90), st.uuids().map(lambda u: f"fz-{u}")))
@FUZZ
def test_fuzz_submit_mark_stores_exactly_the_valid_marks(live, value, key):
    world, clients = live
    payload = {"entry_id": world.own_entry, "segment_key": "knowledge", "value": value, "idempotency_key": key}
    ack = clients["/judge"].emit("submit_mark", payload, namespace="/judge", callback=True)
    STATS["submit_mark"] += 1
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool)
    key_ok = isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_.:-]{8,80}", key) is not None
    expected = oracle_mark(value) if key_ok else None
    if ack["ok"] and ack.get("replayed"):
        STATS["submit_mark_replayed"] += 1  # a key already used: the stored mark comes back, nothing changes
    elif ack["ok"]:
        assert expected is not None, f"accepted {value!r}"
        assert Decimal(ack["mark"]["value"]) == expected
    else:
        assert VIETNAMESE.search(ack["message"]), ack
        if key_ok:
            assert expected is None, f"refused the valid mark {value!r}: {ack}"
        STATS["submit_mark_refused"] += 1
    assert_store_valid(world)


EVENTS = {
    "/judge": ["submit_mark", "heartbeat", "get_state"],
    "/control": ["set_stage", "open_segment", "close_segment", "reveal_segment", "reveal_prizes", "get_desk"],
    "/board": ["get_snapshot", "submit_mark"],
    "/present": ["show_question", "show_next", "show_previous", "reveal_answer", "start_countdown",
                 "stop_countdown", "toggle_countdown", "show_situation", "clear_screen", "get_present_state"],
}
KNOWN_KEYS = ["entry_id", "segment_key", "value", "idempotency_key", "judge_id", "edition", "edition_id",
              "revealed", "number", "seconds", "autostart", "unsent"]
payloads = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(KNOWN_KEYS), json_values, max_size=5),
    st.fixed_dictionaries({"entry_id": st.one_of(st.integers(-3, 40), st.text(max_size=5)),
                           "segment_key": st.sampled_from(["knowledge", "situation", "presentation", "x", ""]),
                           "value": json_values, "idempotency_key": st.text(max_size=20)}),
)


@given(cell=st.sampled_from([(ns, ev) for ns, evs in EVENTS.items() for ev in evs]), payload=payloads)
@FUZZ
def test_fuzz_every_socket_event_answers_with_a_message(live, cell, payload):
    world, clients = live
    namespace, event = cell
    client = clients[namespace]
    if not client.is_connected(namespace):  # a fuzzed event may have ended the session
        client.connect(namespace=namespace, auth={"edition": 2019, "edition_id": world.edition_id})
    ack = client.emit(event, payload, namespace=namespace, callback=True)
    STATS["socket_events"] += 1
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (cell, payload, ack)
    if not ack["ok"]:
        assert isinstance(ack.get("message"), str) and VIETNAMESE.search(ack["message"]), ack
    assert_store_valid(world)


# ----------------------------------------------------------------------------- forms


class FormFinder(HTMLParser):
    """The POST forms of a page: action → field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self._current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = self.forms.setdefault(a.get("action") or "", set())
        elif tag in ("input", "select", "textarea") and self._current is not None and a.get("name"):
            self._current.add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.fixture
def forms(tmp_path):
    """The demo world and, per role, every POST form its pages show (action, fields)."""
    world = World(tmp_path, with_marks=True)
    params = world.params()
    found: dict[tuple[str, str], set[str]] = {}
    for role in ROLES:
        if role == "final_judge":
            continue
        client = world.clients[role]
        for rule in world.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "judge.token_login") or \
                    rule.rule.endswith((".csv", ".xlsx", ".docx", ".pdf", ".json", ".svg", ">")):
                continue
            path = rule.rule
            try:
                for arg in rule.arguments:
                    path = re.sub(rf"<(?:\w+:)?{arg}>", params[arg], path)
            except KeyError:
                continue
            if role == ORGANISER and path.startswith("/unit/"):
                path += f"?unit_id={world.own_unit}"
            response = client.get(path)
            if response.status_code != 200 or response.mimetype != "text/html":
                response.close()  # a file response (the favicon) holds its file open until closed
                continue
            finder = FormFinder()
            finder.feed(response.get_data(as_text=True))
            for action, fields in finder.forms.items():
                target = action or path
                if target.startswith(("/auth/logout", "/judge/logout")):
                    continue
                found.setdefault((role, target), set()).update(fields - {"csrf_token"})
    yield world, sorted(found.items())
    world.close()


def test_fuzz_forms_are_found(forms):
    _world, found = forms
    STATS["forms"] = len(found)
    assert len(found) >= 15


@given(data=st.data())
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_fuzz_every_form_refuses_bad_input_with_a_message(forms, data):
    world, found = forms
    (role, action), fields = data.draw(st.sampled_from(found))
    names = sorted(fields) + ["x"]
    form = data.draw(st.dictionaries(st.sampled_from(names), text_values, max_size=len(names)))
    form["csrf_token"] = world.csrf[role]
    response = world.clients[role].post(action, data=form)
    STATS["form_posts"] += 1
    assert response.status_code < 500
    if 400 <= response.status_code < 500 and response.status_code != 404:
        assert message_of(response).strip(), f"{role} POST {action} {form}: {response.status_code} without a message"
    assert_store_valid(world)


# ----------------------------------------------------------------------------- import parsers


def _check_questions(questions):
    for q in questions:
        assert q.stem.strip() and q.key in ("A", "B", "C", "D") and all(o.strip() for o in q.options)
        assert q.points > 0 and q.time_seconds > 0


gift_text = st.lists(
    st.one_of(
        st.sampled_from([
            "::Q1:: Câu hỏi? {=Đúng ~Sai ~Sai nữa ~Sai hẳn}", "// code: KT1-01",
            "::Q2:: Câu hỏi hai? {~Sai =Đúng ~Sai nữa ~Sai hẳn}\n", "// points: 0.4", "{", "}",
            "~", "=", "#", "::", "\\", "[html]", "Câu hỏi không có đáp án", "{=A ~B}", "{TRUE}", "", "\n",
        ]),
        st.text(max_size=30),
        st.sampled_from(HOSTILE),
    ),
    max_size=12,
).map("\n".join)
aiken_text = st.lists(
    st.one_of(
        st.sampled_from(["Câu hỏi?\nA. Một\nB. Hai\nC. Ba\nD. Bốn\nANSWER: B\n",
                         "Câu hỏi?", "A. Một", "B. Hai", "C. Ba", "D. Bốn", "ANSWER: A", "ANSWER: E",
                         "E. Năm", "A) Một", "", "ANSWER:"]),
        st.text(max_size=30),
        st.sampled_from(HOSTILE),
    ),
    max_size=14,
).map("\n".join)


DEFAULTS = {"topic": "Cải cách hành chính", "source": "Báo cáo 2417/BC-SNV", "time": "30", "points": "0.4"}


def _import_text(fmt: str, text: str):
    from contest_app.question_banks.importers import ImportRejected, import_quiz_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"de.{ 'gift' if fmt == 'gift' else 'txt'}"
        path.write_text(text, encoding="utf-8")
        try:
            questions = import_quiz_file(path, fmt, set_number=1, defaults=DEFAULTS)
        except ImportRejected as exc:
            assert exc.errors and all(e.message.strip() for e in exc.errors)
            return "refused"
    assert questions
    _check_questions(questions)
    return "imported"


@given(text=gift_text)
@FUZZ
def test_fuzz_gift_import(text):
    STATS[f"gift_{_import_text('gift', text)}"] += 1


@given(text=aiken_text)
@FUZZ
def test_fuzz_aiken_import(text):
    STATS[f"aiken_{_import_text('aiken', text)}"] += 1


def _excel_safe(value):
    """Text a worksheet can hold (openpyxl refuses control characters when the TEST writes them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


VALID_ROW = ["KT1-01", "CCHC", "Câu hỏi hợp lệ?", "Một", "Hai", "Ba", "Bốn", "A", "BC 2417", 30, 0.4, 1]


@given(rows=st.lists(st.one_of(st.just(VALID_ROW), st.lists(st.one_of(
                         st.none(), text_values.map(_excel_safe), st.integers(-5, 500), st.floats(allow_nan=True)),
                              min_size=0, max_size=13)), max_size=6),
       header=st.booleans())
@SMALL
def test_fuzz_excel_question_import(rows, header):
    from openpyxl import Workbook

    from contest_app.question_banks.importers import EXCEL_COLUMNS, ImportRejected, import_quiz_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "de.xlsx"
        book = Workbook()
        sheet = book.active
        if header:
            sheet.append(list(EXCEL_COLUMNS))
        for row in rows:
            sheet.append(row)
        book.save(path)
        try:
            questions = import_quiz_file(path, "excel", set_number=1)
        except ImportRejected as exc:
            assert exc.errors and all(e.message.strip() for e in exc.errors)
            STATS["excel_questions_refused"] += 1
            return
    _check_questions(questions)
    STATS["excel_questions_imported"] += 1


BANKS = Path(__file__).resolve().parents[2] / "question_banks"
BANK_FILES = sorted(BANKS.glob("*/quiz/*.txt"))[:2] + sorted(BANKS.glob("*/situations/*.txt"))[:2]


@st.composite
def mutated_bank(draw):
    """A real bank file, sometimes untouched, usually with a few lines deleted, doubled or replaced."""
    path = draw(st.sampled_from(BANK_FILES))
    lines = path.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        op = draw(st.sampled_from(["delete", "double", "replace", "insert"]))
        junk = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=25),
                              st.sampled_from(["key: Z", "points: abc", "time: -1", "code: KT1-01", "---", ""])))
        if op == "delete" and lines:
            del lines[i]
        elif op == "double" and lines:
            lines.insert(i, lines[i])
        elif op == "replace" and lines:
            lines[i] = junk
        else:
            lines.insert(i, junk)
    return ("situation" if "situations" in path.parts else "quiz"), "\n".join(lines)


@given(bank=mutated_bank())
@FUZZ
def test_fuzz_bank_format(bank):
    from contest_app.question_banks.loader import parse_quiz_text, parse_situation_text

    kind, text = bank
    errors: list = []
    parse = parse_quiz_text if kind == "quiz" else parse_situation_text
    result = parse(text, "bo-de.txt", errors)
    STATS["bank_texts"] += 1
    if errors:
        assert all(str(e).strip() and e.message.strip() for e in errors)
        STATS["bank_refused"] += 1
    else:
        assert result is not None
        STATS["bank_accepted"] += 1
        if kind == "quiz":
            _check_questions(result.questions)
        else:
            assert all(x.text.strip() and x.answer.strip() and x.points > 0 for x in result.situations)


@pytest.fixture
def edition_app(tmp_path):
    world = World(tmp_path, with_marks=False)
    yield world
    world.close()


registration_cells = st.one_of(st.none(), text_values.map(_excel_safe), st.sampled_from(
    ["Khối Sở, ban, ngành", "Sở, ban, ngành", "UBND cấp huyện", "1", "Nhóm 1", "Sở Nội vụ"]))
VALID_UNIT = ["Phòng Thử nghiệm Fuzz", "UBND cấp huyện"]
VALID_TEAM = ["Đội thử nghiệm", "Sở Nội vụ", "Nguyễn Văn A - Đội trưởng"]
VALID_ENTRY = ["Sáng kiến thử nghiệm", "Tóm tắt", "1", "Sở Nội vụ", "Đội thử nghiệm"]


@given(units=st.lists(st.one_of(st.just(VALID_UNIT), st.lists(registration_cells, max_size=3)), max_size=3),
       teams=st.lists(st.one_of(st.just(VALID_TEAM), st.lists(registration_cells, max_size=4)), max_size=3),
       entries=st.lists(st.one_of(st.just(VALID_ENTRY), st.lists(registration_cells, max_size=6)), max_size=3),
       garbage=st.booleans())
@SMALL
def test_fuzz_registration_excel_import(edition_app, units, teams, entries, garbage):
    from openpyxl import Workbook

    from contest_app.models import Edition
    from contest_app.services.rounds import excel_import
    from contest_app.services.errors import ValidationError

    world = edition_app
    if garbage:
        data = b"PK\x03\x04 not really a workbook " + bytes(range(40))
    else:
        book = Workbook()
        book.remove(book.active)
        for name, rows in ((excel_import.SHEET_UNITS, units), (excel_import.SHEET_TEAMS, teams),
                           (excel_import.SHEET_ENTRIES, entries)):
            sheet = book.create_sheet(name)
            sheet.append(excel_import.COLUMNS[name])
            for row in rows:
                sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    with world.app.app_context():
        edition = db.session.get(Edition, world.edition_id)
        try:
            excel_import.import_workbook(edition=edition, data=data)
            db.session.commit()
            STATS["registration_imported"] += 1
        except ValidationError as exc:
            db.session.rollback()
            assert exc.message.strip() and VIETNAMESE.search(exc.message)
            STATS["registration_refused"] += 1
        db.session.remove()
    assert_store_valid(world)


# ----------------------------------------------------------------------------- hostile names


NAME = '<script>alert("đội")</script>=HYPERLINK("http://evil")'
FORMULA = '=HYPERLINK("http://evil.example","Sở Lao động")'
TITLE = '"><img src=x onerror=alert(1)> Sáng kiến <b>đậm</b>'


def test_hostile_team_names_are_text_on_every_page_and_in_every_file(tmp_path):
    from contest_app.models import Entry, Team

    world = World(tmp_path, with_marks=True)
    try:
        with world.app.app_context():
            team = db.session.get(Team, world.own_team)
            team.name = NAME
            db.session.get(Team, world.other_team).name = FORMULA
            db.session.get(Entry, world.own_entry).title = TITLE
            db.session.commit()
            db.session.remove()
        params = world.params()
        pages = files = 0
        for role in ("audience", "secretariat", ORGANISER):
            client = world.clients[role]
            for rule in world.app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint in ("static", "judge.token_login"):
                    continue
                path = rule.rule
                try:
                    for arg in rule.arguments:
                        path = re.sub(rf"<(?:\w+:)?{arg}>", params[arg], path)
                except KeyError:
                    continue
                fmts = ["csv", "xlsx", "docx", "pdf"] if "fmt" in rule.arguments else [None]
                for fmt in fmts:
                    target = path.replace("/csv", f"/{fmt}").replace(".csv", f".{fmt}") if fmt else path
                    if role == ORGANISER and target.startswith("/unit/"):
                        target += f"?unit_id={world.own_unit}"
                    response = client.get(target)
                    if response.status_code != 200:
                        continue
                    body = response.get_data()
                    kind = response.mimetype
                    if kind == "text/html":
                        html = body.decode("utf-8")
                        assert '<script>alert("đội")' not in html and "<img src=x onerror" not in html, target
                        assert "<b>đậm</b>" not in html, target
                        pages += 1
                    elif kind == "application/json":
                        json.loads(body)  # JSON escapes nothing it should not; it is data, not markup
                    else:
                        _assert_file_shows_text(target, kind, body)
                        files += 1
        STATS["hostile_pages"] = pages
        STATS["hostile_files"] = files
        assert pages >= 20 and files >= 4
    finally:
        world.close()


def _assert_file_shows_text(target: str, kind: str, body: bytes) -> None:
    if target.endswith(".xlsx") or "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        assert cell.data_type == "s", f"{target}: {cell.coordinate} is a formula: {cell.value!r}"
    elif target.endswith(".docx") or "wordprocessing" in kind:
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
        text += "\n".join(c.text for t in Document(io.BytesIO(body)).tables for r in t.rows for c in r.cells)
        assert NAME in text or TITLE in text or "đội" in text
    elif target.endswith(".csv") or kind == "text/csv":
        text = body.decode("utf-8-sig")
        for line in text.splitlines():
            for cell in line.split(","):
                assert not cell.strip('"').startswith(("=", "+", "@")), f"{target}: formula-like cell {cell!r}"
    elif target.endswith(".pdf") or kind == "application/pdf":
        from pypdf import PdfReader

        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        assert "alert" in text or "Sáng kiến" in text or text.strip()
