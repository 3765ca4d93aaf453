# 学籍校对 portal. `make serve` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test e2e lint format install install-scale clean bench bench-pages cluster-test

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The production extras (gunicorn, Redis, RQ, S3, psycopg pool) and the cluster test's S3
# server: the cluster test and the benchmarks run the portal as it runs in production.
SCALE_STAMP := $(VENV)/.scale-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
$(SCALE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,scale,cluster]"
	rm -f $(VENV)/.scale-*
	touch $(SCALE_STAMP)

install-scale: $(SCALE_STAMP)

serve: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py db_worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

e2e: install
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Two gunicorns, one PostgreSQL database, one Redis DB, an S3 object store (moto), RQ
# workers: proves the app servers keep no state (needs PostgreSQL and Redis on 127.0.0.1;
# under 3 minutes). CLUSTER_ARGS="--media disk" shares a directory instead of S3.
CLUSTER_ARGS ?= --media s3
cluster-test: install-scale
	$(PY) scripts/cluster_test.py $(CLUSTER_ARGS)

# Every benchmark under bench/ that exists, then one table of ratios (bench/out/).
bench: install-scale
	$(PY) -m bench.run $(BENCH_ARGS)

bench-pages: install-scale
	$(PY) -m bench.run pages $(BENCH_ARGS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .test-media staticfiles
