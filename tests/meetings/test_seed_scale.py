"""``seed_scale`` at a small size: the data is valid for the app, its pages render, and each
page the scale benchmark measures costs the same number of queries for N and for ~2N items."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Body, User
from audit.models import AuditEvent
from audit.services import audit_chain_verify
from documents.models import (
    Document,
    DocumentStatus,
    IncomingEntry,
    OutgoingCounter,
    OutgoingEntry,
    WorkRecord,
)
from meetings.models import Ballot, Meeting, MeetingStatus, Poll, VoteReceipt
from meetings.seed_scale.province import (
    ADMIN_USERNAME,
    CHAIR_USERNAME,
    CLERK_USERNAME,
    ROOT_CODE,
)
from meetings.seed_scale.run import seed_scale
from signing.models import RequestStatus, SigningRequest

SCALE = 0.003


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """One small province for the whole module (seeding it takes seconds), removed after."""
    with django_db_blocker.unblock():
        outcome = seed_scale(scale=SCALE)
        yield outcome
        call_command("flush", interactive=False, verbosity=0)


def _client(username: str) -> Client:
    # force_login: the tests' fast password hasher cannot check the seed's Argon2 hash.
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _queries(client: Client, url: str) -> int:
    """Queries of a cold page view (caches emptied first, so every page pays the same)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


# --- The data -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_province_is_seeded_once_and_the_chain_verifies(province):
    assert province.created
    assert Body.objects.filter(code__startswith="bn-").count() >= 15
    report = audit_chain_verify()
    assert report.ok and report.checked == AuditEvent.objects.count()
    again = seed_scale(scale=SCALE)
    assert not again.created and AuditEvent.objects.count() == report.checked


@pytest.mark.django_db
def test_names_are_nfc_and_the_tree_has_one_root(province):
    for name in list(Body.objects.values_list("name", flat=True)) + list(
        User.objects.values_list("full_name", flat=True)
    ):
        assert unicodedata.normalize("NFC", name) == name
    roots = Body.objects.filter(code__startswith="bn-", parent=None)
    assert {b.code for b in roots} == {ROOT_CODE, "bn-hdnd-tinh"}


@pytest.mark.django_db
def test_outgoing_registers_are_never_skipped_nor_reused(province):
    numbers: dict[tuple, list[int]] = defaultdict(list)
    issued = Document.objects.filter(status=DocumentStatus.ISSUED).exclude(number="")
    for body, day, symbol, number in issued.values_list(
        "issuing_body", "issued_on", "symbol", "number"
    ):
        prefix = symbol.split("-", 1)[0]
        register = "GM" if prefix == "CTr" else prefix  # the agenda shares its invitation's
        numbers[(body, day.year, register)].append(int(number))
    assert numbers
    for key, values in numbers.items():
        if key[2] == "GM":
            values = sorted(set(values))  # invitation and agenda carry the same number
        assert sorted(values) == list(range(1, len(values) + 1)), key


@pytest.mark.django_db
def test_the_registers_hold_a_line_for_every_number_and_every_arrival(province):
    entries = list(OutgoingEntry.objects.select_related("document"))
    assert entries
    for entry in entries:
        assert entry.document.number_symbol == entry.number_symbol
        assert entry.document.issuing_body_id == entry.body_id
        assert entry.document.issued_on == entry.issued_on
    # Each register's counter is its last line, so the next number taken follows on.
    lines = OutgoingEntry.objects.values("body", "doc_type", "year").annotate(n=Max("number"))
    last = {(c.body_id, c.doc_type, c.year): c.last_number for c in OutgoingCounter.objects.all()}
    assert last == {(r["body"], r["doc_type"], r["year"]): r["n"] for r in lines}
    arrivals: dict[tuple[int, int], list[int]] = defaultdict(list)
    for entry in IncomingEntry.objects.select_related("document", "source"):
        assert entry.document.status == DocumentStatus.INCOMING
        assert entry.document.owning_body_id == entry.body_id
        assert entry.source.number_symbol == entry.number_symbol == entry.document.number_symbol
        arrivals[(entry.body_id, entry.year)].append(entry.number)
    assert arrivals
    for key, numbers in arrivals.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    assert (
        IncomingEntry.objects.count()
        == Document.objects.filter(status=DocumentStatus.INCOMING).count()
    )


@pytest.mark.django_db
def test_the_registers_pages_list_the_clerks_lines(province):
    client = _client(CLERK_USERNAME)
    outgoing = client.get("/van-ban/so-van-ban-di/")
    incoming = client.get("/van-ban/so-van-ban-den/")
    assert outgoing.status_code == incoming.status_code == 200
    assert outgoing.content.decode().count("<tr>") > 1
    assert incoming.content.decode().count("<tr>") > 1


@pytest.mark.django_db
def test_votes_follow_the_vote_models_rules(province):
    polls = Poll.objects.annotate(named=Count("ballots"), secret_n=Count("receipts"))
    assert polls.exists()
    for poll in polls:
        cast = poll.secret_n if poll.secret else poll.named
        assert poll.result["cast"] == cast
        assert sum(option["count"] for option in poll.result["options"]) == cast
        if poll.secret:
            assert poll.named == 0 and poll.secret_choices.count() == cast
    # Every named voter was a checked-in voting participant of the meeting.
    for ballot in Ballot.objects.select_related("poll__item")[:200]:
        meeting = ballot.poll.item.meeting
        voter = meeting.participants.get(user_id=ballot.voter_id)
        assert voter.checked_in_at is not None and voter.can_vote
    assert VoteReceipt.objects.exists()


@pytest.mark.django_db
def test_completed_requests_issued_their_document(province):
    completed = SigningRequest.objects.filter(status=RequestStatus.COMPLETED)
    assert completed.exists()
    for request in completed.select_related("document", "current_version")[:100]:
        assert request.document.status == DocumentStatus.ISSUED and request.document.number
        assert request.current_version == request.document.versions.order_by("-number").first()
        assert request.steps.filter(status="done").count() == 3


# --- Pages --------------------------------------------------------------------------------------


def _root() -> Body:
    return Body.objects.get(code=ROOT_CODE)


@pytest.mark.django_db
def test_meeting_page_queries_do_not_grow_with_the_agenda(province):
    chair = _client(CHAIR_USERNAME)
    meetings = list(
        Meeting.objects.filter(body=_root(), status=MeetingStatus.CLOSED)
        .annotate(items=Count("agenda_items"))
        .order_by("items")
    )
    small, large = meetings[0], meetings[-1]
    assert large.items >= 2 * small.items
    assert _queries(chair, f"/hop/{small.pk}/") == _queries(chair, f"/hop/{large.pk}/")


@pytest.mark.django_db
def test_meeting_list_queries_do_not_grow_with_the_meetings(province):
    """The committee's clerk sees many more meetings than a commune's."""
    commune = Body.objects.filter(kind="commune_committee").first()
    commune_clerk = commune.memberships.get(role="clerk").user
    few = Meeting.objects.filter(body=commune).count()
    many = Meeting.objects.filter(body__memberships__user__username=CLERK_USERNAME).count()
    assert many >= 2 * max(few, 1)
    clerk, other = _client(CLERK_USERNAME), Client()
    other.force_login(commune_clerk)
    assert _queries(other, "/hop/") == _queries(clerk, "/hop/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "doc_type=quyet_dinh&body={root}",
        "q=ke+hoach",
        "body={root}&date_from={year}-01-01&date_to={year}-12-31",
        "",
    ],
)
def test_document_list_queries_do_not_grow_with_the_rows(province, query):
    clerk = _client(CLERK_USERNAME)
    year = dt.date.today().year - 1
    url = "/van-ban/?" + query.format(root=_root().pk, year=year)
    for start in ("12-20", "12-01", "10-01", "07-01", "01-01"):
        fewer = url + ("&" if query else "") + f"date_from={year}-{start}&date_to={year}-12-31"
        if "<tbody>" in clerk.get(fewer).content.decode():
            break
    assert _queries(clerk, fewer) == _queries(clerk, url)


@pytest.mark.django_db
def test_work_record_page_queries_do_not_grow_with_its_documents(province):
    clerk = _client(CLERK_USERNAME)
    records = list(
        WorkRecord.objects.filter(owning_body=_root())
        .annotate(n=Count("documents"))
        .filter(n__gt=0)
        .order_by("n")
    )
    small, large = records[0], records[-1]
    assert large.n >= 2 * small.n
    assert _queries(clerk, f"/van-ban/ho-so/{small.pk}/") == _queries(
        clerk, f"/van-ban/ho-so/{large.pk}/"
    )


@pytest.mark.django_db
def test_statistics_queries_do_not_grow_with_the_period(province):
    clerk = _client(CLERK_USERNAME)
    year = dt.date.today().year - 1
    root = _root().pk
    one = f"/hop/thong-ke/?co_quan={root}&tu={year}-01-01&den={year}-12-31"
    three = f"/hop/thong-ke/?co_quan={root}&tu={year - 2}-01-01&den={year}-12-31"
    assert _queries(clerk, one) == _queries(clerk, three)


@pytest.mark.django_db
def test_audit_page_queries_do_not_grow_with_the_events(province):
    admin = _client(ADMIN_USERNAME)
    page = "/quan-tri/audit/auditevent/"
    filtered = page + "?nhom=meeting"
    assert _queries(admin, filtered) == _queries(admin, page)


# --- The recent-window text search gives the indexed search's pages -----------------------------


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")
@pytest.mark.parametrize("username", [ADMIN_USERNAME, CLERK_USERNAME])
@pytest.mark.parametrize("text", ["quyet dinh", "ke hoach chuyen doi so", "bn", "phe duyet 2024"])
def test_windowed_search_pages_equal_the_indexed_search(province, monkeypatch, username, text):
    from documents import selectors
    from documents.paging import Page

    monkeypatch.setattr(selectors, "RECENT_WINDOW", 40)  # small: the window is tried and used
    user = User.objects.get(username=username)
    query = selectors.DocumentQuery(text=text)
    for number in (1, 2, 3):
        windowed = selectors.documents_search_page(user, query, str(number))
        plain = Page.of(selectors.documents_search(user, query), number)
        assert [d.pk for d in windowed.object_list] == [d.pk for d in plain.object_list]
        assert windowed.has_next == plain.has_next


@pytest.mark.django_db
def test_any_lookup_matches_in(province):
    ids = list(Body.objects.values_list("pk", flat=True)[:5])
    assert set(Body.objects.filter(pk__any=ids)) == set(Body.objects.filter(pk__in=ids))
    assert not Body.objects.filter(pk__any=[]).exists()
    assert (
        Meeting.objects.filter(body__any=ids).count()
        == Meeting.objects.filter(body__in=ids).count()
    )
