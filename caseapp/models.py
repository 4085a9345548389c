"""Every model of every domain, imported once so the metadata is complete
(Alembic's autogenerate and the drift test read it from here)."""
from flask_appbuilder.security.sqla import models as _fab_security_models  # noqa: F401

from caseapp.cases.models import Case, CaseItem, CaseNote  # noqa: F401
from caseapp.core.audit import AuditEvent  # noqa: F401
from caseapp.core.models import metadata  # noqa: F401
from caseapp.core.sequences import Counter  # noqa: F401
from caseapp.core.tokens import ApiToken  # noqa: F401
from caseapp.infringers.models import Infringer  # noqa: F401
from caseapp.rightsholders.models import RightsHolder, Work  # noqa: F401
from caseapp.hits.models import DomainRule, Hit, HitDecision, HitDecisionItem, Sighting, WorkSignature  # noqa: F401
