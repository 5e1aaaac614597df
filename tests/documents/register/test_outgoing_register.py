"""The outgoing register (sổ văn bản đi): numbers per body, type and year, never reused nor
skipped — also with two clerks numbering at once on PostgreSQL — and its page for clerks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from documents.models import Document, OutgoingEntry
from documents.register.selectors import register_next_number
from documents.register.services import register_number_take

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 9)


def _blank(make_document, **fields) -> Document:
    return make_document(number="", **fields)


def test_numbers_run_per_body_type_and_year_from_01(world, doc_storage, make_document):
    first, second = _blank(make_document), _blank(make_document)
    letter = _blank(make_document, doc_type="cong_van", symbol="STTTT-VP")
    next_year = _blank(make_document)

    taken = [
        register_number_take(actor=world.clerk, document=first, issued_on=ON),
        register_number_take(actor=world.clerk, document=second, issued_on=ON),
        register_number_take(actor=world.clerk, document=letter, issued_on=ON),
        register_number_take(actor=world.clerk, document=next_year, issued_on=dt.date(2027, 1, 2)),
    ]

    assert [e.number for e in taken] == [1, 2, 1, 1]
    first.refresh_from_db()
    assert (first.number_symbol, first.issued_on) == ("01/TTr-STTTT", ON)
    assert taken[1].number_symbol == "02/TTr-STTTT"
    assert register_next_number(document=first, year=2026) == "03"


def test_a_failed_numbering_gives_its_number_back(world, doc_storage, make_document):
    document = _blank(make_document)
    with pytest.raises(RuntimeError), transaction.atomic():
        register_number_take(actor=world.clerk, document=document, issued_on=ON)
        raise RuntimeError("the signature fill failed afterwards")

    entry = register_number_take(actor=world.clerk, document=document, issued_on=ON)

    assert entry.number == 1  # not skipped
    assert OutgoingEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers itself (IMMEDIATE transactions); the row lock is PG's",
)
def test_two_clerks_numbering_at_once_get_consecutive_numbers(world, doc_storage, make_document):
    documents = [_blank(make_document) for _ in range(6)]
    barrier = threading.Barrier(2)
    taken: list[int] = []
    errors: list[BaseException] = []

    def clerk(batch: list[Document]) -> None:
        try:
            barrier.wait(timeout=30)
            for document in batch:
                with transaction.atomic():
                    entry = register_number_take(actor=world.clerk, document=document, issued_on=ON)
                taken.append(entry.number)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=clerk, args=(documents[0::2],)),
        threading.Thread(target=clerk, args=(documents[1::2],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(taken) == [1, 2, 3, 4, 5, 6]
    numbers = sorted(Document.objects.exclude(number="").values_list("number", flat=True))
    assert numbers == ["01", "02", "03", "04", "05", "06"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_register_page_is_for_clerks_and_searchable(world, doc_storage, make_document):
    plan = _blank(make_document, abstract="Kế hoạch chuyển đổi số")
    other = _blank(make_document, abstract="Về việc họp giao ban")
    register_number_take(actor=world.clerk, document=plan, issued_on=ON)
    register_number_take(actor=world.clerk, document=other, issued_on=dt.date(2026, 4, 1))
    url = reverse("documents:register_list")

    page = _client(world.clerk).get(url)
    assert page.status_code == 200
    assert "01/TTr-STTTT" in page.content.decode() and "02/TTr-STTTT" in page.content.decode()
    assert reverse("documents:register_list") in page.content.decode()  # in the navigation

    found = _client(world.clerk).get(url, {"q": "chuyển đổi"}).content.decode()
    assert "01/TTr-STTTT" in found and "02/TTr-STTTT" not in found
    by_number = _client(world.clerk).get(url, {"q": "2"}).content.decode()
    assert "02/TTr-STTTT" in by_number and "01/TTr-STTTT" not in by_number
    by_date = _client(world.clerk).get(url, {"issued_from": "2026-03-15"}).content.decode()
    assert "02/TTr-STTTT" in by_date and "01/TTr-STTTT" not in by_date

    for intruder in (world.member, world.outsider):
        assert _client(intruder).get(url).status_code == 403
        assert _client(intruder).get(reverse("documents:register_csv")).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_register_exports_as_csv(world, doc_storage, make_document):
    register_number_take(actor=world.clerk, document=_blank(make_document), issued_on=ON)

    response = _client(world.clerk).get(reverse("documents:register_csv"), {"year": "2026"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Số thứ tự", "Số, ký hiệu", "Ngày văn bản"]
    assert rows[1][:4] == ["1", "01/TTr-STTTT", "09/03/2026", "Tờ trình"]


def test_the_register_exports_as_an_excel_sheet(world, doc_storage, make_document):
    register_number_take(actor=world.clerk, document=_blank(make_document), issued_on=ON)
    trap = _blank(make_document, abstract='=HYPERLINK("http://evil.example","Bấm vào đây")')
    register_number_take(actor=world.clerk, document=trap, issued_on=ON)

    response = _client(world.clerk).get(reverse("documents:register_xlsx"), {"year": "2026"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    assert [c.value for c in header[:3]] == ["Số thứ tự", "Số, ký hiệu", "Ngày văn bản"]
    by_number = {row[0].value: row for row in rows}
    assert sorted(by_number) == [1, 2]
    first = [c.value for c in by_number[1][:4]]
    assert first == [1, "01/TTr-STTTT", dt.datetime(2026, 3, 9), "Tờ trình"]
    # The abstract stays text: Excel shows it, it never runs it.
    abstract = by_number[2][4]
    assert abstract.value.startswith("=HYPERLINK") and abstract.data_type == "s"
    for intruder in (world.member, world.outsider):
        assert _client(intruder).get(reverse("documents:register_xlsx")).status_code == 403


def test_the_csv_quotes_what_a_spreadsheet_would_run(world, doc_storage, make_document):
    trap = _blank(make_document, abstract="=1+1")
    register_number_take(actor=world.clerk, document=trap, issued_on=ON)
    response = _client(world.clerk).get(reverse("documents:register_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][4] == "'=1+1"
