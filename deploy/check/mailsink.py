"""A real SMTP server for deploy/check.sh: accepts every message on 127.0.0.1 and saves each
one, as received, to a directory (`NNNN.eml`, written under a temporary name and then renamed,
so a reader never sees half a message). Runs until SIGTERM or SIGINT.

    python deploy/check/mailsink.py --port 2525 --to /tmp/mail
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            number = next(self.numbers)
        partial = self.directory / f".{number:04d}.eml.part"
        partial.write_bytes(envelope.original_content)
        os.replace(partial, self.directory / f"{number:04d}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", type=Path, required=True, help="directory for the messages")
    options = parser.parse_args()
    options.to.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToDirectory(options.to), hostname="127.0.0.1", port=options.port)
    controller.start()
    print(f"mail sink on 127.0.0.1:{options.port}, saving to {options.to}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
