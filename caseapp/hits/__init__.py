"""Hits: sightings of clients' works on the web, their triage, and the rules applied at ingest."""
