"""CLI commands beside a demo find its key: with RECRUITLINK_SECRET_KEY unset, the settings
read `recruitlink.key` beside a SQLite database, and only there."""

from __future__ import annotations

from recruitlink.keys import generate
from recruitlink.settings import Settings


def test_an_unset_key_is_read_from_the_file_beside_the_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.delenv("RECRUITLINK_SECRET_KEY", raising=False)
    key = generate()
    (tmp_path / "recruitlink.key").write_text(key + "\n")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'recruitlink.db'}")
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == key
    # Relative to the working directory, as SQLite opens the file.
    monkeypatch.chdir(tmp_path)
    assert Settings().secret_key is not None


def test_the_environment_wins_and_other_databases_never_read_a_file(tmp_path, monkeypatch):
    (tmp_path / "recruitlink.key").write_text(generate())
    monkeypatch.chdir(tmp_path)
    given = generate()
    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", given)
    assert Settings().secret_key.get_secret_value() == given  # type: ignore[union-attr]
    monkeypatch.delenv("RECRUITLINK_SECRET_KEY")
    assert Settings(database_url="postgresql+psycopg://u@localhost/db").secret_key is None
    assert Settings(database_url="sqlite://").secret_key is None
    assert Settings(database_url=f"sqlite:///{tmp_path / 'none' / 'x.db'}").secret_key is None
