"""Search without diacritics, the visibility extension point, and the upload screens."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from accounts.models import Clearance
from documents import visibility
from documents.models import Document
from documents.search import fold
from documents.selectors import DocumentQuery, document_visible_to, documents_search
from tests.documents.helpers import encrypted_pdf_bytes, pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def test_fold_drops_diacritics_and_d_stroke():
    assert fold("Quyết  ĐỊNH\tđầu tư") == "quyet dinh dau tu"


@pytest.fixture
def documents(make_document):
    decision = make_document(
        doc_type="quyet_dinh",
        abstract="Phê duyệt kế hoạch chuyển đổi số",
        number="12",
        symbol="QĐ-UBND",
        issued_on=date(2026, 2, 5),
    )
    report = make_document(
        doc_type="bao_cao",
        abstract="Tình hình thực hiện nhiệm vụ quý I",
        number="30",
        symbol="BC-STTTT",
        issued_on=date(2026, 4, 1),
        upload=upload("bao-cao.pdf", pdf_bytes(2, text="Ngan sach tinh Bac Ninh")),
    )
    return decision, report


def _search(user, **query) -> list[Document]:
    return list(documents_search(user, DocumentQuery(**query)))


def test_search_without_diacritics_finds_the_type_and_abstract(world, documents):
    decision, _ = documents
    assert _search(world.member, text="quyet dinh") == [decision]
    assert _search(world.member, text="chuyen doi so") == [decision]
    assert _search(world.member, text="Chuyển đổi SỐ") == [decision]


def test_search_by_number_and_symbol(world, documents):
    decision, report = documents
    assert _search(world.member, text="12/QĐ-UBND") == [decision]
    assert _search(world.member, text="bc-stttt") == [report]


def test_search_finds_words_inside_the_pdf(world, documents):
    _, report = documents
    assert _search(world.member, text="ngan sach bac ninh") == [report]


def test_search_filters_by_type_body_and_dates(world, documents):
    decision, report = documents
    assert _search(world.member, doc_type="bao_cao") == [report]
    assert _search(world.member, date_from=date(2026, 3, 1)) == [report]
    assert _search(world.member, date_to=date(2026, 3, 1)) == [decision]
    assert set(_search(world.member, body=world.stttt)) == {decision, report}
    assert _search(world.member, body=world.sonv) == []


def test_search_never_returns_what_the_user_may_not_see(world, documents):
    assert _search(world.outsider, text="quyet dinh") == []


def test_search_page_without_diacritics(world, documents):
    client = Client()
    client.force_login(world.member)
    response = client.get(reverse("documents:list"), {"q": "quyet dinh"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phê duyệt kế hoạch chuyển đổi số" in page
    assert "Tình hình thực hiện" not in page


def test_list_page_queries_do_not_grow_with_documents(
    world, make_document, django_assert_max_num_queries
):
    for number in range(12):
        make_document(number=str(number), upload=upload(f"{number}.pdf", pdf_bytes(1, str(number))))
    client = Client()
    client.force_login(world.member)
    # + a fixed few for the rows' "Trình ký" actions (open requests, bodies one may file for)
    # and the navigation's register link, whatever the number of rows.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("documents:list")).status_code == 200


def test_a_registered_provider_grants_visibility_but_not_above_clearance(
    world, make_document, monkeypatch
):
    shared = make_document(number="1")
    secret = make_document(number="2", confidentiality=Clearance.SECRET)

    def meeting_participants(user) -> Q:
        return Q(pk__in=[shared.pk, secret.pk]) if user == world.outsider else Q(pk__in=[])

    world.outsider.clearance = Clearance.NORMAL
    world.outsider.save(update_fields=["clearance"])
    assert not document_visible_to(world.outsider, shared)
    with monkeypatch.context() as patched:
        patched.setitem(visibility.providers, "test.meetings", meeting_participants)
        assert document_visible_to(world.outsider, shared)
        assert not document_visible_to(world.outsider, secret)
    assert not document_visible_to(world.outsider, shared)


# --- Screens --------------------------------------------------------------------------------


def test_clerk_registers_a_document_through_the_form(world):
    client = Client()
    client.force_login(world.clerk)
    assert client.get(reverse("documents:create")).status_code == 200
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "to_trinh",
            "number": "45",
            "symbol": "TTr-STTTT",
            "abstract": "Về việc đầu tư hạ tầng",
            "confidentiality": "0",
            "status": "draft",
            "upload": upload("to-trinh.pdf", pdf_bytes()),
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "45/TTr-STTTT" in detail
    assert "Lịch sử phiên bản" in detail


def test_bad_file_in_the_form_shows_the_message_with_400(world):
    client = Client()
    client.force_login(world.clerk)
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "to_trinh",
            "abstract": "Về việc đầu tư",
            "confidentiality": "0",
            "status": "draft",
            "upload": upload("khoa.pdf", encrypted_pdf_bytes()),
        },
    )
    assert response.status_code == 400
    assert "mã hoá hoặc đặt mật khẩu" in response.content.decode()
    assert not Document.objects.exists()


def test_new_version_through_the_detail_page(world, make_document):
    document = make_document()
    client = Client()
    client.force_login(world.clerk)
    url = reverse("documents:version_add", args=[document.pk])
    response = client.post(url, {"upload": upload("v2.pdf", pdf_bytes(2)), "note": "Bản sửa"})
    assert response.status_code == 302
    assert document.versions.count() == 2
    again = client.post(url, {"upload": upload("v2-lai.pdf", pdf_bytes(2))})
    assert again.status_code == 400
    assert "giống hệt phiên bản 2" in again.content.decode()


def test_viewer_page_loads_pdfjs_from_static_without_inline_script(world, make_document):
    document = make_document()
    client = Client()
    client.force_login(world.member)
    page = client.get(reverse("documents:viewer", args=[document.pk])).content.decode()
    assert 'type="module" src="/static/js/viewer.js"' in page
    assert 'data-pdf-url="/van-ban/' in page
    assert "<script>" not in page and "style=" not in page
