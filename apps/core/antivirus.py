"""Virus scanning with ClamAV's clamd over TCP (its INSTREAM protocol).

A small client of our own: the PyPI `clamd` package is unmaintained since 2014, sends
1 KiB chunks with `send` (not `sendall`) and leaks sockets on errors.
"""

import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

CHUNK = 64 * 1024


class AntivirusUnavailableError(ConnectionError):
    """clamd could not be reached, or did not answer as clamd does."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None


def _command(command: bytes, *, timeout: float, stream: BinaryIO | None = None) -> str:
    """Send one z-command (NUL-terminated, one connection each) and return the reply."""
    try:
        with socket.create_connection(
            (settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=timeout
        ) as conn:
            conn.sendall(b"z" + command + b"\0")
            if stream is not None:
                while chunk := stream.read(CHUNK):
                    conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = conn.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as exc:
        raise AntivirusUnavailableError(
            f"clamd at {settings.CLAMD_HOST}:{settings.CLAMD_PORT}: {exc}"
        ) from exc
    return reply.rstrip(b"\0").decode(errors="replace")


def ping(*, timeout: float = 2) -> None:
    """Raise AntivirusUnavailableError unless clamd answers."""
    answer = _command(b"PING", timeout=timeout)
    if answer != "PONG":
        raise AntivirusUnavailableError(f"clamd answered {answer!r} to PING")


def scan_stream(stream: BinaryIO, *, timeout: float = 60) -> ScanResult:
    """Stream the bytes to clamd; nothing is written to disk on our side."""
    answer = _command(b"INSTREAM", timeout=timeout, stream=stream)
    # "stream: OK", "stream: <signature> FOUND", or "<reason> ERROR".
    if answer == "stream: OK":
        return ScanResult(clean=True)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return ScanResult(
            clean=False, signature=answer.removeprefix("stream: ").removesuffix(" FOUND")
        )
    raise AntivirusUnavailableError(f"clamd could not scan the stream: {answer}")
