"""recruitlink: the open-source ATS/CRM side of LinkedIn Recruiter System Connect and CRM
Connect."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line tool (rich.syntax, pygments: ~6 MB and ~50 ms in every
# process) whenever click and rich are installed, as our CLI needs them. No recruitlink process
# runs httpx's CLI, so that import is declined: httpx catches the ImportError by design.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
