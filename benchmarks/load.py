"""Load test: 50 people at once on gunicorn over 100,000 cases and 1,000,000 hits in PostgreSQL.

    .venv/bin/pip install -e '.[bench]'          # locust
    .venv/bin/python benchmarks/load.py --cases 100000 --hits 1000000 --users 50 --minutes 3

1. Creates a fresh PostgreSQL database (dropped afterwards unless --keep; --database NAME reuses a
   database an earlier --keep run left, skipping the build), builds it with the migrations, loads the
   demo data set with --cases cases, then tops the hits up to --hits in SQL (sightings on 20,000
   sites, 5% of them still to triage, the rest decided), and ANALYZEs.
2. Starts `caseapp serve --workers` (gunicorn) on 127.0.0.1 (--workers processes x --threads threads)
   on that database, the login throttle's counters in Redis as in production.
3. Runs locust headless (benchmarks/locustfile.py): --users people across the three roles (handlers
   6 : lawyers 2 : accountants 2), each logging in through the form and clicking every 1 to 3 s.
   Before that, a warm-up (--warm-up ROUNDS, default 8): each role's pages on new connections, so
   that every worker has served each page once (not counted: a worker's first views compile
   templates and statements).
4. Writes each page's request count, failures, p50/p95/p99, and the CPU a request took, to
   docs/benchmarks.md.
Target: p95 <= 200 ms on every main page, no errors. Exit 1 when missed.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._docs import write_section  # noqa: E402
from benchmarks._pg import temporary_database  # noqa: E402

TITLE = "## Load: 50 people on gunicorn, 100,000 cases and 1,000,000 hits (PostgreSQL)"
TARGET_MS = 200
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(url: str, instance: Path, cases: int, hits: int) -> dict:
    """The demo data set with `cases` cases, then hits topped up to `hits` in SQL."""
    from tqdm import tqdm

    from caseapp import create_app
    from caseapp.core.clock import today
    from caseapp.demo.setup import build_demo_database

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEAPP_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench"})
    started = time.perf_counter()
    with tqdm(total=cases, desc="loading cases", unit="case", file=sys.stderr) as bar:
        build_demo_database(app, cases=cases, today=today(), progress=bar.update)
    cases_seconds = time.perf_counter() - started
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as connection:
        have = connection.scalar(text("SELECT count(*) FROM hit"))
        missing = max(0, hits - have)
        print(f"adding {missing:,} hits in SQL …", file=sys.stderr)
        step = 100_000
        for start in tqdm(range(0, missing, step), desc="adding hits", unit="100k", file=sys.stderr):
            count = min(step, missing - start)
            connection.execute(text(_SIGHTINGS), {"start": start, "count": count})
            connection.execute(text(_HITS), {"start": start, "count": count})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))     # as autovacuum would have left a running system
    with engine.connect() as connection:
        figures = {"cases": connection.scalar(text('SELECT count(*) FROM "case"')),
                   "hits": connection.scalar(text("SELECT count(*) FROM hit")),
                   "new_hits": connection.scalar(text("SELECT count(*) FROM hit WHERE status = 'new'"))}
    engine.dispose()
    figures.update(cases_seconds=cases_seconds, hits_seconds=time.perf_counter() - started)
    return figures


# Sightings on 20,000 sites over the last two years, each a copy of one of the demo's works (so
# its thumbnail is in the file store); 1 in 20 hits still to triage, the rest decided.
_SIGHTINGS = """
INSERT INTO sighting (key, image_url, page_url, site, found_at, image_sha256, thumbnail_sha256, created_at, updated_at)
SELECT md5('load' || g), 'https://s' || (g % 20000) || '.example.net/img/' || g || '.jpg',
       'https://s' || (g % 20000) || '.example.net/p/' || g, 's' || (g % 20000) || '.example.net',
       now() - make_interval(days => g % 730), w.file_sha256, w.thumbnail_sha256, now(), now()
FROM generate_series(:start + 1, :start + :count) AS g
JOIN LATERAL (SELECT file_sha256, thumbnail_sha256 FROM work ORDER BY id
              OFFSET (g % (SELECT count(*) FROM work)) LIMIT 1) AS w ON true
"""
_HITS = """
INSERT INTO hit (sighting_id, work_id, client_id, site, score, status, decided_at, decided_by, version,
                 created_at, updated_at)
SELECT s.id, w.id, w.client_id, s.site, 0.55 + (s.id % 45) / 100.0,
       CASE WHEN g % 20 = 0 THEN 'new' WHEN g % 3 = 0 THEN 'illegal' WHEN g % 3 = 1 THEN 'no_match' ELSE 'legal' END,
       CASE WHEN g % 20 = 0 THEN NULL ELSE s.found_at + interval '3 days' END,
       CASE WHEN g % 20 = 0 THEN NULL ELSE 'handler' END, 1, s.found_at, s.found_at
FROM generate_series(:start + 1, :start + :count) AS g
JOIN sighting s ON s.key = md5('load' || g)
JOIN LATERAL (SELECT id, client_id FROM work ORDER BY id
              OFFSET (g % (SELECT count(*) FROM work)) LIMIT 1) AS w ON true
"""


def case_refs(url: str, path: Path, n: int = 2000) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        refs = connection.scalars(text('SELECT ref FROM "case" ORDER BY random() LIMIT :n'), {"n": n}).all()
    engine.dispose()
    path.write_text("\n".join(refs) + "\n", encoding="utf-8")


def serve(url: str, instance: Path, port: int, workers: int, threads: int, redis: str) -> subprocess.Popen:
    env = dict(os.environ, CASEAPP_DATABASE_URL=url, CASEAPP_INSTANCE_PATH=str(instance), CASEAPP_HTTPS="0",
               CASEAPP_SECRET_KEY="load-test", CASEAPP_RATELIMIT_STORAGE_URL=redis,
               CASEAPP_LOGIN_RATE_LIMIT="10000 per minute", CASEAPP_CAPTURE_ON_DECIDE="0",
               CASEAPP_LOOKUP_ON_DECIDE="0")
    log = open(instance / "serve.log", "wb")     # one JSON line a request (caseapp serve --workers)
    process = subprocess.Popen([str(BIN / "caseapp"), "serve", "--workers", str(workers), "--threads", str(threads),
                                "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    import urllib.request

    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(1)
    process.kill()
    raise SystemExit("gunicorn did not answer on /login/ within 120 s")


def speed_probe() -> float:
    """Seconds this machine takes for a fixed piece of pure Python (20 million additions): the host's
    speed varies from hour to hour (shared cores), so each result says how fast the machine was."""
    started = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    return time.perf_counter() - started


def cpu_seconds(server: subprocess.Popen) -> dict[str, float]:
    """CPU seconds used so far by the web server (gunicorn's master and workers) and by PostgreSQL
    (every process called postgres on this machine: run it where no other cluster is busy; a
    gunicorn worker that exits during the run takes its seconds with it)."""
    import psutil

    used = {"caseapp": 0.0, "postgres": 0.0}
    root = psutil.Process(server.pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
            used["caseapp"] += times.user + times.system
        except psutil.Error:
            pass
    for process in psutil.process_iter(["name"]):
        if process.info["name"] and process.info["name"].startswith("postgres"):
            try:
                times = process.cpu_times()
                used["postgres"] += times.user + times.system
            except psutil.Error:
                pass
    return used


WARM_PAGES = {"handler": ["/queue/?scope=mine", "/queue/?scope=unassigned", "/hits/", "case"],
              "lawyer": ["/court/", "/court/calendar", "case"],
              "accountant": ["/payouts/", "/payments/unmatched", "/ledger/", "/reports/"]}


def warm_up(port: int, refs: Path, rounds: int) -> list[float]:
    """Each role's pages `rounds` times, each request on a new connection so that every gunicorn
    worker is likely to serve each page once before the measurement: what a server that has run
    for a while has done (its statement and template caches filled, the dashboards computed).
    A worker's very first views are slower (docs/benchmarks.md): not what people meet all day."""
    import re

    import requests

    base = f"http://127.0.0.1:{port}"
    logins: list[float] = []
    case_refs = refs.read_text(encoding="utf-8").split()
    if not case_refs:
        raise SystemExit(f"warm-up: {refs} names no case (is the database empty?)")
    for login, pages in WARM_PAGES.items():
        with requests.Session() as session:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(base + "/login/").text)
            started = time.perf_counter()
            answer = session.post(base + "/login/", allow_redirects=False, data={
                "csrf_token": token.group(1) if token else "", "username": login, "password": f"{login}-demo"})
            logins.append(1000 * (time.perf_counter() - started))
            if answer.status_code != 302:
                raise SystemExit(f"warm-up: the login of {login} answered {answer.status_code}, not a redirect")
            cookies = session.cookies
        for i in range(rounds):
            for page in pages:
                path = f"/cases/{case_refs[i % len(case_refs)]}" if page == "case" else page
                requests.get(base + path, cookies=cookies, allow_redirects=False, timeout=120,
                             headers={"Connection": "close"})
    return logins


def swarm(port: int, users: int, minutes: float, refs: Path, out: Path, think: str, connections: str) -> list[dict]:
    env = dict(os.environ, LOAD_REFS=str(refs), LOAD_THINK=think, LOAD_CONNECTIONS=connections)
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{int(minutes * 60)}s",
                    "--host", f"http://127.0.0.1:{port}", "--csv", str(out), "--only-summary", "--stop-timeout", "30",
                    "--reset-stats",     # measured once everyone is in: 50 logins in 10 s are a morning's, not the day's
                    "--loglevel", "WARNING"], env=env, check=False)
    with open(f"{out}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="reuse this database (an earlier --keep run): no build")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--hits", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--think", default="1,3", help="seconds between a person's clicks: low,high (default 1,3)")
    parser.add_argument("--connections", choices=("proxy", "keep-alive"), default="proxy",
                        help="proxy (default): each request on a new connection, as the reverse proxy of "
                             "docs/operations.md passes them; keep-alive: each person on one connection to one worker")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="the login throttle's counters")
    parser.add_argument("--warm-up", type=int, default=8, metavar="ROUNDS",
                        help="before measuring, each role's pages this many times on new connections "
                             "(0: measure from a cold start)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    if args.database:
        url = make_url(args.server).set(database=args.database).render_as_string(hide_password=False)
        return measure(url, Path("/tmp") / args.database, None, args)
    with temporary_database(args.server, keep=args.keep) as (url, name):
        instance = Path("/tmp") / name
        figures = build(url, instance, args.cases, args.hits)
        if args.keep:
            print(f"kept: --database {name} (instance {instance})", file=sys.stderr)
        return measure(url, instance, figures, args)


def measure(url: str, instance: Path, figures: dict | None, args) -> int:
    if figures is None:
        engine = create_engine(url)
        with engine.connect() as connection:
            figures = {"cases": connection.scalar(text('SELECT count(*) FROM "case"')),
                       "hits": connection.scalar(text("SELECT count(*) FROM hit")),
                       "new_hits": connection.scalar(text("SELECT count(*) FROM hit WHERE status = 'new'"))}
        engine.dispose()
    refs = instance / "refs.txt"
    instance.mkdir(parents=True, exist_ok=True)
    case_refs(url, refs)
    port = free_port()
    figures["probe_before"] = speed_probe()
    server = serve(url, instance, port, args.workers, args.threads, args.redis)
    try:
        if args.warm_up:
            figures["logins"] = warm_up(port, refs, args.warm_up)
        before = cpu_seconds(server)
        rows = swarm(port, args.users, args.minutes, refs, instance / "load", args.think, args.connections)
        after = cpu_seconds(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    figures["cpu"] = {name: after[name] - before[name] for name in after}
    figures["probe_after"] = speed_probe()
    return report(rows, figures, args)


def report(rows: list[dict], figures: dict, args) -> int:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    pages = [r for r in rows if r["Name"] != "Aggregated" and not r["Name"].startswith("login")]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    built = (f", built in {figures['cases_seconds']:.0f} s (cases) + {figures['hits_seconds']:.0f} s (hits)"
             if "cases_seconds" in figures else "")
    title = (f"{TITLE}, {args.think.replace(',', '-')} s between clicks"
             + (", keep-alive connections" if args.connections == "keep-alive" else ""))
    lines = [
        title, "",
        f"Measured {stamp} on this machine ({platform.machine()}, 2 cores shared by PostgreSQL, gunicorn and "
        f"locust), PostgreSQL on 127.0.0.1: {figures['cases']:,} cases, {figures['hits']:,} hits "
        f"({figures['new_hits']:,} to triage){built}. gunicorn {args.workers} workers x {args.threads} threads on "
        f"127.0.0.1; locust {args.users} users (handlers 6 : lawyer 2 : accountants 2, each logged in through "
        f"the form, {args.think.replace(',', '-')} s between clicks) for {args.minutes:g} minutes"
        + (f", after a warm-up (each role's pages {args.warm_up} times on new connections, not counted)" if args.warm_up
           else ", from a cold start")
        + (". Each person's requests on one kept-alive connection to one gunicorn worker" if args.connections == "keep-alive"
           else ". Each request on a new connection, as the reverse proxy of docs/operations.md passes requests to "
                "gunicorn (nginx speaks HTTP/1.0 to its upstream and closes the connection), so any free worker takes it")
        + ". Times are locust's: the whole HTTP request over the loopback, as the browser would wait for the HTML.",
        "",
        "Command: `.venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/load.py "
        f"--cases {args.cases} --hits {args.hits} --users {args.users} --minutes {args.minutes:g} --think {args.think}"
        + (f" --warm-up {args.warm_up}" if args.warm_up != 8 else "")
        + (" --connections keep-alive`" if args.connections == "keep-alive" else "`"),
        "",
        "| page | requests | failures | p50 ms | p95 ms | p99 ms | max ms | target p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(pages, key=lambda r: r["Name"]):
        lines.append(f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} | "
                     f"{r['99%']} | {float(r['Max Response Time']):.0f} | ≤ {TARGET_MS} ms |")
    lines.append(f"| **all** | {total['Request Count']} | {total['Failure Count']} | {total['50%']} | "
                 f"{total['95%']} | {total['99%']} | {float(total['Max Response Time']):.0f} | |")
    lines.append("")
    lines.append(f"Throughput {float(total['Requests/s']):.1f} requests/s.")
    if figures.get("logins"):
        lines.append("")
        lines.append(f"Measured once all {args.users} people had logged in (locust --reset-stats: their logins, "
                     f"{max(1, args.users // 10)} a second, each checks a password hash: a morning's arrival, not the "
                     f"working day). A login alone (the warm-up's, one at a time): "
                     + ", ".join(f"{ms:.0f}" for ms in figures["logins"]) + " ms.")
    # The CPU is the whole run's, the people's logins included (their login form and login are not
    # in the counted requests since --reset-stats): divided by the requests counted plus the logins.
    # The pages asked while people were still logging in are not counted either: a few % high.
    requests = max(1, int(total["Request Count"]) + 2 * args.users)
    cpu = figures.get("cpu", {})
    if cpu:
        lines.append("")
        lines.append(f"CPU per request (all pages, logins included): gunicorn {1000 * cpu['caseapp'] / requests:.0f} ms, "
                     f"PostgreSQL {1000 * cpu['postgres'] / requests:.0f} ms. Machine speed probe (20 million Python "
                     f"additions; lower is faster): {figures['probe_before']:.2f} s before the run, "
                     f"{figures['probe_after']:.2f} s after.")
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        write_section(title, section)
    failures = sum(int(r["Failure Count"]) for r in rows)
    slow = [r["Name"] for r in pages if float(r["95%"]) > TARGET_MS]
    return 0 if not failures and not slow else 1


if __name__ == "__main__":
    raise SystemExit(main())
