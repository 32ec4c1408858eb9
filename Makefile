# Two commands a new user needs: `make run` (the nightly job on built-in sample data) and
# `make test`. Both set up what they need on first use (uv in .tools/, the locked env in .venv/).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
SAMPLE := var/sample

.PHONY: setup run test lint typecheck bench clean sample

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --all-extras --quiet --compile-bytecode
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/bbic run --sample

test: setup
	scripts/ensure-chromium.sh
	scripts/ensure-postgres.sh
	$(BIN)/pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy --strict bbic_core

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
