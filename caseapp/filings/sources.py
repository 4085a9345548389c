"""Where the filings read what another domain knows that no service of the core gives: the court
a case is before (the court domain). ONE function, so the tests replace one thing."""
from __future__ import annotations


def court_of(session, case):
    """The court case recorded on `case` (court_name, court_address with "\\n" between lines,
    file_number, route_id, filed_on), or None: none recorded, or no court domain installed."""
    try:
        from caseapp.court import services as court   # noqa: PLC0415 (optional domain)
    except ModuleNotFoundError:
        return None
    return court.court_case_of(session, case.id)
