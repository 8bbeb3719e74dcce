"""`python -m host_ats ...` (from examples/): the example ATS's commands.

Settings come from flags or the environment: HOST_ATS_DB (default host_ats.db),
HOST_ATS_RECRUITLINK_URL (default http://127.0.0.1:8000), HOST_ATS_API_KEY (the tenant's
recruitlink API key), HOST_ATS_WEBHOOK_SECRET (the endpoint's whsec_... secret; several,
comma-separated, while you rotate).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .db import Database
from .feed import catch_up, follow
from .push import add_application, add_candidate, add_job, move_application, push_changes
from .recruitlink_api import Recruitlink, RecruitlinkError


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="host_ats", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=env("HOST_ATS_DB", "host_ats.db"))
    parser.add_argument("--recruitlink", default=env("HOST_ATS_RECRUITLINK_URL",
                                                     "http://127.0.0.1:8000"))
    parser.add_argument("--api-key", default=env("HOST_ATS_API_KEY", ""))
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("seed", help="add a few jobs, candidates and applications")
    candidate = commands.add_parser("add-candidate", help="add or change a candidate")
    candidate.add_argument("id")
    candidate.add_argument("--first-name", required=True)
    candidate.add_argument("--last-name", required=True)
    candidate.add_argument("--email")
    candidate.add_argument("--phone")
    move = commands.add_parser("move", help="move an application to another stage")
    move.add_argument("application")
    move.add_argument("stage")
    commands.add_parser("push", help="send what changed here to recruitlink's data API")

    receive = commands.add_parser("receive", help="run the webhook receiver")
    receive.add_argument("--host", default="127.0.0.1")
    receive.add_argument("--port", type=int, default=9000)
    receive.add_argument("--secret", default=env("HOST_ATS_WEBHOOK_SECRET", ""),
                         help="the endpoint's signing secret(s), comma-separated")

    feed = commands.add_parser("feed", help="apply the change feed from the saved cursor")
    feed.add_argument("--follow", action="store_true", help="keep polling")
    feed.add_argument("--interval", type=float, default=5.0)
    feed.add_argument("--types", default="", help="comma-separated event types")

    commands.add_parser("show", help="what the ATS holds")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = Database(args.db)
    if args.command == "seed":
        seed(db)
        return 0
    if args.command == "add-candidate":
        add_candidate(db, args.id, args.first_name, args.last_name, email=args.email,
                      phone=args.phone)
        return 0
    if args.command == "move":
        if not move_application(db, args.application, args.stage):
            print(f"host_ats: no application {args.application}", file=sys.stderr)
            return 1
        return 0
    if args.command == "show":
        show(db)
        return 0
    if not args.api_key:
        print("host_ats: give recruitlink's API key (--api-key or HOST_ATS_API_KEY)",
              file=sys.stderr)
        return 2
    api = Recruitlink(args.recruitlink, args.api_key)
    try:
        if args.command == "push":
            report = push_changes(db, api)
            print("sent:", ", ".join(f"{n} {e}" for e, n in report.sent.items()) or "nothing")
            for entity, record_id, field, reason in report.refused:
                print(f"refused: {entity} {record_id} {field}: {reason}")
            return 1 if report.refused else 0
        if args.command == "feed":
            types = [t for t in args.types.split(",") if t]
            if args.follow:
                follow(db, api, interval=args.interval, types=types)
            else:
                print(f"applied {catch_up(db, api, types=types)} event(s)")
            return 0
        if args.command == "receive":
            return receive(db, api, args.secret, args.host, args.port)
    except RecruitlinkError as exc:
        print(f"host_ats: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    return 2


def receive(db: Database, api: Recruitlink, secret: str, host: str, port: int) -> int:
    import uvicorn

    from .receiver import PATH, create_receiver

    secrets = [s.strip() for s in secret.split(",") if s.strip()]
    if not secrets:
        print("host_ats: give the endpoint's secret (--secret or HOST_ATS_WEBHOOK_SECRET)",
              file=sys.stderr)
        return 2
    print(f"receiving at http://{host}:{port}{PATH}")
    uvicorn.run(create_receiver(db, api, secrets), host=host, port=port, log_level="warning")
    return 0


def seed(db: Database) -> None:
    description = ("We build the software recruiters use every day. "
                   "You will work with a small team on a product used by thousands.")
    add_job(db, "HA-J1", "Backend Engineer", location="Paris, FR", description=description)
    add_job(db, "HA-J2", "Product Designer", location="Lyon, FR", description=description)
    add_candidate(db, "HA-C1", "Ana", "Lima", email="ana.lima@example.com")
    add_candidate(db, "HA-C2", "Bo", "Chen", email="bo.chen@example.com", phone="+33612345678")
    add_application(db, "HA-A1", "HA-C1", "HA-J1")


def show(db: Database) -> None:
    print("integration:", db.get_state("integration_status", "unknown"),
          "| feed cursor:", db.get_state("feed_cursor", "-"))
    print("candidates:")
    for r in db.query("SELECT * FROM candidates ORDER BY id"):
        gone = " (deleted)" if r["deleted"] else ""
        print(f"  {r['id']}: {r['first_name']} {r['last_name']} <{r['email'] or ''}> "
              f"{r['phone'] or ''} [{r['origin']}]{gone}")
    print("applications:")
    for r in db.query("SELECT * FROM applications ORDER BY id"):
        print(f"  {r['id']}: {r['candidate_id']} -> {r['job_id']} ({r['stage']}) [{r['origin']}]")
    print("to look at:")
    for r in db.query("SELECT * FROM problems ORDER BY at, event_id"):
        print(f"  {r['kind']} {r['entity']} {r['record_id']} {r['field'] or ''}: {r['reason']}")
    count = db.query("SELECT COUNT(*) AS n FROM inbox")[0]["n"]
    print(f"events applied: {count}")
