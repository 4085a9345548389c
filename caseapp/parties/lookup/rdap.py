"""The domain's registration (RDAP, with whoisit), through the safe fetcher: requests' adapter
is replaced by one that calls caseapp.core.http, so the address checks and the caps apply.
The bootstrap (which server answers for which top-level domain) is read from a file
(CASEAPP_RDAP_BOOTSTRAP), never downloaded here. Registrant data is often redacted since the
GDPR: the lowest confidence of the sites' own sources."""
from __future__ import annotations

import io
from pathlib import Path

from caseapp.core.errors import InvalidInput
from caseapp.parties.lookup import RDAP, Candidate, candidate

RDAP_LIMIT = 2 * 1024 * 1024
_REDACTED = ("redacted", "privacy", "not disclosed", "data protected", "withheld", "gdpr masked")


def load_bootstrap(path: str | Path | None, *, allow_insecure: bool = False) -> bool:
    """Load the bootstrap file once (whoisit keeps it for the process). False when there is none."""
    import whoisit

    if whoisit.is_bootstrapped():
        return True
    if not path or not Path(path).is_file():
        return False
    try:
        whoisit.load_bootstrap_data(Path(path).read_text(encoding="utf-8"), allow_insecure=allow_insecure)
    except (whoisit.errors.WhoisItError, ValueError, OSError):
        return False     # a broken file: no RDAP (the lookup notes it), never a crash
    return True


def _session(private_ok: bool, allow: frozenset, resolve=None):
    import requests

    class SafeAdapter(requests.adapters.BaseAdapter):
        """requests -> core.http."""

        def send(self, request, timeout=None, **kwargs):
            from caseapp.core.http import fetch_exchange

            try:
                exchange = fetch_exchange(request.url, RDAP_LIMIT, method=request.method,
                                          headers={"Accept": "application/rdap+json"}.items(),
                                          private_ok=private_ok, allow=allow, resolve=resolve)
            except InvalidInput as refusal:
                raise requests.ConnectionError(str(refusal)) from None
            response = requests.Response()
            response.status_code, response.url, response.request = exchange.status, exchange.url, request
            response.headers = requests.structures.CaseInsensitiveDict(exchange.headers)
            response.raw, response._content, response.encoding = io.BytesIO(exchange.body), exchange.body, "utf-8"
            return response

        def close(self):
            pass

    session = requests.Session()
    session.trust_env = False
    for scheme in ("http://", "https://"):
        session.mount(scheme, SafeAdapter())
    return session


def registration(domain: str, *, private_ok: bool = False, allow=frozenset(), resolve=None) -> dict:
    """whoisit's answer for `domain`; InvalidInput when there is none or it cannot be fetched."""
    import whoisit

    if not whoisit.is_bootstrapped():
        raise InvalidInput("no RDAP bootstrap loaded (set CASEAPP_RDAP_BOOTSTRAP to IANA's dns.json file)")
    try:
        return whoisit.domain(domain, session=_session(private_ok, frozenset(allow), resolve))
    except whoisit.errors.ResourceDoesNotExist:
        raise InvalidInput(f"RDAP knows no domain {domain}") from None
    except whoisit.errors.WhoisItError as error:
        raise InvalidInput(f"RDAP for {domain}: {error}") from None
    except Exception as error:   # noqa: BLE001 - a registry's odd answer is no address, not a crash
        raise InvalidInput(f"RDAP for {domain}: {type(error).__name__}: {error}") from None


def candidates(domain: str, **fetching) -> list[Candidate]:
    result = registration(domain, **fetching)
    out = []
    for registrant in (result.get("entities") or {}).get("registrant", []):
        address = registrant.get("address") or {}
        name = registrant.get("name") or ""
        if any(word in name.casefold() for word in _REDACTED):
            continue
        found = candidate(RDAP, result.get("url") or f"rdap:{domain}", name=name,
                          street=address.get("street_address"), postal_code=address.get("postal_code"),
                          city=address.get("locality"), country=(address.get("country") or "").upper()[:2] or None,
                          email=registrant.get("email"), phone=registrant.get("tel"))
        if found.has_address:
            out.append(found)
    return out
