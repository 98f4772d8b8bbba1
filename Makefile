# The two commands of the README:
#   make serve   set up (virtual environment, serving dependencies) and start the server with the default model
#   make test    set up (training + test dependencies) and run lint, format check, types and the whole test suite
# Everything lives in .venv; the stamps re-install only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench clean chromium postgresql

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.serve-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.serve-stamp

serve: $(VENV)/.serve-stamp
	$(BIN)/digitkit serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.test-stamp
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The browser tests drive Debian's chromium (never a downloaded browser); install it when it is missing.
chromium:
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; the browser tests will be skipped"; }

# The store and jobs tests also run against a real PostgreSQL server (initdb in a temporary folder).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  echo "installing Debian's postgresql for the database tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "warning: could not install postgresql; the PostgreSQL tests will be skipped"; }

test: lint chromium postgresql
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2

$(VENV)/.bench-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.test-stamp $(VENV)/.bench-stamp
	test -f benchmarks/results/keras_baseline.keras || $(BIN)/python benchmarks/keras_baseline.py train
	$(BIN)/python benchmarks/serve_load.py --app archive --app baseline --clients 8 --images-per-request 1
	$(BIN)/python benchmarks/archive_matrix.py
	$(BIN)/python benchmarks/training.py
	$(BIN)/python benchmarks/runtime.py
	$(BIN)/python benchmarks/serve_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
