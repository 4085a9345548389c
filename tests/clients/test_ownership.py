"""Ownership evidence and the checks, each on both sides, with real image files (EXIF written
by the test with Pillow, sightings' images in the store): the name in the file, the capture
time against the first sighting, the client's file against the largest copy, a stock-agency
site with and without a declared agency, US registration; verifying, disputing; the evidence's
validation; the documented fee feeding the claim; the work page and `works show --json`."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image

from caseapp.cli import main
from caseapp.clients import ownership, services
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, StaleEdit
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.feasibility import services as feasibility
from caseapp.hits.models import Hit, Sighting
from tests.clients.factories import make_client
from tests.conftest import TODAY

ACTOR = Actor.system("test")
UTC = timezone.utc
ARTIST, DATETIME_ORIGINAL, COPYRIGHT = 0x013B, 0x9003, 0x8298


def jpeg(size=(1200, 800), *, artist=None, copyright=None, taken=None, colour=(90, 120, 160), pattern=0) -> bytes:
    """A photo-like JPEG; each `pattern` a different picture (a client's works are distinct
    images: the same one twice is a duplicate and refused)."""
    image = Image.new("RGB", size, colour)
    step = 40 + 23 * pattern
    for x in range(0, size[0], step):   # some detail, so the file is an ordinary photo-like JPEG
        image.paste((x % 255, 80, 200 - x % 200), (x, 0, x + step // 2, size[1]))
    for y in range(0, size[1], 160 + 40 * pattern):
        image.paste((240, 230 - y % 200, 40), (0, y, size[0], y + 12))
    exif = Image.Exif()
    if artist:
        exif[ARTIST] = artist
    if copyright:
        exif[COPYRIGHT] = copyright
    if taken:
        exif.get_ifd(0x8769)[DATETIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def read_exif(data: bytes) -> dict:
    """What the import stores of a file's EXIF (the import itself is another change's)."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        taken = exif.get_ifd(0x8769).get(DATETIME_ORIGINAL)
    return {"artist": exif.get(ARTIST), "copyright_notice": exif.get(COPYRIGHT),
            "captured_at": datetime.strptime(taken, "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC) if taken else None}


@pytest.fixture()
def store(tmp_path):
    return FileStore(tmp_path / "files")


_pattern = iter(range(10**6))


def work_of(session, store, holder, **exif):
    data = jpeg(pattern=next(_pattern) % 12, **exif)
    work = services.add_work(session, store, ACTOR, client_id=holder.id, title="Alpine dawn", data=data)
    for key, value in read_exif(data).items():
        setattr(work, key, value)
    session.flush()
    return work


_serial = iter(range(1, 10**6))


def sighted(session, store, work, *, site="shop.example.de", found=datetime(2025, 6, 1, tzinfo=UTC),
            size=(600, 400)):
    n = next(_serial)
    sha = store.put(jpeg(size, colour=(n % 255, 10, 10)))
    sighting = Sighting(key=f"{work.id:032x}{n:032x}",
                        image_url=f"https://{site}/i/{n}.jpg", page_url=f"https://{site}/p/{n}", site=site,
                        found_at=found, image_sha256=sha, thumbnail_sha256=sha)
    session.add(sighting)
    session.flush()
    session.add(Hit(sighting_id=sighting.id, work_id=work.id, client_id=work.client_id, site=site, score=0.9))
    session.flush()
    return sighting


def check(session, store, work, code):
    return {c.code: c for c in ownership.checks(session, work, store=store)}[code]


# --- the name in the file -----------------------------------------------------------------------

@pytest.mark.parametrize("artist, copyright, outcome", [
    ("LENA HOFFMANN", None, "ok"),                          # case and accents ignored (the client is Léna)
    (None, "(c) 2021 Lena Hoffmann, all rights reserved", "ok"),
    ("Lena Meyer", None, "warning"),                        # a first name in common is not enough
    ("John Smith", "John Smith Photography", "problem"),
    (None, None, "unknown"),
])
def test_the_name_in_the_file_against_the_clients(db_session, store, artist, copyright, outcome):
    holder = make_client(db_session, "Léna Hoffmann Fotografie")
    work = work_of(db_session, store, holder, artist=artist, copyright=copyright)
    result = check(db_session, store, work, "exif_name")
    assert result.outcome == outcome, result.reason
    if outcome == "problem":
        assert "John Smith" in result.reason and "someone else" in result.reason


# --- capture time against the first sighting ---------------------------------------------------------

def test_taken_before_the_first_sighting(db_session, store):
    work = work_of(db_session, store, make_client(db_session), taken=datetime(2024, 3, 1, 9, 30))
    sighted(db_session, store, work, found=datetime(2025, 6, 1, tzinfo=UTC))
    sighted(db_session, store, work, found=datetime(2024, 8, 1, tzinfo=UTC), site="first.example")
    result = check(db_session, store, work, "capture_time")
    assert result.outcome == "ok" and "first.example (2024-08-01)" in result.reason


def test_taken_after_the_image_was_online_is_a_problem(db_session, store):
    work = work_of(db_session, store, make_client(db_session), taken=datetime(2025, 9, 1, 9, 30))
    sighted(db_session, store, work, found=datetime(2025, 6, 1, tzinfo=UTC))
    result = check(db_session, store, work, "capture_time")
    assert result.outcome == "problem" and "may be a copy" in result.reason


def test_no_capture_time_or_no_sighting_is_unknown(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    sighted(db_session, store, work)
    assert check(db_session, store, work, "capture_time").outcome == "unknown"
    other = work_of(db_session, store, make_client(db_session), taken=datetime(2024, 3, 1))
    assert check(db_session, store, other, "capture_time").outcome == "unknown"


# --- the client's file against the copies --------------------------------------------------------------

def test_the_clients_file_larger_than_every_copy(db_session, store):
    work = work_of(db_session, store, make_client(db_session))   # 1200x800
    sighted(db_session, store, work, size=(600, 400))
    sighted(db_session, store, work, size=(1000, 667), site="big.example")
    result = check(db_session, store, work, "largest_file")
    assert result.outcome == "ok" and "1000x667 on big.example" in result.reason


def test_a_copy_larger_than_the_clients_file_is_a_problem(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    sighted(db_session, store, work, size=(600, 400))
    sighted(db_session, store, work, size=(2400, 1600), site="bigger.example")
    result = check(db_session, store, work, "largest_file")
    assert result.outcome == "problem" and "bigger.example is larger (2400x1600)" in result.reason
    assert check(db_session, store, work_of(db_session, store, make_client(db_session)),
                 "largest_file").outcome == "unknown"


# --- stock agencies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("site, agency", [("alamy.com", "alamy.com"), ("c8.alamy.com", "alamy.com"),
                                          ("stock.adobe.com", "stock.adobe.com"), ("gettyimages.co.uk", "gettyimages.*"),
                                          ("media.gettyimages.de", "gettyimages.*"), ("notalamy.com", None),
                                          ("adobe.com", None), ("alamy.com.evil.example", None)])
def test_stock_agency_sites_by_registered_domain(site, agency):
    assert ownership.agency_site(site) == agency


def test_seen_on_a_stock_agency_without_a_declared_agency_needs_review(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    sighted(db_session, store, work, site="c8.alamy.com")
    result = check(db_session, store, work, "stock_agency")
    assert result.outcome == "problem" and "declared no agency" in result.reason
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=work.version, agencies="Alamy")
    result = check(db_session, store, work, "stock_agency")
    assert result.outcome == "ok" and "Alamy" in result.reason


def test_not_seen_on_a_stock_agency_is_fine(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    sighted(db_session, store, work, site="shop.example.de")
    assert check(db_session, store, work, "stock_agency").outcome == "ok"


# --- evidence and registration ----------------------------------------------------------------------------

def test_a_us_work_needs_registration(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    assert check(db_session, store, work, "registration").outcome == "unknown"
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=None, publication_country="us")
    assert check(db_session, store, work, "registration").outcome == "warning"
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=None, us_applied_on=date(2024, 1, 5))
    assert "pending" in check(db_session, store, work, "registration").reason
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=None,
                              us_registration_number="vau 1-234-567", us_registered_on=date(2024, 5, 1))
    result = check(db_session, store, work, "registration")
    assert result.outcome == "ok" and "VAu 1-234-567" in result.reason
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=None, publication_country="DE")
    assert "not a US work" in check(db_session, store, work, "registration").reason


@pytest.mark.parametrize("values, message", [
    ({"us_registration_number": "TX 1-234-567", "us_registered_on": date(2024, 1, 1)}, "not a Copyright Office number"),
    ({"us_registration_number": "VA 2-123-456"}, "effective date"),
    ({"first_published_on": TODAY + timedelta(days=1)}, "in the future"),
    ({"publication_country": "XX"}, "not an ISO country code"),
    ({"first_published_url": "javascript:alert(1)"}, "not a web address"),
    ({"us_applied_on": date(2024, 6, 1), "us_registration_number": "VA0002123456",
      "us_registered_on": date(2024, 1, 1)}, "an application comes first"),
])
def test_bad_evidence_is_refused_in_one_clear_message(db_session, store, values, message):
    work = work_of(db_session, store, make_client(db_session))
    with pytest.raises(InvalidInput, match=message):
        ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=None, **values)


def test_a_stale_evidence_edit_is_refused(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    seen = work.version
    ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=seen, publication_country="DE")
    with pytest.raises(StaleEdit):
        ownership.record_evidence(db_session, ACTOR, work, today=TODAY, seen_version=seen, publication_country="FR")


def test_the_original_file_is_kept_with_a_size_cap(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    sha = ownership.add_original(db_session, store, ACTOR, work, data=b"RAW" * 100, filename="C:\\cam\\IMG_1.CR3",
                                 seen_version=None)
    assert store.read(sha) == b"RAW" * 100 and work.original_filename == "IMG_1.CR3"
    with pytest.raises(InvalidInput, match="at most 100"):
        ownership.add_original(db_session, store, ACTOR, work, data=b"x" * 101, filename="big.nef",
                               seen_version=None, max_bytes=100)


# --- sales feed the claim -----------------------------------------------------------------------------------

def test_every_sale_counts_whatever_its_currency(db_session, store):
    """Three EUR invoices around 400 and a later one cheap in USD: the median of all four
    (converted to the latest sale's currency), never the cheap one alone because it is the
    only sale in its currency."""
    work = work_of(db_session, store, make_client(db_session))
    for day, price, currency in ((date(2023, 1, 5), "380.00", "EUR"), (date(2023, 6, 1), "400.00", "EUR"),
                                 (date(2024, 2, 1), "420.00", "EUR"), (date(2025, 3, 1), "20.00", "USD")):
        ownership.add_sale(db_session, ACTOR, work, sold_on=day, licensee="Bergwerk GmbH", usage="web",
                           price=Money.parse_plain(price, currency), today=TODAY)
    fee = services.documented_fee(db_session, work.id)
    assert fee.currency == "USD" and fee == feasibility.convert(Money.parse("380.00", "EUR"), "USD")


def test_a_sale_in_a_currency_without_an_exchange_rate_is_refused_when_recorded(db_session, store):
    """Kept, it would make every claim for the work fail ('no exchange rate') at the case."""
    work = work_of(db_session, store, make_client(db_session))
    with pytest.raises(InvalidInput, match="no exchange rate for THB"):
        ownership.add_sale(db_session, ACTOR, work, sold_on=date(2024, 1, 1), licensee="Bangkok Post",
                           usage="web", price=Money.parse_plain("4000.00", "THB"), today=TODAY)
    assert ownership.sales(db_session, work.id) == []

def test_the_documented_fee_is_the_median_of_the_sales_and_the_claim_uses_it(db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    assert services.documented_fee(db_session, work.id) is None
    for day, price in ((date(2023, 1, 5), "90.00"), (date(2024, 2, 1), "400.00"), (date(2025, 3, 1), "120.00")):
        ownership.add_sale(db_session, ACTOR, work, sold_on=day, licensee="Bergwerk GmbH", usage="web, 1 year",
                           price=Money.parse_plain(price, "EUR"), today=TODAY)
    assert services.documented_fee(db_session, work.id) == Money.parse("120.00", "EUR")
    claim = feasibility.claim_amount("DE", usage="web-commercial", months=12, session=db_session, work_id=work.id)
    assert claim.lines[0].amount == Money.parse("120.00", "EUR") and "documented sales" in claim.lines[0].label
    with pytest.raises(InvalidInput, match="in the future"):
        ownership.add_sale(db_session, ACTOR, work, sold_on=TODAY + timedelta(days=3), licensee="X", usage="web",
                           price=Money.parse("1.00", "EUR"), today=TODAY)


def test_the_case_assessment_takes_the_works_country_and_registration(db_session, store):
    holder = make_client(db_session)   # a client in DE
    one, two = work_of(db_session, store, holder), work_of(db_session, store, holder)
    assert services.work_terms(db_session, [one.id, two.id], fallback_country="DE").work_country == "DE"
    ownership.record_evidence(db_session, ACTOR, one, today=TODAY, seen_version=None, publication_country="US",
                              us_registration_number="VA 2-123-456", us_registered_on=date(2024, 1, 1))
    terms = services.work_terms(db_session, [one.id, two.id], fallback_country="DE")
    assert (terms.work_country, terms.us_registered_on) == ("US", None)   # the second work is not registered
    terms = services.work_terms(db_session, [one.id], fallback_country="DE")
    assert (terms.work_country, terms.us_registered_on) == ("US", date(2024, 1, 1))


# --- the status ----------------------------------------------------------------------------------------------

def test_verify_needs_evidence_and_a_reason_to_override_a_problem(db_session, store):
    work = work_of(db_session, store, make_client(db_session, "Lena Hoffmann"), artist="John Smith")
    with pytest.raises(InvalidInput, match="Evidence"):
        ownership.verify(db_session, ACTOR, work, evidence="ok", seen_version=None, store=store)
    with pytest.raises(InvalidInput, match="finds a problem.*John Smith"):
        ownership.verify(db_session, ACTOR, work, evidence="RAW file from the camera", seen_version=None, store=store)
    ownership.verify(db_session, ACTOR, work, evidence="RAW file from the camera", seen_version=work.version,
                     despite="John Smith is her assistant; the contract assigns her the rights", store=store)
    assert (work.status, work.status_by) == ("verified", "test") and "despite" in work.status_reason
    ownership.dispute(db_session, ACTOR, work, reason="The recipient shows an Alamy invoice", seen_version=None)
    assert work.status == "disputed"
    with pytest.raises(InvalidInput, match="required"):
        ownership.unverify(db_session, ACTOR, work, reason="", seen_version=None)


# --- the page and the command ----------------------------------------------------------------------------------

def test_the_work_page_shows_checks_and_verifies(app, client_as, db_session, store):
    work = work_of(db_session, store, make_client(db_session, "Lena Hoffmann"), artist="Lena Hoffmann")
    handler = client_as("handler")
    html = handler.get(f"/works/{work.id}").get_data(as_text=True)
    assert 'data-check="exif_name"' in html and "which is the client Lena Hoffmann" in html and "Unverified" in html
    response = handler.post(f"/works/{work.id}/verify", data={"version": work.version, "evidence": "short"})
    db_session.refresh(work)
    assert response.status_code == 302 and work.status == "unverified"
    handler.post(f"/works/{work.id}/verify", data={"version": work.version, "evidence": "RAW file and invoices"})
    db_session.refresh(work)
    assert work.status == "verified" and work.status_by == "handler"
    handler.post(f"/works/{work.id}/sales", data={"version": work.version, "sold_on": "2025-01-02",
                                                   "licensee": "Bergwerk GmbH", "usage": "web", "price": "1,200.50",
                                                   "currency": "EUR"})
    assert [s.price_minor for s in ownership.sales(db_session, work.id)] == [120050]
    assert client_as("accountant").post(f"/works/{work.id}/dispute",
                                        data={"version": work.version, "reason": "no"}).status_code == 403
    db_session.refresh(work)
    assert work.status == "verified"
    assert client_as("handler").get(f"/works/show/{work.id}").headers["Location"].endswith(f"/works/{work.id}")


def test_works_show_json(app, db_session, store):
    work = work_of(db_session, store, make_client(db_session))
    ownership.add_sale(db_session, ACTOR, work, sold_on=date(2024, 1, 1), licensee="L", usage="web",
                       price=Money.parse("80.00", "EUR"), today=TODAY)
    result = app.test_cli_runner().invoke(main, ["works", "show", str(work.id), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["status"]["status"] == "unverified" and record["sales"][0]["price"] == "80.00"
    assert {c["code"] for c in record["checks"]} == {"exif_name", "capture_time", "largest_file", "other_portfolio",
                                                      "stock_agency", "registration"}
    assert all(c["reason"] for c in record["checks"])
