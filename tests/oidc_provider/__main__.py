"""Command line: ``python -m tests.oidc_provider --port PORT [options]`` (see the package doc).

Every option can also come from the environment: ``OIDC_PROVIDER_PORT``,
``OIDC_PROVIDER_CLIENT_ID``, ``OIDC_PROVIDER_CLIENT_SECRET``, and the space-separated lists
``OIDC_PROVIDER_REDIRECT_URIS`` and ``OIDC_PROVIDER_USERS``; flags win.
"""

import argparse
import os

from werkzeug.serving import run_simple

from tests.oidc_provider.server import Config, User, create_app


def parse_user(value: str) -> User:
    # rsplit, so that a sub may itself contain colons (e.g. a URN).
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or parts[2].lower() not in {"true", "false"}:
        raise argparse.ArgumentTypeError(f"expected sub:email:true|false, got {value!r}")
    sub, email, verified = parts
    return User(sub=sub, email=email, email_verified=verified.lower() == "true")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m tests.oidc_provider", description=__doc__)
    parser.add_argument("--port", type=int, default=int(env("OIDC_PROVIDER_PORT", "0")))
    parser.add_argument("--client-id", default=env("OIDC_PROVIDER_CLIENT_ID", "kura"))
    parser.add_argument(
        "--client-secret", default=env("OIDC_PROVIDER_CLIENT_SECRET", "kura-secret")
    )
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_prefixes",
        metavar="PREFIX",
        help="allow any redirect_uri starting with PREFIX (repeatable)",
    )
    parser.add_argument(
        "--user",
        action="append",
        dest="users",
        type=parse_user,
        metavar="SUB:EMAIL:VERIFIED",
        help="a known user, e.g. alice-sub:alice@example.com:true (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.redirect_prefixes is None:
        args.redirect_prefixes = env("OIDC_PROVIDER_REDIRECT_URIS", "").split()
    if args.users is None:
        args.users = [parse_user(u) for u in env("OIDC_PROVIDER_USERS", "").split()]
    if not args.port:
        parser.error("--port (or OIDC_PROVIDER_PORT) is required")
    if not args.redirect_prefixes or not args.users:
        parser.error("give at least one --redirect-uri and one --user")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = Config(
        issuer=f"http://127.0.0.1:{args.port}",
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_prefixes=tuple(args.redirect_prefixes),
        users=tuple(args.users),
    )
    run_simple("127.0.0.1", args.port, create_app(config), threaded=True)


if __name__ == "__main__":
    main()
