"""Evidence: captures of pages in use (WARC, screenshot, rendered HTML, the image as served), their
hash chain, and take-down checks."""
from caseapp.core.domain import Domain

EVIDENCE = "Evidence"

DOMAIN = Domain(
    name="evidence",
    description="Captures of pages in use: WARC, screenshot, hashes, take-down checks.",
    cli="caseapp.evidence.cli",
)
