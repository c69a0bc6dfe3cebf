"""Run the emulator by hand: python -m tests.ollama_emulator --port 11434"""

import argparse
import asyncio
import contextlib
import signal

from tests.ollama_emulator.records import RecordedRequest
from tests.ollama_emulator.server import OllamaEmulator


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.ollama_emulator",
        description="An Ollama server emulator (not a real model) for tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--load-delay", type=float, default=0.0, help="seconds")
    parser.add_argument("--first-token-delay", type=float, default=0.0, help="seconds")
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds")
    parser.add_argument(
        "--pull-delay", type=float, default=0.0, help="seconds between pull lines"
    )
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--max-queue", type=int, default=512)
    parser.add_argument(
        "--verbose", action="store_true", help="print every request it receives"
    )
    # Quiet is the default now; the flag stays for scripts that pass it.
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _log(record: RecordedRequest) -> None:
    print(f"{record.method} {record.path}", flush=True)


async def _serve(args: argparse.Namespace) -> None:
    emulator = OllamaEmulator()
    emulator.load_delay = args.load_delay
    emulator.first_token_delay = args.first_token_delay
    emulator.token_delay = args.token_delay
    emulator.pull_delay = args.pull_delay
    emulator.parallel = args.parallel
    emulator.max_queue = args.max_queue
    if args.verbose and not args.quiet:
        emulator.on_request = _log
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await emulator.start(args.host, args.port)
    print(
        f"Ollama emulator (not a real Ollama) listening on {emulator.url}", flush=True
    )
    try:
        await stop.wait()
    finally:
        await emulator.close()


def main() -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
