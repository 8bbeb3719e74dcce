"""`recruitlink demo`'s first table names every URL whole, even in an 80-column terminal (or a
log file): a cut URL ("…/sandbox/organization…") cannot be opened."""

from __future__ import annotations

from rich.console import Console

from recruitlink.cli import demo as cli_demo


def test_every_url_is_printed_whole_at_80_columns(monkeypatch):
    narrow = Console(width=80, record=True, force_terminal=False)
    monkeypatch.setattr(cli_demo, "console", narrow)
    cli_demo._where_to_look("http://127.0.0.1:8866", "http://127.0.0.1:8161", "202604")
    text = "".join(ch for ch in narrow.export_text() if ch not in "│ \n")
    assert "…" not in narrow.export_text()
    for tenant in cli_demo.TENANTS:
        assert (f"http://127.0.0.1:8866/sandbox/organizations/{tenant.organization}/summary"
                in text)


def test_the_table_names_the_linkedin_api_family(monkeypatch):
    for version, words in (("202604", "versioned, LinkedIn-Version 202604 (Rest.li 2.0)"),
                           ("v2", "unversioned v2 (Rest.li 1.0)")):
        wide = Console(width=200, record=True, force_terminal=False)
        monkeypatch.setattr(cli_demo, "console", wide)
        cli_demo._where_to_look("http://127.0.0.1:8866", "http://127.0.0.1:8161", version)
        row = next(line for line in wide.export_text().splitlines() if "LinkedIn API" in line)
        assert words in row
