"""Personal data (GDPR): what the firm holds on a person we claim against, with its sources
(Art. 15(1)(g), Art. 14), exported on request; and what is past retention, purged (Art. 5(1)(e),
Art. 17). Every domain that holds data on a party says so in its own `personal_data` module
(core.personal_data); this domain asks them all through `caseapp.domains` and imports none."""
from caseapp.core.domain import Domain, MenuEntry, permission
from caseapp.core.i18n import N_

PERSONAL_DATA = "PersonalData"

DOMAIN = Domain(
    name="gdpr",
    description="Personal data: export what is held on a party (with sources), purge what is past retention.",
    permissions=(
        # Admin only (permission() grants Admin everything): an export is every record on a person, and
        # a purge cannot be undone. Neither is a "read" action, so the Auditor does not get them.
        permission(PERSONAL_DATA, "export", N_("Export everything held on a party, with its sources (GDPR Art. 15)")),
        permission(PERSONAL_DATA, "purge", N_("Purge personal data past retention (GDPR Art. 17)")),
    ),
    menu=(MenuEntry(N_("Personal data"), PERSONAL_DATA, "export", "/gdpr/", "fa-user-secret", order=95,
                    category=N_("Records")),),
    views="caseapp.gdpr.views",
    cli="caseapp.gdpr.cli",
    audit_words="caseapp.gdpr.audit_words",
)
