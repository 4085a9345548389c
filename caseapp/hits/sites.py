"""Sites as hits name them: the registered domain of a page (without www.), a site typed by a
person, and the country a site's top-level domain suggests (until address lookup knows)."""
from __future__ import annotations

from urllib.parse import urlparse

from caseapp.core.errors import InvalidInput


def domain_of(url: str) -> str:
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normal_domain(domain: str) -> str:
    domain = domain_of(domain if "//" in domain else f"http://{domain.strip()}")
    if not domain or "." not in domain:
        raise InvalidInput("Give a domain such as shop.example.com.")
    return domain


# Country guessed from the site's top-level domain until address lookup exists.
_GENERIC = {"com", "net", "org", "info", "biz", "io", "co", "app", "blog", "shop", "online", "site", "xyz"}


def country_guess(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].upper()
    if tld == "UK":
        return "GB"
    return tld if len(tld) == 2 and tld.lower() not in _GENERIC else "ZZ"
