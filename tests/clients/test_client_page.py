"""The client's page: who the client is, the contract in words, what is missing before its
cases can go out; the mandate; the forms' refusals shown on the page."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from caseapp.clients import services
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from tests.clients.factories import make_client, make_work

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTOR = Actor.system("test")


@pytest.mark.parametrize("login", ["accountant", "handler"])
def test_the_page_shows_the_contract_in_words_and_what_is_missing(db_session, client_as, login):
    holder = make_client(db_session, "Lichtwerk Studio", mandate=False)
    make_work(db_session, holder, verified=False)
    db_session.commit()
    response = client_as(login).get(f"/clients/{holder.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You receive 70% of what we collect out of court, 50% in court." in page
    assert "No signed mandate on file" in page
    assert "1 work unverified" in page and f"/clients/{holder.id}?status=unverified#works" in page
    assert "No confirmed bank account" in page
    assert "Private person" in page    # the VAT treatment in words
    assert ('id="contract-form"' in page) is (login == "accountant")    # the matrix decides the forms
    assert ('id="site-form"' in page) is (login == "handler")


def test_the_clients_list_links_each_name_to_its_page(db_session, client_as):
    holder = make_client(db_session, "Linked Foto")
    db_session.commit()
    page = client_as("accountant").get("/clients/list/?_flt_0_name=Linked").get_data(as_text=True)
    assert f'<a href="/clients/{holder.id}">Linked Foto</a>' in page


def test_a_refused_edit_shows_its_reason_and_keeps_what_was_typed(db_session, client_as):
    holder = make_client(db_session)
    db_session.commit()
    seen = holder.version
    browser = client_as("accountant")
    response = browser.post(f"/clients/{holder.id}/details", data={
        "version": holder.version, "name": holder.name, "country": "AT", "legal_form": "company",
        "tax_status": "standard", "vat_id": "ATU13585628"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "VAT ID: &#39;ATU13585628&#39; is not a valid AT VAT ID" in page and 'value="ATU13585628"' in page
    response = browser.post(f"/clients/{holder.id}/details", data={
        "version": holder.version, "name": holder.name, "country": "AT", "legal_form": "company",
        "tax_status": "standard", "vat_id": "ATU13585627"}, follow_redirects=True)
    assert "Reverse charge" in response.get_data(as_text=True)
    stale = browser.post(f"/clients/{holder.id}/details", data={"version": seen, "city": "Graz"},
                         follow_redirects=True).get_data(as_text=True)
    assert "changed by someone else" in stale


def test_the_contract_form_changes_terms_for_new_cases(db_session, client_as):
    holder = make_client(db_session)
    db_session.commit()
    browser = client_as("accountant")
    refused = browser.post(f"/clients/{holder.id}/contract", data={"out_of_court": "55,25", "in_court": "50",
                                                                   "contract": "0"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Share out of court: &#39;55,25&#39; is not a percentage" in refused
    page = browser.post(f"/clients/{holder.id}/contract", data={
        "out_of_court": "55", "in_court": "50", "minimum_payout": "50.00", "floor": "80", "contract": "0"},
        follow_redirects=True).get_data(as_text=True)
    assert "You receive 55% of what we collect out of court, 50% in court." in page
    assert "settle for 80% of the claim or more without asking you" in page
    assert client_as("handler").post(f"/clients/{holder.id}/contract", data={}).status_code == 403


def test_the_mandate_is_kept_by_content_with_its_date(db_session, app, tmp_path):
    holder = make_client(db_session)
    store = FileStore(tmp_path)
    with pytest.raises(InvalidInput, match="not a PDF, JPEG or PNG"):
        services.record_mandate(db_session, store, ACTOR, holder.id, "mandate.pdf", b"MZ\x90\x00 not a pdf",
                                date(2026, 1, 5), today=date(2026, 11, 23))
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_mandate(db_session, store, ACTOR, holder.id, "mandate.pdf", PDF, date(2026, 11, 24),
                                today=date(2026, 11, 23))
    with pytest.raises(InvalidInput, match="at most 0 MB"):
        services.record_mandate(db_session, store, ACTOR, holder.id, "m.pdf", PDF, date(2026, 1, 5),
                                today=date(2026, 11, 23), max_bytes=10)
    services.record_mandate(db_session, store, ACTOR, holder.id, "mandate.pdf", PDF, date(2026, 11, 23),
                            today=date(2026, 11, 23))
    assert store.read(holder.mandate_sha256) == PDF and holder.mandate_signed_on == date(2026, 11, 23)
    assert db_session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == holder.id,
                                                              AuditEvent.subject_type == "client")).all()[-1] \
        == "client.mandate_recorded"
    assert not [m for m in services.missing_before_cases(db_session, holder.id) if m.code == "no_mandate"]


def test_the_mandate_form_uploads_and_links_the_file(db_session, client_as):
    holder = make_client(db_session)
    db_session.commit()
    page = client_as("accountant").post(
        f"/clients/{holder.id}/mandate", data={"signed_on": "2026-01-05", "file": (io.BytesIO(PDF), "mandat.pdf"),
                                               "version": str(holder.version)},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Mandate kept." in page and "mandat.pdf</a>, signed" in page
    assert "No signed mandate on file" not in page


def test_a_handler_whitelists_a_site_from_the_client_page(db_session, client_as):
    holder = make_client(db_session)
    db_session.commit()
    response = client_as("handler").post("/hits/rules/whitelist", data={
        "site": "own-portfolio.example", "client": holder.id, "next": f"/clients/{holder.id}#sites"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/clients/{holder.id}#sites")
    page = client_as("handler").get(f"/clients/{holder.id}").get_data(as_text=True)
    assert "own-portfolio.example" in page


def test_reading_a_new_clients_page_records_nothing(db_session, client_as):
    """A page that reads writes no contract: the default terms are shown, and recorded only
    when a case is opened under them or the terms change."""
    from sqlalchemy import func, select

    from caseapp.clients.models import ClientContract

    holder = make_client(db_session, "Fresh Foto")
    db_session.commit()
    count = lambda: db_session.scalar(select(func.count()).select_from(ClientContract)  # noqa: E731
                                      .where(ClientContract.client_id == holder.id))
    page = client_as("accountant").get(f"/clients/{holder.id}").get_data(as_text=True)
    assert "You receive 70% of what we collect out of court, 50% in court." in page
    assert count() == 0


def test_a_contract_change_from_a_stale_page_is_refused(db_session, client_as):
    """Two accountants (or two tabs) open the page under the default terms; the first changes
    them to 55%; the second, who never saw 55%, must not silently replace them."""
    from caseapp.clients import contracts

    holder = make_client(db_session)
    db_session.commit()
    first, second = client_as("accountant"), client_as("admin")
    form = first.get(f"/clients/{holder.id}").get_data(as_text=True)
    assert 'name="contract" value="0"' in form
    first.post(f"/clients/{holder.id}/contract", data={"out_of_court": "55", "in_court": "50", "contract": "0"})
    assert contracts.current_contract(db_session, holder.id).share_out_of_court_bp == 5500
    page = second.post(f"/clients/{holder.id}/contract", data={"out_of_court": "80", "in_court": "60",
                                                                "contract": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "was changed by someone else" in page
    assert contracts.current_contract(db_session, holder.id).share_out_of_court_bp == 5500
    missing = second.post(f"/clients/{holder.id}/contract", data={"out_of_court": "80", "in_court": "60"},
                          follow_redirects=True).get_data(as_text=True)
    assert "lacks the version" in missing
    assert contracts.current_contract(db_session, holder.id).share_out_of_court_bp == 5500
    latest = contracts.latest_contract_id(db_session, holder.id)
    second.post(f"/clients/{holder.id}/contract", data={"out_of_court": "80", "in_court": "60",
                                                        "contract": str(latest)})
    assert contracts.current_contract(db_session, holder.id).share_out_of_court_bp == 8000


def test_a_mandate_upload_from_a_stale_page_is_refused(db_session, client_as):
    """Someone replaced the mandate (or edited the client) after the page was opened: the
    upload from the old page would replace a mandate its sender never saw; refused."""
    holder = make_client(db_session, mandate=False)
    db_session.commit()
    seen = holder.version
    browser = client_as("accountant")
    browser.post(f"/clients/{holder.id}/mandate", content_type="multipart/form-data", data={
        "signed_on": "2026-01-05", "file": (io.BytesIO(PDF), "first.pdf"), "version": str(seen)})
    db_session.refresh(holder)
    assert holder.mandate_filename == "first.pdf"
    for version in ({"version": str(seen)}, {}):
        page = client_as("admin").post(f"/clients/{holder.id}/mandate", content_type="multipart/form-data", data={
            "signed_on": "2026-01-06", "file": (io.BytesIO(PDF + b"%other"), "second.pdf"), **version},
            follow_redirects=True).get_data(as_text=True)
        assert "changed by someone else" in page or "lacks the version" in page
        db_session.refresh(holder)
        assert holder.mandate_filename == "first.pdf"


def test_a_mandates_name_keeps_no_path_and_no_control_characters(db_session, tmp_path):
    holder = make_client(db_session, mandate=False)
    services.record_mandate(db_session, FileStore(tmp_path), ACTOR, holder.id, "../..\\scans/\x00man\u202edate\x1b.pdf\n",
                            PDF, date(2026, 1, 5), today=date(2026, 11, 23))
    assert holder.mandate_filename == "mandate.pdf"
    services.record_mandate(db_session, FileStore(tmp_path), ACTOR, holder.id, "dir/\x00\x07", PDF,
                            date(2026, 1, 5), today=date(2026, 11, 23))
    assert holder.mandate_filename == "mandate"


def test_the_letter_policy_is_set_on_the_clients_page(db_session, client_as):
    """Status letters (on by default) and offers without a handler (off) are the client's own
    settings, ticked on the page; an unticked box turns a setting off."""
    holder = make_client(db_session, "Policy Foto")
    db_session.commit()
    assert holder.status_letters is True and holder.offers_without_handler is False
    browser = client_as("accountant")
    page = browser.post(f"/clients/{holder.id}/details", data={
        "version": str(holder.version), "policy_shown": "1", "offers_without_handler": "on"},
        follow_redirects=True).get_data(as_text=True)
    db_session.expire_all()
    assert holder.offers_without_handler is True and holder.status_letters is False
    assert "offers go out without a handler" in page and "none (the client asked not to get them)" in page


def test_the_clients_evidence_of_licensing_sets_the_rate_of_new_claims(db_session, client_as):
    """Issue 15: a client without proof of their licensing is priced at what courts give without it."""
    from caseapp.clients import services

    holder = make_client(db_session, evidence="none")
    db_session.commit()
    browser = client_as("accountant")
    assert "none on file" in browser.get(f"/clients/{holder.id}").get_data(as_text=True)
    bad = browser.post(f"/clients/{holder.id}/details", data={"version": holder.version,
                                                               "licensing_evidence": "rumours"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Licensing evidence: &#39;rumours&#39; is not one of none, professional" in bad
    done = browser.post(f"/clients/{holder.id}/details", data={"version": holder.version,
                                                                "licensing_evidence": "professional"},
                        follow_redirects=True).get_data(as_text=True)
    assert "what courts award professionals" in done
    db_session.expire_all()
    assert services.client_terms(db_session, [holder.id])[holder.id].licensing_evidence == "professional"
