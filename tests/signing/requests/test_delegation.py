"""Delegation (ủy quyền) never puts the delegate's signature above the original signer's printed
name: a document KyHop laid out is re-printed with the delegate's block (KT., TL., TUQ.), an
uploaded draft or an already signed one is refused with nothing changed."""

from __future__ import annotations

import asyncio
import io
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from documents.storage import blob_open
from signing import devpki
from signing.models import AssigneeStatus, SignsAs, StepAssignee, StepKind
from signing.pades import appearances
from signing.pades.appearances import Placement
from signing.requests.delegation import delegation_outlook
from signing.requests.record import request_record
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    main_placement_for,
    request_create,
    request_send,
    step_delegate,
    step_sign,
)
from tests.signing.helpers import register, to_trinh
from tests.signing.requests.helpers import CHAIR_FIELD, rendered_request

pytestmark = pytest.mark.django_db

FIELD = CHAIR_FIELD


def _mine(user, request) -> StepAssignee:
    return waiting_for(user).get(step__request=request)


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _page_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())  # a long position may wrap in its column


def _snapshot(request):
    request.refresh_from_db()
    return (
        request.document.versions.count(),
        request.current_version_id,
        list(StepAssignee.objects.filter(step__request=request).values_list("status", flat=True)),
        AuditEvent.objects.filter(verb="signing.step_delegated").count(),
    )


async def _validate_all(data: bytes, roots) -> list:
    context = ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="hard-fail")
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return [
            (sig.field_name, await async_validate_pdf_signature(sig, context))
            for sig in reader.embedded_regular_signatures
        ]
    finally:
        await context.aclose()


def test_a_deputy_signs_kt_in_a_reprinted_block_and_the_signature_validates(province, tmp_path):
    request = rendered_request(province)
    before = request.current_version
    original = _mine(province.chair, request)
    province.deputy.position = "Phó Chủ tịch Ủy ban nhân dân tỉnh"
    province.deputy.save()

    delegate = step_delegate(
        actor=province.chair, assignee=original, to_user=province.deputy, reason="Đi công tác"
    )

    assert delegate.signs_as == SignsAs.KT
    assert delegate.delegated_from_id == original.pk
    request.refresh_from_db()
    relaid = request.current_version
    assert relaid.number == before.number + 1
    assert relaid.note == "In lại khối chữ ký cho người ký thay"
    text = _page_text(_bytes(relaid), tmp_path)
    block = text[text.index("TM. ỦY BAN NHÂN DÂN") :]
    assert "KT. CHỦ TỊCH" in block
    assert "PHÓ CHỦ TỊCH" in block
    assert "Đỗ Quang Vinh" in block
    assert "Nguyễn Văn Hùng" not in text
    # The delegate's field sits in the new block's signature area, between position and name.
    new_area = (delegate.page, delegate.x, delegate.y, delegate.width, delegate.height)
    assert new_area != (original.page, original.x, original.y, original.width, original.height)
    reader = PdfFileReader(io.BytesIO(_bytes(relaid)), strict=False)
    (field,) = [f for f in reader.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == FIELD]
    x1, y1, x2, y2 = (float(v) for v in field.get_object()["/Rect"])
    assert delegate.x <= x1 and x2 <= delegate.x + delegate.width + 1
    assert delegate.y <= y1 and y2 <= delegate.y + delegate.height + 1
    assert delegate.y < original.y  # one more authority line pushed the area down

    signed = step_sign(
        actor=province.deputy, assignee=delegate, passphrase=settings.KYHOP_PKI_PASSPHRASE
    )
    data = _bytes(signed)
    roots = devpki.trust_roots(settings.KYHOP_PKI_DIR)
    ((name, status),) = asyncio.run(_validate_all(data, roots))
    assert name == FIELD
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_regular_signatures
    assert "Đỗ Quang Vinh" in signature.signer_cert.subject.human_friendly

    event = AuditEvent.objects.get(verb="signing.step_delegated")
    assert event.details["signs_as"] == "KT."
    assert event.details["block"] == [
        "TM. Ủy ban nhân dân",
        "KT. Chủ tịch",
        "Phó Chủ tịch",
        "Đỗ Quang Vinh",
    ]
    assert event.details["after_sha256"] == relaid.blob.sha256
    (line,) = [li for li in request_record(request).lines if li.verb == "signing.step_delegated"]
    assert "Ký thay (KT.) cho Nguyễn Văn Hùng: Đỗ Quang Vinh" in line.note


def test_tl_and_tuq_replace_the_tm_line(province, tmp_path):
    request = rendered_request(province)
    original = _mine(province.chair, request)
    province.drafter1.position = "Chánh Văn phòng"
    province.drafter1.save()
    outlook = delegation_outlook(original, province.drafter1)
    assert sorted(outlook.blocks) == ["TL.", "TUQ."]  # not a deputy: no "KT."
    assert outlook.blocks["TUQ."].authority == ("TUQ. Chủ tịch",)
    with pytest.raises(ValidationError, match="không áp dụng"):
        step_delegate(
            actor=province.chair, assignee=original, to_user=province.drafter1, signs_as="KT."
        )
    delegate = step_delegate(
        actor=province.chair, assignee=original, to_user=province.drafter1, signs_as="TUQ."
    )
    request.refresh_from_db()
    text = _page_text(_bytes(request.current_version), tmp_path)
    assert "TUQ. CHỦ TỊCH" in text and "CHÁNH VĂN PHÒNG" in text
    assert "TM. ỦY BAN NHÂN DÂN" not in text
    assert delegate.signs_as == "TUQ."


def test_a_seal_placed_over_the_signature_follows_it(province):
    request = rendered_request(province, seal=True)
    original = _mine(province.chair, request)
    seal = StepAssignee.objects.get(step__request=request, seal_body=province.ubnd)
    assert seal.x is None  # placed from the signature by the prepared fields
    delegate = step_delegate(actor=province.chair, assignee=original, to_user=province.deputy)
    request.refresh_from_db()
    reader = PdfFileReader(io.BytesIO(_bytes(request.current_version)), strict=False)
    names = [f.get_object()["/T"] for f in reader.root["/AcroForm"]["/Fields"]]
    assert names.count(FIELD) == 1  # the delegated row's field is not made twice
    assert delegate.status == AssigneeStatus.WAITING


def test_a_seal_the_clerk_put_over_the_signature_moves_to_the_delegates(province):
    request = rendered_request(province, seal_over_chair=True)
    original = _mine(province.chair, request)
    seal = StepAssignee.objects.get(step__request=request, seal_body=province.ubnd)
    old_y = seal.y
    delegate = step_delegate(actor=province.chair, assignee=original, to_user=province.deputy)
    seal.refresh_from_db()
    area = Placement(delegate.page, delegate.x, delegate.y, delegate.width, delegate.height)
    expected = appearances.seal_placement(main=main_placement_for(delegate, area, fill=0.9))
    assert (seal.page, seal.x, seal.y) == (expected.page, expected.x, expected.y)
    assert seal.y < old_y


def test_delegation_after_a_signature_is_refused_and_changes_nothing(province):
    request = rendered_request(province, initials=(province.drafter1,))
    step_sign(
        actor=province.drafter1,
        assignee=_mine(province.drafter1, request),
        passphrase=settings.KYHOP_PKI_PASSPHRASE,
    )
    original = _mine(province.chair, request)
    before = _snapshot(request)
    with pytest.raises(ValidationError, match="Văn bản đã có chữ ký số"):
        step_delegate(actor=province.chair, assignee=original, to_user=province.deputy)
    assert _snapshot(request) == before


def test_an_uploaded_draft_is_refused_and_changes_nothing(province):
    pdf, area = to_trinh()
    request = request_create(
        actor=province.clerk,
        version=register(province, pdf),
        steps=[StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair, placement=area),))],
        level="B-B",
    )
    request = request_send(actor=province.clerk, request=request)
    original = _mine(province.chair, request)
    before = _snapshot(request)
    with pytest.raises(ValidationError, match="là tệp tải lên") as refused:
        step_delegate(actor=province.chair, assignee=original, to_user=province.deputy)
    assert "Trả lại" in refused.value.messages[0]
    assert _snapshot(request) == before


def test_initials_are_delegated_into_the_same_field(province):
    request = rendered_request(province, initials=(province.drafter1,))
    original = _mine(province.drafter1, request)
    versions = request.document.versions.count()
    delegate = step_delegate(actor=province.drafter1, assignee=original, to_user=province.deputy)
    assert (delegate.field_name, delegate.signs_as) == (original.field_name, "")
    assert request.document.versions.count() == versions
    step_sign(actor=province.deputy, assignee=delegate, passphrase=settings.KYHOP_PKI_PASSPHRASE)


def test_a_delegate_may_not_delegate_again(province):
    request = rendered_request(province)
    delegate = step_delegate(
        actor=province.chair, assignee=_mine(province.chair, request), to_user=province.deputy
    )
    with pytest.raises(ValidationError, match="không được ủy quyền lại"):
        step_delegate(actor=province.deputy, assignee=delegate, to_user=province.drafter1)


def test_a_delegate_of_initials_may_not_delegate_again_either(province):
    request = rendered_request(province, initials=(province.drafter1,))
    delegate = step_delegate(
        actor=province.drafter1, assignee=_mine(province.drafter1, request), to_user=province.deputy
    )
    with pytest.raises(ValidationError, match="không được ủy quyền lại"):
        step_delegate(actor=province.deputy, assignee=delegate, to_user=province.drafter2)


def test_the_first_post_shows_the_block_and_only_the_confirmation_delegates(province, client):
    request = rendered_request(province)
    original = _mine(province.chair, request)
    client.force_login(province.chair)
    url = f"/ky-so/buoc/{original.pk}/uy-quyen/"
    before = _snapshot(request)
    page = client.post(url, {"to_user": province.deputy.pk, "reason": "Đi công tác"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "KT. CHỦ TỊCH" in text and "Đỗ Quang Vinh" in text and "Xác nhận ủy quyền" in text
    assert _snapshot(request) == before
    done = client.post(
        url, {"to_user": province.deputy.pk, "reason": "", "signs_as": "KT.", "confirm": "on"}
    )
    assert done.status_code == 302
    assert StepAssignee.objects.get(step__request=request, user=province.deputy).signs_as == "KT."
    client.force_login(province.deputy)
    inbox = client.get("/ky-so/").content.decode()
    assert "Ký thay (KT.) cho Nguyễn Văn Hùng" in inbox


def test_the_first_post_on_an_uploaded_draft_says_why_it_is_refused(province, client):
    pdf, area = to_trinh()
    request = request_create(
        actor=province.clerk,
        version=register(province, pdf),
        steps=[StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair, placement=area),))],
        level="B-B",
    )
    request = request_send(actor=province.clerk, request=request)
    original = _mine(province.chair, request)
    client.force_login(province.chair)
    page = client.post(f"/ky-so/buoc/{original.pk}/uy-quyen/", {"to_user": province.deputy.pk})
    text = page.content.decode()
    assert "là tệp tải lên" in text
    assert "Xác nhận ủy quyền</button>" not in text


def test_a_deputy_without_a_position_on_record_signs_as_the_heads_deputy(province):
    request = rendered_request(province)
    province.deputy.position = ""
    province.deputy.save()
    outlook = delegation_outlook(_mine(province.chair, request), province.deputy)
    assert outlook.default == "KT."
    kt = outlook.blocks["KT."]
    assert (kt.authority, kt.position) == (("TM. Ủy ban nhân dân", "KT. Chủ tịch"), "Phó chủ tịch")
    province.drafter2.position = ""
    province.drafter2.save()
    refused = delegation_outlook(_mine(province.chair, request), province.drafter2)
    assert "Chưa ghi chức vụ của Phạm Thị Ngọc Ánh" in refused.refusal
