"""The download view: Range and If-Range, ETag, 206/416, streaming, and who may fetch."""

from __future__ import annotations

import hashlib

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory, Client
from django.urls import reverse

from accounts.models import Clearance
from documents.reader.http import ByteRange, RangeNotSatisfiable, blob_response, byte_range
from tests.documents.helpers import pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]

DATA = pdf_bytes(5)


@pytest.fixture
def document(make_document):
    from tests.documents.helpers import upload

    return make_document(upload=upload("nam-trang.pdf", DATA))


@pytest.fixture
def client_of(world):
    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def _url(document, number: int = 1) -> str:
    return reverse("documents:version_file", args=[document.pk, number])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_full_download_has_length_etag_and_accept_ranges(world, document, client_of):
    response = client_of(world.member).get(_url(document))
    assert response.status_code == 200
    assert _body(response) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{hashlib.sha256(DATA).hexdigest()}"'
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]


def test_range_answers_206_with_exact_bytes(world, document, client_of):
    response = client_of(world.member).get(_url(document), headers={"Range": "bytes=10-99"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-99/{len(DATA)}"
    assert response["Content-Length"] == "90"
    assert _body(response) == DATA[10:100]


def test_open_ended_and_suffix_ranges(world, document, client_of):
    client = client_of(world.member)
    tail = client.get(_url(document), headers={"Range": "bytes=-100"})
    assert tail.status_code == 206
    assert _body(tail) == DATA[-100:]
    assert tail["Content-Range"] == f"bytes {len(DATA) - 100}-{len(DATA) - 1}/{len(DATA)}"
    rest = client.get(_url(document), headers={"Range": f"bytes={len(DATA) - 5}-"})
    assert _body(rest) == DATA[-5:]
    clipped = client.get(_url(document), headers={"Range": "bytes=0-999999999"})
    assert clipped.status_code == 206
    assert _body(clipped) == DATA


def test_if_range_with_current_etag_gives_the_range(world, document, client_of):
    client = client_of(world.member)
    etag = client.head(_url(document))["ETag"]
    response = client.get(_url(document), headers={"Range": "bytes=0-9", "If-Range": etag})
    assert response.status_code == 206
    assert _body(response) == DATA[:10]


def test_if_range_with_another_etag_gives_the_whole_file(world, document, client_of):
    response = client_of(world.member).get(
        _url(document), headers={"Range": "bytes=0-9", "If-Range": '"not-this-one"'}
    )
    assert response.status_code == 200
    assert _body(response) == DATA
    assert "Content-Range" not in response


def test_unsatisfiable_range_answers_416(world, document, client_of):
    response = client_of(world.member).get(_url(document), headers={"Range": f"bytes={len(DATA)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


def test_several_ranges_answer_the_whole_file(world, document, client_of):
    response = client_of(world.member).get(_url(document), headers={"Range": "bytes=0-1,5-6"})
    assert response.status_code == 200
    assert _body(response) == DATA


def test_if_none_match_answers_304(world, document, client_of):
    client = client_of(world.member)
    etag = client.head(_url(document))["ETag"]
    assert client.get(_url(document), headers={"If-None-Match": etag}).status_code == 304


def test_head_sends_headers_without_body(world, document, client_of):
    response = client_of(world.member).head(_url(document), headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_original_office_file_is_downloadable_only_when_there_is_one(world, document, client_of):
    url = reverse("documents:version_original", args=[document.pk, 1])
    assert client_of(world.member).get(url).status_code == 404


def test_asgi_download_streams_with_an_async_iterator(document):
    # Under ASGI Django reads a *sync* iterator whole into memory before sending; the view must
    # hand it an async one there.
    request = AsyncRequestFactory().get("/", headers={"Range": "bytes=5-14"})
    blob = document.versions.get().blob
    response = blob_response(request, blob, filename="a.pdf")
    assert response.status_code == 206
    assert response.is_async

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    assert async_to_sync(collect)() == DATA[5:15]


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("bytes=0-0", 100, ByteRange(0, 0)),
        ("bytes=90-", 100, ByteRange(90, 99)),
        ("bytes=-10", 100, ByteRange(90, 99)),
        ("bytes=-1000", 100, ByteRange(0, 99)),
        ("bytes=5-2", 100, None),  # invalid: ignored
        ("bytes=abc", 100, None),
        ("items=0-5", 100, None),
        ("bytes=0-5,10-20", 100, None),
    ],
)
def test_byte_range_parsing(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0"])
def test_byte_range_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 100)


# --- Who may see: every screen and file answers 404 (or the login page) to outsiders ------------


def _document_urls(document) -> list[str]:
    return [
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:viewer", args=[document.pk]),
        reverse("documents:version_viewer", args=[document.pk, 1]),
        reverse("documents:version_file", args=[document.pk, 1]),
    ]


def test_members_of_the_body_can_open_everything(world, document, client_of):
    client = client_of(world.member)
    for url in _document_urls(document):
        assert client.get(url).status_code == 200, url


def test_another_bodys_official_gets_404_everywhere(world, document, client_of):
    client = client_of(world.outsider)
    for url in _document_urls(document):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("documents:list"))
    assert document.abstract not in listing.content.decode()


def test_anonymous_is_sent_to_login(document):
    client = Client()
    for url in _document_urls(document):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_uncleared_member_gets_404_for_a_secret_document(world, make_document, client_of):
    secret = make_document(confidentiality=Clearance.SECRET, number="99")
    member = client_of(world.member)
    for url in _document_urls(secret):
        assert member.get(url).status_code == 404, url
    clerk = client_of(world.clerk)
    for url in _document_urls(secret):
        assert clerk.get(url).status_code == 200, url


def test_outsider_cannot_post_a_version(world, document, client_of):
    from tests.documents.helpers import upload

    response = client_of(world.outsider).post(
        reverse("documents:version_add", args=[document.pk]),
        {"upload": upload("v2.pdf", pdf_bytes(2))},
    )
    assert response.status_code == 404
    assert document.versions.count() == 1


def test_superuser_sees_everything(world, make_document, client_of):
    secret = make_document(actor=world.top, confidentiality=Clearance.TOP_SECRET, number="7")
    admin = world.outsider
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = client_of(admin)
    for url in _document_urls(secret):
        assert client.get(url).status_code == 200, url
