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


class Recording(http.server.BaseHTTPRequestHandler):
    """A page that records the Host header of every request it answers."""

    hosts: list = []

    def do_GET(self):
        type(self).hosts.append(self.headers["Host"])
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _resolver(*answers):
    """A resolver stub: each call answers the next address (the last one again and again)."""
    calls = []

    def resolve(host, port, *args, **kwargs):
        address = answers[min(len(calls), len(answers) - 1)]
        calls.append((host, address))
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve, calls


def test_the_connection_goes_to_the_address_that_was_checked(server, monkeypatch):
    """A name that resolves to a public address when checked and to loopback a moment later
    (DNS rebinding) is fetched from the public address or not at all, never from loopback."""
    hosts = Recording.hosts = []
    port = int(server(Recording).rsplit(":", 1)[1])
    resolve, calls = _resolver("93.184.216.34", "127.0.0.1")
    connected = []

    def no_internet(address, *args, **kwargs):   # record where it would connect; never leave the machine
        connected.append(address[0])
        raise OSError("test: no connection")

    monkeypatch.setattr(safe_http.socket, "create_connection", no_internet)
    with pytest.raises(InvalidInput, match="could not fetch"):
        safe_http.fetch(f"http://rebind.example:{port}/", 1000, resolve=resolve)
    assert calls == [("rebind.example", "93.184.216.34")] and connected == ["93.184.216.34"]
    assert hosts == []   # the local server (the loopback answer) was never asked


def test_the_checked_address_is_used_with_the_original_host_header(server):
    """The local server is allowed by its exact address (a test's explicit opt-in); the name
    resolves to it once, then to a private address: the fetch goes to the first answer and
    names the original host."""
    hosts = Recording.hosts = []
    port = int(server(Recording).rsplit(":", 1)[1])
    resolve, calls = _resolver("127.0.0.1", "10.0.0.1")
    data, _ = safe_http.fetch(f"http://pictures.example:{port}/a", 1000, resolve=resolve, allow={"127.0.0.1"})
    assert data == b"<html>hello</html>"
    assert calls == [("pictures.example", "127.0.0.1")] and hosts == [f"pictures.example:{port}"]


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.0.0.2", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
    "169.254.169.254", "192.0.2.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "ff0e::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1", "2002:7f00:1::1",
])
def test_every_kind_of_non_public_address_is_refused(address):
    resolve, _ = _resolver(address)
    with pytest.raises(InvalidInput, match="private or local address"):
        safe_http.fetch("http://inside.example/a.jpg", 1000, resolve=resolve)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"])
def test_public_addresses_are_accepted(address):
    assert safe_http.is_public(address)


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with pytest.raises(InvalidInput, match="private or local address"):
        safe_http.fetch("http://mixed.example/a.jpg", 1000, resolve=resolve)


def test_a_redirect_to_a_name_that_resolves_inside_is_refused(server):
    hosts = Recording.hosts = []
    inside = server(Recording)

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", f"http://inside.example:{inside.rsplit(':', 1)[1]}/secret")
            self.end_headers()

        def log_message(self, *args):
            pass

    outside = server(Redirect)
    answers = {"outside.example": "127.0.0.1", "inside.example": "127.0.0.2"}

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    with pytest.raises(InvalidInput, match="inside.example: it is a private or local address"):
        safe_http.fetch(f"http://outside.example:{outside.rsplit(':', 1)[1]}/", 1000, resolve=resolve,
                        allow={"127.0.0.1"})
    assert hosts == []


@pytest.fixture()
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for tls.example."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=tls.example", "-addext", "subjectAltName=DNS:tls.example", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    Recording.hosts = []
    running = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    running.socket = context.wrap_socket(running.socket, server_side=True)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running.server_address[1], ssl.create_default_context(cafile=str(cert))
    running.shutdown()


def test_https_to_the_checked_address_verifies_the_certificate_for_the_name(tls_server):
    port, trusting = tls_server
    resolve, calls = _resolver("127.0.0.1")
    data, _ = safe_http.fetch(f"https://tls.example:{port}/", 1000, resolve=resolve, allow={"127.0.0.1"},
                              context=trusting)
    assert data == b"<html>hello</html>" and Recording.hosts == [f"tls.example:{port}"]
    with pytest.raises(InvalidInput, match="certificate"):   # another name: the certificate does not fit
        safe_http.fetch(f"https://other.example:{port}/", 1000, resolve=resolve, allow={"127.0.0.1"},
                        context=trusting)
    with pytest.raises(InvalidInput, match="certificate"):   # not signed by anyone trusted
        safe_http.fetch(f"https://tls.example:{port}/", 1000, resolve=resolve, allow={"127.0.0.1"})


class Moved(http.server.BaseHTTPRequestHandler):
    """/old moves to /; / is a page with a header repeated; /gone is a 404."""

    def do_GET(self):
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html>here</html>" if self.path == "/" else b"not here"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_an_exchange_keeps_a_redirect_unfollowed_and_an_error_status_as_answers(server):
    base = server(Moved)
    moved = safe_http.fetch_exchange(base + "/old", 1000, allow={"127.0.0.1"})
    assert (moved.status, moved.header("location"), moved.body) == (301, "/", b"")
    assert moved.peer == "127.0.0.1" and moved.method == "GET"
    assert ("User-agent", safe_http.USER_AGENT) in moved.request_headers
    page = safe_http.fetch_exchange(base + "/", 1000, allow={"127.0.0.1"})
    assert (page.status, page.reason, page.body) == (200, "OK", b"<html>here</html>")
    assert [value for key, value in page.headers if key == "Set-Cookie"] == ["a=1", "b=2"]
    assert page.started_at.tzinfo is not None
    gone = safe_http.fetch_exchange(base + "/gone", 1000, allow={"127.0.0.1"})
    assert (gone.status, gone.body) == (404, b"not here")


def test_an_exchange_has_the_same_refusals_and_caps_as_a_fetch(server):
    base = server(Moved)
    with pytest.raises(InvalidInput, match="private or local address"):
        safe_http.fetch_exchange(base + "/", 1000)
    with pytest.raises(InvalidInput, match="larger than 10 bytes"):
        safe_http.fetch_exchange(base + "/", 10, allow={"127.0.0.1"})
    with pytest.raises(InvalidInput, match="only http and https"):
        safe_http.fetch_exchange("file:///etc/passwd", 10)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(InvalidInput, match=f"could not fetch http://127.0.0.1:{port}/"):
        safe_http.fetch_exchange(f"http://127.0.0.1:{port}/", 10, allow={"127.0.0.1"})
