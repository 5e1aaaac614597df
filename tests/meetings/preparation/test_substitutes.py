"""Who may attend in an invitee's place: one rule, the form offers what the service accepts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clearance
from accounts.services import membership_set
from meetings.access import meeting_visible_to
from meetings.models import Participant, Rsvp
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations
from meetings.preparation.substitutes import substitute_candidates, substitute_choices
from meetings.voting.quorum import present_voters
from tests.factories import make_body, make_user


@pytest.fixture
def sent(host, meeting):
    """A Mật meeting of the committee, sent; members[1] also heads the finance department."""
    services.meeting_update(actor=host.clerk, meeting=meeting, confidentiality=Clearance.SECRET)
    services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Tờ trình dự án")
    for person in (host.chair, host.clerk, *host.members):
        person.clearance = Clearance.SECRET
        person.save(update_fields=["clearance"])
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    return meeting_send_invitations(actor=host.clerk, meeting=meeting)


@pytest.fixture
def finance(host):
    body = make_body(code="stc", name="Sở Tài chính", symbol="STC")
    membership_set(actor=None, user=host.members[1], body=body, role="chair")
    return body


def _person(*, clearance=Clearance.SECRET, is_active=True, **extra):
    user = make_user(**extra)
    user.clearance, user.is_active = clearance, is_active
    user.save(update_fields=["clearance", "is_active"])
    return user


def _deputy(finance, full_name="Vũ Thị Hồng Nhung", **extra):
    return _person(full_name=full_name, position="Phó Giám đốc Sở Tài chính", body=finance, **extra)


def _send(host, meeting, substitute):
    invitee = Participant.objects.get(meeting=meeting, user=host.members[1])
    return services.rsvp_reply(
        actor=host.members[1],
        participant=invitee,
        answer=Rsvp.SUBSTITUTE,
        reason="Đi công tác Hà Nội",
        substitute=substitute,
    )


def test_a_cleared_deputy_of_the_invitees_department_may_attend_in_their_place(host, sent, finance):
    deputy = _deputy(finance)
    _send(host, sent, deputy)
    row = Participant.objects.get(meeting=sent, user=deputy)
    assert row.substitute_for.user == host.members[1]
    assert meeting_visible_to(deputy, sent)
    # The invitee no longer counts towards the quorum, even if scanned in; the deputy does.
    Participant.objects.filter(meeting=sent).update(checked_in_at=timezone.now())
    counted = set(present_voters(sent).values_list("user_id", flat=True))
    assert deputy.pk in counted and host.members[1].pk not in counted


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda host, finance: _deputy(finance, clearance=Clearance.NORMAL), "độ mật"),
        (lambda host, finance: _deputy(finance, is_active=False), "bị khoá"),
        (lambda host, finance: host.members[2], "đã có trong danh sách mời"),
        (lambda host, finance: _person(full_name="Vũ Thị Ngoài"), "không cùng cơ quan"),
        (
            lambda host, finance: _person(full_name="Đỗ Minh Đức", body=host.other_body),
            "không cùng cơ quan",
        ),
        (lambda host, finance: host.members[1], "người khác"),
    ],
    ids=["uncleared", "inactive", "already-invited", "outsider", "other-unit", "oneself"],
)
def test_anyone_else_is_refused_and_nothing_changes(host, sent, finance, make, message):
    person = make(host, finance)
    with pytest.raises(ValidationError, match=message):
        _send(host, sent, person)
    invitee = Participant.objects.get(meeting=sent, user=host.members[1])
    assert invitee.rsvp == Rsvp.PENDING
    assert not Participant.objects.filter(meeting=sent, substitute_for=invitee).exists()
    assert not substitute_candidates(invitee).filter(pk=person.pk).exists()


def test_the_form_offers_exactly_whom_the_service_accepts(host, sent, finance):
    deputy = _deputy(finance)
    _deputy(finance, full_name="Lê Văn Chưa Mật", clearance=Clearance.NORMAL)
    _deputy(finance, full_name="Lê Văn Nghỉ Việc", is_active=False)
    invitee = Participant.objects.get(meeting=sent, user=host.members[1])
    choices = substitute_choices(invitee)
    assert [(c.pk, c.position, c.units) for c in choices] == [
        (deputy.pk, "Phó Giám đốc Sở Tài chính", "Sở Tài chính")
    ]
    # The one chosen stays on offer (and is accepted again) after the answer is sent.
    _send(host, sent, deputy)
    assert [c.pk for c in substitute_choices(invitee)] == [deputy.pk]
    _send(host, sent, deputy)
    assert Participant.objects.filter(meeting=sent, user=deputy).count() == 1


def test_the_page_offers_the_colleague_with_position_and_unit(client, host, sent, finance):
    deputy = _deputy(finance)
    client.force_login(host.members[1])
    page = client.get(reverse("meetings:detail", args=[sent.pk])).content.decode()
    assert (
        f'<option value="{deputy.pk}">Vũ Thị Hồng Nhung — Phó Giám đốc Sở Tài chính (Sở Tài chính)'
        in page
    )
    assert f'value="{host.members[2].pk}"' not in page


def test_a_posted_outsider_is_refused_by_the_page_and_cannot_read_the_meeting(client, host, sent):
    outsider = _person(full_name="Vũ Thị Ngoài")
    client.force_login(host.members[1])
    response = client.post(
        reverse("meetings:rsvp", args=[sent.pk]),
        {"answer": "substitute", "reason": "Bận", "substitute": outsider.pk},
    )
    assert response.status_code == 400
    assert "không cùng cơ quan, đơn vị" in response.content.decode()
    assert not meeting_visible_to(outsider, sent)
    client.force_login(outsider)
    assert client.get(reverse("meetings:detail", args=[sent.pk])).status_code == 404
