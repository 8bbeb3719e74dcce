"""README tells how to certify against the demo's sandbox: the partner app it names is the one
`recruitlink demo` creates."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from recruitlink.cli import demo as cli_demo

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_names_the_demo_sandbox_partner_app():
    text = README.read_text()
    said = re.search(r"its partner app is `([^`]+)` with\s+the secret `([^`]+)`", text)
    assert said, "README's Certification section no longer names the demo's partner app"
    client_id, secret = said.groups()
    assert client_id == cli_demo.PARTNER_ID
    assert f'"{secret}"' in inspect.getsource(cli_demo)
