"""Country rules as data (one TOML file a country, fee tables in fees/, schema.json).
Installed as the package data `caseapp.data.jurisdictions` (see setup.py); read by
caseapp.feasibility.rules. This file holds no code."""
