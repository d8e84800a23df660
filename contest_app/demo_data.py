"""The 2019 edition as published in report 2417/BC-SNV (seed 000) and the units of
report 341/BC-SNV, Bảng 4 (seed 001). Data only; ``services/demo.py`` loads it.

Team names and initiative titles are spelled exactly as Phụ lục I spells them.
The thematic group of each finalist is not printed in the report; the assignment
below is ours, chosen so that the counts match section I.2 of the report
(07 / 02 / 02 / 01 across the groups named there).
"""
from __future__ import annotations

from contest_app.enums import Block

CONTEST_NAME = "Mô hình, sáng kiến cải cách hành chính của công chức, viên chức trẻ"

#: Report 341/BC-SNV, Bảng 4, sections I–IV, plus the finalists' communes and hospital.
UNITS: list[tuple[str, Block]] = [
    ("Sở Lao động - Thương binh và Xã hội", Block.DEPARTMENT),
    ("Sở Thông tin và Truyền thông", Block.DEPARTMENT),
    ("Thanh tra tỉnh", Block.DEPARTMENT),
    ("Sở Khoa học và Công nghệ", Block.DEPARTMENT),
    ("Sở Ngoại vụ", Block.DEPARTMENT),
    ("Văn phòng UBND tỉnh", Block.DEPARTMENT),
    ("Sở Tài chính", Block.DEPARTMENT),
    ("Ban Dân tộc", Block.DEPARTMENT),
    ("Sở Công Thương", Block.DEPARTMENT),
    ("Ban Quản lý Khu kinh tế Vân Phong", Block.DEPARTMENT),
    ("Sở Nội vụ", Block.DEPARTMENT),
    ("Sở Y tế", Block.DEPARTMENT),
    ("Sở Giáo dục và Đào tạo", Block.DEPARTMENT),
    ("Sở Du lịch", Block.DEPARTMENT),
    ("Sở Nông nghiệp và Phát triển nông thôn", Block.DEPARTMENT),
    ("Sở Giao thông vận tải", Block.DEPARTMENT),
    ("Sở Tư pháp", Block.DEPARTMENT),
    ("Sở Kế hoạch và Đầu tư", Block.DEPARTMENT),
    ("Sở Xây dựng", Block.DEPARTMENT),
    ("Sở Văn hóa và Thể thao", Block.DEPARTMENT),
    ("Sở Tài nguyên và Môi trường", Block.DEPARTMENT),
    ("Ngân hàng Nhà nước tỉnh", Block.VERTICAL),
    ("Cục Thuế tỉnh", Block.VERTICAL),
    ("Bảo hiểm xã hội tỉnh", Block.VERTICAL),
    ("Kho bạc Nhà nước tỉnh", Block.VERTICAL),
    ("Cục Hải quan tỉnh", Block.VERTICAL),
    ("Công an tỉnh", Block.VERTICAL),
    ("UBND huyện Khánh Vĩnh", Block.DISTRICT),
    ("UBND huyện Khánh Sơn", Block.DISTRICT),
    ("UBND thị xã Ninh Hòa", Block.DISTRICT),
    ("UBND huyện Cam Lâm", Block.DISTRICT),
    ("UBND thành phố Nha Trang", Block.DISTRICT),
    ("UBND huyện Vạn Ninh", Block.DISTRICT),
    ("UBND huyện Diên Khánh", Block.DISTRICT),
    ("UBND thành phố Cam Ranh", Block.DISTRICT),
    ("Ban Quản lý dự án phát triển tỉnh Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Ban Quản lý dự án đầu tư xây dựng các công trình Giao thông tỉnh Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Ban Quản lý dự án đầu tư xây dựng các công trình Dân dụng và Công nghiệp tỉnh Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Trường Cao đẳng Kỹ thuật Công nghệ Nha Trang", Block.PUBLIC_SERVICE),
    ("Đài Phát thanh - Truyền hình Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Trường Đại học Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Ban Quản lý Khu du lịch Bán đảo Cam Ranh", Block.PUBLIC_SERVICE),
    ("Ban Quản lý dự án đầu tư xây dựng các công trình Nông nghiệp và Phát triển nông thôn tỉnh Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Trường Cao đẳng Y tế Khánh Hòa", Block.PUBLIC_SERVICE),
    ("Bệnh viện Đa khoa tỉnh Khánh Hòa", Block.PUBLIC_SERVICE),
    ("UBND phường Ninh Hải (thị xã Ninh Hòa)", Block.COMMUNE),
    ("UBND xã Diên Lâm (huyện Diên Khánh)", Block.COMMUNE),
    ("UBND xã Diên Thọ (huyện Diên Khánh)", Block.COMMUNE),
    ("UBND xã Diên An (huyện Diên Khánh)", Block.COMMUNE),
]

#: Report 2417/BC-SNV, section I.2.
THEMATIC_GROUPS: list[tuple[int, str]] = [
    (1, "Các giải pháp, sáng kiến ứng dụng công nghệ thông tin vào quản lý công việc, giải quyết thủ tục hành chính và cung ứng dịch vụ công"),
    (2, "Cải tiến quy trình công việc, thủ tục hành chính, thực hiện cơ chế một cửa, một cửa liên thông, tạo điều kiện thuận lợi cho người dân, tổ chức, doanh nghiệp"),
    (3, "Nâng cao mức độ hài lòng của tổ chức, cá nhân đối với sự phục vụ của cơ quan hành chính nhà nước và các đơn vị sự nghiệp công lập"),
    (4, "Tài chính công"),
    (5, "Xây dựng, nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"),
]

#: (key, name, short name, maximum, mark step); report 2417/BC-SNV, section I.2 and Phụ lục I.
SEGMENTS = [
    ("knowledge", "Kiến thức CCHC", "Kiến thức CCHC", "10", "0.1"),
    ("situation", "Xử lý tình huống", "Xử lý tình huống", "15", "0.1"),
    ("presentation", "Thuyết trình, bảo vệ mô hình, sáng kiến", "Thuyết trình, bảo vệ MHSK", "75", "0.1"),
]

PRIZE_TIERS_2019 = [("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 2), ("Giải Khuyến khích", 3)]
PRIZE_TIERS_2013 = [("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 1), ("Giải Khuyến khích", 6)]

#: Phụ lục I, in its order (TT 1..12): unit, team name, initiative title, group,
#: knowledge, situation, presentation, published total.
FINALISTS_2019 = [
    ("Sở Tài nguyên và Môi trường", "Sở Tài nguyên và Môi trường",
     "Giải pháp xây dựng phần mềm hỗ trợ kiểm tra cập nhật cơ sở dữ liệu địa chính thường xuyên và kết nối tra cứu thông tin",
     1, "6.00", "10.00", "53.00", "69.00"),
    ("Sở Lao động - Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội",
     "Xây dựng, quản lý, vận hành cơ sở dữ liệu thông tin thị trường lao động",
     1, "7.00", "12.00", "51.60", "70.60"),
    ("UBND phường Ninh Hải (thị xã Ninh Hòa)", "UBND phường Ninh Hải (thị xã Ninh Hòa)",
     "Tăng cường mức độ hài lòng đối với công việc của cán bộ, công chức cấp xã nhằm nâng cao mức độ hài lòng của tổ chức, cá nhân đối với sự phục vụ của cơ quan hành chính nhà nước (cấp xã)",
     5, "8.00", "13.00", "63.40", "84.40"),
    ("Sở Thông tin và Truyền thông", "Sở Thông tin và Truyền thông",
     "Hệ thống tiếp nhận, xử lý và trả lời phản ánh, kiến nghị của người dân, tổ chức, doanh nghiệp tỉnh Khánh Hòa",
     1, "9.50", "14.60", "61.40", "85.50"),
    ("UBND huyện Cam Lâm", "UBND huyện Cam Lâm",
     "Ứng dụng QR code trong quản lý Giấy phép xây dựng tại huyện Cam Lâm",
     1, "7.50", "12.80", "61.40", "81.70"),
    ("Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ",
     "Tích hợp khảo sát mức độ hài lòng và tổng hợp sự hài lòng của khách hàng vào phần mềm dịch vụ hành chính công trực tuyến",
     3, "4.00", "9.40", "55.80", "69.20"),
    ("UBND thành phố Nha Trang", "UBND thành phố Nha Trang",
     "Phần mềm hỗ trợ tổng hợp số liệu giải quyết thủ tục hành chính trên Phần mềm một cửa điện tử giải pháp kiến trúc mới",
     1, "8.00", "12.40", "59.60", "80.00"),
    ("UBND huyện Khánh Sơn", "UBND huyện Khánh Sơn",
     "Đề xuất bổ sung quy trình liên thông thủ tục hành chính lĩnh vực đất đai",
     2, "7.50", "11.20", "61.60", "80.30"),
    ("Sở Nội vụ", "Sở Nội vụ",
     "Tổ chức cơ sở dữ liệu tổng hợp dùng chung và tích hợp, liên kết, chia sẻ dữ liệu trong giải quyết thủ tục hành chính cho công dân, tổ chức",
     1, "8.50", "12.40", "67.60", "88.50"),
    ("Bệnh viện Đa khoa tỉnh Khánh Hòa", "Bệnh viện Đa khoa tỉnh Khánh Hòa",
     "Đơn nguyên điều trị trong ngày tại Bệnh viện Đa khoa tỉnh Khánh Hòa",
     3, "6.00", "9.80", "57.00", "72.80"),
    ("Kho bạc Nhà nước tỉnh", "Kho bạc Nhà nước tỉnh",
     "Ứng dụng tin học trong kiểm soát chi cho cá nhân của đơn vị sử dụng ngân sách qua Kho bạc Nhà nước tỉnh Khánh Hòa",
     1, "6.00", "12.20", "54.40", "72.60"),
    ("UBND xã Diên Lâm (huyện Diên Khánh)", "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)",
     "Đơn giản hóa tờ khai khi thực hiện thủ tục liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 06 tuổi",
     2, "8.00", "10.40", "59.00", "77.40"),
]

#: Section I.2: the 52 entries of the preliminary round per thematic group (Nhóm 1 to 5).
PRELIMINARY_GROUPS_2019 = {"1": 32, "2": 13, "3": 4, "4": 2, "5": 1}

#: Phụ lục I, TT 12: the joint team of three communes of Diên Khánh (its own unit is Diên Lâm).
JOINT_TEAM_PARTNERS = {
    "Liên quân UBND các xã: Diên Lâm - Diên Thọ - Diên An (huyện Diên Khánh)": [
        "UBND xã Diên Thọ (huyện Diên Khánh)",
        "UBND xã Diên An (huyện Diên Khánh)",
    ],
}

#: The report's own words (sections I.3, II.3.2, II.3.3, III), shortened, for the demo's narrative.
NARRATIVE_2019 = {
    "direction": "Triển khai Kế hoạch số 4485/KH-UBND ngày 14/5/2019 của UBND tỉnh, Sở Nội vụ đã xây dựng và tổ chức "
                 "lấy ý kiến hoàn thiện, ban hành Điều lệ cuộc thi (số 1580/ĐL-SNV ngày 19/7/2019); thành lập, kiện "
                 "toàn Ban Tổ chức, Ban Giám khảo, Ban Thư ký cuộc thi và thông báo phân công trách nhiệm cụ thể đối "
                 "với từng thành viên.",
    "assessment": "Cuộc thi năm 2019 ghi nhận có thêm nhiều mô hình, sáng kiến đột phá, có ý nghĩa tích cực đối với "
                  "sự phát triển kinh tế - xã hội của tỉnh.\nCác vòng thi ở cơ sở được tổ chức nghiêm túc, khách quan, "
                  "tuân thủ đúng điều lệ cuộc thi và hướng dẫn của Ban Tổ chức.",
    "went_well": "Qua 04 kỳ tổ chức, cuộc thi đạt được mục tiêu, yêu cầu, nhiệm vụ kế hoạch đề ra; đã tạo ra sân chơi "
                 "bổ ích, thiết thực cho công chức, viên chức trẻ, đoàn viên thanh niên các đơn vị, địa phương.",
    "went_wrong": "- Tại một số cơ quan, đơn vị, công tác chỉ đạo, hướng dẫn triển khai cuộc thi chưa kịp thời; số "
                  "lượng cũng như chất lượng mô hình, sáng kiến, giải pháp dự thi còn hạn chế.\n- Đề cương một số mô "
                  "hình, sáng kiến thiếu logic, số liệu sơ sài; có mô hình dự thi trùng lặp ý tưởng.",
    "proposals": "Từ tình hình, kết quả nêu trên, Giám đốc Sở Nội vụ - Trưởng ban Tổ chức cuộc thi đề xuất UBND tỉnh "
                 "biểu dương những công chức, viên chức trẻ, các cơ quan, đơn vị có mô hình, sáng kiến CCHC đăng ký "
                 "dự thi lần thứ 4 - năm 2019 (đính kèm dự thảo Công văn chỉ đạo của UBND tỉnh).",
    "signer_name": "Trần Thu Mai",
    "letter_number": "11254/UBND",
    "letter_signer_name": "Nguyễn Đắc Tài",
}

#: Section I.2: five side awards of 1.000.000 đồng; (name, method, segment, committee's pick by team).
SIDE_AWARDS_2019 = [
    ("Trình chiếu đẹp mắt", "committee", None, "Sở Lao động - Thương binh và Xã hội"),
    ("Xử lý tình huống tinh tế", "best_segment", "situation", None),
    ("Tự giới thiệu gắn với mô hình, sáng kiến", "committee", None, "Sở Tài nguyên và Môi trường"),
    ("Phản biện sắc sảo", "committee", None, "Sở Khoa học và Công nghệ"),
    ("Sáng kiến có tính nhân văn", "committee", None, "Bệnh viện Đa khoa tỉnh Khánh Hòa"),
]
SIDE_AWARD_AMOUNT = "1000000"

#: Section 3.1: entries per round and prize structure of every edition.
HISTORY = [
    (1, 2013, 41, 23, 9, PRIZE_TIERS_2013),
    (2, 2015, 43, 31, 9, PRIZE_TIERS_2013),
    (3, 2017, 83, 52, 14, PRIZE_TIERS_2019),
    (4, 2019, 95, 52, 12, PRIZE_TIERS_2019),
]

JUDGE_COUNT = 6
