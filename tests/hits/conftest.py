"""Fixtures the hits tests share: a client and one of its works."""
from __future__ import annotations

import pytest

from tests.clients.factories import make_client, make_work


@pytest.fixture()
def holder(db_session):
    return make_client(db_session)


@pytest.fixture()
def work(db_session, holder):
    return make_work(db_session, holder)
