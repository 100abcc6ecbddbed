"""The `eguidance` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from server import cli_triage
from server.settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except SettingsError as exc:
        print(f"eguidance: settings: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eguidance", description=__doc__)
    parser.add_argument("--config", type=Path, help="a TOML file over config/default.toml")
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="run HTTP, Socket.IO, listeners and workers")
    serve.add_argument("--config", type=Path, dest="serve_config", help=argparse.SUPPRESS)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=run_serve)

    user = commands.add_parser("user", help="counsellor accounts").add_subparsers(
        title="user commands"
    )
    add = user.add_parser("add", help="create a counsellor account")
    add.add_argument("email")
    add.add_argument("--role", choices=["counsellor", "supervisor", "admin"], default="counsellor")
    add.add_argument("--name")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of generating one",
    )
    add.set_defaults(run=run_user_add)

    cli_triage.add_commands(commands)

    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    config = getattr(args, "serve_config", None) or args.config
    overrides: dict[str, dict[str, object]] = {}
    if getattr(args, "host", None):
        overrides.setdefault("server", {})["host"] = args.host
    if getattr(args, "port", None):
        overrides.setdefault("server", {})["port"] = args.port
    return load_settings(config, overrides=overrides)


def run_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from server.app import create_app

    settings = settings_from(args)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app = create_app(settings)
    print(
        f"eGuidance on http://{settings.server.host}:{settings.server.port} "
        f"(inbox: /inbox, demo portal: /)",
        flush=True,
    )
    web.run_app(
        app, host=settings.server.host, port=settings.server.port, print=None, shutdown_timeout=5
    )
    return 0


def run_user_add(args: argparse.Namespace) -> int:
    from server import accounts, db
    from server.auth import generate_password
    from server.errors import DomainError

    settings = settings_from(args)
    generated = not args.password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\n")

    async def create() -> accounts.Identity:
        engine = db.create_engine(settings)
        try:
            await db.migrate(engine)
            return await accounts.create_counsellor(
                engine, args.email, password, args.role, args.name
            )
        finally:
            await engine.dispose()

    try:
        who = asyncio.run(create())
    except DomainError as exc:
        print(f"eguidance: {exc.message}", file=sys.stderr)
        return 1
    print(f"created {who.role} {who.email} (id {who.id})")
    if generated:
        print(f"password: {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
