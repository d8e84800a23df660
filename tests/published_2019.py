"""The published 2019 figures (report 2417/BC-SNV, Phụ lục I and II), typed in by hand
from the seed so that tests compare against the report, not against the demo module."""

# (team, knowledge, situation, presentation, total) in Phụ lục I order
PHU_LUC_I = [
    ("Sở Tài nguyên và Môi trường", "6.00", "10.00", "53.00", "69.00"),
    ("Sở Lao động - Thương binh và Xã hội", "7.00", "12.00", "51.60", "70.60"),
    ("UBND phường Ninh Hải (thị xã Ninh Hòa)", "8.00", "13.00", "63.40", "84.40"),
    ("Sở Thông tin và Truyền thông", "9.50", "14.60", "61.40", "85.50"),
    ("UBND huyện Cam Lâm", "7.50", "12.80", "61.40", "81.70"),
    ("Sở Khoa học và Công nghệ", "4.00", "9.40", "55.80", "69.20"),
    ("UBND thành phố Nha Trang", "8.00", "12.40", "59.60", "80.00"),
    ("UBND huyện Khánh Sơn", "7.50", "11.20", "61.60", "80.30"),
    ("Sở Nội vụ", "8.50", "12.40", "67.60", "88.50"),
    ("Bệnh viện Đa khoa tỉnh Khánh Hòa", "6.00", "9.80", "57.00", "72.80"),
    ("Kho bạc Nhà nước tỉnh", "6.00", "12.20", "54.40", "72.60"),
    ("Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)", "8.00", "10.40", "59.00", "77.40"),
]
AVERAGES = {"knowledge": "7.17", "situation": "11.68", "presentation": "58.82", "total": "77.67"}
RATES = {"knowledge": "71.67", "situation": "77.89", "presentation": "78.42"}

# Phụ lục II
PRIZES = {
    "Sở Nội vụ": "Giải Nhất",
    "Sở Thông tin và Truyền thông": "Giải Nhì",
    "UBND phường Ninh Hải (thị xã Ninh Hòa)": "Giải Ba",
    "UBND huyện Cam Lâm": "Giải Ba",
    "UBND huyện Khánh Sơn": "Giải Khuyến khích",
    "UBND thành phố Nha Trang": "Giải Khuyến khích",
    "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)": "Giải Khuyến khích",
}

# Section I.2
SIDE_AWARDS = {
    "Trình chiếu đẹp mắt": "Sở Lao động - Thương binh và Xã hội",
    "Xử lý tình huống tinh tế": "Kho bạc Nhà nước tỉnh",
    "Tự giới thiệu gắn với mô hình, sáng kiến": "Sở Tài nguyên và Môi trường",
    "Phản biện sắc sảo": "Sở Khoa học và Công nghệ",
    "Sáng kiến có tính nhân văn": "Bệnh viện Đa khoa tỉnh Khánh Hòa",
}

BEST = {
    "knowledge": (["Sở Thông tin và Truyền thông"], "9.50"),
    "situation": (["Sở Thông tin và Truyền thông"], "14.60"),
    "presentation": (["Sở Nội vụ"], "67.60"),
}


def assert_matches_published(data: dict) -> None:
    """Assert that a results dict reproduces Phụ lục I and II figure for figure."""
    by_team = {row["team"]: row for row in data["rows"]}
    assert len(data["rows"]) == 12
    for team, k, s, p, total in PHU_LUC_I:
        row = by_team[team]
        assert row["scores"] == {"knowledge": k, "situation": s, "presentation": p}, team
        assert row["total"] == total, team
    assert data["averages"] == AVERAGES
    assert data["rates_of_max"] == RATES
    assert {row["team"]: row["prize"] for row in data["rows"] if row["prize"]} == PRIZES
    assert {a["name"]: a["team"] for a in data["side_awards"]} == SIDE_AWARDS
    assert [row["rank"] for row in data["rows"]] == list(range(1, 13))
    assert not any(row["tied"] for row in data["rows"])
    assert data["unresolved_ties"] == []
    assert {k: (v["teams"], v["score"]) for k, v in data["best"].items()} == BEST
