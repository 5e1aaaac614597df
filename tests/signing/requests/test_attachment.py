"""An attachment in its own file (phụ lục tách tệp) goes with its main document: it names the
main document's request, is signed by the agency only once the main document is numbered, and
carries that number and symbol and the signing time (ISO 8601, +07:00)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from documents.selectors import document_latest_version
from documents.storage import blob_open
from signing.models import RequestStatus, SigningRequest, StepKind
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_create,
    request_number_assign,
    request_send,
    step_sign,
)
from tests.signing.helpers import blank_pdf, register, to_trinh

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 12, 4)


def _main(world) -> SigningRequest:
    pdf, area = to_trinh()
    steps = [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair, placement=area),))]
    request = request_create(
        actor=world.clerk, version=register(world, pdf), steps=steps, level="B-B"
    )
    return request_send(actor=world.clerk, request=request)


def _attachment(world, main: SigningRequest | None, *, actor=None) -> SigningRequest:
    return request_create(
        actor=actor or world.clerk,
        version=register(world, blank_pdf()),
        steps=[StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=world.ubnd),))],
        level="B-B",
        is_attachment=True,
        main_request=main,
    )


def _seal(world, request: SigningRequest) -> None:
    assignee = waiting_for(world.clerk).get(step__request=request)
    step_sign(actor=world.clerk, assignee=assignee, passphrase=settings.KYHOP_PKI_PASSPHRASE)


def _page_text(request: SigningRequest) -> str:
    version = document_latest_version(request.document)
    assert version is not None
    with blob_open(version.blob.storage_name) as handle, tempfile.NamedTemporaryFile() as pdf:
        pdf.write(handle.read())
        pdf.flush()
        out = subprocess.run(
            ["pdftotext", "-l", "1", pdf.name, "-"], capture_output=True, text=True, check=True
        )
    return " ".join(out.stdout.split())


def test_an_attachment_names_a_valid_main_document_its_clerk_manages(province):
    with pytest.raises(ValidationError, match="Hãy chọn văn bản chính"):
        _attachment(province, None)
    main = _main(province)
    attachment = _attachment(province, main)
    with pytest.raises(ValidationError, match="còn hiệu lực"):
        _attachment(province, attachment)  # an attachment of an attachment
    with pytest.raises(PermissionDenied):
        _attachment(province, main, actor=province.drafter1)
    main.status = RequestStatus.CANCELLED
    main.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="còn hiệu lực"):
        _attachment(province, main)
    assert list(SigningRequest.objects.filter(is_attachment=True)) == [attachment]


def test_the_attachment_is_signed_with_the_main_number_once_it_has_one(province):
    main = _main(province)
    attachment = request_send(actor=province.clerk, request=_attachment(province, main))
    with pytest.raises(ValidationError, match="văn bản chính chưa được cấp số"):
        _seal(province, attachment)

    chair = waiting_for(province.chair).get(step__request=main)
    step_sign(actor=province.chair, assignee=chair, passphrase=settings.KYHOP_PKI_PASSPHRASE)
    request_number_assign(actor=province.clerk, request=main, issued_on=ISSUED_ON)
    main.document.refresh_from_db()
    number_symbol = main.document.number_symbol
    assert re.fullmatch(r"\d+/TTr-UBND", number_symbol)

    _seal(province, attachment)
    attachment.refresh_from_db()
    assert attachment.status == RequestStatus.COMPLETED
    # The agency's signature text on page 1: the main number and the time, ISO 8601 +07:00.
    text = _page_text(attachment)
    assert re.search(re.escape(number_symbol) + r"; \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", text)
    # The attachment takes the main document's number, symbol and date (no register number).
    document = attachment.document
    document.refresh_from_db()
    assert (document.number_symbol, document.issued_on) == (number_symbol, ISSUED_ON)


def test_the_request_form_ties_an_attachment_to_the_main_document(province):
    main = _main(province)
    version = register(province, blank_pdf())
    client = Client()
    client.force_login(province.clerk)
    url = reverse("signing:request_new", args=[version.document_id, version.number])
    page = client.get(url).content.decode()
    assert "Văn bản chính của phụ lục" in page and f'value="{main.pk}"' in page
    refused = client.post(url, {"level": "B-B", "is_attachment": "on"})
    assert "Hãy chọn văn bản chính mà phụ lục này kèm theo." in refused.content.decode()
    made = client.post(url, {"level": "B-B", "is_attachment": "on", "main_request": main.pk})
    assert made.status_code == 302
    attachment = SigningRequest.objects.get(document=version.document)
    assert attachment.main_request == main
    detail = client.get(reverse("signing:request_detail", args=[attachment.pk])).content.decode()
    assert "Phụ lục của" in detail and "văn bản chính chưa cấp số" in detail
    main_page = client.get(reverse("signing:request_detail", args=[main.pk])).content.decode()
    assert "Phụ lục kèm theo" in main_page
