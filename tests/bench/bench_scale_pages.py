"""Pages at a province's size (``manage.py seed_scale``) vs a trivial view, p50 and p95.

On PostgreSQL with the seeded data (500,000 documents, 20,000 meetings, five years): one
uvicorn process, the pages and ``/healthz`` fetched in turn by the same clients, each page as
the person who would open it. Every figure is a ratio to the trivial view in the same run.
Targets: p95 ≤ 3× (full-text search ≤ 5×).

    .venv/bin/python tests/bench/bench_scale_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/kyhop_scale --var-dir /tmp/kyhop-scale

``--seed`` seeds first if the database has no province yet (``--scale`` for a smaller one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness
from bench_meeting_page import login

PASSWORD = "KyHop@2026"


@dataclass
class Page:
    name: str
    user: str
    url: str
    target: float = 3.0
    # Several URLs of the same kind (searches with different words) taken in turn.
    urls: tuple[str, ...] = ()


def environment(args: argparse.Namespace) -> None:
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "KYHOP_VAR_DIR": args.var_dir,
            "DJANGO_SETTINGS_MODULE": "kyhop.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(_harness.ROOT))
    import django

    django.setup()


def pages(year: int) -> list[Page]:
    from django.db.models import Count

    from accounts.models import Body
    from documents.models import WorkRecord
    from meetings.models import AgendaDocument, Meeting, MeetingStatus
    from meetings.seed_scale.province import (
        ADMIN_USERNAME,
        CHAIR_USERNAME,
        CLERK_USERNAME,
        ROOT_CODE,
    )

    root = Body.objects.get(code=ROOT_CODE)
    meeting = (
        Meeting.objects.filter(body=root, status=MeetingStatus.CLOSED)
        .annotate(items=Count("agenda_items", distinct=True))
        .order_by("-items", "-starts_at")
        .first()
    )
    assert meeting is not None, "the seeded province has no closed meeting"
    documents = AgendaDocument.objects.filter(item__meeting=meeting).count()
    record = (
        WorkRecord.objects.filter(owning_body=root)
        .annotate(n=Count("documents"))
        .order_by("-n")
        .first()
    )
    assert record is not None, "the seeded province has no work record"
    low, high = f"{year}-01-01", f"{year}-12-31"
    query = urllib.parse.urlencode
    searches = (
        "quyet dinh phe duyet",
        "chuyen doi so",
        "giai phong mat bang khu cong nghiep",
        "Kế hoạch tiêm chủng",
        "nong thon moi tien du",
    )
    return [
        Page("meetings list of a body (clerk)", CLERK_USERNAME, "/hop/"),
        Page(
            f"meeting page ({meeting.items} items, {documents} documents)",
            CHAIR_USERNAME,
            f"/hop/{meeting.pk}/",
        ),
        Page(
            "documents list, filters (type, body, year)",
            CLERK_USERNAME,
            "/van-ban/?"
            + query({"doc_type": "quyet_dinh", "body": root.pk, "date_from": low, "date_to": high}),
        ),
        Page("documents list, first page (all visible)", ADMIN_USERNAME, "/van-ban/"),
        Page(
            "full-text search, no accents, 500,000 documents (admin)",
            ADMIN_USERNAME,
            "",
            target=5.0,
            urls=tuple("/van-ban/?" + query({"q": words}) for words in searches),
        ),
        Page(
            "full-text search, as a clerk (visibility rules)",
            CLERK_USERNAME,
            "",
            target=5.0,
            urls=tuple("/van-ban/?" + query({"q": words}) for words in searches),
        ),
        Page(
            f"work record page ({record.n} documents)",
            CLERK_USERNAME,
            f"/van-ban/ho-so/{record.pk}/",
        ),
        Page(
            f"statistics of {year}, province committee",
            CLERK_USERNAME,
            "/hop/thong-ke/?" + query({"co_quan": root.pk, "tu": low, "den": high}),
        ),
        Page(
            f"outgoing register of {year}, province committee",
            CLERK_USERNAME,
            "/van-ban/so-van-ban-di/?" + query({"body": root.pk, "year": year}),
        ),
        Page(
            f"incoming register of {year}, province committee",
            CLERK_USERNAME,
            "/van-ban/so-van-ban-den/?" + query({"body": root.pk, "year": year}),
        ),
        Page("audit page (admin list of events)", ADMIN_USERNAME, "/quan-tri/audit/auditevent/"),
    ]


def seeded() -> bool:
    from django.db import DatabaseError, connection

    from accounts.models import Body
    from meetings.seed_scale.province import ROOT_CODE

    try:
        return connection.vendor == "postgresql" and Body.objects.filter(code=ROOT_CODE).exists()
    except DatabaseError:
        return False


def timed(opener, url: str) -> float:
    started = time.perf_counter()
    with opener.open(url) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return time.perf_counter() - started


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kyhop_scale"),
    )
    parser.add_argument("--var-dir", default=os.environ.get("KYHOP_VAR_DIR", "/tmp/kyhop-scale"))
    parser.add_argument("--rounds", type=int, default=40, help="requests per page")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--only", default="", help="measure pages whose name contains this")
    parser.add_argument("--seed", action="store_true", help="seed_scale first if needed")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    environment(args)
    if args.seed:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("seed_scale", scale=args.scale, verbosity=1)
    if not seeded():
        print(
            "bench_scale_pages: no seeded province in this database (needs PostgreSQL and "
            "`manage.py seed_scale`, or --seed); skipped."
        )
        return 0
    chosen = [p for p in pages(args.year) if args.only.lower() in p.name.lower()]
    port = _harness.free_port()
    server = _harness.start_server(port)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        openers = {name: login(base, name, PASSWORD) for name in {p.user for p in chosen}}
        trivial: list[float] = []
        for page in chosen:
            opener = openers[page.user]
            urls = [base + u for u in (page.urls or (page.url,))]
            for url in urls:  # warm-up: caches, the server's first queries
                timed(opener, url)
            samples: list[float] = []
            with ThreadPoolExecutor(args.concurrency) as pool:
                for round_ in range(args.rounds // args.concurrency):
                    batch = [
                        urls[(round_ * args.concurrency + i) % len(urls)]
                        for i in range(args.concurrency)
                    ]
                    samples += pool.map(lambda u, o=opener: timed(o, u), batch)
                    trivial += pool.map(
                        lambda _i, o=opener: timed(o, f"{base}/healthz"), range(args.concurrency)
                    )
            results.append((page, samples))
    finally:
        server.terminate()
        server.wait(10)
    base_p50, base_p95 = _harness.median_ms(trivial), p95(trivial)
    print(f"machine: {_harness.machine()} · load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{args.rounds} requests per page, {args.concurrency} concurrent, trivial view "
        f"/healthz interleaved ({len(trivial)} requests): p50 {base_p50:.1f} ms, "
        f"p95 {base_p95:.1f} ms"
    )
    print()
    print("| page | p50 ms | p95 ms | p50 ratio | p95 ratio | target (p95) | |")
    print("|---|---:|---:|---:|---:|---:|---|")
    missed = 0
    for page, samples in results:
        page_p50, page_p95 = _harness.median_ms(samples), p95(samples)
        ratio = page_p95 / base_p95
        ok = ratio <= page.target
        missed += not ok
        print(
            f"| {page.name} | {page_p50:.1f} | {page_p95:.1f} | {page_p50 / base_p50:.2f}× | "
            f"{ratio:.2f}× | ≤ {page.target:g}× | {'met' if ok else 'MISSED'} |"
        )
    print()
    print(f"{len(results) - missed} of {len(results)} pages within target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
