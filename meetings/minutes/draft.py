"""Minutes (biên bản): drafted from what happened, edited by the clerk, rendered by Decree 30.

The draft is plain JSON (``MinutesDraft.content``) with two kinds of content:

- facts taken from the database when the meeting closed — time and place, chair and
  secretary, attendance and quorum, speakers, poll results, the audit-chain hash — which the
  editor shows as read-only tables, because retyping them is where errors creep in;
- narrative the clerk writes (``opening``, per item ``discussion`` and ``conclusion``,
  ``closing``), pre-filled where the meeting gave us words (the chair's conclusions).

Saving writes a new version; the signed one is the version that went into the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from documents.rendering import (
    AdministrativeDocument,
    Annex,
    RenderedDocument,
    Signer,
    nfc,
    render,
)
from meetings.access import meeting_manageable_by, refuse
from meetings.consultation.facts import consultations_for_minutes
from meetings.minutes.charts import Bar, bar_chart_svg, svg_data_url
from meetings.models import (
    AgendaDocument,
    AttendanceMode,
    BallotChoice,
    ItemConclusion,
    Meeting,
    MeetingStatus,
    MinutesDraft,
    MinutesStatus,
    Participant,
    ParticipantRole,
    Poll,
    PollStatus,
    Rsvp,
    SpeakerRequest,
    SpeakerStatus,
)
from meetings.preparation.agenda import agenda_rows
from meetings.preparation.invitations import time_phrase
from meetings.voting import rules
from meetings.voting.quorum import quorum_state
from signing.models import RequestStatus
from signing.services import request_cancel

SCHEMA = 1
NARRATIVE_MAX_CHARS = 20_000
# Field names of the two signature fields; the signing request signs exactly these.
SECRETARY_FIELD = "ThuKy"
CHAIR_FIELD = "ChuTri"
# Statuses in which a meeting has something to record.
RECORDABLE = (MeetingStatus.CLOSED, MeetingStatus.MINUTES_SIGNED, MeetingStatus.ARCHIVED)


# --- Facts from the database ------------------------------------------------------------------


def _person(participant: Participant) -> dict[str, str]:
    user = participant.user
    return {"name": user.full_name, "position": user.position}


def officer_user(meeting: Meeting, role: str) -> User | None:
    """The meeting's chair or secretary; the secretary defaults to the clerk who prepared it.

    Meetings prepared by inviting a body "by position" often have no one holding the
    secretary's role; the clerk who prepared the meeting keeps its record unless another
    participant is named secretary.
    """
    found = [p for p in _participants(meeting) if p.role == role and p.rsvp != Rsvp.SUBSTITUTE]
    if found:
        return found[0].user
    if role == ParticipantRole.SECRETARY:
        return meeting.created_by
    return None


def _officer(meeting: Meeting, role: str) -> dict[str, str]:
    user = officer_user(meeting, role)
    if user is None:
        refuse(_missing_officer(role))
    return {"name": user.full_name, "position": user.position}


def _missing_officer(role: str) -> str:
    # Whole sentences per role, so each reads naturally in every language.
    if role == ParticipantRole.CHAIR:
        return gettext(
            "Cuộc họp chưa có người chủ trì: hãy chỉ định người chủ trì trong danh sách người "
            "dự họp trước khi lập biên bản."
        )
    return gettext(
        "Cuộc họp chưa có thư ký: hãy chỉ định thư ký trong danh sách người dự họp trước khi "
        "lập biên bản."
    )


def _participants(meeting: Meeting) -> list[Participant]:
    # Cached per meeting object: drafting reads the list several times.
    cached = getattr(meeting, "_minutes_participants", None)
    if cached is None:
        cached = list(
            meeting.participants.select_related("user", "substitute_for__user").order_by(
                "role", "user__full_name"
            )
        )
        meeting._minutes_participants = cached  # type: ignore[attr-defined]
    return cached


def _arrival(participant: Participant) -> str:
    if participant.checked_in_at is None:
        return ""
    return timezone.localtime(participant.checked_in_at).strftime("%H:%M")


def attendance_facts(meeting: Meeting) -> dict[str, list[dict[str, str]]]:
    """Who was there and how: in person, online, absent (with reason), substitutes, guests."""
    groups: dict[str, list[dict[str, str]]] = {
        "in_person": [],
        "remote": [],
        "absent": [],
        "substitutes": [],
    }
    for participant in _participants(meeting):
        row = {**_person(participant), "role": participant.get_role_display()}
        substitute_for = participant.substitute_for
        if substitute_for is not None:
            row["for_name"] = substitute_for.user.full_name
            row["present"] = "có mặt" if participant.checked_in_at else "vắng mặt"
            groups["substitutes"].append(row)
            if participant.checked_in_at is None:
                continue
        if participant.rsvp == Rsvp.SUBSTITUTE:
            continue  # represented by their substitute's row
        if _recording_secretary(participant):
            # The secretary writes the record in the room; not checking in does not make
            # them absent from the meeting they are minuting.
            groups["in_person"].append({**row, "arrived": _arrival(participant)})
        elif participant.checked_in_at is None:
            row["reason"] = participant.absence_reason or "Không báo lý do"
            groups["absent"].append(row)
        elif participant.attendance_mode == AttendanceMode.REMOTE:
            groups["remote"].append({**row, "arrived": _arrival(participant)})
        else:
            groups["in_person"].append({**row, "arrived": _arrival(participant)})
    return groups


def _recording_secretary(participant: Participant) -> bool:
    return (
        participant.role == ParticipantRole.SECRETARY
        and participant.checked_in_at is None
        and participant.rsvp != Rsvp.ABSENT
    )


def _quorum_facts(meeting: Meeting) -> dict[str, Any]:
    state = quorum_state(meeting)
    return {
        "met": state.met,
        "present": state.present,
        "total_members": state.total_members,
        "required": state.required,
        "rule_name": state.rule_name,
        "explanation": state.explanation,
    }


def _rule_text(snapshot: Mapping[str, Any] | None) -> str:
    if not snapshot:
        return ""
    rule = rules.Rule.from_json(snapshot)
    base = rules.BASE_WORDS[rule.base]
    name = snapshot.get("name") or "Quy chế biểu quyết"
    return f"{name}: thông qua khi {rules.fraction_text(rule.fraction, strict=rule.strict)} {base}"


def named_voters(polls: list[Poll]) -> dict[int, dict[str, list[str]]]:
    """poll id → option key → voters' names, for named polls only (one query)."""
    named = [poll.pk for poll in polls if not poll.secret]
    result: dict[int, dict[str, list[str]]] = {}
    choices = (
        BallotChoice.objects.filter(ballot__poll_id__in=named)
        .order_by("ballot__voter__full_name")
        .values_list("ballot__poll_id", "option__key", "ballot__voter__full_name")
    )
    for poll_id, key, name in choices:
        result.setdefault(poll_id, {}).setdefault(key, []).append(name)
    return result


def poll_facts(poll: Poll, names: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """A closed poll's result as the minutes and the vote sheet print it."""
    result = poll.result or {}
    options = [
        {
            "key": option["key"],
            "label": option["label"],
            "count": option["count"],
            "percent": option["percent"],
            "voters": list((names or {}).get(option["key"], [])),
        }
        for option in result.get("options", [])
    ]
    return {
        "id": poll.pk,
        "title": poll.title,
        "subject_name": poll.subject_name,
        "kind": poll.get_kind_display(),
        "secret": poll.secret,
        "rule": _rule_text(poll.rule_snapshot),
        "passed": bool(result.get("passed")),
        "total_members": result.get("total_members", 0),
        "present": result.get("present", 0),
        "cast": result.get("cast", 0),
        "explanation": result.get("explanation", ""),
        "flags": list(result.get("flags", [])),
        "options": options,
        "closed_at": time_phrase(poll.closed_at) if poll.closed_at else "",
    }


def _item_facts(meeting: Meeting) -> list[dict[str, Any]]:
    rows = agenda_rows(meeting)
    speakers: dict[int, list[dict[str, str]]] = {}
    spoken = (
        SpeakerRequest.objects.filter(item__meeting=meeting, status=SpeakerStatus.DONE)
        .select_related("participant__user")
        .order_by("started_at", "order", "id")
    )
    for request in spoken:
        speakers.setdefault(request.item_id, []).append(
            {**_person(request.participant), "kind": request.get_kind_display()}
        )
    polls_by_item: dict[int | None, list[Poll]] = {}
    polls = list(
        Poll.objects.filter(item__meeting=meeting, status=PollStatus.CLOSED).order_by(
            "closed_at", "id"
        )
    )
    for poll in polls:
        polls_by_item.setdefault(poll.item_id, []).append(poll)
    names = named_voters(polls)
    conclusions = dict(
        ItemConclusion.objects.filter(item__meeting=meeting).values_list("item_id", "text")
    )
    facts: list[dict[str, Any]] = []
    for row in rows:
        item = row["item"]
        facts.append(
            {
                "item_id": item.pk,
                "number": row["number"],
                "depth": row["depth"],
                "title": item.title,
                "presenter": item.presenter_display,
                "speakers": speakers.get(item.pk, []),
                "polls": [poll_facts(p, names.get(p.pk)) for p in polls_by_item.get(item.pk, [])],
                "discussion": "",
                "conclusion": conclusions.get(item.pk, ""),
            }
        )
    return facts


def meeting_audit_events(meeting: Meeting) -> Q:
    """The audit events about this meeting, its agenda, participants and polls."""
    targets = {
        "meetings.meeting": [meeting.pk],
        "meetings.agendaitem": list(meeting.agenda_items.values_list("pk", flat=True)),
        "meetings.participant": list(meeting.participants.values_list("pk", flat=True)),
        "meetings.poll": list(
            Poll.objects.filter(item__meeting=meeting).values_list("pk", flat=True)
        ),
    }
    query = Q(pk__in=[])
    for object_type, ids in targets.items():
        query |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return query


def audit_facts(meeting: Meeting) -> dict[str, Any]:
    """The audit-chain hash of the meeting's events at closing.

    Two numbers, because they prove different things: ``digest`` is a SHA-256 over the hashes
    of this meeting's own events in chain order (anyone can recompute it from the log), and
    ``chain_hash`` is the hash of the closing event itself, which through the chain commits to
    every event recorded before the meeting closed.
    """
    events = AuditEvent.objects.filter(meeting_audit_events(meeting)).order_by("seq")
    closing = events.filter(verb="meeting.ended").last()
    if closing is not None:
        events = events.filter(seq__lte=closing.seq)
    hashes = list(events.values_list("seq", "hash", "at"))
    if closing is None and hashes:
        last_seq, last_hash, last_at = hashes[-1]
    elif closing is not None:
        last_seq, last_hash, last_at = closing.seq, closing.hash, closing.at
    else:
        last_seq, last_hash, last_at = 0, "", None
    digest = hashlib.sha256("\n".join(h for _s, h, _a in hashes).encode("ascii")).hexdigest()
    return {
        "events": len(hashes),
        "digest": digest,
        "chain_seq": last_seq,
        "chain_hash": last_hash,
        "closed_at": time_phrase(last_at) if last_at else "",
    }


def _annex_facts(meeting: Meeting) -> list[dict[str, int | str]]:
    documents = []
    for document in (meeting.invitation_document, meeting.agenda_document):
        if document is not None:
            documents.append(document)
    linked = AgendaDocument.objects.filter(item__meeting=meeting).select_related("document")
    for link in linked.order_by("item__position", "item_id", "position", "id"):
        if link.document not in documents:
            documents.append(link.document)
    return [
        {"document_id": d.pk, "title": str(d), "note": d.get_doc_type_display()} for d in documents
    ]


def _moment(meeting: Meeting, verb: str, fallback: Any) -> str:
    event = (
        AuditEvent.objects.filter(object_type="meetings.meeting", object_id=str(meeting.pk))
        .filter(verb=verb)
        .order_by("seq")
        .first()
    )
    return time_phrase(event.at if event else fallback)


def minutes_facts(meeting: Meeting) -> dict[str, Any]:
    """Everything the minutes state as fact, read from the database now."""
    quorum = _quorum_facts(meeting)
    return {
        "schema": SCHEMA,
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "kind": meeting.get_kind_display(),
            "body": meeting.body.name,
            "place": meeting.place,
            "started": _moment(meeting, "meeting.started", meeting.starts_at),
            "ended": _moment(meeting, "meeting.ended", meeting.ends_at),
            "date": timezone.localtime(meeting.starts_at).date().isoformat(),
        },
        "chair": _officer(meeting, ParticipantRole.CHAIR),
        "secretary": _officer(meeting, ParticipantRole.SECRETARY),
        "attendance": attendance_facts(meeting),
        "quorum": quorum,
        "items": _item_facts(meeting),
        "audit": audit_facts(meeting),
        "annexes": _annex_facts(meeting),
        # Written consultations decided since the body's previous meeting, for the record.
        "consultations": consultations_for_minutes(meeting),
        "opening": _opening_text(meeting, quorum),
        "closing": "Cuộc họp kết thúc vào hồi {ended}. Biên bản đã được đọc lại trước cuộc họp "
        "và các thành viên dự họp thống nhất với nội dung biên bản./.".format(
            ended=_moment(meeting, "meeting.ended", meeting.ends_at)
        ),
    }


def people_facts(meeting: Meeting) -> dict[str, Any]:
    """Who chaired, who kept the record, who attended: put right until the minutes are signed."""
    return {
        "chair": _officer(meeting, ParticipantRole.CHAIR),
        "secretary": _officer(meeting, ParticipantRole.SECRETARY),
        "attendance": attendance_facts(meeting),
    }


def minutes_people_stale(draft: MinutesDraft) -> bool:
    """True when roles or attendance changed since *draft* was saved."""
    try:
        current = people_facts(draft.meeting)
    except ValidationError:
        return True
    return any(draft.content.get(key) != value for key, value in current.items())


def _opening_text(meeting: Meeting, quorum: Mapping[str, Any]) -> str:
    if quorum["met"]:
        return (
            f"Có mặt {quorum['present']}/{quorum['total_members']} thành viên, đủ số thành "
            "viên theo quy định để tiến hành cuộc họp. Người chủ trì khai mạc và điều hành "
            "cuộc họp theo chương trình."
        )
    return (
        f"Có mặt {quorum['present']}/{quorum['total_members']} thành viên, KHÔNG đủ số thành "
        f"viên theo quy định (cần ít nhất {quorum['required']}). Các nội dung dưới đây được "
        "ghi nhận; các quyết định cần được biểu quyết lại khi đủ số thành viên."
    )


# --- Drafts ------------------------------------------------------------------------------------


def _require_clerk(actor: User, meeting: Meeting) -> None:
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới lập biên bản."))


def minutes_latest(meeting: Meeting) -> MinutesDraft | None:
    return MinutesDraft.objects.filter(meeting=meeting).order_by("-version").first()


@transaction.atomic
def minutes_draft_create(*, actor: User | None, meeting: Meeting) -> MinutesDraft:
    """Version 1 of the minutes, drafted from the closed meeting; the existing one if any.

    ``actor`` None is the system drafting at closing; a person must be able to manage it.
    """
    if actor is not None:
        _require_clerk(actor, meeting)
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("body").get(pk=meeting.pk)
    )
    existing = minutes_latest(meeting)
    if existing is not None:
        return existing
    if meeting.status not in RECORDABLE:
        refuse(gettext("Chỉ lập biên bản sau khi cuộc họp đã kết thúc."))
    draft = MinutesDraft(
        meeting=meeting,
        version=1,
        content=minutes_facts(meeting),
        edited_by=actor,
        edited_at=timezone.now(),
    )
    draft.full_clean()
    draft.save()
    audit_record(
        actor=actor,
        verb="minutes.drafted",
        target=draft,
        details={"meeting": meeting.pk, "version": 1, "audit": draft.content["audit"]},
    )
    return draft


@transaction.atomic
def minutes_facts_refresh(*, meeting: Meeting) -> MinutesDraft:
    """A meeting resumed and ended again: a new draft version with today's facts.

    What the clerk wrote is kept: the opening and closing, and each item's discussion and
    conclusion where the item is still on the agenda.
    """
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    latest = minutes_latest(meeting)
    if latest is None or latest.status != MinutesStatus.DRAFT:
        return minutes_draft_create(actor=None, meeting=meeting)
    content = minutes_facts(meeting)
    written = {item["item_id"]: item for item in latest.content["items"]}
    for item in content["items"]:
        for key in ("discussion", "conclusion"):
            if written.get(item["item_id"], {}).get(key):
                item[key] = written[item["item_id"]][key]
    draft = MinutesDraft(
        meeting=meeting,
        version=latest.version + 1,
        content={**content, "opening": latest.content["opening"]},
        edited_at=timezone.now(),
    )
    draft.full_clean()
    draft.save()
    latest.status = MinutesStatus.SUPERSEDED
    latest.save(update_fields=["status"])
    audit_record(
        actor=None,
        verb="minutes.facts_refreshed",
        target=draft,
        details={"meeting": meeting.pk, "version": draft.version, "audit": content["audit"]},
    )
    return draft


def _narrative(value: object) -> str:
    text = nfc(str(value or "")).replace("\r\n", "\n")
    if len(text) > NARRATIVE_MAX_CHARS:
        refuse(
            gettext("Mỗi đoạn biên bản dài tối đa %(count)d ký tự.")
            % {"count": NARRATIVE_MAX_CHARS}
        )
    return text


def narrative_merge(content: Mapping[str, Any], narrative: Mapping[str, str]) -> dict[str, Any]:
    """A copy of *content* with the clerk's text put in; facts are never taken from input.

    Keys: ``opening``, ``closing``, ``items.<n>.discussion``, ``items.<n>.conclusion`` (n from
    0, the agenda order). Unknown keys are refused so a stale form cannot write elsewhere.
    """
    merged = {**content, "items": [dict(item) for item in content["items"]]}
    for key, value in narrative.items():
        parts = key.split(".")
        if key in ("opening", "closing"):
            merged[key] = _narrative(value)
        elif (
            len(parts) == 3
            and parts[0] == "items"
            and parts[1].isdigit()
            and int(parts[1]) < len(merged["items"])
            and parts[2] in ("discussion", "conclusion")
        ):
            merged["items"][int(parts[1])][parts[2]] = _narrative(value)
        else:
            refuse(gettext("Mục “%(key)s” không có trong biên bản.") % {"key": key})
    return merged


@transaction.atomic
def minutes_save(
    *,
    actor: User,
    meeting: Meeting,
    narrative: Mapping[str, str],
    restart: bool = False,
) -> MinutesDraft:
    """Save the clerk's edits as a new version.

    Once the minutes are in signing, a plain save is refused: what the signers see must not
    change under them. ``restart=True`` is the deliberate way out: the running request is
    cancelled and the new version goes back to draft, to be sent again.
    """
    _require_clerk(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    latest = minutes_latest(meeting)
    if latest is None:
        refuse(gettext("Biên bản chưa được lập."))
    if latest.status == MinutesStatus.SIGNED:
        refuse(gettext("Biên bản đã được ký; không thể sửa."))
    if latest.status == MinutesStatus.IN_SIGNING:
        if not restart:
            refuse(
                gettext(
                    "Biên bản đang trình ký nên không thể sửa. Muốn sửa, hãy chọn “Sửa và trình "
                    "ký lại”: yêu cầu ký hiện tại sẽ bị hủy."
                )
            )
        _cancel_request(actor, latest)
    draft = MinutesDraft(
        meeting=meeting,
        version=latest.version + 1,
        # Roles and attendance corrected after the closing enter with the next save.
        content={**narrative_merge(latest.content, narrative), **people_facts(meeting)},
        edited_by=actor,
        edited_at=timezone.now(),
    )
    draft.full_clean()
    draft.save()
    if latest.status == MinutesStatus.DRAFT:
        latest.status = MinutesStatus.SUPERSEDED
        latest.save(update_fields=["status"])
    audit_record(
        actor=actor,
        verb="minutes.edited",
        target=draft,
        details={"meeting": meeting.pk, "version": draft.version, "restarted": restart},
    )
    return draft


def _cancel_request(actor: User, draft: MinutesDraft) -> None:
    request = draft.signing_request
    if request is not None and request.status not in (
        RequestStatus.COMPLETED,
        RequestStatus.CANCELLED,
    ):
        request_cancel(actor=actor, request=request)
    draft.status = MinutesStatus.SUPERSEDED
    draft.save(update_fields=["status"])


# --- Rendering ---------------------------------------------------------------------------------


def _poll_chart(poll: Mapping[str, Any]) -> str:
    bars = [Bar(o["label"], o["count"], o["percent"]) for o in poll["options"]]
    return svg_data_url(bar_chart_svg(bars))


def minutes_body_html(content: Mapping[str, Any], *, charts: bool = False) -> Any:
    items = [
        {**item, "polls": [{**p, "chart": _poll_chart(p) if charts else ""} for p in item["polls"]]}
        for item in content["items"]
    ]
    return render_to_string("meetings/minutes/minutes_body.html", {"c": content, "items": items})


def minutes_document(meeting: Meeting, content: Mapping[str, Any]) -> AdministrativeDocument:
    """The minutes in the Decree 30 layout: secretary on the left, chair on the right.

    Both sign in person (no "TM." line), so the two blocks and their fields stay level.

    Number and date stay blank: the clerk assigns them after the signers (Art. 15.3), into
    the fields the signing request prepares over "Số:" and the date line.
    """
    body = meeting.body
    return AdministrativeDocument(
        parent_body=body.parent.name if body.parent else "",
        issuing_body=body.name,
        number_symbol=f"/BB-{body.symbol}",
        date=None,
        place_name=body.place_name or "Bắc Ninh",
        document_type="Biên bản",
        abstract=content["meeting"]["title"],
        body_html=minutes_body_html(content),
        signers=(
            Signer(
                position="Thư ký",
                full_name=content["secretary"]["name"],
                field_id=SECRETARY_FIELD,
            ),
            Signer(
                position="Chủ trì",
                full_name=content["chair"]["name"],
                field_id=CHAIR_FIELD,
            ),
        ),
        recipients=("Các thành viên dự họp;", "Lưu: VT, hồ sơ cuộc họp."),
        annexes=tuple(Annex(a["title"], a["note"]) for a in content["annexes"]),
    )


def minutes_render(draft: MinutesDraft) -> RenderedDocument:
    return render(minutes_document(draft.meeting, draft.content))
