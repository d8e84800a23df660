from html import unescape


def test_home_lists_editions(client, demo):
    html = client.get("/").get_data(as_text=True)
    for title in ("Lần thứ 1 - năm 2013", "Lần thứ 2 - năm 2015", "Lần thứ 3 - năm 2017", "Lần thứ 4 - năm 2019"):
        assert title in html
    assert 'href="/editions/2019/results"' in html


def test_home_without_editions_says_how_to_load_demo(client):
    html = client.get("/").get_data(as_text=True)
    assert "Chưa có kỳ thi nào." in html


def test_results_page_by_year_and_by_id(client, demo):
    by_year = client.get("/editions/2019/results")
    assert by_year.status_code == 200
    html = unescape(by_year.get_data(as_text=True))
    assert "Kết quả vòng chung khảo · Lần thứ 4 - năm 2019" in html
    assert "Sở Nội vụ" in html and "88,50" in html and "Giải Nhất" in html
    for figure in ("7,17", "11,68", "58,82", "77,67", "71,67%", "77,89%", "78,42%"):
        assert figure in html
    assert "Xử lý tình huống tinh tế" in html and "1.000.000" in html
    by_id = client.get(f"/editions/{demo.id}/results")
    assert by_id.status_code == 200
    assert "88,50" in by_id.get_data(as_text=True)


def test_results_page_unknown_edition_is_404_in_vietnamese(client):
    response = client.get("/editions/2031/results")
    assert response.status_code == 404
    assert "Không tìm thấy kỳ thi “2031”." in unescape(response.get_data(as_text=True))


def test_figures_only_edition_says_so(client, demo):
    html = client.get("/editions/2013/results").get_data(as_text=True)
    assert "Kỳ thi này chỉ có số liệu tổng hợp" in html


def test_login_and_logout(client, make_user, login):
    make_user("bantochuc", "organiser", display_name="Nguyễn Văn A")
    response = login("bantochuc", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    response = login("bantochuc")
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn A · Ban Tổ chức" in html


def test_login_without_csrf_is_refused(client, make_user):
    make_user("bantochuc", "organiser")
    response = client.post("/auth/login", data={"username": "bantochuc", "password": "mat-khau-123"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF)." in response.get_data(as_text=True)
    assert "Đăng xuất" not in client.get("/").get_data(as_text=True)


def test_pages_send_a_content_security_policy(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
