# Kura's image: gunicorn serving config.wsgi under production settings (config/gunicorn.py),
# static files collected at build time and served by WhiteNoise. docker-compose.yml runs it
# as web, worker, beat and one-shot services; secrets come from the environment at run time
# (scripts/docker-entrypoint.sh reads the ones compose generates).

# The browser packages (Pico CSS, htmx) from the npm registry, as `make install` gets them.
FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json frontend/
COPY scripts/frontend.sh scripts/
COPY scripts/services/lib.sh scripts/services/env.sh scripts/services/
RUN ./scripts/frontend.sh --production

FROM python:3.11-slim-bookworm

# WEB_CONCURRENCY x WEB_THREADS: gunicorn's worker processes and threads in each
# (config/gunicorn.py), which is also the most PostgreSQL connections a web container holds
# (README, "Database connections").
# PROMETHEUS_MULTIPROC_DIR: where every process leaves its samples for /metrics
# (apps/core/metrics.py); docker-compose.yml shares it between web, worker and beat.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PROMETHEUS_MULTIPROC_DIR=/var/lib/kura-metrics \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=2 \
    WEB_THREADS=4

WORKDIR /app
# libmagic: the real type of an upload from its first bytes (apps/files/sniffing.py).
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first: a change to the code alone does not reinstall them.
COPY pyproject.toml README.md constraints.txt ./
RUN pip install -c constraints.txt .
COPY . .
COPY --from=frontend /app/static/vendor static/vendor

# Production settings refuse to load without real secrets, so this step gets random ones
# of its own, gone with it: nothing secret is stored in the image.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    KURA_JWT_SIGNING_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    AWS_SECRET_ACCESS_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(30))')" \
    python manage.py collectstatic --noinput -v 0

# The code and static files stay root's, read-only to the user the processes run as.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/kura kura \
    && install -d -o kura -g kura -m 0700 /var/lib/kura-secrets \
    && install -d -o kura -g kura -m 0700 /var/lib/kura-metrics
USER kura

EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "config/gunicorn.py"]
