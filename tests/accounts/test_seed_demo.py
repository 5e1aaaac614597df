"""The demo province: realistic, idempotent, with working demo logins."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts import demo_data
from accounts.models import Body, Membership, User
from audit.models import AuditEvent
from audit.services import audit_chain_verify


@pytest.mark.django_db
def test_seed_demo_builds_the_province_and_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Body.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        User.objects.count(),
        Body.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert 55 <= counts[0] <= 70
    committee = Body.objects.get(code="ubnd-tinh")
    assert committee.children.filter(kind="department").count() >= 20
    assert committee.children.filter(kind="district_committee").count() == 8
    assert Body.objects.filter(kind="province_council").exists()
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_every_demo_login_can_sign_in(client):
    call_command("seed_demo", verbosity=0)
    for username, full_name, *_ in demo_data.DEMO_LOGINS:
        assert client.login(username=username, password=demo_data.DEMO_PASSWORD), username
        html = client.get("/").content.decode()
        assert full_name in html
        client.logout()
