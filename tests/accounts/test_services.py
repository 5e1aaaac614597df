"""People, bodies and memberships: the rules the services enforce."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Body, Membership, User
from accounts.services import body_set_parent, membership_set, user_create
from audit.models import AuditEvent
from tests.factories import make_body, make_user


@pytest.mark.django_db
def test_duplicate_username_is_refused_in_vietnamese_and_nothing_changes():
    make_user(username="thu.nt")
    before = (User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        user_create(actor=None, username="Thu.NT", full_name="Người Khác")
    assert "đã tồn tại" in str(excinfo.value)
    assert (User.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_names_are_stored_in_nfc():
    nfd = unicodedata.normalize("NFD", "Phạm Thị Ngọc Ánh")
    user = make_user(full_name=nfd)
    user.refresh_from_db()
    assert user.full_name == unicodedata.normalize("NFC", nfd)
    assert user.get_short_name() == "Ánh"


@pytest.mark.django_db
def test_body_cannot_become_its_own_ancestor():
    province = make_body(code="tinh")
    department = make_body(code="so", parent=province)
    unit = make_body(code="phong", parent=department)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        body_set_parent(actor=None, body=province, parent=unit)
    assert "cấp trên của chính nó" in str(excinfo.value)
    province.refresh_from_db()
    assert province.parent is None
    assert AuditEvent.objects.count() == events
    with pytest.raises(ValidationError):
        body_set_parent(actor=None, body=province, parent=province)


@pytest.mark.django_db
def test_moving_a_body_is_audited():
    a, b = make_body(code="a"), make_body(code="b")
    body_set_parent(actor=None, body=b, parent=a)
    assert Body.objects.get(code="b").parent == a
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.verb == "body.moved" and event.details == {"from": None, "to": "a"}


@pytest.mark.django_db
def test_membership_is_one_per_body_and_role_changes_are_audited():
    body = make_body()
    user = make_user(body=body, role="member")
    membership_set(actor=None, user=user, body=body, role="chair")
    assert Membership.objects.get(user=user, body=body).role == "chair"
    assert Membership.objects.filter(user=user).count() == 1
    verbs = list(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs.count("membership.set") == 2
    with pytest.raises(ValidationError, match="không hợp lệ"):
        membership_set(actor=None, user=user, body=body, role="emperor")
