"""Office conversion costs a hostile file nothing: archives that expand past the limits are
refused before LibreOffice starts; LibreOffice runs under time, CPU, memory and file-size
limits, and dies — with everything it started and every file it wrote — on a timeout, when the
request is cancelled and when the server dies (tests/documents/test_conversion_live.py)."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents.models import Document
from documents.uploads.conversion import office_to_pdf, soffice_binary
from tests.documents.helpers import docx_bytes, docx_from_body, gone, processes_with, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary files of this test (the server's and the watchdog's) go here, and only here."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setenv("TMPDIR", str(directory))
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory
    for pid in processes_with(str(directory)):  # never leave one running, whatever failed
        os.kill(pid, signal.SIGKILL)


def fake_soffice(tmp_path: Path, script: str) -> str:
    """A stand-in for LibreOffice (a shell script; HOME is its private directory)."""
    path = tmp_path / "bin" / "fake-soffice"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return str(path)


def bomb(megabytes: int = 50) -> bytes:
    """A DOCX whose padding member unpacks to *megabytes* of zeros (about 1000x its size)."""
    return docx_from_body("<w:p/>", extra={"word/media/padding.bin": bytes(megabytes << 20)})


def _refused(make_document, data: bytes, name: str = "giay-moi.docx") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        make_document(upload=upload(name, data))
    assert not Document.objects.exists()
    return caught.value


# --- Archives that expand past the limits -----------------------------------------------------


def test_a_normal_docx_converts_and_leaves_nothing_behind(make_document, private_tmp):
    document = make_document(upload=upload("ke-hoach.docx", docx_bytes("Kế hoạch năm 2026")))
    assert document.versions.get().blob.page_count == 1
    assert list(private_tmp.iterdir()) == []
    assert gone(str(private_tmp))


def test_soffice_bin_is_started_directly():
    # oosplash (started by the soffice script) forks soffice.bin, which the kernel would not
    # kill with the watchdog; soffice.bin itself is the watchdog's child.
    assert soffice_binary().endswith("/soffice.bin")


def test_a_zip_bomb_is_refused_before_libreoffice_starts(make_document, private_tmp, settings):
    settings.KYHOP_SOFFICE_BINARY = "/nonexistent/soffice"  # a conversion would be a 500
    data = bomb()
    assert len(data) < 200_000
    error = _refused(make_document, data)
    message = " ".join(error.messages)
    assert error.error_list[0].code == "zip_bomb"
    assert "Tệp “giay-moi.docx” là tệp nén; giải nén ra sẽ lớn hơn" in message
    assert "không quá 200,0 MB và không quá 100 lần dung lượng tệp" in message
    assert list(private_tmp.iterdir()) == []


def test_an_archive_over_the_absolute_limit_is_refused(make_document, settings):
    settings.KYHOP_OFFICE_MAX_UNPACKED_BYTES = 1 << 20
    settings.KYHOP_SOFFICE_BINARY = "/nonexistent/soffice"
    noise = docx_from_body("<w:p/>", extra={"word/media/photo.bin": os.urandom(2 << 20)})
    assert _refused(make_document, noise).error_list[0].code == "zip_bomb"


def test_sizes_an_archive_declares_falsely_are_caught(make_document, settings):
    """A member that claims 100 bytes but unpacks to 50 MB is refused, not believed."""
    settings.KYHOP_SOFFICE_BINARY = "/nonexistent/soffice"
    data = bytearray(bomb())
    name = b"word/media/padding.bin"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name.decode()).header_offset
        entry = archive.start_dir
    struct.pack_into("<I", data, local + 22, 100)  # the local header's uncompressed size
    while True:  # walk the central directory to that member's entry
        lengths = struct.unpack_from("<HHH", data, entry + 28)
        if bytes(data[entry + 46 : entry + 46 + lengths[0]]) == name:
            break
        entry += 46 + sum(lengths)
    struct.pack_into("<I", data, entry + 24, 100)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("word/media/padding.bin").file_size == 100
    _refused(make_document, bytes(data))


def test_an_archive_with_too_many_members_is_refused(make_document, settings):
    settings.KYHOP_OFFICE_MAX_MEMBERS = 50
    settings.KYHOP_SOFFICE_BINARY = "/nonexistent/soffice"
    many = docx_from_body("<w:p/>", extra={f"word/media/{n}.xml": b"<a/>" for n in range(60)})
    error = _refused(make_document, many)
    assert "chứa quá nhiều thành phần nén (tối đa 50)" in " ".join(error.messages)


def test_the_upload_page_answers_400_with_the_vietnamese_message(client, world, private_tmp):
    client.force_login(world.clerk)
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "giay_moi",
            "abstract": "Giấy mời họp",
            "confidentiality": 0,
            "status": "draft",
            "upload": upload("giay-moi.docx", bomb()),
        },
    )
    assert response.status_code == 400
    assert "là tệp nén; giải nén ra sẽ lớn hơn" in response.content.decode()
    assert not Document.objects.exists()


# --- LibreOffice's limits ---------------------------------------------------------------------


def test_a_conversion_past_its_time_is_killed_with_all_it_started(settings, private_tmp, tmp_path):
    # A wrapper that leaves a grandchild running, as oosplash leaves soffice.bin.
    settings.KYHOP_SOFFICE_BINARY = fake_soffice(tmp_path, "sleep 300 &\nsleep 301")
    settings.KYHOP_SOFFICE_TIMEOUT = 2
    with pytest.raises(ValidationError) as caught:
        office_to_pdf(upload("a.docx", docx_bytes("x")), suffix="docx")
    assert caught.value.error_list[0].code == "conversion_timeout"
    assert "quá thời gian cho phép" in caught.value.messages[0]
    assert gone(str(private_tmp))
    assert list(private_tmp.iterdir()) == []


def test_a_conversion_over_its_cpu_time_is_stopped(settings, private_tmp, tmp_path):
    settings.KYHOP_SOFFICE_BINARY = fake_soffice(tmp_path, "while :; do :; done")
    settings.KYHOP_SOFFICE_CPU_SECONDS = 1
    with pytest.raises(ValidationError) as caught:
        office_to_pdf(upload("a.docx", docx_bytes("x")), suffix="docx")
    assert caught.value.error_list[0].code == "conversion_limit"
    assert "cần quá nhiều tài nguyên" in caught.value.messages[0]
    assert gone(str(private_tmp))


def test_a_conversion_writing_too_much_is_stopped(settings, private_tmp, tmp_path):
    settings.KYHOP_SOFFICE_BINARY = fake_soffice(
        tmp_path, 'exec head -c 10000000 /dev/zero > "$HOME/huge.pdf"'
    )
    settings.KYHOP_UPLOAD_MAX_BYTES = 1_000_000
    with pytest.raises(ValidationError) as caught:
        office_to_pdf(upload("a.docx", docx_bytes("x")), suffix="docx")
    assert caught.value.error_list[0].code == "conversion_limit"
    assert gone(str(private_tmp))
    assert list(private_tmp.iterdir()) == []


def test_libreoffice_without_enough_memory_is_a_clear_refusal(settings, private_tmp):
    settings.KYHOP_SOFFICE_MEMORY_MB = 100
    with pytest.raises(ValidationError) as caught:
        office_to_pdf(upload("a.docx", docx_bytes("x")), suffix="docx")
    assert caught.value.error_list[0].code in {"conversion_failed", "conversion_limit"}
    assert gone(str(private_tmp))
    assert list(private_tmp.iterdir()) == []


def test_the_watchdog_never_passes_the_servers_secrets_on(settings, private_tmp, tmp_path):
    report = tmp_path / "env.txt"
    settings.KYHOP_SOFFICE_BINARY = fake_soffice(tmp_path, f"env > {report}")
    os.environ["KYHOP_TEST_SECRET"] = "bi-mat"
    try:
        with pytest.raises(ValidationError):
            office_to_pdf(upload("a.docx", docx_bytes("x")), suffix="docx")
    finally:
        del os.environ["KYHOP_TEST_SECRET"]
    environment = report.read_text()
    assert "bi-mat" not in environment and "SECRET_KEY" not in environment
    assert f"HOME={private_tmp}/kyhop-soffice-" in environment


# --- Cancellation (a client that goes away under ASGI) ----------------------------------------


async def test_a_cancelled_request_stops_its_conversion(settings, private_tmp, tmp_path):
    """As Django's ASGI handler does when the client disconnects: the request's task is
    cancelled while the sync view's thread waits for LibreOffice."""
    settings.KYHOP_SOFFICE_BINARY = fake_soffice(tmp_path, "sleep 300 &\nsleep 301")
    marker = str(private_tmp)
    request = asyncio.create_task(
        sync_to_async(office_to_pdf)(upload("a.docx", docx_bytes("x")), suffix="docx")
    )
    for _ in range(300):
        if len(processes_with(marker)) >= 3:  # the watchdog, the wrapper and its child
            break
        await asyncio.sleep(0.05)
    assert len(processes_with(marker)) >= 3
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert await sync_to_async(gone)(marker)
    assert list(private_tmp.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_the_conversion_runs_before_the_database_transaction(make_document, monkeypatch):
    """A conversion may take minutes; on SQLite an open write transaction would hold every other
    writer of the site that long."""
    from django.db import connection

    from documents import services

    seen: list[bool] = []

    def watched(upload, *, suffix):
        seen.append(connection.in_atomic_block)
        return office_to_pdf(upload, suffix=suffix)

    monkeypatch.setattr(services, "office_to_pdf", watched)
    make_document(upload=upload("ke-hoach.docx", docx_bytes("Kế hoạch")))
    assert seen == [False]
    assert Document.objects.count() == 1


def test_a_large_upload_is_streamed_to_an_unnamed_file(
    client, world, private_tmp, settings, monkeypatch
):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE the upload goes to disk, in a file with no name that a
    killed server cannot leave behind (documents/uploads/handlers.py)."""
    from pypdf.generic import DecodedStreamObject

    from documents import services
    from documents.uploads.handlers import UnnamedTemporaryUploadedFile
    from tests.documents.helpers import pdf_changed

    received: list[object] = []
    create = services.document_create

    def watched(**fields):
        received.append(fields["upload"])
        assert list(private_tmp.iterdir()) == []  # on disk, yet under no name
        return create(**fields)

    monkeypatch.setattr(services, "document_create", watched)

    def pad(writer) -> None:
        filler = DecodedStreamObject()
        filler.set_data(os.urandom(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + (1 << 20)))
        writer._add_object(filler)

    data = pdf_changed(pad)
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(world.clerk)
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "bao_cao",
            "abstract": "Báo cáo có ảnh chụp",
            "confidentiality": 0,
            "status": "draft",
            "upload": upload("bao-cao.pdf", data),
        },
    )
    assert response.status_code == 302
    assert isinstance(received[0], UnnamedTemporaryUploadedFile)
    assert Document.objects.get().versions.get().blob.size == len(data)
    assert list(private_tmp.iterdir()) == []
