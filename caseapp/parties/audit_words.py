"""The parties domain's audit events in words (see core.audit_words)."""
EVENTS = {"party.added": "Party added", "party.edited": "Party edited", "party.deleted": "Party deleted"}
