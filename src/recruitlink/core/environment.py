"""The environment guard (issue 19.7): an instance that is not production never calls a
LinkedIn app registered as production, so test data never reaches a customer's Recruiter
(and a customer's data never reaches a test instance).

The instance says what it is (RECRUITLINK_ENVIRONMENT); LinkedIn says what the app is, with
each token (`core.assumed.app_environment_of`). Fail closed: a non-production instance calls
only apps LinkedIn names DEVELOPMENT; an app whose environment LinkedIn did not name is
refused too. A production instance calls any app.
"""

from __future__ import annotations

from typing import Literal

from .assumed import APP_ENVIRONMENTS, AppEnvironment

InstanceEnvironment = Literal["production", "staging", "development"]
INSTANCE_ENVIRONMENTS: tuple[InstanceEnvironment, ...] = ("production", "staging",
                                                          "development")
SETTING = "RECRUITLINK_ENVIRONMENT"


def refusal(instance: str, app: AppEnvironment | None, app_name: str) -> str | None:
    """Why this instance may not call the app `app_name` (a client id or app URN), or None
    when it may."""
    if instance == "production" or app == "DEVELOPMENT":
        return None
    if app is None:
        return (f"This instance is {instance}; LinkedIn did not say whether app {app_name} "
                f"is production: nothing is sent. Use a development LinkedIn app, or set "
                f"{SETTING}=production if this instance is production.")
    return (f"This instance is {instance}; LinkedIn app {app_name} is production: nothing "
            f"is sent. Use a development LinkedIn app, or set {SETTING}=production if this "
            f"instance is production.")


def kept_refusal(instance: str, said: str | None, app_name: str | None) -> str | None:
    """`refusal` for what a connection keeps of its app (`connections.app_environment`:
    PRODUCTION, DEVELOPMENT, UNKNOWN; None: LinkedIn not asked yet, so nothing to say)."""
    if said is None:
        return None
    app = next((e for e in APP_ENVIRONMENTS if e == said), None)
    return refusal(instance, app, app_name or "(unknown)")
