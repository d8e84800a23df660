"""End to end in a real headless Chromium: a focal point signs in, registers an entry with
a PDF dossier, and sees it listed. The app runs in a thread (werkzeug) on a free port."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from contest_app.extensions import db
from contest_app.models import Entry
from tests.conftest import build_app
from tests.e2e.conftest import free_port
from tests.services.rounds_helpers import tiny_pdf
from tests.views.rounds_setup import PASSWORD, build_world


@pytest.fixture
def rounds_server(tmp_path):
    """The app on a SQLite file with two units and their focal points, served in a thread."""
    app = build_app(f"sqlite:///{tmp_path / 'e2e.sqlite'}", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        db.create_all()
        world = build_world()
        edition_id = world.edition.id
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{port}", edition_id
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.e2e
def test_focal_point_registers_entry_with_dossier(rounds_server, browser, tmp_path):
    app, base, edition_id = rounds_server
    pdf = tmp_path / "de-cuong.pdf"
    pdf.write_bytes(tiny_pdf())
    page = browser.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/auth/login?next=/unit/")
        page.fill("#username", "daumoi_a")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/unit/editions/{edition_id}")
        page.click("text=Đăng ký mô hình, sáng kiến")
        page.fill("#title", "Tra cứu hồ sơ công chức bằng mã QR")
        page.fill("#summary", "Mỗi hồ sơ có một mã QR để tra cứu nhanh.")
        page.select_option("#group", "5")
        page.set_input_files("#dossier", str(pdf))
        page.click("button:has-text('Đăng ký')")
        page.wait_for_url(f"{base}/unit/editions/{edition_id}")
        assert "Đã đăng ký mô hình, sáng kiến “Tra cứu hồ sơ công chức bằng mã QR”." in page.inner_text("main")
        rows = page.inner_text("#entries")
        assert "Tra cứu hồ sơ công chức bằng mã QR" in rows and "de-cuong.pdf" in rows
        assert "Khu dân cư điện tử" in rows and "Bệnh án điện tử" not in rows
    finally:
        page.close()
    with app.app_context():
        entry = db.session.scalar(select(Entry).where(Entry.title == "Tra cứu hồ sơ công chức bằng mã QR"))
        assert entry.thematic_group.number == 5 and entry.dossier_name == "de-cuong.pdf"
        stored = tmp_path / "uploads" / entry.dossier_path
        assert stored.read_bytes() == pdf.read_bytes() and stored.name != "de-cuong.pdf"
