"""Configuration: one place, a working default for a laptop, an environment
variable (CASEAPP_*) for production.

| setting                | environment variable          | default                              |
|------------------------|-------------------------------|--------------------------------------|
| database               | CASEAPP_DATABASE_URL          | SQLite file instance/caseapp.db      |
| instance folder        | CASEAPP_INSTANCE_PATH         | ./instance                           |
| file store             | CASEAPP_FILESTORE_PATH        | <instance>/files                     |
| matching index         | CASEAPP_MATCHING_PATH         | <instance>/matching                  |
| matching index shards  | CASEAPP_MATCHING_SHARDS       | 1 (one index; N: folders shard-0 .. shard-N-1, references by work id mod N) |
| matching records       | CASEAPP_MATCHING_CODE_BYTES   | 32: bytes of each point's descriptor a new index keeps (8-32; 8: 15 bytes a point instead of 42, 11 GB at a million works, a little less precise; a saved index keeps its own) |
| matching compaction    | CASEAPP_MATCHING_COMPACT_AT   | 25: when deleted works hold this % of the index's records, deleting works compacts it in the background (0: only `caseapp works reindex --compact`) |
| log format             | CASEAPP_LOG_FORMAT            | text; json (one JSON line per request and per log record; `serve --workers`' default) |
| broker (health check)  | CASEAPP_BROKER_URL            | unset; when set, /health pings it (redis://...) |
| trusted proxies        | CASEAPP_PROXY_HOPS            | 0; 1 behind one reverse proxy (client address and scheme from its X-Forwarded-* headers; caseapp.wsgi) |
| hit minimum score      | CASEAPP_HIT_MIN_SCORE         | 0.5 (the engine's match threshold)   |
| work conflict score    | CASEAPP_CONFLICT_MIN_SCORE    | 0.8 (stricter than a hit: two clients' works) |
| stock-agency sites     | CASEAPP_STOCK_AGENCY_SITES    | alamy.com, stock.adobe.com, gettyimages.*, ... (comma-separated) |
| original file size cap | CASEAPP_ORIGINAL_MAX_BYTES    | 209715200 (200 MB: a RAW file)       |
| fetch private addresses| CASEAPP_FETCH_PRIVATE         | 0 (images and pages from public addresses only) |
| RDAP bootstrap file    | CASEAPP_RDAP_BOOTSTRAP        | <instance>/rdap-bootstrap.json (none: no RDAP lookup) |
| secret key             | CASEAPP_SECRET_KEY            | random, kept in <instance>/secret_key |
| broker (background work)| CASEAPP_BROKER_URL           | none: work runs in-process (threads); redis://host:6379/N: Celery tasks run by `caseapp worker` (results on the same Redis) |
| broker queue           | CASEAPP_BROKER_QUEUE          | caseapp: the queue this app's tasks go to and its workers take them from |
| broker redelivery      | CASEAPP_BROKER_VISIBILITY_TIMEOUT | 3600 s: a task whose worker died goes back on the queue after this long |
| job lease              | CASEAPP_JOB_LEASE_SECONDS     | 300 s: a running job whose worker wrote no heartbeat for this long is taken over by the next delivery; recent, the delivery leaves it and looks again after this long (keep it below the visibility timeout) |
| evidence: Chromium     | CASEAPP_CHROMIUM              | /usr/bin/chromium (Debian's; never a browser download) |
| evidence: time, size   | CASEAPP_CAPTURE_SECONDS, CASEAPP_CAPTURE_MAX_BYTES | 60 s a capture; 20971520 (20 MB) a resource |
| capture on "illegal"   | CASEAPP_CAPTURE_ON_DECIDE     | 1: deciding a hit illegal captures its page (after the commit) |
| lookup on "illegal"    | CASEAPP_LOOKUP_ON_DECIDE      | 1: deciding a hit illegal looks up its site's party (after the commit) |
| take-down checks       | CASEAPP_TAKEDOWN_CHECK_DAYS   | 7 days between checks that the image is still online |
| default locale         | CASEAPP_LOCALE                | en (amounts and dates on the pages when neither the person's preference nor their browser's language is one of the app's: en, de) |
| the firm's time zone   | CASEAPP_TIMEZONE              | Europe/Berlin (what "today" is; the time zone of timestamps on the pages unless the person chose their own on Profile) |
| queue page size        | CASEAPP_QUEUE_PAGE_SIZE       | 50 cases a page (1 to 500)           |
| dashboards kept        | CASEAPP_REPORTS_CACHE_SECONDS | 300: a dashboard's figures are computed once per filter and language and kept this long in each web process, then shown while computed afresh in the background for as long again (0: never kept) |
| served over HTTPS      | CASEAPP_HTTPS                 | 1: Secure cookies, HSTS (`caseapp serve`: 0) |
| login throttle         | CASEAPP_LOGIN_RATE_LIMIT      | 5 per minute;20 per hour (per address) |
| throttle counters      | CASEAPP_RATELIMIT_STORAGE_URL | memory:// (one process); redis://... in production |
| request size limit     | CASEAPP_MAX_REQUEST_BYTES     | 16777216 (16 MB; any request, 413 past it) |
| crawler request bytes  | CASEAPP_SIGHTINGS_MAX_BYTES   | 2097152 (2 MB a POST /api/v1/sightings) |
| crawler request lines  | CASEAPP_SIGHTINGS_MAX_LINES   | 500 lines a request (blank lines count) |
| quiet period           | CASEAPP_QUIET_PERIOD          | 12-20/01-06: days from 20 Dec to 6 Jan do not count in a letter deadline; "off" for none |
| the firm's calendar    | CASEAPP_FIRM_CALENDAR         | DE-BE: the working days of the firm's own work periods (new, checking, ...) |
| the firm (letterhead)  | CASEAPP_FIRM_NAME, _ADDRESS (lines split by a vertical bar), _EMAIL, _PHONE, _WEBSITE, _REGISTER, _VAT_ID, _SIGNATORY, _COUNTRY | a demo firm in Berlin |
| the firm's account     | CASEAPP_FIRM_IBAN, CASEAPP_FIRM_BIC, CASEAPP_FIRM_ACCOUNT_HOLDER | a demo IBAN (DE...), holder = firm name |
| the firm's lawyer      | CASEAPP_FIRM_LAWYER_NAME, CASEAPP_FIRM_LAWYER_ADDRESS (bar-split) | a demo lawyer (warning letters) |
| privacy contact        | CASEAPP_FIRM_PRIVACY_EMAIL    | the firm's email (letters' GDPR notice) |
| retention of personal data | CASEAPP_RETENTION_SIGHTING_DAYS, _PARTY_DAYS, _CASE_FILE_DAYS, _ACCOUNTING_DAYS | 1096, 1096, 2192, 3653 days (3, 3, 6, 10 years) after the end of the year of a record's last event; RETENTION_DEFAULTS below, docs/personal-data.md |
| outgoing mail (SMTP)   | CASEAPP_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _SECURITY (starttls, ssl, none) | no host: emailing a letter is refused; port 587, starttls |

`caseapp serve` (what `make run` starts: plain http on 127.0.0.1) drops the Secure flag
unless CASEAPP_HTTPS is set (a TLS proxy in front of it). Redis counters use the `redis`
client (pinned in setup.cfg).

Security settings that have no variable: sessions end on the server at logout (core.security),
every response carries Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and
Referrer-Policy (core.web.security_headers), FAB's JWT login API is switched off. See
docs/security.md.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB


# The stock agencies whose sites sell licences (ownership checks: a work seen there).
STOCK_AGENCY_SITES = ("alamy.com", "alamy.de", "stock.adobe.com", "gettyimages.*", "istockphoto.com",
                      "shutterstock.com", "depositphotos.com", "dreamstime.com", "123rf.com", "pond5.com",
                      "fotolia.com", "bigstockphoto.com", "canstockphoto.com", "stocksy.com",
                      "agefotostock.com", "pixtastock.com", "colourbox.com", "mauritius-images.com",
                      "imago-images.com", "picfair.com", "eyeem.com", "500px.com", "superstock.com")


# How long personal data is kept (GDPR Art. 5(1)(e), Art. 17(3)(b) and (e)), per class of record
# (caseapp.core.personal_data), in days counted from the end of the calendar year of the record's
# last event, as the statutes count (§ 199(1) BGB, § 147(4) AO, § 257(5) HGB). `caseapp gdpr purge`
# removes (or, for the books, anonymises) what is past it. docs/personal-data.md has the table.
RETENTION_DEFAULTS = {
    # Sightings and hits that are in no case: a claim for them is time-barred 3 years after the
    # end of the year it arose and we knew of it (§ 195, § 199(1) BGB; § 102 UrhG applies the BGB).
    "sighting": 3 * 365 + 1,
    # A party nobody ever claimed against (made from a site in triage): the same 3 years.
    "party": 3 * 365 + 1,
    # A closed case's file (items, notes, letters sent and received, offers, licence defences):
    # business letters are kept 6 years (§ 257(1) Nr. 2, 3 and (4) HGB; § 147(1) Nr. 2, 3 and (3)
    # AO); a lawyer's files 6 years after the mandate ends (§ 50(1) BRAO).
    "case_file": 6 * 365 + 2,
    # Money (payments, refunds, settlements, the ledger's descriptions): books and accounting records
    # 10 years (§ 147(1) Nr. 1, 4 and (3) AO; § 257(1) Nr. 1, 4 and (4) HGB). Since 2025 vouchers
    # (Buchungsbelege, § 147(1) Nr. 4 AO) need only 8 years (Viertes Bürokratieentlastungsgesetz);
    # the books themselves still 10, and the ledger is a book: 10 it is.
    "accounting": 10 * 365 + 3,
}


def retention_days() -> dict[str, int]:
    """CASEAPP_RETENTION_<CLASS>_DAYS over RETENTION_DEFAULTS (1 day to 100 years each)."""
    return {name: _whole(f"RETENTION_{name.upper()}_DAYS", default, 1, 36525)
            for name, default in RETENTION_DEFAULTS.items()}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CASEAPP_{name}")
    return value if value not in (None, "") else default


def instance_path() -> Path:
    return Path(_env("INSTANCE_PATH", str(Path.cwd() / "instance"))).resolve()


def default_database_url() -> str:
    return f"sqlite:///{instance_path() / 'caseapp.db'}"


def database_url() -> str:
    return _env("DATABASE_URL") or default_database_url()


def _whole(name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting, or a clear error naming the variable and the accepted range."""
    raw = _env(name, str(default))
    if not (raw.isascii() and raw.isdecimal() and low <= int(raw) <= high):
        raise ValueError(f"CASEAPP_{name}={raw!r}: give a whole number from {low} to {high}.")
    return int(raw)


def quiet_period(raw: str | None = None) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """CASEAPP_QUIET_PERIOD, "MM-DD/MM-DD" (from/to, both days inside; it may span New Year), or
    "off": ((12, 20), (1, 6)) by default. Anything else is refused naming the variable."""
    raw = _env("QUIET_PERIOD", "12-20/01-06") if raw is None else raw
    if raw.strip().lower() in ("off", "none", "0"):
        return None
    import re
    from datetime import date

    match = re.fullmatch(r"([0-9]{2})-([0-9]{2})/([0-9]{2})-([0-9]{2})", raw.strip())
    try:
        if match is None:
            raise ValueError
        first, last = (int(match[1]), int(match[2])), (int(match[3]), int(match[4]))
        for month, day in (first, last):
            date(2024, month, day)      # a leap year: 02-29 is a day
    except ValueError:
        raise ValueError(f"CASEAPP_QUIET_PERIOD={raw!r}: give MM-DD/MM-DD (e.g. 12-20/01-06) or off.") from None
    return first, last


def time_zone(raw: str | None = None) -> str:
    """CASEAPP_TIMEZONE: the firm's time zone, an IANA name (default Europe/Berlin); an unknown
    name is refused naming the variable."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    raw = (_env("TIMEZONE", "Europe/Berlin") if raw is None else raw).strip()
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"CASEAPP_TIMEZONE={raw!r}: give a time zone name as Region/City, e.g. Europe/Berlin.") \
            from None
    return raw


def firm_calendar(raw: str | None = None) -> tuple[str, str | None]:
    """CASEAPP_FIRM_CALENDAR: the firm's own country and region for its internal work periods,
    "CC" or "CC-REGION" (default DE-BE: Berlin)."""
    raw = (_env("FIRM_CALENDAR", "DE-BE") if raw is None else raw).strip()
    country, _, region = raw.partition("-")
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise ValueError(f"CASEAPP_FIRM_CALENDAR={raw!r}: give a country code and a region, e.g. DE-BE.")
    return country.upper(), (region.upper() or None)


def _flag(name: str, default: str = "0") -> bool:
    return (_env(name, default) or "").lower() in ("1", "true", "yes", "on")


def _secret_key(folder: Path) -> str:
    key = _env("SECRET_KEY")
    if key:
        return key
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


# The demo firm: every letter names the firm, its account and its lawyer. Production sets them.
FIRM_DEFAULTS = {
    "FIRM_NAME": "Bildrecht Demo GmbH",
    "FIRM_ADDRESS": "Friedrichstraße 100|10117 Berlin|Germany",
    "FIRM_COUNTRY": "DE",
    "FIRM_EMAIL": "claims@bildrecht-demo.example",
    "FIRM_PHONE": "+49 30 1234567",
    "FIRM_WEBSITE": "www.bildrecht-demo.example",
    "FIRM_REGISTER": "Amtsgericht Charlottenburg HRB 000000 (demo)",
    "FIRM_VAT_ID": "DE000000000",
    "FIRM_SIGNATORY": "Anna Schneider",
    "FIRM_IBAN": "DE89370400440532013000",
    "FIRM_BIC": "COBADEFFXXX",
    "FIRM_ACCOUNT_HOLDER": "",
    "FIRM_LAWYER_NAME": "Rechtsanwältin Dr. Julia Weber",
    "FIRM_LAWYER_ADDRESS": "Kurfürstendamm 20|10719 Berlin|Germany",
    "FIRM_PRIVACY_EMAIL": "",
}


def letter_settings() -> dict:
    """The firm's letterhead, account and lawyer, and the outgoing mail server: CASEAPP_FIRM_*
    and CASEAPP_SMTP_* (no SMTP host: emailing letters is refused, post still works)."""
    settings = {f"CASEAPP_{key}": _env(key, default) for key, default in FIRM_DEFAULTS.items()}
    settings.update({
        "CASEAPP_SMTP_HOST": _env("SMTP_HOST", ""),
        "CASEAPP_SMTP_PORT": _whole("SMTP_PORT", 587, 1, 65535),
        "CASEAPP_SMTP_USER": _env("SMTP_USER", ""),
        "CASEAPP_SMTP_PASSWORD": _env("SMTP_PASSWORD", ""),
        "CASEAPP_SMTP_FROM": _env("SMTP_FROM", ""),
        "CASEAPP_SMTP_SECURITY": (_env("SMTP_SECURITY", "starttls") or "starttls").lower(),
    })
    return settings


def build_config(overrides: dict | None = None) -> dict:
    """The Flask configuration: defaults, then CASEAPP_* variables, then `overrides`."""
    overrides = dict(overrides or {})
    folder = Path(overrides.get("CASEAPP_INSTANCE_PATH") or instance_path())
    https = bool(overrides.get("CASEAPP_HTTPS", _flag("HTTPS", "1")))
    config = {
        "APP_NAME": "caseapp",
        "CASEAPP_INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "CASEAPP_FILESTORE_PATH": _env("FILESTORE_PATH", str(folder / "files")),
        "CASEAPP_MATCHING_PATH": _env("MATCHING_PATH", str(folder / "matching")),
        # The matching index split by work id into this many shards (folders shard-0 ... under
        # the path; matching.shards); 1 is the single index as it always was.
        "CASEAPP_MATCHING_SHARDS": _whole("MATCHING_SHARDS", 1, 1, 64),
        # What a new index keeps of each point's 32-byte descriptor (matching.index.record_dtype:
        # compact records, docs/matching.md); an index saved before keeps its own length.
        "CASEAPP_MATCHING_CODE_BYTES": _whole("MATCHING_CODE_BYTES", 32, 8, 32),
        # A deleted work's records stay in the index's files until a compaction rewrites them
        # (matching.Engine.compact): started in the background when deleted works hold this
        # percentage of all records (clients.works_index.compact_soon); 0: never on its own.
        "CASEAPP_MATCHING_COMPACT_AT": _whole("MATCHING_COMPACT_AT", 25, 0, 100),
        # Log lines: "text" (Python's default) or "json" (one object a line, one a request;
        # `caseapp serve --workers` sets json unless told otherwise; caseapp.core.logs).
        "CASEAPP_LOG_FORMAT": (_env("LOG_FORMAT", "text") or "text").lower(),
        # Reverse proxies in front whose X-Forwarded-For/-Proto/-Host are believed (caseapp._behind_proxies).
        "CASEAPP_PROXY_HOPS": _whole("PROXY_HOPS", 0, 0, 5),
        "CASEAPP_HIT_MIN_SCORE": float(_env("HIT_MIN_SCORE", "0.5")),
        # Two clients' works are the same image only above this engine score (stricter than a
        # hit's: marking both works disputed stops both clients' cases).
        "CASEAPP_CONFLICT_MIN_SCORE": float(_env("CONFLICT_MIN_SCORE", "0.8")),
        # Stock-agency sites (registered domains, subdomains included; "name.*" any top-level
        # domain): a work seen there while its client declared no agency needs review.
        "CASEAPP_STOCK_AGENCY_SITES": tuple(s.strip().lower() for s in (_env("STOCK_AGENCY_SITES") or
                                            ",".join(STOCK_AGENCY_SITES)).split(",") if s.strip()),
        "CASEAPP_ORIGINAL_MAX_BYTES": _whole("ORIGINAL_MAX_BYTES", 200 * 1024 * 1024, 1024, 1024 ** 3),
        # Fetching from loopback, private or link-local addresses (an intranet crawler, tests).
        "CASEAPP_FETCH_PRIVATE": _env("FETCH_PRIVATE", "0").lower() in ("1", "true", "yes"),
        # Background work (core.jobs, core.celery_app): no broker, in this process; a broker, Celery.
        "CASEAPP_BROKER_URL": _env("BROKER_URL", ""),
        "CASEAPP_BROKER_QUEUE": _env("BROKER_QUEUE", "caseapp"),
        "CASEAPP_BROKER_VISIBILITY_TIMEOUT": _whole("BROKER_VISIBILITY_TIMEOUT", 3600, 1, 7 * 86400),
        "CASEAPP_JOB_LEASE_SECONDS": _whole("JOB_LEASE_SECONDS", 300, 1, 86400),
        # RDAP's bootstrap (IANA's dns.json: which registry answers for which top-level domain),
        # read from this file; never downloaded by the address lookup. No file: no RDAP lookup.
        "CASEAPP_RDAP_BOOTSTRAP": _env("RDAP_BOOTSTRAP", str(folder / "rdap-bootstrap.json")),
        # Evidence capture (caseapp.evidence): Debian's Chromium, a time cap for a capture, a size
        # cap for each resource, a capture when a hit is decided illegal, take-down checks.
        "CASEAPP_CHROMIUM": _env("CHROMIUM", "/usr/bin/chromium"),
        "CASEAPP_CAPTURE_SECONDS": _whole("CAPTURE_SECONDS", 60, 5, 600),
        "CASEAPP_CAPTURE_MAX_BYTES": _whole("CAPTURE_MAX_BYTES", 20 * 1024 * 1024, 1024, 1024 ** 3),
        "CASEAPP_CAPTURE_ON_DECIDE": _env("CAPTURE_ON_DECIDE", "1").lower() in ("1", "true", "yes"),
        # The address lookup of the party behind a hit decided illegal (caseapp.parties.tasks).
        "CASEAPP_LOOKUP_ON_DECIDE": _env("LOOKUP_ON_DECIDE", "1").lower() in ("1", "true", "yes"),
        "CASEAPP_TAKEDOWN_CHECK_DAYS": _whole("TAKEDOWN_CHECK_DAYS", 7, 1, 365),
        # Flask-AppBuilder's own upload fields (not our file store).
        "UPLOAD_FOLDER": str(folder / "uploads") + "/",
        "IMG_UPLOAD_FOLDER": str(folder / "uploads") + "/",
        "CASEAPP_QUEUE_PAGE_SIZE": _whole("QUEUE_PAGE_SIZE", 50, 1, 500),
        # The dashboards (caseapp.reports): figures over every case, kept a while per filter.
        "CASEAPP_REPORTS_CACHE_SECONDS": _whole("REPORTS_CACHE_SECONDS", 300, 0, 86400),
        # Flask refuses (413) any request body past this, before a view reads it.
        "MAX_CONTENT_LENGTH": _whole("MAX_REQUEST_BYTES", 16 * 1024 * 1024, 1024, 1024 ** 3),
        # The crawler endpoint's own caps: a body is read line by line and refused (413)
        # as soon as it passes either, without reading the rest.
        "CASEAPP_SIGHTINGS_MAX_BYTES": _whole("SIGHTINGS_MAX_BYTES", 2 * 1024 * 1024, 1024, 1024 ** 3),
        "CASEAPP_SIGHTINGS_MAX_LINES": _whole("SIGHTINGS_MAX_LINES", 500, 1, 100_000),
        "CASEAPP_TIMEZONE": time_zone(),
        # Deadlines (caseapp.deadlines) and the daily escalation (caseapp.cases.escalation).
        "CASEAPP_QUIET_PERIOD": quiet_period(),
        "CASEAPP_FIRM_CALENDAR": firm_calendar(),
        "CASEAPP_LOCALE": _env("LOCALE", "en"),
        # Personal data: days kept per class of record (RETENTION_DEFAULTS; caseapp gdpr purge).
        "CASEAPP_RETENTION_DAYS": retention_days(),
        # Alembic owns the whole schema, FAB's security tables included, and
        # permissions are synced by `caseapp db upgrade`, not on every start.
        "FAB_CREATE_DB": False,
        "FAB_UPDATE_PERMS": False,
        "FAB_INDEX_VIEW": "caseapp.core.views.HomeView",
        "FAB_SECURITY_MANAGER_CLASS": "caseapp.core.security.CaseappSecurityManager",
        "AUTH_TYPE": AUTH_DB,
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_USER_REGISTRATION": False,
        "BABEL_DEFAULT_LOCALE": _env("LOCALE", "en"),
        # The app's languages (Flask-AppBuilder's own pages have German; caseapp's catalogue follows).
        # A page's language: the person's preference, else the browser's best match, else
        # CASEAPP_LOCALE (caseapp.core.locale).
        "LANGUAGES": {"en": {"flag": "gb", "name": "English"}, "de": {"flag": "de", "name": "Deutsch"}},
        "WTF_CSRF_ENABLED": True,
        # Cookies: never read by scripts, not sent on cross-site requests, and only over HTTPS
        # when the app is served behind it (CASEAPP_HTTPS=1: production).
        "CASEAPP_HTTPS": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "FAB_API_SWAGGER_UI": False,
        # Login throttling: Flask-AppBuilder's own (Flask-Limiter), per client address, on the
        # login form's POST. Counters in memory for one process (`make run`); in Redis when
        # several processes serve the app (CASEAPP_RATELIMIT_STORAGE_URL=redis://...).
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
    }
    config.update(letter_settings())
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(Path(config["CASEAPP_INSTANCE_PATH"]))
    return config


def plain_http(config) -> None:
    """For the development server (`caseapp serve`, http://127.0.0.1): cookies without the
    Secure flag, or the browser would never send them back. Not when CASEAPP_HTTPS is set (a
    TLS proxy in front of it)."""
    if _env("HTTPS") is not None:
        return
    config.update({"CASEAPP_HTTPS": False, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
                   "PREFERRED_URL_SCHEME": "http"})
