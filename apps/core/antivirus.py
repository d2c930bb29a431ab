"""Virus scanning with ClamAV's clamd, over TCP."""

from dataclasses import dataclass
from typing import BinaryIO

import clamd
from django.conf import settings


class AntivirusUnavailableError(ConnectionError):
    """clamd could not be reached or did not answer."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None


def _clamd(timeout: float) -> clamd.ClamdNetworkSocket:
    return clamd.ClamdNetworkSocket(settings.CLAMD_HOST, settings.CLAMD_PORT, timeout=timeout)


def ping(*, timeout: float = 2) -> None:
    """Raise AntivirusUnavailableError unless clamd answers."""
    try:
        answer = _clamd(timeout).ping()
    except clamd.ClamdError as exc:
        raise AntivirusUnavailableError(str(exc)) from exc
    if answer != "PONG":
        raise AntivirusUnavailableError(f"clamd answered {answer!r} to PING")


def scan_stream(stream: BinaryIO, *, timeout: float = 60) -> ScanResult:
    """Stream the bytes to clamd (INSTREAM); nothing is written to disk."""
    try:
        status, signature = _clamd(timeout).instream(stream)["stream"]
    except clamd.ConnectionError as exc:
        raise AntivirusUnavailableError(str(exc)) from exc
    if status == "OK":
        return ScanResult(clean=True)
    if status == "FOUND":
        return ScanResult(clean=False, signature=signature)
    raise RuntimeError(f"clamd could not scan the stream: {status} {signature}")
