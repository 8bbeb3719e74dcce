"""`python -m recruitlink.cli`, as the `recruitlink` command."""

from . import app

if __name__ == "__main__":
    app()
