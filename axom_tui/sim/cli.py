"""``axom-tui sim``: serve the Fusion API simulator in the foreground.

The lead's CLI calls :func:`add_arguments` on its ``sim`` sub-parser and
:func:`run` with the parsed namespace; ``python -m axom_tui.sim.cli`` works alone.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import string
import sys

from .config import SimConfig
from .faults import FaultConfig

FAULTS_HELP = (
    "fault injection, comma-separated name=value (default: none): latency=SECONDS, "
    "jitter=SECONDS, error_rate=P (500/502/503/504), rate_limit=P (429 + Retry-After), "
    "retry_after=SECONDS, drop=P (connection closed, no response), cut=P (storage "
    "transfer cut part-way), storage_latency=SECONDS, storage_bps=BYTES_PER_SEC, seed=N; "
    "e.g. 'latency=0.2,error_rate=0.1,rate_limit=0.05,retry_after=2,drop=0.05,cut=0.3'"
)

_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(|b|k|kb|m|mb|g|gb|kib|mib|gib)\s*")
_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "m": 10**6,
    "mb": 10**6,
    "g": 10**9,
    "gb": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}


def parse_size(text: str) -> int:
    """``4000000``, ``4MB``, ``1.5G``, ``512MiB`` -> bytes."""
    m = _SIZE.fullmatch(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return int(float(m[1]) * _UNITS[m[2].lower()])


def parse_faults(text: str) -> FaultConfig:
    try:
        return FaultConfig.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8765, help="port (0: any free port; default 8765)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--speed",
        type=float,
        default=30.0,
        help="simulated seconds per real second (default 30; at 1 a "
        "6000-step run takes about an hour)",
    )
    parser.add_argument("--seed", type=int, default=7, help="world seed (default 7)")
    parser.add_argument(
        "--url-ttl",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="lifetime of presigned download URLs in real seconds (default 300)",
    )
    parser.add_argument(
        "--faults", type=parse_faults, default=FaultConfig(), metavar="SPEC", help=FAULTS_HELP
    )
    parser.add_argument(
        "--model-bytes",
        type=parse_size,
        default=4_000_000,
        metavar="N",
        help="approximate size of each model's files (default 4MB; e.g. 2GB)",
    )
    parser.add_argument(
        "--read-only-key",
        default=None,
        metavar="KEY",
        help="also accept KEY with only the 'read' scope (downloads get 403)",
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")


def make_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "axom_live_" + "".join(secrets.choice(alphabet) for _ in range(32))


def run(args: argparse.Namespace) -> int:
    import uvicorn  # the server stack loads only when the simulator runs, not for the parser

    from .app import create_app
    from .server import bind_socket, url_host, uvicorn_config
    from .world import Simulator

    env_key = os.environ.get("AXOM_KEY")
    key = env_key or make_key()
    faults = args.faults
    if not isinstance(faults, FaultConfig):
        faults = parse_faults(faults or "")
    cfg = SimConfig(
        seed=args.seed,
        speed=args.speed,
        key=key,
        read_only_key=args.read_only_key,
        url_ttl=args.url_ttl,
        model_bytes=args.model_bytes,
        faults=faults,
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"axom-tui sim: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    sim = Simulator(cfg)
    base = f"http://{url_host(args.host)}:{port}/api"
    shown_key = "$AXOM_KEY" if env_key else key
    print("Axom Fusion simulator")
    print(f"  base URL : {base}")
    print(f"  API key  : {'(from $AXOM_KEY)' if env_key else key}")
    if args.read_only_key:
        print(f"  read key : {args.read_only_key} (read scope only)")
    print(
        f"  speed    : {args.speed:g}x   seed: {args.seed}   url ttl: {args.url_ttl:g}s   "
        f"faults: {faults.spec()}"
    )
    print(f'  try      : curl -H "Authorization: Bearer {shown_key}" {base}/jobs')
    print(f"  dashboard: AXOM_BASE_URL={base} AXOM_KEY={shown_key} axom-tui")
    print("Press Ctrl-C to stop.", flush=True)
    server = uvicorn.Server(uvicorn_config(create_app(sim), args.host, port, args.log_level))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="axom-tui sim", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
