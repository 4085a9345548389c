import pytest


@pytest.fixture(autouse=True)
def no_dashboard_kept():
    """Each test's data set is new (and SQLite reuses its ids): no dashboard kept from another."""
    from caseapp.reports.views import forget

    forget()
    yield
    forget()
