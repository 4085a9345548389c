"""Safe fetching: the one way caseapp reaches the web (the page fetcher, crawler images, and
evidence capture and address lookup).

- Only http and https.
- Unless private addresses are allowed (an intranet crawler: CASEAPP_FETCH_PRIVATE), a name
  must resolve to public addresses only: loopback, private, link-local, shared (CGNAT),
  reserved, multicast and unspecified ones are refused, IPv4 and IPv6 alike, and so are
  IPv6 addresses that carry such an IPv4 address (IPv4-mapped, 6to4, NAT64, Teredo); so a
  line from a crawler cannot make the server fetch from itself or the firm's network.
  Tests allow their local server's exact address only (`allow`).
- The name is resolved once per connection (with `resolve`, socket.getaddrinfo unless a
  test passes a stub) and the connection goes to the very address that was checked, so a
  DNS rebinding between the check and the fetch cannot slip through. The request still
  names the host (Host header), and TLS sends it (SNI) and verifies the certificate
  against it.
- Every redirect is a new request and passes the same checks.
- No proxies from the environment; a size cap and a time cap on the whole download.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlparse

from caseapp.core.errors import InvalidInput

SCHEMES = ("http", "https")
USER_AGENT = "caseapp-fetcher/1"


Resolver = Callable[..., list]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, 6to4, Teredo, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(text: str) -> bool:
    """Whether an address may be fetched from: globally routable unicast, whatever IPv4
    address an IPv6 one carries included."""
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(str(inner)):
            return False
        if address.ipv4_mapped is not None:
            return True
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_unspecified and not address.is_link_local and not address.is_loopback)


def checked_address(host: str, port: int, private_ok: bool, resolve: Resolver | None = None,
                    allow: frozenset[str] = frozenset()) -> str:
    """The address to connect to for `host`: resolved once; every address it has must be
    public unless `private_ok` (or, for a test's local server, named in `allow`)."""
    try:
        infos = (resolve or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise InvalidInput(f"could not fetch from {host}: {error}") from None
    if not infos:
        raise InvalidInput(f"could not fetch from {host}: the name has no address")
    if not private_ok:
        for info in infos:
            address = info[4][0]
            if address not in allow and not is_public(address):
                raise InvalidInput(f"cannot fetch from {host}: it is a private or local address (set "
                                   "CASEAPP_FETCH_PRIVATE=1 to allow it, e.g. for an intranet crawler)")
    return infos[0][4][0]


class _PinnedHTTP(http.client.HTTPConnection):
    private_ok = False
    resolve: Resolver | None = None
    allow: frozenset[str] = frozenset()

    peers: list | None = None

    def connect(self):
        address = checked_address(self.host, self.port, self.private_ok, type(self).resolve, self.allow)
        self.sock = socket.create_connection((address, self.port), self.timeout, self.source_address)
        if self.peers is not None:
            self.peers.append(address)


class _PinnedHTTPS(http.client.HTTPSConnection):
    private_ok = False
    resolve: Resolver | None = None
    allow: frozenset[str] = frozenset()

    peers: list | None = None

    def connect(self):
        address = checked_address(self.host, self.port, self.private_ok, type(self).resolve, self.allow)
        sock = socket.create_connection((address, self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)   # SNI and the name checked
        if self.peers is not None:
            self.peers.append(address)


def _handlers(private_ok: bool, resolve: Resolver | None, allow: frozenset[str], context=None,
              peers: list | None = None):
    settings = {"private_ok": private_ok, "resolve": staticmethod(resolve) if resolve else None, "allow": allow,
                "peers": peers}
    http_class = type("PinnedHTTP", (_PinnedHTTP,), settings)
    https_class = type("PinnedHTTPS", (_PinnedHTTPS,), settings)

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(http_class, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(https_class, req, context=self._context)

    class Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            check_url(newurl)   # the scheme here; the address when the new request connects
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [urllib.request.ProxyHandler({}), HTTPHandler(), HTTPSHandler(context=context), Redirects()]


def check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise InvalidInput(f"cannot fetch {url}: only http and https addresses are fetched")


def fetch(url: str, limit: int, timeout: float = 10.0, *, private_ok: bool = False,
          total_seconds: float = 60.0, resolve: Resolver | None = None, allow=frozenset(),
          context=None) -> tuple[bytes, str]:
    """Download `url`: its bytes (at most `limit`) and its content type. Anything wrong is
    InvalidInput saying what (refused address, unreachable, too large, too slow).
    `resolve` (getaddrinfo's signature), `allow` (exact addresses allowed although not
    public) and `context` (an ssl.SSLContext) are for tests."""
    check_url(url)
    opener = urllib.request.build_opener(*_handlers(private_ok, resolve, frozenset(allow), context))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with _opened(opener, request, url, timeout) as response:
        content_type = response.headers.get("Content-Type", "")
        body = _read_capped(response, url, limit, total_seconds)
    return body, content_type


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its answer, as sent and as received (headers in their order,
    repeats kept): what an evidence capture records. `peer` is the address connected to."""
    url: str
    method: str
    request_headers: list
    status: int
    reason: str
    headers: list
    body: bytes
    started_at: datetime
    peer: str | None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)


class _Keep(urllib.request.HTTPErrorProcessor):
    """Every status is an answer (3xx, 4xx, 5xx): no redirect is followed, no error raised."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def fetch_exchange(url: str, limit: int, timeout: float = 10.0, *, method: str = "GET", headers=(),
                   private_ok: bool = False, total_seconds: float = 60.0, resolve: Resolver | None = None,
                   allow=frozenset(), context=None) -> Exchange:
    """One request to `url` and its answer, whatever the status, with no redirect followed
    (the caller follows a Location itself, and each hop is checked again as a new request).
    The same address checks and caps as `fetch`; anything wrong is InvalidInput."""
    check_url(url)
    peers: list = []
    handlers = _handlers(private_ok, resolve, frozenset(allow), context, peers)[:-1]   # no Redirects
    opener = urllib.request.build_opener(*handlers, _Keep())
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, **dict(headers)})
    started = datetime.now(timezone.utc)
    with _opened(opener, request, url, timeout) as response:
        body = _read_capped(response, url, limit, total_seconds)
        status, reason, received = response.status, response.reason, list(response.headers.items())
    return Exchange(url, method, request.header_items(), status, reason, received, body, started,
                    peers[-1] if peers else None)


class _opened:
    """`opener.open(request)` with every failure turned into InvalidInput naming the URL."""

    def __init__(self, opener, request, url, timeout):
        self.opener, self.request, self.url, self.timeout = opener, request, url, timeout

    def __enter__(self):
        try:
            self.response = self.opener.open(self.request, timeout=self.timeout)
        except Exception as error:
            _refuse(self.url, error)
        return self.response

    def __exit__(self, kind, error, trace):
        self.response.close()
        if error is not None and not isinstance(error, InvalidInput):
            _refuse(self.url, error)
        return False


def _refuse(url: str, error: BaseException):
    if isinstance(error, InvalidInput):
        raise error
    if not isinstance(error, (urllib.error.URLError, OSError, ValueError, http.client.HTTPException)):
        raise error
    reason = getattr(error, "reason", error)
    if isinstance(reason, InvalidInput):
        raise reason from None
    raise InvalidInput(f"could not fetch {url}: {reason}") from None


def _read_capped(response, url: str, limit: int, total_seconds: float) -> bytes:
    deadline = time.monotonic() + total_seconds
    chunks, size = [], 0
    while size <= limit:
        chunk = response.read(min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise InvalidInput(f"{url} took longer than {total_seconds:.0f} s to download; not fetched")
    if size > limit:
        raise InvalidInput(f"{url} is larger than {_size(limit)}; not fetched")
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
