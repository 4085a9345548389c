"""The build. Metadata and dependencies are in setup.cfg; this file adds what setup.cfg
cannot say: the folders at the repository's root that the app reads at run time are
mapped into the package `caseapp.data` (found with importlib.resources, see
caseapp/core/resources.py), where they stay for people working in the checkout."""
from setuptools import find_packages, setup

BUNDLED = {  # package -> folder at the repository's root
    "caseapp.data.jurisdictions": "jurisdictions",
    "caseapp.data.migrations": "migrations",
    "caseapp.data.letters": "templates/letters",
    "caseapp.data.filings": "templates/filings",
}

setup(
    packages=find_packages(include=["caseapp", "caseapp.*", "matching", "matching.*"]) + list(BUNDLED),
    package_dir=BUNDLED,
    package_data={
        "caseapp": ["templates/**/*", "*/templates/**/*", "static/**/*",
                    "payouts/statement/*",          # the payout statement's template and style sheet
                    "payments/schemas/*",           # the camt.053 XML schemas bank statements are checked against
                    "parties/*.toml",
                    "filings/data/*.toml",          # the central Mahngerichte and the postal regions of the Länder               # the legal-notice words, statutes and postal-code patterns
                    "translations/*/LC_MESSAGES/*", "*/translations/*/LC_MESSAGES/*"],   # the German catalogues
        "matching": ["vocabulary.npz"],
        "caseapp.data.jurisdictions": ["*.toml", "*.json", "fees/*.toml"],
        "caseapp.data.migrations": ["*.mako", "versions/*.py"],
        "caseapp.data.letters": ["**/*"],
        "caseapp.data.filings": ["**/*"],
    },
)
