"""UK IPEC small claims track particulars of claim (CPR Part 63, Section V: rr. 63.27-63.28; PD 63;
CPR 16 and PD 16 for particulars; CPR 22 for the statement of truth), in English, for a copyright
claim of a value up to £10,000 against a party in England or Wales."""
from __future__ import annotations

from caseapp.filings import render as rendering
from caseapp.filings.render import PDF, RenderedFile

HEADING = ("IN THE HIGH COURT OF JUSTICE", "BUSINESS AND PROPERTY COURTS OF ENGLAND AND WALES",
           "INTELLECTUAL PROPERTY LIST (ChD)", "INTELLECTUAL PROPERTY ENTERPRISE COURT", "SMALL CLAIMS TRACK")
TRUTH = ("The Claimant believes that the facts stated in these Particulars of Claim are true. The Claimant understands "
         "that proceedings for contempt of court may be brought against anyone who makes, or causes to be made, a false "
         "statement in a document verified by a statement of truth without an honest belief in its truth.")


def render(facts, check, store) -> list[RenderedFile]:
    pdf = rendering.pdf("ipec.html", "en", {"f": facts, "check": check, "heading": HEADING, "truth": TRUTH,
                                            "notes": check.notes, "footer": f"{facts.ref} · IPEC small claims track"},
                        store)
    return [RenderedFile(f"{facts.ref}-ipec-particulars-of-claim.pdf", PDF, pdf)]
