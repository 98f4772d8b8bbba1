"""digitkit serve: the HTTP service (competition contract, JSON API, metrics)."""

from __future__ import annotations

import argparse
import sys

from digitkit.commands.common import new_parser


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "serve", "run the HTTP service; settings also come from DIGITKIT_* variables")
    parser.add_argument(
        "--model",
        action="append",
        dest="models",
        default=None,
        help="model name or artifact path; repeat to load several (first is the default) [default: default]",
    )
    parser.add_argument("--host", default=None, help="address to listen on [default: 127.0.0.1]")
    parser.add_argument("--port", type=int, default=None, help="port [default: 8000]")
    parser.add_argument("--workers", type=int, default=None, help="server processes [default: 1]")
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime threads per model [default: 1]")
    parser.add_argument(
        "--batch-wait-ms", type=float, default=None, help="dynamic batching: extra wait for more requests [default: 0]"
    )
    parser.add_argument("--cors", default=None, help="comma-separated origins allowed to call the API, or '*'")
    parser.add_argument("--no-access-log", action="store_true", help="turn the access log off")
    parser.add_argument(
        "--allow-exit",
        action="store_true",
        help="let GET /exit stop the server (off by default: any web page could otherwise stop it)",
    )
    parser.add_argument(
        "--allowed-hosts",
        default=None,
        help="comma-separated Host names served, or '*' [default: localhost names and --host]",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.serve.server import ensure_can_listen, run_server
    from digitkit.serve.settings import settings_from_env

    settings = settings_from_env(
        models=tuple(args.models) if args.models else None,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        batch_wait_ms=args.batch_wait_ms,
        cors_origins=tuple(o.strip() for o in args.cors.split(",")) if args.cors else None,
        access_log=False if args.no_access_log else None,
        allow_exit=True if args.allow_exit else None,
        allowed_hosts=tuple(h.strip() for h in args.allowed_hosts.split(",")) if args.allowed_hosts else None,
    )
    ensure_can_listen(settings.host, settings.port)
    if not settings.admin_token:
        print(
            "note: the feedback review routes are off; set DIGITKIT_ADMIN_TOKEN=<a long random string> to use them",
            file=sys.stderr,
        )
    run_server(settings)
    return 0
