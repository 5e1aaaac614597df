"""Decree 30 marks: every confidentiality level (Tuyệt mật included) and urgency (Khẩn,
Thượng khẩn, Hỏa tốc), shown in words on the list and the page; a level is seen only with a
clearance at or above it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Clearance, Secrecy
from documents.forms import DocumentCreateForm
from documents.models import Document, Urgency
from documents.selectors import documents_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cleared(user, level: int):
    user.clearance = level
    user.save(update_fields=["clearance"])
    return user


def test_the_levels_keep_their_order_and_the_three_meeting_levels():
    assert [level.value for level in Secrecy] == [0, 1, 2, 3]
    assert [Secrecy(c.value).label for c in Clearance] == [c.label for c in Clearance]
    assert Secrecy.ABSOLUTE_SECRET.label == "Tuyệt mật"
    assert Secrecy.ABSOLUTE_SECRET > Secrecy.TOP_SECRET > Secrecy.SECRET > Secrecy.NORMAL


def test_a_tuyet_mat_document_is_seen_only_with_tuyet_mat_clearance(world, make_document):
    chief = _cleared(world.top, Secrecy.ABSOLUTE_SECRET)
    document = make_document(actor=chief, confidentiality=Secrecy.ABSOLUTE_SECRET, number="3")
    _cleared(world.clerk, Secrecy.TOP_SECRET)  # one level below: not enough
    urls = [
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:viewer", args=[document.pk]),
        reverse("documents:version_file", args=[document.pk, 1]),
    ]
    for user in (world.clerk, world.member):
        client = _client(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert document.abstract not in client.get(reverse("documents:list")).content.decode()
        assert not documents_visible_to(user).filter(pk=document.pk).exists()
    client = _client(chief)
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(urls[0]).content.decode()
    assert 'data-mark="secrecy">Tuyệt mật</span>' in page
    listing = client.get(reverse("documents:list")).content.decode()
    assert 'data-mark="secrecy">Tuyệt mật</span>' in listing


def test_registering_tuyet_mat_above_ones_clearance_is_refused(world, make_document):
    _cleared(world.top, Secrecy.TOP_SECRET)
    with pytest.raises(ValidationError) as refused:
        make_document(actor=world.top, confidentiality=Secrecy.ABSOLUTE_SECRET)
    assert "confidentiality" in refused.value.message_dict
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("urgency", "label"),
    [(Urgency.URGENT, "Khẩn"), (Urgency.VERY_URGENT, "Thượng khẩn"), (Urgency.FLASH, "Hỏa tốc")],
)
def test_urgency_is_a_mark_on_the_page_and_the_list(world, make_document, urgency, label):
    document = make_document(urgency=urgency, confidentiality=Secrecy.SECRET)
    client = _client(world.clerk)
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert f'data-mark="urgency">{label}</span>' in page
    assert 'data-mark="secrecy">Mật</span>' in page
    listing = client.get(reverse("documents:list")).content.decode()
    assert f'data-mark="urgency">{label}</span>' in listing


def test_an_ordinary_document_has_no_marks(world, make_document):
    document = make_document()
    assert document.urgency == Urgency.NORMAL
    page = _client(world.clerk).get(reverse("documents:detail", args=[document.pk]))
    assert "data-mark=" not in page.content.decode()


def test_the_registration_form_offers_every_level_and_urgency(world):
    form = DocumentCreateForm(bodies=world.stttt.__class__.objects.all())
    assert [label for _, label in form.fields["confidentiality"].choices] == [
        "Thường",
        "Mật",
        "Tối mật",
        "Tuyệt mật",
    ]
    assert [label for _, label in form.fields["urgency"].choices] == [
        "Thường",
        "Khẩn",
        "Thượng khẩn",
        "Hỏa tốc",
    ]
