"""Benchmark: one triage decision over 10,000 hits, and its undo, on PostgreSQL.

    .venv/bin/python benchmarks/hits_bulk.py [--hits 10000]

Creates a fresh PostgreSQL database (dropped afterwards), loads the demo data and
10,000 undecided hits on one site, then times `hits.services.decide` (no match, for
all of them, in one transaction, with the per-hit undo record and the audit event)
and `undo`, each committed. Target: the decision in 2 s or less.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caseapp import create_app  # noqa: E402
from benchmarks._pg import temporary_database  # noqa: E402


def run(url: str, tmp: Path, n: int) -> dict:
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from caseapp.hits import services
    from caseapp.hits.models import NEW, NO_MATCH, Hit, Sighting
    from caseapp.clients.models import Work

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEAPP_INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench"})
    build_demo_database(app, cases=50, today=today())
    with app.app_context():
        session = get_db().session()
        work = session.scalars(select(Work).limit(1)).one()
        found = datetime(2026, 11, 1, tzinfo=timezone.utc)
        sightings = [{"key": services.sighting_key(f"https://big.example.com/{i}.jpg", f"https://big.example.com/p/{i}"),
                      "image_url": f"https://big.example.com/{i}.jpg", "page_url": f"https://big.example.com/p/{i}",
                      "site": "big.example.com", "found_at": found, "image_sha256": work.file_sha256,
                      "thumbnail_sha256": work.thumbnail_sha256, "created_at": found, "updated_at": found}
                     for i in range(n)]
        ids = session.scalars(insert(Sighting).returning(Sighting.id), sightings).all()
        session.execute(insert(Hit), [{"sighting_id": s, "work_id": work.id, "client_id": work.client_id,
                                       "site": "big.example.com", "score": 0.9, "status": NEW, "version": 1,
                                       "created_at": found, "updated_at": found} for s in ids])
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        actor = Actor(None, "bench")
        t0 = time.perf_counter()
        chosen = services.select_hits(session, services.HitFilter(client_id=work.client_id, site="big.example.com"),
                                      today())
        decision = services.decide(session, actor, chosen, NO_MATCH, selection="site big.example.com",
                                   today=today())
        session.commit()
        decide_s = time.perf_counter() - t0
        decided, decision_id = decision.count, decision.id
        t0 = time.perf_counter()
        services.undo(session, actor, decision_id)
        session.commit()
        undo_s = time.perf_counter() - t0
        get_db().session.remove()
    return {"hits": n, "decided": decided, "decide_s": round(decide_s, 2), "undo_s": round(undo_s, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--hits", type=int, default=10_000)
    args = parser.parse_args()
    with temporary_database(args.server) as (url, name):
        result = run(url, Path("/tmp") / name, args.hits)
    print(json.dumps(result))
    return 0 if result["decide_s"] <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
