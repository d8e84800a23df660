from contest_app.extensions import db
from contest_app.reports.appendix import build_appendices
from contest_app.services.final.results import compute_results
from tests.published_2019 import AVERAGES, PHU_LUC_I
from tests.reports.expected import ATTACHED, PHU_LUC_II, TITLE_II_FIRST, TITLE_LINES


def test_appendix_one_reproduces_phu_luc_i(appendices_2019):
    one = appendices_2019.one
    assert one.heading.label == "Phụ lục I"
    assert list(one.heading.title_lines) == TITLE_LINES
    assert one.heading.attached == ATTACHED
    assert one.segment_names == ("Kiến thức CCHC", "Xử lý tình huống", "Thuyết trình, bảo vệ MHSK")
    assert [(r.tt, r.team, *(str(v) for v in r.scores), str(r.total)) for r in one.rows] == [
        (i, team, k, s, p, t) for i, (team, k, s, p, t) in enumerate(PHU_LUC_I, start=1)
    ]
    assert [str(v) for v in one.averages] + [str(one.average_total)] == [
        AVERAGES["knowledge"], AVERAGES["situation"], AVERAGES["presentation"], AVERAGES["total"]
    ]


def test_appendix_two_lists_winners_by_tier(appendices_2019):
    two = appendices_2019.two
    assert two.heading.label == "Phụ lục II"
    assert two.heading.title_lines[0] == TITLE_II_FIRST
    got = [
        (g.numeral, g.heading, [("" if w.tt is None else str(w.tt), w.team, str(w.total)) for w in g.winners])
        for g in two.groups
    ]
    assert got == PHU_LUC_II
    assert two.unresolved == ()


def test_appendix_carries_the_results_fingerprint(appendices_2019, results_2019):
    assert appendices_2019.fingerprint == results_2019.fingerprint()
    assert appendices_2019.fingerprint_line == f"Mã kiểm tra kết quả (SHA-256): {results_2019.fingerprint()}"


def test_attached_line_uses_placeholders_when_report_unset(demo):
    demo.report_number, demo.report_date, demo.issuing_body = "", None, ""
    db.session.flush()
    app = build_appendices(compute_results(demo))
    assert app.one.heading.attached == "(Kèm theo Báo cáo số …/BC-… ngày … của …)"


def test_appendix_rows_without_marks_have_blank_scores(demo):
    from contest_app.models import Mark

    db.session.query(Mark).delete()
    db.session.flush()
    one = build_appendices(compute_results(demo)).one
    assert one.rows[0].scores == (None, None, None)
    assert one.rows[0].total is None
    assert one.averages == (None, None, None)
