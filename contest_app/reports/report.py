"""The secretariat's documents as ``OfficialDocument`` values: the report on an edition
("Báo cáo kết quả tổ chức cuộc thi…", in the layout and wording of report 2417/BC-SNV),
the province's follow-up letter (like 11254/UBND, "V/v phát huy kết quả cuộc thi") and
the certificates of every prize and side award, per team and per member.

Every figure comes from the results, the counts and the history table passed in; the
narrative blocks are the secretariat's own text (``ReportNarrative``). The documents are
marked "DỰ THẢO" until the result is locked. Nothing here reads the database.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from contest_app.reports.appendix import Appendices, final_round_name
from contest_app.reports.awards import AwardLine
from contest_app.reports.figures import ReportCounts, segment_sentences, total_sentence
from contest_app.formatting import vn_count, vn_date, vn_money, vn_short
from contest_app.services.errors import Conflict
from contest_app.reports.official import (
    Block,
    Certificate,
    CertificateBatch,
    Letterhead,
    OfficialDocument,
    Para,
    Run,
    Signature,
    Table,
    number_line,
    para,
    place_date,
)

PROVINCE = "UBND TỈNH KHÁNH HÒA"
PROVINCE_FULL = ("ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA")
REPORT_SYMBOL = "BC-SNV"
LETTER_SYMBOL = "UBND"
MISSING = "(Ban Thư ký chưa viết nội dung này.)"
HISTORY_HEADER = ("TT", "Vòng loại", "Vòng Sơ khảo", "Vòng Chung khảo", "Cơ cấu giải thưởng Vòng chung khảo")


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report needs, gathered by the caller (a view or a test)."""

    results: Any  # services.final.results.EditionResults
    appendices: Appendices
    counts: ReportCounts
    history: Any  # services.outputs.history.HistoryTable
    narrative: Any  # models.ReportNarrative (saved or defaults)
    awards: Sequence[AwardLine]
    locked: bool


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _lower_first(text: str) -> str:
    """Lower the first letter for use inside a sentence, but never an acronym's (UBND, CCHC)."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def _narrative(text: str | None) -> list[Block]:
    found = _lines(text)
    if not found:
        return [para(MISSING, italic=True)]
    return [para(line, "bullet" if line.startswith(("- ", "+ ")) else "body") for line in found]


def _contest(edition) -> str:
    return f"“{edition.contest_name or edition.title}” {_lower_first(edition.label)}"


def _final_round(edition):
    return next((r for r in edition.rounds if r.kind == "final"), None)


def _body_name(edition) -> str:
    return edition.issuing_body or "Sở Nội vụ"


def _title_run(title: str) -> Run:
    return Run(f"“{title}”", italic=True)


def _prize_paragraph(inputs: ReportInputs) -> Para:
    """"Kết quả chung cuộc, đội thi Sở Nội vụ đạt giải nhất với mô hình, sáng kiến “…”; …"."""
    results = inputs.results
    runs: list[Run] = [Run("Kết quả chung cuộc, ")]
    parts = []
    for tier in results.prize_tiers:
        winners = [r for r in results.rows if r.prize == tier["name"]]
        if not winners:
            continue
        tier_name = tier["name"].lower()
        if len(winners) == 1:
            w = winners[0]
            parts.append([Run(f"đội thi {w.team} đạt {tier_name} với mô hình, sáng kiến "), _title_run(w.entry_title)])
        else:
            part = [Run(f"{vn_count(len(winners))} đội đạt {tier_name} gồm: ")]
            for i, w in enumerate(winners):
                part += [Run(("; " if i else "") + f"đội thi {w.team} với mô hình, sáng kiến "), _title_run(w.entry_title)]
            parts.append(part)
    if not parts:
        return para("Kết quả chung cuộc: chưa xếp giải.")
    for i, part in enumerate(parts):
        if i:
            runs.append(Run("; "))
        runs += part
    runs.append(Run("."))
    return Para(tuple(runs))


def _side_awards_sentence(results) -> str | None:
    decided = [a for a in results.side_awards if a.team]
    if not decided:
        return None
    amounts = {a.amount for a in decided}
    if len(amounts) == 1 and None not in amounts:
        head = (f"Ngoài ra, Ban Tổ chức đã xét, trao {vn_count(len(decided))} giải phụ, "
                f"mỗi giải {vn_money(decided[0].amount)} đồng: ")
        items = [f"{a.name} ({a.team})" for a in decided]
    else:
        head = f"Ngoài ra, Ban Tổ chức đã xét, trao {vn_count(len(decided))} giải phụ: "
        items = [f"{a.name} ({a.team}{', ' + vn_money(a.amount) + ' đồng' if a.amount else ''})" for a in decided]
    return head + "; ".join(items) + "."


def _rounds_blocks(inputs: ReportInputs) -> list[Block]:
    edition, counts = inputs.results.edition, inputs.counts
    out: list[Block] = []
    q, p, f = counts.qualifying, counts.preliminary, counts.final
    if q is not None:
        out.append(para(f"Sau khi phát động cuộc thi, có {vn_count(q)} mô hình, sáng kiến CCHC được công chức, "
                        "viên chức trẻ gửi tham gia Vòng loại do các Sở, ngành, đơn vị, UBND cấp huyện chủ trì tổ chức."))
    groups = [g for g in counts.preliminary_groups]
    if p is not None:
        lead = f"Từ kết quả chấm vòng loại, {vn_count(p)}/{vn_count(q or 0)} mô hình, sáng kiến đã được chọn lựa, " \
               "tiếp tục gửi Ban Tổ chức cuộc thi tỉnh chấm Vòng sơ khảo"
        if groups:
            out.append(para(f"{lead}, với nội dung được phân thành {vn_count(len(groups))} nhóm chủ yếu như sau:"))
            for i, g in enumerate(groups):
                end = "." if i == len(groups) - 1 else ";"
                out.append(para(f"- Nhóm {g.number}. {g.name}: {vn_count(g.count)}{end}", "bullet"))
        else:
            out.append(para(lead + "."))
    if f is not None:
        blocks = [b for b in counts.final_blocks if b.count]
        text = (f"Ban Giám khảo đã chấm thi {vn_count(p or 0)} mô hình, sáng kiến và công bố danh sách "
                f"{vn_count(f)} mô hình đủ điều kiện (có điểm số từ {vn_short(edition.preliminary_cutoff)} điểm "
                "trở lên) tham dự Vòng chung khảo")
        if blocks:
            text += ", trong đó, " + "; ".join(
                f"{_lower_first(b.label)} có {vn_count(b.count)} mô hình ({', '.join(b.names)})" for b in blocks)
        out.append(para(text + "."))
    final_round = _final_round(edition)
    rows = inputs.results.rows
    if final_round is not None and (final_round.held_on or final_round.venue):
        when = f"Ngày {vn_date(final_round.held_on)}, " if final_round.held_on else ""
        where = f" tại {final_round.venue}" if final_round.venue else ""
        lead = f"{when}{final_round.name or 'Vòng chung khảo'} cuộc thi được tổ chức{where}"
        out.append(para(f"{lead[:1].upper()}{lead[1:]}, với {vn_count(len(rows))} mô hình, sáng kiến dự thi."))
    themed = [g for g in counts.final_groups if g.count]
    if themed:
        out.append(para("Các mô hình, sáng kiến vào Vòng chung khảo theo nhóm nội dung: " + "; ".join(
            f"{_lower_first(g.name)} ({vn_count(g.count)} mô hình)" for g in themed) + "."))
    return out


def _history_table(history) -> Table:
    rows = [(r.label, vn_count(r.qualifying), vn_count(r.preliminary), vn_count(r.final), r.prize_structure)
            for r in history.rows]
    t = history.totals
    rows.append(("Tổng cộng", vn_count(t["qualifying"]), vn_count(t["preliminary"]), vn_count(t["final"]), ""))
    return Table(HISTORY_HEADER, tuple(rows), (32, 22, 24, 26, 61), bold_last=True, centre_columns=(1, 2, 3))


def build_report(inputs: ReportInputs) -> OfficialDocument:
    """The report on an edition, with Phụ lục I and II attached."""
    results, n = inputs.results, inputs.narrative
    edition = results.edition
    contest = _contest(edition)
    body_name = _body_name(edition)
    body: list[Block] = [
        para(f"{body_name} kính báo cáo Ủy ban nhân dân tỉnh kết quả tổ chức cuộc thi {contest} như sau:"),
        para(f"I. KẾT QUẢ TỔ CHỨC CUỘC THI {edition.label.upper()}", "heading"),
        para("1. Công tác chỉ đạo, triển khai cuộc thi", "heading"),
        *_narrative(n.direction),
        para("2. Kết quả đạt được", "heading"),
        *_rounds_blocks(inputs),
        para(f"Kết quả chấm thi {_lower_first(final_round_name(edition))} như sau:"),
        *[para(f"- {s}", "bullet") for s in segment_sentences(results)],
    ]
    total = total_sentence(results)
    if total:
        body.append(para(f"- {total}", "bullet"))
    body.append(_prize_paragraph(inputs))
    side = _side_awards_sentence(results)
    if side:
        body.append(para(side))
    body += [
        para(f"(Có Danh sách {vn_count(len(results.rows))} đội thi và mô hình, sáng kiến dự thi vòng chung khảo; "
             "Danh sách các đội đạt giải và Bảng tổng hợp điểm Vòng chung khảo cuộc thi kèm theo các Phụ lục)",
             italic=True),
        para("3. Nhận xét, đánh giá", "heading"),
        *_narrative(n.assessment),
        para("II. TỔNG KẾT, ĐÁNH GIÁ KẾT QUẢ CUỘC THI QUA CÁC LẦN TỔ CHỨC", "heading"),
        para(f"1. Tổng hợp số lượng mô hình, sáng kiến, giải pháp và cơ cấu giải thưởng "
             f"{vn_count(len(inputs.history.rows))} lần tổ chức cuộc thi:", "heading"),
        _history_table(inputs.history),
        para("2. Những kết quả mang lại", "heading"),
        *_narrative(n.went_well),
        para("3. Tồn tại, hạn chế", "heading"),
        *_narrative(n.went_wrong),
        para("III. ĐỀ XUẤT, KIẾN NGHỊ", "heading"),
        *_narrative(n.proposals),
        para(f"Trên đây là báo cáo kết quả tổ chức cuộc thi {contest}."),
        para(f"{body_name} kính báo cáo và xin ý kiến chỉ đạo của Ủy ban nhân dân tỉnh./."),
    ]
    return OfficialDocument(
        letterhead=Letterhead(
            parent=PROVINCE,
            body=body_name.upper(),
            number=number_line(edition.report_number, REPORT_SYMBOL),
            place_date=place_date(edition.report_date, edition.year),
        ),
        kind="BÁO CÁO",
        title=(f"Kết quả tổ chức cuộc thi {contest}",),
        addressees=(),
        addressee="",
        body=tuple(body),
        recipients=tuple(_lines(n.recipients)),
        signature=Signature(tuple(_lines(n.signer_title)), n.signer_name or ""),
        draft=not inputs.locked,
        file_title=f"Báo cáo kết quả cuộc thi {edition.label}",
        appendices=inputs.appendices,
        incomplete=results.completeness.label(),
    )


def _winners_sentence(results) -> str | None:
    parts = []
    for tier in results.prize_tiers:
        teams = [r.team for r in results.rows if r.prize == tier["name"]]
        if teams:
            parts.append(f"{tier['name'].lower()}: " + ", ".join(f"đội thi {t}" for t in teams))
    side = [f"{a.name} ({a.team})" for a in results.side_awards if a.team]
    if side:
        parts.append(f"{vn_count(len(side))} giải phụ: " + ", ".join(side))
    if not parts:
        return None
    return "Kết quả Vòng chung khảo: " + "; ".join(parts) + "."


def build_letter(inputs: ReportInputs) -> OfficialDocument:
    """The province's follow-up letter: requests, the plans' deadline, the winners."""
    results, n = inputs.results, inputs.narrative
    edition = results.edition
    year, label = edition.year, _lower_first(edition.label)
    contest_name = edition.contest_name or edition.title
    report_ref = edition.report_number if edition.report_number and not edition.report_number.startswith("/") \
        else f"{'    '}/{REPORT_SYMBOL}"
    report_when = vn_date(edition.report_date) if edition.report_date else "    "
    deadline = vn_date(edition.plan_deadline) if edition.plan_deadline else "…"
    body: list[Block] = [
        para(f"Qua xem xét Báo cáo số {report_ref} ngày {report_when} của {_body_name(edition)} về kết quả tổ chức "
             f"cuộc thi “{contest_name}” {label}; nhằm phát huy những kết quả tích cực, tiếp tục tạo động lực cải cách "
             "hành chính trong đội ngũ cán bộ, công chức, viên chức các sở, ngành, đơn vị, địa phương, UBND tỉnh yêu cầu:"),
        para("1. Các sở, ngành, đơn vị, địa phương biểu dương những công chức, viên chức trẻ, các cơ quan, đơn vị thuộc "
             f"và trực thuộc có mô hình, sáng kiến CCHC đăng ký dự thi {label}. Ghi nhận và đưa vào chấm điểm kết quả "
             f"CCHC năm {year}."),
    ]
    winners = _winners_sentence(results)
    if winners:
        body.append(para(winners))
    body += [
        para(f"2. Các cơ quan, đơn vị phổ biến kết quả cuộc thi năm {year} đến cán bộ, công chức, viên chức, đoàn viên "
             "thanh niên. Quan tâm, tạo điều kiện để công chức, viên chức trẻ, đoàn viên thanh niên tham gia cải cách "
             "hành chính tại cơ quan, đơn vị, địa phương một cách thiết thực, hiệu quả, phát huy tối đa sự năng động, "
             "sáng tạo trong thực thi công vụ, nhiệm vụ được giao."),
        para("Nghiên cứu, tham khảo các mô hình, sáng kiến của các cơ quan, đơn vị khác (đã đăng trên Cổng Thông tin "
             "CCHC tỉnh) và chỉ đạo triển khai áp dụng nhân rộng, phù hợp với điều kiện thực tế của cơ quan, ngành, "
             "địa phương mình."),
        Para((
            Run("3. Các cơ quan, đơn vị có mô hình, sáng kiến tham dự Vòng chung khảo tiếp tục chỉ đạo hoàn thiện mô "
                "hình, sáng kiến (theo hình thức phương án, đề án, kế hoạch); gửi Sở Nội vụ trước ngày "),
            Run(deadline, bold=True),
            Run(". Các phương án, đề án, kế hoạch phải có đề xuất giải pháp, cách thức thực hiện cụ thể và dự toán kinh "
                "phí bảo đảm triển khai thực hiện."),
        )),
        para("4. Khuyến khích các sở, ngành, UBND các cấp, Tỉnh đoàn nghiên cứu, tham khảo tổ chức cuộc thi về cải cách "
             "hành chính phù hợp với tình hình, điều kiện, đặc thù cơ quan, đơn vị, địa phương mình và đảm bảo an toàn, "
             "tiết kiệm, hiệu quả và đúng quy định hiện hành."),
        para("5. Giao Sở Nội vụ:"),
        para("- Chủ trì, phối hợp các cơ quan, đơn vị thẩm định, báo cáo đề xuất phương án hoàn thiện áp dụng, nhân "
             "rộng các mô hình, sáng kiến mới, đột phá có phạm vi áp dụng trên địa bàn tỉnh.", "bullet"),
        para("- Căn cứ kết quả thẩm định, Sở Nội vụ thống nhất với Sở Tài chính trình UBND tỉnh cấp kinh phí hỗ trợ cho "
             "quá trình hoàn thiện mô hình, sáng kiến của các cơ quan, cá nhân và nhân rộng áp dụng mô hình, sáng kiến "
             "từ ngân sách tỉnh.", "bullet"),
        para("- Từ đánh giá kết quả cuộc thi qua các lần tổ chức, chủ trì, phối hợp các cơ quan, đơn vị liên quan "
             "nghiên cứu, đề xuất cải tiến cách thức, hình thức tổ chức cuộc thi theo hướng hiện đại hơn.", "bullet"),
        para("6. Các sở, ngành, địa phương, các đoàn thể chính trị xã hội, các cơ quan, tổ chức liên quan phối hợp Sở "
             "Nội vụ và các cơ quan chủ trì trong quá trình hoàn thiện, triển khai áp dụng các mô hình, sáng kiến; "
             "tiếp tục khơi dậy và khai thác tiềm năng sáng tạo to lớn của lực lượng công chức, viên chức trẻ tỉnh; "
             "góp phần thực hiện thắng lợi mục tiêu cải cách hành chính của tỉnh."),
        para("UBND tỉnh yêu cầu các sở, ngành, địa phương tổ chức triển khai thực hiện nghiêm túc Công văn này./."),
    ]
    return OfficialDocument(
        letterhead=Letterhead(
            parent="",
            body="\n".join(PROVINCE_FULL),
            number=number_line(n.letter_number, LETTER_SYMBOL),
            place_date=place_date(n.letter_date, edition.report_date.year if edition.report_date else edition.year),
            subject=(f"V/v phát huy kết quả cuộc thi “{contest_name}”",),
        ),
        kind="",
        title=(),
        addressees=tuple(_lines(n.letter_addressees)),
        body=tuple(body),
        recipients=tuple(_lines(n.letter_recipients)),
        signature=Signature(tuple(_lines(n.letter_signer_title)), n.letter_signer_name or ""),
        draft=not inputs.locked,
        file_title=f"Công văn phát huy kết quả cuộc thi {edition.label}",
        incomplete=results.completeness.label(),
    )


def build_certificates(inputs: ReportInputs, people: dict) -> CertificateBatch:
    """One certificate per award and team, and one per member of each awarded team.

    Refused while marks are missing: a prize decided on partial marks can still move, and a
    certificate is handed out and kept, so a "DỰ THẢO" stamp would not stop a wrong one
    from circulating."""
    results, n = inputs.results, inputs.narrative
    if not results.is_complete:
        raise Conflict(
            "Kết quả chưa đủ điểm: chưa thể in giấy chứng nhận. Còn thiếu: " + "; ".join(results.missing) + ".",
            code="results_incomplete",
        )
    edition = results.edition
    final_round = _final_round(edition)
    when: date | None = n.certificate_date or (final_round.held_on if final_round else None)
    contest = (edition.contest_name or edition.title).upper()
    entry_of = {r.team: r.entry_id for r in results.rows}
    signature = Signature(("TM. BAN TỔ CHỨC", "TRƯỞNG BAN"), n.signer_name or "")
    held = f" ngày {vn_date(final_round.held_on)}" if final_round and final_round.held_on else ""
    certificates = []
    for award in inputs.awards:
        who = people.get(entry_of.get(award.team))
        units = who.units if who else (award.unit,)
        prize = (f"Đã đạt {award.award.upper()}" if award.kind == "Giải chính"
                 else f"Đã đạt giải “{award.award}”")
        tail = (
            para(prize, "center", bold=True),
            Para((Run("với mô hình, sáng kiến "), Run(f"“{award.entry_title}”", italic=True)), "center"),
            para(f"tại {final_round_name(edition)} cuộc thi{held}.", "center"),
        )
        recipients = [(f"Đội thi {award.team}", None)]
        recipients += [(name, f"{role} đội thi {award.team}") for name, role in (who.members if who else ())]
        for name, role in recipients:
            lines = [
                para(f"BAN TỔ CHỨC CUỘC THI “{contest}”", "center", bold=True),
                para(edition.label.upper(), "center", bold=True),
                para("CHỨNG NHẬN", "center", italic=True),
                para(name, "recipient", bold=True),
            ]
            if role:
                lines.append(para(role, "center"))
            if len(units) > 1 or role:
                lines.append(para("(" + " - ".join(units) + ")", "center", italic=True))
            certificates.append(Certificate(
                issuer=(PROVINCE, "BAN TỔ CHỨC CUỘC THI"),
                heading="GIẤY CHỨNG NHẬN",
                lines=tuple(lines) + tail,
                place_date=place_date(when, edition.year),
                signature=signature,
                draft=not inputs.locked,
            ))
    return CertificateBatch(f"Giấy chứng nhận {edition.label}", tuple(certificates))
