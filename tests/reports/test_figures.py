from decimal import Decimal

from contest_app.reports.figures import figure_sentences, figures_data, segment_sentences

EXPECTED_2019 = [
    "Phần thi kiến thức CCHC: Tổng điểm tối đa theo điều lệ là 10đ; điểm trung bình đạt được của 12 đội là 7,17đ "
    "(tỷ lệ 71,67% so với mức tối đa). Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (9,5đ).",
    "Phần thi xử lý tình huống: Tổng điểm tối đa theo điều lệ là 15đ; điểm trung bình đạt được của 12 đội là 11,68đ "
    "(tỷ lệ 77,89% so với mức tối đa). Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (14,6đ).",
    "Phần thi thuyết trình, bảo vệ mô hình, sáng kiến: Tổng điểm tối đa theo điều lệ là 75đ; điểm trung bình đạt được "
    "của 12 đội là 58,82đ (tỷ lệ 78,42% so với mức tối đa). Đội thi Sở Nội vụ đạt điểm cao nhất (67,6đ).",
]


def test_segment_sentences_2019_in_the_reports_wording(results_2019):
    assert segment_sentences(results_2019) == EXPECTED_2019


def test_figure_paragraph_adds_rounds_and_total(results_2019):
    assert figure_sentences(results_2019) == [
        "Có 95 mô hình, sáng kiến tham gia Vòng loại; 52/95 mô hình, sáng kiến được chọn chấm Vòng sơ khảo; "
        "12 mô hình, sáng kiến vào Vòng chung khảo.",
        *EXPECTED_2019,
        "Tổng điểm: điểm trung bình đạt được của 12 đội là 77,67đ (tỷ lệ 77,67% so với mức tối đa 100đ).",
    ]


def test_figures_data_keeps_real_numbers(results_2019):
    data = figures_data(results_2019)
    assert [(s["key"], s["average"], s["rate_of_max"], s["best_score"], s["best_teams"]) for s in data["segments"]] == [
        ("knowledge", Decimal("7.17"), Decimal("71.67"), Decimal("9.50"), ["Sở Thông tin và Truyền thông"]),
        ("situation", Decimal("11.68"), Decimal("77.89"), Decimal("14.60"), ["Sở Thông tin và Truyền thông"]),
        ("presentation", Decimal("58.82"), Decimal("78.42"), Decimal("67.60"), ["Sở Nội vụ"]),
    ]
    assert data["total"]["average"] == Decimal("77.67")


def test_shared_best_score_names_every_team(demo):
    from contest_app.models import Mark, Segment
    from contest_app.extensions import db
    from contest_app.services.final.results import compute_results

    # Lift Sở Nội vụ's knowledge marks to Sở Thông tin và Truyền thông's 9,5 (same mean).
    seg = db.session.query(Segment).filter_by(edition_id=demo.id, key="knowledge").one()
    results = compute_results(demo)
    noi_vu = next(r.entry_id for r in results.rows if r.team == "Sở Nội vụ")
    for mark in db.session.query(Mark).filter_by(segment_id=seg.id, entry_id=noi_vu):
        mark.value = mark.value + Decimal("1.00")
    db.session.flush()
    sentence = segment_sentences(compute_results(demo))[0]
    assert sentence.endswith(
        "7,25đ (tỷ lệ 72,50% so với mức tối đa). "
        "Các đội thi Sở Nội vụ và Sở Thông tin và Truyền thông cùng đạt điểm cao nhất (9,5đ)."
    )
