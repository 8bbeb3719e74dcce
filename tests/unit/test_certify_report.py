"""The certification report as written: who asks and against what, a rehearsal marked as
such, and Markdown that keeps the text as written while no page an answer holds is rendered."""

from __future__ import annotations

from datetime import UTC, datetime

from recruitlink.certify.cases import Case
from recruitlink.certify.harness import CaseResult, Report, as_json
from recruitlink.certify.recorder import Call
from recruitlink.certify.report import write_report

NOTE = "set `RECRUITLINK_LINKEDIN_API_VERSION` (v2 -> rest); got <script>x</script> a < b"


def report(*, sandbox: bool) -> Report:
    case = Case("RSC-101", "Module 2: sync ATS -> LinkedIn", "A `title`", "checks `this`")
    call = Call("GET", "/v2/x?q=a|b", 200, "uuid-1", None, '{"a":"<b>x</b>"}')
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Report(kind="RSC", api_url="https://api.linkedin.com", sandbox=sandbox,
                  family="rest", version="202604", tenant="certify-x",
                  organization="urn:li:organization:1", contract="urn:li:contract:1",
                  started_at=now, finished_at=now,
                  results=[CaseResult(case, "pass", [NOTE, f"kept: {as_json({'a': None})}"],
                                      [call])],
                  sections={}, teardown=[], public_url="https://ats.example",
                  receiver_url="http://127.0.0.1:9", product="recruitlink 0.1.0 (commit abc1234)",
                  client_id="partner-id")


def test_markdown_keeps_text_as_written_and_escapes_only_tags(tmp_path):
    write_report(report(sandbox=False), tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    assert ("- set `RECRUITLINK_LINKEDIN_API_VERSION` (v2 -> rest); got &lt;script>x&lt;/script>"
            " a < b") in markdown
    assert '- kept: {"a": null}' in markdown
    assert "| Module 2: sync ATS -> LinkedIn | A `title` |" in markdown
    assert "| GET /v2/x?q=a\\|b | 200 | uuid-1 |" in markdown
    assert '{"a":"&lt;b>x&lt;/b>"}' in markdown
    assert "| Vendor / product | recruitlink 0.1.0 (commit abc1234) |" in markdown
    assert "| Partner application (client id) | partner-id |" in markdown
    assert "| Target | https://api.linkedin.com (LinkedIn) |" in markdown
    assert "| Push callback registered | https://ats.example/linkedin/push/[redacted]" in markdown
    assert "Rehearsal" not in markdown


def test_a_sandbox_run_is_marked_as_a_rehearsal(tmp_path):
    write_report(report(sandbox=True), tmp_path)
    banner = "Rehearsal against the recruitlink sandbox, not evidence for LinkedIn"
    assert f"> **{banner}.**" in (tmp_path / "report.md").read_text()
    html = (tmp_path / "report.html").read_text()
    assert f'<p class="rehearsal" role="note">{banner}.</p>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
