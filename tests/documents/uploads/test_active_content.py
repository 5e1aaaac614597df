"""PDFs with JavaScript, automatic actions, Launch, form submission or links to files are
accepted (an incoming document is a record) but flagged at upload, and a Vietnamese warning
is shown on the document page and in the reader; nothing in them is ever run (the browser
test is tests/e2e/test_reader_scripts.py)."""

from __future__ import annotations

import io
from typing import cast

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from audit.models import AuditEvent
from documents.models import ActiveContent
from documents.uploads.active_content import pdf_active_content
from tests.documents.helpers import (
    docx_bytes,
    pdf_action,
    pdf_bytes,
    pdf_changed,
    pdf_with_open_script,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]

WARNING = "Tệp PDF có chứa mã JavaScript / hành động tự chạy; KyHop không chạy các mã này."


def kinds(data: bytes) -> list[str]:
    return pdf_active_content(PdfReader(io.BytesIO(data)))


def _annotate(writer: PdfWriter, annotation: DictionaryObject) -> None:
    annotation.update(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (72, 72, 200, 100)]),
        }
    )
    page = writer.pages[0]
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _link(action: DictionaryObject):
    def change(writer: PdfWriter) -> None:
        link = DictionaryObject({NameObject("/Subtype"): NameObject("/Link")})
        link[NameObject("/A")] = action
        _annotate(writer, link)

    return change


# --- What is found ----------------------------------------------------------------------------


def test_a_plain_pdf_has_nothing():
    assert kinds(pdf_bytes()) == []


def test_an_open_action_script_is_javascript_that_runs_by_itself():
    assert kinds(pdf_with_open_script("app.alert('Xin chao');")) == ["javascript", "automatic"]


def test_an_open_action_that_only_shows_a_page_is_ordinary():
    def show_first_page(writer: PdfWriter) -> None:
        destination = ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")])
        writer._root_object[NameObject("/OpenAction")] = destination

    assert kinds(pdf_changed(show_first_page)) == []


def test_document_scripts_in_the_name_tree_are_found():
    def document_script(writer: PdfWriter) -> None:
        scripts = DictionaryObject(
            {
                NameObject("/Names"): ArrayObject(
                    [TextStringObject("in"), pdf_action("JavaScript", JS="this.print();")]
                )
            }
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(scripts)}
        )

    assert kinds(pdf_changed(document_script)) == ["javascript", "automatic"]


def test_a_page_open_action_is_found():
    def on_open(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): pdf_action("JavaScript", JS="app.beep(0);")}
        )

    assert kinds(pdf_changed(on_open)) == ["javascript", "automatic"]


def test_a_launch_link_is_found():
    launch = pdf_action("Launch", F="C:\\Windows\\System32\\cmd.exe")
    assert kinds(pdf_changed(_link(launch))) == ["launch"]


def test_a_script_chained_after_an_ordinary_link_is_found():
    first = pdf_action("URI", URI="https://example.gov.vn/")
    first[NameObject("/Next")] = pdf_action("JavaScript", JS="app.alert(2);")
    assert kinds(pdf_changed(_link(first))) == ["javascript"]


def test_web_links_are_ordinary_but_links_to_files_are_not():
    assert kinds(pdf_changed(_link(pdf_action("URI", URI="https://dichvucong.gov.vn/")))) == []
    assert kinds(pdf_changed(_link(pdf_action("URI", URI="file:///etc/passwd")))) == ["file_link"]
    assert kinds(pdf_changed(_link(pdf_action("GoToR", F="\\\\may-chu\\chia-se\\a.pdf")))) == [
        "file_link"
    ]


def test_a_form_that_submits_itself_is_found():
    def form(writer: PdfWriter) -> None:
        widget = DictionaryObject(
            {
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Btn"),
                NameObject("/T"): TextStringObject("gui"),
                NameObject("/AA"): DictionaryObject(
                    {NameObject("/Fo"): pdf_action("SubmitForm", F="https://thu-thap.example/")}
                ),
            }
        )
        _annotate(writer, widget)
        annotations = cast(ArrayObject, writer.pages[0]["/Annots"])
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject([annotations[0]]),
                NameObject("/XFA"): TextStringObject("<xdp:xdp/>"),
            }
        )

    assert kinds(pdf_changed(form)) == ["automatic", "submit_form", "xfa"]


def test_a_looping_outline_with_a_script_is_found_and_ends():
    def outline(writer: PdfWriter) -> None:
        item = DictionaryObject({NameObject("/Title"): TextStringObject("Mục 1")})
        item[NameObject("/A")] = pdf_action("JavaScript", JS="app.alert(3);")
        reference = writer._add_object(item)
        item[NameObject("/Next")] = reference  # loops back to itself
        writer._root_object[NameObject("/Outlines")] = writer._add_object(
            DictionaryObject({NameObject("/First"): reference, NameObject("/Last"): reference})
        )

    assert kinds(pdf_changed(outline)) == ["javascript"]


# --- Accepted, flagged, shown -----------------------------------------------------------------


def test_a_pdf_with_a_script_is_accepted_and_flagged(make_document):
    data = pdf_with_open_script("app.alert('Xin chao');")
    document = make_document(upload=upload("cong-van-den.pdf", data))
    version = document.versions.select_related("blob__active_content").get()
    assert version.blob.active_content.kinds == ["javascript", "automatic"]
    event = AuditEvent.objects.get(verb="document.version_added")
    assert event.details["active_content"] == ["javascript", "automatic"]


def test_ordinary_files_get_no_flag(make_document):
    make_document(upload=upload("to-trinh.pdf", pdf_bytes()))
    make_document(upload=upload("ke-hoach.docx", docx_bytes("Kế hoạch")))
    assert not ActiveContent.objects.exists()


def test_the_document_page_and_the_reader_warn_in_vietnamese(client, world, make_document):
    data = pdf_with_open_script("app.alert('Xin chao');")
    document = make_document(upload=upload("cong-van-den.pdf", data))
    client.force_login(world.clerk)
    for url in (
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:viewer", args=[document.pk]),
    ):
        html = client.get(url).content.decode()
        assert WARNING in html, url
        assert "mã JavaScript; hành động tự chạy khi mở tệp" in html, url


def test_the_warning_is_english_through_the_catalogue(client, world, make_document):
    document = make_document(upload=upload("a.pdf", pdf_with_open_script("app.alert(1);")))
    client.force_login(world.clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("documents:viewer", args=[document.pk])).content.decode()
    assert "This PDF contains JavaScript / actions that run by themselves" in html
    assert WARNING not in html


def test_no_warning_for_an_ordinary_pdf(client, world, make_document):
    document = make_document(upload=upload("to-trinh.pdf", pdf_bytes()))
    client.force_login(world.clerk)
    for url in (
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:viewer", args=[document.pk]),
    ):
        assert 'data-role="active-content"' not in client.get(url).content.decode()


def test_pdfs_stored_before_the_check_can_be_flagged_afterwards(make_document):
    from django.core.management import call_command

    document = make_document(upload=upload("cu.pdf", pdf_with_open_script("app.alert(1);")))
    ActiveContent.objects.all().delete()  # as if stored before the check existed
    out = io.StringIO()
    call_command("documents_scan_active_content", stdout=out)
    assert "1 tệp có nội dung chủ động" in out.getvalue()
    blob = document.versions.get().blob
    assert ActiveContent.objects.get(blob=blob).kinds == ["javascript", "automatic"]
    call_command("documents_scan_active_content", stdout=io.StringIO())  # again: nothing new
    assert ActiveContent.objects.count() == 1
