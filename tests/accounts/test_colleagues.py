"""The cached list of a person's colleagues (offered as substitutes) is never stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.selectors import colleagues_of
from accounts.services import membership_set
from tests.factories import make_body, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sở():
    body = make_body(code="sotc", name="Sở Tài chính", symbol="STC")
    other = make_body(code="sonv", name="Sở Nội vụ", symbol="SNV")
    anh = make_user(username="anh", full_name="Nguyễn Thị Ánh", body=body)
    bao = make_user(username="bao", full_name="Trần Quốc Bảo", body=body)
    cuong = make_user(username="cuong", full_name="Lê Văn Cường", body=other)
    return body, other, anh, bao, cuong


def test_lists_people_of_the_same_bodies_by_name(sở):
    _body, other, anh, bao, cuong = sở
    assert colleagues_of(anh) == [(bao.pk, "Trần Quốc Bảo")]
    membership_set(actor=None, user=anh, body=other, role="member")
    assert colleagues_of(anh) == [(cuong.pk, "Lê Văn Cường"), (bao.pk, "Trần Quốc Bảo")]


def test_second_read_is_served_from_the_cache(sở):
    anh = sở[2]
    colleagues_of(anh)
    with CaptureQueriesContext(connection) as queries:
        colleagues_of(anh)
    assert len(queries) == 0


def test_changes_to_people_and_memberships_show_at_once(sở):
    body, _other, anh, bao, cuong = sở
    assert colleagues_of(anh) == [(bao.pk, "Trần Quốc Bảo")]
    bao.full_name = "Trần Quốc Bảo Long"
    bao.save()
    assert colleagues_of(anh) == [(bao.pk, "Trần Quốc Bảo Long")]
    bao.is_active = False
    bao.save()
    assert colleagues_of(anh) == []
    Membership.objects.create(user=cuong, body=body, role="member")
    assert colleagues_of(anh) == [(cuong.pk, "Lê Văn Cường")]
    Membership.objects.filter(user=cuong, body=body).delete()
    assert colleagues_of(anh) == []


def test_a_login_does_not_throw_the_cache_away(sở, client):
    anh = sở[2]
    colleagues_of(anh)
    assert client.login(username="bao", password="mat-khau-thu-1")
    with CaptureQueriesContext(connection) as queries:
        colleagues_of(anh)
    assert len(queries) == 0
