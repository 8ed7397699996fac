# The two commands in the README (run, test) and the steps they share.
# Every target is idempotent and sets up what is missing on a fresh machine.

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= peersupport.settings.local

.PHONY: run test lint format services migrate clean

$(VENV)/.installed: requirements.lock scripts/bootstrap-venv
	@scripts/bootstrap-venv
	@touch $@

services: $(VENV)/.installed
	@$(PY) scripts/ensure_services.py

migrate: services
	@$(PY) manage.py migrate --noinput
	@$(PY) manage.py createcachetable

# The app as production runs it (deploy/: nginx, gunicorn, uvicorn, the tick), so what
# is tried here is what is deployed; scripts/prod says when it is ready.
run: migrate nginx
	@$(PY) scripts/ensure_services.py --require-redis
	@$(PY) manage.py seed_demo
	@scripts/prod --host $(HOST) --skip-migrate $(PORT)

test: $(VENV)/.installed
	@$(PY) scripts/ensure_services.py --require-redis
	@scripts/ensure-chromium
	@scripts/ensure-nginx
	@scripts/ensure-node
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@DJANGO_SETTINGS_MODULE=peersupport.settings.test $(PY) -m pytest --create-db -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

format: $(VENV)/.installed
	@$(PY) -m ruff check --fix .
	@$(PY) -m ruff format .

clean:
	rm -rf $(VENV) .pgdata .redis staticfiles test-artifacts

# The production shape on this machine: nginx on 127.0.0.1:$(PORT) in front of
# gunicorn (pages) and uvicorn (/ws/), as deploy/ describes. Ctrl-C stops it all.
.PHONY: prod nginx bench-pages
nginx:
	@scripts/ensure-nginx

prod: $(VENV)/.installed nginx
	@$(PY) scripts/ensure_services.py --require-redis
	@scripts/prod $(PORT)

# The page benchmark (bench/README.md); BENCH_ARGS="--scale 0.05" for a quick run.
bench-pages: $(VENV)/.installed nginx
	@$(PY) scripts/ensure_services.py --require-redis
	@scripts/ensure-wrk
	@$(PY) bench/pages.py $(BENCH_ARGS)
