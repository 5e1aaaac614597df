"""Meeting screens: who may see and do what, and a meeting page whose queries do not grow."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.services import document_create
from meetings.models import AgendaItem, Participant, Rsvp
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations
from tests.documents.helpers import pdf_bytes


@pytest.fixture
def sent(host, meeting):
    item = services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Tờ trình dự án")
    document = document_create(
        actor=host.clerk,
        owning_body=host.body,
        doc_type="to_trinh",
        abstract="Tờ trình về dự án đường vành đai",
        upload=SimpleUploadedFile("tt.pdf", pdf_bytes(3), "application/pdf"),
    )
    services.agenda_document_attach(actor=host.clerk, item=item, document=document)
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    return meeting, item, document


def _urls(meeting, item, document):
    return {
        "detail": reverse("meetings:detail", args=[meeting.pk]),
        "prepare": reverse("meetings:prepare", args=[meeting.pk]),
        "rsvp_panel": reverse("meetings:rsvp_panel", args=[meeting.pk]),
        "viewer": reverse("documents:viewer", args=[document.pk]),
        "file": reverse("documents:version_file", args=[document.pk, 1]),
        "invitation": reverse("documents:version_file", args=[meeting.invitation_document_id, 1]),
    }


def test_outsider_sees_nothing_of_the_meeting(client, host, sent):
    meeting, item, document = sent
    client.force_login(host.outsider)
    for name, url in _urls(meeting, item, document).items():
        assert client.get(url).status_code == 404, name
    response = client.post(reverse("meetings:rsvp", args=[meeting.pk]), {"answer": "attending"})
    assert response.status_code == 404
    response = client.post(reverse("meetings:item_add", args=[meeting.pk]), {"title": "x"})
    assert response.status_code == 404
    assert not AgendaItem.objects.filter(title="x").exists()


def test_anonymous_is_sent_to_login(client, host, sent):
    for name, url in _urls(*sent).items():
        response = client.get(url)
        assert response.status_code in {302, 404}, name
        if response.status_code == 302:
            assert "/dang-nhap/" in response.url


def test_participant_reads_but_cannot_prepare(client, host, sent):
    meeting, item, document = sent
    client.force_login(host.members[0])
    urls = _urls(meeting, item, document)
    html = client.get(urls["detail"]).content.decode()
    assert "Tờ trình về dự án đường vành đai" in html and "1/GM-UBND" in html
    assert client.get(urls["file"]).status_code == 200
    assert client.get(urls["invitation"]).status_code == 200
    assert client.get(urls["prepare"]).status_code == 403
    response = client.post(reverse("meetings:item_delete", args=[meeting.pk, item.pk]))
    assert response.status_code == 403
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_participant_replies_with_a_substitute_through_the_page(client, host, sent):
    meeting, _item, _document = sent
    client.force_login(host.members[1])
    response = client.post(
        reverse("meetings:rsvp", args=[meeting.pk]),
        {"answer": "substitute", "reason": "Đi công tác", "substitute": host.clerk.pk},
    )
    # The clerk is already invited: refused with a message, the answer kept, nothing changed.
    assert response.status_code == 400
    page = response.content.decode()
    assert "Lê Thị Thu đã có trong danh sách mời" in page
    assert 'value="substitute" required checked' in page and 'value="Đi công tác"' in page
    assert Participant.objects.get(meeting=meeting, user=host.members[1]).rsvp == Rsvp.PENDING
    response = client.post(
        reverse("meetings:rsvp", args=[meeting.pk]),
        {"answer": "absent", "reason": "Ốm"},
        follow=True,
    )
    assert "Đã ghi nhận" in response.content.decode()
    client.force_login(host.clerk)
    panel = client.get(reverse("meetings:rsvp_panel", args=[meeting.pk])).content.decode()
    assert "Vắng mặt" in panel and "Ốm" in panel


def test_clerk_prepares_through_the_pages(client, host, meeting):
    client.force_login(host.clerk)
    url = reverse("meetings:item_add", args=[meeting.pk])
    client.post(url, {"title": "Khai mạc", "planned_minutes": 5})
    client.post(url, {"title": "Thảo luận", "planned_minutes": 60})
    first, second = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    response = client.post(
        reverse("meetings:agenda_reorder", args=[meeting.pk]), {"order": [second.pk, first.pk]}
    )
    assert response.json() == {"ok": True}
    assert list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("title", flat=True)
    ) == ["Thảo luận", "Khai mạc"]
    response = client.post(reverse("meetings:agenda_reorder", args=[meeting.pk]), {"order": ["x"]})
    assert response.status_code == 400
    upload = SimpleUploadedFile("bao-cao.pdf", pdf_bytes(2), "application/pdf")
    response = client.post(
        reverse("meetings:document_upload", args=[meeting.pk, first.pk]),
        {"file": upload, "abstract": "Báo cáo tổng hợp"},
        follow=True,
    )
    assert "Đã tải lên và đính kèm" in response.content.decode()
    bad = SimpleUploadedFile("gia.pdf", b"\x89PNG\r\n\x1a\n not a pdf", "application/pdf")
    response = client.post(
        reverse("meetings:document_upload", args=[meeting.pk, first.pk]), {"file": bad}, follow=True
    )
    assert first.documents.count() == 1
    client.post(reverse("meetings:invite_body", args=[meeting.pk]), {"body": host.body.pk})
    assert meeting.participants.count() == 5
    response = client.post(reverse("meetings:send_invitations", args=[meeting.pk]), follow=True)
    assert "Đã phát hành giấy mời số 1/GM-UBND" in response.content.decode()


def _page_queries(client, meeting) -> int:
    cache.clear()  # count the queries of a cold page: agenda and colleagues built, not cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 200
    return len(queries)


def _grow(host, meeting, items: int, docs_per_item: int) -> None:
    pdf = pdf_bytes(1)
    for i in range(items):
        item = services.agenda_item_add(actor=host.clerk, meeting=meeting, title=f"Mục {i}")
        for j in range(docs_per_item):
            document = document_create(
                actor=host.clerk,
                owning_body=host.body,
                doc_type="bao_cao",
                abstract=f"Tài liệu {i}.{j}",
                upload=SimpleUploadedFile(
                    f"{i}-{j}.pdf", pdf + bytes(f"%{i}-{j}", "ascii"), "application/pdf"
                ),
            )
            services.agenda_document_attach(actor=host.clerk, item=item, document=document)


def test_meeting_page_queries_do_not_grow_with_items_and_documents(client, host, meeting):
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    _grow(host, meeting, items=2, docs_per_item=1)
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    client.force_login(host.members[0])
    small = _page_queries(client, meeting)
    meeting.status = "draft"
    meeting.save()
    _grow(host, meeting, items=48, docs_per_item=4)
    meeting.status = "invited"
    meeting.save()
    assert AgendaItem.objects.filter(meeting=meeting).count() == 50
    large = _page_queries(client, meeting)
    assert large == small
