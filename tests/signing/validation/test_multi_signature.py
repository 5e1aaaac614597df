"""Files signed several times: each signature's review of later changes reuses the next
signature's (signing.validation.diffchain) and must judge exactly as pyHanko's full review."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult

from signing.pades.sign import PadesLevel
from signing.validation.report import CheckStatus, Outcome
from signing.validation.runner import validate_pdf
from tests.signing.validation import attacks

pytestmark = pytest.mark.django_db

LEVEL = PadesLevel.B_LT  # revocation data embedded: passes without fetching


def _signed_times(sign, count: int, data: bytes | None = None) -> bytes:
    for _ in range(count):
        data = sign(data, level=LEVEL)
    assert data is not None
    return data


def _full_review_levels(data: bytes) -> list[str]:
    """pyHanko's own verdict per signature: its full review of every later revision."""
    reader = PdfFileReader(io.BytesIO(data))
    levels = []
    for emb in reader.embedded_regular_signatures:
        found = DEFAULT_DIFF_POLICY.review_file(
            reader, emb.signed_revision, field_mdp_spec=emb.fieldmdp, doc_mdp=emb.docmdp_level
        )
        assert isinstance(found, DiffResult)
        levels.append(found.modification_level.name.lower())
    return levels


def _changes(result) -> CheckStatus:
    return {c.code: c.status for c in result.checks}["changes"]


def test_three_signatures_pass_with_the_same_judgement_as_pyhankos_full_review(sign):
    data = _signed_times(sign, 3)
    report = validate_pdf(data)
    assert report.outcome is Outcome.PASSED, report.reasons
    assert [s.modification_level for s in report.signatures] == _full_review_levels(data)
    assert [s.signed_revision for s in report.signatures] == sorted(
        s.signed_revision for s in report.signatures
    )


def test_content_replaced_after_the_last_signature_fails_every_signature(sign):
    report = validate_pdf(attacks.incremental_content_replaced(_signed_times(sign, 2)))
    assert report.outcome is Outcome.FAILED
    assert [_changes(s) for s in report.signatures] == [CheckStatus.FAILED, CheckStatus.FAILED]


def test_content_replaced_between_two_signatures_fails_only_the_first(sign):
    tampered = attacks.incremental_content_replaced(sign(level=LEVEL))
    report = validate_pdf(sign(tampered, level=LEVEL))
    assert report.outcome is Outcome.FAILED
    first, second = report.signatures
    assert _changes(first) is CheckStatus.FAILED
    assert second.outcome is Outcome.PASSED, second.reasons
