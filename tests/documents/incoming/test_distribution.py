"""Distribution to the recipients ("Nơi nhận") and the incoming register (sổ văn bản đến): each
receiving body gets its own copy, numbered in order of arrival, checked, and its clerks told;
nothing half-done when the sender may not send or a recipient is not allowed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Clearance
from accounts.services import body_create, membership_set, user_create
from background.models import OutboxMail
from documents.incoming.services import distribution_targets, document_distribute
from documents.models import Document, DocumentStatus, IncomingEntry
from documents.selectors import documents_visible_to
from signing.models import ValidationReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def receivers(world):
    """Two other bodies, each with a clerk (with an address) and a member."""
    made = []
    for code, name in (("stc", "Sở Tài chính"), ("skhdt", "Sở Kế hoạch và Đầu tư")):
        body = body_create(actor=None, code=code, name=name, symbol=code.upper())
        clerk = user_create(
            actor=None, username=f"vt-{code}", full_name=f"Văn thư {name}", password="x-Thu-123"
        )
        clerk.email = f"vt-{code}@kyhop.test"
        clerk.save(update_fields=["email"])
        membership_set(actor=None, user=clerk, body=body, role="clerk")
        made.append((body, clerk))
    return made


def _issued(make_document, **fields) -> Document:
    return make_document(status=DocumentStatus.ISSUED, **fields)


def test_each_recipient_gets_its_own_numbered_checked_copy(
    world, doc_storage, make_document, receivers, django_capture_on_commit_callbacks
):
    (finance, finance_clerk), (planning, _planning_clerk) = receivers
    document = _issued(make_document)

    with django_capture_on_commit_callbacks(execute=True):
        entries = document_distribute(
            actor=world.clerk, document=document, bodies=[finance, planning]
        )

    assert [(e.body, e.number) for e in entries] == [(finance, 1), (planning, 1)]
    copy = entries[0].document
    assert copy.status == DocumentStatus.INCOMING and copy.owning_body == finance
    assert (copy.number_symbol, copy.issuing_body) == ("45/TTr-STTTT", world.stttt)
    # The same stored file, checked like any incoming document (the inline task backend).
    assert copy.versions.get().blob_id == document.versions.get().blob_id
    assert ValidationReport.objects.filter(version__document=copy).exists()
    # The receiving clerk reads the copy, and is told by mail.
    assert documents_visible_to(finance_clerk).filter(pk=copy.pk).exists()
    assert OutboxMail.objects.filter(
        topic=f"document:{copy.pk}", address="vt-stc@kyhop.test", purpose="incoming"
    ).exists()
    # A second document arriving at the same body takes the next number.
    later = _issued(make_document, number="46", abstract="Văn bản thứ hai")
    assert document_distribute(actor=world.clerk, document=later, bodies=[finance])[0].number == 2


def test_a_body_receives_a_document_once_and_nothing_is_half_done(
    world, doc_storage, make_document, receivers
):
    (finance, _), (planning, _) = receivers
    document = _issued(make_document)
    document_distribute(actor=world.clerk, document=document, bodies=[finance])
    assert finance not in distribution_targets(document)
    documents_before = Document.objects.count()

    with pytest.raises(ValidationError) as refused:
        document_distribute(actor=world.clerk, document=document, bodies=[planning, finance])

    assert "Sở Tài chính" in str(refused.value)
    assert Document.objects.count() == documents_before  # planning got nothing either
    assert IncomingEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status", "number", "error"),
    [
        ("member", DocumentStatus.ISSUED, "45", PermissionDenied),
        ("outsider", DocumentStatus.ISSUED, "45", PermissionDenied),
        ("clerk", DocumentStatus.DRAFT, "45", PermissionDenied),
        ("clerk", DocumentStatus.ISSUED, "", ValidationError),
    ],
)
def test_only_the_issuers_clerk_sends_an_issued_numbered_document(
    world, doc_storage, make_document, receivers, who, status, number, error
):
    document = make_document(status=status, number=number)
    with pytest.raises(error):
        document_distribute(actor=getattr(world, who), document=document, bodies=[receivers[0][0]])
    assert not IncomingEntry.objects.exists()


def test_a_secret_copy_is_mailed_only_to_cleared_clerks(
    world, doc_storage, make_document, receivers
):
    (finance, finance_clerk), _ = receivers
    document = _issued(make_document, confidentiality=Clearance.SECRET)

    copy = document_distribute(actor=world.clerk, document=document, bodies=[finance])[0].document

    assert not OutboxMail.objects.filter(topic=f"document:{copy.pk}").exists()
    finance_clerk.clearance = Clearance.SECRET
    finance_clerk.save(update_fields=["clearance"])
    assert documents_visible_to(finance_clerk).filter(pk=copy.pk).exists()


def test_the_pages_send_and_list_in_vietnamese(
    world, doc_storage, make_document, receivers, django_assert_max_num_queries
):
    (finance, finance_clerk), (planning, _) = receivers
    document = _issued(make_document)
    sender = Client()
    sender.force_login(world.clerk)

    page = sender.get(reverse("documents:detail", args=[document.pk]))
    assert reverse("documents:distribute", args=[document.pk]) in page.content.decode()
    form = sender.get(reverse("documents:distribute", args=[document.pk])).content.decode()
    assert "Sở Tài chính" in form and "Sở Thông tin và Truyền thông" not in form
    empty = sender.post(reverse("documents:distribute", args=[document.pk]), {"bodies": []})
    assert "Hãy chọn ít nhất một nơi nhận." in empty.content.decode()
    sent = sender.post(
        reverse("documents:distribute", args=[document.pk]),
        {"bodies": [finance.pk, planning.pk]},
        follow=True,
    )
    assert "Đã gửi văn bản tới 2 nơi nhận." in sent.content.decode()
    assert "Nơi nhận đã gửi" in sent.content.decode()

    receiver = Client()
    receiver.force_login(finance_clerk)
    with django_assert_max_num_queries(12):
        listing = receiver.get(reverse("documents:register_incoming")).content.decode()
    assert "45/TTr-STTTT" in listing and "Sở Thông tin và Truyền thông" in listing
    assert "Kiểm tra chữ ký" in listing  # the signature check's column
    member = Client()
    member.force_login(world.member)
    assert member.get(reverse("documents:register_incoming")).status_code == 403
    # The outsider's body received nothing and it cannot send what is not its own.
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(reverse("documents:distribute", args=[document.pk])).status_code in {
        403,
        404,
    }
