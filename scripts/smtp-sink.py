#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that keeps every message it accepts, for Embargo's tests.

Each accepted message is written to DIR as one file, atomically (written under a temporary name,
then renamed), exactly as received on the wire, preceded by one line naming the envelope
recipients: `X-Sink-Rcpt: a@example.org, b@example.org`.

Test knobs:
  --tempfail N     answer the first N DATA commands with 451 (a temporary failure)
  --reject DOMAIN  answer RCPT TO for addresses at DOMAIN with 550 (a permanent failure)
  --delay SECONDS  keep each accepted message, then wait before answering 250 (a sender killed
                   meanwhile never hears that the message was delivered)

Prints `ready PORT` on stdout once it accepts connections.
"""

import argparse
import asyncio
import os
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, tempfail, reject, delay):
        self.directory = directory
        self.delay = delay
        self.tempfail = tempfail
        self.reject = reject.lower() if reject else None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.lower().endswith("@" + self.reject):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.tempfail > 0:
                self.tempfail -= 1
                return "451 4.3.0 try again later"
        name = f"{time.time_ns()}-{uuid.uuid4().hex}"
        temporary = os.path.join(self.directory, "." + name)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        with open(temporary, "wb") as f:
            f.write(("X-Sink-Rcpt: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode())
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temporary, os.path.join(self.directory, name + ".eml"))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--reject")
    parser.add_argument("--delay", type=float, default=0)
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    controller = Controller(
        Sink(args.directory, args.tempfail, args.reject, args.delay),
        hostname="127.0.0.1",
        port=args.port,
        enable_SMTPUTF8=True,
    )
    controller.start()
    print(f"ready {args.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
