"""Evidence: captures of pages in use (WARC, screenshot, rendered HTML, the image as served), their
hash chain, and take-down checks."""
from caseapp.core.domain import Domain, permission
from caseapp.core.i18n import N_
from caseapp.core.security import HANDLER, LAWYER, MANAGER

EVIDENCE = "Evidence"

DOMAIN = Domain(
    name="evidence",
    description="Captures of pages in use: WARC, screenshot, hashes, take-down checks.",
    permissions=(
        permission(EVIDENCE, "read", N_("See captures of pages: screenshot, hashes, files, evidence report"),
                   HANDLER, LAWYER, MANAGER),
        permission(EVIDENCE, "capture", N_("Capture a page now; check whether an image is still online"),
                   HANDLER, LAWYER),
    ),
    models="caseapp.evidence.models",
    views="caseapp.evidence.views",
    cli="caseapp.evidence.cli",
    tasks="caseapp.evidence.tasks",
    audit_words="caseapp.evidence.audit_words",
    personal_data="caseapp.evidence.personal_data",
)
