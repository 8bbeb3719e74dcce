"""`recruitlink keys …`: make a secret key, re-encrypt stored secrets with the current one; and
the check every command that needs the key makes before it starts.

    recruitlink keys generate                        # prints a fresh key
    RECRUITLINK_SECRET_KEY=new RECRUITLINK_PREVIOUS_SECRET_KEYS=old recruitlink keys rotate
"""

from __future__ import annotations

import typer
from rich.console import Console

from ..errors import ConfigurationError
from ..settings import Settings

console = Console()
app = typer.Typer(
    name="keys", no_args_is_help=True,
    help="The secret key: generate one; rotate (re-encrypt stored secrets with the current "
         "key).")


def require_key_or_exit(settings: Settings) -> None:
    """Exit 2 with the reason and how to make a key unless the settings hold an adequate one."""
    from ..keys import require_secret_key

    try:
        require_secret_key(settings)
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


@app.command("generate")
def generate() -> None:
    """Print a fresh secret key (32 random bytes, URL-safe base64) for RECRUITLINK_SECRET_KEY."""
    from ..keys import generate as make_key

    typer.echo(make_key())


@app.command("rotate")
def rotate(
    database_url: str | None = typer.Option(None, "--database-url",
                                            help="Default: RECRUITLINK_DATABASE_URL."),
) -> None:
    """Re-encrypt every stored secret with RECRUITLINK_SECRET_KEY (one transaction). Secrets
    sealed with a key in RECRUITLINK_PREVIOUS_SECRET_KEYS (or by an earlier release) are
    opened with it; those already sealed with the current key are left alone."""
    from ..crypto import secret_box
    from ..store import Database
    from ..store.connections import reseal_secrets
    from ..store.migrate import upgrade

    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    require_key_or_exit(settings)
    box = secret_box(settings)
    db = Database(settings.database_url)
    try:
        upgrade(db)
        with db.write() as conn:
            resealed, total = reseal_secrets(conn, box)
    except ConfigurationError as exc:
        console.print(f"[red]error:[/red] {exc.message}; nothing was changed", highlight=False,
                      soft_wrap=True)
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    console.print(f"Re-encrypted {resealed} of {total} stored secrets with the current key.",
                  highlight=False)
