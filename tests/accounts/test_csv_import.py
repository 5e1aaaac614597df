"""CSV import: Vietnamese headers, UTF-8 with or without BOM, all or nothing."""

from __future__ import annotations

import pytest

from accounts.csv_import import import_bodies_csv, import_people_csv
from accounts.models import Body, Membership, User
from tests.factories import make_body

BODIES = (
    "Mã,Tên cơ quan,Ký hiệu,Loại,Mã cơ quan cấp trên,Tổng số thành viên\n"
    "so-tttt,Sở Thông tin và Truyền thông,STTTT,department,ubnd,0\n"
    "ubnd,Ủy ban nhân dân tỉnh Bắc Ninh,UBND,UBND tỉnh,,15\n"
    "phong-cntt,Phòng Công nghệ thông tin,CNTT,unit,so-tttt,\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_bodies_import_with_or_without_bom_and_children_before_parents(encoding):
    result = import_bodies_csv(BODIES.encode(encoding), actor=None)
    assert result.ok, result.errors
    assert result.created == 3
    unit = Body.objects.get(code="phong-cntt")
    assert unit.parent.code == "so-tttt" and unit.parent.parent.code == "ubnd"
    assert Body.objects.get(code="ubnd").total_members == 15
    assert Body.objects.get(code="so-tttt").name == "Sở Thông tin và Truyền thông"


@pytest.mark.django_db
def test_semicolon_separated_files_from_excel_are_read():
    text = BODIES.replace(",", ";").replace("Sở Thông tin và Truyền thông", "Sở TT&TT")
    result = import_bodies_csv(text.encode("utf-8-sig"), actor=None)
    assert result.ok, result.errors


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_each_error_names_its_line():
    make_body(code="ubnd-cu")
    text = (
        "Mã,Tên cơ quan,Ký hiệu,Loại,Mã cơ quan cấp trên,Tổng số thành viên\n"
        "tot,Cơ quan tốt,CQT,,,5\n"
        "ubnd-cu,Trùng mã,UBND,,,\n"
        "xau,,X,loại lạ,khong-co,-3\n"
    )
    result = import_bodies_csv(text.encode(), actor=None)
    assert not result.ok
    assert Body.objects.filter(code="tot").count() == 0
    lines = {e.line for e in result.errors}
    assert lines == {3, 4}
    messages = " ".join(e.message for e in result.errors)
    for fragment in (
        "đã có trong hệ thống",
        "thiếu tên cơ quan",
        "loại “loại lạ”",
        "không tìm thấy cơ quan cấp trên",
        "số nguyên",
    ):
        assert fragment in messages


@pytest.mark.django_db
def test_parent_cycle_inside_the_file_is_refused():
    text = "Mã,Tên cơ quan,Ký hiệu,Mã cơ quan cấp trên\na,Cơ quan A,A,b\nb,Cơ quan B,B,a\n"
    result = import_bodies_csv(text.encode(), actor=None)
    assert not result.ok and "vòng lặp" in result.errors[0].message
    assert not Body.objects.filter(code__in=["a", "b"]).exists()


@pytest.mark.django_db
def test_missing_required_column_is_reported():
    result = import_bodies_csv("Mã,Ký hiệu\nx,X\n".encode(), actor=None)
    assert not result.ok and "Thiếu cột" in result.errors[0].message


@pytest.mark.django_db
def test_non_utf8_file_is_refused_clearly():
    raw = "Mã,Tên cơ quan,Ký hiệu\nx,Sở Tư pháp,X\n".encode("utf-16")
    result = import_bodies_csv(raw, actor=None)
    assert not result.ok and "UTF-8" in result.errors[0].message


@pytest.mark.django_db
def test_people_import_creates_users_and_memberships():
    make_body(code="stc")
    text = (
        "\ufeffTên đăng nhập,Họ và tên,Chức vụ,Điện thoại,Email,Mã cơ quan,Vai trò\n"
        "ha.tt,Trần Thị Thu Hà,Văn thư,0912345678,ha@example.vn,stc,Văn thư\n"
        "duc.lm,Lê Minh Đức,Giám đốc,,,stc,chair\n"
    ).encode()
    result = import_people_csv(text, actor=None)
    assert result.ok, result.errors
    assert User.objects.get(username="ha.tt").full_name == "Trần Thị Thu Hà"
    assert Membership.objects.get(user__username="ha.tt").role == "clerk"
    assert Membership.objects.get(user__username="duc.lm").role == "chair"


@pytest.mark.django_db
def test_people_import_with_duplicates_and_unknown_body_imports_nothing():
    make_body(code="stc")
    text = (
        "Tên đăng nhập,Họ và tên,Mã cơ quan,Vai trò,Email\n"
        "a1,Người Một,stc,member,\n"
        "A1,Người Hai,stc,member,\n"
        "b1,Người Ba,khong-co,vua,sai-email\n"
    ).encode()
    result = import_people_csv(text, actor=None)
    assert not result.ok
    assert not User.objects.filter(username__in=["a1", "b1"]).exists()
    messages = " ".join(e.message for e in result.errors)
    assert "trùng với dòng 2" in messages
    assert "không tìm thấy cơ quan" in messages
    assert "vai trò" in messages and "email" in messages
