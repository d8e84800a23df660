"""The secretariat's pages and downloads, for the 2019 demo."""
import csv
import io
import json
from html import unescape

import pytest
from openpyxl import load_workbook

from contest_app.extensions import db
from contest_app.models import Edition
from tests.conftest import csrf_token_from
from tests.reports.expected import (
    ATTACHED,
    AVERAGE_ROW,
    PHU_LUC_II,
    TITLE_LINES,
    expected_rows_vn,
    html_tables,
    squash,
    vn,
)


@pytest.fixture
def secretary(demo, make_user, login):
    make_user("thuky", "secretariat", display_name="Trần Thư Ký")
    login("thuky")


@pytest.fixture
def organiser(demo, make_user, login):
    make_user("bantochuc", "organiser", display_name="Nguyễn Tổ Chức")
    login("bantochuc")


def test_print_page_holds_phu_luc_i_and_ii(client, secretary):
    response = client.get("/secretariat/2019/appendix")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert 'href="/static/css/print.css"' in html and "style=" not in html
    text = squash(html)
    assert "<p class=\"appendix-label\">Phụ lục I</p>" in text
    assert "<br>".join(TITLE_LINES) in text and ATTACHED in text
    one, two = html_tables(html)
    assert one[0] == ["TT", "TÊN ĐỘI THI", "TÊN MÔ HÌNH, SÁNG KIẾN", "ĐIỂM CÁC PHẦN THI", "TỔNG ĐIỂM"]
    assert one[1] == ["Kiến thức CCHC", "Xử lý tình huống", "Thuyết trình, bảo vệ MHSK"]
    assert [[r[0], r[1], *r[3:]] for r in one[2:14]] == expected_rows_vn()
    assert one[14] == ["ĐIỂM TRUNG BÌNH", *(vn(v) for v in AVERAGE_ROW)]
    got = []
    for row in two[1:]:
        if len(row) == 2:
            got.append((row[0], row[1], []))
        else:
            got[-1][2].append((row[0], row[1], row[3]))
    assert got == [(n, h, [(tt, team, vn(s)) for tt, team, s in ws]) for n, h, ws in PHU_LUC_II]
    assert text.count("Mã kiểm tra kết quả (SHA-256): ") == 2


def test_print_css_repeats_the_header_and_uses_the_vendored_font(client, app):
    with client.get("/static/css/print.css") as response:
        css = response.get_data(as_text=True)
    assert "thead { display: table-header-group; }" in css
    assert "size: A4 landscape" in css and "size: A4 portrait" in css
    assert 'url("../fonts/liberation-serif/LiberationSerif-Regular.ttf")' in css
    with client.get("/static/fonts/liberation-serif/LiberationSerif-Regular.ttf") as font:
        assert font.status_code == 200 and len(font.data) > 300_000


@pytest.mark.parametrize(
    ("fmt", "mimetype", "magic"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("csv", "text/csv", "\ufeffPhụ lục".encode()),
    ],
)
def test_appendix_downloads(client, secretary, fmt, mimetype, magic):
    response = client.get(f"/secretariat/2019/appendix.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f"attachment; filename=phu-luc-2019.{fmt}"
    assert response.data.startswith(magic)


def test_appendix_unknown_format_is_refused(client, secretary):
    response = client.get("/secretariat/2019/appendix.odt")
    assert response.status_code == 400
    assert "Định dạng “odt” không được hỗ trợ: chọn docx, xlsx, csv hoặc pdf." in unescape(response.get_data(as_text=True))


def test_figures_only_edition_has_no_appendix(client, secretary):
    response = client.get("/secretariat/2013/appendix")
    assert response.status_code == 409
    assert "Kỳ thi Lần thứ 1 - năm 2013 chỉ có số liệu tổng hợp, không có điểm từng đội." in unescape(
        response.get_data(as_text=True)
    )


def test_pages_need_secretariat_or_organiser(client, demo, make_user, login):
    assert client.get("/secretariat/2019/appendix").status_code == 302
    make_user("dieukhien", "control")
    login("dieukhien")
    response = client.get("/secretariat/2019/appendix.pdf")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)


def test_organiser_may_read_the_appendix(client, organiser):
    assert client.get("/secretariat/2019/appendix").status_code == 200


def test_figures_page_gives_the_sentences_and_chart(client, secretary):
    html = unescape(client.get("/secretariat/2019/figures").get_data(as_text=True))
    assert (
        "- Phần thi kiến thức CCHC: Tổng điểm tối đa theo điều lệ là 10đ; điểm trung bình đạt được của 12 đội là 7,17đ "
        "(tỷ lệ 71,67% so với mức tối đa). Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (9,5đ)."
    ) in html
    assert "(tỷ lệ 77,89% so với mức tối đa). Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (14,6đ)." in html
    assert "58,82đ (tỷ lệ 78,42% so với mức tối đa). Đội thi Sở Nội vụ đạt điểm cao nhất (67,6đ)." in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html


def test_figures_json_keeps_real_numbers(client, secretary):
    data = json.loads(client.get("/secretariat/2019/figures.json").get_data(as_text=True))
    assert [(s["average"], s["rate_of_max"], s["best_score"]) for s in data["segments"]] == [
        (7.17, 71.67, 9.5), (11.68, 77.89, 14.6), (58.82, 78.42, 67.6)
    ]


def test_awards_page_and_certificate_list(client, secretary):
    html = unescape(client.get("/secretariat/2019/awards").get_data(as_text=True))
    side, everything = html_tables(html)
    assert side[1:] == [
        ["1", "Trình chiếu đẹp mắt", "1.000.000", "Sở Lao động - Thương binh và Xã hội", "Ban Tổ chức quyết định"],
        ["2", "Xử lý tình huống tinh tế", "1.000.000", "Kho bạc Nhà nước tỉnh", "Điểm cao nhất phần thi"],
        ["3", "Tự giới thiệu gắn với mô hình, sáng kiến", "1.000.000", "Sở Tài nguyên và Môi trường", "Ban Tổ chức quyết định"],
        ["4", "Phản biện sắc sảo", "1.000.000", "Sở Khoa học và Công nghệ", "Ban Tổ chức quyết định"],
        ["5", "Sáng kiến có tính nhân văn", "1.000.000", "Bệnh viện Đa khoa tỉnh Khánh Hòa", "Ban Tổ chức quyết định"],
    ]
    assert len(everything) == 1 + 7 + 5
    assert everything[1][1:4] == ["Giải chính", "Giải Nhất", "Sở Nội vụ"]
    wb = load_workbook(io.BytesIO(client.get("/secretariat/2019/awards.xlsx").data))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["Loại giải", "Tên giải", "Đội thi", "Đơn vị", "Tên mô hình, sáng kiến", "Điểm",
                                        "Giá trị (đồng)"]
    assert (ws["B2"].value, ws["C2"].value, ws["F2"].value) == ("Giải Nhất", "Sở Nội vụ", 88.5)
    assert (ws["B9"].value, ws["G9"].value, ws["G9"].number_format) == ("Trình chiếu đẹp mắt", 1000000, "#,##0")
    rows = list(csv.reader(io.StringIO(client.get("/secretariat/2019/awards.csv").data.decode("utf-8-sig")), delimiter=";"))
    assert rows[-1] == ["Giải phụ", "Sáng kiến có tính nhân văn", "Bệnh viện Đa khoa tỉnh Khánh Hòa",
                        "Bệnh viện Đa khoa tỉnh Khánh Hòa", "Đơn nguyên điều trị trong ngày tại Bệnh viện Đa khoa tỉnh Khánh Hòa",
                        "", "1.000.000"]
    # Every unit of the joint Diên Khánh team is on its award.
    joint = next(r for r in rows if r[2].startswith("Liên quân"))
    assert joint[:4] == ["Giải chính", "Giải Khuyến khích",
                         "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)",
                         "UBND xã Diên Lâm (huyện Diên Khánh) - UBND xã Diên Thọ (huyện Diên Khánh) - "
                         "UBND xã Diên An (huyện Diên Khánh)"]
    plain = client.get("/secretariat/2019/awards.csv?form=plain").data.decode("utf-8-sig").splitlines()
    assert plain[-1].endswith(",,1000000")


def test_consistency_page_lists_deviations_and_flags(client, secretary):
    html = unescape(client.get("/secretariat/2019/consistency").get_data(as_text=True))
    assert "Độ đồng đều của Ban Giám khảo · Lần thứ 4 - năm 2019" in html
    # 10 % of each segment's maximum: the demo's ± 5 % marks are flagged in no segment.
    assert html.count("Điểm lệch quá ngưỡng (0)") == 3
    assert "(tối đa 10; ngưỡng ±1,00 điểm)" in html and "(tối đa 75; ngưỡng ±7,50 điểm)" in html
    assert html.count('class="chart"') == 3


def test_history_page_is_public_with_totals_and_chart(client, demo):
    html = unescape(client.get("/secretariat/history").get_data(as_text=True))
    table = html_tables(html)[0]
    assert table[1:] == [
        ["Lần 1 - năm 2013", "41", "23", "09", "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"],
        ["Lần 2 - năm 2015", "43", "31", "09", "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"],
        ["Lần 3 - năm 2017", "83", "52", "14", "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"],
        ["Lần 4 - năm 2019", "95", "52", "12", "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"],
        ["Tổng cộng", "262", "158", "44", ""],
    ]
    assert "Số mô hình, sáng kiến qua các lần tổ chức" in html and "<svg" in html
    assert "Thêm kỳ thi" not in html


def test_history_exports_keep_numbers(client, demo):
    rows = list(csv.reader(io.StringIO(client.get("/secretariat/history.csv").data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["TT", "Vòng loại", "Vòng Sơ khảo", "Vòng Chung khảo", "Cơ cấu giải thưởng Vòng chung khảo"]
    # "09" as report 2417/BC-SNV writes it, in both forms.
    assert rows[1][:4] == ["Lần 1 - năm 2013", "41", "23", "09"] and rows[-1][:4] == ["Tổng cộng", "262", "158", "44"]
    plain = client.get("/secretariat/history.csv?form=plain").data.decode("utf-8-sig").splitlines()
    assert plain[1] == "Lần 1 - năm 2013,41,23,09,01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"
    assert client.get("/secretariat/history.csv?form=tsv").status_code == 400
    ws = load_workbook(io.BytesIO(client.get("/secretariat/history.xlsx").data)).active
    assert [[c.value for c in row][:4] for row in ws.iter_rows(min_row=2)] == [
        ["Lần 1 - năm 2013", 41, 23, 9], ["Lần 2 - năm 2015", 43, 31, 9], ["Lần 3 - năm 2017", 83, 52, 14],
        ["Lần 4 - năm 2019", 95, 52, 12], ["Tổng cộng", 262, 158, 44],
    ]


def test_organiser_adds_a_figures_only_edition(client, organiser):
    form = client.get("/secretariat/history/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(form), "number": "5", "year": "2021", "qualifying": "90",
            "preliminary": "95", "final": "10", "tier_name_0": "Giải Nhất", "tier_count_0": "1"}
    response = client.post("/secretariat/history/new", data=data)
    assert response.status_code == 400
    assert "Số mô hình, sáng kiến vòng sơ khảo không thể nhiều hơn vòng loại." in unescape(response.get_data(as_text=True))
    data["preliminary"] = "50"
    response = client.post("/secretariat/history/new", data=data, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "Đã lưu số liệu Lần thứ 5 - năm 2021." in html
    assert ["Tổng cộng", "352", "208", "54", "", ""] in html_tables(html)[0]
    assert db.session.query(Edition).filter_by(year=2021).one().figures_only


def test_secretariat_may_not_edit_history(client, secretary):
    assert client.get("/secretariat/history/2013/edit").status_code == 403


def test_followup_page_records_a_plan(client, secretary):
    html = unescape(client.get("/secretariat/2019/followup?today=2020-02-10").get_data(as_text=True))
    assert "trước ngày <strong>31/01/2020</strong>" in html
    assert "Quá hạn, chưa nộp: 12" in html
    entry_id = int(html.split('id="entry-')[9].split('"')[0])  # TT 9, Sở Nội vụ
    response = client.post(
        f"/secretariat/2019/followup/{entry_id}",
        data={"csrf_token": csrf_token_from(html), "plan_kind": "de_an", "received_on": "2020-01-20",
              "document_reference": "Tờ trình số 15/TTr-SNV", "status": "received",
              "replication_status": "replicated", "notes": "Nhân rộng toàn tỉnh"},
    )
    assert response.status_code == 303
    html = unescape(client.get("/secretariat/2019/followup?today=2020-02-10").get_data(as_text=True))
    assert "Đã nộp đúng hạn: 1" in html and "Quá hạn, chưa nộp: 11" in html
    rows = list(csv.reader(io.StringIO(
        client.get("/secretariat/2019/followup.csv?today=2020-02-10").data.decode("utf-8-sig")), delimiter=";"))
    assert rows[9] == ["9", "Sở Nội vụ", rows[9][2], "Giải Nhất", "Đề án", "31/01/2020", "20/01/2020",
                       "Tờ trình số 15/TTr-SNV", "Đã nộp đúng hạn", "0", "Đã nhận", "Đã nhân rộng", "Nhân rộng toàn tỉnh"]
    assert rows[1][8:10] == ["Quá hạn, chưa nộp", "10"]
    ws = load_workbook(io.BytesIO(client.get("/secretariat/2019/followup.xlsx?today=2020-02-10").data)).active
    assert ws["G10"].number_format == "dd/mm/yyyy" and ws["G10"].value.day == 20


def test_followup_bad_date_is_refused_in_vietnamese(client, secretary):
    response = client.get("/secretariat/2019/followup?today=hom-nay")
    assert response.status_code == 400
    assert "Ngày “hom-nay” không hợp lệ: hãy nhập theo dạng NNNN-TT-NN." in unescape(response.get_data(as_text=True))
