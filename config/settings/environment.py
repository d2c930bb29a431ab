"""The environment reader and the loopback service ports every settings module shares.

Ports match scripts/services/env.sh, where the development services are started.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()

PG_PORT = env.int("KURA_PG_PORT", default=55432)
REDIS_PORT = env.int("KURA_REDIS_PORT", default=56379)
ES_PORT = env.int("KURA_ES_PORT", default=59200)
S3_PORT = env.int("KURA_S3_PORT", default=58333)
CLAMD_PORT = env.int("KURA_CLAMD_PORT", default=53310)
