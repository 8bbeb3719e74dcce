"""Files that hold secrets or personal data are created readable by their owner only."""

from __future__ import annotations

import os


def create_private(path: str) -> None:
    """Create the SQLite file `path` readable and writable by its owner only (0600) unless it
    exists: it holds sealed secrets and personal data. SQLite gives the -wal and -shm files
    it makes beside it the same mode. A missing directory is left for SQLite to report."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError, NotADirectoryError):
        return
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)
