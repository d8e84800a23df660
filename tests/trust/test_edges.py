"""Issue 16, property-based: every edge refuses what it must, with a message, and stores nothing bad.

Edges: the Socket.IO payloads (the pydantic models against an independent oracle, then
``submit_mark`` and every desk and presenter event through ``socketio.test_client``),
every form (Flask test client, valid CSRF token), every importer (GIFT, Aiken, Excel
questions, bank files, the registration workbook). The generated values are the attacks
of the issue: 30-digit numbers, "9.9999999999999999999999999999999", "NaN", "-0",
full-width digits, ids of 2^63 and more, ``true`` for an id, keys with a trailing
newline, NUL and control characters, names of 100,000 characters.

Invariants after the examples: no server error (a handler error would answer
``server_error``; a view error propagates, TESTING), every refusal carries a Vietnamese
message, every stored mark on its grid and within range, every stored text free of
control characters and within its column (``assert_clean_store``). ``EDGES:`` prints how
many cases each edge ran (quoted in docs/reliability.md).
"""
from __future__ import annotations

import io
import re
import tempfile
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, select

from contest_app.extensions import db
from contest_app.services.trust.inputs import TEXT_LIMIT
from tests.trust.test_fuzz import assert_store_valid, forms  # noqa: F401 - fixture
from tests.trust.world import ORGANISER, VIETNAMESE, World, connect

STATS: Counter = Counter()


def teardown_module(module):
    print("\nEDGES: " + ", ".join(f"{k}={v}" for k, v in sorted(STATS.items())) + f", total={sum(STATS.values())}")


def budget(n: int):
    return settings(max_examples=n, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


HOSTILE_NUMBERS = [
    "NaN", "nan", "Infinity", "-Infinity", "1e999", "1E2", "-0", "-0,0", "-0.00", "+5", "１２", "٨", "²", "৪",
    "9." + "9" * 30, "1" * 30, "9.9999999999999999999999999999999", "0.99999999999999999999", "0x10", "1_000",
    " 7,5 ", "7,5\n", "7\x00", "10.000000001", str(2**63), str(2**64), "-1", "", " ", "7,5,5", "٫5", "7.5.",
]
HOSTILE_TEXTS = [
    "\x00", "Tên\x00đội", "Đội\x07", "\x1b[31mđỏ", "Đội\u0085", "a\x7f", "x" * 301, "Đ" * 100_000,
    "Đội  bình thường", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "\t", "\r\n",
]
numbers = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(-(2**70), 2**70).map(str),
                    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-1000,
                                max_value=1000).map(str), st.text(alphabet="0123456789.,-+eE ", max_size=40))
texts = st.one_of(st.sampled_from(HOSTILE_TEXTS), st.text(max_size=40), numbers)
ids = st.one_of(st.integers(-3, 60), st.sampled_from([2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30]),
                st.booleans(), st.none(), st.sampled_from(["1", "１", "1\n", "", "abc", "1e3"]),
                st.floats(allow_nan=True), st.lists(st.integers(), max_size=2))


def _is_control(c: str) -> bool:
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cs")


def assert_clean_store(app, tables: tuple[str, ...] | None = None) -> int:
    """No stored text holds a control character or is longer than its column; returns how many texts were read."""
    checked = 0
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if tables is not None and table.name not in tables:
                continue
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    checked += 1
                    limit = column.type.length or TEXT_LIMIT
                    assert len(value) <= limit, f"{table.name}.{column.name}: {len(value)} > {limit} characters"
                    assert not any(_is_control(c) for c in value), f"{table.name}.{column.name}: {value[:40]!r}"
        db.session.remove()
    return checked


# ----------------------------------------------------------------------------- the payload models


def oracle_mark_text(value) -> bool:
    """A plain non-negative number with at most 4 + 4 ASCII digits (written independently of the app)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float):
        value = repr(value)
    elif isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return False
    text = value.strip(" \t")
    if text.startswith("-"):  # a negative number is passed on to be refused "below zero"; "-0" is not
        rest = text[1:]
        return bool(re.fullmatch(r"[0-9]{1,4}([.,][0-9]{0,4})?|[.,][0-9]{1,4}", rest)) and \
            Decimal(rest.replace(",", ".")) != 0
    return bool(re.fullmatch(r"[0-9]{1,4}([.,][0-9]{0,4})?|[.,][0-9]{1,4}", text))


def oracle_id(value) -> bool:
    return type(value) is int and 1 <= value <= 2**63 - 1


def oracle_key(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.:-]{8,80}", value) is not None and \
        "\n" not in value


keys = st.one_of(st.uuids().map(lambda u: f"k-{u}"), st.text(max_size=90),
                 st.sampled_from(["abcdefgh\n", "abcdefgh", "abc", "a" * 81, "a" * 80, "abcdefgh\x00", "ａｂｃｄｅｆｇｈ"]))
mark_values = st.one_of(numbers, st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
                        st.booleans(), st.none(), st.lists(st.integers(), max_size=1))


@given(entry_id=ids, value=mark_values, key=keys, judge_id=st.one_of(st.just("absent"), ids),
       segment=st.sampled_from(["knowledge", "situation", "", "KNOWLEDGE", "knowledge\n", "x" * 41, 7]))
@budget(2500)
def test_submit_mark_model_accepts_exactly_what_the_oracle_accepts(entry_id, value, key, judge_id, segment):
    from contest_app.live.payloads import SubmitMark, parse
    from contest_app.services.errors import ValidationError

    data = {"entry_id": entry_id, "segment_key": segment, "value": value, "idempotency_key": key}
    if judge_id != "absent":
        data["judge_id"] = judge_id
    valid = (oracle_id(entry_id) and oracle_mark_text(value) and oracle_key(key)
             and isinstance(segment, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,39}", segment) is not None
             and (judge_id == "absent" or judge_id is None or oracle_id(judge_id)))
    STATS["payload_model"] += 1
    try:
        parsed = parse(SubmitMark, data)
    except ValidationError as exc:
        assert not valid, f"refused a valid payload {data!r}: {exc.message}"
        assert VIETNAMESE.search(exc.message) and exc.code in ("bad_request", "not_a_number")
        return
    assert valid, f"accepted {data!r}"
    assert parsed.entry_id == entry_id and parsed.idempotency_key == key
    assert re.fullmatch(r"-?[0-9]{1,4}(\.[0-9]{1,4})?", parsed.value), parsed.value


# ----------------------------------------------------------------------------- Socket.IO, through the handlers


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A final about to be judged (shared by the Socket.IO edges): the knowledge quiz of the first team is open."""
    world = World(tmp_path_factory.mktemp("edges"), with_marks=False)
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
    assert_clean_store(world.app)
    world.close()


@given(entry_id=ids, value=mark_values, key=keys, judge_id=st.one_of(st.just("absent"), ids))
@budget(600)
def test_submit_mark_handler_never_stores_an_invalid_mark(live, entry_id, value, key, judge_id):  # noqa: F811
    world, clients = live
    payload = {"entry_id": world.own_entry if entry_id == 1 else entry_id, "segment_key": "knowledge",
               "value": value, "idempotency_key": key}
    if judge_id != "absent":
        payload["judge_id"] = world.judge_ids[0] if judge_id == 1 else judge_id
    ack = clients["/judge"].emit("submit_mark", payload, namespace="/judge", callback=True)
    STATS["submit_mark"] += 1
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    assert ack.get("code") != "server_error", ack
    if ack["ok"]:
        assert payload["entry_id"] == world.own_entry and type(payload["entry_id"]) is int
        assert oracle_key(key) and oracle_mark_text(value)
        if not ack["replayed"]:
            number = Decimal(ack["mark"]["value"])
            assert 0 <= number <= 10 and number * 10 == (number * 10).to_integral_value()
            assert Decimal(str(value).strip(" \t").replace(",", ".")) == number
    else:
        assert VIETNAMESE.search(ack["message"]), ack
    assert_store_valid(world)
    if STATS["submit_mark"] % 100 == 0:
        assert_clean_store(world.app, ("mark", "mark_submission", "audit_event"))


DESK_EVENTS = {
    "/control": ["set_stage", "open_segment", "close_segment", "reveal_segment", "reveal_prizes", "get_desk",
                 "accept_late_mark", "reject_late_mark", "ceremony_next", "ceremony_previous", "ceremony_stop"],
    "/present": ["show_question", "show_next", "show_previous", "reveal_answer", "start_countdown",
                 "stop_countdown", "toggle_countdown", "show_situation", "clear_screen", "get_present_state"],
    "/judge": ["heartbeat", "get_state"],
    "/board": ["get_snapshot", "get_seq"],
}
desk_payloads = st.one_of(
    st.fixed_dictionaries({}, optional={"entry_id": ids, "segment_key": texts, "revealed": st.one_of(st.booleans(), ids),
                                        "edition": st.one_of(ids, texts), "edition_id": ids, "number": ids,
                                        "autostart": st.one_of(st.booleans(), ids), "seconds": ids,
                                        "unsent": ids, "late_mark_id": ids, "reason": texts,
                                        "confirm_missing": st.one_of(st.booleans(), ids), "sent_at": texts}),
    st.none(), ids, texts, st.lists(ids, max_size=3),
)


@given(cell=st.sampled_from([(ns, ev) for ns, evs in DESK_EVENTS.items() for ev in evs]), payload=desk_payloads)
@budget(500)
def test_every_desk_presenter_and_board_event_answers_with_a_message(live, cell, payload):  # noqa: F811
    world, clients = live
    namespace, event = cell
    client = clients[namespace]
    if not client.is_connected(namespace):
        client.connect(namespace=namespace, auth={"edition": 2019, "edition_id": world.edition_id})
    ack = client.emit(event, payload, namespace=namespace, callback=True)
    STATS["socket_events"] += 1
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (cell, payload, ack)
    assert ack.get("code") != "server_error", (cell, payload, ack)
    if not ack["ok"]:
        assert VIETNAMESE.search(ack.get("message") or ""), (cell, payload, ack)
    assert_store_valid(world)


# ----------------------------------------------------------------------------- every form


@given(data=st.data())
@budget(500)
def test_every_form_refuses_hostile_numbers_and_texts(forms, data):  # noqa: F811
    world, found = forms
    (role, action), fields = data.draw(st.sampled_from(found))
    names = sorted(fields)
    form = {name: data.draw(st.one_of(numbers, texts, st.just("1"))) for name in names
            if data.draw(st.booleans())}
    form["csrf_token"] = world.csrf[role]
    response = world.clients[role].post(action, data=form)
    STATS["form_posts"] += 1
    assert response.status_code < 500, (role, action, form)
    if 400 <= response.status_code < 500 and response.status_code != 404:
        from tests.trust.test_fuzz import message_of

        assert message_of(response).strip(), f"{role} POST {action}: {response.status_code} without a message"
    assert_store_valid(world)
    if STATS["form_posts"] % 50 == 0:
        assert_clean_store(world.app)


# ----------------------------------------------------------------------------- importers


def _check_questions(questions) -> None:
    for q in questions:
        for value in (q.code, q.topic, q.stem, q.source, *q.options):
            assert value.strip() and not any(_is_control(c) for c in value) and len(value) <= 5000, value[:40]
        assert q.key in ("A", "B", "C", "D")
        assert 0 < q.time_seconds < 10**6
        assert q.points > 0 and re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4})?", format(q.points, "f"))


def _import(fmt: str, text: str):
    from contest_app.question_banks.importers import ImportRejected, import_quiz_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"de.{'gift' if fmt == 'gift' else 'txt'}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            questions = import_quiz_file(path, fmt, set_number=1)
        except ImportRejected as exc:
            assert exc.errors and all(e.message.strip() for e in exc.errors)
            return "refused"
    _check_questions(questions)
    return "imported"


hostile_fields = st.one_of(numbers, texts.filter(lambda t: "\n" not in t and "\r" not in t))


def field_values_for(valid: str):
    """Mostly a valid value (so that some files import), sometimes a hostile one."""
    return st.one_of(*[st.just(valid)] * 12, hostile_fields)


field_values = st.one_of(hostile_fields, st.just("Cải cách hành chính"))
VALID_FIELDS = {"code": "KT1-01", "topic": "Cải cách hành chính", "source": "Báo cáo 2417/BC-SNV", "time": "30",
                "points": "0.4", "CODE": "KT1-01", "TOPIC": "Cải cách hành chính", "SOURCE": "Báo cáo 2417/BC-SNV",
                "TIME": "30", "POINTS": "0.4"}


@st.composite
def gift_files(draw):
    lines = []
    for n in range(draw(st.integers(1, 2))):
        for name in ("code", "topic", "source", "time", "points"):
            if draw(st.sampled_from([True] * 15 + [False])):
                valid = f"KT1-0{n}" if name == "code" else VALID_FIELDS[name]
                lines.append(f"// {name}: {draw(field_values_for(valid))}")
        stem = draw(field_values_for("Câu hỏi về cải cách hành chính?")).replace("{", "").replace("}", "")
        options = [draw(field_values_for(f"Phương án {i}")).replace("~", "").replace("=", "").replace("}", "")
                   for i in range(4)]
        lines.append(f"::Q{n}:: {stem} {{={options[0]} ~{options[1]} ~{options[2]} ~{options[3]}}}")
        lines.append("")
    return "\n".join(lines)


@st.composite
def aiken_files(draw):
    lines = []
    for n in range(draw(st.integers(1, 2))):
        lines.append(draw(field_values_for("Câu hỏi về cải cách hành chính?")) or "Câu hỏi?")
        for letter in "ABCD":
            lines.append(f"{letter}. {draw(field_values_for(f'Phương án {letter}'))}")
        lines.append(f"ANSWER: {draw(st.sampled_from(['A', 'B', 'C', 'A', 'B', 'E', 'a', '']))}")
        for name in ("CODE", "TOPIC", "SOURCE", "TIME", "POINTS"):
            if draw(st.sampled_from([True] * 15 + [False])):
                valid = f"KT1-0{n}" if name == "CODE" else VALID_FIELDS[name]
                lines.append(f"{name}: {draw(field_values_for(valid))}")
        lines.append("")
    return "\n".join(lines)


@given(text=gift_files())
@budget(400)
def test_gift_import_refuses_hostile_fields(text):
    STATS[f"gift_{_import('gift', text)}"] += 1


@given(text=aiken_files())
@budget(400)
def test_aiken_import_refuses_hostile_fields(text):
    STATS[f"aiken_{_import('aiken', text)}"] += 1


VALID_ROW = ["KT1-01", "CCHC", "Câu hỏi hợp lệ?", "Một", "Hai", "Ba", "Bốn", "A", "BC 2417", 30, 0.4, 1]
excel_rows = st.lists(st.one_of(st.just(VALID_ROW), st.tuples(*[
    st.one_of(st.just(v), st.just(v), st.none(), hostile_fields, st.integers(-5, 10**20), st.floats(allow_nan=True))
    for v in VALID_ROW]).map(list)), min_size=1, max_size=3)


@given(rows=excel_rows)
@budget(120)
def test_excel_question_import_refuses_hostile_cells(rows):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from contest_app.question_banks.importers import EXCEL_COLUMNS, ImportRejected, import_quiz_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "de.xlsx"
        book = Workbook()
        sheet = book.active
        sheet.append(list(EXCEL_COLUMNS))
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        book.save(path)
        try:
            questions = import_quiz_file(path, "excel", set_number=1)
        except ImportRejected as exc:
            assert exc.errors and all(e.message.strip() for e in exc.errors)
            STATS["excel_questions_refused"] += 1
            return
    _check_questions(questions)
    STATS["excel_questions_imported"] += 1


@pytest.fixture
def registration_world(tmp_path):
    world = World(tmp_path, with_marks=False)
    yield world
    world.close()


VALID_UNIT = ["Phòng Thử nghiệm Biên", "UBND cấp huyện"]
VALID_TEAM = ["Đội thử nghiệm biên", "Sở Nội vụ", "Nguyễn Văn A - Đội trưởng"]
VALID_ENTRY = ["Sáng kiến thử nghiệm biên", "Tóm tắt", "1", "Sở Nội vụ", "Đội thử nghiệm biên"]


def rows_like(valid):
    cell = [st.one_of(st.just(v), st.just(v), st.none(), hostile_fields, st.integers(-5, 10**20)) for v in valid]
    return st.lists(st.tuples(*cell).map(list), max_size=2)


@given(units=rows_like(VALID_UNIT), teams=rows_like(VALID_TEAM), entries=rows_like(VALID_ENTRY))
@budget(150)
def test_registration_import_stores_no_bad_text(registration_world, units, teams, entries):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from contest_app.models import Edition
    from contest_app.services.rounds import excel_import
    from contest_app.services.errors import ValidationError

    world = registration_world
    book = Workbook()
    book.remove(book.active)
    for name, rows in ((excel_import.SHEET_UNITS, units), (excel_import.SHEET_TEAMS, teams),
                       (excel_import.SHEET_ENTRIES, entries)):
        sheet = book.create_sheet(name)
        sheet.append(excel_import.COLUMNS[name])
        for row in rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    with world.app.app_context():
        edition = db.session.get(Edition, world.edition_id)
        try:
            excel_import.import_workbook(edition=edition, data=buffer.getvalue())
            db.session.commit()
            STATS["registration_imported"] += 1
        except ValidationError as exc:
            db.session.rollback()
            assert VIETNAMESE.search(exc.message), exc.message
            STATS["registration_refused"] += 1
        db.session.remove()
    assert_store_valid(world)
    assert_clean_store(world.app, ("unit", "team", "team_member", "entry"))
