"""The image-matching engine: finds modified copies (crops, overlays, screenshots,
flips, rotations, recompression...) of reference images. A library with its own
command line (python -m matching); it imports neither flask nor caseapp."""
from .decode import DecodeError
from .engine import (THRESHOLD, Engine, Match, Query, hashed_signature, query_signature, signature, signature_bytes,
                     signature_from_bytes)
from .errors import StaleIndex

__all__ = ["DecodeError", "Engine", "Match", "Query", "StaleIndex", "THRESHOLD", "hashed_signature", "query_signature",
           "signature", "signature_bytes", "signature_from_bytes"]
