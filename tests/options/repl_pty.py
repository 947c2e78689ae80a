"""Driving `declos repl` through a real pseudo-terminal (stdlib `pty`), as a user types.

The child gets the pty as its controlling terminal, so Ctrl-C (\\x03) sends
SIGINT as on a real terminal, and readline sees a tty (completion, history).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

PROMPT = "declos> "
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07")


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, argv: list[str], cwd, env: dict[str, str]):
        master, slave = pty.openpty()
        # Wide enough that readline never scrolls a line horizontally.
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))
        self.fd = master
        full_env = dict(os.environ, TERM="dumb", **env)
        full_env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "declos", *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=full_env,
            preexec_fn=_controlling_tty,
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, needle: str, timeout: float = 60) -> str:
        """Everything printed until `needle` (escapes and \\r removed); fails on timeout."""
        end = time.monotonic() + timeout
        buf = ""
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk.decode("utf-8", "replace")
                clean = _ESCAPES.sub("", buf).replace("\r", "")
                if needle in clean:
                    self.seen += clean
                    return clean
        self.seen += buf
        raise AssertionError(f"timed out waiting for {needle!r}; got {buf!r}")

    def prompt(self, timeout: float = 60) -> str:
        return self.read_until(PROMPT, timeout)

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def line(self, text: str) -> str:
        """Type a line, return what was printed up to the next prompt (the echo included)."""
        self.send(text + "\n")
        return self.prompt()

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=20)
        finally:
            os.close(self.fd)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
