"""Meetings: agenda, participants and replies, invitations, attendance, polls and ballots.

A past meeting goes the whole way the services take it (created → invited → in progress →
closed, minutes not yet drafted: the editor drafts them from these facts on first visit);
some were cancelled; meetings of the coming weeks are invited and collecting replies.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from accounts.models import BodyKind, Role
from documents.models import DocumentStatus, DocumentType
from meetings.models import (
    AgendaDocument,
    AgendaItem,
    AttendanceMode,
    Ballot,
    BallotChoice,
    CheckInWindow,
    InvitedVia,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Poll,
    PollKind,
    PollOption,
    PollStatus,
    Rsvp,
    SecretChoice,
    VoteReceipt,
)
from meetings.seed_scale import names
from meetings.seed_scale.chain import Chain
from meetings.seed_scale.paper import Paper
from meetings.seed_scale.province import BodyPlan, Person, default_rule
from meetings.seed_scale.writer import Writer, json_text
from meetings.voting import rules

HOST_ROLE: dict[str, ParticipantRole] = {
    Role.CHAIR: ParticipantRole.CHAIR,
    Role.VICE_CHAIR: ParticipantRole.VOTING,
    Role.MEMBER: ParticipantRole.VOTING,
    Role.SECRETARY: ParticipantRole.SECRETARY,
    Role.CLERK: ParticipantRole.OBSERVER,
}
# Meeting sizes per kind of host body (people invited).
SIZES: dict[str, tuple[int, int]] = {
    BodyKind.PROVINCE_COMMITTEE: (30, 80),
    BodyKind.PROVINCE_COUNCIL: (60, 150),
    BodyKind.DEPARTMENT: (20, 40),
    BodyKind.DISTRICT_COMMITTEE: (20, 45),
    BodyKind.DISTRICT_COUNCIL: (25, 60),
    BodyKind.COMMUNE_COMMITTEE: (20, 30),
    BodyKind.UNIT: (20, 25),
}
MEETING_FIELDS = [
    "id",
    "body",
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "video_url",
    "confidentiality",
    "status",
    "description",
    "invitation_number",
    "invitation_document",
    "agenda_document",
    "invitations_sent_at",
    "cancel_reason",
    "revision",
    "created_by",
    "created_at",
    "updated_at",
]
PARTICIPANT_FIELDS = [
    "id",
    "meeting",
    "user",
    "role",
    "invited_via",
    "invited_body",
    "rsvp",
    "rsvp_at",
    "absence_reason",
    "substitute_for",
    "checked_in_at",
    "attendance_mode",
    "checked_in_by",
    "attendance_corrected",
]
POLL_FIELDS = [
    "id",
    "body",
    "item",
    "title",
    "subject_name",
    "kind",
    "secret",
    "status",
    "max_choices",
    "show_live_tally",
    "rule",
    "rule_snapshot",
    "quorum_at_open",
    "quorum_overridden_by",
    "quorum_override_reason",
    "opened_at",
    "opened_by",
    "closed_at",
    "closed_by",
    "result",
    "created_by",
    "created_at",
]
VOTING = (ParticipantRole.CHAIR, ParticipantRole.VOTING)


class Sittings:
    def __init__(
        self,
        writer: Writer,
        chain: Chain,
        rng: random.Random,
        paper: Paper,
        bodies: list[BodyPlan],
        now: dt.datetime,
    ) -> None:
        self.writer = writer
        self.chain = chain
        self.rng = rng
        self.paper = paper
        self.now = now
        self.pools = {body.id: _neighbourhood(body, bodies) for body in bodies}
        self.made = 0
        self.t = {
            "meeting": writer.table(Meeting, MEETING_FIELDS),
            "item": writer.table(
                AgendaItem,
                [
                    "id",
                    "meeting",
                    "parent",
                    "position",
                    "title",
                    "presenter",
                    "presenter_name",
                    "planned_minutes",
                    "description",
                ],
            ),
            "agenda_doc": writer.table(AgendaDocument, ["id", "item", "document", "position"]),
            "participant": writer.table(Participant, PARTICIPANT_FIELDS),
            "window": writer.table(
                CheckInWindow, ["id", "meeting", "opened_at", "opened_by", "closed_at"]
            ),
            "poll": writer.table(Poll, POLL_FIELDS),
            "option": writer.table(PollOption, ["id", "poll", "key", "label", "position"]),
            "ballot": writer.table(Ballot, ["id", "poll", "voter", "cast_at"]),
            "choice": writer.table(BallotChoice, ["id", "ballot", "option"]),
            "receipt": writer.table(VoteReceipt, ["id", "poll", "voter", "cast_at"]),
            "secret": writer.table(SecretChoice, ["id", "poll", "option"]),
        }

    def meeting(self, body: BodyPlan, starts: dt.datetime) -> None:
        self.made += 1
        rng, clerk, chair = self.rng, body.clerk, body.chair
        pk = self.writer.new_id(Meeting)
        hours = rng.choice([2, 3, 3, 4])
        ends = starts + dt.timedelta(hours=hours)
        created = min(
            starts - dt.timedelta(days=rng.randint(5, 14)), self.now - dt.timedelta(hours=2)
        )
        kind = (
            MeetingKind.COUNCIL_SESSION
            if "council" in body.kind
            else rng.choice(
                [
                    MeetingKind.REGULAR,
                    MeetingKind.REGULAR,
                    MeetingKind.THEMATIC,
                    MeetingKind.CONFERENCE,
                ]
            )
        )
        local = starts.astimezone(TZ)
        title = (
            f"Họp {rng.choice(names.MEETING_TOPICS)} tháng {local.month}/"
            f"{local.year} - {body.short}"
        )
        confidentiality = 1 if rng.random() < 0.02 else 0
        past = ends < self.now
        cancelled = past and rng.random() < 0.03
        self.chain.add(
            created,
            clerk.actor,
            "meeting.created",
            "meetings.meeting",
            pk,
            {"title": title, "body": body.code, "starts_at": starts},
        )
        people = self._participants(pk, body, created)
        items = self._agenda(pk, body, created, people, confidentiality)
        polls = [] if cancelled or not past else self._polls(pk, body, items, created)
        sent = created + dt.timedelta(days=1)
        number = self.paper.next_invitation(body, sent)
        invitation = self._invitation_doc(body, sent, title, number, "GM", confidentiality, chair)
        agenda = self._invitation_doc(body, sent, title, number, "CTr", confidentiality, chair)
        self.chain.add(
            sent,
            clerk.actor,
            "meeting.invitations_sent",
            "meetings.meeting",
            pk,
            {"number": f"{number}/GM-{body.symbol}", "participants": len(people)},
        )
        status = MeetingStatus.INVITED
        updated = sent
        cancel_reason = ""
        if cancelled:
            status, cancel_reason = MeetingStatus.CANCELLED, "Lùi lịch do trùng lịch công tác"
            updated = sent + dt.timedelta(days=1)
            self.chain.add(
                updated,
                clerk.actor,
                "meeting.cancelled",
                "meetings.meeting",
                pk,
                {"reason": cancel_reason},
            )
        self._replies(pk, people, sent, starts, past and not cancelled, body)
        if past and not cancelled:
            status, updated = MeetingStatus.CLOSED, ends
            self._held(pk, body, starts, ends, people, polls)
        else:
            self.participants_write(pk, people)
        self.t["meeting"].add(
            pk,
            body.id,
            title,
            kind,
            starts,
            ends,
            f"Phòng họp số {rng.randint(1, 4)}, trụ sở {body.name}",
            "",
            confidentiality,
            status,
            "",
            f"{number}/GM-{body.symbol}",
            invitation,
            agenda,
            sent,
            cancel_reason,
            1 if cancelled else 0,
            clerk.id,
            created,
            updated,
        )

    # --- before the meeting ---------------------------------------------------------------

    def _participants(self, pk: int, body: BodyPlan, at: dt.datetime) -> list[dict]:
        people: list[dict] = []
        seen: set[int] = set()
        for person, role in body.members:
            if person.id in seen:
                continue
            seen.add(person.id)
            people.append(_invitee(person, HOST_ROLE[role], InvitedVia.BODY, body.id))
        self.chain.add(
            at + dt.timedelta(minutes=40),
            body.clerk.actor,
            "meeting.body_invited",
            "meetings.meeting",
            pk,
            {"body": body.code, "added": len(people)},
        )
        low, high = SIZES.get(body.kind, (20, 30))
        wanted = self.rng.randint(low, high) - len(people)
        pool = [p for p in self.pools[body.id] if p.id not in seen]
        for guest in self.rng.sample(pool, min(max(wanted, 0), len(pool))):
            seen.add(guest.id)
            people.append(_invitee(guest, ParticipantRole.GUEST, InvitedVia.INDIVIDUAL, None))
            self.chain.add(
                at + dt.timedelta(minutes=45),
                body.clerk.actor,
                "meeting.participant_invited",
                "meetings.meeting",
                pk,
                {"user": guest.username, "role": ParticipantRole.GUEST},
            )
        for entry in people:
            entry["id"] = self.writer.new_id(Participant)
        self._spare = [p for p in pool if p.id not in seen]
        return people

    def _agenda(
        self, pk: int, body: BodyPlan, at: dt.datetime, people: list[dict], confidentiality: int
    ) -> list[int]:
        items = []
        docs = list(self.paper.recent_by_body.get(body.id, ()))
        speakers = [entry["person"] for entry in people if entry["role"] in VOTING]
        for position in range(1, self.rng.randint(2, 8) + 1):
            item_id = self.writer.new_id(AgendaItem)
            title = f"{self.rng.choice(names.ITEM_TITLES)} ({position})"
            presenter = self.rng.choice(speakers)
            self.t["item"].add(
                item_id,
                pk,
                None,
                position,
                title,
                presenter.id,
                "",
                self.rng.choice([15, 20, 30, 45]),
                "",
            )
            when = at + dt.timedelta(minutes=5 * position)
            self.chain.add(
                when,
                body.clerk.actor,
                "agenda.item_added",
                "meetings.agendaitem",
                item_id,
                {"meeting": pk, "title": title, "parent": None},
            )
            chosen = self.rng.sample(docs, min(len(docs), self.rng.randint(1, 3)))
            for index, doc_id in enumerate(chosen):
                self.t["agenda_doc"].add(self.writer.new_id(AgendaDocument), item_id, doc_id, index)
                self.chain.add(
                    when,
                    body.clerk.actor,
                    "agenda.document_attached",
                    "meetings.agendaitem",
                    item_id,
                    {"document": doc_id},
                )
            items.append(item_id)
        return items

    def _invitation_doc(
        self, body, at, title, number, abbreviation, confidentiality, chair: Person
    ) -> int:
        doc_type = DocumentType.INVITATION if abbreviation == "GM" else DocumentType.AGENDA
        doc = self.paper.document(
            body=body,
            at=at,
            doc_type=doc_type,
            abstract=title,
            by=body.clerk,
            status=DocumentStatus.ISSUED,
            confidentiality=confidentiality,
        )
        doc.number, doc.symbol = number, f"{abbreviation}-{body.symbol}"
        doc.issued_on, doc.signer_name = at.astimezone(TZ).date(), chair.full_name
        doc.numbered_at_creation = True
        return doc.id

    def _replies(
        self,
        pk: int,
        people: list[dict],
        sent: dt.datetime,
        starts: dt.datetime,
        held: bool,
        body: BodyPlan,
    ) -> None:
        rng = self.rng
        subs = []
        for entry in people:
            roll = rng.random()
            if roll < 0.04 and not held:
                continue  # not answered yet
            answer = Rsvp.ATTENDING
            if entry["role"] in VOTING and roll > 0.97 and self._spare:
                answer = Rsvp.SUBSTITUTE
            elif roll > 0.88:
                answer = Rsvp.ABSENT
            window = max(60, int((starts - sent).total_seconds()) - 3600)
            entry["rsvp_at"] = at = sent + dt.timedelta(seconds=rng.randint(60, window))
            entry["rsvp"] = answer
            substitute = None
            if answer != Rsvp.ATTENDING:
                entry["reason"] = rng.choice(names.ABSENCE_REASONS)
            if answer == Rsvp.SUBSTITUTE:
                substitute = self._spare.pop(rng.randrange(len(self._spare)))
                sub = _invitee(
                    substitute, entry["role"], InvitedVia.SUBSTITUTE, entry["invited_body"]
                )
                sub.update(
                    id=self.writer.new_id(Participant),
                    rsvp=Rsvp.ATTENDING,
                    rsvp_at=at,
                    substitute_for=entry["id"],
                )
                subs.append(sub)
            person = entry["person"]
            self.chain.add(
                at,
                person.actor,
                "meeting.rsvp",
                "meetings.meeting",
                pk,
                {
                    "user": person.username,
                    "answer": answer,
                    "substitute": substitute.username if substitute else None,
                },
            )
        people.extend(subs)

    # --- the meeting itself ---------------------------------------------------------------

    def _held(
        self,
        pk: int,
        body: BodyPlan,
        starts: dt.datetime,
        ends: dt.datetime,
        people: list[dict],
        polls: list[dict],
    ) -> None:
        rng, clerk, chair = self.rng, body.clerk, body.chair
        opened = starts - dt.timedelta(minutes=30)
        self.t["window"].add(self.writer.new_id(CheckInWindow), pk, opened, clerk.id, ends)
        self.chain.add(opened, clerk.actor, "attendance.checkin_opened", "meetings.meeting", pk)
        for entry in people:
            coming = entry["rsvp"] == Rsvp.ATTENDING or (
                entry["rsvp"] == Rsvp.PENDING and rng.random() < 0.5
            )
            if not coming or rng.random() < 0.04:
                continue
            at = starts + dt.timedelta(seconds=rng.randint(-1500, 600))
            mode = AttendanceMode.REMOTE if rng.random() < 0.15 else AttendanceMode.IN_PERSON
            entry.update(checked_in_at=at, mode=mode)
            self.chain.add(
                at,
                entry["person"].actor,
                "attendance.checked_in",
                "meetings.participant",
                entry["id"],
                {"user": entry["person"].id, "mode": mode, "at": at},
            )
        self.chain.add(starts, chair.actor, "meeting.started", "meetings.meeting", pk)
        present = [
            e
            for e in people
            if e["role"] in VOTING and e.get("checked_in_at") and e["rsvp"] != Rsvp.SUBSTITUTE
        ]
        for index, poll in enumerate(polls):
            self._vote(poll, body, starts + dt.timedelta(minutes=40 * (index + 1)), present)
        self.chain.add(ends, chair.actor, "meeting.ended", "meetings.meeting", pk)
        for entry in people:
            self.t["participant"].add(
                entry["id"],
                pk,
                entry["person"].id,
                entry["role"],
                entry["via"],
                entry["invited_body"],
                entry["rsvp"],
                entry.get("rsvp_at"),
                entry.get("reason", ""),
                entry.get("substitute_for"),
                entry.get("checked_in_at"),
                entry.get("mode", ""),
                entry["person"].id if entry.get("checked_in_at") else None,
                False,
            )
        people.clear()

    def participants_write(self, pk: int, people: list[dict]) -> None:
        for entry in people:
            self.t["participant"].add(
                entry["id"],
                pk,
                entry["person"].id,
                entry["role"],
                entry["via"],
                entry["invited_body"],
                entry["rsvp"],
                entry.get("rsvp_at"),
                entry.get("reason", ""),
                entry.get("substitute_for"),
                None,
                "",
                None,
                False,
            )

    def _polls(self, pk: int, body: BodyPlan, items: list[int], at: dt.datetime) -> list[dict]:
        polls = []
        count = self.rng.choices([0, 1, 2, 3], [25, 45, 20, 10])[0]
        for item_id in self.rng.sample(items, min(count, len(items))):
            roll = self.rng.random()
            if roll < 0.05:
                kind, secret = PollKind.CONFIDENCE, True
            elif roll < 0.2:
                kind, secret = PollKind.ONE_OF_N, False
            else:
                kind, secret = PollKind.YES_NO_ABSTAIN, self.rng.random() < 0.2
            poll: dict[str, Any] = {
                "id": self.writer.new_id(Poll),
                "item": item_id,
                "kind": kind,
                "secret": secret,
                "created": at + dt.timedelta(hours=2),
            }
            if kind == PollKind.CONFIDENCE:
                options = list(rules.CONFIDENCE_LABELS.items())
                poll["title"] = "Lấy phiếu tín nhiệm"
                poll["subject"] = self.rng.choice(body.with_role(Role.VICE_CHAIR) or [body.chair])
            elif kind == PollKind.ONE_OF_N:
                options = [(str(n), f"Phương án {n}") for n in (1, 2, 3)]
                poll["title"] = "Lựa chọn phương án đầu tư"
            else:
                options = list(rules.MOTION_LABELS.items())
                poll["title"] = "Biểu quyết thông qua nội dung"
            poll["options"] = [
                (self.writer.new_id(PollOption), key, label) for key, label in options
            ]
            self.chain.add(
                poll["created"],
                body.clerk.actor,
                "poll.created",
                "meetings.poll",
                poll["id"],
                {"kind": kind, "secret": secret, "item": item_id},
            )
            polls.append(poll)
        return polls

    def _vote(self, poll: dict, body: BodyPlan, opened: dt.datetime, present: list[dict]) -> None:
        rng, chair = self.rng, body.chair
        snapshot = default_rule(body.id).snapshot()
        rule = rules.Rule.from_json(snapshot)
        quorum = rules.quorum_check(
            rule=rule, present=len(present), total_members=body.total_members
        )
        reason = "" if quorum.met else "Chủ tọa quyết định tiếp tục biểu quyết"
        quorum_json = {
            "met": quorum.met,
            "present": quorum.present,
            "total_members": quorum.total_members,
            "required": quorum.required,
        }
        self.chain.add(
            opened,
            chair.actor,
            "poll.opened",
            "meetings.poll",
            poll["id"],
            {"quorum": quorum_json, "override_reason": reason},
        )
        counts: dict[str, int] = {}
        weights = [70, 10, 20] if poll["kind"] == PollKind.YES_NO_ABSTAIN else [50, 30, 20]
        chair_choice = None
        cast = 0
        for entry in present:
            if rng.random() < 0.05:
                continue
            option_id, key, _label = rng.choices(poll["options"], weights)[0]
            at = opened + dt.timedelta(seconds=rng.randint(5, 150))
            person = entry["person"]
            cast += 1
            counts[key] = counts.get(key, 0) + 1
            if poll["secret"]:
                self.t["receipt"].add(self.writer.new_id(VoteReceipt), poll["id"], person.id, at)
                self.t["secret"].add(uuid.uuid4().hex, poll["id"], option_id)
                details: dict[str, Any] = {"secret": True}
            else:
                ballot = self.writer.new_id(Ballot)
                self.t["ballot"].add(ballot, poll["id"], person.id, at)
                self.t["choice"].add(self.writer.new_id(BallotChoice), ballot, option_id)
                details = {"secret": False, "options": [key]}
                if entry["role"] == ParticipantRole.CHAIR:
                    chair_choice = key
            self.chain.add(
                at, person.actor, "poll.ballot_cast", "meetings.poll", poll["id"], details
            )
        closed = opened + dt.timedelta(minutes=4)
        tally = rules.Tally(
            counts=counts,
            total_members=body.total_members,
            present=len(present),
            cast=cast,
            labels={key: label for _i, key, label in poll["options"]},
        )
        decision = rules.decide(
            kind=poll["kind"],
            rule=rule,
            tally=tally,
            chair_choice=None if poll["secret"] else chair_choice,
        )
        self.chain.add(
            closed,
            chair.actor,
            "poll.closed",
            "meetings.poll",
            poll["id"],
            {
                "counts": dict(counts),
                "cast": cast,
                "passed": decision.passed,
                "explanation": decision.explanation,
            },
        )
        subject = poll.get("subject")
        self.t["poll"].add(
            poll["id"],
            body.id,
            poll["item"],
            poll["title"],
            subject.full_name if subject else "",
            poll["kind"],
            poll["secret"],
            PollStatus.CLOSED,
            1,
            False,
            body.rule_id,
            json_text(snapshot),
            json_text(quorum_json),
            None if quorum.met else chair.id,
            reason,
            opened,
            chair.id,
            closed,
            chair.id,
            json_text(decision.to_json()),
            body.clerk.id,
            poll["created"],
        )
        for index, (option_id, key, label) in enumerate(poll["options"]):
            self.t["option"].add(option_id, poll["id"], key, label, index)


def _invitee(person: Person, role: str, via: str, invited_body: int | None) -> dict:
    return {
        "person": person,
        "role": role,
        "via": via,
        "invited_body": invited_body,
        "rsvp": Rsvp.PENDING,
    }


def _neighbourhood(body: BodyPlan, bodies: list[BodyPlan]) -> list[Person]:
    """Who a body invites as guests: people of its parent, its siblings and its children."""
    near = [
        b
        for b in bodies
        if b is body.parent
        or b.parent is body
        or (body.parent is not None and b.parent is body.parent and b is not body)
    ]
    seen: dict[int, Person] = {}
    for other in near:
        for person, _role in other.members:
            seen.setdefault(person.id, person)
    return list(seen.values())


from zoneinfo import ZoneInfo  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
