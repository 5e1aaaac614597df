"""Messages of the signing app in the visitor's language: refusals on the signing screens, the
certificate's standing, and a bulk job's outcomes (made in a background thread, in the language
of the signer who started it). Vietnamese stays the default; what goes into the document and
the notices for other people do not depend on who caused them."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html import unescape

import pytest
from channels.layers import channel_layers
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from signing import i18n
from signing.backends.identities import identity_import_pkcs12
from signing.bulk import pool as bulk_pool
from signing.bulk.jobs import jobs
from signing.bulk.types import BulkItem, BulkResult
from signing.models import SigningNotice, SigningRequest, StepAssignee, StepKind
from signing.pades.certcheck import certificate_check, certificate_problems
from signing.pades.sign import TSA_UNAVAILABLE, PadesLevel
from signing.selectors import waiting_for
from signing.services import AssigneeSpec, StepSpec, request_create, request_send
from tests.signing.helpers import NOW, REVOKED, REVOKED_TEXT, make_cert, register, to_trinh

WRONG_PASSPHRASE_EN = (
    "The passphrase (PIN) of the signing key “chutich” is wrong, or the key file (PKCS#12) is "
    "damaged."
)
WRONG_PASSPHRASE_VI = (
    "Mật khẩu (mã PIN) của khóa ký “chutich” không đúng, hoặc tệp khóa (PKCS#12) bị hỏng."
)
REVOKED_EN = (
    "The certificate was revoked on 01/07/2025 at 15:30:00 (Vietnam time), reason: key compromise."
)


def _client(user, language: str | None = "en") -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response) -> str:
    return unescape(response.content.decode())


def _sent(world, steps: list[StepSpec]) -> SigningRequest:
    version = register(world, to_trinh()[0])
    request = request_create(actor=world.clerk, version=version, steps=steps, level="B-B")
    return request_send(actor=world.clerk, request=request)


def _chair_only(world) -> SigningRequest:
    return _sent(world, [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),))])


def _sign(client: Client, assignee: StepAssignee, passphrase: str) -> str:
    url = reverse("signing:step_sign", args=[assignee.pk])
    return _text(client.post(url, {"passphrase": passphrase}, follow=True))


def _revoke(world, pki) -> None:
    """The chair's current identity becomes the test PKI's revoked certificate."""
    identity_import_pkcs12(
        actor=None,
        name=REVOKED,
        pkcs12_bytes=pki.layout.identity_file(REVOKED).read_bytes(),
        passphrase=pki.passphrase,
        owner_user=world.chair,
    )


# --- The signing screen ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_passphrase_is_explained_in_english(province):
    request = _chair_only(province)
    action = waiting_for(province.chair).get(step__request=request)

    page = _sign(_client(province.chair), action, "sai-mat-khau-123")

    assert WRONG_PASSPHRASE_EN in page
    assert "không đúng" not in page
    request.refresh_from_db()
    assert request.current_version.number == request.source_version.number + 1  # unsigned


@pytest.mark.django_db
def test_without_the_cookie_the_same_refusal_stays_vietnamese(province):
    request = _chair_only(province)
    action = waiting_for(province.chair).get(step__request=request)

    page = _sign(_client(province.chair, language=None), action, "sai-mat-khau-123")

    assert WRONG_PASSPHRASE_VI in page
    assert "is wrong" not in page


@pytest.mark.django_db
def test_signing_out_of_turn_or_someone_elses_step_is_refused_in_english(province, pki_settings):
    request = _sent(
        province,
        [
            StepSpec(StepKind.INITIAL, (AssigneeSpec(user=province.drafter1),)),
            StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair),)),
        ],
    )
    main = StepAssignee.objects.get(step__request=request, user=province.chair)

    early = _sign(_client(province.chair), main, pki_settings.passphrase)
    assert "This signing step is not yet due or has already ended." in early
    assert "chưa đến lượt" not in early

    initials = waiting_for(province.drafter1).get(step__request=request)
    intruder = _sign(_client(province.clerk), initials, pki_settings.passphrase)
    assert "You are not the person to act on this step." in intruder


@pytest.mark.django_db
def test_only_the_submitter_may_cancel_said_in_english(province):
    request = _chair_only(province)
    url = reverse("signing:request_cancel", args=[request.pk])

    page = _text(_client(province.chair).post(url, follow=True))

    assert "Only the submitter can cancel this request." in page


@pytest.mark.django_db
def test_a_revoked_certificate_is_refused_in_english_and_the_notices_stay_vietnamese(
    province, pki_settings
):
    request = _chair_only(province)
    _revoke(province, pki_settings)
    action = waiting_for(province.chair).get(step__request=request)

    page = _sign(_client(province.chair), action, pki_settings.passphrase)

    assert REVOKED_EN in page
    assert "thu hồi" not in page
    # What the chair was told about the request (a notice for them, made by the clerk's
    # action) was written once, in Vietnamese, for whoever reads it.
    notice = SigningNotice.objects.filter(user=province.chair, request=request).first()
    assert notice is not None and notice.message.startswith("Có văn bản chờ bạn")


@pytest.mark.django_db
def test_the_revoked_refusal_without_the_cookie_stays_vietnamese(province, pki_settings):
    request = _chair_only(province)
    _revoke(province, pki_settings)
    action = waiting_for(province.chair).get(step__request=request)

    page = _sign(_client(province.chair, language=None), action, pki_settings.passphrase)

    assert REVOKED_TEXT in page
    assert "revoked" not in page


# --- Bulk signing: a background thread, in the signer's language ------------------------------


def _bulk_job(client: Client, world, passphrase: str):
    channel_layers.backends.clear()
    ids = [a.pk for a in waiting_for(world.chair)]
    response = client.post(
        reverse("signing:bulk_sign"),
        {"assignees": ids, "passphrase": passphrase},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 202, response.content
    job = jobs.get(response.json()["job"])
    assert job is not None and job.done.wait(60)
    return job


@pytest.mark.django_db(transaction=True)
def test_a_bulk_job_reports_in_the_language_of_the_signer_who_started_it(province, pki_settings):
    _chair_only(province)
    _revoke(province, pki_settings)

    job = _bulk_job(_client(province.chair), province, pki_settings.passphrase)

    assert job.state == "finished"
    assert job.message == "Signed 0 of 1 documents."
    [item] = job.snapshot()["items"]
    assert item["state"] == "failed" and item["message"].startswith(REVOKED_EN)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_job_refused_as_a_whole_says_why_in_english(province, pki_settings):
    _chair_only(province)

    job = _bulk_job(_client(province.chair), province, "sai-mat-khau-123")

    assert job.state == "failed"
    assert job.message == WRONG_PASSPHRASE_EN


@pytest.mark.django_db(transaction=True)
def test_a_bulk_job_without_the_cookie_reports_in_vietnamese(province, pki_settings):
    _chair_only(province)
    _revoke(province, pki_settings)

    job = _bulk_job(_client(province.chair, language=None), province, pki_settings.passphrase)

    assert job.message == "Đã ký 0/1 văn bản."
    [item] = job.snapshot()["items"]
    assert item["message"].startswith(REVOKED_TEXT)


@pytest.mark.django_db
def test_a_worker_processs_vietnamese_message_is_translated_by_the_web_process(
    test_pki, pki_settings, pdf_bytes, monkeypatch
):
    """Worker processes cannot translate (no app registry); what they send back is translated
    when it arrives. The pool is replaced by a thread running a worker that answers as a real
    one would: in Vietnamese."""

    def worker(items, *_args):
        with translation.override("vi"):
            return [BulkResult(key=item.key, error=i18n.gettext(TSA_UNAVAILABLE)) for item in items]

    monkeypatch.setattr(bulk_pool, "_worker_sign", worker)
    pool = ThreadPoolExecutor(max_workers=1)
    monkeypatch.setattr(bulk_pool, "pool", lambda: pool)
    spec = bulk_pool.Pkcs12SignerSpec(
        identity="chutich",
        data=test_pki.layout.identity_file("chutich").read_bytes(),
        passphrase=test_pki.passphrase,
    )
    try:
        with translation.override("en"):
            [result] = asyncio.run(
                bulk_pool.bulk_sign_processes(
                    [BulkItem(key="1", data=pdf_bytes)], signer_spec=spec, level=PadesLevel.B_B
                )
            )
    finally:
        pool.shutdown()
    assert result.error == (
        "Could not get a time-stamp from the time-stamping service (TSA). Please try again later."
    )


def test_without_an_app_registry_the_vietnamese_source_is_kept(monkeypatch):
    with translation.override("en"):
        assert i18n.gettext(TSA_UNAVAILABLE).startswith("Could not get a time-stamp")
        monkeypatch.setattr(apps, "ready", False)  # as in a worker process
        assert i18n.gettext(TSA_UNAVAILABLE) == TSA_UNAVAILABLE


# --- The certificate's own rules ----------------------------------------------------------------


def test_an_unfit_certificate_is_refused_in_english_but_its_problems_stay_vietnamese():
    cert = make_cert(not_after=datetime(2026, 3, 15, tzinfo=UTC))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        certificate_check(certificate=cert, at=NOW)
    assert caught.value.messages == ["The certificate expired on 15/03/2026."]
    with translation.override("en"):
        # What the validation report matches its own wording with, in any language.
        assert certificate_problems(certificate=cert, at=NOW) == [
            "Chứng thư số đã hết hạn từ ngày 15/03/2026."
        ]
    with pytest.raises(ValidationError) as caught:
        certificate_check(certificate=cert, at=NOW)
    assert caught.value.messages == ["Chứng thư số đã hết hạn từ ngày 15/03/2026."]
