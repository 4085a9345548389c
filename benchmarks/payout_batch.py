"""Benchmark: a payout batch of 10,000 collections for 1,000 clients on PostgreSQL.

    .venv/bin/python benchmarks/payout_batch.py --clients 1000 --collections 10000

Creates a fresh PostgreSQL database (dropped afterwards unless --keep), builds it with the
migrations and a small demo (its users: the two accountants), then sets up, untimed:

- clients through the clients' services (`add_client`, `change_contract`, `request_account` +
  `confirm_account` by a second person): varying tax status (private, small business, German
  business, EU business with a VAT ID: reverse charge, outside the EU: no VAT), languages (en,
  de, and fr: written in English), shares; valid EUR IBANs (DE, NL, AT), a few clients with an
  account outside the SEPA zone or none confirmed (paid by hand), a few with a minimum payout
  they do not reach (they wait);
- about three cases a client (`cases.open_case`), some in collection, some in court or
  enforcement, some settled out of court and some in court (`settlements.record_settlement`),
  so that both splits are used;
- the collections: payments matched to cases, posted with `ledger.post_many` as the payments
  domain books them (debit BANK, credit COLLECTED for the case and its client).

Then ANALYZE (a live database's statistics are autovacuum's; --no-analyze leaves them out).

Timed, each in its own transaction as the commands run them: `payouts.services.draft` (up to
yesterday) by accountant 1, `approve` by accountant 2, `export` (the SEPA file, each statement
frozen as a record; no PDF) by accountant 1. Then, timed apart, the statements' PDFs as
`caseapp payouts export` renders them right after the export (payouts.cli._statements: a
process per core, 50 per transaction). Writes the figures to docs/benchmarks.md.
Target: draft + approve + export <= 5 s (exit status 1 when over).

Diagnostics: --profile FILE (cProfile of the three timed steps), --count-sql (the statements
each step sends), --no-pdf, --setup-only (keeps the database set up, times nothing).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caseapp import create_app  # noqa: E402
from benchmarks._pg import temporary_database  # noqa: E402
from benchmarks._docs import write_section  # noqa: E402

MARKER = "## A payout batch of 10,000 collections for 1,000 clients (PostgreSQL)"
TARGET = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--collections", type=int, default=10_000)
    parser.add_argument("--profile", metavar="FILE", help="Write a cProfile of the timed steps to FILE.")
    parser.add_argument("--count-sql", action="store_true", help="Print the SQL statements each step sends.")
    parser.add_argument("--no-analyze", action="store_true",
                        help="Leave the planner without statistics (no ANALYZE after the setup).")
    parser.add_argument("--no-pdf", action="store_true", help="Skip rendering the statements' PDFs.")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--setup-only", action="store_true", help="Set up, keep the database, time nothing.")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    keep = args.keep or args.setup_only
    with temporary_database(args.server, keep=keep) as (url, name):
        folder = Path("/tmp") / name              # the instance: its file store, the exported files
        try:
            result = run(url, folder, args)
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        if result is None:
            print(f"set up in {name} (kept, files in {folder})")
            return 0
    report(result, args)
    return 0 if result["timed"] <= TARGET else 1


# --- setup (not timed) --------------------------------------------------------------------------

# (country, legal form, tax status, VAT ID): the tax statuses a firm's clients have.
PROFILES = [("DE", "person", "private", None)] * 5 + [
    ("DE", "person", "small_business", None), ("DE", "company", "standard", None),
    ("FR", "company", "standard", "FR40303265045"), ("NL", "company", "standard", "NL004495445B01"),
    ("AT", "company", "standard", None), ("CH", "person", "private", None), ("US", "company", "standard", None)]
LANGUAGES = ["de"] * 5 + ["en"] * 4 + ["fr"]
OUTSIDE_SEPA = ["BR1800360305000010009795493C1", "TR330006100519786457841326"]


def _iban(rng: random.Random, serial: int) -> str:
    from schwifty import IBAN

    kind = rng.random()
    if kind < 0.1:
        return str(IBAN.generate("NL", bank_code="ABNA", account_code=f"{400000000 + serial:010d}"))
    if kind < 0.2:
        return str(IBAN.generate("AT", bank_code="19043", account_code=f"{23457000 + serial:011d}"))
    return str(IBAN.generate("DE", bank_code="37040044", account_code=f"{532000000 + serial:010d}"))


def set_up(session, store, rng: random.Random, *, clients_n: int, collections_n: int, today) -> dict:
    from sqlalchemy import select

    from caseapp.cases import lifecycle
    from caseapp.cases import services as cases
    from caseapp.clients import banking, contracts
    from caseapp.clients import services as clients
    from caseapp.clients.models import Work
    from caseapp.core.audit import Actor
    from caseapp.core.money import Money
    from caseapp.ledger import services as ledger
    from caseapp.ledger.models import BANK, COLLECTED
    from caseapp.parties import services as parties
    from caseapp.settlements import services as settlements

    office, checker = Actor.system("bench-office"), Actor(None, "bench-checker")
    template = session.scalars(select(Work).limit(1)).first()      # a demo work's stored image (as the factories)
    party_ids = [parties.party_for_site(session, office, f"bench-party-{i}.example", "DE").id for i in range(40)]
    counts = {"manual_outside_sepa": 0, "manual_no_account": 0, "under_minimum": 0, "cases": 0,
              "in_court": 0, "settled_in_court": 0, "settled_out_of_court": 0}
    case_rows = []                 # (case id, client id)
    for n in range(clients_n):
        country, form, status, vat_id = PROFILES[n % len(PROFILES)]
        holder = clients.add_client(session, office, name=f"Bench Client {n:04d} {rng.choice(['Foto', 'Bild', 'Studio'])}",
                                    country=country, legal_form=form, tax_status=status, vat_id=vat_id,
                                    language=LANGUAGES[n % len(LANGUAGES)])
        minimum = Money(1_000_000, "EUR") if n % 50 == 7 else Money(rng.choice([0, 0, 2500, 5000]), "EUR")
        counts["under_minimum"] += n % 50 == 7
        contracts.change_contract(session, office, holder.id, share_out_of_court_bp=rng.choice([7000, 6500, 6000]),
                                  share_in_court_bp=rng.choice([5000, 5500]), minimum_payout=minimum)
        if n % 100 == 13:
            iban = OUTSIDE_SEPA[n % 2]
            counts["manual_outside_sepa"] += 1
        else:
            iban = _iban(rng, n)
        account = banking.request_account(session, office, holder.id, holder.name, iban)
        if n % 100 == 31:
            counts["manual_no_account"] += 1            # asked, never confirmed: paid by hand
        else:
            banking.confirm_account(session, checker, account.id, None)
        work = Work(client_id=holder.id, title=f"Bench work {n}", file_sha256=template.file_sha256,
                    thumbnail_sha256=template.thumbnail_sha256, width=template.width, height=template.height,
                    status="verified", status_reason="bench: verified", status_by="bench")
        session.add(work)
        session.flush()
        for k in range(rng.choice([2, 3, 3, 4])):
            claimed = Money(rng.choice([45000, 60000, 90000, 120000]), "EUR")
            case = cases.open_case(session, office, client_id=holder.id, party_id=rng.choice(party_ids),
                                   items=[cases.ItemSpec(work_id=work.id,
                                                         page_url=f"https://bench-{n}.example/p/{k}")],
                                   claimed=claimed, today=today)
            roll = rng.random()
            if roll < 0.35:
                case.stage = lifecycle.COLLECTION
            elif roll < 0.55:
                case.stage = rng.choice([lifecycle.COURT, lifecycle.ENFORCEMENT])
                counts["in_court"] += 1
            else:
                in_court = roll >= 0.85
                case.stage = lifecycle.COURT if in_court else lifecycle.OFFER_SENT
                session.flush()
                settlements.record_settlement(session, office, case, amount=claimed, covers="the use, costs",
                                              agreed_on=today - timedelta(days=90), today=today)
                counts["settled_in_court" if in_court else "settled_out_of_court"] += 1
            session.flush()
            case_rows.append((case.id, holder.id, case.ref))
    counts["cases"] = len(case_rows)
    # The collections: payments matched to the cases, as payments books them.
    postings = []
    for i in range(collections_n):
        case_id, client_id, ref = case_rows[i % len(case_rows)] if i < len(case_rows) else rng.choice(case_rows)
        amount = Money(rng.randint(2_000, 60_000), "EUR")
        postings.append(ledger.Posting(
            kind="payment_received", description=f"{ref}: Payer {i}, Lizenz {ref}",
            booked_on=today - timedelta(days=rng.randint(1, 60)), case_id=case_id, client_id=client_id,
            source=f"bench payment {i}",
            lines=(ledger.debit(BANK, amount), ledger.credit(COLLECTED, amount, case_id=case_id,
                                                            client_id=client_id))))
    ledger.post_many(session, Actor.system("payments"), postings)
    counts["collections"] = len(postings)
    counts["clients"] = clients_n
    return counts


# --- the timed run --------------------------------------------------------------------------------

def run(url: str, tmp: Path, args) -> dict:
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.core.filestore import FileStore
    from caseapp.core.uow import unit_of_work
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from caseapp.payouts import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CASEAPP_INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench",
                      "CASEAPP_FILESTORE_PATH": str(tmp / "files")})
    build_demo_database(app, cases=30, works=6, today=today())
    rng = random.Random(14)
    store = FileStore(tmp / "files")
    day = today()
    until = day - timedelta(days=1)
    with app.app_context():
        session = get_db().session()
        started = time.perf_counter()
        with unit_of_work(session):
            setup = set_up(session, store, rng, clients_n=args.clients, collections_n=args.collections, today=day)
        setup_seconds = time.perf_counter() - started
        print(f"setup: {setup} in {setup_seconds:.0f} s", file=sys.stderr)
        if not args.no_analyze:
            # A live database's statistics are kept by autovacuum; this one was filled a moment
            # ago (and autovacuum may be off on a test server): gather them as it would.
            from sqlalchemy import text

            with get_db().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        if args.setup_only:
            return None
        sm = app.appbuilder.sm
        anton = Actor.of(sm.find_user(username="accountant"))
        lena = Actor.of(sm.find_user(username="accountant2"))
        get_db().session.remove()

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        steps: dict[str, float] = {}

        counted: dict = {}
        if args.count_sql:
            from collections import Counter

            from sqlalchemy import event

            def count(conn, cursor, statement, parameters, context, executemany):
                counted.setdefault("now", Counter())[(" ".join(statement.split())[:90], executemany)] += 1

            event.listen(get_db().engine, "before_cursor_execute", count)

        def timed(name, work):
            counted["now"] = Counter() if args.count_sql else None
            session = get_db().session()
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            with unit_of_work(session):
                value = work(session)
            if profiler:
                profiler.disable()
            steps[name] = time.perf_counter() - started
            get_db().session.remove()
            print(f"{name}: {steps[name]:.2f} s", file=sys.stderr)
            if args.count_sql:
                for (statement, many), n in counted["now"].most_common(12):
                    print(f"    {n:6d} {'many ' if many else ''}{statement}", file=sys.stderr)
            return value

        load = os.getloadavg()[0]
        batch_id = timed("draft", lambda s: services.draft(s, anton, until).id)
        timed("approve", lambda s: services.approve(s, lena, batch_id))
        exported = timed("export", lambda s: _export(s, anton, batch_id, store, app.config))
        started = time.perf_counter()
        rendered = 0 if args.no_pdf else _statements(batch_id, store, tmp / "out")   # in its own transactions
        steps["statements"] = time.perf_counter() - started
        print(f"statements: {steps['statements']:.2f} s", file=sys.stderr)
        if profiler:
            profiler.dump_stats(args.profile)
        session = get_db().session()
        batch = services.load_batch(session, batch_id)
        figures = {"clients_paid": len(batch.lines), "items": sum(len(line.items) for line in batch.lines),
                   "sepa": sum(1 for line in batch.lines if line.method == "sepa"),
                   "manual": sum(1 for line in batch.lines if line.method == "manual"),
                   "sepa_bytes": exported["sepa_bytes"], "statements": rendered}
        get_db().session.remove()
    timed_total = steps["draft"] + steps["approve"] + steps["export"]
    from caseapp.payouts import statements

    workers = (os.cpu_count() or 1) if figures["statements"] >= statements.POOL_FROM else 1
    return {"setup": setup, "setup_seconds": setup_seconds, "steps": steps, "timed": timed_total, "load": load,
            "workers": workers, **figures}


def _export(session, actor, batch_id, store, settings) -> dict:
    from caseapp.payouts import services

    result = services.export(session, actor, batch_id, store, settings=settings)
    sepa = next((content for name, content in result.files.items() if name.endswith(".xml")), b"")
    return {"sepa_bytes": len(sepa), "files": len(result.files)}


def _statements(batch_id, store, out: Path) -> int:
    """The statements' PDFs as `caseapp payouts export` renders them right after the export
    (every core, stored and committed 50 at a time, written to the --out folder)."""
    from caseapp.payouts import services
    from caseapp.payouts.cli import _statements as render_all

    from caseapp.extensions import get_db

    clients = [line.client_id for line in services.get_batch(get_db().session(), batch_id).lines]
    get_db().session.remove()
    out.mkdir(exist_ok=True)
    return len(render_all(batch_id, clients, store, out))


def report(r: dict, args) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    s, steps = r["setup"], r["steps"]
    pdf_rate = (r["statements"] / steps["statements"]) if r["statements"] and steps["statements"] else 0
    pdf_row = (f"| statements (PDF): {r['statements']:,}, on {r['workers']} processes | {steps['statements']:.1f} "
               f"({pdf_rate:.1f} statements/s) |" if r["statements"] else "| statements (PDF) | not run (--no-pdf) |")
    section = "\n".join([
        MARKER, "",
        f"Measured {stamp} on this machine ({platform.processor() or platform.machine()}, 2 cores, shared: load "
        f"average {r['load']:.1f} when the timed steps began), PostgreSQL on 127.0.0.1. Set up untimed "
        f"({r['setup_seconds']:.0f} s) through the domains' services: {s['clients']:,} clients (private persons, "
        f"small businesses, German and EU businesses, reverse charge, outside the EU; en, de and fr statements), "
        f"{s['cases']:,} cases ({s['in_court']:,} in court or enforcement, {s['settled_out_of_court']:,} settled out "
        f"of court, {s['settled_in_court']:,} settled in court, the rest in collection), {s['collections']:,} "
        f"collections (payments matched to cases, posted with `ledger.post_many` as the payments domain books "
        f"them). {s['under_minimum']} clients are under their minimum payout (they wait), "
        f"{s['manual_outside_sepa']} have an account outside the SEPA zone and {s['manual_no_account']} none "
        f"confirmed (paid by hand). "
        + ("Then ANALYZE, as autovacuum keeps a live database's statistics (it is off on this server). Without "
           "statistics (`--no-analyze`) PostgreSQL plans the ledger's query of open collections "
           "(`ledger.open_credits`) as a nested loop over every collection: about 4 s more for the draft on "
           "2026-12-02." if not args.no_analyze else
           "No ANALYZE (`--no-analyze`): the planner has no statistics of the tables just filled."), "",
        f"The batch: {r['items']:,} collections of {r['clients_paid']:,} clients, {r['sepa']:,} SEPA transfers "
        f"({r['sepa_bytes'] / 2**20:.1f} MB pain.001.001.09), {r['manual']} by hand.", "",
        f"Command: `.venv/bin/python benchmarks/payout_batch.py --clients {args.clients} "
        f"--collections {args.collections}`", "",
        "Each step is timed as one transaction, committed, as `caseapp payouts run / approve / export` run them:", "",
        "- **draft**: `payouts.services.draft` by accountant 1: the open collections, each case's contract and "
        "where it was settled, the split (largest remainder), VAT, minimum payouts, each client's account; the "
        "batch, its lines and items (UNIQUE per collection), the split posted to the ledger (one transaction), "
        "audited;",
        "- **approve**: by accountant 2 (four eyes), audited;",
        "- **export**: the SEPA file (written by sepaxml, validated against the pain.001.001.09 schema, stored in "
        "the file store), each client's statement frozen as a record (its number and date; its lines and items are "
        "the batch's), the batch exported, audited. **No PDF is rendered in this step.**",
        "- **statements (PDF)**: each client's statement rendered from its record (WeasyPrint) and stored, 50 per "
        "transaction, written to the export folder: what `caseapp payouts export` does right after the export, with "
        "a progress bar, on a process per core. Outside the 5 s target. The batch page offers every statement at "
        "once and renders one the first time it is downloaded (the same document: it is dated the day of the "
        "export).", "",
        "| step | seconds |", "|---|---|",
        f"| draft | {steps['draft']:.2f} |",
        f"| approve | {steps['approve']:.2f} |",
        f"| export (bank file, statement records; no PDF) | {steps['export']:.2f} |",
        f"| **draft + approve + export** | **{r['timed']:.2f}** (target ≤ {TARGET:.0f} s: "
        f"{'met' if r['timed'] <= TARGET else 'NOT met'}) |",
        pdf_row, "",
        "Before (the same set-up, 2026-12-02): the draft took 26.0 s (a query per collection for its case's "
        "settlement, per client for its contract and account; an ORM object per item and per ledger entry) and the "
        "export rendered every PDF inside its transaction (about 0.19 s a statement with its template compiled each time: three minutes for 1,000). A "
        "statement's PDF takes about 0.15 s to lay out even with the template compiled once and its style sheet "
        "and fonts loaded once per process: 1,000 of them cannot fit in 5 s on 2 cores, hence the records.", ""])
    print(section)
    if args.no_write:
        return
    write_section(MARKER, section)


if __name__ == "__main__":
    raise SystemExit(main())
