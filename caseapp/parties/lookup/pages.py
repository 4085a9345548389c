"""Pages of a site, fetched through the one safe fetcher (caseapp.core.http): each redirect hop
is a new request, checked again (private addresses refused, size and time caps)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

from caseapp.core.errors import InvalidInput

PAGE_LIMIT = 2 * 1024 * 1024     # a legal-notice page is small; 2 MB is plenty
MAX_HOPS = 10


@dataclass
class Page:
    url: str            # as asked
    final_url: str      # after redirects
    status: int
    html: str
    hops: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Fetcher:
    """Fetches pages; `private_ok`, `allow` and `resolve` are core.http's (tests allow 127.0.0.1
    and resolve their sites' names to it)."""
    private_ok: bool = False
    allow: frozenset = frozenset()
    timeout: float = 10.0
    resolve: object = None

    def get(self, url: str) -> Page:
        from caseapp.core.http import fetch_exchange

        hops, current = [], url
        for _ in range(MAX_HOPS + 1):
            exchange = fetch_exchange(current, PAGE_LIMIT, self.timeout, private_ok=self.private_ok,
                                      allow=self.allow, resolve=self.resolve, headers=(("Accept", "text/html,application/xhtml+xml"),
                                                                 ("Accept-Language", "*")))
            location = exchange.header("location")
            if 300 <= exchange.status < 400 and location:
                hops.append(current)
                current = urljoin(current, location)
                continue
            return Page(url, current, exchange.status, _text(exchange.body, exchange.header("content-type")), hops)
        raise InvalidInput(f"{url}: more than {MAX_HOPS} redirects; not fetched")


def configured_fetcher(config) -> "Fetcher":
    """The safe fetcher as the app is configured (private addresses only with CASEAPP_FETCH_PRIVATE),
    with the RDAP bootstrap file loaded if there is one: the page, the command line and the jobs use it."""
    from caseapp.parties.lookup import rdap

    rdap.load_bootstrap(config.get("CASEAPP_RDAP_BOOTSTRAP"))
    return Fetcher(private_ok=config["CASEAPP_FETCH_PRIVATE"])


def _text(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    for part in (content_type or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip('"')
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def same_site(a: str, b: str) -> bool:
    """Two URLs on one site: the same registered domain (or, for an address or a name under no
    public suffix, the same host)."""
    from caseapp.core.suffixes import registered_domain

    one, two = urlparse(a).hostname or "", urlparse(b).hostname or ""
    domain_one, domain_two = registered_domain(one), registered_domain(two)
    if domain_one and domain_two:
        return domain_one == domain_two
    return one == two and bool(one)
