"""Who is asking for certification: the product, its version and (from a git checkout) the
commit it runs, for the report's header."""

from __future__ import annotations

import subprocess
from pathlib import Path

from recruitlink import __version__


def product() -> str:
    """"recruitlink <version>", with " (commit <sha>)" when it runs from a git checkout."""
    commit = git_commit()
    return f"recruitlink {__version__}" + (f" (commit {commit})" if commit else "")


def git_commit() -> str | None:
    """The commit of the checkout the package runs from; None when it is not one (an
    installed wheel) or git is missing."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here,
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None
