"""Alembic's migrations of the whole schema. Installed as the package data
`caseapp.data.migrations` (see setup.py) so that an installed caseapp can run
`caseapp db upgrade`; found by caseapp.core.schema. This file holds no code."""
