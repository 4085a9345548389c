"""Sites as hits name them: the registered domain of a page (without www.), a site typed by a
person, and the country a site's top-level domain suggests (until address lookup knows)."""
from __future__ import annotations

from urllib.parse import urlparse

from caseapp.core.errors import InvalidInput


def site_of(url: str) -> str:
    host = (urlparse(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normal_site(site: str) -> str:
    site = site_of(site if "//" in site else f"http://{site.strip()}")
    if not site or "." not in site:
        raise InvalidInput("Give a site such as shop.example.com.")
    return site


# Country guessed from the site's top-level domain until address lookup exists.
_GENERIC = {"com", "net", "org", "info", "biz", "io", "co", "app", "blog", "shop", "online", "site", "xyz"}


def country_guess(site: str) -> str:
    tld = site.rsplit(".", 1)[-1].upper()
    if tld == "UK":
        return "GB"
    return tld if len(tld) == 2 and tld.lower() not in _GENERIC else "ZZ"
