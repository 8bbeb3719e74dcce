"""`python -m recruitlink.cli`, as the `recruitlink` command."""

from . import app

app()
