"""Hạn xử lý: set on the request, refused in the past, and reminders on the schedule — once
before the deadline, once when it has passed, only by mail to people cleared for the document."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from crontask import scheduler
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import signing.tasks  # noqa: F401 - registers the job, as `manage.py crontask` does
from accounts.models import Clearance
from audit.models import AuditEvent
from background.models import OutboxMail
from documents.models import Document, Urgency
from signing.forms import RequestForm
from signing.models import RequestStatus, SigningNotice, StepAssignee, StepKind
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_create,
    request_deadline_set,
    request_number_assign,
    request_send,
    step_sign,
)
from tests.signing.helpers import blank_pdf, register, to_trinh

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _job():
    return next(j for j in scheduler.get_jobs() if j.name.endswith("signing_requests_remind_due"))


def _request(world, *, deadline, initials=()):
    steps = []
    if initials:
        steps.append(StepSpec(StepKind.INITIAL, tuple(AssigneeSpec(user=u) for u in initials)))
    steps.append(StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),)))
    return request_create(
        actor=world.clerk,
        version=register(world, blank_pdf(sig_field="ky_chinh")),
        steps=steps,
        level="B-B",
        deadline=deadline,
    )


def _run_at(moment, capture) -> list[str]:
    """Run the scheduled job at *moment*; the addresses mailed (after the commit)."""
    mail.outbox.clear()
    with time_machine.travel(moment, tick=False), capture(execute=True):
        _job().func()
    sent = sorted(address for message in mail.outbox for address in message.to)
    mail.outbox.clear()
    return sent


def test_a_deadline_in_the_past_is_refused_with_nothing_created(province):
    with time_machine.travel(START, tick=False), pytest.raises(ValidationError) as refused:
        _request(province, deadline=START - dt.timedelta(minutes=1))
    assert "Hạn xử lý phải là một thời điểm sau hiện tại." in refused.value.messages
    assert not Document.objects.filter(signing_requests__isnull=False).exists()


def test_the_form_reads_a_vietnamese_date_and_defaults_to_five_pm(province):
    people = type(province.chair).objects.filter(pk=province.chair.pk)
    data = {"main_signer": province.chair.pk, "level": "B-B", "deadline_date": "05/12/2026"}
    form = RequestForm(data, people=people, level="B-B")
    assert form.is_valid(), form.errors
    deadline = timezone.localtime(form.cleaned_data["deadline"])
    assert (deadline.day, deadline.month, deadline.year, deadline.hour) == (5, 12, 2026, 17)
    timed = RequestForm({**data, "deadline_time": "08:15"}, people=people, level="B-B")
    assert timed.is_valid(), timed.errors
    assert timezone.localtime(timed.cleaned_data["deadline"]).strftime("%H:%M") == "08:15"
    assert 'value="17:00"' in str(RequestForm(people=people, level="B-B")["deadline_time"])
    wrong = RequestForm({**data, "deadline_date": "2026-12-05"}, people=people, level="B-B")
    assert not wrong.is_valid()
    assert "ngày/tháng/năm" in str(wrong.errors["deadline_date"])


def test_the_open_signer_is_reminded_once_before_and_once_after_the_deadline(
    province, settings, django_capture_on_commit_callbacks
):
    settings.KYHOP_SIGNING_REMINDER_HOURS = 24
    deadline = START + dt.timedelta(hours=30)
    with time_machine.travel(START, tick=False):
        request = _request(province, deadline=deadline, initials=(province.drafter1,))
        with django_capture_on_commit_callbacks(execute=True):
            request_send(actor=province.clerk, request=request)
    drafter = province.drafter1.email
    capture = django_capture_on_commit_callbacks

    assert _run_at(START + dt.timedelta(hours=1), capture) == []  # 29 h before: too early
    assert _run_at(deadline - dt.timedelta(hours=23), capture) == [drafter]
    assert _run_at(deadline - dt.timedelta(hours=22), capture) == []  # once only
    row = StepAssignee.objects.get(step__request=request, user=province.drafter1)
    assert row.reminded_at == deadline - dt.timedelta(hours=23)
    assert row.overdue_reminded_at is None
    # The chair's step is not open yet: nothing for them, before or after the deadline.
    assert _run_at(deadline + dt.timedelta(minutes=5), capture) == [drafter]
    assert _run_at(deadline + dt.timedelta(hours=5), capture) == []
    row.refresh_from_db()
    assert row.overdue_reminded_at == deadline + dt.timedelta(minutes=5)
    texts = list(
        SigningNotice.objects.filter(user=province.drafter1, request=request)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert any(t.startswith("Sắp đến hạn xử lý (21:00 ngày 02/12/2026)") for t in texts)
    assert any(t.startswith("Quá hạn xử lý (21:00 ngày 02/12/2026)") for t in texts)
    outbox = OutboxMail.objects.filter(topic=f"signing-request:{request.pk}")
    assert set(outbox.values_list("purpose", flat=True)) >= {"deadline-soon", "deadline-overdue"}


def test_a_request_without_deadline_or_finished_is_never_reminded(
    province, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        request = _request(province, deadline=None)
        with django_capture_on_commit_callbacks(execute=True):
            request_send(actor=province.clerk, request=request)
    later = START + dt.timedelta(days=30)
    assert _run_at(later, django_capture_on_commit_callbacks) == []


def test_a_confidential_document_is_mailed_only_to_cleared_signers(
    province, django_capture_on_commit_callbacks
):
    deadline = START + dt.timedelta(hours=2)
    type(province.drafter2).objects.filter(pk=province.drafter2.pk).update(
        clearance=Clearance.SECRET
    )
    with time_machine.travel(START, tick=False):
        request = _request(
            province, deadline=deadline, initials=(province.drafter1, province.drafter2)
        )
        Document.objects.filter(pk=request.document_id).update(confidentiality=Clearance.SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            request_send(actor=province.clerk, request=request)
    sent = _run_at(START + dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert sent == [province.drafter2.email]


def test_inbox_and_request_page_show_the_deadline_and_overdue_in_words(
    province, client, django_capture_on_commit_callbacks
):
    deadline = START + dt.timedelta(hours=2)
    with time_machine.travel(START, tick=False):
        request = _request(province, deadline=deadline)
        with django_capture_on_commit_callbacks(execute=True):
            request_send(actor=province.clerk, request=request)
    Document.objects.filter(pk=request.document_id).update(urgency=Urgency.FLASH)
    client.force_login(province.chair)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        inbox = client.get("/ky-so/").content.decode()
    assert "17:00 01/12/2026" in inbox
    assert "Quá hạn" not in inbox
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=False):
        inbox = client.get("/ky-so/").content.decode()
        page = client.get(f"/ky-so/yeu-cau/{request.pk}/").content.decode()
    assert "Quá hạn" in inbox
    assert "Hạn xử lý" in page and "17:00 01/12/2026" in page and "Quá hạn" in page
    # The Decree 30 urgency mark, in words, on the request page and in the inbox.
    assert 'data-mark="urgency">Hỏa tốc</span>' in page
    assert 'data-mark="urgency">Hỏa tốc</span>' in inbox


# --- The clerk moves the deadline -----------------------------------------------------------


def _sent_request(world, capture, *, deadline):
    with time_machine.travel(START, tick=False):
        request = _request(world, deadline=deadline)
        with capture(execute=True):
            request_send(actor=world.clerk, request=request)
    return request


def test_a_moved_deadline_is_told_to_the_signer_and_its_reminders_go_again(
    province, settings, django_capture_on_commit_callbacks
):
    settings.KYHOP_SIGNING_REMINDER_HOURS = 24
    capture = django_capture_on_commit_callbacks
    first = START + dt.timedelta(hours=30)
    request = _sent_request(province, capture, deadline=first)
    assert _run_at(first - dt.timedelta(hours=2), capture) == [province.chair.email]

    later = first + dt.timedelta(days=2)
    with time_machine.travel(first - dt.timedelta(hours=1), tick=False), capture(execute=True):
        request_deadline_set(actor=province.clerk, request=request, deadline=later)
    request.refresh_from_db()
    assert request.deadline == later
    told = SigningNotice.objects.filter(user=province.chair, request=request).latest("pk")
    assert told.message.startswith("Hạn xử lý đổi thành 21:00 ngày 04/12/2026")
    event = AuditEvent.objects.filter(verb="signing.deadline_changed").latest("seq")
    assert event.details["before"] == first.isoformat()
    assert event.details["after"] == later.isoformat()
    # The old deadline passes with nothing sent; the new one is reminded in its turn.
    assert _run_at(first + dt.timedelta(minutes=5), capture) == []
    assert _run_at(later - dt.timedelta(hours=3), capture) == [province.chair.email]
    assert _run_at(later + dt.timedelta(minutes=1), capture) == [province.chair.email]


def test_only_the_clerk_moves_the_deadline_of_an_open_request_into_the_future(
    province, django_capture_on_commit_callbacks
):
    deadline = START + dt.timedelta(days=3)
    request = _sent_request(province, django_capture_on_commit_callbacks, deadline=deadline)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        with pytest.raises(PermissionDenied):
            request_deadline_set(actor=province.chair, request=request, deadline=None)
        with pytest.raises(ValidationError) as past:
            request_deadline_set(
                actor=province.clerk, request=request, deadline=START - dt.timedelta(hours=1)
            )
        assert "Hạn xử lý phải là một thời điểm sau hiện tại." in past.value.messages
        request_deadline_set(actor=province.clerk, request=request, deadline=None)
    request.refresh_from_db()
    assert request.deadline is None
    # The refused attempts changed nothing: one event, the removal.
    changes = AuditEvent.objects.filter(verb="signing.deadline_changed")
    assert [(e.details["before"], e.details["after"]) for e in changes] == [
        (deadline.isoformat(), None)
    ]
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="đã kết thúc"):
        request_deadline_set(actor=province.clerk, request=request, deadline=deadline)


def test_the_request_page_moves_the_deadline_from_a_vietnamese_date(province, client):
    request = _request(province, deadline=None)
    client.force_login(province.clerk)
    page = client.get(reverse("signing:request_detail", args=[request.pk])).content.decode()
    action = reverse("signing:request_deadline", args=[request.pk])
    assert action in page and "Đổi hạn xử lý" in page
    day = (timezone.localdate() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    response = client.post(action, {"deadline_date": day, "deadline_time": "09:30"}, follow=True)
    assert "Đã đổi hạn xử lý." in response.content.decode()
    request.refresh_from_db()
    assert timezone.localtime(request.deadline).strftime("%d/%m/%Y %H:%M") == f"{day} 09:30"
    # The form shows the deadline as it stands, in the same Vietnamese order.
    page = client.get(reverse("signing:request_detail", args=[request.pk])).content.decode()
    assert f'value="{day}"' in page and 'value="09:30"' in page
    wrong = client.post(action, {"deadline_date": "2027-01-05"}, follow=True)
    assert "ngày/tháng/năm" in wrong.content.decode()
    client.force_login(province.chair)
    refused = client.post(action, {"deadline_date": ""}, follow=True)
    assert "Chỉ văn thư trình ký mới đổi được hạn xử lý." in refused.content.decode()
    request.refresh_from_db()
    assert request.deadline is not None


# --- "Cấp số" waits for the clerk ------------------------------------------------------------


def test_the_clerk_is_reminded_to_number_and_the_seal_clerks_are_not(
    province, settings, django_capture_on_commit_callbacks
):
    settings.KYHOP_SIGNING_REMINDER_HOURS = 24
    capture = django_capture_on_commit_callbacks
    pdf, area = to_trinh()
    now = timezone.now()
    deadline = now + dt.timedelta(hours=30)
    steps = [
        StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair, placement=area),)),
        StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=province.ubnd),)),
    ]
    request = request_create(
        actor=province.clerk,
        version=register(province, pdf),
        steps=steps,
        level="B-B",
        deadline=deadline,
    )
    with capture(execute=True):
        request_send(actor=province.clerk, request=request)
    assignee = waiting_for(province.chair).get(step__request=request)
    with capture(execute=True):
        step_sign(actor=province.chair, assignee=assignee, passphrase=settings.KYHOP_PKI_PASSPHRASE)
    province.clerk.email = "vanthu@kyhop.test"
    province.clerk.save(update_fields=["email"])

    # Signed, not numbered: the clerk who submitted it is reminded, once, then once overdue;
    # the seal step is open but cannot be done before the number, so nobody is told to seal.
    assert _run_at(deadline - dt.timedelta(hours=20), capture) == ["vanthu@kyhop.test"]
    assert _run_at(deadline - dt.timedelta(hours=19), capture) == []
    assert _run_at(deadline + dt.timedelta(minutes=1), capture) == ["vanthu@kyhop.test"]
    assert _run_at(deadline + dt.timedelta(hours=2), capture) == []
    notices = SigningNotice.objects.filter(user=province.clerk, request=request)
    assert notices.filter(message__contains="văn bản đã ký, chờ cấp số").count() == 2
    reminded = AuditEvent.objects.filter(verb="signing.deadline_reminded").latest("seq")
    assert reminded.details["step"] == "number" and reminded.details["kind"] == "overdue"

    # Numbered: the seal is what waits now, and its clerks are reminded.
    request_number_assign(actor=province.clerk, request=request, issued_on=timezone.localdate())
    request.refresh_from_db()
    assert request.numbered_at is not None
    assert _run_at(deadline + dt.timedelta(hours=3), capture) == ["vanthu@kyhop.test"]
