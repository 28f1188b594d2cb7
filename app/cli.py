"""`claimreview serve | migrate | keys | demo | import | export | reindex`: the command line."""

import argparse
import sys
from collections.abc import Sequence

from app.config import get_settings
from app.domain import keys
from app.domain.access import COMMAND_LINE
from app.domain.schemas import ApiKeyCreate, Role
from app.errors import AppError
from app.storage.database import make_database
from app.storage.migrate import upgrade


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.api.hygiene import uvicorn_options

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        # X-Forwarded-For is believed from CLAIMREVIEW_FORWARDED_ALLOW_IPS alone (uvicorn's
        # own default would trust 127.0.0.1).
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        **uvicorn_options(),  # request head and body limits and time-outs
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    upgrade(url, args.revision)
    print(f"Database at {_safe(url)} is at revision {args.revision}.")
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _keys_create(args: argparse.Namespace) -> int:
    db = make_database(get_settings().database_url)
    data = ApiKeyCreate(role=Role(args.role), publisher_id=args.publisher, name=args.name)
    with db.unit_of_work() as session:
        created = keys.create_key(session, COMMAND_LINE, data)
    # Only the secret goes to stdout, so that `KEY=$(claimreview keys create ...)` works.
    bound = f" for publisher {created.publisher_id}" if created.publisher_id else ""
    print(f"Created {created.role.value} key {created.id}{bound}.", file=sys.stderr)
    print("The secret is shown only this once; store it now.", file=sys.stderr)
    print(created.key)
    return 0


def _keys_list(_: argparse.Namespace) -> int:
    db = make_database(get_settings().database_url)
    with db.session() as session:
        for key in keys.list_keys(session, COMMAND_LINE).api_keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.id}\t{key.role.value}\t{key.publisher_id or '-'}\t{key.prefix}…\t{state}")
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    db = make_database(get_settings().database_url)
    with db.unit_of_work() as session:
        keys.revoke_key(session, COMMAND_LINE, args.key_id)
    print(f"Revoked {args.key_id}.")
    return 0


def _demo(_: argparse.Namespace) -> int:
    from app.demo.load import load_demo

    db = make_database(get_settings().database_url)
    result = load_demo(db)
    print(
        f"Demo data: {result.publishers} publishers and {result.reviews} reviews added, "
        f"{result.skipped} already there."
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.import_cli import run_import

    result = run_import(make_database(get_settings().database_url), args.file, dry_run=args.dry_run)
    return (
        1 if result.rejected and not (result.created or result.updated or result.unchanged) else 0
    )


def _export(args: argparse.Namespace) -> int:
    from app.domain.feeds import export_lines

    db = make_database(get_settings().database_url)
    out = sys.stdout.buffer if args.file == "-" else open(args.file, "wb")  # noqa: SIM115
    count = 0
    try:
        for chunk in export_lines(db.session):
            out.write(chunk)
            count += chunk.count(b"\n")
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    print(f"Exported {count} ClaimReviews.", file=sys.stderr)
    return 0


def _deliver(args: argparse.Namespace) -> int:
    import signal
    import threading

    from app.domain.webhooks import run

    settings = get_settings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print("Delivering webhooks; stop with Ctrl-C.", file=sys.stderr)
    run(make_database(settings.database_url), settings, stop, poll_seconds=args.poll)
    return 0


def _reindex(_: argparse.Namespace) -> int:
    from app.domain.indexing import reindex_all

    db = make_database(get_settings().database_url)
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\rIndexing claims: {done}/{total}", end="", file=sys.stderr, flush=True)

    count = reindex_all(db, progress)
    if tty:
        print(file=sys.stderr)
    print(f"Search index rebuilt: {count} claims.")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="claimreview", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(run=_migrate)

    keys_cmd = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys_cmd.add_parser("create", help="create a key and print its secret once")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--publisher", help="the publisher an editor key writes for")
    create.add_argument("--name", help="a label to recognise the key by")
    create.set_defaults(run=_keys_create)
    keys_cmd.add_parser("list", help="list keys (never their secrets)").set_defaults(run=_keys_list)
    revoke = keys_cmd.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=_keys_revoke)

    commands.add_parser("demo", help="load the demo publishers and fact-checks").set_defaults(
        run=_demo
    )
    import_cmd = commands.add_parser(
        "import", help="import ClaimReview markup: JSON (any shape) or NDJSON, file or '-'"
    )
    import_cmd.add_argument("file", help="a file, or - for standard input")
    import_cmd.add_argument(
        "--dry-run", action="store_true", help="check every record, store nothing"
    )
    import_cmd.set_defaults(run=_import)
    export = commands.add_parser("export", help="write every published ClaimReview as NDJSON")
    export.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    export.set_defaults(run=_export)
    deliver = commands.add_parser("deliver", help="send webhook deliveries until stopped")
    deliver.add_argument("--poll", type=float, default=0.5, help="seconds between polls when idle")
    deliver.set_defaults(run=_deliver)
    commands.add_parser("reindex", help="rebuild the search index from the tables").set_defaults(
        run=_reindex
    )
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except AppError as exc:
        print(f"claimreview: {exc.detail}", file=sys.stderr)
        for error in exc.errors or []:
            print(f"  {error['field']}: {error['message']}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a model refused the arguments
        print(f"claimreview: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
