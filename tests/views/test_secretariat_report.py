"""The secretariat's report page (narrative form), its figures and its access to the organisers' figures."""
import io
from html import unescape

import pytest
from docx import Document
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, ReportNarrative
from tests.conftest import csrf_token_from
from tests.reports.expected import html_tables


@pytest.fixture
def secretary(demo, make_user, login):
    make_user("thuky", "secretariat", display_name="Trần Thư Ký")
    login("thuky")
    return demo


def _form(client, **changes):
    html = client.get("/secretariat/2019/report").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(html), "report_number": "2417/BC-SNV", "report_date": "2019-10-29",
        "direction": "Chỉ đạo.", "assessment": "Đánh giá chung.", "went_well": "Làm tốt.", "went_wrong": "- Hạn chế.",
        "proposals": "Đề xuất.", "recipients": "Như trên;\nLưu: VT.", "signer_title": "GIÁM ĐỐC",
        "signer_name": "Trần Thu Mai", "letter_number": "/UBND", "letter_date": "2019-11-12",
        "plan_deadline": "2020-02-15", "letter_addressees": "Các sở, ban, ngành thuộc tỉnh.",
        "letter_recipients": "Như trên;", "letter_signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "letter_signer_name": "Nguyễn Văn B", "certificate_date": "2019-10-05",
    }
    data.update(changes)
    return data


def test_report_page_shows_the_saved_narrative_and_the_downloads(client, secretary):
    html = unescape(client.get("/secretariat/2019/report").get_data(as_text=True))
    assert "Báo cáo kết quả cuộc thi · Lần thứ 4 - năm 2019" in html
    assert "Cuộc thi năm 2019 ghi nhận có thêm nhiều mô hình, sáng kiến đột phá" in html
    assert 'href="/secretariat/2019/report.docx"' in html and 'href="/secretariat/2019/certificates.pdf"' in html
    assert "Kết quả chưa khóa:" in html


def test_saving_the_narrative_feeds_the_report_the_letter_and_the_followup(client, secretary):
    response = client.post("/secretariat/2019/report", data=_form(client))
    assert response.status_code == 303
    narrative = db.session.scalar(select(ReportNarrative).where(ReportNarrative.edition_id == secretary.id))
    assert (narrative.assessment, narrative.went_wrong, narrative.updated_by) == ("Đánh giá chung.", "- Hạn chế.", "thuky")
    doc = Document(io.BytesIO(client.get("/secretariat/2019/report.docx").data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("3. Nhận xét, đánh giá") + 1] == "Đánh giá chung."
    assert texts[texts.index("3. Tồn tại, hạn chế") + 1] == "- Hạn chế."
    letter = Document(io.BytesIO(client.get("/secretariat/2019/letter.docx").data))
    assert [c.text for c in letter.tables[0].rows[1].cells][0].startswith("Số:        /UBND")
    assert any("gửi Sở Nội vụ trước ngày 15/02/2020." in p.text for p in letter.paragraphs)
    # The letter's deadline is the one the follow-up page judges against.
    followup = unescape(client.get("/secretariat/2019/followup?today=2020-02-10").get_data(as_text=True))
    assert "trước ngày <strong>15/02/2020</strong>" in followup and "Chưa đến hạn: 12" in followup
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.narrative_saved"))
    assert event.actor == "thuky" and event.after["plan_deadline"] == "2020-02-15"


@pytest.mark.parametrize(("changes", "message"), [
    ({"plan_deadline": "15/02/2020"}, "Hạn nộp phương án, đề án, kế hoạch “15/02/2020” không hợp lệ: hãy chọn ngày theo lịch."),
    ({"letter_date": "2019-10-01"}, "Ngày của công văn không thể trước ngày của báo cáo."),
    ({"plan_deadline": "2019-11-01"}, "Hạn nộp phương án, đề án, kế hoạch phải sau ngày của công văn."),
    ({"signer_name": "A" * 201}, "dài quá 200 ký tự."),
])
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(client, secretary, changes, message):
    before = db.session.scalar(select(ReportNarrative.assessment).where(ReportNarrative.edition_id == secretary.id))
    response = client.post("/secretariat/2019/report", data=_form(client, **changes))
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(select(ReportNarrative.assessment).where(ReportNarrative.edition_id == secretary.id)) == before
    assert db.session.get(Edition, secretary.id).plan_deadline.isoformat() == "2020-01-31"


def test_reading_the_page_of_a_new_edition_writes_nothing(client, secretary):
    db.session.execute(ReportNarrative.__table__.delete())
    db.session.commit()
    html = unescape(client.get("/secretariat/2019/report").get_data(as_text=True))
    assert "GIÁM ĐỐC" in html  # the default signer title, not yet saved
    assert db.session.scalar(select(func.count(ReportNarrative.id))) == 0
    doc = Document(io.BytesIO(client.get("/secretariat/2019/report.docx").data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("3. Nhận xét, đánh giá") + 1] == "(Ban Thư ký chưa viết nội dung này.)"


def test_secretariat_reads_the_organisers_figures_but_nothing_else_there(client, secretary):
    html = unescape(client.get(f"/organiser/editions/{secretary.id}/figures").get_data(as_text=True))
    assert "Vòng sơ khảo" in html
    assert client.get(f"/organiser/editions/{secretary.id}/figures.csv").status_code == 200
    assert client.get(f"/organiser/editions/{secretary.id}/finalists").status_code == 403
    assert client.get("/organiser/units").status_code == 403


def test_figures_page_gives_thematic_groups_and_types_of_unit(client, secretary):
    html = unescape(client.get("/secretariat/2019/figures").get_data(as_text=True))
    tables = html_tables(html)
    rounds, groups, blocks = tables[1], tables[2], tables[3]
    assert rounds[1] == ["95", "52", "12"]
    assert [row[1:] for row in groups[1:]] == [["32", "07"], ["13", "02"], ["04", "02"], ["02", "00"], ["01", "01"]]
    assert [row[:2] for row in blocks[1:]] == [["Khối Sở, ban, ngành", "05"], ["Cơ quan ngành dọc", "01"],
                                               ["UBND cấp huyện", "03"], ["UBND cấp xã", "02"], ["Đơn vị sự nghiệp", "01"]]
    assert blocks[4][2] == ("UBND phường Ninh Hải (thị xã Ninh Hòa); "
                            "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)")


def test_every_csv_download_offers_both_forms(client, secretary):
    html = unescape(client.get("/secretariat/").get_data(as_text=True))
    assert 'href="/secretariat/2019/appendix.csv"' in html and 'href="/secretariat/2019/appendix.csv?form=plain"' in html
    plain = client.get("/secretariat/2019/appendix.csv?form=plain").data.decode("utf-8-sig").splitlines()
    assert plain[13] == "I,,ĐIỂM TRUNG BÌNH,,7.17,11.68,58.82,77.67,"
    response = client.get("/secretariat/2019/appendix.csv?form=excel")
    assert response.status_code == 400
    assert "Dạng CSV “excel” không được hỗ trợ: chọn vi hoặc plain." in unescape(response.get_data(as_text=True))
