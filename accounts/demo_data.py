"""The demo province: Bắc Ninh's People's Committee and Council, departments, districts, people.

Everything here is fictional but shaped like the real thing, so screens, documents and quorum
calculations look as they will in use. Names are generated from a fixed seed so every run of
``seed_demo`` produces the same people.
"""

from __future__ import annotations

import random
import unicodedata

PROVINCE = "Bắc Ninh"
DEMO_PASSWORD = "KyHop@2026"  # noqa: S105 - published in the README for the demo only

# (code, name, symbol, kind, parent code, total members)
TOP_BODIES = [
    ("ubnd-tinh", "Ủy ban nhân dân tỉnh Bắc Ninh", "UBND", "province_committee", None, 15),
    ("hdnd-tinh", "Hội đồng nhân dân tỉnh Bắc Ninh", "HĐND", "province_council", None, 18),
]

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
]

DISTRICTS = [
    ("tp-bac-ninh", "Ủy ban nhân dân thành phố Bắc Ninh", "thành phố Bắc Ninh"),
    ("tp-tu-son", "Ủy ban nhân dân thành phố Từ Sơn", "Từ Sơn"),
    ("tx-que-vo", "Ủy ban nhân dân thị xã Quế Võ", "Quế Võ"),
    ("tx-thuan-thanh", "Ủy ban nhân dân thị xã Thuận Thành", "Thuận Thành"),
    ("h-tien-du", "Ủy ban nhân dân huyện Tiên Du", "Tiên Du"),
    ("h-yen-phong", "Ủy ban nhân dân huyện Yên Phong", "Yên Phong"),
    ("h-gia-binh", "Ủy ban nhân dân huyện Gia Bình", "Gia Bình"),
    ("h-luong-tai", "Ủy ban nhân dân huyện Lương Tài", "Lương Tài"),
]

# The demo logins the README lists: (username, full name, position, body code, role, staff)
DEMO_LOGINS = [
    ("chutich", "Nguyễn Văn Hùng", "Chủ tịch Ủy ban nhân dân tỉnh", "ubnd-tinh", "chair", False),
    (
        "vanthu",
        "Trần Thị Thu Hà",
        "Chuyên viên Văn phòng Ủy ban nhân dân tỉnh",
        "ubnd-tinh",
        "clerk",
        True,
    ),
    (
        "daibieu1",
        "Lê Minh Đức",
        "Giám đốc Sở Thông tin và Truyền thông",
        "ubnd-tinh",
        "member",
        False,
    ),
    ("daibieu2", "Phạm Thị Ngọc Ánh", "Giám đốc Sở Tài chính", "ubnd-tinh", "member", False),
    (
        "lanhdao",
        "Đỗ Quang Vinh",
        "Phó Chủ tịch Ủy ban nhân dân tỉnh",
        "ubnd-tinh",
        "vice_chair",
        False,
    ),
]
ADMIN_LOGIN = ("quantri", "Quản trị hệ thống", "Quản trị viên")

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
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thành", "Công", "Ngọc", "Tiến"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Phương", "Thị Minh", "Thị Thanh"]
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
]


def ascii_fold(text: str) -> str:
    """'Nguyễn Đức' → 'nguyen duc' for user names."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def generated_people(count: int = 55) -> list[tuple[str, str, bool]]:
    """Deterministic (full name, username base, is_female) triples."""
    rng = random.Random(2026)  # noqa: S311 - demo names, not secrets
    people = []
    for _ in range(count):
        female = rng.random() < 0.4
        name = " ".join(
            [
                rng.choice(FAMILY),
                rng.choice(MIDDLE_F if female else MIDDLE_M),
                rng.choice(GIVEN_F if female else GIVEN_M),
            ]
        )
        parts = ascii_fold(name).split()
        people.append((name, f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}", female))
    return people
