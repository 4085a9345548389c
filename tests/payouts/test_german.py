"""The payout pages in German (issue 17): home, a batch (four eyes), the reconciliation; flashes
and the four-eyes refusal in German, the batch's state shown in words (its code stays English).
(refresh(): see tests/payments/test_german.py.)"""
from __future__ import annotations

from flask_babel import refresh

from caseapp.payouts import services
from tests.payouts.test_batches import _setup
from tests.payouts.factories import DAY

DE = {"Accept-Language": "de"}


def test_home_batch_and_four_eyes_in_german(client_as, db_session, users):
    _setup(db_session)
    db_session.commit()
    anton = client_as("accountant")
    home = anton.get("/payouts/", headers=DE).get_data(as_text=True)
    assert "Auszahlungslauf entwerfen</button>" in home and "Summen- und Saldenliste" in home
    assert "Kein Auszahlungslauf ist offen." in home and "Draft a batch" not in home and "No batch is open" not in home
    drafted = anton.post("/payouts/run", headers=DE, data={"until": DAY.isoformat()}, follow_redirects=True)
    page = drafted.get_data(as_text=True)
    batch_id = services.open_batch(db_session).id
    assert f"Auszahlungslauf {batch_id} entworfen: Eine zweite Person der Buchhaltung gibt ihn frei." in page
    assert f"Auszahlungslauf {batch_id}: Entwurf" in page and "Sie haben diesen Auszahlungslauf entworfen" in page
    assert "You drafted this batch" not in page and "Client's share" not in page and "Anteil des Mandanten" in page
    version = str(services.get_batch(db_session, batch_id).version)
    refused = anton.post(f"/payouts/{batch_id}/approve", headers=DE, data={"version_seen": version},
                         follow_redirects=True).get_data(as_text=True)
    assert "Vier-Augen-Prinzip" in refused and "four eyes" not in refused
    home = anton.get("/payouts/", headers=DE).get_data(as_text=True)
    assert "2 Mandanten" in home and "client(s)" not in home                 # the plural
    db_session.expire_all()
    assert services.get_batch(db_session, batch_id).state == "draft"         # the code stays English

    refresh()
    lena = client_as("accountant2")
    done = lena.post(f"/payouts/{batch_id}/approve", headers=DE, data={"version_seen": version},
                     follow_redirects=True).get_data(as_text=True)
    assert "Auszahlungslauf freigegeben: Er kann exportiert werden." in done
    assert "SEPA-Datei und Abrechnungen exportieren</button>" in done and "Export the SEPA file" not in done


def test_reconciliation_in_german(client_as, db_session, users):
    _setup(db_session)
    db_session.commit()
    accountant = client_as("accountant")
    refused = accountant.get("/payouts/reconciliation?month=2026-10", headers=DE).get_data(as_text=True)
    assert "Banksaldo: Für das Mandantengeldkonto" in refused and "no statement of" not in refused
    page = accountant.get("/payouts/reconciliation?month=2026-10&bank_balance=350.01", headers=DE).get_data(as_text=True)
    assert "Dreifache Abstimmung" in page and "Abstimmen</button>" in page and "Mandantengelder laut Hauptbuch" in page
    assert "Noch kein Monat ist abgezeichnet." in page and "2026-10 abzeichnen</button>" in page
    assert "Three-way reconciliation" not in page and "Client money per the ledger" not in page
    assert "Alle drei stimmen überein." in page or "Differenz" in page


def test_a_difference_is_explained_in_german_and_kept_in_english(client_as, db_session, users):
    _setup(db_session)
    db_session.commit()
    page = client_as("accountant").get("/payouts/reconciliation?month=2026-10&bank_balance=300.00",
                                       headers=DE).get_data(as_text=True)
    assert "weniger Mandantengelder als im Hauptbuch" in page and "less client money" not in page
    assert "Differenz" in page and "difference(s)" not in page
