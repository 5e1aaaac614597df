"""Trình ký rules: order, Art. 32.2(d), passphrase, changed documents, return, delegate,
permissions, and two signers racing on one document."""

from __future__ import annotations

import io
import itertools
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from pyhanko.pdf_utils.reader import PdfFileReader

from documents.services import document_version_add
from documents.storage import blob_open
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)
from signing.selectors import waiting_for
from signing.services import (
    CHANGED,
    AssigneeSpec,
    StepSpec,
    request_create,
    request_send,
    step_delegate,
    step_return,
    step_sign,
)
from tests.signing.helpers import register, to_trinh


def _pass() -> str:
    return settings.KYHOP_PKI_PASSPHRASE


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _routed(world, *, initials=(), seal=True):
    pdf, area = to_trinh()
    steps = []
    if initials:
        steps.append(StepSpec(StepKind.INITIAL, tuple(AssigneeSpec(user=u) for u in initials)))
    steps.append(StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair, placement=area),)))
    if seal:
        steps.append(StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=world.ubnd),)))
    request = request_create(
        actor=world.clerk, version=register(world, pdf), steps=steps, level="B-B"
    )
    return request_send(actor=world.clerk, request=request)


def _mine(user, request) -> StepAssignee:
    return waiting_for(user).get(step__request=request)


@pytest.mark.django_db
def test_steps_out_of_decree_order_are_refused(province):
    pdf, _area = to_trinh()
    version = register(province, pdf)
    with pytest.raises(ValidationError, match="Thứ tự bước không hợp lệ"):
        request_create(
            actor=province.clerk,
            version=version,
            steps=[
                StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=province.ubnd),)),
                StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair),)),
            ],
        )


@pytest.mark.django_db
def test_seal_is_refused_while_the_pdf_has_no_competent_signature(province):
    request = _routed(province)
    # Records claiming the chair signed, while the PDF has no such signature: still refused.
    main = StepAssignee.objects.get(step__request=request, step__kind=StepKind.MAIN)
    StepAssignee.objects.filter(pk=main.pk).update(status=AssigneeStatus.SIGNED)
    SigningStep.objects.filter(pk=main.step_id).update(status=StepStatus.DONE)
    SigningStep.objects.filter(request=request, kind=StepKind.SEAL).update(status=StepStatus.ACTIVE)
    versions = request.document.versions.count()
    with pytest.raises(ValidationError, match="Điều 32"):
        step_sign(actor=province.clerk, assignee=_mine(province.clerk, request), passphrase=_pass())
    assert request.document.versions.count() == versions


@pytest.mark.django_db
def test_wrong_passphrase_gives_a_vietnamese_message_and_no_version(province):
    request = _routed(province, seal=False)
    versions = request.document.versions.count()
    with pytest.raises(ValidationError, match="Mật khẩu"):
        step_sign(actor=province.chair, assignee=_mine(province.chair, request), passphrase="sai")
    assert request.document.versions.count() == versions
    assert _mine(province.chair, request).status == AssigneeStatus.WAITING


@pytest.mark.django_db
def test_a_document_changed_since_it_was_sent_is_not_signed(province):
    request = _routed(province, seal=False)
    pdf, _area = to_trinh()
    document_version_add(
        actor=province.clerk,
        document=request.document,
        upload=SimpleUploadedFile("sua.pdf", pdf + b"\n% sua\n", content_type="application/pdf"),
    )
    versions = request.document.versions.count()
    with pytest.raises(ValidationError, match=CHANGED):
        step_sign(actor=province.chair, assignee=_mine(province.chair, request), passphrase=_pass())
    assert request.document.versions.count() == versions


@pytest.mark.django_db
def test_return_needs_a_reason_and_stops_the_request(province):
    request = _routed(province, seal=False)
    assignee = _mine(province.chair, request)
    with pytest.raises(ValidationError):
        step_return(actor=province.chair, assignee=assignee, reason="  ")
    step_return(actor=province.chair, assignee=assignee, reason="Bổ sung số liệu năm 2025.")
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED
    assert request.return_reason == "Bổ sung số liệu năm 2025."
    assert not waiting_for(province.chair).exists()


@pytest.mark.django_db
def test_delegated_initials_are_signed_in_the_same_field(province):
    # Initials have no printed block; a main signature is re-printed or refused
    # (tests/signing/requests/test_delegation.py).
    request = _routed(province, initials=(province.drafter1,), seal=False)
    original = _mine(province.drafter1, request)
    delegate = step_delegate(
        actor=province.drafter1, assignee=original, to_user=province.deputy, reason="Đi công tác"
    )
    assert delegate.field_name == original.field_name
    assert not waiting_for(province.drafter1).exists()
    version = step_sign(actor=province.deputy, assignee=delegate, passphrase=_pass())
    reader = PdfFileReader(io.BytesIO(_bytes(version)))
    (signature,) = reader.embedded_regular_signatures
    assert signature.field_name == original.field_name
    assert "Đỗ Quang Vinh" in signature.signer_cert.subject.human_friendly


@pytest.mark.django_db
def test_only_the_assignee_can_act(province):
    request = _routed(province, seal=False)
    assignee = _mine(province.chair, request)
    for intruder in (province.outsider, province.drafter1, province.clerk):
        with pytest.raises(PermissionDenied):
            step_sign(actor=intruder, assignee=assignee, passphrase=_pass())
        with pytest.raises(PermissionDenied):
            step_return(actor=intruder, assignee=assignee, reason="Không đồng ý")


@pytest.mark.django_db(transaction=True)
def test_two_signers_racing_on_a_parallel_step_lose_nothing(province):
    request = _routed(province, initials=(province.drafter1, province.drafter2), seal=False)
    rows = {u.pk: _mine(u, request) for u in (province.drafter1, province.drafter2)}
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def sign(user) -> None:
        try:
            barrier.wait(timeout=30)
            step_sign(actor=user, assignee=rows[user.pk], passphrase=_pass())
            outcomes[user.username] = "signed"
        except ValidationError as exc:
            outcomes[user.username] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign, args=(u,)) for u in (province.drafter1, province.drafter2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes.values()) in (["signed", "signed"], sorted(["signed", CHANGED]))
    # Whoever was told to retry succeeds on retrying; then both signatures are in, in order.
    for username, outcome in outcomes.items():
        if outcome != "signed":
            user = province.drafter1 if username == "daibieu1" else province.drafter2
            step_sign(actor=user, assignee=rows[user.pk], passphrase=_pass())
    request.refresh_from_db()
    data = _bytes(request.current_version)
    names = [s.field_name for s in PdfFileReader(io.BytesIO(data)).embedded_regular_signatures]
    assert sorted(names) == ["ky_nhay_1_1", "ky_nhay_1_2"]
    versions = list(request.document.versions.order_by("number"))
    for before, after in itertools.pairwise(versions):
        assert _bytes(after).startswith(_bytes(before))  # one chain, no fork
    assert waiting_for(province.chair).exists()  # the next step started exactly once
