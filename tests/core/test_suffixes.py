"""The registered domain from the bundled Public Suffix List, without the network."""
import socket

import pytest

from caseapp.core.suffixes import registered_domain


@pytest.fixture()
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the suffix list must not be downloaded")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("given, domain", [
    ("https://www.shop.example.co.uk/impressum", "example.co.uk"),
    ("https://bücher.example.at/", "example.at"),
    ("foto-mueller.de", "foto-mueller.de"),
    ("WWW.Foto-Mueller.DE.", "foto-mueller.de"),
    ("http://blog.foo.blogspot.com/x", "foo.blogspot.com"),     # a private suffix: its own site owner
    ("https://example.com:8443/a", "example.com"),
    ("http://127.0.0.1:8000/", None),
    ("localhost", None),
    ("", None),
])
def test_registered_domain(no_network, given, domain):
    assert registered_domain(given) == domain
