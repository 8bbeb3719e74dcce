"""The certification report: Markdown and HTML from Jinja2 templates, what a vendor hands
LinkedIn when asking for certification. Holds no secret: the calls come from the recorder,
which never keeps one."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .harness import Report

MARKDOWN = "report.md"
HTML = "report.html"


def _environment(autoescape: bool) -> Environment:
    return Environment(loader=PackageLoader("recruitlink.certify", "templates"),
                       autoescape=select_autoescape(["html"]) if autoescape else False,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _md_cell(value: object) -> str:
    """Text safe in a Markdown table cell: no cell break, no code span, and no HTML a
    Markdown renderer would render (an answer may be a page)."""
    return (str(value).replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("`", "'").replace("\n", " "))


def write_report(report: Report, out: Path) -> list[Path]:
    """Write the report into `out` (created); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, autoescape in ((MARKDOWN, False), (HTML, True)):
        env = _environment(autoescape)
        env.filters["cell"] = _md_cell
        text = env.get_template(name + ".j2").render(report=report)
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
