"""From drafted minutes to a signed, filed and archived record.

- ``minutes_send_for_signature``: render the latest draft, register it as a Biên bản, and send
  it along secretary → chair (or both at once) → the body's seal, into the named fields the
  renderer laid out.
- ``conclusion_notice_send``: the Thông báo kết luận, from the conclusions: chair → seal.
- When a request completes, ``signing_completed`` (run by the documents app's version hook:
  signing never imports meetings) files the signed minutes, the vote sheets and every meeting
  document into the meeting's work record and marks the meeting ``minutes_signed``.
- ``meeting_archive`` closes the work record (read-only) and marks the meeting ``archived``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.services import audit_record
from documents.models import Document, DocumentStatus, DocumentType, DocumentVersion, WorkRecord
from documents.rendering import AdministrativeDocument, PdfRect, Signer, render
from documents.selectors import document_latest_version, documents_visible_to
from documents.services import (
    document_create,
    document_version_add,
    work_record_add,
    work_record_close,
    work_record_open,
)
from meetings.access import meeting_manageable_by, refuse
from meetings.minutes.charts import Bar, bar_chart_svg, svg_data_url
from meetings.minutes.draft import (
    CHAIR_FIELD,
    SECRETARY_FIELD,
    minutes_document,
    minutes_latest,
    minutes_people_stale,
    named_voters,
    officer_user,
    poll_facts,
)
from meetings.minutes.mail import minutes_issued_mail, minutes_signers_check
from meetings.models import (
    AgendaDocument,
    ConclusionNotice,
    Meeting,
    MeetingRecord,
    MeetingStatus,
    MinutesDraft,
    MinutesStatus,
    ParticipantRole,
    Poll,
    PollStatus,
    VoteSheet,
)
from meetings.preparation.invitations import collective_name
from signing.backends.identities import identity_for_user
from signing.models import RequestStatus, SigningRequest, StepKind
from signing.pades import appearances
from signing.pades.appearances import Placement
from signing.services import (
    DEFAULT_SIGNATURE_ASPECT,
    AssigneeSpec,
    StepSpec,
    request_create,
    request_send,
)

logger = logging.getLogger(__name__)


def _require_clerk(actor: User, meeting: Meeting) -> None:
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(
            gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới trình ký biên bản.")
        )


def _officer_user(meeting: Meeting, role: str) -> User:
    found = officer_user(meeting, role)
    if found is None:
        refuse(gettext("Cuộc họp chưa có người chủ trì."))
    return found


def _placement(rect: PdfRect) -> Placement:
    return Placement.from_rect(rect.page_index, (rect.x1, rect.y1, rect.x2, rect.y2))


def _seal_over(chair: User, area: Placement) -> Placement:
    """The seal over the left third of the chair's signature image (Decree 30, Appendix I).

    The request would otherwise put it over the first MAIN signature — the secretary's.
    The image rectangle is computed as ``request_send`` computes it (same fill, same image).
    """
    identity = identity_for_user(chair)
    size = DEFAULT_SIGNATURE_ASPECT
    if identity is not None and identity.signature_image:
        size = appearances.signature_image_check(bytes(identity.signature_image)).size
    image = appearances.main_placement(area=area, image_size=size, fill=0.9)
    return appearances.seal_placement(main=image)


def _register_pdf(
    *,
    actor: User,
    meeting: Meeting,
    pdf: bytes,
    doc_type: str,
    symbol: str,
    abstract: str,
    slug: str,
    existing: Document | None = None,
    status: str = DocumentStatus.DRAFT,
) -> DocumentVersion:
    upload = ContentFile(pdf, name=f"{slug}-{meeting.pk}.pdf")
    if existing is not None:
        return document_version_add(actor=actor, document=existing, upload=upload)
    document = document_create(
        actor=actor,
        owning_body=meeting.body,
        doc_type=doc_type,
        abstract=abstract,
        upload=upload,
        symbol=symbol,
        confidentiality=meeting.confidentiality,
        status=status,
    )
    version = document_latest_version(document)
    assert version is not None  # document_create stores the upload as the first version
    return version


def _earlier_document(meeting: Meeting) -> Document | None:
    previous = (
        MinutesDraft.objects.filter(meeting=meeting, document__isnull=False)
        .select_related("document")
        .order_by("-version")
        .first()
    )
    return previous.document if previous else None


def minutes_send_for_signature(
    *, actor: User, meeting: Meeting, parallel: bool = False
) -> MinutesDraft:
    """Render the latest draft and start its signing request; returns the draft in signing."""
    _require_clerk(actor, meeting)
    draft = minutes_latest(meeting)
    if draft is None or draft.status != MinutesStatus.DRAFT:
        refuse(gettext("Không có dự thảo biên bản nào chờ trình ký."))
    if minutes_people_stale(draft):
        # The signers must be the people the minutes name.
        refuse(
            gettext(
                "Vai trò hoặc điểm danh đã thay đổi sau lần lưu biên bản gần nhất: hãy bấm "
                "“Lưu biên bản” để cập nhật rồi trình ký."
            )
        )
    secretary = _officer_user(meeting, ParticipantRole.SECRETARY)
    chair = _officer_user(meeting, ParticipantRole.CHAIR)
    minutes_signers_check(meeting, [secretary, chair])
    # Rendering takes a second or more: before any lock is taken.
    source = minutes_document(meeting, draft.content)
    rendered = render(source)
    with transaction.atomic():
        locked = MinutesDraft.objects.select_for_update().get(pk=draft.pk)
        latest = minutes_latest(meeting)
        if locked.status != MinutesStatus.DRAFT or latest is None or latest.pk != locked.pk:
            refuse(gettext("Biên bản vừa được người khác sửa hoặc trình ký; hãy tải lại trang."))
        version = _register_pdf(
            actor=actor,
            meeting=meeting,
            pdf=rendered.pdf,
            doc_type=DocumentType.MINUTES,
            symbol=f"BB-{meeting.body.symbol}",
            abstract=f"Biên bản {meeting.title}",
            slug="bien-ban",
            existing=_earlier_document(meeting),
        )
        secretary_area = _placement(rendered.signature_rects[SECRETARY_FIELD])
        chair_area = _placement(rendered.signature_rects[CHAIR_FIELD])
        signers = (
            AssigneeSpec(user=secretary, placement=secretary_area, field_name=SECRETARY_FIELD),
            AssigneeSpec(user=chair, placement=chair_area, field_name=CHAIR_FIELD),
        )
        main_steps = (
            [StepSpec(StepKind.MAIN, signers)]
            if parallel
            else [StepSpec(StepKind.MAIN, (s,)) for s in signers]
        )
        seal = AssigneeSpec(seal_body=meeting.body, placement=_seal_over(chair, chair_area))
        request = request_create(
            actor=actor,
            version=version,
            steps=[*main_steps, StepSpec(StepKind.SEAL, (seal,))],
            title=f"Biên bản {meeting.title}",
            rendered_from=source,  # a delegation re-prints the signer block from it
        )
        request_send(actor=actor, request=request)
        locked.document = version.document
        locked.signing_request = request
        locked.status = MinutesStatus.IN_SIGNING
        locked.save(update_fields=["document", "signing_request", "status"])
        audit_record(
            actor=actor,
            verb="minutes.sent_for_signature",
            target=locked,
            details={"meeting": meeting.pk, "request": request.pk, "parallel": parallel},
        )
    return locked


# --- Conclusion notice -------------------------------------------------------------------------


def conclusion_notice_document(meeting: Meeting, content: dict[str, Any]) -> AdministrativeDocument:
    body = meeting.body
    concluded = [item for item in content["items"] if item["conclusion"].strip()]
    if not concluded:
        refuse(gettext("Chưa có kết luận nào để ra thông báo kết luận."))
    html = render_to_string("meetings/minutes/notice_body.html", {"c": content, "items": concluded})
    return AdministrativeDocument(
        parent_body=body.parent.name if body.parent else "",
        issuing_body=body.name,
        number_symbol=f"/TB-{body.symbol}",
        date=None,
        place_name=body.place_name or "Bắc Ninh",
        document_type="Thông báo",
        abstract=f"Kết luận của {content['chair']['name']} tại {content['meeting']['title']}",
        body_html=html,
        signers=(
            Signer(
                authority=(f"TM. {collective_name(body)}",),
                position="Chủ trì",
                full_name=content["chair"]["name"],
                field_id=CHAIR_FIELD,
            ),
        ),
        recipients=("Các thành viên dự họp;", "Các cơ quan, đơn vị liên quan;", "Lưu: VT."),
    )


def conclusion_notice_send(*, actor: User, meeting: Meeting) -> ConclusionNotice:
    """Generate the notice from the latest minutes' conclusions and route it: chair → seal."""
    _require_clerk(actor, meeting)
    draft = minutes_latest(meeting)
    if draft is None:
        refuse(gettext("Hãy lập biên bản trước khi ra thông báo kết luận."))
    chair = _officer_user(meeting, ParticipantRole.CHAIR)
    minutes_signers_check(meeting, [chair])
    source = conclusion_notice_document(meeting, draft.content)
    rendered = render(source)
    with transaction.atomic():
        version = _register_pdf(
            actor=actor,
            meeting=meeting,
            pdf=rendered.pdf,
            doc_type=DocumentType.NOTICE,
            symbol=f"TB-{meeting.body.symbol}",
            abstract=f"Thông báo kết luận {meeting.title}",
            slug="thong-bao-ket-luan",
        )
        area = _placement(rendered.signature_rects[CHAIR_FIELD])
        request = request_create(
            actor=actor,
            version=version,
            steps=[
                StepSpec(
                    StepKind.MAIN,
                    (AssigneeSpec(user=chair, placement=area, field_name=CHAIR_FIELD),),
                ),
                StepSpec(
                    StepKind.SEAL,
                    (AssigneeSpec(seal_body=meeting.body, placement=_seal_over(chair, area)),),
                ),
            ],
            title=f"Thông báo kết luận {meeting.title}",
            rendered_from=source,
        )
        request_send(actor=actor, request=request)
        notice = ConclusionNotice.objects.create(
            meeting=meeting, document=version.document, signing_request=request, created_by=actor
        )
        audit_record(
            actor=actor,
            verb="minutes.conclusion_notice_sent",
            target=notice,
            details={"meeting": meeting.pk, "request": request.pk},
        )
    return notice


# --- Vote sheets -------------------------------------------------------------------------------


def vote_sheet_document(poll: Poll) -> AdministrativeDocument:
    """One poll's result with its chart, for the room's screen and for the record."""
    assert poll.item is not None  # vote sheets are of a meeting's polls, each on an item
    meeting = poll.item.meeting
    body = meeting.body
    facts = poll_facts(poll, _voter_names(poll))
    bars = [Bar(o["label"], o["count"], o["percent"]) for o in facts["options"]]
    chart = svg_data_url(bar_chart_svg(bars, title="Kết quả biểu quyết"))
    html = render_to_string(
        "meetings/minutes/vote_sheet_body.html",
        {"poll": facts, "chart": chart, "meeting": meeting, "item": poll.item},
    )
    chair = _officer_user(meeting, ParticipantRole.CHAIR)
    return AdministrativeDocument(
        parent_body=body.parent.name if body.parent else "",
        issuing_body=body.name,
        number_symbol=f"/KQ-{body.symbol}",
        date=timezone.localtime(poll.closed_at or timezone.now()).date(),
        place_name=body.place_name or "Bắc Ninh",
        document_type="Kết quả biểu quyết",
        abstract=poll.title,
        body_html=html,
        signers=(Signer(position="Chủ trì", full_name=chair.full_name, field_id=CHAIR_FIELD),),
        recipients=("Lưu: VT, hồ sơ cuộc họp.",),
    )


def _voter_names(poll: Poll) -> dict[str, list[str]]:
    return named_voters([poll]).get(poll.pk, {})


def vote_sheet_pdf(poll: Poll) -> bytes:
    if poll.status != PollStatus.CLOSED or poll.item_id is None:
        refuse(gettext("Chỉ có kết quả khi biểu quyết tại cuộc họp đã kết thúc."))
    return render(vote_sheet_document(poll)).pdf


def vote_sheets_register(*, actor: User, meeting: Meeting) -> list[VoteSheet]:
    """A registered sheet for every closed poll of the meeting (once per poll)."""
    sheets = []
    polls = Poll.objects.filter(item__meeting=meeting, status=PollStatus.CLOSED)
    for poll in polls.select_related("item__meeting__body").order_by("closed_at", "id"):
        sheet = VoteSheet.objects.filter(poll=poll).first()
        if sheet is None:
            version = _register_pdf(
                actor=actor,
                meeting=meeting,
                pdf=vote_sheet_pdf(poll),
                doc_type=DocumentType.REPORT,
                symbol=f"KQ-{meeting.body.symbol}",
                abstract=f"Kết quả biểu quyết: {poll.title}",
                slug=f"ket-qua-bieu-quyet-{poll.pk}",
                status=DocumentStatus.ISSUED,
            )
            sheet = VoteSheet.objects.create(poll=poll, document=version.document)
        sheets.append(sheet)
    return sheets


# --- Filing and archiving ----------------------------------------------------------------------


def meeting_record(*, actor: User, meeting: Meeting) -> WorkRecord:
    """The meeting's work record, opened on first use (one per meeting)."""
    link = MeetingRecord.objects.filter(meeting=meeting).select_related("record").first()
    if link is not None:
        return link.record
    record = work_record_open(
        actor=actor,
        code=f"HOP-{meeting.body.symbol}-{meeting.pk}",
        name=f"Hồ sơ cuộc họp: {meeting.title}",
        owning_body=meeting.body,
        retention_years=None,
    )
    MeetingRecord.objects.create(meeting=meeting, record=record)
    return record


def meeting_documents(meeting: Meeting) -> list[Document]:
    """Invitation, agenda and every agenda document, in agenda order, without repeats."""
    found: list[Document] = [
        d for d in (meeting.invitation_document, meeting.agenda_document) if d is not None
    ]
    links = AgendaDocument.objects.filter(item__meeting=meeting).select_related("document")
    for link in links.order_by("item__position", "item_id", "position", "id"):
        if link.document not in found:
            found.append(link.document)
    return found


@transaction.atomic
def minutes_file(*, draft: MinutesDraft) -> Meeting:
    """The minutes are signed: file everything and mark the meeting. Idempotent."""
    draft = (
        MinutesDraft.objects.select_for_update(of=("self",))
        .select_related("signing_request")
        .get(pk=draft.pk)
    )
    meeting = Meeting.objects.select_for_update().get(pk=draft.meeting_id)
    request = draft.signing_request
    if request is None or request.status != RequestStatus.COMPLETED:
        refuse(gettext("Biên bản chưa được ký xong."))
    actor = request.created_by  # the clerk who sent it keeps the records
    if draft.status != MinutesStatus.SIGNED:
        draft.status = MinutesStatus.SIGNED
        draft.save(update_fields=["status"])
        # The signed minutes to the participants who may read them (once per person).
        minutes_issued_mail(draft=draft)
    if meeting.status == MeetingStatus.CLOSED:
        meeting.status = MeetingStatus.MINUTES_SIGNED
        meeting.save(update_fields=["status", "updated_at"])
    record = meeting_record(actor=actor, meeting=meeting)
    sheets = vote_sheets_register(actor=actor, meeting=meeting)
    assert draft.document is not None  # a draft is sent for signature as its document
    documents = [draft.document, *(s.document for s in sheets), *meeting_documents(meeting)]
    documents += [n.document for n in meeting.conclusion_notices.select_related("document")]
    # A document the clerk may not read (another body's, above their clearance) is left for
    # its owner to file; refusing the whole filing would leave signed minutes unrecorded.
    visible = set(
        documents_visible_to(actor)
        .filter(pk__in=[d.pk for d in documents])
        .values_list("pk", flat=True)
    )
    for document in documents:
        if document.pk in visible:
            work_record_add(actor=actor, record=record, document=document)
    audit_record(
        actor=actor,
        verb="minutes.signed_and_filed",
        target=meeting,
        details={
            "draft": draft.pk,
            "record": record.code,
            "filed": sorted(visible),
            "not_filed": sorted({d.pk for d in documents} - visible),
        },
    )
    return meeting


def _notice_file(notice: ConclusionNotice) -> None:
    link = MeetingRecord.objects.filter(meeting=notice.meeting).select_related("record").first()
    if link is not None and link.record.status == "open":
        work_record_add(actor=notice.created_by, record=link.record, document=notice.document)


def signing_completed(*, actor: User | None, version: DocumentVersion) -> None:
    """Documents' version hook: react when the version stored finished a minutes request.

    Registered in MeetingsConfig.ready(); runs after the signing transaction committed, so
    the request's final status is visible here.
    """
    finished = SigningRequest.objects.filter(
        document_id=version.document_id, status=RequestStatus.COMPLETED
    )
    if not finished.exists():
        return
    draft = MinutesDraft.objects.filter(
        document_id=version.document_id,
        status=MinutesStatus.IN_SIGNING,
        signing_request__in=finished,
    ).first()
    if draft is not None:
        minutes_file(draft=draft)
    for notice in ConclusionNotice.objects.filter(signing_request__in=finished):
        _notice_file(notice)


@transaction.atomic
def meeting_archive(*, actor: User, meeting: Meeting) -> Meeting:
    """Close the meeting's record (read-only from now on) and mark the meeting archived."""
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(
            gettext("Chỉ văn thư hoặc lãnh đạo cơ quan mới lưu trữ hồ sơ cuộc họp.")
        )
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.MINUTES_SIGNED:
        refuse(gettext("Chỉ lưu trữ cuộc họp đã có biên bản được ký."))
    record = meeting_record(actor=actor, meeting=meeting)
    work_record_close(actor=actor, record=record)
    meeting.status = MeetingStatus.ARCHIVED
    meeting.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, verb="meeting.archived", target=meeting, details={"record": record.code}
    )
    return meeting
