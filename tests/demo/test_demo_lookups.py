"""The demo shows the address lookup as a handler meets it: parties looked up from their legal
notice (each field with its source), commercial verdicts with their reasons, valid VAT IDs, and a
few registrations naming another city beside the legal notice's address."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select
from stdnum.de import vat

from caseapp.parties.models import Party, PartyAddressCandidate, PartyFieldSource
from tests.conftest import TODAY


def test_the_demo_has_looked_up_parties_with_sources_reasons_and_a_conflict(tmp_path):
    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_session

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": "demo",
                      "CASEAPP_INSTANCE_PATH": str(tmp_path), "CASEAPP_FILESTORE_PATH": str(tmp_path / "files")})
    build_demo_database(app, cases=300, works=4, hits=5, today=TODAY)
    with app.app_context():
        session = get_session()
        looked_up = session.scalars(select(Party).where(Party.address_source == "legal_notice")).all()
        assert len(looked_up) >= 30
        assert {p.commercial for p in looked_up} >= {"commercial", "unknown"}
        for party in looked_up:
            assert party.commercial_score == sum(r["weight"] for r in party.commercial_reasons)
            assert party.vat_id is None or vat.is_valid(party.vat_id)
            assert party.address_checked_at < datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=timezone.utc)
        chosen = session.scalar(select(func.count()).select_from(PartyAddressCandidate)
                                .where(PartyAddressCandidate.chosen.is_(True)))
        assert chosen == len(looked_up)
        assert session.scalar(select(func.count()).select_from(PartyAddressCandidate)
                              .where(PartyAddressCandidate.source == "rdap")) >= 1
        # (parties typed in by hand, as the filings' showcase adds them, have a "manual" source instead)
        street_sources = session.scalars(select(PartyFieldSource.party_id).where(
            PartyFieldSource.field == "street", PartyFieldSource.source == "legal_notice"))
        assert set(street_sources) == {p.id for p in looked_up}
