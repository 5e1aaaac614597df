"""Vietnamese names and phrases for the seeded province (fictional, shaped like the real thing).

Everything is NFC: the strings are written here in NFC and ``nfc`` is applied again where
they are combined, as the services do.
"""

from __future__ import annotations

import random

from accounts.models import nfc

PROVINCE = "Bắc Ninh"

# (code suffix, name, symbol) of the departments, boards and sectors (sở, ban, ngành).
DEPARTMENTS = [
    ("vp-ubnd", "Văn phòng Ủy ban nhân dân tỉnh", "VP"),
    ("snv", "Sở Nội vụ", "SNV"),
    ("stc", "Sở Tài chính", "STC"),
    ("skhdt", "Sở Kế hoạch và Đầu tư", "SKHĐT"),
    ("stttt", "Sở Thông tin và Truyền thông", "STTTT"),
    ("stp", "Sở Tư pháp", "STP"),
    ("sct", "Sở Công Thương", "SCT"),
    ("sgddt", "Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("syt", "Sở Y tế", "SYT"),
    ("sxd", "Sở Xây dựng", "SXD"),
    ("sgtvt", "Sở Giao thông vận tải", "SGTVT"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT"),
    ("stnmt", "Sở Tài nguyên và Môi trường", "STNMT"),
    ("sldtbxh", "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("skhcn", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("sngv", "Sở Ngoại vụ", "SNgV"),
    ("ttr", "Thanh tra tỉnh", "TTr"),
    ("bdt", "Ban Dân tộc", "BDT"),
    ("bqlkcn", "Ban Quản lý các khu công nghiệp", "BQLKCN"),
    ("vp-hdnd", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", "VPĐĐBQH"),
    ("bqlda", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng", "BQLDA"),
    ("qptt", "Quỹ Phát triển đất", "QPTĐ"),
    ("dptth", "Đài Phát thanh và Truyền hình tỉnh", "ĐPTTH"),
    ("tchd", "Trường Chính trị Nguyễn Văn Cừ", "TCT"),
    ("ttxttd", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "TTXTĐT"),
    ("bhxh", "Bảo hiểm xã hội tỉnh", "BHXH"),
    ("ctk", "Cục Thống kê tỉnh", "CTK"),
]

# (code suffix, kind word, place) of the districts, towns and cities (huyện, thị xã, thành phố).
DISTRICTS = [
    ("tp-bac-ninh", "thành phố", "Bắc Ninh"),
    ("tp-tu-son", "thành phố", "Từ Sơn"),
    ("tx-que-vo", "thị xã", "Quế Võ"),
    ("tx-thuan-thanh", "thị xã", "Thuận Thành"),
    ("h-tien-du", "huyện", "Tiên Du"),
    ("h-yen-phong", "huyện", "Yên Phong"),
    ("h-gia-binh", "huyện", "Gia Bình"),
    ("h-luong-tai", "huyện", "Lương Tài"),
]

# Syllables for commune names (xã, phường, thị trấn): two of them make a plausible name.
COMMUNE_SYLLABLES = [
    "An",
    "Bình",
    "Cảnh",
    "Châu",
    "Đại",
    "Đông",
    "Đình",
    "Hà",
    "Hòa",
    "Hưng",
    "Khắc",
    "Kim",
    "Lạc",
    "Lâm",
    "Long",
    "Mão",
    "Minh",
    "Nam",
    "Ngọc",
    "Nhân",
    "Phong",
    "Phú",
    "Phương",
    "Quang",
    "Quảng",
    "Song",
    "Tam",
    "Tân",
    "Thanh",
    "Thái",
    "Thọ",
    "Thượng",
    "Tiên",
    "Trung",
    "Vân",
    "Việt",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Đức",
    "Hồ",
    "Mộ",
    "Đạo",
    "Liên",
    "Nội",
    "Giang",
]

# Offices under departments and districts (phòng, chi cục, trung tâm).
UNIT_NAMES = [
    ("Văn phòng", "VP"),
    ("Phòng Kế hoạch - Tài chính", "KHTC"),
    ("Phòng Tổ chức cán bộ", "TCCB"),
    ("Thanh tra", "TTr"),
    ("Phòng Quản lý chuyên ngành", "QLCN"),
    ("Trung tâm Công nghệ thông tin", "TTCNTT"),
    ("Chi cục Quản lý chất lượng", "CCQLCL"),
    ("Phòng Tài chính - Kế hoạch", "TCKH"),
    ("Phòng Nội vụ", "NV"),
    ("Phòng Tài nguyên và Môi trường", "TNMT"),
]

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
    "Đào",
    "Trịnh",
    "Mai",
    "Tạ",
    "Phan",
    "Võ",
    "Đinh",
    "Lưu",
    "Cao",
    "Hà",
    "Chu",
    "Nghiêm",
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thành", "Công", "Ngọc", "Tiến", "Mạnh"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Phương", "Thị Minh", "Thị Thanh", "Bích"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Toàn",
    "Tuấn",
    "Việt",
    "Hiếu",
    "Đạt",
    "Lộc",
    "Thịnh",
    "Huy",
    "Kiên",
    "Trung",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hạnh",
    "Hằng",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Oanh",
    "Thảo",
    "Trang",
    "Yến",
    "Huyền",
    "Nhung",
    "Quyên",
    "Thủy",
    "Vân",
    "Loan",
    "Ngân",
]

# Abstract (trích yếu) phrases: "<action> <topic> <where>".
ACTIONS = [
    "Về việc phê duyệt",
    "Về việc triển khai",
    "Về việc ban hành",
    "Về việc điều chỉnh",
    "Về việc tổng kết",
    "Về việc kiện toàn",
    "Về việc giao chỉ tiêu",
    "Về việc hướng dẫn thực hiện",
    "Về việc đề nghị thẩm định",
    "Về việc báo cáo tình hình",
    "Về việc tăng cường",
    "Về việc phân bổ kinh phí",
]
TOPICS = [
    "kế hoạch chuyển đổi số",
    "dự án đầu tư công",
    "chương trình xây dựng nông thôn mới",
    "quy hoạch sử dụng đất",
    "công tác cải cách hành chính",
    "phòng, chống thiên tai",
    "công tác tuyển sinh đầu cấp",
    "kế hoạch tiêm chủng mở rộng",
    "dự toán ngân sách nhà nước",
    "công tác thanh tra, kiểm tra",
    "chính sách hỗ trợ doanh nghiệp",
    "quản lý trật tự xây dựng",
    "bảo vệ môi trường làng nghề",
    "hệ thống thông tin báo cáo",
    "đề án vị trí việc làm",
    "giải phóng mặt bằng khu công nghiệp",
    "chương trình giảm nghèo bền vững",
    "an toàn thực phẩm",
    "công tác dân tộc, tôn giáo",
    "phát triển du lịch văn hóa Quan họ",
]

MEETING_TOPICS = [
    "sơ kết công tác quý",
    "triển khai nhiệm vụ trọng tâm",
    "cho ý kiến dự thảo đề án",
    "đánh giá tiến độ giải ngân vốn đầu tư công",
    "chuyển đổi số và cải cách hành chính",
    "công tác cán bộ",
    "kinh tế - xã hội tháng",
    "quy hoạch và xây dựng",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "thu, chi ngân sách",
]
ITEM_TITLES = [
    "Báo cáo tình hình thực hiện nhiệm vụ",
    "Tờ trình về việc phê duyệt đề án",
    "Thảo luận và cho ý kiến",
    "Báo cáo kết quả thanh tra",
    "Dự thảo nghị quyết",
    "Kế hoạch triển khai",
    "Báo cáo thẩm tra",
    "Kết luận của chủ tọa",
]
ABSENCE_REASONS = ["Đi công tác", "Bận công việc đột xuất", "Nghỉ ốm", "Đi học tập trung"]

POSITIONS_BY_ROLE = {
    "chair": "Chủ tịch",
    "vice_chair": "Phó Chủ tịch",
    "member": "Ủy viên",
    "clerk": "Văn thư",
    "secretary": "Thư ký",
}

# Document type → the symbol's abbreviation (Decree 30, Appendix III).
TYPE_ABBREVIATIONS = {
    "quyet_dinh": "QĐ",
    "to_trinh": "TTr",
    "bao_cao": "BC",
    "bien_ban": "BB",
    "nghi_quyet": "NQ",
    "thong_bao": "TB",
    "ke_hoach": "KH",
    "giay_moi": "GM",
    "chuong_trinh": "CTr",
    "khac": "HD",
}


def person_name(rng: random.Random) -> tuple[str, bool]:
    """A full Vietnamese name, family name first, and whether it is a woman's."""
    female = rng.random() < 0.45
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    return nfc(f"{rng.choice(FAMILY)} {middle} {given}"), female


def abstract(rng: random.Random, where: str, year: int) -> str:
    return nfc(f"{rng.choice(ACTIONS)} {rng.choice(TOPICS)} {where} năm {year}")
