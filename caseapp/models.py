"""Every model of every domain, imported once so the metadata is complete (Alembic's
autogenerate and the drift check read it from here). The domains are found, not listed:
see caseapp.domains."""
from caseapp.domains import import_models

import_models()
