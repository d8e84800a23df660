"""Near-duplicate ideas: Vietnamese folding, word order, and the organisers' review."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, DuplicateReview
from contest_app.services.rounds import registration, similarity
from contest_app.services.demo import ensure_units
from tests.services.rounds_helpers import new_edition


def test_fold_strips_diacritics_and_d_bar():
    assert similarity.fold("Đơn giản hóa THỦ TỤC đăng ký") == "don gian hoa thu tuc dang ky"
    assert similarity.tokens("Ứng dụng QR code trong quản lý Giấy phép") == [
        "ung", "dung", "qr", "code", "quan", "ly", "giay", "phep"]


def test_same_text_without_diacritics_is_100_percent():
    assert similarity.text_similarity("Ứng dụng QR code trong quản lý giấy phép xây dựng",
                                      "ung dung qr code trong quan ly giay phep xay dung") == Decimal("100.0")


def test_word_order_matters_little_and_unrelated_is_low():
    moved = similarity.text_similarity("Ứng dụng QR code trong quản lý giấy phép xây dựng",
                                       "Quản lý giấy phép xây dựng bằng ứng dụng QR code")
    unrelated = similarity.text_similarity("Ứng dụng QR code trong quản lý giấy phép xây dựng",
                                           "Đơn nguyên điều trị trong ngày tại bệnh viện")
    assert moved == Decimal("89.7")
    assert unrelated == Decimal("0.0")


def test_similar_entries_across_editions_and_review(any_app):
    units = ensure_units()
    old = new_edition(year=2019, number=4)
    new = new_edition(year=2021, number=5)
    past = registration.create_entry(edition=old, unit=units["UBND huyện Cam Lâm"], group=1,
                                     title="Ứng dụng QR code trong quản lý Giấy phép xây dựng tại huyện Cam Lâm")
    a = registration.create_entry(edition=new, unit=units["UBND thành phố Cam Ranh"], group=1,
                                  title="Ung dung ma QR code quan ly giay phep xay dung tai thanh pho Cam Ranh")
    b = registration.create_entry(edition=new, unit=units["Sở Y tế"], group=3,
                                  title="Đơn nguyên điều trị trong ngày")
    c = registration.create_entry(edition=new, unit=units["Sở Xây dựng"], group=1,
                                  title="Quản lý giấy phép xây dựng bằng mã QR")
    db.session.commit()
    found = similarity.similar_entries(edition=new)
    assert [(m.other.id, m.similarity) for m in found[a.id]] == [(c.id, Decimal("69.1")), (past.id, Decimal("66.0"))]
    assert found[b.id] == []
    assert found[a.id][0].same_edition and not found[a.id][1].same_edition
    pairs = similarity.similar_pairs(edition=new)
    assert [(m.entry.id, m.other.id, m.similarity) for m in pairs] == [
        (a.id, c.id, Decimal("69.1")), (a.id, past.id, Decimal("66.0")), (c.id, past.id, Decimal("60.2"))]
    # Nothing from a later edition is offered for the earlier one.
    assert similarity.similar_entries(edition=old)[past.id] == []

    from contest_app.models import User

    organiser = User(username="btc", role="organiser", password_hash="x")
    db.session.add(organiser)
    db.session.flush()
    review = similarity.mark_reviewed(entry_a=c, entry_b=a, note="Khác địa bàn, giữ cả hai", actor=organiser)
    db.session.commit()
    assert (review.entry_low_id, review.entry_high_id, review.similarity) == (a.id, c.id, Decimal("69.1"))
    pairs = similarity.similar_pairs(edition=new)
    assert pairs[0].review is not None and pairs[0].review.note == "Khác địa bàn, giữ cả hai"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "similarity.review"))
    assert event.object_id == f"{a.id}-{c.id}" and event.after == {"similarity": "69.1", "note": "Khác địa bàn, giữ cả hai"}
    assert db.session.scalar(select(DuplicateReview.reviewed_by)) == "btc (organiser)"
