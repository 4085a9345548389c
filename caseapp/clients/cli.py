"""`caseapp works`: a client's images, imported from a folder and indexed for matching."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.clients import BANK_ACCOUNT, WORK
from caseapp.clients.works_index import save_index, store_and_engine
from caseapp.clients.models import LEGAL_FORMS, TAX_STATUSES
from caseapp.clients.services import CLIENT_KINDS
from caseapp.core.cli import (COUNTRY, acting_user, LOGIN, ROW_ID, Refused, Text, amount_option, currency_option, date_option,
                              refusals, session as shared_session, transaction)
from caseapp.core.money import Money

@click.group("works")
def works_group() -> None:
    """Clients' works."""


@works_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path))
@click.option("--client", "client_id", required=True, type=ROW_ID, help="The client (rights holder) id.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per file (file, work, status: imported / duplicate / error, and error or "
                   "duplicate_of), then a summary object.")
@click.option("--keep-near-duplicates", is_flag=True,
              help="These are different pictures (burst shots, similar frames): import near duplicates too; "
                   "the very same file is still refused.")
@with_appcontext
def works_import(folder, client_id: int, as_json: bool, keep_near_duplicates: bool) -> None:
    """Add every image file in FOLDER as a work of the client, and index it for matching.
    A file the client already has (the same image, also resized or recompressed) is reported
    as a duplicate of that work and not added; a file that cannot be read is an error; the
    others are imported."""
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.clients.works_index import import_entries, import_works, summarise

    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        files = len(import_entries(folder))
        rows = []
        with tqdm(total=files, desc="works", unit="file", file=sys.stderr, disable=None) as bar:
            for row in import_works(session, store, engine, Actor.system("works import"), client_id=client_id,
                                    folder=folder, keep_near_duplicates=keep_near_duplicates):
                rows.append(row)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                elif row["status"] != "imported":
                    bar.write(_row_line(row), file=sys.stderr)
                bar.update(1)
    # after the works are committed: the index never names a work the database lacks
    save_index(engine, lambda: _synced(store, engine))
    summary = summarise(rows)
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Imported {summary['imported']} works; {summary['duplicates']} duplicates, "
               f"{summary['errors']} errors.")


def _synced(store, engine) -> None:
    from caseapp.clients.works_index import sync_index

    with transaction() as session:
        sync_index(session, store, engine)


def _row_line(row: dict) -> str:
    if row["status"] == "duplicate":
        return f"{row['file']}: duplicate of work {row['duplicate_of']} ('{row['duplicate_title']}'), not added"
    return f"{row['file']}: error: {row['error']}"


@works_group.command("delete")
@click.argument("work_ids", nargs=-1, required=True, type=ROW_ID, metavar="ID...")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@with_appcontext
def works_delete(work_ids, yes: bool, as_json: bool) -> None:
    """Delete works (and their files, unless something else names them), and take them out of
    the matching index. A work a case names, or one with hits, is kept and said so; the
    others are deleted."""
    from caseapp.core.audit import Actor
    from caseapp.clients import services
    from caseapp.clients.works_index import unindex_works

    if not yes:
        click.confirm(f"Delete {len(set(work_ids))} work(s) for good?", abort=True, err=True)
    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        result = services.delete_works(session, Actor.system("works delete"), work_ids)
    unindexed = unindex_works(engine, result.deleted)   # after commit: a search never names a deleted work
    with transaction() as session:               # files no row names any longer (reads only)
        services.discard_work_files(session, store, result.files)
    if unindexed:
        _compact_if_due(engine)
    click.echo(json.dumps({"deleted": result.deleted, "kept": {str(k): v for k, v in result.kept.items()}})
               if as_json else result.message())


@works_group.command("reindex")
@click.option("--compact", "force", is_flag=True,
              help="Compact the index even when deleted works hold less than CASEAPP_MATCHING_COMPACT_AT percent.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@with_appcontext
def works_reindex(force: bool, as_json: bool) -> None:
    """Bring the matching index in step with the works: index the works it lacks (their stored
    signatures, else their images), drop the works deleted since, describe again the works
    indexed before the engine's perceptual hashes (so near-exact copies of them are found
    by hash too), save it; then compact it (rewrite its files without deleted works'
    records) when deleted works hold CASEAPP_MATCHING_COMPACT_AT percent of them, or with
    --compact. Searches may go on meanwhile. An index made new here keeps
    CASEAPP_MATCHING_CODE_BYTES of each descriptor; a saved one keeps its own (said when
    they differ)."""
    from tqdm import tqdm

    from caseapp.clients.works_index import (UNHASHED_CHUNK, UNHASHED_SAVE, compaction_due, describe_unhashed,
                                             ensure_saved, save_hashed, sync_index, unhashed_works)

    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        synced = sync_index(session, store, engine)
    hashed, unhashed, pending = 0, unhashed_works(engine), []
    if unhashed:   # each chunk its own transaction, the index saved after commits: a stopped run keeps its work
        with tqdm(total=len(unhashed), desc="hashing works", unit="work", file=sys.stderr, disable=None) as bar:
            for start in range(0, len(unhashed), UNHASHED_CHUNK):
                chunk = unhashed[start:start + UNHASHED_CHUNK]
                with transaction() as session:
                    pending += describe_unhashed(session, store, engine, chunk)
                if pending and (len(pending) >= UNHASHED_SAVE or start + len(chunk) >= len(unhashed)):
                    save_hashed(engine, pending)
                    hashed, pending = hashed + len(pending), []
                bar.update(len(chunk))
    ensure_saved(engine)
    result = {**synced, "hashed": hashed, "compacted": False, "freed_bytes": 0, "code_bytes": engine.code_bytes}
    if force or compaction_due(engine, current_app.config):
        with tqdm(desc="compacting", unit="record", unit_scale=True, file=sys.stderr, disable=None) as bar:
            try:
                done = engine.compact(_stepper(bar))
            except (ValueError, OSError) as error:
                raise Refused(f"The index was not compacted: {error}.") from None
        result.update(compacted=done["compacted"], freed_bytes=done["freed_bytes"])
    share = engine.removed_share()
    result.update(removed_share=share["share"], references=share["references"])
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"The index holds {share['references']} works ({synced['added']} added, {synced['removed']} "
               f"deleted works taken out" + (f", {hashed} described again for their perceptual hash)." if hashed else ")."))
    wanted = current_app.config.get("CASEAPP_MATCHING_CODE_BYTES", 32)
    if engine.code_bytes != wanted:
        click.echo(f"The index keeps {engine.code_bytes} bytes of each point's descriptor, "
                   f"CASEAPP_MATCHING_CODE_BYTES says {wanted}: a saved index keeps its own. To change it, stop "
                   "the app and its workers, move the index folder away and run `caseapp works reindex` again "
                   "(it builds the index anew from the stored signatures).")
    if result["compacted"]:
        click.echo(f"Compacted: {result['freed_bytes'] / 1e6:.1f} MB freed.")
    elif force:
        click.echo("Nothing to compact: no deleted work's records are left in the index.")
    else:
        click.echo(f"Not compacted: deleted works hold {100 * share['share']:.0f}% of its records "
                   f"(compacted at {current_app.config['CASEAPP_MATCHING_COMPACT_AT']}%; --compact does it now).")


@works_group.command("warm")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@with_appcontext
def works_warm(as_json: bool) -> None:
    """Read the matching index's files into the operating system's page cache, so that the
    first matches after a boot read memory instead of the disk (docs/operations.md, "After a
    boot"). At most 90% of the memory available is filled; what does not fit is read from disk
    by the searches that need it. Searches may go on meanwhile."""
    from tqdm import tqdm

    from caseapp.clients.works_index import index_location, warm_index

    path, _ = index_location(current_app.config)
    with tqdm(desc="reading the matching index", unit="B", unit_scale=True, file=sys.stderr, disable=None) as bar:
        try:
            done = warm_index(current_app.config, _stepper(bar))
        except ValueError as error:    # the folder holds another number of shards than configured
            raise Refused(f"The matching index was not read: {error}.") from None
    if as_json:
        click.echo(json.dumps(done))
        return
    if not done["bytes"]:
        click.echo(f"No matching index is saved in {path} yet: nothing to read. `caseapp works reindex` makes one.")
        return
    rate = f" ({done['warmed'] / 1e6 / done['seconds']:.0f} MB/s)" if done["seconds"] else ""
    click.echo(f"Read {done['warmed'] / 1e9:.2f} GB of the matching index's {done['bytes'] / 1e9:.2f} GB into "
               f"memory in {done['seconds']:.1f} s{rate}.")
    if not done["fits"]:
        click.echo(f"The rest does not fit in the memory available ({done['memory_available'] / 1e9:.1f} GB): "
                   "searches read it from disk when they need it. A machine with more memory than the index's "
                   "files holds all of it.")
    elif done["changed"]:
        click.echo("The index was saved or compacted again while it was read, and its newest files were not read "
                   "whole: run `caseapp works warm` again (at a quieter time).")
    elif done["short"]:
        click.echo(f"These files end before the bytes the index names: {', '.join(done['short'])}. If "
                   "`caseapp works warm` says so again, the index is damaged: rebuild it (docs/operations.md, "
                   "\"The index on disk\").")


def _stepper(bar):
    """A `progress(done, total)` for `bar`, as the matching engine calls it: `done` counts from
    0 to `total` again for each part (a shard, a new listing of the index's files)."""
    def step(done: int, total: int) -> None:
        if done < bar.n or bar.total != total:   # the next part
            bar.reset(total)
        bar.update(done - bar.n)
    return step


def _compact_if_due(engine) -> None:
    """After a deletion: compact the index here and now when it is due (a command line does not
    leave a thread behind), saying so on stderr."""
    from caseapp.clients.works_index import compaction_due

    if compaction_due(engine, current_app.config):
        try:
            done = engine.compact()
        except (ValueError, OSError) as error:   # changed meanwhile, or the disk: the next run does it
            click.echo(f"The matching index was not compacted: {error}. `caseapp works reindex --compact` "
                       "tries again.", err=True)
            return
        click.echo(f"Compacted the matching index: {done['freed_bytes'] / 1e6:.1f} MB freed.", err=True)


@works_group.command("edit")
@click.argument("work_ids", nargs=-1, required=True, type=ROW_ID, metavar="ID...")
@click.option("--title", type=Text(300), help="The new title of every work given.")
@click.option("--title-prefix", type=Text(300), help="Text put before each work's title.")
@click.option("--title-suffix", type=Text(300), help="Text put after each work's title.")
@with_appcontext
def works_edit(work_ids, title, title_prefix, title_suffix) -> None:
    """Retitle works in bulk: one title for all (--title), or text before (--title-prefix) or
    after (--title-suffix) each one's title. Each change is audited."""
    from caseapp.core.audit import Actor
    from caseapp.clients import services

    given = [(mode, text) for mode, text in (("set", title), ("prefix", title_prefix), ("suffix", title_suffix))
             if text is not None]
    if len(given) != 1:
        raise Refused("Give exactly one of --title, --title-prefix or --title-suffix.")
    (mode, text), = given
    with transaction() as session:
        changed = services.retitle_works(session, Actor.system("works edit"), work_ids, title=text, mode=mode)
    click.echo(f"Retitled {len(changed)} of {len(set(work_ids))} works.")


# --- `caseapp clients`: the client record, its contract, mandate and bank account ---------------

@click.group("clients")
def clients_group() -> None:
    """Clients (rights holders): their record, contract, mandate and bank account."""


class Percent(click.ParamType):
    """A share typed as a percentage: 0 to 100 in whole or half percent ('55', '52.5')."""

    name = "percent"

    def convert(self, value, param, ctx):
        from caseapp.clients.contracts import percent_bp
        from caseapp.core.errors import InvalidInput

        if isinstance(value, int):
            return value
        try:
            return percent_bp(value, "percentage")
        except InvalidInput as error:
            self.fail(str(error).removeprefix("percentage: "), param, ctx)


def _euros(_ctx, param, value):
    from caseapp.core.cli import option_name
    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import Money

    if value is None:
        return None
    try:
        return Money.parse_plain(value, "EUR")
    except InvalidInput as error:
        raise Refused(f"{option_name(param)} {error}") from None


def _person(login: str | None, default: str | None = None, *, may: tuple[str, str] | None = None):
    """The user a command acts as (`--as LOGIN`): a person, for rules that need two of them
    (who asked, who confirmed) and for the record of who decided (core.cli.acting_user)."""
    return acting_user(login, option="--as", may=may, default=default)


def client_data(session, client_id: int) -> dict:
    """A client as `clients show` prints it: the record, tax treatment, contract in words,
    accounts (IBAN masked) and what is missing before its cases can go out."""
    from caseapp.clients import banking, contracts, services
    from caseapp.clients.tax import vat_treatment

    client = services.get_client(session, client_id)
    contract = contracts.current_contract(session, client.id)
    return {
        "id": client.id, "name": client.name, "kind": client.kind, "legal_form": client.legal_form,
        "contact_name": client.contact_name, "email": client.email, "phone": client.phone,
        "address": {"street": client.street, "postcode": client.postcode, "city": client.city,
                    "country": client.country},
        "language": client.language, "tax_status": client.tax_status, "vat_id": client.vat_id,
        "licensing_evidence": client.licensing_evidence,
        "vat_treatment": vat_treatment(client).as_data(), "version": client.version,
        "contract": {"id": contract.id, "starts_at": contract.starts_at.isoformat(),
                     "words": contracts.contract_in_words(contract),
                     "share_out_of_court": contracts.percent_text(contract.share_out_of_court_bp),
                     "share_in_court": contracts.percent_text(contract.share_in_court_bp),
                     "minimum_payout": str(Money(contract.minimum_payout_minor, contract.currency)),
                     "settlement_floor": contracts.percent_text(contract.settlement_floor_bp)},
        "mandate": ({"filename": client.mandate_filename, "sha256": client.mandate_sha256,
                     "signed_on": client.mandate_signed_on.isoformat()} if client.mandate_sha256 else None),
        "bank_accounts": [{"id": a.id, "status": a.status, "holder": a.holder, "iban": banking.iban_masked(a.iban),
                           "bic": a.bic, "requested_by": a.requested_by, "decided_by": a.decided_by,
                           "version": a.version} for a in banking.accounts_of(session, client.id)],
        "missing": [{"code": m.code, "words": m.words} for m in services.missing_before_cases(session, client.id)],
    }


@clients_group.command("add")
@click.option("--name", required=True, type=Text(200), help="The client's name.")
@click.option("--country", required=True, type=COUNTRY, help="Where the client is (ISO code, e.g. DE).")
@click.option("--kind", type=click.Choice(CLIENT_KINDS), default="photographer", show_default=True)
@click.option("--legal-form", type=click.Choice(LEGAL_FORMS), default="person", show_default=True)
@click.option("--tax-status", type=click.Choice(TAX_STATUSES), default="private", show_default=True,
              help="private person, small business (exempt from VAT), or standard (charges VAT).")
@click.option("--vat-id", type=Text(40), help="An EU VAT ID with its country prefix (Greece: EL).")
@click.option("--licensing-evidence", type=click.Choice(("none", "professional")), default="none", show_default=True,
              help="What the client documented of their own licensing: none (claims use the rate courts give "
                   "without proof) or professional (proof of professional work: the fee table).")
@click.option("--language", type=Text(2, r"[A-Za-z]{2}", "a language code: two letters, e.g. de"), default="en")
@click.option("--email", type=Text(254))
@click.option("--contact", "contact_name", type=Text(200), help="Whom to talk to (for a company).")
@click.option("--phone", type=Text(50))
@click.option("--street", type=Text(200))
@click.option("--postcode", type=Text(20))
@click.option("--city", type=Text(100))
@with_appcontext
def clients_add(**values) -> None:
    """Add a client."""
    from caseapp.clients.services import add_client
    from caseapp.core.audit import Actor

    with transaction() as session:
        client = add_client(session, Actor.system("clients add"), **values)
        client_id, name = client.id, client.name
    click.echo(f"Client {client_id} ({name}) added. Next: `caseapp clients mandate {client_id} FILE --signed-on "
               "DATE`, then the bank account.")


@clients_group.command("show")
@click.argument("client_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
def clients_show(client_id: int, as_json: bool) -> None:
    """A client: record, tax treatment, contract in words, bank accounts (masked), what is missing."""
    with refusals():
        data = client_data(shared_session(), client_id)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    address = ", ".join(x for x in (data["address"]["street"], " ".join(
        x for x in (data["address"]["postcode"], data["address"]["city"]) if x), data["address"]["country"]) if x)
    lines = [f"{data['name']} (client {data['id']}): {data['kind']}, {data['legal_form']}, {address}",
             f"Language: {data['language']} · contact: {data['contact_name'] or '—'} · {data['email'] or '—'}",
             f"Tax: {data['vat_treatment']['words']} ({data['vat_treatment']['basis']})",
             f"Contract: {data['contract']['words']}",
             "Mandate: " + (f"{data['mandate']['filename']}, signed {data['mandate']['signed_on']}"
                            if data["mandate"] else "none on file")]
    lines += [f"Bank account {a['id']}: {a['iban']} {a['holder']} — {a['status']}" for a in data["bank_accounts"]]
    lines += ["Before cases can go out: " + ("nothing missing." if not data["missing"] else "")]
    lines += [f"  - {m['words']}" for m in data["missing"]]
    click.echo("\n".join(lines))


@clients_group.command("contract")
@click.argument("client_id", type=ROW_ID)
@click.option("--out-of-court", "out_of_court", required=True, type=Percent(),
              help="The client's share of what is collected out of court, in percent (e.g. 55).")
@click.option("--in-court", "in_court", required=True, type=Percent(),
              help="The client's share of what is collected in court, in percent (e.g. 50).")
@click.option("--minimum-payout", callback=_euros, metavar="AMOUNT",
              help="No payout below this (EUR, e.g. 50.00); kept from the current contract if not given.")
@click.option("--floor", type=Percent(), help="The lowest settlement, in percent of the claim, the firm may "
                                               "accept without asking (kept if not given).")
@click.option("--note", type=Text(2000), help="Why the terms change.")
@with_appcontext
def clients_contract(client_id: int, out_of_court: int, in_court: int, minimum_payout, floor, note) -> None:
    """New terms for the client's cases opened from now on; earlier cases keep theirs."""
    from caseapp.clients.contracts import change_contract, contract_in_words
    from caseapp.core.audit import Actor

    with transaction() as session:
        contract = change_contract(session, Actor.system("clients contract"), client_id,
                                   share_out_of_court_bp=out_of_court, share_in_court_bp=in_court,
                                   minimum_payout=minimum_payout, settlement_floor_bp=floor, note=note)
        words = contract_in_words(contract)
    click.echo(f"Contract changed for cases opened from now on: {words}")


@clients_group.command("mandate")
@click.argument("client_id", type=ROW_ID)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@date_option("--signed-on", required=True, help="The day the client signed the mandate.")
@with_appcontext
def clients_mandate(client_id: int, file: Path, signed_on) -> None:
    """Keep the client's signed mandate (PDF, JPEG or PNG) with the day it was signed."""
    from caseapp.clients.services import MANDATE_MAX_BYTES, record_mandate
    from caseapp.core.audit import Actor
    from caseapp.core.filestore import FileStore

    if file.stat().st_size > MANDATE_MAX_BYTES:
        raise Refused(f"FILE {file.name} is larger than {MANDATE_MAX_BYTES // (1024 * 1024)} MB.")
    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    with transaction() as session:
        record_mandate(session, store, Actor.system("clients mandate"), client_id, file.name, file.read_bytes(),
                       signed_on)
    click.echo(f"Mandate {file.name} (signed {signed_on.isoformat()}) kept for client {client_id}.")


@clients_group.group("bank")
def bank_group() -> None:
    """A client's payout bank account: asked for by one person, confirmed by another."""


@bank_group.command("request")
@click.argument("client_id", type=ROW_ID)
@click.option("--iban", required=True, type=Text(50), help="The IBAN (spaces allowed).")
@click.option("--bic", type=Text(20), help="The BIC; derived from the IBAN when not given and known.")
@click.option("--holder", required=True, type=Text(200), help="The account holder's name (at most 70 characters).")
@click.option("--as", "login", required=True, type=LOGIN, help="Who asks for it (a second person confirms).")
@with_appcontext
def bank_request(client_id: int, iban: str, bic: str | None, holder: str, login: str) -> None:
    """Ask for a new payout account for the client (pending until a second person confirms)."""
    from caseapp.clients.banking import iban_grouped, request_account

    actor = _person(login, may=("request", BANK_ACCOUNT))
    with transaction() as session:
        account = request_account(session, actor, client_id, holder, iban, bic)
        account_id, shown_iban, bic = account.id, iban_grouped(account.iban), account.bic
    click.echo(f"Account {account_id} ({shown_iban}, BIC {bic or 'unknown'}) waits for a second person: "
               f"`caseapp clients bank confirm {account_id} --as LOGIN` (not {login}).")


@bank_group.command("confirm")
@click.argument("account_id", type=ROW_ID)
@click.option("--as", "login", required=True, type=LOGIN, help="The second person (not the one who asked).")
@with_appcontext
def bank_confirm(account_id: int, login: str) -> None:
    """Confirm a pending account: it becomes the active one, the previous one is replaced."""
    from caseapp.clients.banking import confirm_account, iban_masked

    actor = _person(login, may=("confirm", BANK_ACCOUNT))
    with transaction() as session:
        account = confirm_account(session, actor, account_id, None)
        masked = iban_masked(account.iban)
    click.echo(f"Account {account_id} ({masked}) is now the active payout account.")


@bank_group.command("reject")
@click.argument("account_id", type=ROW_ID)
@click.option("--as", "login", required=True, type=LOGIN, help="The second person (not the one who asked).")
@click.option("--reason", required=True, type=Text(500), help="Why (the requester reads it).")
@with_appcontext
def bank_reject(account_id: int, login: str, reason: str) -> None:
    """Reject a pending account; the active one stays."""
    from caseapp.clients.banking import reject_account

    actor = _person(login, may=("confirm", BANK_ACCOUNT))
    with transaction() as session:
        reject_account(session, actor, account_id, None, reason)
    click.echo(f"Account {account_id} rejected.")





def _ownership_config() -> dict:
    from caseapp.core.filestore import FileStore

    config = current_app.config
    return {"store": FileStore(config["CASEAPP_FILESTORE_PATH"]), "agency_sites": config["CASEAPP_STOCK_AGENCY_SITES"]}


def _show(work_id: int, as_json: bool) -> None:
    from caseapp.clients import ownership

    with transaction() as session:
        record = ownership.work_record(session, ownership.get_work(session, work_id), **_ownership_config())
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    status = record["status"]
    click.echo(f"Work {record['id']} {record['title']!r} of {record['client']['name']} "
               f"({record['width']}x{record['height']})")
    click.echo(f"Status: {status['label']}" + (f" by {status['by']} at {status['at']}" if status["by"] else "")
               + (f"\n  {status['reason']}" if status["reason"] else ""))
    click.echo("Evidence:")
    for key, value in record["evidence"].items():
        if value not in (None, []):
            click.echo(f"  {key.replace('_', ' ')}: {', '.join(value) if isinstance(value, list) else value}")
    for sale in record["sales"]:
        click.echo(f"Sale {sale['sold_on']} to {sale['licensee']} ({sale['usage']}): {sale['price']} {sale['currency']}")
    for c in record["conflicts"]:
        click.echo(f"Conflict {c['id']} with work {c['other_work']} of {c['other_client']} (score {c['score']}): "
                   + (f"resolved, {c['resolution']}" if c["resolved_at"] else "open"))
    click.echo("Checks:")
    for check in record["checks"]:
        click.echo(f"  [{check['outcome']}] {check['title']}: {check['reason']}")


@works_group.command("show")
@click.argument("work_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="The work as one JSON object.")
@with_appcontext
def works_show(work_id: int, as_json: bool) -> None:
    """A work: its status (by whom, when, why), evidence, licence sales, conflicts and every check."""
    _show(work_id, as_json)


@works_group.command("evidence")
@click.argument("work_id", type=ROW_ID)
@click.option("--published-url", type=Text(2000), help="Where the work was published first (https://...).")
@date_option("--published-on", help="When it was published first.")
@click.option("--country", type=COUNTRY, help="Country of first publication (ISO code; US makes it a US work).")
@click.option("--us-registration", type=Text(30), help="US Copyright Office number, e.g. 'VA 2-123-456'.")
@date_option("--us-registered-on", help="The registration's effective date.")
@date_option("--us-applied-on", help="A pending US application's date.")
@click.option("--agency", "agencies", multiple=True, type=Text(200), help="An agency that sells it (repeat).")
@click.option("--original", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
              help="The original or RAW file, kept as evidence.")
@click.option("--as", "login", type=LOGIN, help="Who records it (a user's login).")
@with_appcontext
def works_evidence(work_id, published_url, published_on, country, us_registration, us_registered_on,
                   us_applied_on, agencies, original, login) -> None:
    """Record a work's ownership evidence (only the options given change)."""
    from caseapp.clients import ownership
    from caseapp.core.clock import today
    from caseapp.core.paths import read_bytes

    values = {"first_published_url": published_url, "first_published_on": published_on,
              "publication_country": country, "us_registration_number": us_registration,
              "us_registered_on": us_registered_on, "us_applied_on": us_applied_on,
              "agencies": "\n".join(agencies) if agencies else None}
    if all(v is None for v in values.values()) and original is None:
        raise Refused("Give some evidence: --published-url, --country, --us-registration, --agency, --original ...")
    actor = _person(login, "works evidence", may=("write", WORK))
    with transaction() as session:
        work = ownership.get_work(session, work_id)
        changes = ownership.record_evidence(session, actor, work, today=today(), seen_version=None, **values)
        if original is not None:
            ownership.add_original(session, _ownership_config()["store"], actor, work,
                                   data=read_bytes(original), filename=original.name, seen_version=None,
                                   max_bytes=current_app.config["CASEAPP_ORIGINAL_MAX_BYTES"])
            changes["original"] = original.name
    click.echo(f"Work {work_id}: " + (", ".join(changes) + " recorded." if changes else "nothing changed."))


@works_group.command("sale")
@click.argument("work_id", type=ROW_ID)
@date_option("--on", "sold_on", required=True, help="The day the licence was sold.")
@click.option("--licensee", required=True, type=Text(200), help="Who bought the licence.")
@click.option("--usage", required=True, type=Text(300), help="What for (e.g. 'web, commercial, 1 year').")
@currency_option("--currency", required=True, help="The price's currency (ISO 4217).")
@amount_option("--price", required=True, help="The price paid, e.g. 120.00.")
@click.option("--as", "login", type=LOGIN, help="Who records it (a user's login).")
@with_appcontext
def works_sale(work_id, sold_on, licensee, usage, currency, price, login) -> None:
    """Record a licence the client sold for the work (evidence, and the claim's documented fee)."""
    from caseapp.clients import ownership
    from caseapp.core.clock import today

    actor = _person(login, "works sale", may=("write", WORK))
    with transaction() as session:
        sale = ownership.add_sale(session, actor, ownership.get_work(session, work_id), sold_on=sold_on,
                                  licensee=licensee, usage=usage, price=price, today=today())
    click.echo(f"Sale {sale.id} recorded for work {work_id}: {price} to {licensee}.")


@works_group.command("verify")
@click.argument("work_id", type=ROW_ID)
@click.option("--evidence", required=True, type=Text(2000), help="What proves the client owns it.")
@click.option("--despite", type=Text(2000), help="Why a problem a check finds does not stand.")
@click.option("--as", "login", required=True, type=LOGIN, help="Who verifies (a user's login).")
@with_appcontext
def works_verify(work_id, evidence, despite, login) -> None:
    """Mark a work verified, on the evidence named."""
    from caseapp.clients import ownership

    actor = _person(login, "works verify", may=("verify", WORK))
    with transaction() as session:
        ownership.verify(session, actor, ownership.get_work(session, work_id), evidence=evidence, despite=despite,
                         seen_version=None, **_ownership_config())
    click.echo(f"Work {work_id} is verified by {actor.name}.")


@works_group.command("dispute")
@click.argument("work_id", type=ROW_ID)
@click.option("--reason", required=True, type=Text(2000), help="Why its ownership is in doubt.")
@click.option("--as", "login", type=LOGIN, help="Who disputes it (a user's login).")
@with_appcontext
def works_dispute(work_id, reason, login) -> None:
    """Mark a work disputed: its cases cannot leave the checks stage."""
    from caseapp.clients import ownership

    actor = _person(login, "works dispute", may=("verify", WORK))
    with transaction() as session:
        ownership.dispute(session, actor, ownership.get_work(session, work_id), reason=reason, seen_version=None)
    click.echo(f"Work {work_id} is disputed.")


@works_group.command("resolve")
@click.argument("conflict_id", type=ROW_ID)
@click.option("--owner", "owner_work_id", required=True, type=ROW_ID, help="The work whose client owns the image.")
@click.option("--reason", required=True, type=Text(2000), help="Why it is theirs.")
@click.option("--as", "login", type=LOGIN, help="Who decides (a user's login).")
@with_appcontext
def works_resolve(conflict_id, owner_work_id, reason, login) -> None:
    """Decide a conflict between two clients' works: the owner's is verified, the other stays disputed."""
    from caseapp.clients import ownership

    actor = _person(login, "works resolve", may=("verify", WORK))
    with transaction() as session:
        ownership.resolve_conflict(session, actor, conflict_id, owner_work_id=owner_work_id, reason=reason)
    click.echo(f"Conflict {conflict_id} resolved for work {owner_work_id}.")


COMMANDS = (works_group,)


COMMANDS = (works_group, clients_group)
