"""The ledger's audit events in words (see core.audit_words)."""
EVENTS = {"ledger.posted": "Ledger entry posted"}
