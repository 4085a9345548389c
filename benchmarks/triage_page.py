"""Benchmark: the triage page over 100,000 undecided hits on PostgreSQL.

    .venv/bin/python benchmarks/triage_page.py [--hits 100000] [--requests 200]

A fresh PostgreSQL database (dropped afterwards) with the demo data and N undecided hits
of the demo works on 2,000 sites, scores 0.5 to 1, found over the last year. Times the
server side of GET /hits/ through the WSGI app (login, selection, count, page of 30 with
clusters and each hit's first feasibility estimate, rendering) for the selections a
handler makes: all to decide, one site, a score band, an age, one client, the next page.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._pg import temporary_database  # noqa: E402
from caseapp import create_app  # noqa: E402


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def run(url: str, tmp: Path, n: int, requests: int) -> dict:
    from caseapp.core.clock import today
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from caseapp.hits import services
    from caseapp.hits.models import NEW, Hit, Sighting
    from caseapp.clients.models import Work

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEAPP_INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    build_demo_database(app, cases=50, today=today())
    rng = random.Random(3)
    now = datetime.now(timezone.utc)
    tlds = ["de", "fr", "it", "com", "co.uk", "nl", "es", "at", "pl", "com"]
    sites = [f"site{i}.example.{tlds[i % len(tlds)]}" for i in range(2000)]
    with app.app_context():
        session = get_db().session()
        works = session.scalars(select(Work)).all()
        handler = app.appbuilder.sm.find_user(username="handler")
        for start in range(0, n, 10_000):
            rows, hits = [], []
            for i in range(start, min(n, start + 10_000)):
                site = sites[int(rng.paretovariate(1.2)) % len(sites)]
                found = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
                work = rng.choice(works)
                rows.append({"key": services.sighting_key(f"https://{site}/i/{i}.jpg", f"https://{site}/p/{i}"),
                             "image_url": f"https://{site}/i/{i}.jpg", "page_url": f"https://{site}/p/{i}",
                             "site": site, "found_at": found, "image_sha256": work.file_sha256,
                             "thumbnail_sha256": work.thumbnail_sha256, "created_at": found, "updated_at": found})
                hits.append((work, site, found))
            ids = session.scalars(insert(Sighting).returning(Sighting.id), rows).all()
            session.execute(insert(Hit), [
                {"sighting_id": s, "work_id": w.id, "client_id": w.client_id, "site": site,
                 "score": round(rng.uniform(0.5, 1.0), 3), "status": NEW, "version": 1, "created_at": found,
                 "updated_at": found} for s, (w, site, found) in zip(ids, hits)])
            session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        clients = sorted({w.client_id for w in works})
        get_db().session.remove()

    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(handler.id)
        flask_session["_fresh"] = True
    first = client.get("/hits/").get_data(as_text=True)
    after = first.split('id="next-page" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    def url(i):
        kind = i % 6
        return ["/hits/", f"/hits/?site={sites[rng.randint(0, 40)]}", "/hits/?band=low", "/hits/?older=90",
                f"/hits/?client={rng.choice(clients)}", after][kind]

    urls = [url(i) for i in range(requests)]
    for u in urls[:12]:
        client.get(u)
    times, by_kind = [], {}
    kinds = ["all to decide", "one site", "score band", "age", "one client", "next page"]
    for i, u in enumerate(urls):
        started = time.perf_counter()
        response = client.get(u)
        ms = (time.perf_counter() - started) * 1000
        times.append(ms)
        by_kind.setdefault(kinds[i % 6], []).append(ms)
        assert response.status_code == 200, (u, response.status_code)
    return {"hits": n, "requests": len(times), "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1), "p99_ms": round(percentile(times, 99), 1),
            "mean_ms": round(statistics.mean(times), 1),
            "p50_by_selection_ms": {k: round(percentile(v, 50), 1) for k, v in by_kind.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--hits", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with temporary_database(args.server) as (url, name):
        result = run(url, Path("/tmp") / name, args.hits, args.requests)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
