"""Safe fetching: the one way caseapp reaches the web (the page fetcher, crawler images, and
later evidence capture and address lookup).

- Only http and https.
- Unless private addresses are allowed (an intranet crawler, tests: CASEAPP_FETCH_PRIVATE),
  a name must resolve to public addresses only: loopback, private, link-local and reserved
  ones are refused, so a line from a crawler cannot make the server fetch from itself or
  the firm's network.
- The connection goes to the very address that was checked (the name is resolved once per
  request), so a DNS rebinding between the check and the fetch cannot slip through; TLS
  still verifies the certificate against the name.
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
from urllib.parse import urlparse

from caseapp.core.errors import InvalidInput

SCHEMES = ("http", "https")
USER_AGENT = "caseapp-fetcher/1"


def checked_address(host: str, port: int, private_ok: bool) -> str:
    """The address to connect to for `host`: resolved once; every address it has must be
    public unless `private_ok`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidInput(f"could not fetch from {host}: {error}") from None
    if not infos:
        raise InvalidInput(f"could not fetch from {host}: the name has no address")
    if not private_ok:
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not address.is_global:
                raise InvalidInput(f"cannot fetch from {host}: it is a private or local address (set "
                                   "CASEAPP_FETCH_PRIVATE=1 to allow it, e.g. for an intranet crawler)")
    return infos[0][4][0]


class _PinnedHTTP(http.client.HTTPConnection):
    private_ok = False

    def connect(self):
        address = checked_address(self.host, self.port, self.private_ok)
        self.sock = socket.create_connection((address, self.port), self.timeout, self.source_address)


class _PinnedHTTPS(http.client.HTTPSConnection):
    private_ok = False

    def connect(self):
        address = checked_address(self.host, self.port, self.private_ok)
        sock = socket.create_connection((address, self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _handlers(private_ok: bool):
    http_class = type("PinnedHTTP", (_PinnedHTTP,), {"private_ok": private_ok})
    https_class = type("PinnedHTTPS", (_PinnedHTTPS,), {"private_ok": private_ok})

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(http_class, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(https_class, req, context=self._context)

    class Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            check_url(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [urllib.request.ProxyHandler({}), HTTPHandler(), HTTPSHandler(), Redirects()]


def check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise InvalidInput(f"cannot fetch {url}: only http and https addresses are fetched")


def fetch(url: str, limit: int, timeout: float = 10.0, *, private_ok: bool = False,
          total_seconds: float = 60.0) -> tuple[bytes, str]:
    """Download `url`: its bytes (at most `limit`) and its content type. Anything wrong is
    InvalidInput saying what (refused address, unreachable, too large, too slow)."""
    check_url(url)
    opener = urllib.request.build_opener(*_handlers(private_ok))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    deadline = time.monotonic() + total_seconds
    chunks, size = [], 0
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            while size <= limit:
                chunk = response.read(min(65536, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise InvalidInput(f"{url} took longer than {total_seconds:.0f} s to download; not fetched")
    except InvalidInput:
        raise
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, InvalidInput):
            raise reason from None
        raise InvalidInput(f"could not fetch {url}: {reason}") from None
    if size > limit:
        raise InvalidInput(f"{url} is larger than {_size(limit)}; not fetched")
    return b"".join(chunks), content_type


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
