"""Settings of the server that bench/auth_overhead.py starts: local ones, with a URLconf that
adds a bare JSON view to the tenant's, and DEBUG off (no SQL log, no debug pages)."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.auth_overhead_urls"
DEBUG = False
