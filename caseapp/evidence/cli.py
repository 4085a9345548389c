"""`caseapp evidence`: capture a page into a log folder, verify a log folder."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import ROW_ID, Refused, Text, refusals

_URL = Text(2000)
_SHA = Text(64, r"[0-9a-f]{64}", "a SHA-256 (64 hex digits)")


@click.group("evidence")
def evidence_group() -> None:
    """Captures of pages as evidence: WARC, screenshot, hashes, the chain."""


def _parent_exists(out: Path, nothing: str) -> None:
    """--out may name a new folder, not a new tree: a mistyped path is refused, not created."""
    if not out.exists() and not out.parent.is_dir():
        raise Refused(f"--out {out}: there is no folder {out.parent}; create it first or choose another. {nothing}")


@evidence_group.command("capture")
@click.argument("url", type=_URL)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The log folder: one subfolder per capture, each chained to the last one there.")
@click.option("--image", "image_url", type=_URL, default=None,
              help="The image in question (its URL): kept as served and looked for on the page.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@with_appcontext
def evidence_capture(url: str, out: Path, image_url: str | None, as_json: bool) -> None:
    """Capture a page in Chromium (every request through the safe fetcher, recorded in a WARC):
    screenshot, rendered HTML, the image as served, status, headers, final URL, time."""
    from caseapp.core.errors import InvalidInput
    from caseapp.evidence.capture import capture
    from caseapp.evidence.manifest import write_capture

    from caseapp.core.http import check_url

    with refusals():
        for given in filter(None, (url, image_url)):   # before Chromium starts: a typing error is quick
            check_url(given)
    _parent_exists(out, "Nothing was captured.")
    try:   # the log folder must be writable before anything is fetched
        out.mkdir(exist_ok=True)
    except OSError as error:
        raise Refused(f"--out {out}: cannot make this folder ({error.strerror or error}). Nothing was captured.") \
            from None
    config = current_app.config
    try:
        with refusals():
            captured = capture(url, image_url=image_url, private_ok=config["CASEAPP_FETCH_PRIVATE"],
                               seconds=config["CASEAPP_CAPTURE_SECONDS"], max_bytes=config["CASEAPP_CAPTURE_MAX_BYTES"],
                               chromium=config["CASEAPP_CHROMIUM"])
    except Refused as refused:
        raise Refused(f"{refused.message}. Nothing was captured.") from None
    try:
        folder, manifest = write_capture(out, captured)
    except OSError as error:
        raise Refused(f"could not write the capture into {out}: {error.strerror or error}. "
                      "Nothing was kept.") from None
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False, indent=1))
    else:
        click.echo(f"Captured {manifest['final_url']} (status {manifest['status']}) into {folder}: "
                   f"{len(manifest['files'])} files.")


@evidence_group.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--head", type=_SHA, default=None,
              help="The SHA-256 of the last capture's manifest as recorded elsewhere (the database, a "
                   "report): a removed last capture shows only against it.")
def evidence_verify(folder: Path, head: str | None) -> None:
    """Re-hash every capture in a log folder (or one capture folder) and check the chain: one
    line per problem, exit status 2 if there is any."""
    from caseapp.evidence.manifest import captures_in, verify_folder

    problems = verify_folder(folder, head=head)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise Refused(f"folder {folder}: {len(problems)} problem(s) found; what is there does not verify.")
    count = len(captures_in(folder)) or 1
    click.echo(f"{folder}: {count} capture(s) verified, chain intact.")


@evidence_group.command("export")
@click.argument("capture_id", type=ROW_ID)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the capture into (a subfolder named by its time).")
@with_appcontext
def evidence_export(capture_id: int, out: Path) -> None:
    """Write a stored capture (its files and manifest.json) into a folder, for an expert or a court:
    `caseapp evidence verify`, `sha256sum` and `warcio check` work on it without the app."""
    from caseapp.core import cli as shared
    from caseapp.core.filestore import FileStore
    from caseapp.evidence import services
    from caseapp.evidence.manifest import MANIFEST, folder_name

    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    with refusals():
        row = services.get_capture(shared.session(), capture_id)
        manifest = services.manifest_of(store, row)
        files = {entry["name"]: services.file_of(store, row, entry["name"]) for entry in manifest["files"]}
    _parent_exists(out, "Nothing was written.")
    target = out / folder_name(manifest)
    if target.exists():
        raise Refused(f"--out {target} exists already; choose another folder. Nothing was written.")
    try:
        target.mkdir(parents=True)   # out exists or is one new level (_parent_exists)
        for name, data in files.items():
            (target / name).write_bytes(data)
        (target / MANIFEST).write_bytes(store.read(row.manifest_sha256))
    except OSError as error:
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        raise Refused(f"--out {out}: could not write there ({error.strerror or error}). Nothing was written.") from None
    click.echo(f"Capture {row.id} written to {target}: {len(files) + 1} files; its manifest's SHA-256 is "
               f"{row.manifest_sha256}, the one before {row.previous_manifest_sha256 or 'none (the first)'}.")


@evidence_group.command("verify-store")
@with_appcontext
def evidence_verify_store() -> None:
    """Re-hash every stored capture and check the firm's whole chain in the database: one line per
    problem, exit status 2 if there is any."""
    from caseapp.core import cli as shared
    from caseapp.core.filestore import FileStore
    from caseapp.evidence import services

    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    session = shared.session()
    problems = services.verify_chain(session, store)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise Refused(f"{len(problems)} problem(s) found in the stored evidence chain.")
    head = services.chain_head(session)
    click.echo(f"{head.seq if head else 0} capture(s) verified, chain intact; head {head.manifest_sha256 if head else '—'}.")


@evidence_group.command("check-due")
@click.option("--dry-run", is_flag=True, help="Only list the case items due a check; fetch nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item checked, then a summary.")
@with_appcontext
def evidence_check_due(dry_run: bool, as_json: bool) -> None:
    """Take-down checks: capture again every case item of an open case whose last capture is older
    than CASEAPP_TAKEDOWN_CHECK_DAYS, and say whether its image is still online (daily: `caseapp
    beat` queues it, or cron). An unreachable site is not a removed image. With a broker
    (CASEAPP_BROKER_URL) the checks are queued for the workers instead of run here."""
    from caseapp.core import cli as shared
    from caseapp.core.models import utcnow
    from caseapp.evidence import services, tasks

    days = current_app.config["CASEAPP_TAKEDOWN_CHECK_DAYS"]
    with refusals():
        due = services.due_checks(shared.session(), utcnow(), days)
    if dry_run:
        if as_json:
            click.echo(json.dumps({"due": due, "days": days}))
        else:
            click.echo(f"{len(due)} case items are due a take-down check (last capture {days} days ago or more, "
                       f"or none): {', '.join(map(str, due)) or 'none'}.")
        return
    from caseapp.core.jobs import broker_configured, enqueue

    if broker_configured(current_app):     # the workers check them, one task per item
        for item_id in due:
            enqueue(current_app, "evidence.takedown_check", item_id)
        click.echo(json.dumps({"queued": due}) if as_json else
                   f"{len(due)} take-down checks queued for the workers (caseapp worker).")
        return
    counts: dict[str, int] = {}
    for item_id in due:
        try:
            result = tasks.takedown_check(item_id)
        except Exception as error:  # noqa: BLE001  (one item's trouble never stops the others)
            row = {"item": item_id, "outcome": "error", "error": str(error).splitlines()[0] if str(error) else
                   type(error).__name__}
        else:
            row = {"item": item_id, "case": result.case_id, "outcome": result.outcome, "capture": result.capture_id,
                   "error": result.error}
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
        shared.report(row, as_json=as_json, label=f"case item {item_id}")
    summary = {"checked": len(due), **counts}
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Checked {len(due)} case items: {counts.get('gone', 0)} images gone, {counts.get('back', 0)} back "
               f"online, {counts.get('online', 0) + counts.get('still_gone', 0)} unchanged, "
               f"{counts.get('unreachable', 0)} sites unreachable, {counts.get('error', 0)} errors.")


COMMANDS = (evidence_group,)
