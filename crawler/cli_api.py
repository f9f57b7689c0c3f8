"""``isop serve``, ``isop users add/list/disable``, ``isop tokens create/revoke``.

Account commands run on the registry database directly (whoever can run them can read the
database anyway); each writes its audit entry with the operating-system user as actor.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import click

from crawler.cli import _config, fail, user_errors
from crawler.config import Config

T = TypeVar("T")


def api_settings(config: Config) -> Any:
    from crawler.api.accounts import Throttle
    from crawler.api.deps import ApiSettings
    from crawler.api.review import infringing_threshold

    api = config.api
    return ApiSettings(
        session_ttl=timedelta(hours=api.session_hours),
        secure_cookies=api.secure_cookies,
        throttle=Throttle(api.login_max_failures, timedelta(minutes=api.login_lockout_minutes)),
        review_threshold=infringing_threshold(config.detectors_path),
        redis_urls=tuple(config.redis.urls), redis_cluster=config.redis.cluster,
        key_prefix=config.redis.key_prefix, shards=config.frontier.shards,
        data_dir=str(config.data_dir), detectors_config=str(config.detectors_path),
    )  # fmt: skip


def _with_db(ctx: click.Context, work: Callable[[Any, Any], T]) -> T:
    """Run ``work(session, cli principal)`` in one write transaction; one-line errors."""
    from crawler.api.accounts import AccountError
    from crawler.api.db import Database
    from crawler.api.scope import Principal

    with user_errors():
        db = Database.open(_config(ctx).database_url)
    actor = Principal(None, f"cli:{getpass.getuser()}"[:64], "admin", (), "cli")
    try:
        with db.writing() as session:
            return work(session, actor)
    except AccountError as exc:
        fail(str(exc))
    finally:
        db.close()


@click.command()
@click.option("--host", default=None, help="Interface to listen on (default: api.host).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Default: api.port.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the registry API (/api/v1) and the web console (/console)."""
    import uvicorn

    from crawler.api.app import create_app
    from crawler.api.db import Database

    config = _config(ctx)
    with user_errors():
        db = Database.open(config.database_url)
    app = create_app(db, api_settings(config))
    where_host = host or config.api.host
    where_port = config.api.port if port is None else port
    try:
        uvicorn.run(app, host=where_host, port=where_port, log_level="info",
                    proxy_headers=False, server_header=False)  # fmt: skip
    except OSError as exc:
        fail(f"cannot listen on {where_host}:{where_port}: {exc}")
    finally:
        db.close()


@click.group()
def users() -> None:
    """Accounts of the API and console."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice(["viewer", "analyst", "coordinator", "admin", "ops"])
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Country tag the user is limited to (repeat; none = every country).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--no-password", is_flag=True, help="API tokens only: no console sign-in.")
@click.pass_context
def users_add(ctx: click.Context, username: str, role: str, scopes: tuple[str, ...],
              password_stdin: bool, no_password: bool) -> None:  # fmt: skip
    """Create an account (the password is prompted for unless given on stdin)."""
    from crawler.api.accounts import add_user

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _with_db(ctx, lambda s, a: add_user(s, a, username, role, list(scopes), password))
    click.echo(f"user {user.username} ({user.role}) created")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Accounts with role, scopes, state and live token count."""
    from crawler.api.accounts import list_users

    rows = _with_db(ctx, lambda s, a: list_users(s))
    for row in rows:
        if as_json:
            click.echo(json.dumps(row))
        else:
            scopes = ",".join(row["scopes"]) or "*"  # type: ignore[arg-type]
            state = "disabled" if row["disabled"] else "active"
            click.echo(f"{row['username']}\t{row['role']}\t{scopes}\t{state}\t"
                       f"tokens={row['live_tokens']}")  # fmt: skip


@users.command("disable")
@click.argument("username")
@click.pass_context
def users_disable(ctx: click.Context, username: str) -> None:
    """Disable an account: its sessions end and its tokens stop working."""
    from crawler.api.accounts import disable_user

    _with_db(ctx, lambda s, a: disable_user(s, a, username))
    click.echo(f"user {username} disabled")


@click.group()
def tokens() -> None:
    """API tokens for machine clients."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@click.pass_context
def tokens_create(ctx: click.Context, username: str, name: str) -> None:
    """Print a new token for USERNAME: shown once, stored only hashed."""
    from crawler.api.accounts import create_token

    token_id, token = _with_db(ctx, lambda s, a: create_token(s, a, username, name))
    click.echo(f"token id {token_id} (keep it; it is not shown again):", err=True)
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token by its id: it stops working at once."""
    from crawler.api.accounts import revoke_token

    _with_db(ctx, lambda s, a: revoke_token(s, a, token_id))
    click.echo(f"token {token_id} revoked")
