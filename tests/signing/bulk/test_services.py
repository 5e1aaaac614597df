"""Bulk signing of waiting steps: one passphrase, one outcome each, progress live."""

from __future__ import annotations

import io
import json
from functools import cache

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from documents.services import document_version_add
from documents.storage import blob_open
from kyhop.asgi import application
from signing import devpki
from signing.bulk.jobs import jobs
from signing.bulk.services import BulkStepProgress, steps_sign_bulk
from signing.models import AssigneeStatus, SigningRequest, StepKind
from signing.selectors import waiting_for
from signing.services import AssigneeSpec, StepSpec, request_create, request_send
from tests.signing.helpers import register, to_trinh


@cache
def _pdf() -> bytes:
    return to_trinh()[0]  # rendered once per session: WeasyPrint takes a second or so


def _requests(world, count: int, *, level: str = "B-T") -> list[SigningRequest]:
    made = []
    for _ in range(count):
        version = register(world, _pdf())
        steps = [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),))]
        request = request_create(actor=world.clerk, version=version, steps=steps, level=level)
        made.append(request_send(actor=world.clerk, request=request))
    return made


def _signed_ok(data: bytes, roots) -> bool:
    context = ValidationContext(trust_roots=roots, allow_fetching=True)
    signature = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    status = validate_pdf_signature(signature, context)
    return bool(status.intact and status.valid and status.trusted and status.timestamp_validity)


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


@pytest.mark.django_db
def test_one_passphrase_signs_many_and_a_changed_document_fails_alone(province, pki_settings):
    requests = _requests(province, 4)
    changed = requests[2]
    # Someone adds a version behind the request's back: that one must not be signed.
    document_version_add(
        actor=province.clerk,
        document=changed.document,
        upload=SimpleUploadedFile("khac.pdf", _pdf() + b"% sua\n", "application/pdf"),
    )
    assignees = list(waiting_for(province.chair))
    progress: list[BulkStepProgress] = []

    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=assignees,
        passphrase=pki_settings.passphrase,
        on_progress=progress.append,
        concurrency=3,
    )

    assert [o.assignee_id for o in outcomes] == [a.pk for a in assignees]
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 1 and "thay đổi" in failed[0].message
    assert [p.done for p in progress] == [1, 2, 3, 4] and {p.total for p in progress} == {4}
    roots = devpki.trust_roots(pki_settings.directory)
    for request in requests:
        request.refresh_from_db()
        if request.pk == changed.pk:
            assert request.status == "in_progress"
            continue
        # Signed: every step done, the request now waits for the clerk's "Cấp số".
        assert request.status == "in_progress" and request.numbered_at is None
        assert not request.steps.exclude(status="done").exists()
        data = _bytes(request.current_version)
        assert _signed_ok(data, roots)
    signed_rows = province.chair.signing_assignments.filter(status=AssigneeStatus.SIGNED)
    assert signed_rows.count() == 3
    batch = AuditEvent.objects.get(verb="signing.bulk_signed")
    assert len(batch.details["signed"]) == 3 and len(batch.details["failed"]) == 1
    assert AuditEvent.objects.filter(verb="signing.step_signed").count() == 3


@pytest.mark.django_db
def test_a_wrong_passphrase_refuses_the_whole_batch_and_signs_nothing(province):
    _requests(province, 2, level="B-B")
    assignees = list(waiting_for(province.chair))
    with pytest.raises(ValidationError) as caught:
        steps_sign_bulk(actor=province.chair, assignees=assignees, passphrase="sai-mat-khau")
    assert "không đúng" in " ".join(caught.value.messages)
    assert not province.chair.signing_assignments.filter(status=AssigneeStatus.SIGNED).exists()


@pytest.mark.django_db
def test_someone_elses_step_is_refused_without_stopping_mine(province, pki_settings):
    mine = _requests(province, 1, level="B-B")[0]
    version = register(province, _pdf())
    steps = [StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.deputy),))]
    other = request_send(
        actor=province.clerk,
        request=request_create(actor=province.clerk, version=version, steps=steps, level="B-B"),
    )
    theirs = waiting_for(province.deputy).get(step__request=other)
    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=[waiting_for(province.chair).get(step__request=mine), theirs],
        passphrase=pki_settings.passphrase,
    )
    assert [o.ok for o in outcomes] == [True, False]
    assert "không phải người xử lý" in outcomes[1].message


async def _events_until_done(socket: WebsocketCommunicator) -> list[dict]:
    events = []
    while True:
        event = json.loads(await socket.receive_from(timeout=60))
        events.append(event)
        if event["type"] in ("bulk.finished", "bulk.failed"):
            return events


@pytest.mark.django_db(transaction=True)
async def test_the_inbox_post_starts_a_job_whose_progress_arrives_on_the_socket(
    province, pki_settings, async_client
):
    from asgiref.sync import sync_to_async

    channel_layers.backends.clear()  # the in-memory layer's queues belong to one event loop
    await sync_to_async(_requests)(province, 3, level="B-T")
    await async_client.aforce_login(province.chair)
    socket = WebsocketCommunicator(
        application,
        "/ws/ky-so/tien-do/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"cookie", f"sessionid={async_client.cookies['sessionid'].value}".encode()),
        ],
    )
    connected, _ = await socket.connect()
    assert connected
    first = json.loads(await socket.receive_from())
    assert first == {"type": "bulk.snapshot", "seq": None, "payload": {"job": None}}
    ids = await sync_to_async(lambda: [a.pk for a in waiting_for(province.chair)])()

    response = await async_client.post(
        reverse("signing:bulk_sign"),
        {"assignees": ids, "passphrase": pki_settings.passphrase},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 202
    job_id = response.json()["job"]
    events = await _events_until_done(socket)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "bulk.started" and events[0]["payload"]["total"] == 3
    progress = [e["payload"] for e in events if e["type"] == "bulk.progress"]
    assert [p["done"] for p in progress] == [1, 2, 3]
    assert {p["item"]["state"] for p in progress} == {"ok"}
    assert events[-1]["type"] == "bulk.finished" and events[-1]["payload"]["signed"] == 3
    await socket.send_to(text_data=json.dumps({"type": "snapshot.get"}))
    snapshot = json.loads(await socket.receive_from())
    assert snapshot["payload"]["job"] == job_id and snapshot["payload"]["done"] == 3
    await socket.disconnect()
    assert jobs.take_secret(job_id) is None  # the passphrase left no copy behind


@pytest.mark.django_db
def test_the_bulk_form_refuses_steps_that_do_not_wait_for_me(client, province):
    request = _requests(province, 1, level="B-B")[0]
    assignee = waiting_for(province.chair).get(step__request=request)
    client.force_login(province.deputy)
    response = client.post(
        reverse("signing:bulk_sign"),
        {"assignees": [assignee.pk], "passphrase": "x"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "x" not in response.json()["error"].split()


@pytest.mark.django_db
def test_a_large_batch_is_signed_in_worker_processes_with_the_same_rules(
    province, pki_settings, settings
):
    settings.KYHOP_SIGN_BULK_PROCESS_MIN = 2  # "large" for the test: two documents or more
    requests = _requests(province, 3)
    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=list(waiting_for(province.chair)),
        passphrase=pki_settings.passphrase,
    )
    assert [o.ok for o in outcomes] == [True, True, True]
    roots = devpki.trust_roots(pki_settings.directory)
    for request in requests:
        request.refresh_from_db()
        # Signed: every step done, the request now waits for the clerk's "Cấp số".
        assert request.status == "in_progress" and request.numbered_at is None
        assert not request.steps.exclude(status="done").exists()
        assert _signed_ok(_bytes(request.current_version), roots)


@pytest.mark.django_db(transaction=True)
async def test_the_progress_socket_refuses_anonymous_visitors():
    channel_layers.backends.clear()
    socket = WebsocketCommunicator(
        application, "/ws/ky-so/tien-do/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await socket.connect()
    assert connected  # accepted first, so the page gets a reason it can show
    refusal = json.loads(await socket.receive_from())
    assert refusal["type"] == "error" and "đăng nhập" in refusal["payload"]["message"]
    assert (await socket.receive_output())["code"] == 4403
