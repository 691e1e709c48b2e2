"""A real SMTP server on loopback for karta's notification tests (aiosmtpd).

Usage: smtp_server.py PORT OUT_DIR [DELAY_SECONDS]

Every accepted message is written to OUT_DIR as one .eml file, with an "X-Rcpt-To:" line per
envelope recipient prepended. Recipients whose address contains "reject" are refused with 550.
DELAY_SECONDS slows down each DATA command (to widen the window a crash test aims at). Prints
"ready" once listening.
"""

import asyncio
import os
import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, out, delay):
        self.out = out
        self.delay = delay
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 <%s>: recipient rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.count += 1
        head = "".join("X-Rcpt-To: %s\r\n" % r for r in envelope.rcpt_tos).encode()
        path = os.path.join(self.out, "%d-%d.eml" % (time.time_ns(), self.count))
        with open(path + ".tmp", "wb") as f:
            f.write(head + envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 accepted"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    os.makedirs(out, exist_ok=True)
    controller = Controller(Handler(out, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
