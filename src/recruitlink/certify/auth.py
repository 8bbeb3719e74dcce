"""Access tokens (RSC-106; CRM-001..005) and API versioning (RSC-505)."""

from __future__ import annotations

import secrets

from recruitlink.errors import (
    CaseFailed,
    LinkedInAuthError,
    LinkedInVersionSunset,
    RecruitlinkError,
)
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.tokens import TokenCache
from recruitlink.linkedin.versions import DEFAULT_API_VERSION, SETTING

from .harness import Check, Harness, api_family, as_json


def tokens(run: Harness) -> None:
    apps = 1 + len(run.tenant_ids)  # the partner and each tenant's child app
    minted = run.tokens.minted
    requests = list(run.recorder.token_requests)
    crm = run.options.kind == "CRM"

    def post_form(check: Check) -> None:
        bad = [r for r in requests
               if r[0] != "POST" or "application/x-www-form-urlencoded" not in r[1]]
        check.that(requests and not bad, f"token requests not POSTed as a form: {as_json(bad)}")
        check.note(f"{len(requests)} token requests, each a form-encoded POST")

    def reused(check: Check) -> None:
        check.that(minted <= apps, f"{minted} tokens minted for {apps} applications")
        check.note(f"{minted} tokens for {apps} applications over the whole run")

    def renewed(check: Check) -> None:
        if run.control is None:
            check.manual("wait for a token to expire (30 minutes) and run a sync step")
            return
        # The tenant's tokens end their life on LinkedIn's side; the sandbox's clock, which
        # its other users share, is not moved.
        expired = run.control.expire_tokens(str(run.info().app_key))
        check.that(expired, "the tenant's application held no token to expire")
        before = run.tokens.minted
        run.client().integrations([run.client().integration_key(
            run.organization, run.types()[0])])
        refused = [c for c in run.recorder.calls.get(run.recorder.current, [])
                   if c.status == 401]
        check.that(refused and run.tokens.minted == before + 1,
                   "the expired token was not renewed after LinkedIn's 401")
        check.note("the token's life ended on LinkedIn's side (the sandbox expired it): the "
                   "call got 401, one new token, and went through")

    if not crm:
        with run.case("RSC-106") as check:
            post_form(check)
            reused(check)
            renewed(check)
        return
    with run.case("CRM-001") as check:
        post_form(check)
    with run.case("CRM-002") as check:
        reused(check)
    with run.case("CRM-003") as check:
        renewed(check)
    with run.case("CRM-004") as check:
        info = run.info()
        wrong = "wrong-" + secrets.token_urlsafe(16)
        run.recorder.forget(wrong)
        bad = LinkedInClient(api_url=run.engine.settings.api_url,
                             oauth_url=run.engine.settings.oauth_url,
                             client_id=str(info.client_id), client_secret=wrong,
                             http=run.http, tokens=TokenCache(),
                             environment=run.engine.settings.environment)
        asked = len(run.recorder.token_requests)
        try:
            bad.integrations([bad.integration_key(run.organization, run.types()[0])])
        except LinkedInAuthError as exc:
            check.note(f"refused: {exc.message}")
        else:
            raise CaseFailed("wrong credentials were accepted")
        tries = len(run.recorder.token_requests) - asked
        check.that(tries == 1, f"{tries} token requests for refused credentials")
    with run.case("CRM-005") as check:
        leaked = [u for u in run.recorder.urls
                  if any(s in u for s in run.recorder.secrets)]
        check.that(not leaked, f"{len(leaked)} URLs carry a token or secret")
        check.note(f"{len(run.recorder.urls)} calls, none with a token or secret in "
                   "its URL; tokens only in the Authorization header")


def versioning(run: Harness) -> None:
    family, version = api_family(run.settings)
    with run.case("RSC-505") as check:
        check.note(f"API family in use: {family}; LinkedIn-Version: {version}")
        client = run.client()
        client.integrations([client.integration_key(run.organization, run.types()[0])])
        check.note("the configured family and version are live: a read went through")
        refused, answer = _sunset_refused(run)
        versioned = version != "none"
        if refused:
            check.note(f"LinkedIn-Version {run.options.sunset_version} (sunset) is "
                       f"refused with 426, and the client says: {answer}")
        elif versioned:
            raise CaseFailed(f"a sunset LinkedIn-Version {run.options.sunset_version} "
                             f"was not refused with 426: {answer}")
        else:
            check.note(f"the target's /rest, asked with a sunset version: {answer}")
        if not versioned:
            check.note("migration plan: the versioned /rest family is one setting away "
                       f"({SETTING}={DEFAULT_API_VERSION}, or certify --api-version "
                       f"{DEFAULT_API_VERSION})")


def _sunset_refused(run: Harness) -> tuple[bool, str]:
    """The product's client set to a sunset LinkedIn-Version makes one read: whether
    LinkedIn refused it (426, `LinkedInVersionSunset`), and what happened."""
    info, s = run.info(), run.engine.settings
    client = LinkedInClient(api_url=s.api_url, oauth_url=s.oauth_url,
                            client_id=str(info.client_id),
                            client_secret=str(info.client_secret), http=run.http,
                            tokens=run.tokens, api_version=run.options.sunset_version,
                            environment=s.environment)
    try:
        client.integrations([client.integration_key(run.organization, run.types()[0])])
    except LinkedInVersionSunset as exc:
        return True, exc.message
    except RecruitlinkError as exc:
        return False, exc.message
    return False, "the call went through"
