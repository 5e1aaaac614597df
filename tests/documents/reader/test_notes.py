"""Private notes: only their author ever reads them, through any endpoint; they follow the
document to later versions and say so when their page is gone."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.services import membership_set, user_create
from audit.models import AuditEvent
from documents import services
from documents.models import DocumentNote, NoteKind
from documents.selectors import notes_for_reading, notes_of
from tests.documents.helpers import pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]

SECRET_TEXT = "Cần hỏi lại số liệu ngân sách ở trang này"


@pytest.fixture
def document(make_document):
    return make_document(upload=upload("ba-trang.pdf", pdf_bytes(3)))


@pytest.fixture
def note(world, document):
    return services.note_add(
        actor=world.member, document=document, version_number=1, page=2, text=SECRET_TEXT
    )


def _client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _csrf(client: Client, document) -> str:
    """The token the reader page hands to its script (the CSRF cookie is HttpOnly)."""
    response = client.get(reverse("documents:viewer", args=[document.pk]))
    return str(response.context["csrf_token"])


def _post(client: Client, url: str, token: str, data: dict) -> object:
    return client.post(
        url, json.dumps(data), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )


def test_a_reader_adds_text_and_highlight_notes_through_the_endpoint(world, document):
    client = _client(world.member)
    token = _csrf(client, document)
    url = reverse("documents:notes", args=[document.pk])
    text = _post(client, url, token, {"version": 1, "page": 1, "text": "Ghi chú trang 1"})
    mark = _post(
        client,
        url,
        token,
        {"version": 1, "page": 2, "kind": "highlight", "rect": [10, 20, 100, 30]},
    )
    assert text.status_code == 201 and mark.status_code == 201
    listing = client.get(url).json()
    assert [(n["kind"], n["page"], n["rect"]) for n in listing["notes"]] == [
        ("text", 1, None),
        ("highlight", 2, [10.0, 20.0, 100.0, 30.0]),
    ]
    assert listing["notes"][0]["text"] == "Ghi chú trang 1"


def test_posting_a_note_without_the_csrf_token_is_refused(world, document):
    client = _client(world.member)
    response = client.post(
        reverse("documents:notes", args=[document.pk]),
        json.dumps({"version": 1, "text": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not DocumentNote.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "top", "superuser"])
def test_nobody_else_reads_a_note_even_a_clerk_or_superuser(world, document, note, who):
    if who == "superuser":
        other = user_create(actor=None, username="admin", full_name="Quản Trị", password="x")
        other.is_superuser = other.is_staff = True
        other.save(update_fields=["is_superuser", "is_staff"])
    else:
        other = getattr(world, who)
    client = _client(other)
    token = _csrf(client, document)
    listing = client.get(reverse("documents:notes", args=[document.pk]))
    assert listing.status_code == 200 and listing.json()["notes"] == []
    assert SECRET_TEXT not in listing.content.decode()
    update = reverse("documents:note_update", args=[document.pk, note.pk])
    delete = reverse("documents:note_delete", args=[document.pk, note.pk])
    assert _post(client, update, token, {"text": "sửa trộm"}).status_code == 404
    assert _post(client, delete, token, {}).status_code == 404
    note.refresh_from_db()
    assert note.text == SECRET_TEXT
    assert list(notes_of(other, document)) == []
    # The admin site has no page for notes either.
    assert DocumentNote not in admin.site._registry
    if other.is_superuser:
        assert client.get("/quan-tri/documents/documentnote/").status_code == 404


def test_notes_are_not_in_any_page_of_the_document(world, document, note):
    client = _client(world.clerk)
    for name in ("documents:detail", "documents:viewer"):
        page = client.get(reverse(name, args=[document.pk])).content.decode()
        assert SECRET_TEXT not in page


def test_an_outsider_gets_404_for_the_notes_of_a_document_they_cannot_see(world, document, note):
    client = _client(world.outsider)
    assert client.get(reverse("documents:notes", args=[document.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.note_add(actor=world.outsider, document=document, version_number=1, text="x")


def test_the_author_updates_and_deletes_their_note(world, document, note):
    client = _client(world.member)
    token = _csrf(client, document)
    update = reverse("documents:note_update", args=[document.pk, note.pk])
    assert _post(client, update, token, {"text": "Đã hỏi"}).json()["note"]["text"] == "Đã hỏi"
    delete = reverse("documents:note_delete", args=[document.pk, note.pk])
    assert _post(client, delete, token, {}).status_code == 200
    assert not DocumentNote.objects.exists()


def test_another_user_cannot_change_a_note_through_the_services(world, note):
    for service, extra in ((services.note_update, {"text": "x"}), (services.note_delete, {})):
        with pytest.raises(PermissionDenied):
            service(actor=world.clerk, note=note, **extra)


def test_the_audit_trail_records_notes_without_their_text(world, document, note):
    services.note_update(actor=world.member, note=note, text="Nội dung mới bí mật")
    services.note_delete(actor=world.member, note=note)
    events = AuditEvent.objects.filter(verb__startswith="document_note.")
    assert [e.verb for e in events.order_by("seq")] == [
        "document_note.added",
        "document_note.updated",
        "document_note.deleted",
    ]
    for event in events:
        dumped = json.dumps(event.details, ensure_ascii=False)
        assert SECRET_TEXT not in dumped and "bí mật" not in dumped
        assert event.details["page"] == 2


def test_notes_follow_the_document_and_say_when_their_page_is_gone(world, document):
    on_three = services.note_add(
        actor=world.member,
        document=document,
        version_number=1,
        page=3,
        kind=NoteKind.HIGHLIGHT,
        rect=[1, 2, 3, 4],
    )
    whole = services.note_add(actor=world.member, document=document, version_number=1, text="Cả")
    shorter = services.document_version_add(
        actor=world.clerk, document=document, upload=upload("hai-trang.pdf", pdf_bytes(2, "v2"))
    )
    views = {view.note.pk: view for view in notes_for_reading(world.member, shorter)}
    assert views[on_three.pk].page_gone and not views[whole.pk].page_gone
    client = _client(world.member)
    listing = client.get(reverse("documents:notes", args=[document.pk])).json()
    assert listing["version"] == 2
    gone = {n["id"]: n["page_gone"] for n in listing["notes"]}
    assert gone == {on_three.pk: True, whole.pk: False}
    old = client.get(reverse("documents:notes", args=[document.pk]), {"phien-ban": 1}).json()
    assert not any(n["page_gone"] for n in old["notes"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"page": 4, "text": "x"}, "page"),
        ({"page": 1, "kind": "highlight"}, "rect"),
        ({"page": 1, "kind": "highlight", "rect": [0, 0, 0, 5]}, "rect"),
        ({"page": 1, "kind": "highlight", "rect": "0,0,1,1"}, "rect"),
        ({"page": 1, "kind": "scribble", "text": "x"}, "kind"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"version_number": 9, "text": "x"}, "version_number"),
    ],
)
def test_bad_notes_are_refused_with_a_vietnamese_message(world, document, fields, field):
    arguments = {"version_number": 1, **fields}
    with pytest.raises(ValidationError) as caught:
        services.note_add(actor=world.member, document=document, **arguments)
    assert field in caught.value.message_dict
    assert not DocumentNote.objects.exists()


def test_malformed_json_answers_400_not_500(world, document):
    client = _client(world.member)
    token = _csrf(client, document)
    url = reverse("documents:notes", args=[document.pk])
    response = client.post(
        url, b"{not json", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 400
    assert _post(client, url, token, {"version": "abc", "text": "x"}).status_code == 400


def test_a_member_of_another_body_with_a_grant_sees_only_their_own_notes(world, document, note):
    membership_set(actor=None, user=world.outsider, body=world.stttt, role="member")
    mine = services.note_add(actor=world.outsider, document=document, version_number=1, text="Tôi")
    assert list(notes_of(world.outsider, document)) == [mine]
    assert list(notes_of(world.member, document)) == [note]
