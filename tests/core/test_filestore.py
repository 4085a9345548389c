import hashlib

import pytest

from caseapp.core.filestore import FileStore


def test_content_addressed_and_immutable(tmp_path):
    store = FileStore(tmp_path)
    sha = store.put(b"image bytes")
    assert sha == hashlib.sha256(b"image bytes").hexdigest()
    assert store.read(sha) == b"image bytes"
    assert store.put(b"image bytes") == sha  # same bytes, same file
    path = store.path_for(sha)
    assert not (path.stat().st_mode & 0o222)  # read-only: a stored file never changes
    assert not list(path.parent.glob(".incoming-*"))


def test_refuses_names_that_are_not_hashes(tmp_path):
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
    assert not store.exists("../secret")
