"""core's background task: the probe, which checks that work queued here is run by a worker end
to end (`caseapp jobs probe`; the tests kill a worker under it)."""
from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from caseapp.core.jobs import DONE, background, run_job


@background("core.probe")
def probe(job_id: int, wait_for: str | None = None, seconds: int = 600, note: str | None = None) -> str:
    """Job `job_id`: wait until the file `wait_for` exists (at most `seconds`), then finish with the
    worker's host and process. The process that finishes it appends a line to `note` (a file), so a
    test can count how many times the work completed, whatever number of times it was delivered."""
    def work(progress):
        deadline = time.monotonic() + seconds
        progress(0, 1, "waiting" if wait_for else "running")
        while wait_for and not Path(wait_for).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{wait_for} did not appear within {seconds} s")
            time.sleep(0.1)
        return {"host": socket.gethostname(), "pid": os.getpid()}

    state = run_job(job_id, work)
    if note and state == DONE:      # this delivery finished it
        with open(note, "a") as out:
            out.write(f"{job_id} {os.getpid()}\n")
    return state
