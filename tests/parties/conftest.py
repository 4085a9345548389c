from __future__ import annotations

import pytest

from tests.parties import sites


@pytest.fixture(scope="module")
def web():
    server, port = sites.serve_sites()
    yield port
    server.shutdown()


@pytest.fixture(scope="module")
def rdap_server():
    server, port = sites.serve_rdap()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


@pytest.fixture()
def rdap_bootstrap(rdap_server, tmp_path):
    """The bootstrap loaded for one test (whoisit keeps it module-global), cleared afterwards."""
    import whoisit

    whoisit.clear_bootstrapping()
    path = tmp_path / "rdap-bootstrap.json"
    path.write_text(sites.bootstrap(rdap_server))
    whoisit.load_bootstrap_data(path.read_text(), allow_insecure=True)
    yield path
    whoisit.clear_bootstrapping()


@pytest.fixture()
def no_rdap():
    import whoisit

    whoisit.clear_bootstrapping()
    yield
    whoisit.clear_bootstrapping()


@pytest.fixture()
def fetcher():
    from caseapp.parties.lookup.pages import Fetcher

    return Fetcher(allow=frozenset({"127.0.0.1"}), resolve=sites.resolver, timeout=5)
