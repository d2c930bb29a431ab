"""Project-level promises: the compose file parses, production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_docker_compose_declares_the_whole_product():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
        "elasticsearch",
        "s3",
        "clamav",
    }
    for name, service in services.items():
        assert "image" in service or "build" in service, name
    assert "analysis-kuromoji" in services["elasticsearch"]["build"]["dockerfile_inline"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].endswith("@postgres:5432/kura"), name
        assert env["KURA_CLAMD_HOST"] == "clamav", name
    assert set(compose["volumes"]) == {"postgres", "elasticsearch", "s3"}


def run_with_settings(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_the_development_secret_key():
    result = run_with_settings("config.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_starts_with_real_secrets():
    result = run_with_settings(
        "config.settings.production",
        DJANGO_SECRET_KEY="x" * 64,
        AWS_SECRET_ACCESS_KEY="a-real-one",
    )
    assert result.returncode == 0, result.stderr
