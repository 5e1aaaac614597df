# KyHop — `make run` serves the demo, `make test` runs the suite; both set everything up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint format setup venv sysdeps assets messages migrate pki demo bench clean

# The development PKI's time-stamp, OCSP and CRL service, the task worker (mail, deadlines,
# reminders) and the schedule run beside the web server and stop with it, so the embedded
# default signs at every PAdES level and sends its mail with no outside service.
run: setup migrate demo pki
	@echo "KyHop: http://$(HOST):$(PORT)/  (tài khoản mẫu: xem README)"
	@$(MANAGE) pki_serve & pki_pid=$$!; \
	$(MANAGE) db_worker --skip-checks & worker_pid=$$!; \
	$(MANAGE) crontask & cron_pid=$$!; \
	trap 'kill $$pki_pid $$worker_pid $$cron_pid 2>/dev/null' EXIT; \
	$(VENV)/bin/uvicorn kyhop.asgi:application --host $(HOST) --port $(PORT) --lifespan off \
		--ws-per-message-deflate false --no-proxy-headers

# Browser tests run in their own pytest process: Playwright's sync API keeps an event loop
# running in the test thread, which must not leak into the tests of async code.
test: setup lint
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

setup: venv sysdeps assets messages

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $$(bin/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

sysdeps:
	@bin/check-sysdeps

assets:
	@bin/build-assets

messages: venv
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

migrate: venv
	$(MANAGE) migrate --no-input -v1

demo: venv
	$(MANAGE) seed_demo
	$(MANAGE) seed_demo_meeting

# The PKI, then the demo signers' identities (certificates, signature and seal images) so the
# demo users can sign straight away. Both are idempotent.
pki: venv
	$(MANAGE) pki_init
	$(MANAGE) identities_sync_dev

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	@for script in tests/bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor var
