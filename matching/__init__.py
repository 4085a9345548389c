"""The image-matching engine: a library with its own command line
(python -m matching). It imports neither flask nor caseapp."""
