"""Agenda items (sub-items too) carry a presenter and a duration and can be corrected; the
invitation and agenda can be previewed, unnumbered, before they are issued."""

from __future__ import annotations

import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from documents.models import Document
from meetings.preparation import services


def _pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def invited_body(host, meeting):
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    return meeting


def test_a_sub_item_gets_its_presenter_and_duration_from_the_page(host, invited_body, client):
    parent = services.agenda_item_add(actor=host.clerk, meeting=invited_body, title="Tờ trình")
    client.force_login(host.clerk)
    response = client.post(
        reverse("meetings:item_add", args=[invited_body.pk]),
        {
            "title": "Ý kiến thẩm định",
            "parent": parent.pk,
            "presenter": host.members[0].pk,
            "planned_minutes": "15",
        },
        follow=True,
    )
    child = parent.children.get()
    assert child.presenter == host.members[0] and child.planned_minutes == 15
    page = response.content.decode()
    assert f'id="presenter-child-{parent.pk}"' in page and f'id="presenter-{child.pk}"' in page


def test_an_item_is_corrected_in_place(host, invited_body, client):
    item = services.agenda_item_add(actor=host.clerk, meeting=invited_body, title="Bao cao")
    client.force_login(host.clerk)
    response = client.post(
        reverse("meetings:item_update", args=[invited_body.pk, item.pk]),
        {
            "title": "Báo cáo tình hình",
            "presenter": host.chair.pk,
            "planned_minutes": "20",
            "presenter_name": "",
            "description": "",
        },
        follow=True,
    )
    item.refresh_from_db()
    assert (item.title, item.presenter, item.planned_minutes) == (
        "Báo cáo tình hình",
        host.chair,
        20,
    )
    assert "Đã sửa mục “Báo cáo tình hình”." in response.content.decode()
    event = AuditEvent.objects.get(verb="agenda.item_updated")
    assert event.details["before"]["title"] == "Bao cao"
    # A presenter must be among the invitees; others may not change the agenda.
    with pytest.raises(ValidationError, match="người được mời"):
        services.agenda_item_update(actor=host.clerk, item=item, title="x", presenter=host.outsider)
    client.force_login(host.members[0])
    refused = client.post(
        reverse("meetings:item_update", args=[invited_body.pk, item.pk]), {"title": "Sửa trộm"}
    )
    assert refused.status_code in (403, 404)
    item.refresh_from_db()
    assert item.title == "Báo cáo tình hình"


def test_the_invitation_is_previewed_unnumbered_and_nothing_is_issued(host, invited_body, client):
    services.agenda_item_add(
        actor=host.clerk, meeting=invited_body, title="Kinh tế - xã hội", planned_minutes=30
    )
    client.force_login(host.clerk)
    before = Document.objects.count()
    invitation = client.get(
        reverse("meetings:invitation_preview", args=[invited_body.pk, "giay-moi"])
    )
    assert invitation["Content-Type"] == "application/pdf"
    text = _pdf_text(invitation.content)
    assert "GIẤY MỜI" in text and invited_body.title in text
    assert "/GM-UBND" in text and "1/GM-UBND" not in text  # no number taken
    agenda = client.get(
        reverse("meetings:invitation_preview", args=[invited_body.pk, "chuong-trinh"])
    )
    assert "Kinh tế - xã hội" in _pdf_text(agenda.content)
    assert Document.objects.count() == before
    invited_body.refresh_from_db()
    assert not invited_body.invitation_number
    assert (
        client.get(
            reverse("meetings:invitation_preview", args=[invited_body.pk, "khac"])
        ).status_code
        == 404
    )
    client.force_login(host.members[0])
    assert client.get(
        reverse("meetings:invitation_preview", args=[invited_body.pk, "giay-moi"])
    ).status_code in (403, 404)
