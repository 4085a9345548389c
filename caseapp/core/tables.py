"""core's own tables: the audit trail, numbering counters, API tokens, people's preferences, jobs."""
from caseapp.core.audit import AuditEvent  # noqa: F401
from caseapp.core.sequences import Counter  # noqa: F401
from caseapp.core.tokens import ApiToken  # noqa: F401
from caseapp.core.preferences import UserPreference  # noqa: F401
from caseapp.core.jobs import Job  # noqa: F401
