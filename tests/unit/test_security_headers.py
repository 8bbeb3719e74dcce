"""The safe-URL filter of the pages and the security headers middleware, in process."""

from __future__ import annotations

import pytest

from recruitlink.web.headers import origin_of, page_policy
from recruitlink.web.pages.render import env, http_url


@pytest.mark.parametrize("value", [
    "https://www.linkedin.com/in/ada", "http://careers.example.com/jobs/1?ref=li#apply",
    "HTTPS://EXAMPLE.COM/"])
def test_http_urls_pass_the_filter(value: str) -> None:
    assert http_url(value) == value


@pytest.mark.parametrize("value", [
    None, "", "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<b>x</b>",
    "vbscript:msgbox(1)", "/t/acme/logout", "//evil.example/", "https://", "mailto:a@b.c"])
def test_anything_else_is_no_link(value: str | None) -> None:
    assert http_url(value) is None


def test_a_template_renders_a_bad_url_as_escaped_text_only() -> None:
    template = env.from_string(
        '{% with href = u | http_url %}{% if href %}<a href="{{ href }}">{{ u }}</a>'
        '{% else %}<span>{{ u }}</span>{% endif %}{% endwith %}')
    assert template.render(u="javascript:alert('<x>')") == (
        "<span>javascript:alert(&#39;&lt;x&gt;&#39;)</span>")
    assert template.render(u="https://a.example/?q=<x>") == (
        '<a href="https://a.example/?q=&lt;x&gt;">https://a.example/?q=&lt;x&gt;</a>')


def test_the_policy_names_the_linkedin_origin_only() -> None:
    assert origin_of("https://api.linkedin.com/rest/") == "https://api.linkedin.com"
    policy = page_policy("http://127.0.0.1:8765/")
    assert "script-src 'self' http://127.0.0.1:8765;" in policy
    assert "frame-src http://127.0.0.1:8765;" in policy
    assert "'unsafe-inline'" not in policy
