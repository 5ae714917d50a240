# The two commands of the README. Everything the project needs is installed from here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= .tim3/devnet

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/e2e/arbundles && npm install --no-audit --no-fund --silent; \
	else echo "npm not found: the arbundles interop test will be skipped"; fi

## First command: install and start the local devnet with the TIM3 system deployed.
run: install
	$(BIN)/tim3 devnet --data $(DATA)

## Second command: install what the tests need and run the whole suite.
test: install-test lint
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check src tests bench

bench: install
	$(BIN)/python bench/devnet.py

clean:
	rm -rf $(VENV) .tim3 build .pytest_cache .ruff_cache
