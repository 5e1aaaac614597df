"""The quorum from the database: the body's rule, who is present with a vote, and the check.

The arithmetic is ``rules.quorum_check`` (pure, exact fractions); this module feeds it the
counts. Polls read it when they open, the live screens after every check-in, the minutes at
closing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Body
from meetings.models import Meeting, Participant, ParticipantRole, Rsvp, VotingRule
from meetings.voting import rules

VOTING_ROLES = (ParticipantRole.CHAIR, ParticipantRole.VOTING)


def rule_for_body(body: Body) -> VotingRule:
    """The body's default rule, or the law's defaults (unsaved) if the clerk has set none."""
    stored = VotingRule.objects.filter(body=body, is_default=True).first()
    return stored or VotingRule(body=body, name="Quy chế theo Luật Tổ chức chính quyền địa phương")


def present_voters(meeting: Meeting) -> QuerySet[Participant]:
    """Checked-in participants who hold a vote; a substitute stands for the invitee."""
    return Participant.objects.filter(
        meeting=meeting, role__in=VOTING_ROLES, checked_in_at__isnull=False
    ).exclude(rsvp=Rsvp.SUBSTITUTE)


@dataclass(frozen=True)
class QuorumState:
    met: bool
    present: int
    total_members: int
    required: int
    rule_name: str
    explanation: str


def quorum_state(meeting: Meeting, rule: VotingRule | None = None) -> QuorumState:
    """Quorum from the database against the rule (the body's by default) and *total* members."""
    stored = rule or rule_for_body(meeting.body)
    check = rules.quorum_check(
        rule=stored.as_rule(),
        present=present_voters(meeting).count(),
        total_members=meeting.body.total_members,
    )
    return QuorumState(
        check.met,
        check.present,
        check.total_members,
        check.required,
        stored.name,
        check.explanation,
    )
