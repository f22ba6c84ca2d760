"""Identity of a sweeping process, recorded in the leases it takes."""

from __future__ import annotations

import os
import socket
import uuid


def default_worker_id() -> str:
    """host:pid:random — unique per process so leases can be told apart."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
