"""Start the provider as a child process for a test: ``with run_provider(...) as issuer: ...``.

Standard library only, so that importing it never needs the provider's own dependencies.
"""

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    # Another process may grab it before the provider binds; rare enough on loopback for tests.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/.well-known/openid-configuration")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def run_provider(
    port: int,
    client_id: str,
    client_secret: str,
    redirect_prefixes: Sequence[str],
    users: Sequence[tuple[str, str, bool]],
    *,
    timeout: float = 20.0,
) -> Iterator[str]:
    """Run a fresh provider until the block ends; yield its issuer, ``http://127.0.0.1:PORT``.

    ``users`` are ``(sub, email, email_verified)``; ``port=0`` picks a free port.
    """
    port = port or free_port()
    args = [sys.executable, "-m", "tests.oidc_provider", "--port", str(port)]
    args += ["--client-id", client_id, "--client-secret", client_secret]
    for prefix in redirect_prefixes:
        args += ["--redirect-uri", prefix]
    for sub, email, verified in users:
        args += ["--user", f"{sub}:{email}:{str(verified).lower()}"]
    proc = subprocess.Popen(args, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if proc.poll() is not None:
                raise RuntimeError(f"OIDC provider exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"OIDC provider did not answer on port {port} in {timeout}s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
