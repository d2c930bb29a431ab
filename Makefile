# The two commands: `make run` and `make test`. Everything else is what they stand on.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
# manage.py, wsgi and Celery default to production settings; the developer's targets say so.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

.PHONY: run test test-fast install lock messages browser services services-stop services-status migrate demo lint bench

run: demo  ## services, migrations, demo tenants, then web (gunicorn, reloading) + worker + beat (Ctrl-C stops them)
	@echo "Kura is starting: http://localhost:8000/ (operators: /admin/), http://acme.localhost:8000/, http://globex.localhost:8000/"
	@# /metrics adds up the samples the processes write here (Procfile): a fresh start each run.
	rm -rf .data/metrics && mkdir -p .data/metrics
	$(LOCAL) $(BIN)/honcho start -f Procfile

# pytest-xdist workers, each on a test slot of its own (config/settings/test.py). Most tests
# wait on a service, a process or a browser, so more workers than cores is quicker. Then,
# alone, the tests that stop a service every worker uses (exit status 5: none selected).
TEST_WORKERS ?= 4

test: lint services browser  ## lint, then the whole suite against the real services
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial" $(PYTEST_ARGS)
	$(BIN)/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: install services  ## the inner loop: no browser, fuzzing or slow tests; parallel, no lint
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not browser and not fuzz and not slow and not serial" $(PYTEST_ARGS)

install: $(VENV)/.installed static/vendor/.installed
$(VENV)/.installed: pyproject.toml constraints.txt scripts/system-packages.sh
	./scripts/system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# After changing pyproject.toml's dependencies: the newest versions its ranges allow, pinned.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt && rm -rf .lock-venv

# Pico CSS and htmx (pages), axe-core (tests), from the npm registry into static/vendor/.
static/vendor/.installed: frontend/package.json frontend/package-lock.json scripts/frontend.sh
	./scripts/frontend.sh

messages: install  ## refresh the ja catalogue after changing translatable strings
	$(LOCAL) $(BIN)/python manage.py makemessages -l ja --ignore=.venv --ignore=.data --ignore=frontend
	$(LOCAL) $(BIN)/python manage.py compilemessages -l ja --ignore=.venv --ignore=.data

browser:  ## Debian's Chromium for the browser tests
	./scripts/browser.sh

services:  ## start PostgreSQL, Redis, Elasticsearch, the S3 server and clamd on loopback
	./scripts/services.sh up

services-stop:
	./scripts/services.sh down

services-status:
	./scripts/services.sh status

migrate: install services
	$(LOCAL) $(BIN)/python manage.py migrate_all -v 0

demo: migrate
	$(LOCAL) $(BIN)/python manage.py demo_data

lint: install  ## ruff, mypy, and import-linter's contracts (pyproject.toml: the apps' layers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy apps config
	$(BIN)/lint-imports

bench: install services demo  ## every benchmark; each prints figures measured side by side
	./scripts/bench.sh
	$(LOCAL) $(BIN)/python bench/tenant_create.py
	$(LOCAL) $(BIN)/python bench/auth_overhead.py
	$(LOCAL) $(BIN)/python bench/delay_precision.py
	$(LOCAL) $(BIN)/python bench/load.py
	$(LOCAL) $(BIN)/python bench/load.py --make-run --clients 100 --seconds 60
	$(LOCAL) $(BIN)/python bench/upload_throughput.py
	$(LOCAL) $(BIN)/python bench/pagination.py
	$(LOCAL) $(BIN)/python bench/search.py
	$(LOCAL) $(BIN)/python bench/orders.py
