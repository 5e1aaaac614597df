"""The whole trình ký path: initials, the chair's signature, numbering, the seal."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import subprocess

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from documents.storage import blob_open
from signing import devpki
from signing.models import RequestStatus, SigningNotice, StepAssignee, StepKind
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_create,
    request_number_assign,
    request_send,
    step_sign,
)
from signing.validation.report import CheckStatus, Outcome
from tests.signing.helpers import (
    count_pixels,
    field_rect,
    is_blue,
    is_red,
    register,
    render_page,
    to_trinh,
)

pytestmark = pytest.mark.django_db


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _waiting(user, request) -> StepAssignee:
    return waiting_for(user).get(step__request=request)


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


def _pdfsig(path) -> dict[str, str]:
    """pdfsig's verdict per signature field name (it exits 0 whatever it finds)."""
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    verdicts, name = {}, None
    for line in (out.stdout + out.stderr).splitlines():
        line = line.strip()
        if line.startswith("- Signature Field Name:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("- Signature Validation:") and name:
            verdicts[name] = line.split(":", 1)[1].strip()
    return verdicts


def test_to_trinh_goes_through_initials_signature_numbering_and_seal(
    province, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    pdf, chair_area = to_trinh()
    source = register(province, pdf)
    request = request_create(
        actor=province.clerk,
        version=source,
        steps=[
            StepSpec(
                StepKind.INITIAL,
                (AssigneeSpec(user=province.drafter1), AssigneeSpec(user=province.drafter2)),
            ),
            StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair, placement=chair_area),)),
            StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=province.ubnd),)),
        ],
        readers=(province.deputy,),
    )
    assert request.level == "B-LTA"  # the default for issued documents
    with django_capture_on_commit_callbacks(execute=True):
        request = request_send(actor=province.clerk, request=request)
    assert request.status == RequestStatus.IN_PROGRESS
    assert waiting_for(province.chair).count() == 0  # not their turn yet

    for drafter in (province.drafter1, province.drafter2):
        with django_capture_on_commit_callbacks(execute=True):
            step_sign(
                actor=drafter,
                assignee=_waiting(drafter, request),
                passphrase=pki_passphrase(province),
            )
    with django_capture_on_commit_callbacks(execute=True):
        step_sign(
            actor=province.chair,
            assignee=_waiting(province.chair, request),
            passphrase=pki_passphrase(province),
        )
    seal = _waiting(province.clerk, request)
    with pytest.raises(ValidationError, match="chưa cấp số"):
        step_sign(actor=province.clerk, assignee=seal, passphrase=pki_passphrase(province))

    request_number_assign(actor=province.clerk, request=request, issued_on=dt.date(2026, 2, 5))
    final = step_sign(actor=province.clerk, assignee=seal, passphrase=pki_passphrase(province))
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert request.document.number_symbol == "01/TTr-UBND"

    # Every version is the one before plus an incremental update; the first is untouched.
    versions = list(request.document.versions.order_by("number"))
    assert _bytes(versions[0]) == pdf
    for before, after in itertools.pairwise(versions):
        assert _bytes(after).startswith(_bytes(before))
    data = _bytes(final)
    (tmp_path / "final.pdf").write_bytes(data)

    import asyncio

    roots = devpki.trust_roots(province_pki_dir(province))
    results = asyncio.run(_validate_all(data, roots))
    assert [name for name, _ in results] == [
        "ky_nhay_1_1",
        "ky_nhay_1_2",
        "ky_chinh_2_1",
        "dong_dau_3_1",
    ]
    for name, status in results:
        assert status.intact and status.valid and status.trusted, (name, status)
        assert status.docmdp_ok, (name, status.pretty_print_details())
    verdicts = _pdfsig(tmp_path / "final.pdf")
    for name, _ in results:
        assert verdicts[name] == "Signature is Valid.", verdicts
    # KyHop's own report agrees: filling the number and date after the chair signed is form
    # filling the signatures allow, not a change of content.
    from signing.validation.engine import ValidationConfig, validate_bytes

    report = validate_bytes(
        data,
        file_name="to-trinh.pdf",
        config=ValidationConfig(
            trust_roots=tuple(root.dump() for root in roots),
            trust_root_names=("KyHop test root",),
            fetch=False,
            fetch_timeout=10,
            max_signatures=10,
        ),
    )
    for signature in report.signatures:
        changes = [c for c in signature.checks if c.code == "changes"]
        assert all(c.status == "passed" for c in changes), (signature.field_name, changes)
    # ... and passes plainly: every signature's pages changed only where the workflow expects
    # (the number and date fields, the later signatures' widgets), not "passed with warnings".
    assert report.outcome is Outcome.PASSED, report.reasons
    assert len(report.signatures) == 4
    for signature in report.signatures[:-1]:  # the seal has nothing after it but its DSS
        (visual,) = [c for c in signature.checks if c.code == "visual"]
        assert visual.status is CheckStatus.PASSED and visual.message_id == "visual.expected_only"
        assert all(page.regions == () for page in signature.visual_changes)

    # The page shows the chair's blue signature, and the red seal over its left third.
    main = StepAssignee.objects.get(step__request=request, step__kind=StepKind.MAIN)
    main_rect = field_rect(data, main.field_name)
    page = render_page(data, tmp_path)
    page.save(tmp_path / "final-page.png")
    x1, y1, x2, y2 = main_rect
    third = x1 + (x2 - x1) / 3
    assert count_pixels(page, (third, y1, x2, y2), is_blue) > 200
    assert count_pixels(page, (x1, y1, third, y2), is_red) > 200
    assert count_pixels(page, (third + 10, y1, x2, y2), is_red) < 20  # the seal stops at a third

    # Audit: every step with the SHA-256 of the versions it went between.
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="signing.").values_list("verb", "details")
    )
    names = [verb for verb, _ in verbs]
    for verb in (
        "request_created",
        "request_sent",
        "step_initialled",
        "step_signed",
        "request_numbered",
        "step_sealed",
        "request_completed",
    ):
        assert f"signing.{verb}" in names
    for verb, details in verbs:
        if verb in ("signing.step_signed", "signing.step_sealed", "signing.request_numbered"):
            assert len(details["before_sha256"]) == 64 and len(details["after_sha256"]) == 64
    # Notified on screen and by e-mail.
    assert SigningNotice.objects.filter(user=province.chair).exists()
    assert any("chutich@kyhop.test" in message.to for message in mailoutbox)


def pki_passphrase(_province) -> str:
    from django.conf import settings

    return settings.KYHOP_PKI_PASSPHRASE


def province_pki_dir(_province):
    from django.conf import settings

    return settings.KYHOP_PKI_DIR
