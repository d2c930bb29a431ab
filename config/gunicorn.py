"""How gunicorn serves Kura: the image's command (Dockerfile) and `make run` (Procfile),
which adds --bind 127.0.0.1:8000 and --reload.

Threads, not a thread per request: WEB_CONCURRENCY worker processes (default 2) of
WEB_THREADS threads each (default 4). Django keeps one PostgreSQL connection per thread that
served a request (for CONN_MAX_AGE seconds), and a worker has no more threads than these, so
a web server holds at most WEB_CONCURRENCY x WEB_THREADS connections however many clients
wait (they queue in the workers; idle keep-alive connections hold no thread), plus one for
each /readyz probe in flight (its PostgreSQL check runs in a thread of its own and closes its
connection). README's "Database connections" adds up every process against PostgreSQL's
max_connections. runserver, which `make run` used before, starts a thread for every request:
each left its connection open for CONN_MAX_AGE, and a few browsers used up PostgreSQL's 200.
"""

import os

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("WEB_BIND", "0.0.0.0:8000")]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
accesslog = "-"
# gunicornc's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a second
# server (a benchmark beside `make run`) would take it over. Kura does not use it.
control_socket_disable = True
# With --reload (`make run`): Python files restart the workers; so do compiled translations.
# Templates need no restart: local settings read them afresh on every render.
reload_extra_files = ["locale/*/LC_MESSAGES/django.mo"]
