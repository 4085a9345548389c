"""The statements' PDFs: the export freezes each statement as a record; its PDF is rendered from
it after (the command, right after; the batch page, the first time it is downloaded): the same
document whenever and wherever it is rendered, dated the day of the export, stored once."""
from __future__ import annotations

import hashlib
import io
from datetime import datetime, timezone

import pytest

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.payouts import services, statements
from tests.payouts.test_batches import _setup
from tests.payouts.factories import DAY


def _exported(db_session, users, app):
    from caseapp.core.filestore import FileStore

    paid, no_account, _case = _setup(db_session)
    batch = services.draft(db_session, Actor.of(users["accountant"]), DAY)
    services.approve(db_session, Actor.of(users["accountant2"]), batch.id)
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    services.export(db_session, Actor.of(users["accountant"]), batch.id, store, settings=app.config)
    return batch, store, paid, no_account


@pytest.fixture()
def counted(monkeypatch):
    """How many statements were laid out (statements.pdf called)."""
    calls = []
    real = statements.pdf

    def pdf(text):
        calls.append(1)
        return real(text)

    monkeypatch.setattr(statements, "pdf", pdf)
    return calls


def test_a_statement_downloaded_is_rendered_once_and_is_the_same_document(db_session, users, app, client_as,
                                                                         counted):
    from caseapp.core.filestore import FileStore

    paid, _no_account, _case = _setup(db_session)
    batch = services.draft(db_session, Actor.of(users["accountant"]), DAY)
    db_session.commit()
    anton = client_as("accountant")
    assert anton.get(f"/payouts/{batch.id}/file/{paid.id}").status_code == 404      # not exported: no statement
    services.approve(db_session, Actor.of(users["accountant2"]), batch.id)
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    services.export(db_session, Actor.of(users["accountant"]), batch.id, store, settings=app.config)
    db_session.commit()
    line = services.batch_line(db_session, batch, paid.id)
    assert line.statement_number and line.statement_sha256 is None and counted == []
    page = anton.get(f"/payouts/{batch.id}").get_data(as_text=True)
    assert f"Statement {line.statement_number}" in page          # offered before it is rendered

    first = anton.get(f"/payouts/{batch.id}/file/{paid.id}")
    assert first.status_code == 200 and first.mimetype == "application/pdf" and len(counted) == 1
    db_session.expire_all()
    line = services.batch_line(db_session, batch, paid.id)
    assert line.statement_sha256 == hashlib.sha256(first.data).hexdigest()          # stored
    again = anton.get(f"/payouts/{batch.id}/file/{paid.id}")
    assert again.data == first.data and len(counted) == 1                           # read back, not rendered
    # The command's rendering takes the stored one and renders only the other client's.
    files = services.render_statements(db_session, store, batch.id, settings=app.config)
    assert len(files) == 2 and len(counted) == 2
    assert next(c for n, c in files.items() if f"-{paid.id}-" in n) == first.data
    # The record renders to the same bytes whenever it is rendered.
    assert statements.render(store, batch, line, app.config) == first.data
    assert anton.get(f"/payouts/{batch.id}/file/999999").status_code == 404
    assert anton.get(f"/payouts/{batch.id}/file/x1").status_code == 404


def test_a_statement_is_dated_the_day_of_the_export(db_session, users, app):
    from pypdf import PdfReader

    batch, store, paid, _no_account = _exported(db_session, users, app)
    batch.exported_at = datetime(2026, 10, 21, 22, 30, tzinfo=timezone.utc)     # 22 October in Berlin
    db_session.flush()
    line = services.batch_line(db_session, batch, paid.id)
    pdf = services.statement_pdf(db_session, store, batch, line, app.config)
    words = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "22 October 2026" in words and line.statement_number in words


def test_statements_only_of_an_exported_batch(db_session, users, app):
    from caseapp.core.filestore import FileStore

    paid, _no_account, _case = _setup(db_session)
    batch = services.draft(db_session, Actor.of(users["accountant"]), DAY)
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    with pytest.raises(InvalidInput, match="exported"):
        services.render_statements(db_session, store, batch.id, settings=app.config)
    with pytest.raises(InvalidInput, match="exported"):
        services.statement_pdf(db_session, store, batch, services.batch_line(db_session, batch, paid.id),
                               app.config)


def test_statements_laid_out_in_other_processes_are_the_same(db_session, users, app):
    batch, store, _paid, _no_account = _exported(db_session, users, app)
    here = {line.client_id: statements.render(store, batch, line, app.config) for line in batch.lines}
    with statements.pool(statements.POOL_FROM, workers=2) as pool:
        assert pool is not None
        files = services.render_statements(db_session, store, batch.id, settings=app.config, pool=pool)
    assert sorted(files.values()) == sorted(here.values())
