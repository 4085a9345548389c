"""Where the filings read what the court domain knows: the court a case is before."""
from __future__ import annotations

from caseapp.court import services as court


def court_of(session, case):
    """The court case recorded on `case` (court_name, court_address with "\\n" between lines,
    file_number, route_id, filed_on), or None when none is recorded."""
    return court.court_case_of(session, case.id)
