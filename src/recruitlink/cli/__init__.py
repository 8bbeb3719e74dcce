"""`recruitlink`: the command line. Each module of this package holds one command group (its
`app` is named: `recruitlink sync ...`) or top-level commands (an unnamed `app`), each command
decorated on that module's `app`; here they all join the one root."""

from __future__ import annotations

import typer

from . import (
    apikeys,
    candidates,
    certify,
    compliance,
    connect,
    db,
    demo,
    events,
    identity,
    inbound,
    keys,
    policy,
    seed,
    server,
    sync,
    tenants,
    users,
    webhooks,
    worker,
)

app = typer.Typer(help="recruitlink: connect an ATS/CRM to LinkedIn Recruiter (RSC and CRM "
                       "Connect), with a local LinkedIn sandbox.", no_args_is_help=True)

for _commands in (server, demo, seed, connect, worker, certify,  # top-level commands
                  sync, inbound, policy, users, keys, db, tenants, apikeys,  # groups
                  webhooks, events, compliance, candidates, identity):
    app.add_typer(_commands.app)
