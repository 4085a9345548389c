"""Believable demo data: clients, works with real image files, parties in many
countries, cases in every stage. Used by `make run`, the tests and benchmarks."""
