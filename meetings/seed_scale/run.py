"""The whole seed: the province, then five years of history month by month, in one transaction.

Idempotent: a database that already holds the seeded province (its root body) is left as it
is. One transaction: an interrupted run leaves nothing behind, not even audit rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Body, BodyKind, Clearance
from documents.models import DocumentStatus
from meetings.seed_scale import names
from meetings.seed_scale.chain import Chain
from meetings.seed_scale.paper import DOCUMENT_TYPES, TYPE_WEIGHTS, Paper
from meetings.seed_scale.pool import blob_pool
from meetings.seed_scale.province import ROOT_CODE, BodyPlan, Province, ProvinceBuilder, Shape
from meetings.seed_scale.sittings import Sittings
from meetings.seed_scale.writer import Writer

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEARS = 5
POOL_SIZE = 96
# Relative activity per kind of body (documents, meetings).
DOC_WEIGHT: dict[str, float] = {
    BodyKind.PROVINCE_COMMITTEE: 60,
    BodyKind.PROVINCE_COUNCIL: 8,
    BodyKind.DEPARTMENT: 12,
    BodyKind.DISTRICT_COMMITTEE: 20,
    BodyKind.DISTRICT_COUNCIL: 2,
    BodyKind.COMMUNE_COMMITTEE: 2.5,
    BodyKind.UNIT: 1,
}
MEETING_WEIGHT: dict[str, int] = {
    BodyKind.PROVINCE_COMMITTEE: 40,
    BodyKind.PROVINCE_COUNCIL: 6,
    BodyKind.DEPARTMENT: 8,
    BodyKind.DISTRICT_COMMITTEE: 14,
    BodyKind.DISTRICT_COUNCIL: 3,
    BodyKind.COMMUNE_COMMITTEE: 3,
    BodyKind.UNIT: 1,
}


@dataclass(frozen=True)
class Targets:
    meetings: int
    documents: int
    requests: int
    records_per_body: int

    @classmethod
    def for_scale(cls, scale: float) -> Targets:
        return cls(
            meetings=max(12, round(20_000 * scale)),
            documents=max(200, round(500_000 * scale)),
            requests=max(10, round(50_000 * scale)),
            records_per_body=max(1, min(10, round(10 * scale**0.5))),
        )


@dataclass
class Outcome:
    created: bool
    seconds: float
    rows: dict[str, int]


def seed_scale(
    *, scale: float = 1.0, seed: int = 2026, progress: Callable[[str], None] = lambda _m: None
) -> Outcome:
    if Body.objects.filter(code=ROOT_CODE).exists():
        return Outcome(False, 0.0, {})
    began = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        writer = Writer()
        chain = Chain(writer)
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        now = timezone.now().replace(microsecond=0)
        start = (
            (now - dt.timedelta(days=365 * YEARS))
            .astimezone(TZ)
            .replace(day=1, hour=0, minute=0, second=0)
        )
        province = ProvinceBuilder(writer, chain, rng, start - dt.timedelta(days=3)).build(
            Shape.for_scale(scale)
        )
        progress(f"{len(province.bodies)} cơ quan, {len(province.people)} người")
        history = History(writer, chain, rng, province, Targets.for_scale(scale), start, now)
        history.run(progress)
        writer.flush()
        writer.reset_sequences()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Outcome(True, time.monotonic() - began, writer.counts())


class History:
    def __init__(
        self,
        writer: Writer,
        chain: Chain,
        rng: random.Random,
        province: Province,
        targets: Targets,
        start: dt.datetime,
        now: dt.datetime,
    ) -> None:
        self.writer, self.chain, self.rng = writer, chain, rng
        self.province, self.targets, self.start, self.now = province, targets, start, now
        pool = blob_pool([f"{a} {t}" for a in names.ACTIONS for t in names.TOPICS[:4]], POOL_SIZE)
        self.paper = Paper(writer, chain, rng, pool, province.bodies)
        self.sittings = Sittings(writer, chain, rng, self.paper, province.bodies, now)
        bodies = province.bodies
        self.doc_bodies = bodies
        self.doc_weights = [DOC_WEIGHT.get(b.kind, 1) for b in bodies]
        hosts = [b for b in bodies if b.total_members >= 3]
        self.meeting_bodies = hosts
        self.meeting_weights = [MEETING_WEIGHT.get(b.kind, 1) for b in hosts]

    def run(self, progress: Callable[[str], None]) -> None:
        months = _months(self.start, self.now)
        generic = self.targets.documents - 2 * self.targets.meetings
        upcoming = max(1, round(self.targets.meetings * 0.015))
        past_meetings = self.targets.meetings - upcoming
        # Exactly the targets: each document draws a request with the odds still left.
        self.requests_left, self.documents_left = self.targets.requests, generic
        # Documents stop two days before now (a request takes a day or so to complete).
        cutoff = self.now - dt.timedelta(days=2)
        paper_months = [m for m in months if min(m[1], cutoff) > m[0]]
        year = None
        for index, (low, high) in enumerate(months):
            if low.year != year:
                if year is not None:
                    self.paper.records_close(year, _local(year, 12, 31, 17))
                year = low.year
                self.paper.records_open(
                    self.province.bodies,
                    year,
                    max(low, _local(year, 1, 5, 8)),
                    self.targets.records_per_body,
                )
            if (low, high) in paper_months:
                at = paper_months.index((low, high))
                self._documents(low, min(high, cutoff), _share(at, len(paper_months))(generic))
            self._meetings(low, high, _share(index, len(months))(past_meetings))
            self._write_month()
            progress(
                f"{low:%m/%Y}: {self.sittings.made} cuộc họp, {self.chain.seq} sự kiện nhật ký"
            )
        # The coming weeks: meetings invited, collecting replies.
        self._meetings(self.now + dt.timedelta(days=1), self.now + dt.timedelta(days=30), upcoming)
        self._write_month()
        self.paper.records_write()
        self.paper.registers_write()

    def _write_month(self) -> None:
        self.paper.month_write()
        self.chain.flush()
        self.writer.flush()

    def _documents(self, low: dt.datetime, high: dt.datetime, count: int) -> None:
        rng = self.rng
        bodies = rng.choices(self.doc_bodies, self.doc_weights, k=count)
        for body in bodies:
            at = _working_time(rng, low, high)
            doc_type = rng.choices(DOCUMENT_TYPES, TYPE_WEIGHTS)[0]
            where = f"trên địa bàn {body.short}" if rng.random() < 0.5 else "tỉnh Bắc Ninh"
            abstract = names.abstract(rng, where, at.astimezone(TZ).year)
            secret = rng.random()
            confidentiality = (
                Clearance.TOP_SECRET
                if secret < 0.005
                else Clearance.SECRET
                if secret < 0.025
                else Clearance.NORMAL
            )
            wants_request = rng.random() * self.documents_left < self.requests_left
            self.documents_left -= 1
            if wants_request:
                self.requests_left -= 1
                doc = self.paper.document(
                    body=body,
                    at=at,
                    doc_type=doc_type,
                    abstract=abstract,
                    by=body.clerk,
                    versions=rng.choice([1, 1, 2]),
                    confidentiality=confidentiality,
                )
                self.paper.signing_request(doc, at + dt.timedelta(hours=2))
                continue
            kind = rng.choices(["issued", "incoming", "draft"], [62, 33, 5])[0]
            if kind == "incoming" and self.paper.recent_issued:
                source = rng.choice(self.paper.recent_issued)
                if source.issuing is not body and self.paper.incoming_copy(source, body, at):
                    continue
                kind = "issued"
            status = DocumentStatus.DRAFT if kind == "draft" else DocumentStatus.ISSUED
            doc = self.paper.document(
                body=body,
                at=at,
                doc_type=doc_type,
                abstract=abstract,
                by=body.clerk,
                status=status,
                versions=rng.choices([1, 2, 3], [75, 20, 5])[0],
                confidentiality=confidentiality,
            )
            if status == DocumentStatus.ISSUED:
                doc.numbered_at_creation = True
                doc.signer_name = body.chair.full_name
                self.paper.register_number(doc, at)

    def _meetings(self, low: dt.datetime, high: dt.datetime, count: int) -> None:
        hosts = self.rng.choices(self.meeting_bodies, self.meeting_weights, k=count)
        for body in hosts:
            self.sittings.meeting(body, _meeting_time(self.rng, low, high))


def _months(start: dt.datetime, now: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    months = []
    low = start
    while low < now:
        high = (low.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append((low, min(high, now)))
        low = high
    return months


def _share(index: int, months: int) -> Callable[[int], int]:
    """This month's part of a total, so the parts add up to it exactly."""
    return lambda total: round(total * (index + 1) / months) - round(total * index / months)


def _local(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def _working_time(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """A moment between *low* and *high* in office hours (07:30–17:00), to the microsecond."""
    span = max(1, int((high - low).total_seconds()))
    moment = (low + dt.timedelta(seconds=rng.randrange(span))).astimezone(TZ)
    if moment.weekday() >= 5:
        moment -= dt.timedelta(days=moment.weekday() - 4)
    hour = rng.choice([7, 8, 9, 10, 11, 13, 14, 15, 16])
    minute = rng.randrange(30, 60) if hour == 7 else rng.randrange(60)
    moment = moment.replace(
        hour=hour, minute=minute, second=rng.randrange(60), microsecond=rng.randrange(1_000_000)
    )
    return max(moment, low)


def _meeting_time(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    moment = _working_time(rng, low, high)
    return moment.replace(
        hour=rng.choice([8, 8, 14]), minute=rng.choice([0, 0, 30]), second=0, microsecond=0
    )


__all__ = ["BodyPlan", "Outcome", "seed_scale"]
