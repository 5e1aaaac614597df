"""Preparing a meeting: the meeting itself, its agenda, participants and their replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, Membership, Role, User, nfc
from audit.services import audit_record
from documents.models import Document
from documents.selectors import document_visible_to
from documents.services import document_create
from meetings.access import meeting_manageable_by, members_not_cleared
from meetings.models import (
    AgendaDocument,
    AgendaItem,
    InvitedVia,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Rsvp,
)
from meetings.preparation.invitations import (
    invitation_reissue_render,
    invitations_reissue_store,
    invitations_send_cancellation,
    invitations_send_update,
)
from meetings.preparation.substitutes import substitute_allowed

MAX_AGENDA_DEPTH = 3
# Fields whose change must be announced to invitees (an .ics update).
ANNOUNCED_FIELDS = ("starts_at", "ends_at", "place", "video_url", "title")


def _require_organiser(actor: User, meeting: Meeting) -> None:
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền chuẩn bị cuộc họp này."))


def _agenda_touched(meeting_id: int) -> None:
    """Mark the meeting changed: the meeting page caches its agenda by this time stamp."""
    Meeting.objects.filter(pk=meeting_id).update(updated_at=timezone.now())


def _require_editable(meeting: Meeting) -> None:
    if not meeting.is_editable:
        raise ValidationError(
            gettext("Cuộc họp đang ở trạng thái “%(status)s”, không thể sửa.")
            % {"status": gettext(meeting.get_status_display())}
        )


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    body: Body,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    kind: str = "regular",
    video_url: str = "",
    confidentiality: int = 0,
    description: str = "",
) -> Meeting:
    meeting = Meeting(
        body=body,
        title=nfc(title),
        starts_at=starts_at,
        ends_at=ends_at,
        place=nfc(place),
        kind=kind,
        video_url=video_url.strip(),
        confidentiality=confidentiality,
        description=nfc(description),
        created_by=actor,
    )
    _require_organiser(actor, meeting)
    meeting.full_clean()
    meeting.save()
    audit_record(
        actor=actor,
        verb="meeting.created",
        target=meeting,
        details={"title": meeting.title, "body": body.code, "starts_at": meeting.starts_at},
    )
    return meeting


def meeting_update(*, actor: User, meeting: Meeting, **changes: Any) -> tuple[Meeting, bool]:
    """Change the meeting's fields; returns (meeting, whether invitees must be told).

    A change invitees must be told of, once the invitation is issued, re-issues the invitation
    and agenda as new versions (rendered first, stored with the change) and mails the update.
    """
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    allowed = {
        "title",
        "starts_at",
        "ends_at",
        "place",
        "kind",
        "video_url",
        "confidentiality",
        "description",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            gettext("Không sửa được các trường: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting, False
    for name in changed:
        value = changes[name]
        setattr(meeting, name, nfc(value) if isinstance(value, str) else value)
    announce = meeting.status == MeetingStatus.INVITED and any(
        name in ANNOUNCED_FIELDS for name in changed
    )
    if announce:
        meeting.revision += 1
    meeting.full_clean()
    reissued = invitation_reissue_render(meeting) if announce else None
    with transaction.atomic():
        meeting.save()
        if reissued is not None:
            invitations_reissue_store(actor=actor, meeting=meeting, pdfs=reissued)
        audit_record(
            actor=actor,
            verb="meeting.updated",
            target=meeting,
            details={"changed": changed, "revision": meeting.revision},
        )
        if announce:
            transaction.on_commit(lambda: invitations_send_update(meeting_id=meeting.pk))
    return meeting, announce


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    if not nfc(reason):
        raise ValidationError({"cancel_reason": gettext("Hãy ghi lý do hủy cuộc họp.")})
    was_invited = meeting.status == MeetingStatus.INVITED
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = nfc(reason)
    meeting.revision += 1
    meeting.save(update_fields=["status", "cancel_reason", "revision", "updated_at"])
    audit_record(
        actor=actor,
        verb="meeting.cancelled",
        target=meeting,
        details={"reason": meeting.cancel_reason},
    )
    if was_invited:
        transaction.on_commit(lambda: invitations_send_cancellation(meeting_id=meeting.pk))
    return meeting


# --- Agenda -----------------------------------------------------------------------------------


def _depth(item: AgendaItem | None) -> int:
    depth = 0
    while item is not None:
        depth += 1
        item = item.parent
    return depth


@transaction.atomic
def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    parent: AgendaItem | None = None,
    presenter: User | None = None,
    presenter_name: str = "",
    planned_minutes: int = 0,
    description: str = "",
) -> AgendaItem:
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    if parent is not None and parent.meeting_id != meeting.pk:
        raise ValidationError(gettext("Mục cha không thuộc cuộc họp này."))
    if _depth(parent) >= MAX_AGENDA_DEPTH:
        raise ValidationError(
            gettext("Chương trình chỉ có tối đa %(depth)d cấp.") % {"depth": MAX_AGENDA_DEPTH}
        )
    siblings = AgendaItem.objects.filter(meeting=meeting, parent=parent)
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        position=position,
        title=nfc(title),
        presenter=presenter,
        presenter_name=nfc(presenter_name),
        planned_minutes=planned_minutes,
        description=nfc(description),
    )
    item.full_clean()
    item.save()
    _agenda_touched(meeting.pk)
    audit_record(
        actor=actor,
        verb="agenda.item_added",
        target=item,
        details={
            "meeting": meeting.pk,
            "title": item.title,
            "parent": parent.pk if parent else None,
        },
    )
    return item


@transaction.atomic
def agenda_item_update(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    presenter: User | None = None,
    presenter_name: str = "",
    planned_minutes: int = 0,
    description: str = "",
) -> AgendaItem:
    """Change an item's wording, presenter and planned duration (sub-items alike)."""
    _require_organiser(actor, item.meeting)
    _require_editable(item.meeting)
    if presenter is not None and not item.meeting.participants.filter(user=presenter).exists():
        raise ValidationError(gettext("Người trình bày phải là người được mời dự họp."))
    before = {"title": item.title, "presenter": item.presenter_id, "minutes": item.planned_minutes}
    item.title = nfc(title)
    item.presenter = presenter
    item.presenter_name = nfc(presenter_name)
    item.planned_minutes = planned_minutes
    item.description = nfc(description)
    item.full_clean()
    item.save()
    _agenda_touched(item.meeting_id)
    audit_record(
        actor=actor,
        verb="agenda.item_updated",
        target=item,
        details={
            "meeting": item.meeting_id,
            "before": before,
            "after": {
                "title": item.title,
                "presenter": presenter.pk if presenter else None,
                "minutes": planned_minutes,
            },
        },
    )
    return item


@transaction.atomic
def agenda_item_delete(*, actor: User, item: AgendaItem) -> None:
    _require_organiser(actor, item.meeting)
    _require_editable(item.meeting)
    _agenda_touched(item.meeting_id)
    audit_record(
        actor=actor,
        verb="agenda.item_deleted",
        target=item,
        details={"meeting": item.meeting_id, "title": item.title},
    )
    parent, meeting = item.parent, item.meeting
    item.delete()
    _renumber(meeting, parent)


def _renumber(meeting: Meeting, parent: AgendaItem | None) -> None:
    siblings = list(
        AgendaItem.objects.filter(meeting=meeting, parent=parent).order_by("position", "id")
    )
    for index, sibling in enumerate(siblings, start=1):
        if sibling.position != index:
            sibling.position = index
            sibling.save(update_fields=["position"])


@transaction.atomic
def agenda_item_move(*, actor: User, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item one place up or down among its siblings (the tablet-friendly buttons)."""
    if direction not in {"up", "down"}:
        raise ValidationError(gettext("Hướng di chuyển không hợp lệ."))
    siblings = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=item.meeting_id, parent_id=item.parent_id)
        .order_by("position", "id")
    )
    ids = [s.pk for s in siblings]
    index = ids.index(item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return agenda_reorder(actor=actor, meeting=item.meeting, parent=item.parent, ordered_ids=ids)[
        ids.index(item.pk)
    ]


@transaction.atomic
def agenda_reorder(
    *, actor: User, meeting: Meeting, parent: AgendaItem | None, ordered_ids: list[int]
) -> list[AgendaItem]:
    """Set the order of *parent*'s children (drag and drop sends the whole new order)."""
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    siblings = {
        s.pk: s
        for s in AgendaItem.objects.select_for_update().filter(meeting=meeting, parent=parent)
    }
    if sorted(siblings) != sorted(ordered_ids):
        raise ValidationError(
            gettext(
                "Danh sách sắp xếp không khớp với các mục hiện có. Hãy tải lại trang và thử lại."
            )
        )
    ordered = [siblings[pk] for pk in ordered_ids]
    for position, sibling in enumerate(ordered, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    _agenda_touched(meeting.pk)
    audit_record(
        actor=actor,
        verb="agenda.reordered",
        target=meeting,
        details={"parent": parent.pk if parent else None, "order": ordered_ids},
    )
    return ordered


@transaction.atomic
def agenda_document_attach(*, actor: User, item: AgendaItem, document: Document) -> AgendaDocument:
    _require_organiser(actor, item.meeting)
    if not document_visible_to(actor, document):
        raise PermissionDenied(gettext("Bạn không có quyền với tài liệu này."))
    if document.confidentiality > item.meeting.confidentiality:
        raise ValidationError(
            gettext(
                "Tài liệu có độ mật cao hơn cuộc họp: hãy nâng độ mật cuộc họp trước khi đính kèm."
            )
        )
    position = (AgendaDocument.objects.filter(item=item).aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            link = AgendaDocument.objects.create(item=item, document=document, position=position)
    except IntegrityError as exc:
        raise ValidationError(gettext("Tài liệu đã có trong mục này.")) from exc
    _agenda_touched(item.meeting_id)
    audit_record(
        actor=actor, verb="agenda.document_attached", target=item, details={"document": document.pk}
    )
    return link


@transaction.atomic
def agenda_document_upload(
    *, actor: User, item: AgendaItem, upload: Any, abstract: str = "", doc_type: str = "khac"
) -> Document:
    """Register an uploaded file as a document of the host body and attach it to *item*.

    One transaction: a file that cannot be attached leaves no stray document behind.
    """
    _require_organiser(actor, item.meeting)
    document = document_create(
        actor=actor,
        owning_body=item.meeting.body,
        doc_type=doc_type or "khac",
        abstract=nfc(abstract) or upload.name.rsplit(".", 1)[0],
        upload=upload,
        confidentiality=item.meeting.confidentiality,
    )
    agenda_document_attach(actor=actor, item=item, document=document)
    return document


@transaction.atomic
def agenda_document_detach(*, actor: User, item: AgendaItem, document: Document) -> None:
    _require_organiser(actor, item.meeting)
    deleted, _ = AgendaDocument.objects.filter(item=item, document=document).delete()
    if deleted:
        _agenda_touched(item.meeting_id)
        audit_record(
            actor=actor,
            verb="agenda.document_detached",
            target=item,
            details={"document": document.pk},
        )


# --- Participants -----------------------------------------------------------------------------

_HOST_ROLE: dict[str, str] = {
    Role.CHAIR: ParticipantRole.CHAIR,
    Role.VICE_CHAIR: ParticipantRole.VOTING,
    Role.MEMBER: ParticipantRole.VOTING,
    Role.SECRETARY: ParticipantRole.SECRETARY,
    Role.CLERK: ParticipantRole.OBSERVER,
}


def _invite(
    meeting: Meeting, user: User, role: str, via: str, body: Body | None
) -> Participant | None:
    participant, created = Participant.objects.get_or_create(
        meeting=meeting,
        user=user,
        defaults={"role": role, "invited_via": via, "invited_body": body},
    )
    return participant if created else None


@transaction.atomic
def participants_invite_body(
    *, actor: User, meeting: Meeting, body: Body, role: str | None = None
) -> list[Participant]:
    """Invite every member of *body*. For the host body, roles follow the memberships."""
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    added = []
    # Members not cleared for the meeting are left out (the view names them to the clerk).
    uncleared = members_not_cleared(meeting, body).values("pk")
    members = Membership.objects.filter(body=body, user__is_active=True).exclude(pk__in=uncleared)
    for membership in members.select_related("user"):
        if body.pk == meeting.body_id and role is None:
            part_role = _HOST_ROLE[membership.role]
        else:
            part_role = role or ParticipantRole.GUEST
        participant = _invite(meeting, membership.user, part_role, InvitedVia.BODY, body)
        if participant:
            added.append(participant)
    audit_record(
        actor=actor,
        verb="meeting.body_invited",
        target=meeting,
        details={"body": body.code, "added": len(added)},
    )
    return added


@transaction.atomic
def participant_invite(
    *,
    actor: User,
    meeting: Meeting,
    user: User,
    role: str = ParticipantRole.VOTING,
    via: str = InvitedVia.INDIVIDUAL,
) -> Participant:
    _require_organiser(actor, meeting)
    _require_editable(meeting)
    if role not in ParticipantRole.values:
        raise ValidationError(gettext("Vai trò trong cuộc họp không hợp lệ."))
    participant = _invite(meeting, user, role, via, None)
    if participant is None:
        raise ValidationError(
            gettext("%(name)s đã có trong danh sách mời.") % {"name": user.full_name}
        )
    audit_record(
        actor=actor,
        verb="meeting.participant_invited",
        target=meeting,
        details={"user": user.username, "role": role},
    )
    return participant


# Roles can be put right until the minutes are signed: the minutes name the chair and the
# secretary, and a meeting invited "by position" may reach its end without either.
ROLE_EDITABLE = (
    MeetingStatus.DRAFT,
    MeetingStatus.INVITED,
    MeetingStatus.IN_PROGRESS,
    MeetingStatus.CLOSED,
)
# The minutes have one chair and one secretary: naming a new one steps the previous holder
# down to the role they would otherwise have.
_STEPPED_DOWN: dict[str, str] = {
    ParticipantRole.CHAIR: ParticipantRole.VOTING,
    ParticipantRole.SECRETARY: ParticipantRole.OBSERVER,
}


@transaction.atomic
def participant_role_set(*, actor: User, participant: Participant, role: str) -> Participant:
    """Change a participant's role in the meeting (chair, secretary, member, guest…)."""
    meeting = Meeting.objects.select_for_update().get(pk=participant.meeting_id)
    _require_organiser(actor, meeting)
    if meeting.status not in ROLE_EDITABLE:
        raise ValidationError(
            gettext("Biên bản đã được ký hoặc cuộc họp đã hủy: không thể đổi vai trò.")
        )
    if role not in ParticipantRole.values:
        raise ValidationError(gettext("Vai trò trong cuộc họp không hợp lệ."))
    previous = participant.role
    if role == previous:
        return participant
    if role in _STEPPED_DOWN:
        Participant.objects.filter(meeting=meeting, role=role).exclude(pk=participant.pk).update(
            role=_STEPPED_DOWN[role]
        )
    participant.role = role
    participant.save(update_fields=["role"])
    audit_record(
        actor=actor,
        verb="meeting.participant_role_changed",
        target=meeting,
        details={"user": participant.user.username, "from": previous, "to": role},
    )
    return participant


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant) -> None:
    _require_organiser(actor, participant.meeting)
    _require_editable(participant.meeting)
    audit_record(
        actor=actor,
        verb="meeting.participant_removed",
        target=participant.meeting,
        details={"user": participant.user.username},
    )
    participant.delete()


@transaction.atomic
def rsvp_reply(
    *,
    actor: User,
    participant: Participant,
    answer: str,
    reason: str = "",
    substitute: User | None = None,
) -> Participant:
    """The invitee answers: attending, absent (with a reason), or sending a substitute."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=participant.pk)
    )
    meeting = participant.meeting
    if participant.user_id != actor.pk:
        raise PermissionDenied(gettext("Chỉ người được mời mới trả lời được giấy mời này."))
    if participant.substitute_for_id is not None:
        raise ValidationError(
            gettext("Bạn dự họp thay người khác nên không cử người dự thay tiếp.")
        )
    if meeting.status not in {MeetingStatus.INVITED, MeetingStatus.IN_PROGRESS}:
        raise ValidationError(gettext("Cuộc họp không còn nhận trả lời."))
    if answer not in {Rsvp.ATTENDING, Rsvp.ABSENT, Rsvp.SUBSTITUTE}:
        raise ValidationError(gettext("Câu trả lời không hợp lệ."))
    reason = nfc(reason)
    if answer in {Rsvp.ABSENT, Rsvp.SUBSTITUTE} and not reason:
        raise ValidationError({"absence_reason": gettext("Hãy ghi lý do vắng mặt.")})
    _drop_previous_substitute(participant)
    if answer == Rsvp.SUBSTITUTE:
        _add_substitute(participant, substitute)
    participant.rsvp = answer
    participant.absence_reason = reason if answer != Rsvp.ATTENDING else ""
    participant.rsvp_at = timezone.now()
    participant.save(update_fields=["rsvp", "absence_reason", "rsvp_at"])
    audit_record(
        actor=actor,
        verb="meeting.rsvp",
        target=meeting,
        details={
            "user": actor.username,
            "answer": answer,
            "substitute": substitute.username if substitute else None,
        },
    )
    return participant


def _drop_previous_substitute(participant: Participant) -> None:
    Participant.objects.filter(substitute_for=participant).delete()


def _add_substitute(participant: Participant, substitute: User | None) -> Participant:
    if substitute is None:
        raise ValidationError({"substitute": gettext("Hãy chọn người dự thay.")})
    if not substitute_allowed(participant, substitute):
        raise ValidationError({"substitute": _substitute_refusal(participant, substitute)})
    return Participant.objects.create(
        meeting=participant.meeting,
        user=substitute,
        role=participant.role,
        invited_via=InvitedVia.SUBSTITUTE,
        invited_body=participant.invited_body,
        rsvp=Rsvp.ATTENDING,
        rsvp_at=timezone.now(),
        substitute_for=participant,
    )


def _substitute_refusal(participant: Participant, substitute: User) -> str:
    """Why the rule (substitutes.substitute_candidates) leaves this person out, in words."""
    meeting = participant.meeting
    if substitute.pk == participant.user_id:
        return gettext("Người dự thay phải là người khác.")
    if not substitute.is_active:
        return gettext("Tài khoản người dự thay đã bị khoá.")
    if substitute.clearance < meeting.confidentiality:
        return gettext("Người dự thay chưa được phép đọc tài liệu có độ mật của cuộc họp này.")
    if Participant.objects.filter(meeting=meeting, user=substitute).exists():
        return gettext("%(name)s đã có trong danh sách mời của cuộc họp.") % {
            "name": substitute.full_name
        }
    return gettext("%(name)s không cùng cơ quan, đơn vị với bạn nên không thể dự họp thay bạn.") % {
        "name": substitute.full_name
    }
