"""The certification report: Markdown and HTML from Jinja2 templates, what a vendor hands
LinkedIn when asking for certification. Holds no secret: the calls come from the recorder,
which never keeps one."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, PackageLoader

from .harness import Report

MARKDOWN = "report.md"
HTML = "report.html"


def _environment(autoescape: bool) -> Environment:
    return Environment(loader=PackageLoader("recruitlink.certify", "templates"),
                       # The templates end in .j2: select_autoescape(["html"]) never matched
                       # them, and an answer holding a page went into the HTML as is.
                       autoescape=autoescape,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
"""Where an HTML tag (or comment) would start: the only `<` a Markdown renderer acts on."""


def _md_text(value: object) -> str:
    """Text as written (backticks, `->`, quotes kept), on one line, with no HTML a Markdown
    renderer would render (an answer may be a page)."""
    return TAG_START.sub("&lt;", str(value)).replace("\n", " ")


def _md_cell(value: object) -> str:
    """`_md_text` that also stays in its table cell."""
    return _md_text(value).replace("|", "\\|")


def write_report(report: Report, out: Path) -> list[Path]:
    """Write the report into `out` (created); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, autoescape in ((MARKDOWN, False), (HTML, True)):
        env = _environment(autoescape)
        env.filters["cell"] = _md_cell
        env.filters["text"] = _md_text
        text = env.get_template(name + ".j2").render(report=report)
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
