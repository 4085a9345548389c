"""Benchmark: server time of the queue page and the case page over 100,000 cases.

    make bench-queue                      # or:
    .venv/bin/python benchmarks/queue_pages.py --cases 100000 --requests 300

Creates a fresh PostgreSQL database (dropped afterwards unless --keep), builds
it with the migrations, loads the demo data set, then times requests through
the WSGI app (server time: routing, security, queries, rendering; no network).
Writes the figures to docs/benchmarks.md. Target: p95 <= 150 ms for each page.
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select, text
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caseapp import create_app  # noqa: E402
from benchmarks._pg import temporary_database  # noqa: E402
from benchmarks._docs import write_section  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page kind")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    with temporary_database(args.server, keep=args.keep) as (url, name):
        results = run(url, Path("/tmp") / name, args)
    report(results, args)
    return 0 if all(r["p95"] <= 150 for r in results["pages"].values()) else 1


def run(url: str, tmp: Path, args) -> dict:
    from caseapp.cases.models import Case
    from caseapp.core.clock import today
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEAPP_INSTANCE_PATH": str(tmp),
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    started = time.perf_counter()
    with tqdm(total=args.cases, desc="loading cases", unit="case", file=sys.stderr) as bar:
        build_demo_database(app, cases=args.cases, today=today(), progress=bar.update)
    load_seconds = time.perf_counter() - started
    with app.app_context():
        session = get_db().session()
        handler = app.appbuilder.sm.find_user(username="handler")
        session.execute(text("ANALYZE"))
        session.commit()
        refs = list(session.scalars(select(Case.ref).order_by(func.random()).limit(args.requests)))
        countries = ["DE", "FR", "GB", "US", "IT"]
        open_count = session.scalar(select(func.count()).select_from(Case).where(Case.stage != "closed"))
        get_db().session.remove()

    client = app.test_client()
    with client.session_transaction() as flask_session, app.app_context():
        flask_session["_user_id"] = str(handler.id)
        flask_session["_fresh"] = True
        app.appbuilder.sm.begin_web_session(flask_session, app.appbuilder.sm.find_user(username="handler"))

    rng = random.Random(7)

    def queue_url(i):
        kind = i % 5
        if kind == 0:
            return "/queue/?scope=mine"
        if kind == 1:
            return "/queue/?scope=unassigned"
        if kind == 2:
            return f"/queue/?scope=unassigned&country={rng.choice(countries)}"
        if kind == 3:
            return "/queue/?scope=unassigned&stage=offer_sent"
        return f"/queue/?scope=mine&client={rng.randint(1, 10)}"

    pages = {"queue": [queue_url(i) for i in range(args.requests)],
             "case": [f"/cases/{ref}" for ref in refs]}
    results = {}
    for page, urls in pages.items():
        for url_ in urls[:20]:  # warm up
            client.get(url_)
        times = []
        for url_ in tqdm(urls, desc=f"timing {page} page", unit="req", file=sys.stderr):
            started = time.perf_counter()
            response = client.get(url_)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url_, response.status_code)
        results[page] = {"n": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95),
                         "p99": percentile(times, 99), "mean": statistics.mean(times)}
    return {"pages": results, "cases": args.cases, "open": open_count, "load_seconds": load_seconds}


def report(results: dict, args) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines = [
        "## Queue and case pages over 100,000 cases (PostgreSQL)",
        "",
        f"Measured {stamp} on this machine ({platform.processor() or platform.machine()}, 2 cores), "
        f"PostgreSQL on 127.0.0.1; {results['cases']:,} cases ({results['open']:,} open), "
        f"loaded in {results['load_seconds']:.0f} s.",
        "Server time per request through the WSGI app (routing, login, queries, rendering), "
        f"{args.requests} timed requests per page after 20 warm-up ones.",
        "",
        "Command: `make bench-queue` (= `.venv/bin/python benchmarks/queue_pages.py --cases 100000 --requests 300`)",
        "",
        "| page | requests | p50 ms | p95 ms | p99 ms | target p95 |",
        "|---|---|---|---|---|---|",
    ]
    for page, r in results["pages"].items():
        lines.append(f"| {page} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | ≤ 150 ms |")
    section = "\n".join(lines) + "\n"
    print(section)
    if args.no_write:
        return
    write_section("## Queue and case pages over 100,000 cases (PostgreSQL)", section)


if __name__ == "__main__":
    raise SystemExit(main())
