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
	@# Browser tests drive Debian's Chromium (Playwright's own download is not reachable).
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			(apt-get update -q && apt-get install -y -q chromium) || \
				echo "WARNING: could not install chromium: the browser tests will be skipped"; \
		else echo "chromium not found at /usr/bin/chromium: the browser tests will be skipped"; fi; \
	fi
	@# npm packages for the cross-implementation tests (arbundles, aoconnect).
	@if command -v npm >/dev/null 2>&1; then \
		for d in tests/e2e/arbundles tests/e2e/aoconnect; do \
			(cd $$d && npm install --no-audit --no-fund --silent) || exit 1; \
		done; \
	else echo "npm not found: the arbundles and aoconnect tests will be skipped"; fi

## First command: install and start the local devnet with the TIM3 system deployed.
run: install
	$(BIN)/tim3 devnet --data $(DATA)

## Second command: install what the tests need and run the whole suite.
test: install-test lint
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/devnet.py

clean:
	rm -rf $(VENV) .tim3 build .pytest_cache .ruff_cache
