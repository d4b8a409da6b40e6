# `make run` serves the demo site; `make test` runs every check CI runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# The first interpreter that is Python 3.12 or newer.
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.14 python3 python; do \
	if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo $$candidate; break; fi; done)

# The task worker: django-tasks-db's by default; RQ's when
# DJANGO_TASKS_BACKEND=django_tasks_rq.RQBackend (tasks kept in Redis).
WORKER = $(if $(filter django_tasks_rq.RQBackend,$(DJANGO_TASKS_BACKEND)),$(PY) manage.py rqworker --with-scheduler --job-class django_tasks_rq.Job default,$(PY) manage.py db_worker)

.PHONY: run serve test bench screenshots lint venv install static clean

$(VENV)/.installed: requirements.txt pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is required (Django 6.1). Install it, or run: make PYTHON=/path/to/python3.12" >&2; \
		exit 1; fi
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$($(PYTHON) --version)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

venv install: $(VENV)/.installed

# Absolute links (canonical URLs, feeds, emails) follow the port served.
run: export DJANGO_DEBUG ?= 1
run: export HEALTH_SITE_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Background tasks run in a worker (db_worker); scheduled go-lives and withdrawals every 60 s (publish_scheduled --loop 60)."
	@echo "Serving on $(HEALTH_SITE_BASE_URL)/ (admin: $(HEALTH_SITE_BASE_URL)/admin/; health: /healthz, /healthz/status). Press Ctrl-C to stop."
	@echo "Log in with a demo password above, then the code from: $(PY) manage.py demo_code reviewer (or writer, editor, admin)."
	@$(PY) manage.py publish_scheduled --loop 60 & scheduler=$$!; \
	$(PY) manage.py heartbeat --loop 60 & heartbeat=$$!; \
	$(WORKER) & worker=$$!; \
	$(PY) manage.py requeue_stale_tasks --loop 300 & requeue=$$!; \
	trap 'kill $$scheduler $$worker $$requeue $$heartbeat 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production stack on this machine: DEBUG off, gunicorn with
# gunicorn.conf.py (PostgreSQL when DATABASE_URL is set, Redis with REDIS_URL),
# and beside it the task worker, the scheduler and the worker's heartbeat,
# which stop with it. Without DJANGO_SECRET_KEY a random one serves this run.
# DEMO=1 loads the demo content first, with this very environment, so its
# pages link to the address served.
serve: export DJANGO_DEBUG = 0
serve: export HEALTH_SITE_BASE_URL ?= http://$(HOST):$(PORT)
serve: export GUNICORN_BIND ?= $(HOST):$(PORT)
serve: $(VENV)/.installed
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then \
		echo "DJANGO_SECRET_KEY is not set: using a random key for this run only (log-ins and preview links end when it stops). Set it to keep them." >&2; \
		export DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	fi; \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	$(PY) manage.py migrate --noinput || exit 1; \
	$(if $(filter 1,$(DEMO)),$(PY) manage.py seed_demo || exit 1;) \
	echo "Database: $$(if [ -n "$$DATABASE_URL" ]; then echo 'PostgreSQL (DATABASE_URL)'; else echo 'SQLite (db.sqlite3)'; fi); cache: $$(if [ -n "$$REDIS_URL" ]; then echo 'Redis (REDIS_URL)'; else echo 'in memory'; fi)."; \
	echo "Serving on $(HEALTH_SITE_BASE_URL)/ with gunicorn, DEBUG off (health: $(HEALTH_SITE_BASE_URL)/healthz). Press Ctrl-C to stop."; \
	$(PY) manage.py publish_scheduled --loop 60 & scheduler=$$!; \
	$(PY) manage.py heartbeat --loop 60 & heartbeat=$$!; \
	$(WORKER) & worker=$$!; \
	$(PY) manage.py requeue_stale_tasks --loop 300 & requeue=$$!; \
	trap 'kill $$scheduler $$heartbeat $$worker $$requeue 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --config gunicorn.conf.py

static: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput --verbosity 0

test: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/pytest

# Refresh the README's screenshots in docs/screenshots/ (tests write theirs
# to the ignored test-results/screenshots/ otherwise).
screenshots: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
screenshots: $(VENV)/.installed static
	UPDATE_SCREENSHOTS=1 REQUIRE_BROWSER=1 $(VENV)/bin/pytest tests/browser

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache .ruff_cache

# Pages against whitenoise, the framework floor, nginx and Varnish, at 0, 10,000
# and 100,000 articles, on PostgreSQL; prints ratios (see benchmarks/bench.py).
# Then the desk: diffs of a long article (benchmarks/desk.py), and in Chromium
# the preview's lag behind typing and the article form's weight
# (benchmarks/desk_browser.py). Then search: recall@5 of the quality set
# (benchmarks/search_queries.toml) and the p95 of searches and suggestions at
# 100,000 articles (benchmarks/search_quality.py).
# BENCH_SIZES=0,10000 make bench is quicker.
bench: export DJANGO_SECRET_KEY ?= benchmark-only
bench: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/desk.py
	$(PY) benchmarks/evidence.py --dois 10000 --scale 10
	$(PY) benchmarks/desk_browser.py --rounds 3
	$(PY) benchmarks/search_quality.py
