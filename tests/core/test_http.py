"""Safe fetching (core.http): public http(s) addresses only, redirects checked, and the
connection made to the very address that was checked (no DNS rebinding)."""
from __future__ import annotations

import http.server
import socket
import threading

import pytest

from caseapp.core import http as safe_http
from caseapp.core.errors import InvalidInput


@pytest.fixture()
def server():
    servers = []

    def start(handler):
        running = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=running.serve_forever, daemon=True).start()
        servers.append(running)
        return f"http://127.0.0.1:{running.server_address[1]}"

    yield start
    for running in servers:
        running.shutdown()


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_private_and_local_addresses_and_other_schemes_are_refused():
    for url in ("http://127.0.0.1/a.jpg", "http://10.1.2.3/a.jpg", "http://[::1]/a.jpg", "http://169.254.169.254/"):
        with pytest.raises(InvalidInput, match="private or local address"):
            safe_http.fetch(url, 1000)
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/"):
        with pytest.raises(InvalidInput, match="only http and https"):
            safe_http.fetch(url, 1000, private_ok=True)


def test_a_redirect_is_checked_like_the_first_address(server):
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/secret")
            self.end_headers()

        def log_message(self, *args):
            pass

    with pytest.raises(InvalidInput, match="only http and https"):
        safe_http.fetch(server(Redirect) + "/", 1000, private_ok=True)


def test_size_cap(server):
    base = server(Page)
    assert safe_http.fetch(base + "/", 1000, private_ok=True) == (b"<html>hello</html>", "text/html")
    with pytest.raises(InvalidInput, match="larger than 10 bytes"):
        safe_http.fetch(base + "/", 10, private_ok=True)


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    """A name that resolves to a public address when checked and to loopback a moment later
    (DNS rebinding) is fetched from the public address or not at all, never from loopback."""
    base = server(Page)
    port = int(base.rsplit(":", 1)[1])
    answers = iter([("93.184.216.34", port)] + [("127.0.0.1", port)] * 10)
    real_getaddrinfo = socket.getaddrinfo
    resolved, connected = [], []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real_getaddrinfo(host, *args, **kwargs)
        address = next(answers)
        resolved.append(address[0])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]

    def no_internet(address, *args, **kwargs):   # record where it would connect; never leave the machine
        connected.append(address[0])
        raise OSError("test: no connection")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", no_internet)
    with pytest.raises(InvalidInput, match="could not fetch"):
        safe_http.fetch(f"http://rebind.example:{port}/", 1000)
    assert resolved == ["93.184.216.34"] and connected == ["93.184.216.34"]
