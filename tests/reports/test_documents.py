"""The report, the follow-up letter and the certificates, read back from the files
(python-docx, pypdf): layout of Decree 30/2020 and every figure of report 2417/BC-SNV."""
from __future__ import annotations

import io
import re

import pypdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from contest_app.extensions import db
from contest_app.models import TeamMember
from contest_app.services.final.lock import lock_final
from tests.reports.expected import squash

MM = 72 / 25.4  # PDF points per millimetre

REPORT_FIGURES = [
    "có 95 mô hình, sáng kiến CCHC được công chức, viên chức trẻ gửi tham gia Vòng loại",
    "Từ kết quả chấm vòng loại, 52/95 mô hình, sáng kiến đã được chọn lựa",
    "với nội dung được phân thành 05 nhóm chủ yếu như sau:",
    "- Nhóm 1. Các giải pháp, sáng kiến ứng dụng công nghệ thông tin vào quản lý công việc, giải quyết thủ tục "
    "hành chính và cung ứng dịch vụ công: 32;",
    "tạo điều kiện thuận lợi cho người dân, tổ chức, doanh nghiệp: 13;",
    "nhà nước và các đơn vị sự nghiệp công lập: 04;",
    "- Nhóm 4. Tài chính công: 02;",
    "- Nhóm 5. Xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức: 01.",
    "công bố danh sách 12 mô hình đủ điều kiện (có điểm số từ 75 điểm trở lên) tham dự Vòng chung khảo, trong đó, "
    "khối Sở, ban, ngành có 05 mô hình (Sở Tài nguyên và Môi trường, Sở Lao động - Thương binh và Xã hội, "
    "Sở Thông tin và Truyền thông, Sở Khoa học và Công nghệ, Sở Nội vụ); cơ quan ngành dọc có 01 mô hình "
    "(Kho bạc Nhà nước tỉnh); UBND cấp huyện có 03 mô hình (UBND huyện Cam Lâm, UBND thành phố Nha Trang, "
    "UBND huyện Khánh Sơn); UBND cấp xã có 02 mô hình (UBND phường Ninh Hải (thị xã Ninh Hòa), Liên quân UBND "
    "các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)); đơn vị sự nghiệp có 01 mô hình "
    "(Bệnh viện Đa khoa tỉnh Khánh Hòa).",
    "Ngày 04/10/2019, Vòng chung khảo cuộc thi được tổ chức tại Hội trường Thành ủy Nha Trang, "
    "với 12 mô hình, sáng kiến dự thi.",
    "điểm trung bình đạt được của 12 đội là 7,17đ (tỷ lệ 71,67% so với mức tối đa). "
    "Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (9,5đ).",
    "điểm trung bình đạt được của 12 đội là 11,68đ (tỷ lệ 77,89% so với mức tối đa). "
    "Đội thi Sở Thông tin và Truyền thông đạt điểm cao nhất (14,6đ).",
    "điểm trung bình đạt được của 12 đội là 58,82đ (tỷ lệ 78,42% so với mức tối đa). "
    "Đội thi Sở Nội vụ đạt điểm cao nhất (67,6đ).",
    "điểm trung bình đạt được của 12 đội là 77,67đ (tỷ lệ 77,67% so với mức tối đa 100đ).",
    "Kết quả chung cuộc, đội thi Sở Nội vụ đạt giải nhất với mô hình, sáng kiến “Tổ chức cơ sở dữ liệu tổng hợp",
    "02 đội đạt giải ba gồm: đội thi UBND phường Ninh Hải (thị xã Ninh Hòa)",
    "03 đội đạt giải khuyến khích gồm: đội thi UBND huyện Khánh Sơn",
    "Ngoài ra, Ban Tổ chức đã xét, trao 05 giải phụ, mỗi giải 1.000.000 đồng: Trình chiếu đẹp mắt (Sở Lao động - "
    "Thương binh và Xã hội); Xử lý tình huống tinh tế (Kho bạc Nhà nước tỉnh); Tự giới thiệu gắn với mô hình, sáng "
    "kiến (Sở Tài nguyên và Môi trường); Phản biện sắc sảo (Sở Khoa học và Công nghệ); Sáng kiến có tính nhân văn "
    "(Bệnh viện Đa khoa tỉnh Khánh Hòa).",
    "Cuộc thi năm 2019 ghi nhận có thêm nhiều mô hình, sáng kiến đột phá",
]
HISTORY_ROWS = [
    ["TT", "Vòng loại", "Vòng Sơ khảo", "Vòng Chung khảo", "Cơ cấu giải thưởng Vòng chung khảo"],
    ["Lần 1 - năm 2013", "41", "23", "09", "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"],
    ["Lần 2 - năm 2015", "43", "31", "09", "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"],
    ["Lần 3 - năm 2017", "83", "52", "14", "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"],
    ["Lần 4 - năm 2019", "95", "52", "12", "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"],
    ["Tổng cộng", "262", "158", "44", ""],
]


@pytest.fixture
def secretary(demo, make_user, login):
    make_user("thuky", "secretariat", display_name="Trần Thư Ký")
    login("thuky")
    return demo


def _docx(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return Document(io.BytesIO(response.data))


def _pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.data))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _cell_texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _header_fields(section) -> list[str]:
    return [t.text.strip() for t in section.header._element.iter(qn("w:instrText"))]


def _assert_decree_page(section, *, landscape: bool = False) -> None:
    size = (round(section.page_width.mm), round(section.page_height.mm))
    assert size == ((297, 210) if landscape else (210, 297))
    margins = [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)]
    assert margins == [20.0, 20.0, 30.0, 15.0]


def _fonts(doc) -> set[tuple[str, float]]:
    """Every run's (font, size) in the body, tables included."""
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    return {(r.font.name, r.font.size.pt if r.font.size else None) for r in runs if r.text.strip()}


def test_report_docx_has_the_decree_layout_and_every_figure(client, secretary):
    doc = _docx(client, "/secretariat/2019/report.docx")
    # Sections: the report, then Phụ lục I (landscape) and Phụ lục II, each numbered again from 1.
    report, one, two = doc.sections
    _assert_decree_page(report)
    _assert_decree_page(one, landscape=True)
    _assert_decree_page(two)
    for section in (report, one, two):
        assert section.different_first_page_header_footer is True
        assert _header_fields(section) == ["PAGE"]
        assert section.header.paragraphs[0].alignment == 1  # centred
        assert section.first_page_header.paragraphs[0].text == ""
    starts = [s._sectPr.find(qn("w:pgNumType")) for s in (report, one, two)]
    assert starts[0] is None and [s.get(qn("w:start")) for s in starts[1:]] == ["1", "1"]
    # Times New Roman only; body 14, tables 13, "Nơi nhận" 12 and its list 11, the fingerprint 11.
    fonts = _fonts(doc)
    assert {name for name, _size in fonts} == {"Times New Roman"}
    assert {size for _name, size in fonts} == {11.0, 12.0, 13.0, 14.0}
    body = [p for p in doc.paragraphs if p.paragraph_format.first_line_indent is not None
            and round(p.paragraph_format.first_line_indent.mm) == 10]
    assert body and {r.font.size for p in body for r in p.runs} == {Pt(14)}
    # The letterhead, the number and date, the kind and subject.
    head = _cell_texts(doc.tables[0])
    assert head[0][0].split("\n")[:2] == ["UBND TỈNH KHÁNH HÒA", "SỞ NỘI VỤ"]
    assert head[0][1].split("\n")[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert head[1] == ["Số: 2417/BC-SNV", "Khánh Hòa, ngày 29 tháng 10 năm 2019"]
    texts = _texts(doc)
    assert texts[0] == "DỰ THẢO"
    i = texts.index("BÁO CÁO")
    assert texts[i + 1] == ("Kết quả tổ chức cuộc thi “Mô hình, sáng kiến cải cách hành chính của công chức, "
                            "viên chức trẻ” lần thứ 4 - năm 2019")
    joined = "\n".join(texts)
    for figure in REPORT_FIGURES:
        assert figure in joined, figure
    for heading in ("I. KẾT QUẢ TỔ CHỨC CUỘC THI LẦN THỨ 4 - NĂM 2019", "3. Nhận xét, đánh giá", "3. Tồn tại, hạn chế",
                    "II. TỔNG KẾT, ĐÁNH GIÁ KẾT QUẢ CUỘC THI QUA CÁC LẦN TỔ CHỨC", "III. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in texts
    assert _cell_texts(doc.tables[1]) == HISTORY_ROWS
    closing = _cell_texts(doc.tables[2])[0]
    assert closing[0].startswith("Nơi nhận:\n- Như trên (VBĐT);") and closing[0].endswith("- Lưu: VT, CCHC.")
    assert closing[1].split("\n")[0] == "GIÁM ĐỐC" and closing[1].split("\n")[-1] == "Trần Thu Mai"
    # Phụ lục I and II follow, with the average row 7,17 / 11,68 / 58,82 / 77,67.
    assert _cell_texts(doc.tables[3])[-1][3:] == ["7,17", "11,68", "58,82", "77,67"]
    assert "Phụ lục II" in texts


def test_report_pdf_margins_page_numbers_and_figures(client, secretary):
    reader = _pdf(client, "/secretariat/2019/report.pdf")
    pages = [p.extract_text() for p in reader.pages]
    text = squash(" ".join(pages))
    for figure in ("95 mô hình, sáng kiến CCHC", "52/95", ": 32;", ": 13;", ": 04;", ": 02;", ": 01.",
                   "7,17đ (tỷ lệ 71,67%", "11,68đ (tỷ lệ 77,89%", "58,82đ (tỷ lệ 78,42%", "77,67đ",
                   "05 mô hình", "mỗi giải 1.000.000 đồng", "Trần Thu Mai", "DỰ THẢO"):
        assert figure in text, figure
    # Page numbers: none on page 1; "2", "3" … at the top of the next pages; Phụ lục I and II number again from 1.
    appendix_one = next(i for i, p in enumerate(pages) if p.lstrip().startswith("Phụ lục I\n")
                        or p.lstrip().startswith("Phụ lục I "))
    assert not re.match(r"\s*\d+\s", pages[0])
    for n, page in enumerate(pages[1:appendix_one], start=2):
        assert page.lstrip().startswith(f"{n}\n") or page.lstrip().startswith(f"{n} "), (n, page[:30])
    assert not re.match(r"\s*\d+\s", pages[appendix_one])
    assert "TÊN ĐỘI THI" in pages[appendix_one] and "7,17" in " ".join(pages[appendix_one:])
    # Phụ lục I is landscape, the report A4 portrait; text sits inside the 30 / 15 mm side margins.
    first = reader.pages[0].mediabox
    assert (round(float(first.width) / MM), round(float(first.height) / MM)) == (210, 297)
    box = reader.pages[appendix_one].mediabox
    assert float(box.width) > float(box.height)
    xs = []
    reader.pages[0].extract_text(visitor_text=lambda t, cm, tm, fd, fs: xs.append(tm[4]) if t.strip() else None)
    assert min(xs) >= 30 * MM - 0.5


def test_locked_result_drops_the_draft_mark(client, secretary):
    lock_final(edition=secretary, actor="thuky")
    db.session.commit()
    doc = _docx(client, "/secretariat/2019/report.docx")
    assert "DỰ THẢO" not in "\n".join(_texts(doc))
    assert "DỰ THẢO" not in squash(_pdf(client, "/secretariat/2019/letter.pdf").pages[0].extract_text())


def test_blank_number_and_date_are_left_for_the_clerk(client, secretary):
    secretary.report_number = "/BC-SNV"
    secretary.report_date = None
    db.session.commit()
    doc = _docx(client, "/secretariat/2019/report.docx")
    assert _cell_texts(doc.tables[0])[1] == ["Số:        /BC-SNV", "Khánh Hòa, ngày        tháng        năm 2019"]


def test_letter_in_the_format_of_11254_ubnd(client, secretary):
    doc = _docx(client, "/secretariat/2019/letter.docx")
    _assert_decree_page(doc.sections[0])
    assert _header_fields(doc.sections[0]) == ["PAGE"]
    head = _cell_texts(doc.tables[0])
    assert head[0][0].split("\n")[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA"]
    assert head[1][0].split("\n") == ["Số: 11254/UBND", "V/v phát huy kết quả cuộc thi “Mô hình, sáng kiến cải "
                                      "cách hành chính của công chức, viên chức trẻ”"]
    assert head[1][1] == "Khánh Hòa, ngày 12 tháng 11 năm 2019"
    texts = _texts(doc)
    k = texts.index("Kính gửi:")
    assert texts[k + 1:k + 5] == ["- Các sở, ban, ngành thuộc tỉnh;", "- Các cơ quan ngành dọc cấp tỉnh;",
                                  "- Các đơn vị sự nghiệp trực thuộc tỉnh;", "- UBND các huyện, thị xã, thành phố."]
    joined = "\n".join(texts)
    assert "Qua xem xét Báo cáo số 2417/BC-SNV ngày 29/10/2019 của Sở Nội vụ" in joined
    assert ("Kết quả Vòng chung khảo: giải nhất: đội thi Sở Nội vụ; giải nhì: đội thi Sở Thông tin và Truyền thông; "
            "giải ba: đội thi UBND phường Ninh Hải (thị xã Ninh Hòa), đội thi UBND huyện Cam Lâm;") in joined
    point3 = next(p for p in doc.paragraphs if p.text.startswith("3. "))
    assert "gửi Sở Nội vụ trước ngày 31/01/2020." in point3.text
    assert [r.text for r in point3.runs if r.bold] == ["31/01/2020"]
    closing = _cell_texts(doc.tables[1])[0]
    assert closing[1].split("\n")[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert closing[1].split("\n")[-1] == "Nguyễn Đắc Tài"
    pdf_text = squash(" ".join(p.extract_text() for p in _pdf(client, "/secretariat/2019/letter.pdf").pages))
    assert "trước ngày 31/01/2020" in pdf_text and "V/v phát huy kết quả cuộc thi" in pdf_text


def test_certificates_for_every_award_per_team_and_member_in_one_file(client, secretary):
    from contest_app.models import Team

    team = db.session.query(Team).filter_by(edition_id=secretary.id, name="Sở Nội vụ").one()
    team.members.append(TeamMember(full_name="Nguyễn Văn An", role="Đội trưởng"))
    team.members.append(TeamMember(full_name="Lê Thị Bình", role="Thành viên"))
    db.session.commit()
    reader = _pdf(client, "/secretariat/2019/certificates.pdf")
    # 7 prizes + 5 side awards, one per team, and one per member of Sở Nội vụ (2).
    assert len(reader.pages) == 12 + 2
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    texts = [squash(p.extract_text()) for p in reader.pages]
    assert "GIẤY CHỨNG NHẬN" in texts[0] and "Đội thi Sở Nội vụ" in texts[0] and "Đã đạt GIẢI NHẤT" in texts[0]
    assert "LẦN THỨ 4 - NĂM 2019" in texts[0] and "Khánh Hòa, ngày 04 tháng 10 năm 2019" in texts[0]
    assert "Nguyễn Văn An" in texts[1] and "Đội trưởng đội thi Sở Nội vụ" in texts[1]
    assert "Lê Thị Bình" in texts[2]
    joint = next(t for t in texts if "Liên quân" in t)
    assert ("(UBND xã Diên Lâm (huyện Diên Khánh) - UBND xã Diên Thọ (huyện Diên Khánh) - "
            "UBND xã Diên An (huyện Diên Khánh))") in joint
    assert any("Đã đạt giải “Trình chiếu đẹp mắt”" in t for t in texts)
    doc = _docx(client, "/secretariat/2019/certificates.docx")
    assert len(doc.sections) == 14
    for section in doc.sections:
        _assert_decree_page(section, landscape=True)
    assert sum(p.text == "GIẤY CHỨNG NHẬN" for p in doc.paragraphs) == 14
    assert {name for name, _size in _fonts(doc)} == {"Times New Roman"}


def test_unknown_document_format_is_not_found_in_vietnamese(client, secretary):
    response = client.get("/secretariat/2019/report.odt")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_a_new_edition_without_results_gets_a_draft_with_blanks(client, secretary):
    from tests.services.rounds_helpers import new_edition

    new_edition(2027, 8)
    db.session.commit()
    doc = _docx(client, "/secretariat/2027/report.docx")
    assert _cell_texts(doc.tables[0])[1] == ["Số:        /BC-SNV", "Khánh Hòa, ngày        tháng        năm 2027"]
    texts = _texts(doc)
    assert "Kết quả chung cuộc: chưa xếp giải." in texts
    assert texts[texts.index("3. Nhận xét, đánh giá") + 1] == "(Ban Thư ký chưa viết nội dung này.)"
    assert len(_pdf(client, "/secretariat/2027/letter.pdf").pages) >= 1
    response = client.get("/secretariat/2027/certificates.pdf")
    assert response.status_code == 409
    assert "Chưa có giải nào được trao: chưa thể in giấy chứng nhận." in response.get_data(as_text=True)
    for fmt in ("docx", "xlsx", "pdf", "csv"):
        assert client.get(f"/secretariat/2027/appendix.{fmt}").status_code == 200, fmt
