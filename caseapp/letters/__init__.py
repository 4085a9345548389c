"""Letters: what the firm writes to a recipient or a client about a case (offer, reminders,
settlement letters, the lawyer's warning letter, status updates), rendered from the templates in
`templates/letters/<kind>/<lang>.html` (and `.docx`), stored in the file store and sent by email
or post."""
from caseapp.core.domain import Domain, permission
from caseapp.core.i18n import N_
from caseapp.core.security import ACCOUNTANT, HANDLER, LAWYER, MANAGER

LETTER = "Letter"

DOMAIN = Domain(
    name="letters",
    description="Letters to recipients and clients: rendered in the recipient's language, stored, sent.",
    permissions=(
        permission(LETTER, "read", N_("See a case's letters, preview them, download their PDF"), HANDLER, LAWYER,
                   ACCOUNTANT, MANAGER),
        permission(LETTER, "write", N_("Issue a letter on a case and send it (email or post)"), HANDLER, LAWYER),
    ),
    models="caseapp.letters.models",
    views="caseapp.letters.views",
    cli="caseapp.letters.cli",
    audit_words="caseapp.letters.audit_words",
    personal_data="caseapp.letters.personal_data",
)
