"""clamd, for real: the EICAR test string is flagged, ordinary bytes pass."""

import io

import pytest

from apps.core import antivirus

# The standard anti-virus test file (harmless by design), split so this source file
# itself is not flagged by scanners.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_clamd_answers_ping():
    antivirus.ping()


def test_eicar_is_flagged():
    result = antivirus.scan_stream(io.BytesIO(EICAR))
    assert result.clean is False
    assert result.signature is not None
    assert "Eicar" in result.signature


def test_clean_file_passes():
    result = antivirus.scan_stream(io.BytesIO("請求書 2026-11 / invoice".encode() * 1000))
    assert result == antivirus.ScanResult(clean=True, signature=None)


def test_unreachable_clamd_raises(settings):
    settings.CLAMD_PORT = 9
    with pytest.raises(antivirus.AntivirusUnavailableError):
        antivirus.ping(timeout=1)


def test_a_stream_over_clamd_limit_is_an_error_not_a_verdict():
    # The project's clamd takes streams up to 100 MiB (StreamMaxLength).
    too_big = io.BytesIO(b"\0" * (101 * 1024 * 1024))
    with pytest.raises(antivirus.AntivirusUnavailableError, match="size limit"):
        antivirus.scan_stream(too_big)
