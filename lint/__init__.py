"""Checks of the code's shape that run with the tests (import-linter contracts)."""
