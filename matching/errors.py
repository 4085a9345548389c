"""The engine's own errors (DecodeError, for images, lives in decode.py)."""


class StaleIndex(ValueError):
    """Another process saved the index folder after this copy was loaded or saved: writing now
    would undo that save. Reload (Engine.reload_if_changed) and make the change again."""
