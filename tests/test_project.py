"""Project-level promises: every entry point defaults to production settings, production
refuses unsafe secrets and serves its static files, and the Docker files publish nothing
but loopback, hold no secret and run gunicorn as a user other than root.

There is no Docker engine here: the image and compose file are checked as text, and the
scripts they run (secrets, entry point) are run for real."""

import json
import os
import re
import socket
import stat
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Django's deploy check wants 50 characters or more, of at least 5 different ones.
SECRET = string.ascii_letters + string.digits
JWT_KEY = "j" * 32
SECRETS = {
    "DJANGO_SECRET_KEY": SECRET,
    "KURA_JWT_SIGNING_KEY": JWT_KEY,
    "AWS_SECRET_ACCESS_KEY": "a-real-one",
}
SECRET_KEY_REFUSED = (
    "DJANGO_SECRET_KEY must be set to a long random value in production "
    "(for development, DJANGO_SETTINGS_MODULE=config.settings.local)."
)
JWT_KEY_REFUSED = (
    "KURA_JWT_SIGNING_KEY must be set to a random value of at least 32 bytes in production."
)
# Names that must never have a value in docker-compose.yml: compose generates them.
SECRET_NAMES = {
    "DJANGO_SECRET_KEY",
    "KURA_JWT_SIGNING_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "KURA_DEMO_PASSWORD",
    "DATABASE_URL",
    "POSTGRES_PASSWORD",
    "S3PROXY_IDENTITY",
    "S3PROXY_CREDENTIAL",
}
KURA_PROCESSES = ("migrate", "web", "worker", "beat")


def clean_env(**env: str) -> dict[str, str]:
    """This environment without settings module or secrets (pytest sets the test module)."""
    unset = ("DJANGO_", "AWS_", "KURA_JWT_", "KURA_SECRETS_")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(unset)}, **env}


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "manage.py", *args], **env)


# Entry points -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "import config.wsgi",
        "import config.asgi",
        # The Celery app reads the settings when its configuration is first used.
        "import config.celery; config.celery.app.conf.broker_url",
    ],
)
def test_every_entry_point_defaults_to_production(code: str) -> None:
    result = run([sys.executable, "-c", code])
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_REFUSED}"
    )


def test_manage_py_defaults_to_production() -> None:
    result = manage("check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {SECRET_KEY_REFUSED}"
    )


def test_development_settings_are_chosen_explicitly() -> None:
    procfile = (ROOT / "Procfile").read_text().splitlines()
    assert [line.split(": ", 1)[1].split()[0] for line in procfile] == [
        "DJANGO_SETTINGS_MODULE=config.settings.local"
    ] * 3
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local" in makefile
    commands = [line.strip() for line in makefile.splitlines() if line.startswith("\t")]
    runs_django = [c for c in commands if "manage.py" in c or "honcho" in c or "bench/" in c]
    assert len(runs_django) >= 8  # run, messages (2), migrate, demo, the benchmarks
    assert all(c.startswith("$(LOCAL) ") for c in runs_django), runs_django


# Production settings ------------------------------------------------------------------


def test_production_refuses_the_development_secret_key() -> None:
    result = manage("check", KURA_JWT_SIGNING_KEY=JWT_KEY, AWS_SECRET_ACCESS_KEY="a-real-one")
    assert result.returncode == 1
    assert SECRET_KEY_REFUSED in result.stderr


@pytest.mark.parametrize(
    ("jwt_key", "refusal"),
    [
        (None, JWT_KEY_REFUSED),
        ("j" * 31, JWT_KEY_REFUSED),
        # 31 characters, 32 bytes: the length that counts is the key's, in bytes.
        ("é" + "j" * 30, None),
        (SECRET, "KURA_JWT_SIGNING_KEY must differ from DJANGO_SECRET_KEY."),
    ],
)
def test_production_refuses_a_weak_jwt_signing_key(
    jwt_key: str | None, refusal: str | None
) -> None:
    env = {**SECRETS}
    if jwt_key is None:
        del env["KURA_JWT_SIGNING_KEY"]
    else:
        env["KURA_JWT_SIGNING_KEY"] = jwt_key
    result = manage("check", **env)
    if refusal is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1] == (
            f"django.core.exceptions.ImproperlyConfigured: {refusal}"
        )


def test_production_refuses_the_development_object_store_key() -> None:
    result = manage("check", DJANGO_SECRET_KEY=SECRET, KURA_JWT_SIGNING_KEY=JWT_KEY)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "AWS_SECRET_ACCESS_KEY must be set in production."
    )


@pytest.mark.slow
def test_production_starts_with_real_secrets() -> None:
    result = manage("check", "--deploy", **SECRETS)
    assert result.returncode == 0, result.stderr
    # Everything but the HSTS preload list, which is a site's own decision.
    assert re.findall(r"\(security\.\w+\)", result.stderr) == ["(security.W021)"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_the_collected_static_files(tmp_path: Path) -> None:
    """collectstatic hashes the files into STATIC_ROOT; gunicorn with production settings
    (the default of config.wsgi) serves them through WhiteNoise, without a tenant."""
    static_root = tmp_path / "static"
    env = {
        **SECRETS,
        "DJANGO_STATIC_ROOT": str(static_root),
        # gunicorn (27+) puts a control socket in its home: one of this test's own.
        "HOME": str(tmp_path),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    collected = manage("collectstatic", "--noinput", "-v", "0", **env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    assert re.fullmatch(r"admin/css/base\.[0-9a-f]{12}\.css", hashed)
    # The pages' front-end packages (scripts/frontend.sh) are collected with the rest.
    assert re.fullmatch(
        r"vendor/pico/pico\.blue\.min\.[0-9a-f]{12}\.css",
        manifest["paths"]["vendor/pico/pico.blue.min.css"],
    )
    assert re.fullmatch(
        r"vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js", manifest["paths"]["vendor/htmx/htmx.min.js"]
    )

    port = free_port()
    bind = f"127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", bind],
        cwd=ROOT,
        env=clean_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert gunicorn.poll() is None, gunicorn.communicate()[1]
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    break
            # The socket accepts before the worker has loaded the app, which takes over 2 s
            # on a busy machine: a timeout is "not yet" too.
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.2)
        response = requests.get(f"http://127.0.0.1:{port}/static/{hashed}", timeout=5)
        assert response.status_code == 200
        assert response.content == (static_root / hashed).read_bytes()
        assert response.headers["Content-Type"] == 'text/css; charset="utf-8"'
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()


# Docker -------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (line.split(" ", 1)[0], line.split(" ", 1)[1].strip())
        for line in joined.splitlines()
        if line.strip()
    ]


def test_docker_compose_declares_the_whole_product() -> None:
    services = compose()["services"]
    assert set(services) == {
        "secrets",
        "migrate",
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
    # Kura's analysis plugin, built from the repository as scripts/services/elasticsearch.sh
    # builds it, then installed into the official image.
    elasticsearch = services["elasticsearch"]["build"]
    assert elasticsearch["context"] == "search/es-plugin"
    assert (ROOT / elasticsearch["context"] / "pom.xml").is_file()
    assert "RUN mvn -q -B package" in elasticsearch["dockerfile_inline"]
    assert (
        "RUN bin/elasticsearch-plugin install --batch file:///tmp/kura-analysis.zip"
        in elasticsearch["dockerfile_inline"]
    )
    for name in KURA_PROCESSES:
        assert services[name]["build"] == ".", name
        assert services[name]["environment"]["KURA_CLAMD_HOST"] == "clamav", name
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["command"] == [
        "sh",
        "-c",
        (
            "find /var/lib/kura-metrics -mindepth 1 -delete && "
            "python manage.py migrate_all -v 0 && python manage.py demo_data"
        ),
    ]
    assert set(compose()["volumes"]) == {"postgres", "elasticsearch", "s3", "secrets", "metrics"}


def test_every_process_of_the_image_shares_one_metrics_folder() -> None:
    """/metrics on web adds up what the worker observed (apps/core/metrics.py)."""
    env = dict(
        pair.split("=", 1)
        for instruction, args in dockerfile()
        if instruction == "ENV"
        for pair in args.split()
    )
    assert env["PROMETHEUS_MULTIPROC_DIR"] == "/var/lib/kura-metrics"
    for name in KURA_PROCESSES:
        assert "metrics:/var/lib/kura-metrics" in compose()["services"][name]["volumes"], name


def test_docker_compose_publishes_only_on_loopback() -> None:
    published = {name: s["ports"] for name, s in compose()["services"].items() if "ports" in s}
    # The web app, and the object store browsers upload to with pre-signed URLs.
    assert published == {"web": ["127.0.0.1:8000:8000"], "s3": ["127.0.0.1:58333:58333"]}
    assert compose()["services"]["s3"]["environment"]["S3PROXY_ENDPOINT"] == (
        "http://0.0.0.0:58333"
    )
    assert compose()["services"]["web"]["environment"]["AWS_S3_ENDPOINT_URL"] == (
        "http://s3.localhost:58333"
    )


def test_docker_compose_serves_gunicorn_under_production_settings() -> None:
    services = compose()["services"]
    assert "runserver" not in (ROOT / "docker-compose.yml").read_text()
    # web runs the image's command.
    assert "command" not in services["web"]
    assert "entrypoint" not in services["web"]
    for name in KURA_PROCESSES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        assert env["DJANGO_SECURE_SSL_REDIRECT"] == "false", name
        assert env["DJANGO_SECURE_COOKIES"] == "false", name
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_docker_compose_holds_no_secret() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for unsafe in ("kura-dev-secret-key-unsafe", "kura-dev-access-key", "kura-demo-pass"):
        assert unsafe not in text
    services = compose()["services"]
    for name, service in services.items():
        assert not SECRET_NAMES & set(service.get("environment", {})), name
    secrets_volume = "/var/lib/kura-secrets"
    assert services["secrets"]["entrypoint"] == ["/app/scripts/docker-secrets.sh"]
    assert services["secrets"]["volumes"] == [f"secrets:{secrets_volume}"]
    for name in (*KURA_PROCESSES, "postgres", "s3"):
        assert f"secrets:{secrets_volume}:ro" in services[name]["volumes"], name
        assert services[name]["depends_on"]["secrets"] == {
            "condition": "service_completed_successfully"
        }
    postgres_start = services["postgres"]["entrypoint"][2]
    assert f". {secrets_volume}/postgres.env && exec docker-entrypoint.sh postgres" in (
        postgres_start
    )
    assert f". {secrets_volume}/s3.env && " in services["s3"]["entrypoint"][2]


def test_dockerfile_builds_the_front_end_packages_in_a_node_stage() -> None:
    instructions = dockerfile()
    assert instructions[0] == ("FROM", "node:20-bookworm-slim AS frontend")
    stage = instructions[: instructions.index(("FROM", "python:3.11-slim-bookworm"))]
    assert ("RUN", "./scripts/frontend.sh --production") in stage
    vendor = ("COPY", "--from=frontend /app/static/vendor static/vendor")
    collect = next(i for i, (kind, arg) in enumerate(instructions) if "collectstatic" in arg)
    assert instructions.index(("COPY", ". .")) < instructions.index(vendor) < collect
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {"frontend/node_modules", "static/vendor"} <= set(ignored)


def test_dockerfile_collects_static_files_and_runs_gunicorn_as_a_user() -> None:
    everything = dockerfile()
    # The image itself: what follows the last FROM.
    final = max(i for i, (kind, _arg) in enumerate(everything) if kind == "FROM")
    instructions = everything[final:]
    kinds = [kind for kind, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim-bookworm")
    env = " ".join(arg for kind, arg in instructions if kind == "ENV")
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env
    assert "DJANGO_STATIC_ROOT=/app/staticfiles" in env
    assert "SECRET" not in env
    assert "KEY" not in env
    runs = [arg for kind, arg in instructions if kind == "RUN"]
    collect = next(arg for arg in runs if "collectstatic" in arg)
    assert collect.endswith("python manage.py collectstatic --noinput -v 0")
    # Build-only secrets, random, given to that one step.
    assert collect.count("secrets.token_urlsafe") == 3
    assert instructions.index(("RUN", collect)) < kinds.index("USER")
    assert [arg for kind, arg in instructions if kind == "USER"] == ["kura"]
    assert json.loads(dict(instructions)["ENTRYPOINT"]) == ["/app/scripts/docker-entrypoint.sh"]
    assert json.loads(dict(instructions)["CMD"]) == ["gunicorn", "-c", "config/gunicorn.py"]
    # The pool's size, stated: at most 2 x 4 PostgreSQL connections a web container.
    assert "WEB_CONCURRENCY=2" in env
    assert "WEB_THREADS=4" in env
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".venv", ".data", ".env"} <= set(ignored)


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines())
    return {name: value.strip("'") for name, value in pairs}


@pytest.mark.slow
def test_the_secrets_service_generates_what_production_accepts(tmp_path: Path) -> None:
    """The `secrets` service's script, run twice into an empty folder as on the first and
    second `docker compose up`; then the image's entry point runs a production check."""
    script = str(ROOT / "scripts" / "docker-secrets.sh")
    first = run([script], KURA_SECRETS_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    kura = read_env_file(tmp_path / "kura.env")
    postgres = read_env_file(tmp_path / "postgres.env")
    s3 = read_env_file(tmp_path / "s3.env")
    assert set(kura) == {
        "DJANGO_SECRET_KEY",
        "KURA_JWT_SIGNING_KEY",
        "DATABASE_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "KURA_DEMO_PASSWORD",
    }
    assert len(kura["DJANGO_SECRET_KEY"]) == 67
    assert len(kura["KURA_JWT_SIGNING_KEY"]) == 64
    assert kura["DATABASE_URL"] == (
        f"postgres://kura:{postgres['POSTGRES_PASSWORD']}@postgres:5432/kura"
    )
    assert (kura["AWS_ACCESS_KEY_ID"], kura["AWS_SECRET_ACCESS_KEY"]) == (
        s3["S3PROXY_IDENTITY"],
        s3["S3PROXY_CREDENTIAL"],
    )
    assert f"\n    {kura['KURA_DEMO_PASSWORD']}\n" in first.stdout
    for name in ("kura.env", "postgres.env", "s3.env"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name

    before = (tmp_path / "kura.env").read_text()
    second = run([script], KURA_SECRETS_DIR=str(tmp_path))
    assert second.returncode == 0, second.stderr
    assert second.stdout == (
        "Kura: secrets kept from the first start (its log printed the demo password).\n"
    )
    assert (tmp_path / "kura.env").read_text() == before

    entrypoint = str(ROOT / "scripts" / "docker-entrypoint.sh")
    check = run(
        [entrypoint, sys.executable, "manage.py", "check"],
        KURA_SECRETS_FILE=str(tmp_path / "kura.env"),
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout == "System check identified no issues (0 silenced).\n"
