# The two commands of the README:
#   make serve   set up (virtual environment, serving dependencies) and start the server with the default model
#   make test    set up (training + test dependencies) and run lint, format check, types and the whole test suite
# Everything lives in .venv; the stamps re-install only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench clean

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

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(VENV)/.test-stamp
	$(BIN)/python benchmarks/training.py
	$(BIN)/python benchmarks/runtime.py
	$(BIN)/python benchmarks/serve_load.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
