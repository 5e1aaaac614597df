"""Bulk signing of a signer's waiting steps (ký hàng loạt).

One confirmation (one passphrase or PIN; for a CSC identity one authorisation for the batch's
hashes) signs many documents. Every document goes through the same checks, appearances and
storing as a signature made alone (``signing.requests.signing``: ``step_sign_plan`` /
``step_signature_store``): only the signing in the middle is shared, through the engines
(``inprocess.bulk_sign``, ``pool.bulk_sign_processes``), which overlap the time-stamp waits
and size the signature placeholder once.

Isolation: a document that cannot be signed or stored becomes its own failed outcome with a
message in the active language (the signer's: see ``signing.bulk.jobs``); the others go on. Each
signed document is stored as soon as its signature is ready (its own short transaction, with
the request row locked and the version re-checked), so progress means "signed and stored", and
a crash half-way loses nothing already reported.

Each signer's certificate is checked once for the batch (rules, chain, revocation, before any
document is touched): documents whose certificate may not sign — revoked, untrusted, or of
unknown status where that blocks their kind of step — fail with that reason; the others go on,
and no document asks the CA again.

The passphrase only opens the signers; it is never stored, logged or sent anywhere else.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop
from pyhanko.sign.signers import Signer

from accounts.models import User
from audit.services import audit_record
from signing.backends.identities import identity_signing
from signing.bulk.inprocess import bulk_sign
from signing.bulk.pool import Pkcs12SignerSpec, bulk_sign_processes
from signing.bulk.types import DEFAULT_CONCURRENCY, BulkItem, BulkProgress, error_message
from signing.models import IdentityKind, StepAssignee
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import PadesLevel, async_certificate_status, signer_intermediates
from signing.requests.signing import SignPlan, step_sign_plan, step_signature_store

logger = logging.getLogger(__name__)

# One batch holds every document in memory at once; past this, sign in several batches.
BULK_MAX_DOCUMENTS = 100
# Outcomes for the signer, translated when the outcome is made.
SIGNED = gettext_noop("Đã ký")
SAME_REQUEST = gettext_noop(
    "Văn bản này đã có trong lượt ký hàng loạt; hãy ký riêng sau khi lượt này xong."
)
UNEXPECTED = gettext_noop(
    "Lỗi không mong đợi khi lưu văn bản đã ký; các văn bản khác không bị ảnh hưởng."
)


@dataclass(frozen=True)
class StepOutcome:
    """What happened to one selected step; ``version`` is the stored version's number."""

    assignee_id: int
    ok: bool
    message: str
    version: int | None = None


@dataclass(frozen=True)
class BulkStepProgress:
    done: int
    total: int
    outcome: StepOutcome


StepProgressCallback = Callable[[BulkStepProgress], None]


class _Counter:
    """Counts outcomes and hands each to the caller's callback (always on the caller's thread:
    the async part reaches it through ``sync_to_async``, so the callback may use the ORM)."""

    def __init__(self, total: int, callback: StepProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self.outcomes: dict[int, StepOutcome] = {}

    def report(self, outcome: StepOutcome) -> None:
        self.done += 1
        self.outcomes[outcome.assignee_id] = outcome
        if self.callback is not None:
            self.callback(BulkStepProgress(done=self.done, total=self.total, outcome=outcome))


def _failed(assignee_id: int, exc: BaseException) -> StepOutcome:
    message = str(exc) if isinstance(exc, PermissionDenied) else error_message(exc)
    return StepOutcome(assignee_id=assignee_id, ok=False, message=message)


def _plans(
    actor: User, assignees: Sequence[StepAssignee]
) -> tuple[list[SignPlan], list[StepOutcome]]:
    """Check each step and read its version; a refusal is that document's outcome."""
    plans: list[SignPlan] = []
    refused: list[StepOutcome] = []
    requests: set[int] = set()
    for assignee in assignees:
        try:
            plan = step_sign_plan(actor=actor, assignee=assignee)
        except (ValidationError, PermissionDenied) as exc:
            refused.append(_failed(assignee.pk, exc))
            continue
        request_id = plan.assignee.step.request_id
        if request_id in requests:
            # Two signatures on one document in one batch would both start from the same
            # version; the second would only be refused at storing. Say so up front.
            refused.append(
                StepOutcome(assignee_id=assignee.pk, ok=False, message=gettext(SAME_REQUEST))
            )
            continue
        requests.add(request_id)
        plans.append(plan)
    return plans, refused


def _store(
    actor: User,
    plan: SignPlan,
    signed: bytes | None,
    error: str | None,
    status: CertificateStatus | None = None,
) -> StepOutcome:
    assignee_id = plan.assignee.pk
    if signed is None:
        return StepOutcome(assignee_id=assignee_id, ok=False, message=error or gettext(UNEXPECTED))
    try:
        version = step_signature_store(
            actor=actor, plan=plan, signed=signed, certificate_status=status
        )
    except (ValidationError, PermissionDenied) as exc:
        return _failed(assignee_id, exc)
    except Exception:
        # Isolation is the contract: a database error on one document must not abort the
        # batch. Logged in full for the operator; the signer sees a plain message.
        logger.exception("Ký hàng loạt: không lưu được bước %s", assignee_id)
        return StepOutcome(assignee_id=assignee_id, ok=False, message=gettext(UNEXPECTED))
    return StepOutcome(
        assignee_id=assignee_id, ok=True, message=gettext(SIGNED), version=version.number
    )


def _groups(plans: list[SignPlan]) -> dict[tuple[int, PadesLevel], list[SignPlan]]:
    """One signer and one level per call of the engine: a leader's own key for main
    signatures and initials, a body's seal identity for seals."""
    groups: dict[tuple[int, PadesLevel], list[SignPlan]] = defaultdict(list)
    for plan in plans:
        groups[(plan.identity.pk, plan.level)].append(plan)
    return groups


CertificateAnswer = CertificateStatus | ValidationError


async def _certificate_answers(signers: dict) -> dict[int, CertificateAnswer]:
    """Each signer's certificate checked once: its status with the CA, or the ValidationError
    of the local rules (expired, weak key…). Judged per document by :func:`_refusal`."""
    answers: dict[int, CertificateAnswer] = {}
    for identity_id, signer in signers.items():
        try:
            answers[identity_id] = await async_certificate_status(
                certificate=signer.signing_cert, intermediates=signer_intermediates(signer)
            )
        except ValidationError as exc:
            answers[identity_id] = exc
    return answers


def _refusal(plan: SignPlan, answer: CertificateAnswer) -> str | None:
    if isinstance(answer, ValidationError):
        return " ".join(answer.messages)
    if answer.blocks(allow_unknown=plan.allow_unknown_revocation):
        return answer.message()
    return None


async def _sign_all(
    actor: User,
    plans: list[SignPlan],
    refused: list[StepOutcome],
    *,
    passphrase: str,
    counter: _Counter,
    concurrency: int,
) -> None:
    report = sync_to_async(counter.report)
    store = sync_to_async(_store)
    async with AsyncExitStack() as stack:
        # Every signer is opened before any document is touched: a wrong passphrase or PIN
        # stops the whole batch here, with nothing signed (one confirmation, one answer).
        signers = {}
        for plan in plans:
            if plan.identity.pk not in signers:
                signers[plan.identity.pk] = await stack.enter_async_context(
                    identity_signing(identity=plan.identity, passphrase=passphrase)
                )
        answers = await _certificate_answers(signers)
        for outcome in refused:
            await report(outcome)
        for (identity_id, level), planned in _groups(plans).items():
            answer = answers[identity_id]
            group = []
            for plan in planned:
                refusal = _refusal(plan, answer)
                if refusal is None:
                    group.append(plan)
                else:
                    await report(
                        StepOutcome(assignee_id=plan.assignee.pk, ok=False, message=refusal)
                    )
            if not group:
                continue
            assert isinstance(answer, CertificateStatus)
            by_key = {str(plan.assignee.pk): plan for plan in group}

            async def stored(progress: BulkProgress, by_key=by_key, answer=answer) -> None:
                result = progress.result
                plan = by_key[result.key]
                await report(await store(actor, plan, result.data, result.error, answer))

            items = [BulkItem(key=key, data=p.data, options=p.options) for key, p in by_key.items()]
            spec = _process_spec(group, passphrase)
            if spec is not None:
                await bulk_sign_processes(
                    items,
                    signer_spec=spec,
                    level=level,
                    on_progress=stored,
                    concurrency=concurrency,
                    certificate_status=answer,
                )
                continue
            signer = signers[identity_id]
            await bulk_sign(
                items,
                signer_factory=_opened(signer),
                level=level,
                on_progress=stored,
                concurrency=concurrency,
                certificate_status=answer,
            )


def _opened(signer: Signer) -> Callable[[], Signer]:
    """The factory of a signer the batch has already opened."""
    return lambda: signer


def _process_spec(group: list[SignPlan], passphrase: str) -> Pkcs12SignerSpec | None:
    """A recipe for worker processes when the batch is large enough to pay for them and the key
    is a server-held PKCS#12 (a token session or a CSC session cannot cross processes)."""
    minimum = settings.KYHOP_SIGN_BULK_PROCESS_MIN
    identity = group[0].identity
    if not minimum or len(group) < minimum or identity.kind != IdentityKind.PKCS12:
        return None
    if not identity.pkcs12:  # never: opening the signer refused an identity without its file
        return None
    return Pkcs12SignerSpec(
        identity=identity.name, data=bytes(identity.pkcs12), passphrase=passphrase
    )


def batch_check(assignees: Sequence[object]) -> None:
    """Refuse an empty batch or one over ``BULK_MAX_DOCUMENTS``."""
    if not assignees:
        raise ValidationError(gettext("Hãy chọn ít nhất một văn bản để ký."), code="empty")
    if len(assignees) > BULK_MAX_DOCUMENTS:
        raise ValidationError(
            gettext("Mỗi lượt ký tối đa %(count)d văn bản.") % {"count": BULK_MAX_DOCUMENTS},
            code="too_many",
        )


def steps_sign_bulk(
    *,
    actor: User,
    assignees: Sequence[StepAssignee],
    passphrase: str,
    on_progress: StepProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[StepOutcome]:
    """Sign the selected waiting steps under one passphrase; one outcome per step, in the
    order given. ``on_progress`` is called once per finished document, on this thread.

    Raises ValidationError only for the batch as a whole (nothing selected, too many, or a
    wrong passphrase/PIN, in which case nothing was signed). Not for use inside an event
    loop: it runs its own, and the ORM work stays on this thread.
    """
    batch_check(assignees)
    counter = _Counter(len(assignees), on_progress)
    plans, refused = _plans(actor, assignees)
    async_to_sync(_sign_all)(
        actor,
        plans,
        refused,
        passphrase=passphrase,
        counter=counter,
        concurrency=concurrency,
    )
    outcomes = [counter.outcomes[a.pk] for a in assignees]
    _audit_batch(actor, outcomes)
    return outcomes


@transaction.atomic
def _audit_batch(actor: User, outcomes: list[StepOutcome]) -> None:
    # Each signature has its own entry already (step_signed, sealed…); this one records that
    # they were made together, under one confirmation.
    audit_record(
        actor=actor,
        verb="signing.bulk_signed",
        object_type="signing.bulk",
        object_id=str(actor.pk),
        details={
            "signed": [o.assignee_id for o in outcomes if o.ok],
            "failed": [o.assignee_id for o in outcomes if not o.ok],
        },
    )
